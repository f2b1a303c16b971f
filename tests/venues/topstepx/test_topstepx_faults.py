"""TopstepX under the simulator's injected faults: what the engine concludes and what the venue holds.

Every answer fault on Order/place and Order/cancel (5xx after processing, 429 never processed,
a garbage answer, a dropped connection after or before processing) and a lost hub event; the
venue's orders are counted by customTag (one per intent) and the engine's books end equal to them.
"""

import asyncio

import pytest
import uvloop

from engine import EngineError, OrderState
from engine.testing import SIM_KEY, simulated
from engine.venues import errors as E
from tests.support.engine_fixtures import KEY, engine_on_sim, until


def run(coro, timeout=40):
    return uvloop.run(asyncio.wait_for(coro, timeout))


def venue_open(sim):
    return {o.oid for o in sim.core.orders.values() if o.account.key == SIM_KEY and o.is_open}


@pytest.mark.parametrize("fault", ["http500:process=first", "garbage:kind=truncated,process=first",
                                   "unknown:process=first", "drop:process=never"])
def test_an_unclear_place_answer_is_resolved_by_custom_tag_once(fault):
    async def main():
        # a 0.5 s window: a never-processed order is concluded absent soon after its request
        async with engine_on_sim("topstepx", config={"recv_window_ms": 500}) as (sim, eng):
            sim.add_faults(f"POST api/Order/place:{fault},nth=1")
            order = await eng.place_limit("MNQ", "BUY", "1", "20000")
            processed = "never" not in fault
            # never processed: absent once its time has passed, and not sent again (its tag is burnt)
            want = OrderState.NEW if processed else OrderState.NOT_PLACED
            await until(lambda: eng.get_order(order.client_order_id).state == want, 10, want.name)
            assert sim.client_order_count(KEY, "topstepx", order.client_order_id) == (1 if processed else 0)
            assert {o.exchange_order_id for o in eng.open_orders("MNQ")} == \
                {o.oid for o in sim.core.orders.values() if o.account.key == KEY and o.is_open}
            assert eng.unresolved == 0
    run(main())


def test_a_rate_limited_place_is_refused_and_nothing_is_left_at_the_venue():
    async def main():
        async with simulated("topstepx") as s:
            s.inject("order:http429:nth=1")
            with pytest.raises(E.RateLimited):
                await s.engine.place_limit("MNQ", "BUY", "1", "20000")
            assert not venue_open(s.sim)
    run(main())


def test_a_cancel_whose_answer_is_lost_after_processing_ends_cancelled():
    async def main():
        async with simulated("topstepx") as s:
            bid = await s.engine.place_limit("MNQ", "BUY", "1", "20000")
            s.inject("POST api/Order/cancel:drop:process=first,nth=1")
            try:
                await s.engine.cancel(bid)
            except (E.VenueError, ConnectionError, OSError, EngineError):
                pass                             # the engine may say it does not know yet
            await s.until(lambda: s.engine.get_order(bid.client_order_id).state == OrderState.CANCELLED, 10)
            assert not venue_open(s.sim)
    run(main())


def test_a_lost_fill_event_is_found_by_reconciliation():
    async def main():
        async with simulated("topstepx") as s:
            bid = await s.engine.place_limit("MNQ", "BUY", "1", "20990")
            s.inject("stream.topstepx:stream_lose:nth=1")      # the order's fill event never arrives
            s.move_price("NQ", "20980")
            await asyncio.sleep(0.3)
            s.engine.request_reconciliation("test: a stream event may be missing")
            await s.until(lambda: s.engine.get_order(bid.client_order_id).state == OrderState.FILLED, 10)
            await s.until(lambda: s.engine.positions().get("MNQ") is not None
                          and s.engine.positions()["MNQ"].size == 1, 10)
    run(main())


def test_a_read_answered_5xx_is_sent_again_after_the_seeds_backoff():
    # (a place answered 5xx is never sent again: test_an_unclear_place_answer_is_resolved_by_custom_tag_once)
    async def main():
        async with simulated("topstepx") as s:
            eng = s.engine
            buy = await eng.place_market("MNQ", "BUY", "1")
            await s.until(lambda: eng.get_order(buy.client_order_id).state == OrderState.FILLED)
            s.inject("POST api/Position/searchOpen:http503:nth=1")
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            positions = await eng.adapter.positions()           # 503, then again after 750 ms +- 20 %
            assert loop.time() - t0 >= 0.55 and [(p.symbol, p.size_raw) for p in positions] == [("MNQ", 10**8)]
    run(main())


def test_duplicated_reordered_and_delayed_hub_events_change_nothing_twice():
    async def main():
        async with simulated("topstepx") as s:
            eng = s.engine
            s.inject("stream.topstepx:stream_duplicate:every=2")
            s.inject("stream.topstepx:stream_reorder:every=3")
            s.inject("stream.topstepx:stream_delay:ms=150,every=5")
            asks = [await eng.place_limit("MNQ", "SELL", "1", px) for px in ("21010", "21020", "21030")]
            s.move_price("NQ", "21100")
            for o in asks:
                await s.until(lambda o=o: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10)
                assert eng.get_order(o.client_order_id).filled == 1
            await s.until(lambda: eng.positions().get("MNQ") is not None and eng.positions()["MNQ"].size == -3, 10,
                          "short 3, each fill counted once")
            venue_pos = await eng.adapter.positions()
            assert [(p.symbol, p.size_raw) for p in venue_pos] == [("MNQ", -3 * 10**8)]
            st = eng.stats()
            assert st["applier"]["refused"] == 0 and st["store"]["illegal"] == 0
            assert st["applier"]["ignored"] >= 1                  # the duplicates were seen and dropped
    run(main())
