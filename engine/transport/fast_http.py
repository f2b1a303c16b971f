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
- connection closed mid-answer: :class:`ConnectionLost` for everything in flight;
- an answer that is not HTTP/1.1, ``101 Switching Protocols``, or an answer over a size
  cap (body bytes, header count, head bytes): :class:`ProtocolError` with ``sent=True``
  for everything in flight, and the connection is closed;
- the caller finds the pairing broken (a 2xx answer naming another order than its
  request): :meth:`FastHttpConnection.fail` closes the connection and fails the rest
  in flight with the caller's exception.

Interim ``1xx`` answers (100 Continue, 102 Processing, 103 Early Hints; RFC 9110
§15.2) are not answers to a request: they are counted and skipped, the final answer
that follows is the one paired.

:class:`FastHttpClient` keeps one connection warm and reconnects on demand.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import socket
import ssl as _ssl
from urllib.parse import urlsplit

import httptools

from engine.hosts import check_cleartext
from engine._http_answer import HttpResponse, split_head, take_plain
from engine._transport_steps import http_current, http_send
from engine.transport.errors import ConnectFailed, ConnectionLost, ProtocolError, RequestTimeout

__all__ = ["HttpResponse", "split_head", "FastHttpConnection", "FastHttpClient", "MAX_BODY_BYTES", "MAX_HEADERS",
           "MAX_HEADER_BYTES"]

log = logging.getLogger("engine.transport.fast_http")

# Size caps of one answer, so a broken or hostile peer cannot make us buffer without end.
MAX_BODY_BYTES = 1 << 20      # body bytes (after chunked decoding)
MAX_HEADERS = 100             # header lines (trailers of a chunked body included)
MAX_HEADER_BYTES = 64 << 10   # bytes of the head: status line and header lines


class _Stop(Exception):
    """Raised inside a parser callback to stop parsing: the connection has already failed."""


# A request in flight: (future of its answer, loop.time() by which the answer must be complete, its
# timeout in seconds).  A plain tuple: one is made per request.
_FUTURE, _DEADLINE, _TIMEOUT = 0, 1, 2


class FastHttpConnection(asyncio.Protocol):
    """One persistent HTTP/1.1 connection; answers matched to requests in order.

    Rules:

    1. The n-th final (non-1xx) answer belongs to the n-th request still in flight.
    2. Anything that may break rule 1 (a timeout, bytes that are not HTTP, an answer over
       a cap, a 101, :meth:`fail`) closes the connection and fails every request in
       flight: none of them can be paired any more.
    3. Bytes arriving after the connection failed are dropped unread.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float, *,
                 max_body_bytes: int = MAX_BODY_BYTES, max_headers: int = MAX_HEADERS,
                 max_header_bytes: int = MAX_HEADER_BYTES):
        if max_body_bytes <= 0 or max_headers <= 0 or max_header_bytes <= 0:
            raise ValueError("answer size caps must be positive")
        self._loop = loop
        self._read_timeout = read_timeout
        self.max_body_bytes = max_body_bytes
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._pending: collections.deque[tuple[asyncio.Future, float, float]] = collections.deque()
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        # Accounting of the answer being parsed (reset at each message begin).
        self._in_message = False   # between message begin and message complete
        self._in_head = False      # between message begin and headers complete
        self._began_here = False   # the message began in the chunk being fed
        self._chunk = 0            # size of the read being parsed (a head in one read is at most that)
        self._body_bytes = 0
        self._wire_bytes = 0       # bytes of later chunks wholly inside this message
        self._closed = False
        self._close_reason: Exception | None = None
        self._timer: asyncio.TimerHandle | None = None  # one timer per connection, not per request
        self.requests_sent = 0
        self.responses_received = 0
        self.interim_answers = 0  # 1xx answers skipped
        # perf_counter_ns() as the last request was handed to the transport (call-to-wire; uvloop queues the
        # write until the end of the loop's iteration: see ReconnectingWebSocket.last_send_ns)
        self.last_write_ns = 0

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
        max_body_bytes: int = MAX_BODY_BYTES,
        max_headers: int = MAX_HEADERS,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ) -> "FastHttpConnection":
        loop = asyncio.get_running_loop()
        proto = cls(loop, read_timeout, max_body_bytes=max_body_bytes, max_headers=max_headers,
                    max_header_bytes=max_header_bytes)
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

    def fail(self, exc: BaseException) -> None:
        """Close the connection and fail every request in flight with ``exc``.

        For a caller that finds the pairing broken, e.g. a 2xx answer whose client order
        id is not its request's: every answer still to come on this connection would be
        paired with the wrong request, so none may be read.  Requests sent later go to a
        new connection (:class:`FastHttpClient` reopens on demand).

        Parameters
        ----------
        exc
            What every request in flight fails with; a :class:`ProtocolError` with
            ``sent=True`` says their outcome is unknown.
        """
        if self._close_reason is None:
            self._close_reason = exc  # type: ignore[assignment]
        self._fail_all(exc)  # type: ignore[arg-type]
        self.close()

    # -- requests ---------------------------------------------------------------
    # (request, timeout=None) -> the future of its HttpResponse: the request written first, its future
    # registered after (nothing can answer or fail it in between).  Compiled (engine._transport_steps).
    send = http_send

    async def request(self, request: bytes | bytearray | memoryview, timeout: float | None = None) -> HttpResponse:
        return await self.send(request, timeout)

    def _check_deadlines(self) -> None:
        """The connection's single timer: fire the earliest overdue request, else re-arm."""
        self._timer = None
        if not self._pending:
            return
        now = self._loop.time()
        first = min(self._pending, key=lambda p: p[_DEADLINE])
        if first[_DEADLINE] > now:
            self._timer = self._loop.call_at(first[_DEADLINE], self._check_deadlines)
            return
        # Answers are matched by position: after a timeout that order is broken, so the
        # connection goes and every request on it has an unknown outcome.
        log.warning("HTTP answer not received within %.3f s; closing the connection (%d in flight)",
                    first[_TIMEOUT], len(self._pending))
        self._close_reason = RequestTimeout(f"no answer within {first[_TIMEOUT]:.3f} s", sent=True)
        self._fail_all(self._close_reason)
        self.close()

    def _fail_all(self, exc: Exception) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._pending:
            fut = self._pending.popleft()[_FUTURE]
            if not fut.done():
                fut.set_exception(exc)

    # -- protocol callbacks (httptools) -------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._closed:
            return  # rule 3: the connection failed; nothing after that is an answer
        pending = self._pending
        if not self._in_message and pending:
            # At an answer's start: the plain answers whole in this read are framed in C, without
            # httptools' callback per header, and paired with their requests (rule 1); the rest (an
            # odd or a partial answer) goes to httptools.
            waiting = len(pending)
            pos = take_plain(data, pending, self.max_headers, self.max_header_bytes, self.max_body_bytes)
            self.responses_received += waiting - len(pending)
            if pos:
                if pos == len(data):
                    return
                data = data[pos:]
        self._began_here = False
        self._chunk = len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._protocol_error("unexpected protocol upgrade")
            return
        except httptools.HttpParserError as exc:
            if not self._closed:  # a callback that raised _Stop has already failed the connection
                self._protocol_error(f"invalid HTTP from peer: {exc}")
            return
        if self._in_message and not self._began_here:
            # httptools buffers a header line until it is complete, so a head growing
            # without end is seen here, by the bytes fed, before on_header sees it.
            self._wire_bytes += len(data)
            if self._in_head and self._wire_bytes > self.max_header_bytes:
                self._protocol_error(f"answer head over {self.max_header_bytes} bytes")
            elif self._wire_bytes > 2 * (self.max_header_bytes + self.max_body_bytes):
                self._protocol_error("answer over twice its size caps in wire bytes (framing, trailers)")

    def _protocol_error(self, message: str) -> None:
        log.error("%s; closing the connection", message)
        self._close_reason = ProtocolError(message, sent=True)
        self._fail_all(self._close_reason)
        self.close()

    def _stop(self, message: str):
        """Fail the connection from inside a parser callback and stop the parser."""
        self._protocol_error(message)
        raise _Stop(message)

    def on_message_begin(self) -> None:
        self._headers = []
        self._body = []
        self._in_message = self._in_head = self._began_here = True
        self._body_bytes = self._wire_bytes = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        # Called for every header of every answer: kept to the bone.  The count and byte caps are
        # checked once the head is complete (a head arriving over several reads is capped earlier,
        # by the bytes data_received is fed), the announced body size here.
        name = name.lower()
        if name == b"content-length":
            text = value.strip()
            if text.isdigit() and int(text) > self.max_body_bytes:
                self._stop(f"answer body of {int(text)} bytes is over the {self.max_body_bytes}-byte cap")
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._in_head = False
        headers = self._headers
        if len(headers) > self.max_headers:
            self._stop(f"answer has more than {self.max_headers} header lines")
        # A head that began and ended in one read is at most that read's size: counted only when the
        # read was larger than the cap (rare); one spread over reads is capped in data_received.
        cap = self.max_header_bytes
        if self._chunk > cap and sum(len(n) + len(v) for n, v in headers) > cap:
            self._stop(f"answer head over {cap} bytes")
        if self._parser.get_status_code() == 101:
            # We never ask for an upgrade: after a 101 the peer speaks another protocol.
            self._stop("101 Switching Protocols on an HTTP/1.1 request connection")

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self.max_body_bytes:
            self._stop(f"answer body over the {self.max_body_bytes}-byte cap")
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._in_message = False
        status = self._parser.get_status_code()
        if status < 200:
            # An interim answer (RFC 9110 §15.2): the final answer to the same request follows.
            self.interim_answers += 1
            return
        self.responses_received += 1
        body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
        response = HttpResponse(status, self._headers, body)
        if not self._pending:
            self._protocol_error("answer received with no request in flight")
            return
        fut = self._pending.popleft()[_FUTURE]
        if not fut.done():
            fut.set_result(response)
        if not self._parser.should_keep_alive():
            self.close()


class FastHttpClient:
    """A warm keep-alive connection to one origin, reopened when it drops.

    ``base_url`` is ``http://127.0.0.1:port`` (simulator) or ``https://host`` (TLS via
    the event loop's ssl support, certificate verified).  Plain ``http://`` to a host
    that is not loopback is refused.

    Raises
    ------
    ValueError
        Not an http(s) URL; :class:`~engine.errors.ConfigError` (a ``ValueError``) for
        ``http://`` to a host that is not loopback.
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        ssl_context: _ssl.SSLContext | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_headers: int = MAX_HEADERS,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"fast path needs an http(s) URL, got {parts.scheme!r}")
        check_cleartext(base_url, "fast path URL")
        if max_body_bytes <= 0 or max_headers <= 0 or max_header_bytes <= 0:
            raise ValueError("answer size caps must be positive")
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.tls = parts.scheme == "https"
        self.host_header = parts.netloc.encode()
        self.path_prefix = parts.path.rstrip("/")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_body_bytes = max_body_bytes
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes
        self._ssl = (ssl_context or _ssl.create_default_context()) if self.tls else None
        self._conn: FastHttpConnection | None = None
        self._connecting: asyncio.Future | None = None
        self.reconnects = 0

    # () -> the warm connection if it is open, else None; never connects (see :meth:`connection`).  Compiled.
    current = http_current

    async def connection(self) -> FastHttpConnection:
        """The open connection, connecting first when there is none."""
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
                max_body_bytes=self.max_body_bytes, max_headers=self.max_headers,
                max_header_bytes=self.max_header_bytes,
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
        conn = self.current()
        if conn is None:
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
