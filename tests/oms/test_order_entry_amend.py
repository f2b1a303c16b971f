"""The compiled order entry's amendment (``Engine.amend`` of a plain limit order where the venue amends in place:
Binance USD-M, Bybit over REST and its trade WebSocket): judged whole by the compiled gate, written at once, its
answer applied; every case the gate does not judge whole takes the engine's Python path, which raises the typed
error with nothing sent; a refusal is counted; a lost answer (processed then an error, answered first then
processed) is raised, never re-sent, and the order's stream brings the venue's amendment into the store, so a
fill at the amended quantity is never refused.  Everything over real sockets against the simulator."""

from decimal import Decimal

import pytest

from engine._binance_writer import REST, WS_API
from engine._bybit_writer import REST as BYBIT_REST, WS_TRADE
from engine._enums import OrderState
from engine.oms.events import EventKind
from engine.oms.risk import RiskLimits, RiskRejected
from engine.transport.errors import TransportError
from engine.venues.errors import InsufficientFunds, OrderNotOpen, OutcomeUnknown, VenueError
from tests.support.engine_fixtures import KEY, engine_on_sim, run, until

from tests.oms.test_exactly_once import FAST, kinds, open_at_venue, recorder

IN_PLACE = [("binance-usdm", "rest", REST), ("bybit", "rest", BYBIT_REST), ("bybit", "ws", WS_TRADE)]
AMEND_TARGET = {("binance-usdm", "rest"): "PUT fapi/v1/order", ("bybit", "rest"): "POST v5/order/amend",
                ("bybit", "ws"): "order.amend"}
BELOW = "48000"


def at_venue(sim, venue, cid):
    (o,) = [o for o in open_at_venue(sim, venue) if o.client_id == cid]
    return o


@pytest.mark.parametrize("venue, entry, kind", IN_PLACE)
def test_an_amendment_in_place_goes_through_the_compiled_entry(venue, entry, kind):
    async def main():
        async with engine_on_sim(venue, order_entry=entry) as (sim, eng):
            compiled = eng._entry
            events = recorder(eng)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            moved = await eng.amend(o, price="48100")
            assert compiled.amends == 1 and compiled.writer.kind == kind
            assert moved.client_order_id == o.client_order_id and moved.price == Decimal("48100")
            assert moved.quantity == Decimal("0.01") and moved.state == OrderState.NEW
            assert at_venue(sim, venue, o.client_order_id).price == Decimal("48100")
            grown = await eng.amend(o.client_order_id, qty="0.02")          # by client id
            assert compiled.amends == 2 and grown.quantity == Decimal("0.02") and grown.price == Decimal("48100")
            both = await eng.amend(o, qty="0.03", price="47900")
            assert compiled.amends == 3 and (both.quantity, both.price) == (Decimal("0.03"), Decimal("47900"))
            venue_order = at_venue(sim, venue, o.client_order_id)
            assert (venue_order.qty, venue_order.price) == (Decimal("0.03"), Decimal("47900"))
            amended = kinds(events, EventKind.AMENDED)      # (the stream's word of each amendment comes too)
            assert len(amended) >= 3 and {e.order.client_order_id for e in amended} == {o.client_order_id}
            assert eng.metrics.amend_rejected == 0
            spec = eng.tracker.spec(o.slot)
            assert (spec.qty_raw, spec.price_raw) == (3_000_000, 4_790_000_000_000)
            sim.set_price("BTCUSDT", "47500")                                # the market comes through it
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10, "filled")
            assert eng.get_order(o.client_order_id).filled == Decimal("0.03")

    run(main())


@pytest.mark.parametrize("entry", ["rest", "ws"])
def test_binance_spot_amends_by_cancel_replace_through_the_compiled_entry(entry):
    """The gate judges the amendment and admits the replacement; ``order/cancelReplace`` is written at once and
    its two legs are applied from the answer's own bytes: the old order CANCELLED, the replacement NEW under
    its own client id, ``amended`` naming the old one.  A ``Decimal`` takes the engine's Python path to the
    same outcome."""
    async def main():
        async with engine_on_sim("binance-spot", order_entry=entry) as (sim, eng):
            compiled = eng._entry
            events = recorder(eng)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            new = await eng.amend(o, price="48100")
            assert compiled.amends == 1 and compiled.writer.kind == (WS_API if entry == "ws" else REST)
            assert new.client_order_id != o.client_order_id and new.state == OrderState.NEW
            assert (new.quantity, new.price) == (Decimal("0.01"), Decimal("48100"))
            assert eng.get_order(o.client_order_id).state == OrderState.CANCELLED
            assert [(v.client_id, v.price) for v in open_at_venue(sim, "binance-spot")] == [
                (new.client_order_id, Decimal("48100"))]
            (amended,) = kinds(events, EventKind.AMENDED)
            assert amended.order.client_order_id == new.client_order_id
            assert amended.data["replaced"] == o.client_order_id
            assert eng.tracker.replacement_of(o.slot) == new.slot
            with pytest.raises(OrderNotOpen, match="was replaced by"):
                await eng.amend(o, price="48200")
            grown = await eng.amend(new, qty="0.02")                      # the replacement, amended again
            assert compiled.amends == 2 and (grown.quantity, grown.price) == (Decimal("0.02"), Decimal("48100"))
            by_python = await eng.amend(grown, price=Decimal("48200"))
            assert compiled.amends == 2 and (by_python.quantity, by_python.price) == (Decimal("0.02"),
                                                                                   Decimal("48200"))
            assert [v.client_id for v in open_at_venue(sim, "binance-spot")] == [by_python.client_order_id]
            assert eng.tracker.open_count() == 1 and eng.metrics.amend_rejected == 0
            sim.set_price("BTCUSDT", "47500")
            await until(lambda: eng.get_order(by_python.client_order_id).state == OrderState.FILLED, 10, "filled")
            assert eng.get_order(by_python.client_order_id).filled == Decimal("0.02") and eng.store.n_illegal == 0

    run(main())


@pytest.mark.parametrize("entry, value", [("rest", str), ("rest", Decimal), ("ws", str)],
                         ids=["compiled", "python", "compiled-ws"])
@pytest.mark.parametrize("process", ["first", "later"])
def test_a_lost_cancel_replace_answer_leaves_the_replacement_unknown_never_resent_then_resolved(process, entry,
                                                                                              value):
    """Processed then an error (``first``), or answered first then processed (``later``): the replacement is
    returned UNKNOWN, nothing is sent again, and the engine resolves both orders by their client ids: the old
    one CANCELLED, the replacement NEW, one order at the venue.  Over REST (the compiled entry and the Python
    path) and over the WebSocket API's ``order.cancelReplace``."""
    delay = ",delay_ms=300" if process == "later" else ""
    target = "order.cancelReplace" if entry == "ws" else "POST api/v3/order/cancelReplace"
    fault = f"{target}:unknown:process={process}{delay},nth=1"

    async def main():
        async with engine_on_sim("binance-spot", order_entry=entry, faults=[fault], **FAST) as (sim, eng):
            events = recorder(eng)
            old = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            new = await eng.amend(old, price=value("48100"))
            assert eng._entry.amends == (value is str)
            assert new.client_order_id != old.client_order_id
            # (UNKNOWN; over the WebSocket API the venue's events come on the answer's own socket, before its error)
            assert new.state == OrderState.UNKNOWN or (entry == "ws" and new.state == OrderState.NEW)
            assert [r.action for r in sim.faults.log] == ["unknown"]
            await until(lambda: eng.get_order(new.client_order_id).state == OrderState.NEW, 10, "replacement live")
            await until(lambda: eng.get_order(old.client_order_id).state == OrderState.CANCELLED, 10, "old cancelled")
            assert not kinds(events, EventKind.REJECTED) and eng.metrics.amend_rejected == 0
            assert [(o.client_id, o.price) for o in open_at_venue(sim, "binance-spot")] == [
                (new.client_order_id, Decimal("48100"))]
            assert len(sim.faults.log) == 1 and eng.store.n_illegal == 0

    run(main())


@pytest.mark.parametrize("sent", [False, True], ids=["nothing-sent", "maybe-sent"])
def test_a_cancel_replace_whose_write_fails_is_rejected_when_nothing_left_else_resolved(sent, monkeypatch):
    """The write itself fails: with nothing sent the replacement is REJECTED locally, the error raised and the
    old order stands; when the bytes may have left, the replacement is UNKNOWN and resolved (here: never
    placed) and the old order is asked for (still open)."""
    async def main():
        async with engine_on_sim("binance-spot", **FAST) as (sim, eng):
            old = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            lean = eng.adapter.orders.lean

            def broken(cost, request, ts, timeout=None):
                raise TransportError("the connection broke", sent=sent)
            monkeypatch.setattr(lean, "write_now", broken)
            if not sent:
                with pytest.raises(TransportError):
                    await eng.amend(old, price="48100")
                (new_slot,) = [s for s in eng.tracker._specs if s != old.slot]
                assert eng.tracker.state(new_slot) == OrderState.REJECTED
            else:
                new = await eng.amend(old, price="48100")
                assert new.state == OrderState.UNKNOWN
                monkeypatch.undo()
                await until(lambda: eng.get_order(new.client_order_id).state in (OrderState.NOT_PLACED,
                                                                               OrderState.REJECTED), 10, "resolved")
            assert eng.get_order(old.client_order_id).state == OrderState.NEW
            assert [o.client_id for o in open_at_venue(sim, "binance-spot")] == [old.client_order_id]
            assert eng.tracker.open_count() == 1

    run(main())


@pytest.mark.parametrize("entry", ["rest", "ws"])
def test_a_cancel_replace_the_venue_fails_in_part_applies_the_leg_that_happened(entry):
    """The cancel done and the new order refused (the account's money left by another way): ``-2021`` with each
    leg's answer; the old order is CANCELLED from its leg and the replacement REJECTED by its own leg's
    documented refusal, which is raised; nothing re-sent.  Over REST and the WebSocket API."""
    async def main():
        async with engine_on_sim("binance-spot", order_entry=entry, **FAST) as (sim, eng):
            events = recorder(eng)
            old = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            sim.account_for(KEY).wallets["binance-spot"]["USDT"].free = Decimal("1")
            with pytest.raises(InsufficientFunds):
                await eng.amend(old, qty="0.5")
            assert eng._entry.amends == 1 and eng.metrics.rejected == 1
            assert eng.get_order(old.client_order_id).state == OrderState.CANCELLED
            (rejected,) = kinds(events, EventKind.REJECTED)
            assert rejected.order.client_order_id != old.client_order_id and rejected.data["code"] == -2010
            assert not open_at_venue(sim, "binance-spot") and eng.tracker.open_count() == 0

    run(main())


@pytest.mark.parametrize("venue", ["binance-usdm", "bybit"])
def test_what_the_gate_does_not_judge_whole_takes_the_python_path_with_its_typed_errors(venue):
    async def main():
        limits = RiskLimits(max_order_qty="0.05", price_band="0.1")
        async with engine_on_sim(venue, risk_limits=limits) as (sim, eng):
            compiled = eng._entry
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            with pytest.raises(RiskRejected) as over:                    # the user's limit: nothing sent
                await eng.amend(o, qty="0.06")
            assert over.value.rule == "max_order_qty"
            with pytest.raises(RiskRejected, match="band"):
                await eng.amend(o, price="20000")
            with pytest.raises(ValueError, match="changes nothing"):
                await eng.amend(o, price=BELOW)
            with pytest.raises(ValueError, match="needs a new quantity"):
                await eng.amend(o)
            with pytest.raises(ValueError):
                await eng.amend(o, qty="-1")
            with pytest.raises(TypeError):
                await eng.amend(o, price=48100.0)                         # a float: never
            assert compiled.amends == 0 and eng.metrics.amend_rejected == 0
            assert at_venue(sim, venue, o.client_order_id).price == Decimal(BELOW)

            moved = await eng.amend(o, price=Decimal("48100"))           # a Decimal: the Python path, amended
            assert compiled.amends == 0 and moved.price == Decimal("48100")
            assert at_venue(sim, venue, o.client_order_id).price == Decimal("48100")
            moved = await eng.amend(o, price="48200")                    # then the compiled one
            assert compiled.amends == 1 and moved.price == Decimal("48200")

            await eng.cancel(o)
            with pytest.raises(OrderNotOpen, match="already CANCELLED"):
                await eng.amend(o, price="48300")
            assert compiled.amends == 1

    run(main())


@pytest.mark.parametrize("venue, entry", list(AMEND_TARGET))
def test_an_amendment_the_venue_refuses_is_raised_and_counted_and_the_order_stays(venue, entry):
    """The account's margin left by another way (the engine cannot know): the venue refuses the amendment."""
    async def main():
        async with engine_on_sim(venue, order_entry=entry) as (sim, eng):
            events = recorder(eng)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            sim.account_for(KEY).wallets[venue]["USDT"].free = Decimal("1")
            with pytest.raises(VenueError):
                await eng.amend(o, qty="0.5")
            assert eng._entry.amends == 1 and eng.metrics.amend_rejected == 1
            assert at_venue(sim, venue, o.client_order_id).qty == Decimal("0.01")
            assert eng.get_order(o.client_order_id).quantity == Decimal("0.01") and not kinds(events, EventKind.AMENDED)

    run(main())


@pytest.mark.parametrize("venue, entry", list(AMEND_TARGET))
@pytest.mark.parametrize("process", ["first", "later"])
@pytest.mark.parametrize("value", [str, Decimal], ids=["compiled", "python"])
def test_a_lost_amendment_answer_is_raised_never_resent_and_the_stream_brings_the_amendment(venue, entry, process,
                                                                                          value):
    """Processed then an error (``first``), or answered first then processed (``later``): the amend raises (its
    outcome unknown, not counted as refused), nothing is sent again, the venue's amendment arrives by the
    stream, and a fill at the amended quantity is applied whole.  A later price-only amendment keeps the
    amended quantity (USD-M sends both: the one the stream brought).  Through the compiled entry (``str``
    values) and the engine's Python path (a ``Decimal`` takes it)."""
    delay = ",delay_ms=300" if process == "later" else ""
    fault = f"{AMEND_TARGET[venue, entry]}:unknown:process={process}{delay},nth=1"
    compiled = value is str

    async def main():
        async with engine_on_sim(venue, order_entry=entry, faults=[fault], **FAST) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            with pytest.raises((OutcomeUnknown, TransportError)):
                await eng.amend(o, qty=value("0.02"))
            assert eng._entry.amends == compiled
            assert [r.action for r in sim.faults.log] == ["unknown"]
            await until(lambda: eng.get_order(o.client_order_id).quantity == Decimal("0.02"), 10,
                        "the stream's amendment")
            assert at_venue(sim, venue, o.client_order_id).qty == Decimal("0.02")
            moved = await eng.amend(o, price=value("48100"))              # keeps the venue's quantity
            assert (moved.quantity, moved.price) == (Decimal("0.02"), Decimal("48100"))
            assert eng._entry.amends == 2 * compiled
            venue_order = at_venue(sim, venue, o.client_order_id)
            assert (venue_order.qty, venue_order.price) == (Decimal("0.02"), Decimal("48100"))
            sim.set_price("BTCUSDT", "47500")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10, "filled")
            done = eng.get_order(o.client_order_id)
            assert done.filled == Decimal("0.02") and eng.store.n_illegal == 0
            assert eng.stats()["metrics"]["orders"]["amend_rejected"] == 0

    run(main())


@pytest.mark.parametrize("venue, target", [("binance-usdm", "PUT fapi/v1/order"), ("bybit", "POST v5/order/amend")])
def test_an_order_grown_at_the_venue_with_every_word_of_it_lost_is_filled_whole_by_reconciliation(venue, target):
    """The amendment's answer lost after processing and the stream silent from then on: the venue's fills of the
    amended (larger) quantity reach the store by reconciliation, the venue's quantity taken first."""
    async def main():
        async with engine_on_sim(venue, **FAST) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            sim.add_faults(f"stream.{venue}:stream_lose", f"{target}:unknown:process=first,nth=1")
            with pytest.raises((OutcomeUnknown, TransportError)):
                await eng.amend(o, qty="0.02")
            assert eng.get_order(o.client_order_id).quantity == Decimal("0.01")    # nothing heard
            sim.set_price("BTCUSDT", "47500")
            await until(lambda: not open_at_venue(sim, venue), 10, "filled at the venue")
            await eng.reconciler.run("test")
            done = eng.get_order(o.client_order_id)
            assert (done.state, done.quantity, done.filled) == (OrderState.FILLED, Decimal("0.02"), Decimal("0.02"))
            assert eng.store.n_illegal == 0
            if venue == "binance-usdm":
                assert eng.positions()["BTCUSDT"].size == Decimal("0.02")

    run(main())
