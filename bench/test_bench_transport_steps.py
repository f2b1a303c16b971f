"""Micro benchmarks of the transport's steps of one request, compiled (``engine._transport_steps``), each
beside the Python bodies they replaced (kept here as the baselines, in subclasses of the same classes).

Run: python -m pytest bench/test_bench_transport_steps.py --benchmark-enable --benchmark-max-time=0.3

- ``http``: what the lean HTTP path does for an order already encoded and signed, up to the bytes handed to
  the transport: the venue clock (``ClockSync.now_ms``), then ``LeanHttpPath.write_now``: the warm
  connection (``FastHttpClient.current``), the rate budget (``RateLimiter.try_take``), the write and the
  answer's future and deadline (``FastHttpConnection.send``).  The transport is a sink (no socket: the
  steps alone), and each request's pending entry is dropped after it.
- ``ws``: the same for a frame on a WebSocket order API: the venue clock, the rate budget, then
  ``InflightRequests.send``: the hand-over (``ReconnectingWebSocket.send``, stamped) and the answer's registration
  (``InflightRequests.register``: its future, the deadline heap); the request is then taken back, as its answer
  would take it.
"""

import asyncio
import heapq
import time

import pytest

from engine.transport.errors import ConnectionLost
from engine.transport.fast_http import FastHttpClient, FastHttpConnection
from engine.transport.inflight import InflightRequests
from engine.transport.lean_path import LeanHttpPath
from engine.transport.ratelimit import Cost, RateLimiter, Window
from engine.transport.timesync import ClockSync
from engine.transport.ws import ReconnectingWebSocket

REQUEST = (b"POST /api/v3/order HTTP/1.1\r\nHost: 127.0.0.1\r\nX-MBX-APIKEY: bench\r\nContent-Length: 180\r\n\r\n"
           + b"x" * 180)
COST = Cost(weight=1, orders=1)
_TEXT = 1


class _Sink:
    """A transport that takes the bytes and is never closing (HTTP: ``write``; picows: ``send``)."""

    write = staticmethod(len)
    is_closing = staticmethod(bool)

    @staticmethod
    def send(kind, payload):
        return None


# -- the Python bodies before (baselines) ----------------------------------------------------------------------
class _PyClock(ClockSync):
    def now_ms(self) -> int:
        return int(self.clock() * 1000.0 + self.offset_ms)


class _PyLimiter(RateLimiter):
    def try_take(self, cost) -> bool:
        got = self._gate.take(cost)
        while got < 0:
            if got == -1:
                self.check_ban()
            else:
                self._plan(cost)
            got = self._gate.take(cost)
        return got == 1


class _PyClient(FastHttpClient):
    def current(self):
        conn = self._conn
        if conn is None or conn._closed:
            return None
        transport = conn._transport
        return conn if transport is not None and not transport.is_closing() else None


class _PyConn(FastHttpConnection):
    def send(self, request, timeout=None):
        transport = self._transport
        if self._closed or transport is None or transport.is_closing():
            raise ConnectionLost("connection is closed; nothing was sent", sent=False)
        transport.write(request)
        self.last_write_ns = time.perf_counter_ns()
        self.requests_sent += 1
        loop = self._loop
        fut = loop.create_future()
        delay = self._read_timeout if timeout is None else timeout
        deadline = loop.time() + delay
        self._pending.append((fut, deadline, delay))
        if self._timer is None:
            self._timer = loop.call_at(deadline, self._check_deadlines)
        return fut


class _PyLean(LeanHttpPath):
    def write_now(self, cost, request, ts, timeout=None):
        conn = self.http.current()
        if conn is None or not self.limiter.try_take(cost):
            return None
        fut = conn.send(request, timeout)
        self.sent += 1
        self.last_ts = ts
        return fut


class _PyWs(ReconnectingWebSocket):
    def send(self, payload, text=True):
        t = self._transport
        if t is None:
            raise ConnectionError(f"{self.name}: not connected")
        self.last_send_ns = time.perf_counter_ns()
        t.send(_TEXT, payload)


class _PyInflight(InflightRequests):
    def send(self, ws, rid, frame, what, timeout):
        try:
            ws.send(frame)
        except ConnectionError:
            raise ConnectionLost(f"{what}: socket not connected; nothing was sent", sent=False) from None
        return self.register(rid, what, timeout)

    def register(self, rid, what, timeout):
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        fut = loop.create_future()
        pending = self.pending
        pending[rid] = fut
        deadline = loop.time() + timeout
        heap = self._heap
        while heap and heap[0][1] not in pending:
            heapq.heappop(heap)
        heapq.heappush(heap, (deadline, rid, what, timeout))
        if self._timer is None or deadline < self._timer_at:
            self._arm(deadline)
        return fut


def _limiter(cls):
    return cls("bench", weight=[Window("weight", 10 ** 15, 60.0)], orders=[Window("orders", 10 ** 15, 10.0)])


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()         # not running: futures and timers are made, nothing is run
    yield loop
    loop.close()


# -- http ---------------------------------------------------------------------------------------------------------
def _http_step(loop, clock_cls, client_cls, conn_cls, limiter_cls, lean_cls):
    http = client_cls("http://127.0.0.1:1")
    conn = conn_cls(loop, 10.0)
    conn._transport = _Sink()
    http._conn = conn
    clock, lean = clock_cls(None), lean_cls(http, _limiter(limiter_cls), None)
    pending = conn._pending

    def step():
        fut = lean.write_now(COST, REQUEST, clock.now_ms())
        pending.clear()
        return fut
    return step, lean


@pytest.mark.benchmark(group="http")
def test_http_request_steps_compiled(steady, loop):
    step, lean = _http_step(loop, ClockSync, FastHttpClient, FastHttpConnection, RateLimiter, LeanHttpPath)
    assert step() is not None
    steady(step)
    assert lean.sent > 2_000


@pytest.mark.benchmark(group="http")
def test_http_request_steps_python_baseline(steady, loop):
    step, lean = _http_step(loop, _PyClock, _PyClient, _PyConn, _PyLimiter, _PyLean)
    assert step() is not None
    steady(step)
    assert lean.sent > 2_000


# -- ws -----------------------------------------------------------------------------------------------------------
def _ws_step(loop, clock_cls, limiter_cls, ws_cls, inflight_cls):
    ws = ws_cls("ws://127.0.0.1:1/ws", lambda payload: None, name="bench")
    ws._transport = _Sink()
    inflight = inflight_cls("bench")
    inflight._loop = loop
    clock, limiter = clock_cls(None), _limiter(limiter_cls)
    frame = b'{"id":1,"method":"order.place","params":{}}' + b"x" * 200
    rid = [0]

    def step():
        clock.now_ms()
        limiter.try_take(COST)
        rid[0] += 1
        fut = inflight.send(ws, rid[0], frame, "order.place", 10.0)
        inflight.take(rid[0])
        return fut
    return step, ws


@pytest.mark.benchmark(group="ws")
def test_ws_request_steps_compiled(steady, loop):
    step, ws = _ws_step(loop, ClockSync, RateLimiter, ReconnectingWebSocket, InflightRequests)
    assert step() is not None and ws.last_send_ns > 0
    steady(step)


@pytest.mark.benchmark(group="ws")
def test_ws_request_steps_python_baseline(steady, loop):
    step, ws = _ws_step(loop, _PyClock, _PyLimiter, _PyWs, _PyInflight)
    assert step() is not None and ws.last_send_ns > 0
    steady(step)
