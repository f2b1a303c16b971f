"""Resolving UNKNOWN orders without ever sending twice what the venue may have taken.

An order is UNKNOWN when its request left and no readable, matching answer came back.
The venue may have it (processed, then the answer was lost or replaced by an error), may
get it later (the request still on its way, or queued inside the venue: it is accepted
until its ``timestamp + recvWindow``), or may never have seen it.  The rules:

1. The stream or an answer may settle it at any time: then it is resolved ("stream").
2. It is queried by its client order id (backoff 0.2 s doubling, at most ``max_poll_s``).
   Found: the venue's report is applied, fills included ("adopted").
3. Not found proves nothing while the venue may still accept the request.  Only once the
   venue's clock (our clock plus the measured offset, minus its uncertainty) is past
   ``timestamp + recvWindow`` + a margin, and two queries at least ``confirm_s`` apart
   both say the venue does not have it, is it known never to have been placed.
4. Then it is re-sent with the same client id only if re-sending is allowed for it: the
   engine is not halted, the breaker lets orders through, the caller did not withdraw it
   (a cancelled task), and it is not an order that executes at once (MARKET, IOC, FOK),
   unless the engine was built with ``resend_lost="all"`` (``"never"`` re-sends nothing).
   On a venue that takes a second order under a client id it already holds
   (``Capability.NEVER_RESEND``) nothing is re-sent: were "not found" wrong, the venue would
   not refuse the copy as a duplicate, and one intent would trade twice.  Otherwise it ends
   NOT_PLACED (terminal) with the event ``not_placed``.
5. A re-send is a new request with its own timestamp: its answer is applied, or it is
   UNKNOWN again and the rules start over; a documented rejection rejects it.
6. When the venue cannot be asked (queries failing), the order stays UNKNOWN and keeps
   being asked; after ``give_up_s`` it is counted as unresolved and handed to the
   stuck-order check (:mod:`engine.oms.liveness`), which keeps asking with a backoff.
7. The kill switch stops every resolution: nothing is re-sent after ``halt()``.  An order whose
   answer is lost after it (written before, its answer late) is still asked about, never re-sent.
"""

from __future__ import annotations

import asyncio
import logging

from engine._enums import ExecType, OrderState
from engine.oms.admission import executes_at_once
from engine.oms.breaker import BreakerState
from engine.oms.events import EventKind
from engine.transport.errors import TransportError
from engine.venues.base import Capability
from engine.venues.errors import VenueError, is_definite_rejection

__all__ = ["UnknownResolver", "RESEND_POLICIES"]

log = logging.getLogger("engine.oms.resolve")

RESEND_POLICIES = ("never", "resting", "all")


class UnknownResolver:
    """Resolution of UNKNOWN orders for one engine (module docstring)."""

    def __init__(self, engine, *, resend: str = "resting", margin_ms: int = 500, confirm_s: float = 0.3,
                 max_poll_s: float = 10.0, give_up_s: float = 600.0) -> None:
        if resend not in RESEND_POLICIES:
            raise ValueError(f"resend_lost must be one of {RESEND_POLICIES}, got {resend!r}")
        self.eng = engine
        self.resend_policy = resend
        self.margin_ms = margin_ms
        self.confirm_s = confirm_s
        self.max_poll_s = max_poll_s
        self.give_up_s = give_up_s
        self._tasks: dict[int, asyncio.Task] = {}
        self._no_resend: set[int] = set()
        self._asking: set[int] = set()       # slots whose query or re-send is in flight (they say how themselves)
        self.stopped = False
        self.adopted = 0
        self.from_stream = 0
        self.resent = 0
        self.not_placed = 0
        self.unresolved = 0

    def counters(self) -> dict[str, int]:
        return {"adopted": self.adopted, "stream": self.from_stream, "resent": self.resent,
                "not_placed": self.not_placed, "unresolved": self.unresolved, "resolving": len(self._tasks)}

    def is_resolving(self, slot: int) -> bool:
        return slot in self._tasks

    def start(self, slot: int, *, resend: bool = True) -> None:
        """Resolve ``slot`` (UNKNOWN) in the background; ``resend=False``: never re-send it (rule 4)."""
        if not resend or self.stopped:
            # after the kill switch nothing is re-sent, but an order whose answer is lost after it (written
            # before it, answered late) is still asked about, so it ends NOT_PLACED or as the venue has it
            self._no_resend.add(slot)
        if slot in self._tasks:
            return
        task = self.eng.spawn(self._resolve(slot), f"resolve:{self.eng.store.client_id(slot)}")
        self._tasks[slot] = task
        task.add_done_callback(lambda t, s=slot: self._tasks.pop(s, None))

    def heard(self, slot: int) -> None:
        """The venue's first word on an UNKNOWN order arrived by itself (its stream, a late answer): resolved
        at once, before that word's own events are told."""
        task = self._tasks.get(slot)
        if task is None or slot in self._asking or self.eng.tracker.state(slot) == OrderState.UNKNOWN:
            return
        del self._tasks[slot]
        task.cancel()
        self.from_stream += 1
        eng = self.eng
        eng.bus.emit(EventKind.RESOLVED, order=eng.tracker.view(slot), symbol=eng.tracker.spec(slot).symbol,
                     how="stream")

    async def stop(self) -> None:
        """The kill switch: the resolutions under way end, nothing is re-sent (rule 7); an order that turns
        UNKNOWN later is still asked about, never re-sent."""
        self.stopped = True
        tasks = list(self._tasks.values())
        for t in tasks:
            t.cancel()
        for t in tasks:
            try:
                await t
            except (asyncio.CancelledError, Exception):
                pass

    # -- rules ----------------------------------------------------------------------------------------
    def deadline_ms(self, slot: int) -> int:
        """Venue time after which the order's request can no longer be accepted (rule 3)."""
        eng = self.eng
        spec = eng.tracker.spec(slot)
        clock = eng.adapter.clock
        if spec.sent_ms <= 0:
            # its timestamp was never recorded (a failure between write and record): now is an upper bound,
            # fixed once so the deadline does not move with the clock
            spec.sent_ms = clock.now_ms()
        return spec.sent_ms + eng.config.recv_window_ms + self.margin_ms + int(clock.rtt_ms)

    def venue_now_ms(self) -> int:
        clock = self.eng.adapter.clock
        return clock.now_ms() - int(clock.rtt_ms / 2)      # the venue's clock, at its earliest

    def may_resend(self, slot: int) -> str | None:
        """None when ``slot`` may be re-sent, else why not (rule 4)."""
        eng = self.eng
        spec = eng.tracker.spec(slot)
        if self.stopped or eng.admission.halted:
            return "the engine is halted"
        if slot in self._no_resend:
            return "the caller withdrew it"
        if Capability.NEVER_RESEND in eng.adapter.capabilities:
            return "the venue takes a second order under the same client id: a lost order is never sent again"
        if self.resend_policy == "never":
            return "re-sending lost orders is off (resend_lost='never')"
        if executes_at_once(spec) and self.resend_policy != "all":
            return "it executes at once (MARKET/IOC/FOK): a late copy would trade at another price"
        if eng.tracker.leg(slot) is not None or spec.order_type == 0:
            return "the venue created it"
        if eng.breaker.state is BreakerState.OPEN:
            # (a re-send fulfils an intent admitted before; it does not take the half-open probe)
            return f"the circuit breaker is open ({eng.breaker.reason})"
        return None

    async def _resolve(self, slot: int) -> None:
        eng = self.eng
        tracker = eng.tracker
        spec = tracker.spec(slot)
        loop = asyncio.get_running_loop()
        started = loop.time()
        delay = 0.2
        absent_since = None          # loop time of the first "not found" past the deadline
        while True:
            await asyncio.sleep(delay)
            delay = min(self.max_poll_s, delay * 2)
            if tracker.state(slot) != OrderState.UNKNOWN:
                self.from_stream += 1
                eng.bus.emit(EventKind.RESOLVED, order=tracker.view(slot), symbol=spec.symbol, how="stream")
                return
            self._asking.add(slot)
            try:
                known = await eng.reconciler.settle(slot)
            except (TransportError, VenueError) as exc:
                log.info("resolving %s: query failed (%s); asking again", spec.client_id, exc)
                known = None
            finally:
                self._asking.discard(slot)
            if known:
                if tracker.state(slot) == OrderState.UNKNOWN:
                    continue            # the venue reports it still PENDING (a list leg): ask again
                self.adopted += 1
                eng.bus.emit(EventKind.RESOLVED, order=tracker.view(slot), symbol=spec.symbol, how="adopted")
                return
            if known is False and self.venue_now_ms() > self.deadline_ms(slot):
                now = loop.time()
                if absent_since is None:
                    absent_since = now
                    delay = self.confirm_s
                    continue
                if now - absent_since >= self.confirm_s:
                    self._asking.add(slot)
                    try:
                        concluded = await self._conclude(slot)
                    finally:
                        self._asking.discard(slot)
                    if concluded:
                        return
                    absent_since, delay, started = None, 0.2, loop.time()   # re-sent, answer lost again
                    continue
            if loop.time() - started > self.give_up_s:
                self.unresolved += 1
                log.error("order %s still unknown after %.0f s; the stuck-order check keeps asking",
                          spec.client_id, self.give_up_s)
                return

    async def _conclude(self, slot: int) -> bool:
        """The venue never had it and can no longer take it: re-send or NOT_PLACED.  False: UNKNOWN again."""
        eng = self.eng
        tracker = eng.tracker
        spec = tracker.spec(slot)
        why_not = self.may_resend(slot)
        if why_not is not None:
            return self._not_placed(slot, why_not)
        log.info("order %s: the venue never had it; re-sending it with the same client id", spec.client_id)
        inst = int(eng.store.arrays["instrument"][slot])
        try:
            pending = await eng.placement.write_again(spec, inst)
        except asyncio.CancelledError:
            raise
        except TransportError as exc:
            if exc.sent:
                if spec.sent_ms <= 0:        # failed before the adapter recorded its timestamp
                    spec.sent_ms = eng.adapter.clock.now_ms()   # an upper bound of the signed timestamp
                return False                 # it left, and its answer is lost too: rules start over
            return self._not_placed(slot, f"the re-send could not be written: {exc}")
        except Exception as exc:             # limiter, ban, encoder: nothing was sent
            return self._not_placed(slot, f"the re-send could not be written: {type(exc).__name__}: {exc}")
        try:
            answer = await pending
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_definite_rejection(exc):
                tracker.reject(slot, exc.code if isinstance(exc.code, int) else -1)
                eng.metrics.rejected += 1
                view = tracker.view(slot)
                eng.bus.emit(EventKind.REJECTED, order=view, symbol=spec.symbol, error=str(exc), code=exc.code)
                return True
            log.info("re-sending %s: outcome unknown again (%s)", spec.client_id, exc)
            return False
        eng.breaker.record_success()
        eng.stream.apply_answer(answer)
        if tracker.state(slot) == OrderState.UNKNOWN:
            tracker.apply(slot, int(ExecType.EXEC_NEW), int(OrderState.NEW))
        self.resent += 1
        eng.bus.emit(EventKind.RESOLVED, order=tracker.view(slot), symbol=spec.symbol, how="resent")
        return True

    def _not_placed(self, slot: int, why: str) -> bool:
        eng = self.eng
        tracker = eng.tracker
        spec = tracker.spec(slot)
        tracker.apply(slot, int(ExecType.EXEC_NONE), int(OrderState.NOT_PLACED))
        self.not_placed += 1
        view = tracker.view(slot)
        log.warning("order %s was never placed (the venue does not have it); not re-sent: %s", spec.client_id, why)
        eng.bus.emit(EventKind.NOT_PLACED, order=view, symbol=spec.symbol, reason=why)
        return True
