"""``Engine(busy_poll=True)``: the event loop never sleeps while the engine runs (a callback is always ready),
everything else runs as before (orders, the stream, timers), and the loop sleeps again once the engine stops.
Each turn runs the last order's place path short of the write (``OrderEntry.warm``), writing, recording and
spending nothing.  Against the simulator over real sockets."""

import asyncio
import time
from decimal import Decimal

import pytest

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
            assert eng.busy_poll is None and eng.stats()["busy_poll"] is None
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


def _written(eng, entry: str) -> tuple:
    """What the engine has written and kept: the order socket's last send (WebSocket entry) or the lean path's
    request count (REST), and the orders the entry and the store hold."""
    adapter = eng.adapter
    if entry == "ws":
        ws = adapter.ws_api.ws if hasattr(adapter, "ws_api") else adapter.trade.ws
        sent = ws.last_send_ns
    else:
        sent = adapter.orders.lean.sent
    return (sent, eng._entry.places, eng.store.live, eng.store.slots_used, eng.metrics.placed)


@pytest.mark.parametrize("venue, entry", [("binance-spot", "rest"), ("binance-spot", "ws"), ("binance-usdm", "rest"),
                                          ("bybit", "rest"), ("bybit", "ws")])
def test_each_turn_warms_the_last_orders_place_path_and_writes_records_and_spends_nothing(venue, entry):
    """``OrderEntry.warm`` on every turn of the spin: nothing before the first order; then the last order's path
    runs thousands of times with nothing written, recorded, counted or spent; orders go on as before."""
    async def main():
        async with engine_on_sim(venue, order_entry=entry, busy_poll=True) as (sim, eng):
            assert eng._entry.warming
            ran, warm = [], eng.busy_poll._warm
            eng.busy_poll._warm = lambda: ran.append(warm())
            await asyncio.sleep(0.05)
            assert ran and not any(ran)                    # nothing to warm before the first order
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 10, "placed")
            before = _written(eng, entry)
            ran.clear()
            await asyncio.sleep(0.2)
            assert len(ran) > 50 and all(ran), len(ran)
            assert _written(eng, entry) == before and eng._entry.warm_failures == 0
            assert [x.client_order_id for x in await eng.fetch_open_orders("BTCUSDT")] == [o.client_order_id]
            cid = eng.submit_limit("BTCUSDT", "SELL", "0.01", "52000")
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 10, "submitted")
            await eng.cancel(o)
            await eng.cancel(cid)
            assert eng._entry.places == before[1] + 1

    run(main())


def test_a_warm_up_that_raises_is_counted_logged_once_and_resumes_with_the_next_order(caplog):
    async def main():
        async with engine_on_sim("binance-spot", busy_poll=True) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            clock = eng.adapter.orders.lean.clock
            real = clock.now_ms
            calls = []

            def failing():
                calls.append(1)
                raise RuntimeError("clock broken for the test")
            with caplog.at_level("WARNING", logger="engine.oms"):
                clock.now_ms = failing                     # the writer's warm-up reads the venue clock
                await asyncio.sleep(0.1)
                clock.now_ms = real
            assert len(calls) == 1 and eng._entry.warm_failures == 1      # not run again after it raised
            assert eng.stats()["busy_poll"] == {"running": True, "warming": True, "warm_failures": 1}
            assert [r.getMessage() for r in caplog.records if "warming" in r.getMessage()] == [
                "warming the order path failed; it resumes with the next order written"]
            assert eng._entry.warm() is False
            o2 = await eng.place_limit("BTCUSDT", "BUY", "0.01", "47000")
            assert eng._entry.warm() is True and eng._entry.warm_failures == 1
            await eng.cancel(o)
            await eng.cancel(o2)

    run(main())
