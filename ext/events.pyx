"""Engine events delivered in C: :class:`Event`, the bus's core (:class:`BusCore`) and an order's events
(:class:`OrderEvents`).

An event goes to a subscriber on the hot path (``submit_limit``'s outcome arrives this way): the order's
record applied, its view made, the event made and the subscribers called, all without a Python frame
of the engine's.  :class:`engine.oms.events.EventBus` is the bus (subscriptions, async streams) over
this core; the rules of delivery are in :mod:`engine.oms.events`.

An order event's ``data`` (``fill_qty`` / ``fill_price`` as ``Decimal``) is made the first time it is
read: a subscriber that reads only ``kind`` and ``order`` builds no dict and no ``Decimal``.
"""

import logging

from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from posix.time cimport CLOCK_REALTIME

from engine._clocks cimport clock_ns
from engine._enums cimport NOT_PLACED
from engine._enums cimport PENDING
from engine._enums cimport REJECTED
from engine._enums cimport UNKNOWN
from engine._oms_apply cimport EV_AMENDED
from engine._oms_apply cimport EV_CANCELLED
from engine._oms_apply cimport EV_EXPIRED
from engine._oms_apply cimport EV_FILLED
from engine._oms_apply cimport EV_PARTIALLY_FILLED
from engine._oms_apply cimport EV_TRIGGERED

from engine._fixedpoint import to_decimal

__all__ = ["Event", "Only", "BusCore", "OrderEvents"]

_log = logging.getLogger("engine.oms.events")


cdef class Event:
    """One thing that happened: ``order`` is an Order view for order events, else None."""

    def __init__(self, kind, int64_t ts_ns, order=None, symbol=None, data=None):
        self.kind = kind
        self.ts_ns = ts_ns
        self.order = order
        self.symbol = symbol
        self._data = {} if data is None else data

    @property
    def data(self) -> dict:
        if self._data is None:
            if self._fills:
                self._data = {"fill_qty": to_decimal(self._fill_qty) if self._fill_qty else None,
                              "fill_price": to_decimal(self._fill_price) if self._fill_qty else None}
            else:
                self._data = {}
        return self._data

    @data.setter
    def data(self, dict value not None):
        self._data = value

    def __eq__(self, other):
        if type(other) is not Event:
            return NotImplemented
        cdef Event o = <Event>other
        return (self.kind == o.kind and self.ts_ns == o.ts_ns and self.order == o.order and self.symbol == o.symbol
                and self.data == o.data)

    __hash__ = None

    def __repr__(self) -> str:
        who = (f" {self.order.client_order_id}" if self.order is not None
               else (f" {self.symbol}" if self.symbol else ""))
        return f"Event({self.kind.value}{who})"


cdef inline Event _event(object kind, object order, object symbol):
    cdef Event ev = Event.__new__(Event)
    ev.kind = kind
    ev.ts_ns = clock_ns(CLOCK_REALTIME)
    ev.order = order
    ev.symbol = symbol
    return ev


cdef class Only:
    """A callback called for some kinds of event only."""

    def __init__(self, callback, frozenset kinds not None):
        self.callback = callback
        self.kinds = kinds

    def __call__(self, event):
        if event.kind in self.kinds:
            self.callback(event)

    def __repr__(self) -> str:
        return f"{self.callback!r} for {sorted(k.value for k in self.kinds)}"


cdef class BusCore:
    """The subscribers and the delivery of an event to them (the bus's subscriptions are in Python)."""

    def __cinit__(self):
        self._callbacks = []
        self._balance = []
        self._streams = []
        self._kinds = {}
        self._every = 0
        self.emitted = 0

    cdef bint takes(self, object kind):
        """Whether any subscriber takes ``kind`` (else no event is made)."""
        return bool(self._streams) or self._every > 0 or (bool(self._kinds) and kind in self._kinds)

    cdef int deliver(self, Event ev) except -1:
        """``ev`` to every callback that takes its kind (one that raises is logged, the others still called),
        then to every stream."""
        cdef list callbacks = self._callbacks
        cdef Py_ssize_t n = len(callbacks)
        cdef object cb
        self.emitted += 1
        if n == 1:
            self._call(callbacks[0], ev)     # (held: it may unsubscribe itself while called)
        elif n > 1:
            for cb in tuple(callbacks):     # (a snapshot: a callback may subscribe or unsubscribe others)
                self._call(cb, ev)
        if self._streams:
            for ref in tuple(self._streams):  # a stream may leave while it is fed (overflow)
                stream = ref()
                if stream is not None:
                    stream._push(ev)
        return 0

    cdef int _call(self, object cb, Event ev) except -1:
        try:
            if type(cb) is Only:
                if ev.kind in (<Only>cb).kinds:
                    (<Only>cb).callback(ev)
            else:
                cb(ev)
        except Exception:
            _log.exception("event callback failed on %s", ev.kind.value)
        return 0

    def emit(self, kind, *, order=None, symbol=None, **data):
        """Deliver an event of ``kind`` to its subscribers; the event, or None (built for no one when no
        subscriber takes that kind)."""
        if not self.takes(kind):
            return None
        cdef Event ev = _event(kind, order, symbol)
        ev._data = data
        self.deliver(ev)
        return ev

    def wants(self, kind) -> bool:
        """Whether any subscriber takes ``kind`` (an event of it would be made)."""
        return self.takes(kind)

    @property
    def active(self) -> bool:
        return bool(self._callbacks) or bool(self._streams)


cdef inline bint _after_acceptance(int event) noexcept:
    return (event == EV_PARTIALLY_FILLED or event == EV_FILLED or event == EV_CANCELLED or event == EV_EXPIRED
            or event == EV_TRIGGERED or event == EV_AMENDED)


cdef class OrderEvents:
    """The events of an applied order record, made and delivered in C: ``accepted`` first where the venue's
    first word of the order was already an outcome, then the record's own event (its ``data``: the fill).
    Called by the compiled stream loop for a record it settled while someone listens, and by the stream
    applier for the rest; returns the order's view (made only when an event is)."""

    def __init__(self, BusCore bus not None, view_of, kind_of, accepted):
        self.bus = bus
        self.view_of = view_of          # slot -> Order view (the compiled order_view over the store)
        self.kind_of = list(kind_of)
        self.accepted = accepted

    cdef object emit_c(self, int32_t slot, int event, int prev_state, int64_t fill_qty, int64_t fill_price):
        cdef BusCore bus = self.bus
        cdef object kind = self.kind_of[event]
        cdef bint first = (prev_state == PENDING or prev_state == UNKNOWN or prev_state == REJECTED
                           or prev_state == NOT_PLACED) and _after_acceptance(event)
        cdef Event ev
        view = None
        if first and bus.takes(self.accepted):
            view = self.view_of(slot)
            ev = _event(self.accepted, view, view.symbol)
            ev._data = {}
            bus.deliver(ev)
        if bus.takes(kind):
            if view is None:
                view = self.view_of(slot)
            ev = _event(kind, view, view.symbol)
            ev._fills = True
            ev._fill_qty = fill_qty
            ev._fill_price = fill_price
            ev._data = None
            bus.deliver(ev)
        return view

    def __call__(self, int32_t slot, int event, int prev_state, int64_t fill_qty=0, int64_t fill_price=0):
        return self.emit_c(slot, event, prev_state, fill_qty, fill_price)
