"""Applying what the venue says: order answers and user-data stream messages.

Hot path: a stream message is parsed in C into the parser's record, applied in C
(:class:`~engine._oms_apply.RecordApplier`) to the order store and positions, and settled
in C (:class:`~engine._record_loop.RecordLoop`: the tracker's open set and waiters, the
counters, a fill's reference price, the events made and delivered when someone listens).
What only Python does is handed back to :meth:`StreamApplier._record`: an order whose answer
was lost, a surprise, a bracket's leg, a fill short of the venue's, a fill on a derivatives
account while a subscriber takes its position event, an order the engine did not place.
The parser is the venue's own (``adapter.parser``); the loop is the same for every venue:
``parse``, then ``next_record`` hands out each order record the message holds (none: the
message goes to the account book, which the adapter reads it into).
Orders the engine did not place go to :mod:`engine.oms.foreign` (cold path).

Nothing read from the wire is dropped silently:

- a message the parser refuses is counted, logged, and followed by a reconciliation (a
  batch: the records before the bad one are applied, the reconciliation recovers the
  rest, fills included, from the venue's order and execution lists);
- a fill for an order the engine took as finished without it (REJECTED, NOT_PLACED) or a
  second venue order under one of our client ids is applied (adopted, for the second
  order), raises the ``unexpected_execution`` alarm and trips the circuit breaker.
"""

from __future__ import annotations

import asyncio
import logging
import time

from engine._enums import OrderState
from engine._events import OrderEvents
from engine._oms_apply import ApplyStatus, OrderEvent, RecordApplier
from engine.oms.events import EventKind
from engine.transport.errors import TransportError
from engine.venues.errors import VenueError

__all__ = ["StreamApplier", "ORDER_EVENT_KINDS"]

log = logging.getLogger("engine.oms")

SHORT_WAIT_S = 0.5      # how long an order short of its fills waits for the stream before it is asked for

_EVENT_KIND = {
    OrderEvent.EV_ACCEPTED: EventKind.ACCEPTED, OrderEvent.EV_PARTIALLY_FILLED: EventKind.PARTIALLY_FILLED,
    OrderEvent.EV_FILLED: EventKind.FILLED, OrderEvent.EV_CANCELLED: EventKind.CANCELLED,
    OrderEvent.EV_REJECTED: EventKind.REJECTED, OrderEvent.EV_EXPIRED: EventKind.EXPIRED,
    OrderEvent.EV_AMENDED: EventKind.AMENDED, OrderEvent.EV_TRIGGERED: EventKind.TRIGGERED,
}
# the EventKind of each OrderEvent value (None: no event), as the compiled OrderEvents reads it
ORDER_EVENT_KINDS = [_EVENT_KIND.get(ev) for ev in range(max(_EVENT_KIND) + 1)]
_APPLIED, _FOREIGN, _CONFLICT = int(ApplyStatus.AP_APPLIED), int(ApplyStatus.AP_FOREIGN), int(ApplyStatus.AP_CONFLICT)
_EV_NONE, _EV_FILLED, _EV_CANCELLED = int(OrderEvent.EV_NONE), int(OrderEvent.EV_FILLED), int(OrderEvent.EV_CANCELLED)
_UNKNOWN = int(OrderState.UNKNOWN)
# A fill for an order in one of these states means the engine's conclusion was wrong: the order existed.
_SURPRISE_STATES = frozenset({int(OrderState.REJECTED), int(OrderState.NOT_PLACED)})
# (An order that reaches the venue is accepted before anything else happens to it: when the first word of it
# is already a fill, an expiry or a cancel (a market order's REST answer, a record that overtook the venue's
# acknowledgement), ``accepted`` is emitted first, so every venue and path tells one outcome the same way (the
# table in :mod:`engine.oms.events`): :class:`~engine._events.OrderEvents` does so.)


class StreamApplier:
    """Applies answers and stream messages for one engine (composed into :class:`~engine.oms.engine.Engine`)."""

    def __init__(self, engine) -> None:
        self.eng = engine
        self.tracker = engine.tracker
        self.store = engine.store
        self.bus = engine.bus
        self.metrics = engine.metrics
        self.parser = engine.adapter.parser          # the venue's compiled parser of its user-data stream
        self.applier: RecordApplier | None = None
        # an applied record's events, made and delivered in C (returns the view, or None when no one listens)
        self.events = OrderEvents(engine.bus, engine.tracker.view, ORDER_EVENT_KINDS, EventKind.ACCEPTED)
        # the compiled loop every stream message goes through (Engine.start hands ``loop.run`` to the venue)
        self.loop = engine.tracker.record_loop(self.parser, None, engine.bus, engine.metrics.wire_to_event,
                                               engine.account_book.on_message, self._record, self.unreadable,
                                               self.events)
        engine.metrics.counted_elsewhere(self.loop)
        self.bad_messages = 0
        self.unexpected = 0

    def start(self) -> None:
        """Once the instruments are loaded: the compiled applier over the store and positions, given to the
        loop that runs it per message."""
        eng = self.eng
        self.applier = RecordApplier(self.store, eng.instruments, eng.book if eng.futures else None)
        self.loop.start(self.applier)
        self.loop.settle_fills(eng.admission.gate.reference, eng.foreign.child_of, eng.account_book.after_fill,
                               EventKind.POSITION_CHANGED if eng.futures else None)
        balances = getattr(eng.adapter, "spot_balances", None)     # optional (engine.venues.base.Adapter)
        if balances is not None and not eng.futures:
            self.loop.read_spot_balances(balances, eng.account, eng.instruments.asset_names)
        balances = getattr(eng.adapter, "futures_balances", None)  # optional, likewise
        if balances is not None and eng.futures:
            self.loop.read_futures_balances(balances, eng.account, eng.instruments.asset_names)

    def loop_counters(self) -> dict:
        """The records the compiled loop settled itself and those it handed to Python, and the orders it
        counted filled or cancelled."""
        loop = self.loop
        return {"settled": loop.settled, "handed": loop.handed, "filled": loop.filled, "cancelled": loop.cancelled}

    # -- answers -----------------------------------------------------------------------------------
    def apply_answer(self, parser) -> None:
        """An order answer (REST or WebSocket) held by ``parser``'s record."""
        status = self.loop.answer(parser)        # -1: finished in C
        if status >= 0:
            self.finish_answer(parser, status)

    def finish_answer(self, parser, status: int) -> None:
        """What ``loop.answer(parser)`` handed back (``status`` >= 0) finished here (the order manager calls
        the loop itself on its hot path)."""
        if status == _CONFLICT:
            self.conflict(parser, None)      # the stream brings the second order's own reports
            return
        self.after_apply()
        if self.applier.short:
            self.ask_short(self.applier.slot)

    def ask_short(self, slot: int) -> None:
        """An order whose fills we hold fall short of what the venue says it filled (a fill lost on the stream,
        or late): asked for by itself soon, its missing fills applied by their ids (the stream's late copy of
        one is then a duplicate)."""
        self.eng.spawn(self._ask_short(slot), f"short:{slot}")

    async def _ask_short(self, slot: int) -> None:
        await asyncio.sleep(SHORT_WAIT_S)           # (the stream's own report may still be on its way)
        try:
            await self.eng.reconciler.settle(slot)
        except (TransportError, VenueError) as exc:
            log.warning("an order short of its fills could not be asked for (%s); reconciling", exc)
            self.eng.request_reconciliation("a fill missing from the stream")

    # -- the stream ----------------------------------------------------------------------------------
    def on_message(self, payload: bytes) -> None:
        """One user-data stream message: order records applied in C (:class:`~engine._record_loop.RecordLoop`,
        which hands back what only Python does, :meth:`_record`); anything else to the account book; one
        the parser refuses to :meth:`unreadable`.  (The venue calls ``loop.run`` itself: the same.)"""
        self.loop.run(payload)

    def _record(self, payload: bytes, status: int) -> None:
        """A record the compiled loop left to Python (the parser holds it, the applier its outcome)."""
        parser, applier = self.parser, self.applier
        if status == _FOREIGN:
            # cold: the venue says what the order is, it is adopted, the same record applied again
            if self.eng.foreign.adopt_record(parser, payload) >= 0:
                status = applier.apply(parser, time.time_ns())
        if status == _CONFLICT:
            self.conflict(parser, payload)
        elif status != _FOREIGN:
            self.after_apply()
            if parser.linked_order_id and applier.slot >= 0:
                self.eng.foreign.on_linked(applier.slot, parser.linked_order_id)
            if applier.short:       # the venue's last fill, yet one before it never reached us: asked for
                self.ask_short(applier.slot)

    def unreadable(self, payload: bytes, exc: Exception) -> None:
        """A message the parser refused: counted, logged, and the venue asked for the truth."""
        self.bad_messages += 1
        log.warning("%s: unreadable stream message (%d bytes) counted; reconciling: %s", self.eng.venue,
                    len(payload), exc)
        self.eng.request_reconciliation("unreadable stream message")

    def conflict(self, parser, payload: bytes | None) -> None:
        """A second venue order under one of our client ids (the venue executed one intent twice): adopted,
        its record applied to it, the alarm raised."""
        self.unexpected += 1
        if payload is not None and self.eng.foreign.adopt_record(parser, payload, duplicate=True) >= 0:
            if self.applier.apply(parser, time.time_ns()) == _APPLIED:
                self.after_apply()
        self.eng.unexpected_execution(None, "a second venue order carries one of our client ids")

    # -- after every applied record --------------------------------------------------------------------
    def after_apply(self) -> None:
        ap = self.applier
        if ap.status == _FOREIGN or ap.status == _CONFLICT:
            return
        slot = ap.slot
        if slot < 0:
            return
        tracker = self.tracker
        if ap.status != _APPLIED:
            tracker.wake(slot)
            return
        tracker.settle(slot)
        event = ap.event
        if event == _EV_NONE:
            return
        fill_qty, fill_price = ap.fill_qty_raw, ap.fill_price_raw
        if fill_qty:
            if event == _EV_FILLED:
                self.metrics.filled += 1
            self.eng.admission.set_reference(int(self.store.arrays["instrument"][slot]), fill_price)
        elif event == _EV_CANCELLED:
            self.metrics.cancelled += 1
        if ap.prev_state == _UNKNOWN:
            self.eng.resolver.heard(slot)
        surprise = ap.prev_state in _SURPRISE_STATES
        if self.bus.active or surprise:
            view = self.events(slot, event, ap.prev_state, fill_qty, fill_price) or self.tracker.view(slot)
            if fill_qty:
                if self.eng.futures and self.bus.wants(EventKind.POSITION_CHANGED):
                    self.bus.emit(EventKind.POSITION_CHANGED, symbol=view.symbol,
                                  position=self.eng.position_of(view.symbol))
                self.eng.account_book.after_fill()
            if surprise:
                self.unexpected += 1
                self.eng.unexpected_execution(view, f"the venue reported {view.state.name} for an order taken as "
                                                    f"{OrderState(ap.prev_state).name}")
        if fill_qty and self.eng.foreign.child_of and slot in self.eng.foreign.child_of:
            self.eng.foreign.mirror(slot, fill_qty, fill_price)  # the order that created it shows the fill
