# cython: binding=True
"""The transport's steps of one request, compiled: the venue clock, the rate budget, the warm
connection and the write (HTTP), the frame's hand-over and its answer's registration (WebSocket).

Each function here is the method of the Python class that owns it: the class holds it as an
attribute (``FastHttpConnection.send = http_send``, ``InflightRequests.register = inflight_register``,
...).  So there is one body, in C, and a request written from compiled code (a venue's order writer)
runs no Python frame of the transport's from the order's arguments to the bytes handed to the socket.
``binding=True``: these functions bind as methods, like the Python functions they are.
"""

from libc.stdint cimport int64_t
from posix.time cimport CLOCK_MONOTONIC

from engine._clocks cimport clock_ns

from asyncio import get_running_loop
from heapq import heappop, heappush

from picows import WSMsgType

from engine.transport.errors import ConnectionLost

_TEXT, _BINARY = WSMsgType.TEXT, WSMsgType.BINARY


def clock_now_ms(self):
    """``ClockSync.now_ms``: the venue's clock now, in ms, as best known."""
    cdef double now = self.clock()
    cdef double offset = self.offset_ms
    return <int64_t>(now * 1000.0 + offset)


def limiter_try_take(self, cost):
    """``RateLimiter.try_take``, the hot path: account for ``cost`` and return True if it fits now, else
    False (then ``acquire``).

    Raises :class:`~engine.transport.errors.IpBanned` during a ban (nothing taken)."""
    gate = self._gate
    cdef int got = gate.take(cost)
    while got < 0:
        if got == -1:
            self.check_ban()               # raises while the ban lasts (ended just now: take again)
        else:
            self._plan(cost)               # the first request of this Cost object: its plan made once
        got = gate.take(cost)
    return got == 1


def http_current(self):
    """``FastHttpClient.current``: the warm connection if it is open, else None; never connects (see
    ``FastHttpClient.connection``)."""
    conn = self._conn
    if conn is None or conn._closed:
        return None
    transport = conn._transport
    return conn if transport is not None and not transport.is_closing() else None


def http_send(self, request, timeout=None):
    """``FastHttpConnection.send``: write a complete request; returns a future for its ``HttpResponse``.

    The bytes are copied into the transport's buffer before this returns, so a reusable encoder
    buffer may be overwritten right after.  The request is written first and its future registered
    after, as the WebSocket paths do: nothing can answer or fail it in between (no turn of the loop),
    and the bytes leave sooner.
    """
    transport = self._transport
    if self._closed or transport is None or transport.is_closing():
        raise ConnectionLost("connection is closed; nothing was sent", sent=False)
    transport.write(request)
    self.last_write_ns = clock_ns(CLOCK_MONOTONIC)          # time.perf_counter_ns() on Linux
    self.requests_sent += 1
    loop = self._loop
    fut = loop.create_future()
    delay = self._read_timeout if timeout is None else timeout
    deadline = loop.time() + delay
    self._pending.append((fut, deadline, delay))
    if self._timer is None:
        self._timer = loop.call_at(deadline, self._check_deadlines)
    return fut


def lean_write_now(self, cost, request, ts, timeout=None):
    """``LeanHttpPath.write_now``: write a request already encoded and signed at ``ts`` (venue ms) when
    nothing has to wait: the future of its answer, or None (nothing spent, nothing written) when the
    connection is not open or the limiter has no room; the caller then goes through
    ``LeanHttpPath.submit``, which encodes again with the time it leaves.  The venue's order paths use
    it to skip the ``encode`` callable when nothing waits."""
    conn = self.http.current()
    if conn is None or not self.limiter.try_take(cost):
        return None
    fut = conn.send(request, timeout)
    self.sent += 1
    self.last_ts = ts
    return fut


# -- WebSocket ----------------------------------------------------------------------------------------
def ws_send(self, payload, text=True):
    """``ReconnectingWebSocket.send``: hand one frame to the current connection (``ConnectionError`` when
    there is none; nothing sent).  ``last_send_ns`` is stamped at the hand-over."""
    t = self._transport
    if t is None:
        raise ConnectionError(f"{self.name}: not connected")
    self.last_send_ns = clock_ns(CLOCK_MONOTONIC)           # time.perf_counter_ns() on Linux
    t.send(_TEXT if text else _BINARY, payload)


def inflight_send(self, ws, rid, frame, what, timeout):
    """``InflightRequests.send``: write ``frame`` now and return the future its answer will settle (``register``).

    If the socket is down nothing is sent and ``ConnectionLost`` (``sent=False``) is raised."""
    try:
        ws.send(frame)
    except ConnectionError:
        raise ConnectionLost(f"{what}: socket not connected; nothing was sent", sent=False) from None
    return self.register(rid, what, timeout)


def inflight_register(self, rid, what, timeout):
    """``InflightRequests.register``: the future the answer to request ``rid``, just written, will settle: kept in
    ``pending``, failed with ``RequestTimeout`` (``sent=True``) when no answer came within ``timeout`` s.
    What ``send`` does after the write, and what a compiled writer that writes its own frames calls.

    Answered requests at the head of the deadline heap are dropped here, so the heap holds about the
    requests still waiting, not every request of the last ``timeout`` seconds."""
    loop = self._loop
    if loop is None:
        loop = self._loop = get_running_loop()
    fut = loop.create_future()
    cdef dict pending = self.pending
    pending[rid] = fut
    deadline = loop.time() + timeout
    cdef list heap = self._heap
    while heap and (<tuple>heap[0])[1] not in pending:
        heappop(heap)
    heappush(heap, (deadline, rid, what, timeout))
    if self._timer is None or deadline < self._timer_at:
        self._arm(deadline)
    return fut
