"""Gate.io under the simulator's other faults: unreadable and interim answers on REST, unreadable and
id-less result frames on the order API, the rate-limit refusal, and lost, duplicated, reordered or cut
stream pushes.  The rules: only documented refusals reject; an unclear answer leaves the order UNKNOWN,
resolved by its text and never sent again; every fill is counted once (by trade id)."""

import asyncio
import contextlib
from decimal import Decimal

import pytest

from engine._enums import OrderState
from engine.errors import EngineError
from engine.oms.events import EventKind
from engine.venues.errors import RateLimited
from engine.venues.gateio.errors import LABELS
from tests.support.engine_fixtures import KEY, run, until
from tests.venues.gateio.test_gateio_engine import FAST, gate

pytestmark = pytest.mark.timeout(90)


def kinds(events, kind):
    return [e for e in events if e.kind == kind]


@pytest.mark.parametrize("fault, entry", [
    ("POST api/v4/spot/orders:garbage:kind=html,nth=1", "rest"),
    ("POST api/v4/spot/orders:garbage:kind=truncated,nth=1", "rest"),
    ("POST api/v4/spot/orders:garbage:kind=empty,nth=1", "rest"),
    ("spot.order_place:garbage:kind=truncated,nth=1", "ws"),
    ("spot.order_place:garbage:kind=noid,nth=1", "ws"),
])
def test_an_unreadable_answer_leaves_the_order_unknown_then_resolved(fault, entry):
    async def main():
        async with gate(entry, faults=[fault], read_timeout=1.0, **FAST) as (sim, eng):
            events = []
            eng.on(events.append)
            o = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            assert o.state in (OrderState.UNKNOWN, OrderState.NEW)       # never REJECTED
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 15, "resolved")
            assert sim.client_order_count(KEY, "gateio", o.client_order_id) == 1 and eng.resolver.resent == 0
            assert not kinds(events, EventKind.REJECTED)

    run(main())


@pytest.mark.parametrize("code", [100, 103])
def test_interim_answers_are_not_taken_as_the_answer(code):
    async def main():
        async with gate("rest", faults=[f"POST api/v4/spot/orders:interim:code={code},nth=1"]) as (sim, eng):
            a = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            b = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48100")
            assert a.state == b.state == OrderState.NEW
            assert eng.get_order(a.client_order_id).exchange_order_id != \
                eng.get_order(b.client_order_id).exchange_order_id

    run(main())


@pytest.mark.parametrize("entry", ["rest", "ws"])
def test_the_rate_limit_refusal_is_typed_and_nothing_was_placed(entry):
    async def main():
        async with gate(entry, faults=["order:http429:nth=1"]) as (sim, eng):
            before = len(sim.core.orders)
            with pytest.raises(RateLimited):
                await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            assert len(sim.core.orders) == before and eng.open_orders() == []
            o = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")     # after the pause: placed
            assert o.state == OrderState.NEW

    run(main())


@pytest.mark.parametrize("entry", ["rest", "ws"])
def test_the_ip_ban_fault_is_gates_forbidden_typed_and_nothing_was_placed(entry):
    """Gate has no IP-ban answer of its own: the simulator's http418 is 403 FORBIDDEN (unconfirmed), a
    documented refusal of the request."""
    async def main():
        async with gate(entry, faults=["order:http418:nth=1"]) as (sim, eng):
            before = len(sim.core.orders)
            with pytest.raises(LABELS["FORBIDDEN"]) as err:
                await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            assert err.value.code == "FORBIDDEN" and len(sim.core.orders) == before and eng.open_orders() == []

    run(main())


@pytest.mark.parametrize("entry", ["rest", "ws"])
def test_a_cancel_and_an_amend_whose_answers_are_lost_after_the_venue_acted(entry):
    """The venue amends, then cancels, and each answer is lost (the connection drops after processing):
    the engine ends with what the venue did (the new price, then CANCELLED), from the stream or by asking,
    and the order is never left open in its books."""
    async def main():
        async with gate(entry, read_timeout=1.0, **FAST) as (sim, eng):
            bid = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
            text = bid.client_order_id
            where = "spot.order_{}" if entry == "ws" else "{} api/v4/spot/orders/" + text
            sim.add_faults(f"{where.format('amend' if entry == 'ws' else 'PATCH')}:drop:process=first,nth=1",
                           f"{where.format('cancel' if entry == 'ws' else 'DELETE')}:drop:process=first,nth=1")
            with contextlib.suppress(EngineError):
                await eng.amend(bid, price="48100")
            await until(lambda: eng.get_order(text).price == Decimal("48100"), 10, "amended")
            await until(lambda: eng.adapter.trade is None or eng.adapter.trade.ready, 5, "the socket is back")
            with contextlib.suppress(EngineError):
                await eng.cancel(eng.get_order(text))
            await until(lambda: eng.get_order(text).state == OrderState.CANCELLED, 10, "cancelled")
            assert len(sim.faults.log) == 2 and eng.open_orders() == []
            assert await eng.adapter.rest.open_orders() == [] and sim.client_order_count(KEY, "gateio", text) == 1

    run(main())


@pytest.mark.parametrize("stream_fault", ["stream_duplicate:times=30", "stream_reorder:times=30",
                                          "stream_delay:ms=200,times=30"])
def test_fills_are_counted_once_whatever_the_stream_does(stream_fault):
    async def main():
        async with gate("rest", faults=[f"stream.gateio:{stream_fault}"]) as (sim, eng):
            bid = await eng.place_limit("BTC_USDT", "BUY", "0.03", "49995")
            for _ in range(3):
                sim.place_for("other", "gateio", "BTC_USDT", "SELL", "0.01")
            await until(lambda: eng.get_order(bid.client_order_id).state == OrderState.FILLED, 10, "filled")
            await asyncio.sleep(0.4)                                 # late and repeated pushes arrive
            got = eng.get_order(bid.client_order_id)
            assert got.filled == Decimal("0.03") and got.state == OrderState.FILLED
            if stream_fault.startswith("stream_duplicate"):
                # a repeated balance push is the same snapshot again; a late one is older than what came
                # before it, and spot.balances carries no sequence to tell (not asserted for those)
                free, _ = sim.balance(KEY, "BTC", "gateio")
                await until(lambda: eng.balances()["BTC"][0] == free, 5, "BTC balance")

    run(main())


def test_a_cut_stream_reconnects_and_reconciles_what_it_missed():
    async def main():
        async with gate("rest", faults=["stream.gateio:stream_drop:nth=2"]) as (sim, eng):
            events = []
            eng.on(events.append)
            bid = await eng.place_limit("BTC_USDT", "BUY", "0.01", "49995")      # its put is push 1
            sim.place_for("other", "gateio", "BTC_USDT", "SELL", "0.01")         # its trade cuts the stream
            await until(lambda: eng.get_order(bid.client_order_id).state == OrderState.FILLED, 15, "reconciled")
            await until(lambda: kinds(events, EventKind.RECONCILED), 5, "reconciliation")
            assert kinds(events, EventKind.STREAM_RECONNECTED)
            assert eng.get_order(bid.client_order_id).filled == Decimal("0.01")
            free, _ = sim.balance(KEY, "BTC", "gateio")
            await until(lambda: eng.balances()["BTC"][0] == free, 5, "BTC balance")

    run(main())


def test_silence_is_a_drop_the_private_stream_reconnects_and_subscribes_again():
    """No spot.pong to the stream's own spot.ping: the connection is taken as dropped and replaced."""
    from engine.config import VenueConfig
    from engine.sim import SimExchange
    from engine.venues.gateio.user_stream import GatePrivateStream

    async def main():
        async with SimExchange(seed=3, accounts=[(KEY, "s3cret")]) as sim:
            cfg = VenueConfig.local("gateio", sim.urls["gateio"], KEY, "s3cret")
            reconnected = []

            async def on_reconnected():
                reconnected.append(1)

            stream = GatePrivateStream(cfg, lambda payload: None, on_reconnected=on_reconnected, ping_interval=0.3,
                                       reply_timeout=0.2)
            await stream.start()
            try:
                await asyncio.sleep(0.5)                       # pings answered: nothing happens
                assert stream.ws.disconnects == 0
                sim.state["gateio"].pongs = False
                await until(lambda: stream.ws.disconnects >= 1, 5, "silence taken as a drop")
                sim.state["gateio"].pongs = True
                await until(lambda: reconnected, 5, "subscribed again")
            finally:
                await stream.stop()

    run(main())
