"""The lean order path: pre-built HTTP/1.1 request bytes on a persistent transport.

One :class:`FastHttpConnection` is a keep-alive TCP (or TLS) connection with
TCP_NODELAY.  Requests are written as ready-made bytes (request line, pre-built
headers, body from the encoders); answers are read by httptools (llhttp) and handed
back in order, so several requests may be in flight at once (HTTP/1.1 pipelining).

Failure semantics, which the order manager relies on:

- connect failure: :class:`ConnectFailed`, nothing sent, safe to retry;
- read timeout: :class:`RequestTimeout`; the connection is closed (a late answer could
  otherwise be matched to the next request) and every request in flight fails the same
  way with ``sent=True``: its outcome is unknown;
- connection closed mid-answer: :class:`ConnectionLost` for everything in flight.

:class:`FastHttpClient` keeps one connection warm and reconnects on demand.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import socket
import ssl as _ssl
import time
from urllib.parse import urlsplit

import httptools

from engine.transport.errors import ConnectFailed, ConnectionLost, ProtocolError, RequestTimeout

__all__ = ["HttpResponse", "FastHttpConnection", "FastHttpClient"]

log = logging.getLogger("engine.transport.fast_http")


class HttpResponse:
    """A complete HTTP answer: status, headers (lower-cased names, bytes) and body bytes."""

    __slots__ = ("status", "headers", "body", "_json")

    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body
        self._json = None

    def json(self):
        """The body decoded as JSON (decoded once, then cached).  Cold path only."""
        if self._json is None:
            import json
            self._json = json.loads(self.body)
        return self._json

    def header(self, name: bytes | str, default: str | None = None) -> str | None:
        """Value of a header (case-insensitive name) as str, or ``default``."""
        key = (name.encode() if isinstance(name, str) else name).lower()
        for k, v in self.headers:
            if k == key:
                return v.decode("latin-1")
        return default

    def __repr__(self) -> str:
        return f"HttpResponse(status={self.status}, body={len(self.body)} bytes)"


class _Pending:
    __slots__ = ("future", "deadline", "timeout")

    def __init__(self, future: asyncio.Future, deadline: float, timeout: float):
        self.future = future
        self.deadline = deadline  # loop.time() by which the answer must be complete
        self.timeout = timeout


class FastHttpConnection(asyncio.Protocol):
    """One persistent HTTP/1.1 connection; answers matched to requests in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float):
        self._loop = loop
        self._read_timeout = read_timeout
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._pending: collections.deque[_Pending] = collections.deque()
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._closed = False
        self._close_reason: Exception | None = None
        self._timer: asyncio.TimerHandle | None = None  # one timer per connection, not per request
        self.requests_sent = 0
        self.responses_received = 0
        self.last_write_ns = 0  # perf_counter_ns() right after the last request was written (call-to-wire)

    # -- connection -------------------------------------------------------------
    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        ssl_context: _ssl.SSLContext | None = None,
        server_hostname: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ) -> "FastHttpConnection":
        loop = asyncio.get_running_loop()
        proto = cls(loop, read_timeout)
        try:
            await asyncio.wait_for(
                loop.create_connection(
                    lambda: proto, host, port, ssl=ssl_context,
                    server_hostname=(server_hostname or host) if ssl_context else None,
                ),
                connect_timeout,
            )
        except (OSError, asyncio.TimeoutError, _ssl.SSLError) as exc:
            raise ConnectFailed(f"connect to {host}:{port} failed: {type(exc).__name__}: {exc}") from None
        return proto

    def connection_made(self, transport):
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass

    def connection_lost(self, exc):
        self._closed = True
        reason = self._close_reason or ConnectionLost(
            f"connection closed with {len(self._pending)} request(s) in flight", sent=True
        )
        self._fail_all(reason)

    @property
    def is_open(self) -> bool:
        return not self._closed and self._transport is not None and not self._transport.is_closing()

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def close(self) -> None:
        if self._transport is not None and not self._closed:
            self._transport.close()
        self._closed = True

    # -- requests ---------------------------------------------------------------
    def send(self, request: bytes | bytearray | memoryview, timeout: float | None = None) -> asyncio.Future:
        """Write a complete request; returns a future for its :class:`HttpResponse`.

        The bytes are copied into the transport's buffer before this returns, so a
        reusable encoder buffer may be overwritten right after.
        """
        if not self.is_open:
            raise ConnectionLost("connection is closed; nothing was sent", sent=False)
        loop = self._loop
        fut = loop.create_future()
        delay = self._read_timeout if timeout is None else timeout
        deadline = loop.time() + delay
        self._pending.append(_Pending(fut, deadline, delay))
        if self._timer is None:
            self._timer = loop.call_at(deadline, self._check_deadlines)
        self._transport.write(request)  # type: ignore[union-attr]
        self.last_write_ns = time.perf_counter_ns()
        self.requests_sent += 1
        return fut

    async def request(self, request: bytes | bytearray | memoryview, timeout: float | None = None) -> HttpResponse:
        return await self.send(request, timeout)

    def _check_deadlines(self) -> None:
        """The connection's single timer: fire the earliest overdue request, else re-arm."""
        self._timer = None
        if not self._pending:
            return
        now = self._loop.time()
        first = min(self._pending, key=lambda p: p.deadline)
        if first.deadline > now:
            self._timer = self._loop.call_at(first.deadline, self._check_deadlines)
            return
        # Answers are matched by position: after a timeout that order is broken, so the
        # connection goes and every request on it has an unknown outcome.
        log.warning("HTTP answer not received within %.3f s; closing the connection (%d in flight)",
                    first.timeout, len(self._pending))
        self._close_reason = RequestTimeout(f"no answer within {first.timeout:.3f} s", sent=True)
        self._fail_all(self._close_reason)
        self.close()

    def _fail_all(self, exc: Exception) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._pending:
            p = self._pending.popleft()
            if not p.future.done():
                p.future.set_exception(exc)

    # -- protocol callbacks (httptools) -------------------------------------------
    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._protocol_error("unexpected protocol upgrade")
        except httptools.HttpParserError as exc:
            self._protocol_error(f"invalid HTTP from peer: {exc}")

    def _protocol_error(self, message: str) -> None:
        log.error("%s; closing the connection", message)
        self._close_reason = ProtocolError(message, sent=True)
        self._fail_all(self._close_reason)
        self.close()

    def on_message_begin(self) -> None:
        self._headers = []
        self._body = []

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.lower(), value))

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self.responses_received += 1
        body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
        response = HttpResponse(self._parser.get_status_code(), self._headers, body)
        if not self._pending:
            self._protocol_error("answer received with no request in flight")
            return
        p = self._pending.popleft()
        if not p.future.done():
            p.future.set_result(response)
        if not self._parser.should_keep_alive():
            self.close()


class FastHttpClient:
    """A warm keep-alive connection to one origin, reopened when it drops.

    ``base_url`` is ``http://127.0.0.1:port`` (simulator) or ``https://host`` (TLS via
    the event loop's ssl support, certificate verified).
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        ssl_context: _ssl.SSLContext | None = None,
    ):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"fast path needs an http(s) URL, got {parts.scheme!r}")
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.tls = parts.scheme == "https"
        self.host_header = parts.netloc.encode()
        self.path_prefix = parts.path.rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._ssl = (ssl_context or _ssl.create_default_context()) if self.tls else None
        self._conn: FastHttpConnection | None = None
        self._connecting: asyncio.Future | None = None
        self.reconnects = 0

    async def connection(self) -> FastHttpConnection:
        conn = self._conn
        if conn is not None and conn.is_open:
            return conn
        if self._connecting is not None:
            return await asyncio.shield(self._connecting)
        loop = asyncio.get_running_loop()
        self._connecting = loop.create_future()
        try:
            conn = await FastHttpConnection.open(
                self.host, self.port, ssl_context=self._ssl, server_hostname=self.host,
                connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
            )
        except BaseException as exc:
            self._connecting.set_exception(exc)
            self._connecting.exception()  # retrieved: waiters get it via shield
            self._connecting = None
            raise
        if self._conn is not None:
            self.reconnects += 1
        self._conn = conn
        self._connecting.set_result(conn)
        self._connecting = None
        return conn

    @property
    def last_write_ns(self) -> int:
        """perf_counter_ns() right after the last request was written (0 before any)."""
        return self._conn.last_write_ns if self._conn is not None else 0

    async def warm(self) -> None:
        """Open the connection ahead of the first order."""
        await self.connection()

    async def request(self, raw: bytes | bytearray | memoryview, timeout: float | None = None) -> HttpResponse:
        conn = self._conn
        if conn is None or not conn.is_open:
            conn = await self.connection()
        return await conn.send(raw, timeout)

    def build_request(self, method: bytes, target: bytes, headers: bytes, body: bytes = b"") -> bytes:
        """Assemble request bytes: ``headers`` is a pre-built block of ``Name: value\\r\\n`` lines."""
        head = b"%s %s%s HTTP/1.1\r\nHost: %s\r\n%s" % (
            method, self.path_prefix.encode(), target, self.host_header, headers)
        if body or method in (b"POST", b"PUT", b"DELETE"):
            head += b"Content-Length: %d\r\n" % len(body)
        return head + b"\r\n" + body

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
