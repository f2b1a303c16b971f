"""How the Engine applies what the venue says: order answers and user-data stream messages.

Hot path: a stream message is parsed in C into the parser's record and applied in C
(:class:`~engine._oms_apply.RecordApplier`) to the order store and positions; Python
only wakes the callers waiting on that order and, when someone listens, emits events.
Balance and account messages go to the reconciler's balance stream; orders the engine did
not place go to :mod:`engine.oms.foreign` (cold path).  A mixin of
:class:`~engine.oms.engine.Engine`: it uses the engine's store, applier, parser, bus,
metrics, reconciler and bookkeeping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

from engine._enums import OrderState
from engine._fixedpoint import to_decimal
from engine._oms_apply import ApplyStatus, OrderEvent
from engine._parse_binance import BinanceParser
from engine._parse_common import ParseError
from engine.oms.events import EventKind

__all__ = ["StreamApplication"]

log = logging.getLogger("engine.oms")

_TERMINAL = {int(OrderState.FILLED), int(OrderState.CANCELLED), int(OrderState.REJECTED), int(OrderState.EXPIRED)}
_EVENT_KIND = {
    OrderEvent.EV_ACCEPTED: EventKind.ACCEPTED, OrderEvent.EV_PARTIALLY_FILLED: EventKind.PARTIALLY_FILLED,
    OrderEvent.EV_FILLED: EventKind.FILLED, OrderEvent.EV_CANCELLED: EventKind.CANCELLED,
    OrderEvent.EV_REJECTED: EventKind.REJECTED, OrderEvent.EV_EXPIRED: EventKind.EXPIRED,
    OrderEvent.EV_AMENDED: EventKind.AMENDED, OrderEvent.EV_TRIGGERED: EventKind.TRIGGERED,
}
_MSG_ALGO_UPDATE = 4        # BinanceParser.parse() kind of a USD-M ALGO_UPDATE (ext/exec_record.pxd)


class StreamApplication:
    """Applying answers and stream events (mixed into :class:`~engine.oms.engine.Engine`)."""

    def _apply_answer(self, parser) -> None:
        if self._binance or isinstance(parser, BinanceParser):
            self.applier.apply_binance(parser, time.time_ns())
        else:
            self.applier.apply_bybit(parser, time.time_ns())
        self._after_apply()

    def _on_stream(self, payload: bytes) -> None:
        t0 = time.perf_counter_ns()
        parser = self._parser
        try:
            kind = parser.parse(payload)
        except ParseError as exc:
            if self._binance and b'"listStatus"' in payload:
                # an order list's status (its "l"/"L" are list states, not the quantities of an
                # executionReport): read on the cold path; the legs' own reports carry their states
                self.reconciler.on_account_message(payload)
                return
            self.bad_messages += 1
            log.warning("%s: unreadable stream message (%d bytes) counted and skipped: %s", self.venue,
                        len(payload), exc)
            return
        applier = self.applier
        if applier is None:
            return
        if self._binance:
            if kind == 2 and parser.order_state == OrderState.PENDING:
                return  # a pending leg of an order list reported PENDING_NEW: nothing changes
            status = applier.apply_binance(parser, time.time_ns())
            if status == ApplyStatus.AP_NOT_ORDER:
                self.reconciler.on_account_message(payload)
            elif status == ApplyStatus.AP_FOREIGN:
                if kind != _MSG_ALGO_UPDATE:     # an algo order we did not place: its child is adopted
                    self.foreign.on_binance(payload)  # cold: adopt, then apply the payload again
            else:
                self._after_apply()
                if kind == _MSG_ALGO_UPDATE:
                    self.foreign.on_algo_update(payload)  # cold: link the order it triggered (``ai``)
        else:
            if kind in (7, 8):  # MSG_BYBIT_ORDER, MSG_BYBIT_EXECUTION
                foreign = False
                try:
                    while parser.next_record():
                        if applier.apply_bybit(parser, time.time_ns()) == ApplyStatus.AP_FOREIGN:
                            foreign = True
                        self._after_apply()
                except ParseError as exc:
                    self.bad_messages += 1
                    log.warning("bybit: bad record in a stream batch counted and skipped: %s", exc)
                if foreign:
                    if self._foreign_hook is not None:
                        self._foreign_hook(payload)  # cold: orders the venue created for us (attached TP/SL)
                    self.foreign.on_bybit(payload)   # cold: any other order we did not place
            else:
                self.reconciler.on_account_message(payload)
        self.metrics.record_wire_to_event(time.perf_counter_ns() - t0)

    def _after_apply(self) -> None:
        ap = self.applier
        status = ap.status
        if status == ApplyStatus.AP_FOREIGN:
            return
        slot = ap.slot
        if slot < 0:
            return
        waiters = self._waiters.pop(slot, None)
        if waiters:
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)
        event = ap.event
        if status != ApplyStatus.AP_APPLIED or event == OrderEvent.EV_NONE:
            return
        state = self.store.state_of(slot)
        if ap.fill_qty_raw:
            if event == OrderEvent.EV_FILLED:
                self.metrics.filled += 1
        if event == OrderEvent.EV_CANCELLED:
            self.metrics.cancelled += 1
        if state in _TERMINAL:
            self._untrack(slot)
        if ap.fill_qty_raw:
            self._last_price[int(self.store.arrays["instrument"][slot])] = ap.fill_price_raw
        fill_qty, fill_price = ap.fill_qty_raw, ap.fill_price_raw
        if self.bus.active or slot in self._brackets:
            view = self.order(slot)
            self.bus.emit(_EVENT_KIND[event], order=view, symbol=view.symbol,
                          fill_qty=to_decimal(fill_qty) if fill_qty else None,
                          fill_price=to_decimal(fill_price) if fill_qty else None)
            if fill_qty and self.futures:
                pos = self.positions().get(view.symbol)
                self.bus.emit(EventKind.POSITION_CHANGED, symbol=view.symbol, position=pos)
            bracket = self._brackets.get(slot)
            if bracket is not None:
                bracket.on_update(slot, view)
        if fill_qty and self._child_of and slot in self._child_of:
            self.foreign.mirror(slot, fill_qty, fill_price)  # the algo order that created it shows the fill

    async def _wait_slot(self, slot: int, done: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            fut = loop.create_future()
            self._waiters.setdefault(slot, []).append(fut)
            try:
                await asyncio.wait_for(fut, remaining)
            except asyncio.TimeoutError:
                return done()
        return True
