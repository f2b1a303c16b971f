"""Brackets the venue runs: the entry with its stop-loss and take-profit placed in one request.

:class:`NativeBracket` has the interface of the engine-managed
:class:`~engine.oms.bracket.Bracket` (``entry``, ``stop``, ``take`` views, ``done``,
``wait``, ``cancel``); the venue, not the engine, places the exits and cancels the
other exit when one fills.  The venue's implementation (``adapter.native_brackets``,
``Capability.NATIVE_BRACKETS``) comes in one of two shapes:

- the exits are known up front (``exits_known_up_front``): one order list carries all three
  legs, each with a client id of ours; the exits sit in the store from the start, PENDING
  until the venue activates them (``place(entry, take, stop, list_client_id)``, ``known``);
- the venue creates the exits when the entry fills (``place(entry, stop_raw, take_raw)``):
  only the entry is ours; the exits arrive with no client id of ours and are adopted
  (:mod:`engine.oms.foreign`, origin ``exit``) into this bracket, from the stream or from
  reconciliation.

Invariants:

1. Every leg passes the pre-trade checks before anything is sent; exits skip only the
   balance/margin check, which the entry's fill pays for.
2. The views are read from the store when asked, so reconciliation's changes show.
3. ``done`` is set once the entry has ended and every exit known is terminal (and, when
   the entry filled, at least one exit was seen).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from decimal import Decimal

from engine._enums import ExecType, OrderState, OrderType, Side, TimeInForce
from engine.errors import EngineError
from engine.oms.events import EventKind
from engine.transport.errors import TransportError
from engine.venues.base import OrderSpec
from engine.oms.admission import to_raw
from engine.oms.tracker import TERMINAL_STATES
from engine.venues.base import Capability
from engine.venues.errors import VenueError, is_definite_rejection

__all__ = ["NativeBracket", "native_support", "NativeBracketUnsupported"]

log = logging.getLogger("engine.oms.native_bracket")

_TERMINAL = TERMINAL_STATES


class NativeBracketUnsupported(EngineError):
    """``native=True`` was asked for a bracket the venue cannot place natively (nothing was sent)."""


def native_support(adapter):
    """The venue's native-bracket implementation for this adapter, or None (engine-managed)."""
    if Capability.NATIVE_BRACKETS not in adapter.capabilities:
        return None
    return adapter.native_brackets


def check_prices(side: Side, entry_raw: int, stop_raw: int, take_raw: int) -> None:
    """Stop and take on the right sides of the entry (a typed error before anything is sent)."""
    if side == Side.BUY:
        ok = stop_raw < take_raw and (not entry_raw or stop_raw < entry_raw < take_raw)
    else:
        ok = take_raw < stop_raw and (not entry_raw or take_raw < entry_raw < stop_raw)
    if not ok:
        raise ValueError("bracket prices out of order: a buy needs stop_loss < entry < take_profit, "
                         "a sell take_profit < entry < stop_loss")


class NativeBracket:
    """One venue-run bracket.  Build with :meth:`Engine.place_bracket`."""

    native = True

    def __init__(self, engine, impl, symbol: str, side: Side, qty, entry_price, stop_loss, take_profit, *,
                 client_tag: str | None = None):
        self.client_tag = client_tag
        self.eng = engine
        self.impl = impl
        self.symbol = symbol
        self.side = side
        self.qty = qty
        self.entry_price = entry_price
        self.stop_loss = stop_loss
        self.take_profit = take_profit
        self.done = asyncio.Event()
        self.list_client_id: str | None = None
        self._entry: int | None = None
        self._stops: list[int] = []
        self._takes: list[int] = []
        self._unsubscribe = None

    # -- views -----------------------------------------------------------------------------
    def _view(self, slot):
        return None if slot is None else self.eng.order(slot)

    @property
    def entry(self):
        return self._view(self._entry)

    @property
    def stop(self):
        return self._view(self._stops[0]) if self._stops else None

    @property
    def take(self):
        return self._view(self._takes[0]) if self._takes else None

    @property
    def legs(self) -> list[int]:
        return ([self._entry] if self._entry is not None else []) + self._stops + self._takes

    def __repr__(self) -> str:
        return (f"NativeBracket({self.impl.kind}, {self.symbol}, entry={self._entry}, stops={self._stops}, "
                f"takes={self._takes}, done={self.done.is_set()})")

    # -- placement ----------------------------------------------------------------------------
    async def start(self) -> None:
        eng = self.eng
        adm = eng.admission
        inst = adm.instrument(self.symbol)
        qty_raw = to_raw(self.qty, "quantity")
        entry_raw = to_raw(self.entry_price, "entry price") if self.entry_price is not None else 0
        stop_raw = to_raw(self.stop_loss, "stop_loss")
        take_raw = to_raw(self.take_profit, "take_profit")
        check_prices(self.side, entry_raw, stop_raw, take_raw)
        adm.check_open()
        entry_type = OrderType.LIMIT if entry_raw else OrderType.MARKET
        entry_tif = TimeInForce.GTC if entry_raw else TimeInForce.TIF_NONE
        exit_side = Side.SELL if self.side == Side.BUY else Side.BUY
        last = adm.reference_of(inst)
        n_sym, n_all = eng.tracker.open_count(inst), eng.tracker.open_count()
        adm.risk_check(inst, self.side, entry_type, qty_raw, entry_raw, False)
        take_type, stop_type = self.impl.exit_types(self.side)
        take_px = take_raw if take_type in (OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.TAKE_PROFIT_LIMIT) else 0
        take_stop = take_raw if take_type != OrderType.LIMIT_MAKER else 0
        eng.risk.check_exit(inst, exit_side, take_type, qty_raw, take_px or take_stop, n_sym + 1, n_all + 1, last)
        eng.risk.check_exit(inst, exit_side, stop_type, qty_raw, stop_raw, n_sym + 2, n_all + 2, last)
        eng.risk.check_trigger(inst, stop_raw, "stop_loss")
        if take_stop:
            eng.risk.check_trigger(inst, take_stop, "take_profit")
        # every check passed: record, then send
        entry = self._record(inst, self.side, entry_type, entry_tif, qty_raw, entry_raw, 0, False)
        self._entry = entry.slot
        eng.tracker.attach_bracket(entry.slot, self)
        self._unsubscribe = eng.on(self._on_event)
        if self.impl.exits_known_up_front:
            reduce = eng.futures
            take = self._record(inst, exit_side, take_type,
                                TimeInForce.POST_ONLY if take_type == OrderType.LIMIT_MAKER else TimeInForce.TIF_NONE,
                                qty_raw, take_px, take_stop, reduce)
            stop = self._record(inst, exit_side, stop_type, TimeInForce.TIF_NONE, qty_raw, 0, stop_raw, reduce)
            self._takes.append(take.slot)
            self._stops.append(stop.slot)
            for s in (take.slot, stop.slot):
                eng.tracker.attach_bracket(s, self)
                eng.tracker.set_dormant(s)     # PENDING until the venue activates it: not a stale order
            self.list_client_id = "bk" + uuid.uuid4().hex[:30]
            await self._send_list(entry, take, stop)
        else:
            await self._send_attached(entry, stop_raw, take_raw)
        self._check()

    def _record(self, inst, side, order_type, tif, qty_raw, price_raw, stop_raw, reduce_only) -> OrderSpec:
        eng = self.eng
        spec = eng.tracker.record(inst, self.symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, 0,
                                  reduce_only, client_tag=self.client_tag)
        eng.metrics.placed += 1
        return spec

    async def _send_list(self, entry: OrderSpec, take: OrderSpec, stop: OrderSpec) -> None:
        eng = self.eng
        t0 = time.perf_counter_ns()
        try:
            reports = await self.impl.place(entry, take, stop, self.list_client_id)
        except (TransportError, asyncio.CancelledError) as exc:
            if isinstance(exc, TransportError) and not exc.sent:
                self._reject_all(-1, exc)
            self._unknown(entry, take, stop, exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        except Exception as exc:
            if is_definite_rejection(exc):
                self._reject_all(exc.code if isinstance(exc.code, int) else -1, exc)
            self._unknown(entry, take, stop, exc)     # any other answer: the list's fate is unknown
            return
        eng.metrics.record_round_trip_ack(time.perf_counter_ns() - t0, entry.client_id)
        eng.metrics.acknowledged += 1
        eng.breaker.record_success()
        self._apply_reports(reports)

    def _unknown(self, entry: OrderSpec, take: OrderSpec, stop: OrderSpec, exc: BaseException) -> None:
        """The list's answer is lost or unreadable: resolved by its client ids.

        Only the entry (the working order) becomes UNKNOWN: the exits stay PENDING, which is what
        they are on the venue either way (PENDING_NEW until the entry fills), and the store has no
        way back from UNKNOWN to PENDING.
        """
        eng = self.eng
        eng.tracker.mark_unknown(entry.slot)
        view = eng.order(entry.slot)
        eng.bus.emit(EventKind.UNKNOWN, order=view, symbol=view.symbol, reason=str(exc))
        eng.spawn(self._resolve(entry, take, stop, resend=not isinstance(exc, asyncio.CancelledError)),
                  f"bracket-resolve:{self.list_client_id}")
        log.warning("bracket %s: outcome unknown (%s); resolving by its client ids", self.list_client_id, exc)

    def _apply_reports(self, reports: list[bytes]) -> None:
        eng = self.eng
        parser = eng.stream.parser
        for raw in reports:
            parser.parse(raw)
            eng.stream.apply_answer(parser)

    def _reject_all(self, code: int, exc: Exception) -> None:
        eng = self.eng
        for s in self.legs:
            eng.tracker.reject(s, code)
            eng.metrics.rejected += 1
        self.done.set()
        self._stop_listening()
        if isinstance(exc, VenueError):
            view = eng.order(self._entry)
            eng.bus.emit(EventKind.REJECTED, order=view, symbol=view.symbol, error=str(exc), code=exc.code)
        raise exc

    async def _send_attached(self, entry: OrderSpec, stop_raw: int, take_raw: int) -> None:
        eng = self.eng
        t0 = time.perf_counter_ns()
        try:
            answer = await self.impl.place(entry, stop_raw, take_raw)
        except asyncio.CancelledError:
            eng.placement.unknown(entry, "cancelled with the answer outstanding", resend=False)
            raise
        except TransportError as exc:
            if not exc.sent:
                self._reject_all(-1, exc)
            # resolved by its client id, never re-sent: a re-sent entry would go without its attached exits
            eng.placement.unknown(entry, str(exc), resend=False)
            return
        except Exception as exc:
            if is_definite_rejection(exc):
                self._reject_all(exc.code if isinstance(exc.code, int) else -1, exc)
            eng.placement.unknown(entry, f"{type(exc).__name__}: {exc}", resend=False)
            return
        eng.metrics.record_round_trip_ack(time.perf_counter_ns() - t0, entry.client_id)
        eng.metrics.acknowledged += 1
        eng.breaker.record_success()
        eng.stream.apply_answer(answer)
        if eng.store.state_of(entry.slot) == OrderState.PENDING:
            await eng.tracker.wait(entry.slot, lambda: eng.store.state_of(entry.slot) != OrderState.PENDING,
                                   eng.ack_wait_s)

    async def _resolve(self, entry: OrderSpec, take: OrderSpec, stop: OrderSpec, resend: bool = True) -> None:
        """A list whose answer was lost: asked for by its client id, under the engine's exactly-once rules
        (:mod:`engine.oms.resolve`): re-sent (same ids) only once the venue can no longer accept the
        original and does not have it, else its legs end NOT_PLACED."""
        eng = self.eng
        res = eng.resolver
        loop = asyncio.get_running_loop()
        if entry.sent_ms <= 0:
            entry.sent_ms = eng.adapter.clock.now_ms()       # an upper bound of the signed timestamp
        delay, absent_since = 0.2, None
        while not res.stopped:
            await asyncio.sleep(delay)
            delay = min(res.max_poll_s, delay * 2)
            try:
                known = await self.impl.known(self.list_client_id)
            except (TransportError, VenueError) as exc:
                log.info("bracket %s: list query failed (%s); asking again", self.list_client_id, exc)
                continue
            if known:
                for s in self.legs:
                    await eng.reconciler.settle(s)
                self._resolved("adopted")
                return
            if res.venue_now_ms() <= res.deadline_ms(entry.slot):
                continue                        # the venue may still accept it: not found proves nothing
            if absent_since is None or loop.time() - absent_since < res.confirm_s:
                absent_since = absent_since or loop.time()
                delay = res.confirm_s
                continue
            why_not = "the caller withdrew it" if not resend else res.may_resend(entry.slot)
            if why_not is not None:
                self._not_placed(why_not)
                return
            try:
                reports = await self.impl.place(entry, take, stop, self.list_client_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_definite_rejection(exc):
                    for s in self.legs:
                        eng.tracker.reject(s, exc.code if isinstance(exc.code, int) else -1)
                    self._check()
                    return
                entry.sent_ms = eng.adapter.clock.now_ms()   # lost again: the rules start over
                delay, absent_since = 0.2, None
                continue
            self._apply_reports(reports)       # same client ids: the legs take the venue's states and ids
            res.resent += 1
            self._resolved("resent")
            return

    def _not_placed(self, why: str) -> None:
        eng = self.eng
        for s in self.legs:
            if not eng.tracker.is_terminal(s):
                eng.tracker.apply(s, int(ExecType.EXEC_NONE), int(OrderState.NOT_PLACED))
        eng.resolver.not_placed += 1
        view = eng.order(self._entry)
        log.warning("bracket %s was never placed; not re-sent: %s", self.list_client_id, why)
        eng.bus.emit(EventKind.NOT_PLACED, order=view, symbol=view.symbol, reason=why,
                     list_client_id=self.list_client_id)
        self.done.set()
        self._stop_listening()

    def _resolved(self, how: str) -> None:
        eng = self.eng
        view = eng.order(self._entry)
        eng.bus.emit(EventKind.RESOLVED, order=view, symbol=view.symbol, how=how, list_client_id=self.list_client_id)
        self._check()

    # -- venue-created exits (attached TP/SL) ---------------------------------------------------
    def add_exit(self, slot: int, role: str) -> None:
        """An exit the venue created, adopted into the store (``role``: "stop" or "take")."""
        if slot in self._stops or slot in self._takes:
            return
        (self._stops if role == "stop" else self._takes).append(slot)
        self.eng.tracker.attach_bracket(slot, self)

    # -- life ---------------------------------------------------------------------------------
    def on_update(self, slot: int, view) -> None:
        """Called by the engine on every event of a leg."""
        if view.state != OrderState.PENDING:
            self.eng.tracker.set_dormant(slot, False)
        self._check()

    def _on_event(self, event) -> None:
        if event.kind in (EventKind.RECONCILED, EventKind.RESOLVED):
            self._check()

    def _state(self, slot: int) -> int:
        return self.eng.store.state_of(slot)

    def _check(self) -> None:
        if self.done.is_set() or self._entry is None:
            return
        st = self._state(self._entry)
        if st not in _TERMINAL:
            return
        exits = self._stops + self._takes
        filled = self.eng.store.order(self._entry).filled_raw
        if filled and not exits:
            return                          # the venue's exits are still to come
        if all(self._state(s) in _TERMINAL for s in exits):
            self.done.set()
            self._stop_listening()

    def _stop_listening(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    async def cancel(self) -> None:
        """Cancel whatever of the bracket is still open (where the venue holds the legs as one list, the
        first cancel may end them all)."""
        eng = self.eng
        for slot in self.legs:
            if self._state(slot) in _TERMINAL:
                continue
            try:
                await eng.cancel(eng.order(slot))
            except VenueError as exc:
                log.info("bracket cancel: %s already gone (%s)", eng.store.client_id(slot), exc)
        self._check()

    async def wait(self, timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    @property
    def filled(self) -> Decimal:
        v = self.entry
        return v.filled if v is not None else Decimal(0)
