"""EventBus.emit micro benchmarks: what an event costs a bot by what it subscribed to.

Run: .venv/bin/python -m pytest bench/test_bench_events.py --benchmark-enable --benchmark-only
Rows, for one ``accepted`` event: nobody subscribed; a subscriber of other kinds alone (a bot that
takes fills only: nothing built for it); a subscriber of that kind (the event built and delivered); a
subscriber of every kind.  The empty one-argument Python call is the floor of any call from Python.

Group ``events-order``: an order's ``filled`` event for a bot subscribed to fills, from the applied record to
its callback: the order's view made from the store, the event made and delivered, made in C
(``engine._events.OrderEvents``, what the compiled stream loop calls) against the Python it replaced (the
stream applier's ``_emit`` over the bus's Python ``emit``, a dataclass event, a kind-filtered callback object
and the fill's ``Decimal`` data made at once; kept here as the baseline).
"""

import functools
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._events import OrderEvents
from engine._fixedpoint import to_decimal
from engine._instruments import ContractType, Instruments
from engine._oms_apply import OrderEvent
from engine._order_store import OrderStore
from engine._order_view import order_view
from engine.oms.events import EventBus, EventKind
from engine.oms.stream_apply import ORDER_EVENT_KINDS


def _emit(bus):
    return lambda: bus.emit(EventKind.ACCEPTED, order=None, symbol="BTCUSDT")


def _drop(event):
    return None


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_baseline_empty_python_call(steady):
    steady(_drop, None)


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_emit_nobody_subscribed(steady):
    bus = EventBus()
    steady(_emit(bus))
    assert bus.emitted == 0


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_emit_a_kind_no_subscriber_takes(steady):
    bus = EventBus()
    bus.subscribe(_drop, kinds={EventKind.FILLED, EventKind.PARTIALLY_FILLED})
    steady(_emit(bus))
    assert bus.emitted == 0


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_emit_to_a_subscriber_of_that_kind(steady):
    bus = EventBus()
    bus.subscribe(_drop, kinds={EventKind.ACCEPTED, EventKind.FILLED})
    steady(_emit(bus))
    assert bus.emitted > 0


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_emit_to_a_subscriber_of_every_kind(steady):
    bus = EventBus()
    bus.subscribe(_drop)
    steady(_emit(bus))
    assert bus.emitted > 0


# -- an order's event, from the applied record to the callback ---------------------------------------------------
E8 = 100_000_000
_KINDS = ORDER_EVENT_KINDS
_UNACCEPTED = frozenset({int(OrderState.PENDING), int(OrderState.UNKNOWN), int(OrderState.REJECTED),
                         int(OrderState.NOT_PLACED)})
_AFTER = frozenset(int(e) for e in (OrderEvent.EV_PARTIALLY_FILLED, OrderEvent.EV_FILLED, OrderEvent.EV_CANCELLED,
                                    OrderEvent.EV_EXPIRED, OrderEvent.EV_TRIGGERED, OrderEvent.EV_AMENDED))


@dataclass(slots=True)
class _PyEvent:
    kind: EventKind
    ts_ns: int
    order: Any = None
    symbol: str | None = None
    data: dict = field(default_factory=dict)


class _PyOnly:
    __slots__ = ("callback", "kinds")

    def __init__(self, callback, kinds):
        self.callback, self.kinds = callback, kinds

    def __call__(self, event):
        if event.kind in self.kinds:
            self.callback(event)


class _PyBus:
    """The bus's emit as it was in Python (the baseline)."""

    def __init__(self, callback, kinds):
        self._callbacks, self._streams, self._every = [_PyOnly(callback, frozenset(kinds))], [], 0
        self._kinds = {k: 1 for k in kinds}
        self.emitted = 0

    def emit(self, kind, *, order=None, symbol=None, **data):
        if not (self._streams or self._every or (self._kinds and kind in self._kinds)):
            return None
        ev = _PyEvent(kind, time.time_ns(), order, symbol, data)
        self.emitted += 1
        for cb in list(self._callbacks):
            try:
                cb(ev)
            except Exception:
                pass
        return ev


class _PyEmit:
    """The stream applier's ``_emit`` as it was (the baseline)."""

    def __init__(self, bus, view):
        self.bus, self.view = bus, view

    def __call__(self, slot, event, prev_state, fill_qty=0, fill_price=0):
        view = self.view(slot)
        if prev_state in _UNACCEPTED and event in _AFTER:
            self.bus.emit(EventKind.ACCEPTED, order=view, symbol=view.symbol)
        self.bus.emit(_KINDS[event], order=view, symbol=view.symbol,
                      fill_qty=to_decimal(fill_qty) if fill_qty else None,
                      fill_price=to_decimal(fill_price) if fill_qty else None)
        return view


@pytest.fixture
def order_world():
    reg = Instruments(8)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.00001", min_qty="0.00001",
                   max_qty="9000")
    store = OrderStore(64, venue="binance-spot", session="ABCDEFGHIJKLM", retention_ns=0)
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    return functools.partial(order_view, store, reg), slot


def _fills(got):
    return lambda event: got.append(event.order.client_order_id)


@pytest.mark.benchmark(group="events-order", warmup=True)
def test_order_event_made_and_delivered_in_c(steady, order_world):
    view, slot = order_world
    got = []
    bus = EventBus()
    bus.subscribe(_fills(got), kinds={EventKind.FILLED})
    emit = OrderEvents(bus, view, _KINDS, EventKind.ACCEPTED)
    args = (slot, int(OrderEvent.EV_FILLED), int(OrderState.NEW), E8 // 2, 50_000 * E8)
    steady(lambda: (emit(*args), got.clear()))
    assert bus.emitted > 0


@pytest.mark.benchmark(group="events-order", warmup=True)
def test_order_event_python_baseline(steady, order_world):
    view, slot = order_world
    got = []
    emit = _PyEmit(_PyBus(_fills(got), {EventKind.FILLED}), view)
    args = (slot, int(OrderEvent.EV_FILLED), int(OrderState.NEW), E8 // 2, 50_000 * E8)
    steady(lambda: (emit(*args), got.clear()))
    assert emit.bus.emitted > 0
