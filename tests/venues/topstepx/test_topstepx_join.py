"""Join bid / join ask (Gateway order types 6 and 7) from ``eng.place_join`` to the simulator and back.

The order goes without a price and rests at the venue's best bid (a buy) or best ask (a sell);
its type comes back from the hub and from Order/search; it fills, cancels and is resolved by its
customTag like any order; risk values it at the reference price, as a market order; other venues
and bad input are refused before anything is sent.
"""

import asyncio

import pytest
import uvloop

from engine import EngineError, OrderState, OrderType
from engine.oms.risk import RiskRejected
from engine.sim.topstepx.instruments import MARKET, contract, units
from engine.testing import SIM_KEY, simulated
from tests.support.engine_fixtures import KEY, engine_on_sim, until

MNQ = "CON.F.US.MNQ.Z26"


def run(coro, timeout=40):
    return uvloop.run(asyncio.wait_for(coro, timeout))


def venue_orders_of(sim, key=SIM_KEY):
    return [o for o in sim.core.orders.values() if o.account.key == key]


def test_join_bid_and_join_ask_rest_at_the_touch_read_back_cancel_and_fill():
    async def main():
        async with simulated("topstepx") as s:
            eng, sim = s.engine, s.sim
            seen = []
            eng.on(lambda ev: seen.append((ev.kind.value, ev.order.order_type)) if ev.order is not None else None)
            book = sim.core.books[(MARKET, MNQ)]
            bid_px, ask_px = book.best("BUY"), book.best("SELL")
            bid = await eng.place_join("MNQ", "BUY", "1", client_tag="jb")
            ask = await eng.place_join("MNQ", "SELL", "1")
            for order, gw_type, side, px in ((bid, 6, "BUY", bid_px), (ask, 7, "SELL", ask_px)):
                assert order.state == OrderState.NEW and order.client_order_id.startswith("jb-") == (order is bid)
                venue = sim.core.orders[order.exchange_order_id]
                assert (venue.extra["tsx_type"], venue.side, venue.price, venue.is_open) == (gw_type, side, px, True)
                # the price is the venue's, learnt from the hub's order event
                await s.until(lambda o=order, px=px: eng.get_order(o.client_order_id).price == px, 5, "venue price")
            assert bid.order_type == OrderType.JOIN_BID and ask.order_type == OrderType.JOIN_ASK
            # Order/search and searchOpen name them as join orders too
            assert (await eng.fetch_order(ask, reconcile=False)).order_type == OrderType.JOIN_ASK
            assert {(o.client_order_id, o.order_type, o.price) for o in await eng.fetch_open_orders("MNQ")} == \
                {(bid.client_order_id, OrderType.JOIN_BID, bid_px), (ask.client_order_id, OrderType.JOIN_ASK, ask_px)}
            # a resting join order amends in place (Order/modify with its new size, the prices null)
            amended = await eng.amend(bid, qty="2")
            assert amended.quantity == 2 and amended.price == bid_px and amended.order_type == OrderType.JOIN_BID
            venue_bid = sim.core.orders[bid.exchange_order_id]
            assert (venue_bid.qty, venue_bid.price) == (units(contract(MNQ), 2), bid_px)
            cancelled = await eng.cancel(ask)
            assert cancelled.state == OrderState.CANCELLED and not sim.core.orders[ask.exchange_order_id].is_open
            s.move_price("NQ", str(bid_px - 20))                    # the market falls through the bid
            await s.until(lambda: eng.get_order(bid.client_order_id).state == OrderState.FILLED, 10, "bid filled")
            filled = eng.get_order(bid.client_order_id)
            assert filled.filled == 2 and filled.average_price == bid_px
            await s.until(lambda: eng.positions().get("MNQ") is not None and eng.positions()["MNQ"].size == 2, 5)
            assert [(p.symbol, p.size_raw) for p in await eng.adapter.positions()] == [("MNQ", 2 * 10**8)]
            assert {("accepted", OrderType.JOIN_BID), ("accepted", OrderType.JOIN_ASK),
                    ("cancelled", OrderType.JOIN_ASK), ("filled", OrderType.JOIN_BID)} <= set(seen)
            # amended once, by the user: the venue's price was taken as the order's own, not as an amendment
            assert [e for e in seen if e[0] == "amended"] == [("amended", OrderType.JOIN_BID)]
            assert eng.open_orders() == [] and not [o for o in venue_orders_of(sim) if o.is_open]
            assert s.venue_orders(bid.client_order_id) == 1 and s.venue_orders(ask.client_order_id) == 1
    run(main())


@pytest.mark.parametrize("fault", ["drop:process=first", "http500:process=later,delay_ms=200", "drop:process=never"])
def test_a_join_order_whose_answer_is_lost_is_resolved_by_its_custom_tag_once(fault):
    async def main():
        # a 0.5 s window: a never-processed order is concluded absent soon after its request
        async with engine_on_sim("topstepx", config={"recv_window_ms": 500}) as (sim, eng):
            seen = []
            eng.on(lambda ev: seen.append(ev.kind.value))
            sim.add_faults(f"POST api/Order/place:{fault},nth=1")
            order = await eng.place_join("MNQ", "SELL", "1")
            assert order.order_type == OrderType.JOIN_ASK
            processed = "never" not in fault
            want = OrderState.NEW if processed else OrderState.NOT_PLACED
            await until(lambda: eng.get_order(order.client_order_id).state == want, 10, want.name)
            if "later" in fault:        # answered before the venue took it: UNKNOWN until its hub event
                await until(lambda: "resolved" in seen, 5, "resolved")
                assert seen[0] == "unknown" and "rejected" not in seen
            elif processed:             # UNKNOWN then resolved, or the hub's event came before the lost answer
                await until(lambda: "unknown" not in seen or "resolved" in seen, 5, "resolved")
                assert "rejected" not in seen
            else:
                assert seen == ["unknown", "not_placed"]
            assert sim.client_order_count(KEY, "topstepx", order.client_order_id) == (1 if processed else 0)
            assert {o.exchange_order_id for o in eng.open_orders("MNQ")} == \
                {o.oid for o in venue_orders_of(sim, KEY) if o.is_open}
            assert eng.unresolved == 0
    run(main())


def test_refused_before_sending_fractions_no_reference_price_and_other_venues():
    async def main():
        async with engine_on_sim("topstepx", config={"options": {"quotes": []}}) as (sim, eng):
            for qty in ("0.5", "1.5"):
                with pytest.raises(EngineError, match="MNQ"):
                    await eng.place_join("MNQ", "BUY", qty)
            with pytest.raises(TypeError):
                await eng.place_join("MNQ", "BUY", 1.0)
            eng.admission.set_reference(eng.instruments.id("MNQ"), 0)   # no quote, no bar, no fill: no price
            for place in (lambda: eng.place_market("MNQ", "BUY", "1"), lambda: eng.place_join("MNQ", "BUY", "1")):
                with pytest.raises(RiskRejected) as info:
                    await place()
                assert info.value.rule == "no_price"
            assert not venue_orders_of(sim, KEY) and eng.open_orders() == []
        async with simulated("binance-spot") as s:
            with pytest.raises(EngineError, match="binance-spot has no join bid / join ask orders"):
                await s.engine.place_join("BTCUSDT", "BUY", "0.01")
            assert not venue_orders_of(s.sim) and s.engine.open_orders() == []
    run(main())


def test_a_join_order_resolved_by_order_search_takes_its_price_from_there():
    async def main():
        async with simulated("topstepx") as s:
            eng, sim = s.engine, s.sim
            bid_px = sim.core.books[(MARKET, MNQ)].best("BUY")
            s.inject("stream.topstepx:stream_lose:every=1", "order:drop:process=first,nth=1")   # no hub, no answer
            seen = []
            eng.on(lambda ev: seen.append(ev.kind.value))
            bid = await eng.place_join("MNQ", "BUY", "1")
            await s.until(lambda: "resolved" in seen, 10, "resolved by Order/search")
            got = eng.get_order(bid.client_order_id)
            assert (got.state, got.order_type, got.price) == (OrderState.NEW, OrderType.JOIN_BID, bid_px)
            assert s.venue_orders(bid.client_order_id) == 1
            s.clear_faults()
            assert (await eng.cancel(bid)).state == OrderState.CANCELLED
    run(main())
