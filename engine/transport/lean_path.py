"""The lean HTTP order path, written once for every venue: encode -> pace -> write on a warm connection.

A venue's order path (``engine/venues/<venue>/order_path.py``) supplies what is its own:
an ``encode(ts) -> bytes`` callable that writes the whole signed request (request line,
headers, body) with the compiled encoder, and the reading of the answer.  This module
does the rest, the same way for every venue:

1. Encode first.  Bad input raises (``EncodeError``) before any rate budget is spent or
   anything is written.
2. Take the rate budget (:class:`~engine.transport.ratelimit.RateLimiter`); when it has room
   and the connection is warm, nothing here awaits.
3. After any wait (the limiter, a reconnect) encode again with a fresh timestamp: the
   request must be signed with the time it leaves, and the encoder's buffer may have been
   reused meanwhile.
4. Write the bytes and return the future of the HTTP answer; ``last_ts`` holds the
   timestamp it was signed with until the next submit (read it right after the call: the
   order manager's exactly-once rules need it, as the venue accepts the request until
   ``timestamp + recvWindow``).

Answers are paired with requests by position on the connection.  :meth:`LeanHttpPath.unpaired`
is how a venue's reader reports an answer that names another order: the current
connection is failed (the one that answered, unless it was already replaced, when failing
the new one only costs its requests a resolution), and every request on it ends with
:class:`ProtocolError` (``sent=True``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from engine._transport_steps import lean_write_now
from engine.transport.errors import ProtocolError
from engine.transport.fast_http import FastHttpClient
from engine.transport.ratelimit import Cost, RateLimiter

__all__ = ["LeanHttpPath"]

log = logging.getLogger("engine.transport.lean_path")


class LeanHttpPath:
    """Encode, pace and write signed requests on one keep-alive connection (module docstring)."""

    def __init__(self, http: FastHttpClient, limiter: RateLimiter, clock) -> None:
        self.http = http
        self.limiter = limiter
        self.clock = clock
        self.sent = 0
        self.last_ts = 0             # the timestamp the last request was signed with (venue ms)
        self.mismatches = 0          # answers naming another request than theirs

    async def start(self) -> None:
        """Open the connection ahead of the first request."""
        await self.http.warm()

    async def close(self) -> None:
        await self.http.close()

    async def submit(self, cost: Cost, encode: Callable[[int], bytes],
                     timeout: float | None = None) -> asyncio.Future:
        """Encode, take ``cost`` of the rate budget, write; returns the future of the HTTP answer."""
        clock = self.clock
        ts = clock.now_ms()
        request = encode(ts)
        limiter = self.limiter
        waited = False
        if not limiter.try_take(cost):
            await limiter.acquire(cost)
            waited = True
        conn = self.http.current()
        if conn is None:
            conn = await self.http.connection()
            waited = True
        if waited:
            ts = clock.now_ms()
            request = encode(ts)
        fut = conn.send(request, timeout)
        self.sent += 1
        self.last_ts = ts
        return fut

    def submit_now(self, cost: Cost, encode: Callable[[int], bytes], timeout: float | None = None):
        """:meth:`submit` without waiting: the future of the answer once the bytes are written, or None
        (nothing spent, nothing written) when the connection is not open or the limiter has no room."""
        conn = self.http.current()
        if conn is None:
            return None
        ts = self.clock.now_ms()
        request = encode(ts)                # bad input raises here, before the budget is touched
        if not self.limiter.try_take(cost):
            return None
        fut = conn.send(request, timeout)
        self.sent += 1
        self.last_ts = ts
        return fut

    # (cost, request, ts, timeout=None): write a request already encoded and signed at ``ts`` when nothing has
    # to wait: the future of its answer, or None (nothing spent, nothing written) when the connection is not
    # open or the limiter has no room; the caller then goes through :meth:`submit`.  Compiled.
    write_now = lean_write_now

    def unpaired(self, what: str) -> ProtocolError:
        """An answer names another request than its own: fail the connection; returns the error to raise."""
        self.mismatches += 1
        exc = ProtocolError(f"{what}; answers and requests on this connection are no longer paired", sent=True)
        log.error("%s; closing the connection", exc)
        conn = self.http.current()
        if conn is not None:
            conn.fail(exc)
        return exc
