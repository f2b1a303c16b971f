"""Applying what the venue says: order answers and user-data stream messages.

Hot path: a stream message is parsed in C into the parser's record and applied in C
(:class:`~engine._oms_apply.RecordApplier`) to the order store and positions; Python
only settles the order in the tracker (open set, waiters) and, when someone listens,
emits events.  Balance and account messages go to the reconciler's balance stream;
orders the engine did not place go to :mod:`engine.oms.foreign` (cold path).

Nothing read from the wire is dropped silently:

- a message the parser refuses is counted, logged, and followed by a reconciliation (a
  Bybit batch: the rows before the bad one are applied, the reconciliation recovers the
  rest, fills included, from the venue's order and execution lists);
- a fill for an order the engine took as finished without it (REJECTED, NOT_PLACED) or a
  second venue order under one of our client ids is applied (adopted, for the second
  order), raises the ``unexpected_execution`` alarm and trips the circuit breaker.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from engine._enums import OrderState
from engine._fixedpoint import to_decimal
from engine._oms_apply import ApplyStatus, OrderEvent, RecordApplier
from engine._parse_binance import BinanceParser
from engine._parse_bybit import BybitParser
from engine._parse_common import ParseError
from engine.oms.events import EventKind

__all__ = ["StreamApplier"]

log = logging.getLogger("engine.oms")

_EVENT_KIND = {
    OrderEvent.EV_ACCEPTED: EventKind.ACCEPTED, OrderEvent.EV_PARTIALLY_FILLED: EventKind.PARTIALLY_FILLED,
    OrderEvent.EV_FILLED: EventKind.FILLED, OrderEvent.EV_CANCELLED: EventKind.CANCELLED,
    OrderEvent.EV_REJECTED: EventKind.REJECTED, OrderEvent.EV_EXPIRED: EventKind.EXPIRED,
    OrderEvent.EV_AMENDED: EventKind.AMENDED, OrderEvent.EV_TRIGGERED: EventKind.TRIGGERED,
}
_MSG_ALGO_UPDATE = 4        # BinanceParser.parse() kind of a USD-M ALGO_UPDATE (ext/exec_record.pxd)
_MSG_BYBIT_ROWS = (7, 8)    # MSG_BYBIT_ORDER, MSG_BYBIT_EXECUTION
_APPLIED, _FOREIGN, _NOT_ORDER, _CONFLICT = (int(ApplyStatus.AP_APPLIED), int(ApplyStatus.AP_FOREIGN),
                                             int(ApplyStatus.AP_NOT_ORDER), int(ApplyStatus.AP_CONFLICT))
_EV_NONE, _EV_FILLED, _EV_CANCELLED = int(OrderEvent.EV_NONE), int(OrderEvent.EV_FILLED), int(OrderEvent.EV_CANCELLED)
# A fill for an order in one of these states means the engine's conclusion was wrong: the order existed.
_SURPRISE_STATES = frozenset({int(OrderState.REJECTED), int(OrderState.NOT_PLACED)})


class StreamApplier:
    """Applies answers and stream messages for one engine (composed into :class:`~engine.oms.engine.Engine`)."""

    def __init__(self, engine) -> None:
        self.eng = engine
        self.tracker = engine.tracker
        self.store = engine.store
        self.bus = engine.bus
        self.metrics = engine.metrics
        self.binance = engine.adapter.stream_kind == "binance"
        self.parser = BinanceParser(futures=engine.futures) if self.binance else BybitParser()
        self.applier: RecordApplier | None = None
        self.foreign_hook: Callable[[bytes], None] | None = None   # venue-created orders (attached TP/SL)
        self.bad_messages = 0
        self.unexpected = 0

    def start(self) -> None:
        """Once the instruments are loaded: the compiled applier over the store and positions."""
        eng = self.eng
        self.applier = RecordApplier(self.store, eng.instruments, eng.book if eng.futures else None)

    # -- answers -----------------------------------------------------------------------------------
    def apply_answer(self, parser) -> None:
        """An order answer (REST or WebSocket) held by ``parser``'s record."""
        ts = time.time_ns()
        if self.binance or isinstance(parser, BinanceParser):
            status = self.applier.apply_binance(parser, ts)
        else:
            status = self.applier.apply_bybit(parser, ts)
        if status == _CONFLICT:
            self.conflict(None)          # the stream brings the second order's own reports: adopted there
            return
        self.after_apply()

    # -- the stream ----------------------------------------------------------------------------------
    def on_message(self, payload: bytes) -> None:
        t0 = time.perf_counter_ns()
        parser = self.parser
        try:
            kind = parser.parse(payload)
        except ParseError as exc:
            if self.binance and b'"listStatus"' in payload:
                # an order list's status (its "l"/"L" are list states, not the quantities of an
                # executionReport): read on the cold path; the legs' own reports carry their states
                self.eng.reconciler.on_account_message(payload)
                return
            self.unreadable(payload, exc)
            return
        applier = self.applier
        if applier is None:
            return
        if self.binance:
            if kind == 2 and parser.order_state == OrderState.PENDING:
                return  # a pending leg of an order list reported PENDING_NEW: nothing changes
            status = applier.apply_binance(parser, time.time_ns())
            if status == _NOT_ORDER:
                self.eng.reconciler.on_account_message(payload)
            elif status == _FOREIGN:
                if kind != _MSG_ALGO_UPDATE:     # an algo order we did not place: its child is adopted
                    self.eng.foreign.on_binance(payload)  # cold: adopt, then apply the payload again
            elif status == _CONFLICT:
                self.conflict(payload)
            else:
                self.after_apply()
                if kind == _MSG_ALGO_UPDATE:
                    self.eng.foreign.on_algo_update(payload)  # cold: link the order it triggered (``ai``)
        elif kind in _MSG_BYBIT_ROWS:
            foreign = conflict = False
            try:
                while parser.next_record():
                    status = applier.apply_bybit(parser, time.time_ns())
                    if status == _FOREIGN:
                        foreign = True
                    elif status == _CONFLICT:
                        conflict = True
                    else:
                        self.after_apply()
            except ParseError as exc:
                # the rows read so far are applied; the rest of the batch is not dropped: the message
                # is counted and a reconciliation takes the venue's word for every order
                self.unreadable(payload, exc)
            if foreign or conflict:
                if self.foreign_hook is not None:
                    self.foreign_hook(payload)   # cold: orders the venue created for us (attached TP/SL)
                self.eng.foreign.on_bybit(payload)  # cold: any other order we did not place
                if conflict:
                    self.conflict(None)
        else:
            self.eng.reconciler.on_account_message(payload)
        self.metrics.record_wire_to_event(time.perf_counter_ns() - t0)

    def reapply(self, payload: bytes) -> None:
        """Apply ``payload`` again (cold path: after adopting the orders it names)."""
        self.on_message(payload)

    def unreadable(self, payload: bytes, exc: Exception) -> None:
        """A message the parser refused: counted, logged, and the venue asked for the truth."""
        self.bad_messages += 1
        log.warning("%s: unreadable stream message (%d bytes) counted; reconciling: %s", self.eng.venue,
                    len(payload), exc)
        self.eng.request_reconciliation("unreadable stream message")

    def conflict(self, payload: bytes | None) -> None:
        """A second venue order under one of our client ids (the venue executed one intent twice)."""
        self.unexpected += 1
        if payload is not None and self.binance:
            self.eng.foreign.on_binance(payload, conflict=True)
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
        surprise = ap.prev_state in _SURPRISE_STATES
        bracket = tracker.bracket_of(slot)
        if self.bus.active or bracket is not None or surprise:
            view = tracker.view(slot)
            self.bus.emit(_EVENT_KIND[event], order=view, symbol=view.symbol,
                          fill_qty=to_decimal(fill_qty) if fill_qty else None,
                          fill_price=to_decimal(fill_price) if fill_qty else None)
            if fill_qty and self.eng.futures:
                self.bus.emit(EventKind.POSITION_CHANGED, symbol=view.symbol,
                              position=self.eng.positions().get(view.symbol))
            if bracket is not None:
                bracket.on_update(slot, view)
            if surprise:
                self.unexpected += 1
                self.eng.unexpected_execution(view, f"the venue reported {view.state.name} for an order taken as "
                                                    f"{OrderState(ap.prev_state).name}")
        if fill_qty and self.eng.foreign.child_of and slot in self.eng.foreign.child_of:
            self.eng.foreign.mirror(slot, fill_qty, fill_price)  # the algo order that created it shows the fill
