"""Binance spot's amendment in place: a quantity lowered with the price kept is ``PUT
/api/v3/order/amend/keepPriority`` (``order.amend.keepPriority`` on the WebSocket API), the same order at the
venue, its client id and its place in the queue kept; every other spot amendment is still a cancel-replace.
Through the compiled entry (``str`` values) and the engine's Python path (a ``Decimal`` takes it); a refusal is
raised and counted with the order as it was; a lost answer (processed then an error, answered first then
processed) is raised, never re-sent, and the order's stream (``executionReport`` ``REPLACED``) brings the
amendment into the store.  Everything over real sockets against the simulator."""

from decimal import Decimal

import pytest

from engine._binance_writer import REST, WS_API
from engine._enums import OrderState
from engine.oms.events import EventKind
from engine.transport.errors import TransportError
from engine.venues.errors import OutcomeUnknown, VenueError
from tests.support.engine_fixtures import engine_on_sim, run, until

from tests.oms.test_exactly_once import FAST, kinds, open_at_venue, recorder

SPOT = "binance-spot"
PRICE = "48000"
REST_TARGET = "PUT api/v3/order/amend/keepPriority"
WS_TARGET = "order.amend.keepPriority"
VALUES = pytest.mark.parametrize("value", [str, Decimal], ids=["compiled", "python"])


def queue(sim, price):
    """The client ids resting at ``price`` on the spot book's bid, in their queue order."""
    return [o.client_id for o in sim.core.books[("bspot", "BTCUSDT")]._levels["BUY"][Decimal(price)]]


def venue_order(sim, cid):
    (o,) = [o for o in open_at_venue(sim, SPOT) if o.client_id == cid]
    return o


@pytest.mark.parametrize("entry", ["rest", "ws"])
@VALUES
def test_a_lower_quantity_keeps_the_order_and_its_place_in_the_queue(entry, value):
    async def main():
        async with engine_on_sim(SPOT, order_entry=entry) as (sim, eng):
            compiled = eng._entry
            events = recorder(eng)
            first = await eng.place_limit("BTCUSDT", "BUY", "0.02", PRICE)
            second = await eng.place_limit("BTCUSDT", "BUY", "0.01", PRICE)
            oid = venue_order(sim, first.client_order_id).oid
            lowered = await eng.amend(first, qty=value("0.005"))
            assert compiled.amends == (value is str)
            if value is str:
                assert compiled.writer.kind == (WS_API if entry == "ws" else REST)
            assert lowered.client_order_id == first.client_order_id and lowered.state == OrderState.NEW
            assert (lowered.quantity, lowered.price) == (Decimal("0.005"), Decimal(PRICE))
            at_venue = venue_order(sim, first.client_order_id)
            assert (at_venue.oid, at_venue.qty) == (oid, Decimal("0.005"))          # the same order, in place
            assert queue(sim, PRICE) == [first.client_order_id, second.client_order_id]
            (amended,) = kinds(events, EventKind.AMENDED)[:1]
            assert amended.order.client_order_id == first.client_order_id and "replaced" not in amended.data
            assert eng.tracker.open_count() == 2 and eng.metrics.amend_rejected == 0

            moved = await eng.amend(first, qty=value("0.004"), price=value("48100"))   # a new price: replaced
            assert moved.client_order_id != first.client_order_id
            assert eng.get_order(first.client_order_id).state == OrderState.CANCELLED
            grown = await eng.amend(second, qty=value("0.02"))                       # more: replaced
            assert grown.client_order_id != second.client_order_id
            assert queue(sim, PRICE) == [grown.client_order_id]
            sim.set_price("BTCUSDT", "47500")
            for o, qty in [(moved, "0.004"), (grown, "0.02")]:
                await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10, "filled")
                assert eng.get_order(o.client_order_id).filled == Decimal(qty)
            assert eng.store.n_illegal == 0

    run(main())


@VALUES
def test_a_partly_filled_order_keeps_its_fills_when_lowered(value):
    async def main():
        async with engine_on_sim(SPOT) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "1", "49500")
            sim.set_price("BTCUSDT", "49490")          # one ask level crosses the bid: part of it fills
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.PARTIALLY_FILLED, 10, "part")
            filled = eng.get_order(o.client_order_id).filled
            new_qty = filled + Decimal("0.1")
            lowered = await eng.amend(o, qty=value(str(new_qty)))
            assert eng._entry.amends == (value is str)
            assert (lowered.state, lowered.quantity, lowered.filled) == (OrderState.PARTIALLY_FILLED, new_qty, filled)
            at_venue = venue_order(sim, o.client_order_id)
            assert (at_venue.qty, at_venue.filled) == (new_qty, filled)
            with pytest.raises(ValueError, match="above what has filled"):
                await eng.amend(o, qty=value(str(filled)))
            sim.set_price("BTCUSDT", "49000")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10, "filled")
            assert eng.get_order(o.client_order_id).filled == new_qty and eng.store.n_illegal == 0

    run(main())


@pytest.mark.parametrize("entry", ["rest", "ws"])
@pytest.mark.parametrize("process", ["first", "later"])
@VALUES
def test_a_lost_answer_is_raised_never_resent_and_the_stream_brings_the_amendment(entry, process, value):
    """Processed then an error (``first``), or answered first then processed (``later``): the amend raises (its
    outcome unknown, not counted as refused), nothing is sent again, the venue's ``REPLACED`` report amends the
    store, and a fill of the lowered quantity ends the order FILLED.  The Python path writes over REST."""
    delay = ",delay_ms=300" if process == "later" else ""
    target = WS_TARGET if entry == "ws" and value is str else REST_TARGET
    fault = f"{target}:unknown:process={process}{delay},nth=1"

    async def main():
        async with engine_on_sim(SPOT, order_entry=entry, faults=[fault], **FAST) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.02", PRICE)
            oid = venue_order(sim, o.client_order_id).oid
            with pytest.raises((OutcomeUnknown, TransportError)):
                await eng.amend(o, qty=value("0.005"))
            assert eng._entry.amends == (value is str)
            assert [r.action for r in sim.faults.log] == ["unknown"]
            await until(lambda: eng.get_order(o.client_order_id).quantity == Decimal("0.005"), 10,
                        "the stream's amendment")
            at_venue = venue_order(sim, o.client_order_id)
            assert (at_venue.oid, at_venue.qty) == (oid, Decimal("0.005"))
            assert eng.metrics.amend_rejected == 0 and len(sim.faults.log) == 1
            sim.set_price("BTCUSDT", "47500")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10, "filled")
            assert eng.get_order(o.client_order_id).filled == Decimal("0.005") and eng.store.n_illegal == 0

    run(main())


@VALUES
def test_a_refusal_is_raised_and_counted_and_the_order_stays_as_the_venue_has_it(value):
    """The first amendment's answer and stream lost (the venue lowered the order to 0.01, the engine cannot know);
    a second one to 0.015 is an increase at the venue: ``-2038``, raised as the venue's error, counted as refused,
    nothing else sent.  Reconciliation then brings the venue's quantity."""
    async def main():
        async with engine_on_sim(SPOT, **FAST) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.02", PRICE)
            sim.add_faults(f"stream.{SPOT}:stream_lose", f"{REST_TARGET}:unknown:process=first,nth=1")
            with pytest.raises((OutcomeUnknown, TransportError)):
                await eng.amend(o, qty=value("0.01"))
            assert eng.get_order(o.client_order_id).quantity == Decimal("0.02")       # nothing heard
            with pytest.raises(VenueError) as refused:
                await eng.amend(o, qty=value("0.015"))
            assert refused.value.code == -2038 and eng.metrics.amend_rejected == 1
            assert venue_order(sim, o.client_order_id).qty == Decimal("0.01")
            await eng.reconciler.run("test")
            done = eng.get_order(o.client_order_id)
            assert (done.state, done.quantity) == (OrderState.NEW, Decimal("0.01")) and eng.store.n_illegal == 0

    run(main())
