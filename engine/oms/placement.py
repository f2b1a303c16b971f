"""Sending an admitted order, and what each outcome means.  The exactly-once rules live here.

An order reaches this module recorded (PENDING) by :mod:`engine.oms.admission`.  It is
written by the venue adapter under a per-instrument lock (held only until the bytes are
on the socket, so orders of one instrument leave in the order they were placed), and its
answer is classified by one rule:

1. Nothing was written (the adapter raised before writing, the connection could not be
   made, the limiter refused, the task was cancelled while waiting for its turn): the
   order is REJECTED locally and the error (or ``CancelledError``) is raised.
2. The venue answered with a refusal it documents as "not executed"
   (:func:`is_definite_rejection`): REJECTED, event ``rejected``, the typed error raised.
3. Anything else after the write: an answer lost or late, a 5xx, the venue's
   unknown-outcome code, an unknown code, an answer that is not what was asked for or
   cannot be read, the task cancelled with the answer outstanding: the order is UNKNOWN,
   evented, and resolved by its client order id (:mod:`engine.oms.resolve`), never
   re-sent blindly.  A cancelled task re-raises ``CancelledError`` and its order is never
   re-sent (the caller withdrew the intent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable

from engine._enums import OrderState
from engine.oms.admission import IMMEDIATE_TIFS, IMMEDIATE_TYPES
from engine.oms.breaker import is_breaker_failure
from engine.oms.events import EventKind
from engine.oms.tracker import TERMINAL_STATES
from engine.transport.errors import TransportError
from engine.venues.base import OrderSpec
from engine.venues.errors import DuplicateClientOrderId, VenueError, is_definite_rejection

__all__ = ["Placement"]

log = logging.getLogger("engine.oms")


class Placement:
    """Sends admitted orders for one engine and applies the outcome rules (module docstring)."""

    def __init__(self, engine) -> None:
        self.eng = engine
        self.tracker = engine.tracker
        self._locks: dict[int, asyncio.Lock] = {}
        self._submitted: set[asyncio.Task] = set()     # submit()'s tasks awaiting their answers
        self._writing: dict[int, int] = {}              # instrument -> writes holding or awaiting its lock

    def lock(self, inst: int) -> asyncio.Lock:
        lock = self._locks.get(inst)
        if lock is None:
            lock = self._locks[inst] = asyncio.Lock()
        return lock

    async def write(self, spec: OrderSpec, inst: int):
        """Write ``spec`` (rule 1 on failure); returns the awaitable of its answer."""
        eng = self.eng
        try:
            return await self._locked(inst, spec, eng.adapter.send_place)
        except asyncio.CancelledError:
            self.rejected_locally(spec.slot, "cancelled before the request was written")
            raise
        except TransportError as exc:
            if exc.sent:       # a transport that wrote and then failed: the venue may have it
                self.unknown(spec, str(exc))
                raise _Unknown() from exc
            self.rejected_locally(spec.slot, str(exc))
            raise
        except BaseException as exc:      # limiter refusal, IP ban, encoder refusal: nothing was sent
            self.rejected_locally(spec.slot, f"{type(exc).__name__}: {exc}")
            raise

    async def write_again(self, spec: OrderSpec, inst: int):
        """Re-send a resolved-absent order (same client id, new timestamp); raises as the adapter does."""
        return await self._locked(inst, spec, self.eng.adapter.send_place)

    async def _locked(self, inst: int, spec: OrderSpec, send):
        """``send(spec)`` holding the instrument's turn (:meth:`turn`)."""
        async with self.turn(inst):
            spec.sent_ms = 0
            return await send(spec)

    @contextlib.asynccontextmanager
    async def turn(self, inst: int):
        """The instrument's placing turn: its lock, counted in ``_writing`` while held or awaited (what the
        compiled entry's write at once reads to keep orders in their placing order without looking at the
        lock)."""
        writing = self._writing
        writing[inst] = writing.get(inst, 0) + 1
        try:
            async with self.lock(inst):
                yield
        finally:
            writing[inst] -= 1

    def place(self, spec: OrderSpec, inst: int, t_call: int) -> Awaitable:
        """Write (at once where the venue can: the compiled entry's :meth:`OrderEntry.place_spec`), await the
        answer, apply it; the awaitable of the order view (rules in the module docstring).  Raises here when
        nothing was written."""
        return self.eng._entry.place_spec(spec, inst, t_call)

    async def place_in_turn(self, spec: OrderSpec, inst: int, t_call: int, wait: bool = True):
        """:meth:`place` of an order written in its instrument's turn (the lock, awaited): what an order that
        cannot be written at once (its instrument's turn taken, the connection or the rate budget not
        ready) goes through."""
        self.eng.metrics.placed += 1
        try:
            pending = await self.write(spec, inst)
        except _Unknown:
            return self.tracker.view(spec.slot)
        self.eng.metrics.record_call_to_wire(time.perf_counter_ns() - t_call)
        return await self.answered(spec, pending, t_call, wait)

    def write_failed(self, spec: OrderSpec, exc: BaseException) -> bool:
        """A write at once (the compiled entry's) that raised, counted: True when the bytes may have left (the
        order is UNKNOWN), False when nothing was sent (the order is REJECTED locally; the caller raises
        ``exc``)."""
        self.eng.metrics.placed += 1
        if isinstance(exc, TransportError):
            if exc.sent:
                self.unknown(spec, str(exc))
                return True
            self.rejected_locally(spec.slot, str(exc))
        else:           # limiter refusal, IP ban, encoder refusal, cancelled: nothing was sent
            self.rejected_locally(spec.slot, f"{type(exc).__name__}: {exc}")
        return False

    def not_written_now(self, spec: OrderSpec, exc: BaseException) -> Awaitable:
        """The compiled order entry's write at once raised ``exc`` (:meth:`write_failed`'s rule): the awaitable
        of the UNKNOWN order's view when the bytes may have left, else ``exc`` raised (REJECTED locally)."""
        if self.write_failed(spec, exc):
            return _ready(self.tracker.view(spec.slot))
        raise exc

    def submit(self, spec: OrderSpec, inst: int, t_call: int) -> None:
        """Write now when the venue can without waiting (the compiled entry's :meth:`OrderEntry.submit`: not
        while the instrument's turn is taken), its answer applied by the future's callback (no task per order;
        rules 2 and 3 as :meth:`answered` applies them); else in its instrument's turn, in a task.  The outcome
        comes as events.  Raises as :meth:`write` does when nothing was written (rule 1)."""
        if not self.eng._entry.submit(spec, inst, t_call):
            self.submit_in_turn(spec, inst, t_call)

    def submit_in_turn(self, spec: OrderSpec, inst: int, t_call: int) -> None:
        """A submitted order that cannot be written now: written in its instrument's turn, by a task."""
        task = asyncio.get_running_loop().create_task(self._quiet(self.place_in_turn(spec, inst, t_call, False)))
        self._submitted.add(task)
        task.add_done_callback(self._submitted.discard)

    @staticmethod
    async def _quiet(coro) -> None:
        """A submitted order's outcome is told by events: its typed error is not raised again here."""
        try:
            await coro
        except TOLD_BY_EVENTS:
            pass
        except Exception:
            log.exception("submitted order: unexpected error after the write")

    async def answered(self, spec: OrderSpec, pending, t_call: int, wait: bool):
        """Await the answer of a written order (``pending``: the adapter's awaitable of its read answer) and
        apply it (rules 2 and 3); returns the order view."""
        try:
            answer = await pending
        except asyncio.CancelledError:
            self.unknown(spec, "the placing task was cancelled with the answer outstanding", resend=False)
            raise
        except Exception as exc:
            return self.failed(spec, exc)
        self.eng._entry.acknowledged(spec, answer, t_call)   # counted, the breaker told, the answer applied
        if wait:
            done = self.unsettled(spec)
            if done is not None:
                await self.tracker.wait(spec.slot, done, self.eng.ack_wait_s)
        return self.tracker.view(spec.slot)

    def unsettled(self, spec: OrderSpec):
        """What an acknowledged order still waits for to show its state (a predicate for the tracker's
        wait), or None: an order done at once on the venue is returned with its fills, which may follow
        the answer on the stream; one the venue acknowledged only as received takes its state from the
        stream."""
        store = self.eng.store
        slot = spec.slot
        if spec.order_type in IMMEDIATE_TYPES or spec.tif in IMMEDIATE_TIFS:       # (executes_at_once)
            if store.state_of(slot) in TERMINAL_STATES:
                return None
            return lambda: store.state_of(slot) in TERMINAL_STATES
        if store.state_of(slot) == OrderState.PENDING:
            return lambda: store.state_of(slot) != OrderState.PENDING
        return None

    def failed(self, spec: OrderSpec, exc: Exception):
        """An error after the write: a documented rejection rejects; everything else is UNKNOWN."""
        eng = self.eng
        if is_definite_rejection(exc):
            return self.rejected_by_venue(spec.slot, exc)
        if isinstance(exc, DuplicateClientOrderId):
            reason = f"the venue already has an order with this client id ({exc})"
        else:
            reason = f"{type(exc).__name__}: {exc}"
        if is_breaker_failure(exc) or not isinstance(exc, VenueError):
            eng.breaker.record_failure(type(exc).__name__)
        eng.metrics.count_error(getattr(exc, "code", None) or type(exc).__name__)
        return self.unknown(spec, reason)

    # -- outcomes -------------------------------------------------------------------------------------
    def rejected_locally(self, slot: int, why: str) -> None:
        """Nothing left the engine: REJECTED, the open set updated once the store accepted it."""
        self.tracker.reject(slot, -1)
        self.eng.metrics.rejected += 1
        log.info("order %s not sent: %s", self.tracker.store.client_id(slot), why)

    def rejected_by_venue(self, slot: int, exc: VenueError):
        eng = self.eng
        code = exc.code if isinstance(exc.code, int) else -1
        self.tracker.reject(slot, code)
        eng.metrics.rejected += 1
        eng.metrics.count_error(exc.code)
        if is_breaker_failure(exc):
            eng.breaker.record_failure(f"{type(exc).__name__} {exc.code}")
        else:
            eng.breaker.record_success()  # the venue answered: a rejection is not a venue failure
        if exc.http_status == 418 or type(exc).__name__ == "IpBanned":
            eng.breaker.trip("IP banned by the venue", cooldown_s=exc.retry_after or None)
        view = self.tracker.view(slot)
        eng.bus.emit(EventKind.REJECTED, order=view, symbol=view.symbol, error=str(exc), code=exc.code)
        raise exc

    def unknown(self, spec: OrderSpec, why: str, *, resend: bool = True):
        """The answer is lost or unreadable: UNKNOWN, evented, resolved by client id (never blindly re-sent)."""
        eng = self.eng
        slot = spec.slot
        if spec.sent_ms <= 0:
            spec.sent_ms = eng.adapter.clock.now_ms()   # an upper bound of the signed timestamp
        if not self.tracker.mark_unknown(slot):
            if self.tracker.state(slot) == OrderState.UNKNOWN:
                eng.resolver.start(slot, resend=resend)       # a re-send whose answer was lost again
            else:
                log.info("order %s: answer lost (%s) but the stream already reported it", spec.client_id, why)
            return self.tracker.view(slot)
        log.warning("order %s: outcome unknown (%s); resolving by its client order id", spec.client_id, why)
        view = self.tracker.view(slot)
        eng.bus.emit(EventKind.UNKNOWN, order=view, symbol=view.symbol, reason=why)
        eng.resolver.start(slot, resend=resend)
        return view


async def _ready(value):
    """An awaitable of what is already known."""
    return value


class _Unknown(Exception):
    """Internal: the write failed after the bytes left; the order is already UNKNOWN."""


TOLD_BY_EVENTS = (VenueError, TransportError, _Unknown)
"""A submitted order's errors after the write: its events tell them (a documented rejection raises from
:meth:`Placement.rejected_by_venue`); they are not raised again, nor logged as unexpected."""
