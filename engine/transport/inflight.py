"""Requests in flight on a message socket, matched to answers by id, each with its own deadline.

The one request correlator of every WebSocket venue client (order entry and general
requests alike): a request is written with :meth:`InflightRequests.send`, its answer
settles it (:meth:`resolve`, or :meth:`take` to settle it another way, e.g. with the
venue's typed error), a dropped connection fails them all (:meth:`fail_all`).

One timer serves every deadline: each request pushes ``(deadline, id)`` on a heap, and
the timer is armed at the earliest deadline of a request still waiting.  When it fires
it drops answered requests from the head of the heap, fails the waiting ones whose
deadline has passed with :class:`RequestTimeout` (``sent=True``: the outcome is
unknown), and re-arms for the next.  An answered request costs a dict pop and nothing
else: no timer handle per request, no done-callback.

A compiled writer that writes its own frames (e.g. a venue's :class:`~engine._ws_listener.FrameSink`
that also writes) registers each request it wrote with :meth:`InflightRequests.register`, and reads
answers from ``pending``, which stays the same object for the object's life (emptied in place), so
such a writer may hold it.
"""

from __future__ import annotations

import asyncio
import heapq
from typing import Hashable

from engine._transport_steps import inflight_register, inflight_send
from engine.transport.errors import RequestTimeout

__all__ = ["InflightRequests"]


class InflightRequests:
    """Futures of requests written to a socket, by request id (ids must never repeat)."""

    __slots__ = ("what", "pending", "_heap", "_timer", "_timer_at", "_loop")

    def __init__(self, what: str):
        self.what = what
        self.pending: dict[Hashable, asyncio.Future] = {}
        self._heap: list[tuple[float, Hashable, str, float]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return len(self.pending)

    def __contains__(self, rid) -> bool:
        try:
            return rid in self.pending
        except TypeError:   # an unhashable id from a hostile frame
            return False

    # (ws, rid, frame, what, timeout) -> the future its answer will settle: ``frame`` written now, then
    # :meth:`register`; ConnectionLost (``sent=False``) when the socket is down, nothing sent.  Compiled.
    send = inflight_send

    # (rid, what, timeout) -> the future the answer to request ``rid``, just written, will settle: kept in
    # ``pending``, failed with RequestTimeout (``sent=True``) after ``timeout`` s; answered requests at the
    # head of the deadline heap dropped.  What :meth:`send` does after the write, and what a compiled
    # writer that writes its own frames calls.  Compiled (engine._transport_steps).
    register = inflight_register

    def resolve(self, rid: Hashable, answer) -> bool:
        """Settle request ``rid`` with ``answer``; False if it is not (or no longer) waiting."""
        fut = self.pending.pop(rid, None)
        if fut is None or fut.done():
            return False
        fut.set_result(answer)
        return True

    def take(self, rid: Hashable) -> asyncio.Future | None:
        """Remove and return the future of ``rid`` (to settle it another way), or None."""
        try:
            return self.pending.pop(rid, None)
        except TypeError:       # an unhashable id from a hostile frame
            return None

    def fail_all(self, exc: BaseException) -> None:
        """Fail every waiting request with ``exc`` (the connection dropped or was stopped).  The
        ``pending`` dict stays the same object (emptied), so a compiled reader given it (a venue's
        :class:`~engine._ws_listener.FrameSink`) keeps reading the live one."""
        waiting = list(self.pending.values())
        self.pending.clear()
        self._heap.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for fut in waiting:
            if not fut.done():
                fut.set_exception(exc)

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = when
        self._timer = self._loop.call_at(when, self._expire)

    def _expire(self) -> None:
        self._timer = None
        heap, pending = self._heap, self.pending
        now = self._loop.time()
        while heap:
            deadline, rid, what, timeout = heap[0]
            if rid not in pending:          # answered (or failed) already
                heapq.heappop(heap)
                continue
            if deadline > now:
                self._arm(deadline)
                return
            heapq.heappop(heap)
            fut = pending.pop(rid)
            if not fut.done():
                fut.set_exception(RequestTimeout(f"{what}: no answer within {timeout:.3f} s", sent=True))
