"""Gate.io spot end to end: the engine against the simulator's Gate personality over loopback, on both
order-entry paths (REST lean path; the WebSocket order API after spot.login), and the exactly-once
rules under faults the simulator really injects: an order whose answer is lost is UNKNOWN, resolved
by its text (open), the finished orders or the trades, and never sent again (Gate does not refuse a
second order under one text, Capability.NEVER_RESEND)."""

import asyncio
import contextlib
from decimal import Decimal

import pytest

from engine._enums import OrderState
from engine.api import connect
from engine.config import VenueConfig
from engine.oms.events import EventKind
from engine.sim import SimExchange
from engine.venues.errors import OrderRejected, PostOnlyWouldTake
from tests.support.engine_fixtures import KEY, SECRET, run, until

pytestmark = pytest.mark.timeout(90)
PATHS = ["rest", "ws"]
FAST = {"recv_window_ms": 500}          # a lost answer is concluded soon after its request


@contextlib.asynccontextmanager
async def gate(entry, *, faults=None, engine_options=None, **config):
    async with SimExchange(seed=3, accounts=[(KEY, SECRET), ("other", "other-secret")], faults=faults) as sim:
        cfg = VenueConfig.local("gateio", sim.urls["gateio"], KEY, SECRET, **config)
        async with connect(cfg, order_entry=entry, **(engine_options or {})) as eng:
            yield sim, eng


def venue_orders(sim, cid):
    return sim.client_order_count(KEY, "gateio", cid)


def fired(sim, name):
    return [r for r in sim.faults.log if r.name == name]


@pytest.mark.parametrize("entry", PATHS)
def test_orders_fills_amend_cancel_and_balances(entry):
    async def main():
        place_name = "spot.order_place" if entry == "ws" else "api/v4/spot/orders"
        async with gate(entry, faults=[f"{place_name}:latency:ms=1"]) as (sim, eng):
            events = []
            eng.on(events.append)
            bid = await eng.place_limit("BTC_USDT", "BUY", "0.02", "49995")
            assert bid.state == OrderState.NEW and bid.client_order_id.startswith("t-")
            assert fired(sim, place_name), "the order went another way than the path asked"
            bid = await eng.amend(bid, price="49996")
            assert bid.price == Decimal("49996") and venue_orders(sim, bid.client_order_id) == 1
            sim.place_for("other", "gateio", "BTC_USDT", "SELL", "0.005")
            await until(lambda: eng.get_order(bid.client_order_id).filled == Decimal("0.005"), 5, "partial fill")
            done = await eng.cancel(bid)
            assert done.state == OrderState.CANCELLED and done.filled == Decimal("0.005")
            buy = await eng.place_market("BTC_USDT", "BUY", "0.01")
            sell = await eng.place_market("BTC_USDT", "SELL", "0.004")
            for o in (buy, sell):
                await until(lambda o=o: eng.get_order(o.client_order_id).state == OrderState.FILLED, 5, "filled")
            assert eng.get_order(buy.client_order_id).filled == Decimal("0.01")
            resting = [await eng.place_limit("BTC_USDT", "BUY", "0.01", p) for p in ("40000", "41000")]
            await eng.cancel_all("BTC_USDT")
            for o in resting:
                await until(lambda o=o: eng.get_order(o.client_order_id).state == OrderState.CANCELLED, 5)
            # the books agree with the venue: BTC and USDT as the simulator holds them
            for asset in ("BTC", "USDT"):
                free, locked = sim.balance(KEY, asset, "gateio")
                await until(lambda a=asset, f=free: eng.balances()[a][0] == f, 5, f"{asset} balance")
            kinds = {e.kind for e in events}
            assert {EventKind.ACCEPTED, EventKind.PARTIALLY_FILLED, EventKind.FILLED, EventKind.CANCELLED,
                    EventKind.AMENDED} <= kinds
            assert EventKind.UNKNOWN not in kinds

    run(main())


@pytest.mark.parametrize("entry", PATHS)
def test_a_post_only_order_that_would_take_never_rests(entry):
    async def main():
        async with gate(entry) as (sim, eng):
            o = await eng.place_limit("BTC_USDT", "BUY", "0.01", "51000", post_only=True)
            await until(lambda: not eng.get_order(o.client_order_id).is_open, 5, "ended")
            assert eng.get_order(o.client_order_id).filled == 0
            sim.state["gateio"].poc_error = True            # the venue's other answer: POC_FILL_IMMEDIATELY
            before = len(sim.core.orders)
            with pytest.raises(PostOnlyWouldTake):
                await eng.place_limit("BTC_USDT", "BUY", "0.01", "51000", post_only=True)
            assert len(sim.core.orders) == before and eng.open_orders() == []

    run(main())


@pytest.mark.parametrize("entry", PATHS)
def test_ioc_and_fok_orders_end_by_finish_as(entry):
    """IOC / FOK limit orders: the book cannot fill them, so the venue answers 201 ``cancelled`` with
    ``finish_as`` ioc / fok and the engine ends them EXPIRED with nothing filled; one that crosses fills; the
    venue's other answer to an FOK it cannot fill, FOK_NOT_FILL, rejects it with nothing placed."""
    async def main():
        async with gate(entry) as (sim, eng):
            events = []
            eng.on(events.append)
            for tif in ("IOC", "FOK"):
                o = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000", tif=tif)
                await until(lambda o=o: eng.get_order(o.client_order_id).state == OrderState.EXPIRED, 5, tif)
                assert eng.get_order(o.client_order_id).filled == 0 and venue_orders(sim, o.client_order_id) == 1
            taker = await eng.place_limit("BTC_USDT", "BUY", "0.01", "51000", tif="IOC")
            await until(lambda: eng.get_order(taker.client_order_id).state == OrderState.FILLED, 5, "crossed")
            assert eng.get_order(taker.client_order_id).filled == Decimal("0.01")
            sim.state["gateio"].fok_error = True
            before = len(sim.core.orders)
            with pytest.raises(OrderRejected) as err:
                await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000", tif="FOK")
            assert err.value.code == "FOK_NOT_FILL" and len(sim.core.orders) == before
            assert eng.open_orders() == [] and EventKind.UNKNOWN not in {e.kind for e in events}

    run(main())


# -- exactly once ------------------------------------------------------------------------------------
CASES = [
    # (fault, the venue ends up holding the order)
    ("order:drop:process=first,nth=1", True),                      # taken, then the connection dropped
    ("order:unknown:process=later,delay_ms=400,nth=1", True),      # SERVER_ERROR now, taken 0.4 s later
    ("order:http503:process=first,nth=1", True),                   # taken, then answered 503
    ("order:http500:nth=1", False),                                # never reached the venue
]


@pytest.mark.parametrize("entry", PATHS)
@pytest.mark.parametrize("fault, taken", CASES, ids=["processed-then-dropped", "processed-later", "processed-then-503",
                                                    "never"])
def test_a_lost_answer_is_resolved_by_its_text_and_never_resent(entry, fault, taken):
    async def main():
        async with gate(entry, faults=[fault], **FAST) as (sim, eng):
            events = []
            eng.on(events.append)
            o = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            # UNKNOWN, unless the order's own put event reached the engine before the connection dropped (or,
            # on the order API's socket, before the 5xx answer of an order the venue took)
            if "drop" in fault:
                assert o.state == OrderState.NEW
            elif "process=first" in fault:
                assert o.state in (OrderState.NEW, OrderState.UNKNOWN)
            else:
                assert o.state == OrderState.UNKNOWN
            await until(lambda: eng.get_order(o.client_order_id).state != OrderState.UNKNOWN, 15, "concluded")
            await sim.settle_later()
            await asyncio.sleep(0.2)
            got = eng.get_order(o.client_order_id)
            assert eng.resolver.resent == 0                 # never sent twice, whatever resend_lost says
            assert venue_orders(sim, o.client_order_id) == (1 if taken else 0)
            if taken:
                assert got.state == OrderState.NEW and got.is_open
                assert [e.data.get("how") for e in events if e.kind == EventKind.RESOLVED] != ["resent"]
            else:
                assert got.state == OrderState.NOT_PLACED
            assert not [e for e in events if e.kind == EventKind.UNEXPECTED_EXECUTION]

    run(main())


def test_a_market_order_whose_answer_was_lost_is_counted_once():
    async def main():
        async with gate("rest", faults=["POST api/v4/spot/orders:drop:process=first,nth=1"], **FAST) as (sim, eng):
            o = await eng.place_market("BTC_USDT", "SELL", "0.01")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 15, "filled")
            assert eng.get_order(o.client_order_id).filled == Decimal("0.01") and eng.resolver.resent == 0
            assert venue_orders(sim, o.client_order_id) == 1

    run(main())


def test_ws_order_entry_falls_back_to_rest_while_its_socket_reconnects():
    async def main():
        async with gate("ws", faults=["api/v4/spot/orders:latency:ms=1"]) as (sim, eng):
            await sim.state["gateio"].sockets.upgrade(grace=0.0)       # every socket goes, the venue restarts
            await until(lambda: not eng.adapter.trade.ready, 5, "socket down")
            o = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            assert o.state == OrderState.NEW and fired(sim, "api/v4/spot/orders")
            await until(lambda: eng.adapter.trade.ready and eng.adapter.stream.upgrades >= 1, 10, "back")
            sim.set_price("BTCUSDT", "47900")                            # the bid fills over the new stream
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10, "filled")

    run(main())


@pytest.mark.parametrize("entry", PATHS)
def test_lost_answers_and_lost_pushes_are_resolved_by_lookup(entry):
    """Neither the answer nor the order's pushes arrive: the resting order is found by its text (open), the
    filled one among the finished orders; each counted once, nothing sent again."""
    async def main():
        faults = ["order:drop:process=first,times=2", "stream.gateio:stream_lose:times=40"]
        async with gate(entry, faults=faults, **FAST) as (sim, eng):
            events = []
            eng.on(events.append)
            rest_ = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            sell = await eng.place_market("BTC_USDT", "SELL", "0.01")
            assert rest_.state == sell.state == OrderState.UNKNOWN
            await until(lambda: eng.get_order(rest_.client_order_id).state == OrderState.NEW, 15, "found open")
            await until(lambda: eng.get_order(sell.client_order_id).state == OrderState.FILLED, 15, "found filled")
            assert eng.get_order(sell.client_order_id).filled == Decimal("0.01") and eng.resolver.resent == 0
            assert venue_orders(sim, rest_.client_order_id) == venue_orders(sim, sell.client_order_id) == 1
            assert len([e for e in events if e.kind == EventKind.RESOLVED]) == 2

    run(main())


def test_an_order_placed_elsewhere_is_adopted_with_its_fills():
    """An order from the web UI (text ``apiv4``, not one of ours): taken into the store under its venue id."""
    async def main():
        async with gate("rest") as (sim, eng):
            events = []
            eng.on(events.append)
            oid = sim.place_for(KEY, "gateio", "BTC_USDT", "BUY", "0.01", price="49995")
            await until(lambda: any(e.kind == EventKind.ADOPTED for e in events), 5, "adopted")
            sim.place_for("other", "gateio", "BTC_USDT", "SELL", "0.01")
            await until(lambda: eng.get_order(str(oid)).state == OrderState.FILLED, 5, "filled")
            assert eng.get_order(str(oid)).filled == Decimal("0.01")

    run(main())


def test_the_countdown_cancel_all_is_armed_and_disarmed_per_pair():
    async def main():
        async with gate("rest") as (sim, eng):
            await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            await eng.adapter.cancel_on_disconnect(5, {"BTC_USDT"})
            assert set(sim.state["gateio"].countdowns) == {(KEY, "BTC_USDT")}
            await eng.adapter.disarm_cancel_on_disconnect()
            assert not sim.state["gateio"].countdowns

    run(main())


def test_the_countdown_cancels_every_order_once_the_engine_goes_silent_and_the_books_agree_after_reconnect():
    """The dead-man switch on Gate (``countdown_cancel_all`` per pair, renewed every ``seconds / 3``): while the
    engine lives the orders outlast the countdown; once it goes silent (no renewal, and the pushes of what
    follows lost) the venue itself cancels them when the countdown runs out, and the engine, reconnected,
    learns it by reconciliation: its orders, open set and balances agree with the venue's."""
    async def main():
        # asked for 0.6 s: the venue's shortest countdown, 5 s, is sent; the simulator runs it as 1 s of wall time
        async with gate("rest", engine_options={"cancel_on_disconnect_s": 0.6}) as (sim, eng):
            st = sim.state["gateio"]
            st.countdown_second = 0.2
            bids = [await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000"),
                    await eng.place_limit("ETH_USDT", "BUY", "0.1", "2500")]
            await until(lambda: set(st.countdowns) == {(KEY, "BTC_USDT"), (KEY, "ETH_USDT")}, 5, "armed per pair")
            await asyncio.sleep(1.5)                    # longer than the countdown: the renewals keep the orders
            assert sorted(o["text"] for o in await eng.adapter.rest.open_orders()) == sorted(
                b.client_order_id for b in bids)
            # the engine goes silent: nothing renews the countdown, and it hears nothing of what follows
            sim.add_faults("stream.gateio:stream_lose:times=1000")
            for t in list(eng.tasks):
                if t.get_name() == "dead-man":
                    t.cancel()
            t0 = asyncio.get_running_loop().time()
            await until(lambda: not any(o.is_open for o in sim.core.orders.values() if o.market == "gate"), 4,
                        "the venue cancelled them")
            assert asyncio.get_running_loop().time() - t0 < 3.0     # the 1 s countdown ran out (5 s unscaled)
            assert not st.countdowns and all(eng.get_order(b.client_order_id).is_open for b in bids)
            sim.clear_faults()
            await st.sockets.upgrade(grace=0.0)         # the connection comes back: resubscribe + reconcile
            for b in bids:
                await until(lambda b=b: eng.get_order(b.client_order_id).state == OrderState.CANCELLED, 10,
                            "reconciled")
            assert eng.open_orders() == [] and await eng.adapter.rest.open_orders() == []
            for asset in ("USDT", "BTC", "ETH"):
                free, locked = sim.balance(KEY, asset, "gateio")
                assert locked == 0
                await until(lambda a=asset, f=free: eng.balances()[a][0] == f, 5, f"{asset} balance")
            eng.tasks.clear()

    run(main())


def test_client_ids_follow_the_text_rules_and_bad_tags_are_refused_before_sending():
    async def main():
        async with gate("rest") as (sim, eng):
            o = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000", client_tag="grid7")
            text = o.client_order_id
            assert text.startswith("t-grid7-") and len(text.encode()) <= 30
            assert sim.client_order_count(KEY, "gateio", text) == 1
            before = len(sim.core.orders)
            for tag in ("x" * 40, "a b", "é"):
                with pytest.raises(ValueError):
                    await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000", client_tag=tag)
            assert len(sim.core.orders) == before

    run(main())
