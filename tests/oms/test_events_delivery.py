"""An order's events made and delivered in C (engine._events): the kinds, the order, the fill data made only
when read, the subscribers' snapshot, a raising callback, and the compiled stream loop using it live."""

import gc
import logging
import sys
from decimal import Decimal

from engine._enums import OrderState
from engine._events import Event, OrderEvents
from engine._oms_apply import OrderEvent
from engine.oms.events import EventBus, EventKind
from engine.oms.stream_apply import ORDER_EVENT_KINDS
from tests.support.engine_fixtures import engine_on_sim, run, until

KINDS = ORDER_EVENT_KINDS


class View:
    symbol = "BTCUSDT"
    client_order_id = "cid-1"


def events(bus):
    made = []

    def view_of(slot):
        made.append(slot)
        return View()
    return OrderEvents(bus, view_of, KINDS, EventKind.ACCEPTED), made


def test_a_fill_first_word_is_told_accepted_then_filled_with_its_fill_as_decimals():
    bus = EventBus()
    got = []
    bus.subscribe(got.append)
    emit, made = events(bus)
    view = emit(7, int(OrderEvent.EV_FILLED), int(OrderState.PENDING), 150_000_000, 6_512_345_000_000)
    assert [e.kind for e in got] == [EventKind.ACCEPTED, EventKind.FILLED] and made == [7]
    assert all(e.order is view and e.symbol == "BTCUSDT" for e in got)
    assert got[0].data == {}
    assert got[1].data == {"fill_qty": Decimal("1.5"), "fill_price": Decimal("65123.45")}
    assert got[1].data is got[1].data                      # made once, then kept
    assert bus.emitted == 2


def test_an_acknowledgement_carries_no_fill_and_an_open_order_is_not_accepted_twice():
    bus = EventBus()
    got = []
    bus.subscribe(got.append, kinds={EventKind.ACCEPTED, EventKind.CANCELLED})
    emit, _ = events(bus)
    emit(3, int(OrderEvent.EV_ACCEPTED), int(OrderState.PENDING))
    emit(3, int(OrderEvent.EV_CANCELLED), int(OrderState.NEW))
    assert [e.kind for e in got] == [EventKind.ACCEPTED, EventKind.CANCELLED]
    assert got[0].data == {"fill_qty": None, "fill_price": None} and "cid-1" in repr(got[0])


def test_nobody_takes_the_kind_no_view_no_event():
    bus = EventBus()
    bus.subscribe(print, kinds={EventKind.FILLED})
    emit, made = events(bus)
    assert emit(1, int(OrderEvent.EV_CANCELLED), int(OrderState.NEW)) is None
    assert made == [] and bus.emitted == 0


def test_the_fill_data_is_not_built_for_a_subscriber_that_does_not_read_it():
    """Blocks kept per held event: the event alone (its view is shared here), unless ``data`` is read (its
    dict and two Decimals)."""
    def blocks_per_event(read: bool) -> float:
        bus = EventBus()
        held = []
        bus.subscribe((lambda e: held.append(e.data)) if read else held.append, kinds={EventKind.FILLED})
        view = View()
        emit = OrderEvents(bus, lambda slot: view, KINDS, EventKind.ACCEPTED)
        for _ in range(100):                               # warm-up (the list grows, caches fill)
            emit(1, int(OrderEvent.EV_FILLED), int(OrderState.NEW), 100_000_000, 100_000_000)
        held.clear()
        held.extend([None] * 20_000)
        held.clear()
        gc.collect()
        before = sys.getallocatedblocks()
        for _ in range(10_000):
            emit(1, int(OrderEvent.EV_FILLED), int(OrderState.NEW), 100_000_000, 200_000_000)
        return (sys.getallocatedblocks() - before) / 10_000

    assert blocks_per_event(False) <= 1.05
    assert blocks_per_event(True) >= 2.9


def test_delivery_takes_a_snapshot_of_the_subscribers_and_survives_a_raising_callback(caplog):
    bus = EventBus()
    got = []
    offs = {}

    def first(ev):
        got.append(("first", ev.kind))
        offs["second"]()                                   # unsubscribes another while delivered: it still gets
        raise RuntimeError("a bot's bug")                  # this event (the snapshot), then no more

    offs["first"] = bus.subscribe(first)
    offs["second"] = bus.subscribe(lambda ev: got.append(("second", ev.kind)))
    with caplog.at_level(logging.ERROR, "engine.oms.events"):
        bus.emit(EventKind.REJECTED)
    assert got == [("first", EventKind.REJECTED), ("second", EventKind.REJECTED)]
    assert "event callback failed on rejected" in caplog.text
    bus.emit(EventKind.EXPIRED)
    assert got[-1] == ("first", EventKind.EXPIRED) and len(got) == 3

    alone = EventBus()
    seen = []

    def once(ev):
        seen.append(ev.kind)
        off()                                              # the only subscriber leaves while called
    off = alone.subscribe(once)
    alone.emit(EventKind.ACCEPTED)
    alone.emit(EventKind.ACCEPTED)
    assert seen == [EventKind.ACCEPTED] and not alone.active


def test_an_event_made_by_hand_compares_by_its_fields():
    a = Event(EventKind.HALTED, 5, None, "S", {"reason": "x"})
    assert a == Event(EventKind.HALTED, 5, None, "S", {"reason": "x"}) and a != Event(EventKind.HALTED, 6)
    assert Event(EventKind.HALTED, 1).data == {} and repr(a) == "Event(halted S)"


def test_live_the_compiled_stream_loop_delivers_a_submitted_orders_outcomes():
    """On the simulator: the loop's ``on_event`` is the compiled OrderEvents; a bot subscribed to its orders'
    outcomes gets accepted and cancelled, each with the order's view, the fill data empty."""
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            assert type(eng.stream.events) is OrderEvents
            got = []
            eng.on(got.append, kinds={EventKind.ACCEPTED, EventKind.CANCELLED})
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01"))
            cid = eng.submit_limit("BTCUSDT", "BUY", "0.01", price)
            await until(lambda: got, 5, "accepted")
            await eng.cancel(eng.get_order(cid))
            await until(lambda: len(got) == 2, 5, "cancelled")
            assert [e.kind for e in got] == [EventKind.ACCEPTED, EventKind.CANCELLED]
            assert all(e.order.client_order_id == cid and e.symbol == "BTCUSDT" for e in got)
            assert got[0].order.state == OrderState.NEW and got[1].order.state == OrderState.CANCELLED
            assert got[1].data == {"fill_qty": None, "fill_price": None}

    run(main())


def test_every_event_and_previous_state_tells_what_the_python_rules_told():
    """Each order event after each previous state, to a subscriber of every kind and to one of a single kind:
    the kinds delivered, in order, and their data, as the stream applier's Python rules made them (``accepted``
    first when the order had not been accepted and the event is an outcome after acceptance)."""
    unaccepted = {OrderState.PENDING, OrderState.UNKNOWN, OrderState.REJECTED, OrderState.NOT_PLACED}
    after = {OrderEvent.EV_PARTIALLY_FILLED, OrderEvent.EV_FILLED, OrderEvent.EV_CANCELLED, OrderEvent.EV_EXPIRED,
             OrderEvent.EV_TRIGGERED, OrderEvent.EV_AMENDED}
    for event in OrderEvent:
        if event == OrderEvent.EV_NONE:
            continue
        for prev in OrderState:
            for fill in (0, 25_000_000):
                told = [EventKind.ACCEPTED] if (prev in unaccepted and event in after) else []
                told.append(KINDS[int(event)])
                for kinds in (None, {KINDS[int(event)]}, {EventKind.ACCEPTED}):
                    bus = EventBus()
                    got = []
                    bus.subscribe(got.append, kinds=kinds)
                    emit, made = events(bus)
                    view = emit(2, int(event), int(prev), fill, 3 * fill)
                    want = [k for k in told if kinds is None or k in kinds]
                    assert [e.kind for e in got] == want, (event, prev, kinds)
                    assert (view is None) == (not want) and len(made) == (1 if want else 0)
                    for e in got:
                        if e.kind == KINDS[int(event)]:
                            q = Decimal(fill) / 100_000_000 if fill else None
                            assert e.data == {"fill_qty": q, "fill_price": 3 * q if fill else None}
                        else:
                            assert e.data == {}
