"""``Engine(busy_poll=True)``: the event loop never sleeps while the engine runs (a callback is always ready),
everything else runs as before (orders, the stream, timers), and the loop sleeps again once the engine stops.
Against the simulator over real sockets."""

import asyncio
import time
from decimal import Decimal

from engine._enums import OrderState
from engine.oms.busy_poll import BusyPoll
from tests.support.engine_fixtures import engine_on_sim, run, until


def test_the_loop_is_kept_busy_while_the_engine_runs_and_trades_as_before():
    async def main():
        async with engine_on_sim("binance-spot", busy_poll=True) as (sim, eng):
            assert eng.busy_poll.running
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(0.2)                       # a timer still fires on time
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            assert wall < 1.0 and cpu > 0.5 * wall        # the loop polled instead of sleeping
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            cid = eng.submit_limit("BTCUSDT", "BUY", "0.01", "47900")
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 10, "submitted")
            sim.set_price("BTCUSDT", "47950")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10, "filled")
            assert eng.get_order(o.client_order_id).filled == Decimal("0.01")
            await eng.cancel(cid)
        assert not eng.busy_poll.running
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.sleep(0.2)
        assert time.process_time() - cpu0 < 0.5 * (time.perf_counter() - wall0)    # asleep again

    run(main())


def test_it_is_off_by_default_and_idempotent():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            assert eng.busy_poll is None
        poll = BusyPoll()
        poll.stop()
        poll.start(asyncio.get_running_loop())
        poll.start(asyncio.get_running_loop())
        assert poll.running
        await asyncio.sleep(0.01)
        poll.stop()
        poll.stop()
        assert not poll.running

    run(main())
