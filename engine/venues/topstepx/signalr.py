"""The SignalR JSON hub protocol, the part a client of the ProjectX hubs needs, over the engine's WebSocket.

Framing (Microsoft's HubProtocol.md; shared/venues/topstepx-projectx.md §7):

1. After the WebSocket opens the client sends ``{"protocol":"json","version":1}`` + 0x1E;
   the server answers ``{}`` + 0x1E (or ``{"error":...}``), possibly with more records in
   the same frame.
2. Every message is one JSON object ending with 0x1E; one frame may hold several, and
   :func:`split_records` keeps a record cut across frames until its end arrives.
3. Invocations the client makes carry an ``invocationId``; the server's completion
   (type 3) answers them with ``result`` or ``error``.  Server events are invocations
   without one (type 1), handed raw to ``on_event`` (the hot path parses them in C).
4. Pings (type 6): the client sends one whenever it has sent nothing for ``keepalive``
   seconds (the server's default timeout for a silent client is 30 s); a server that
   sends nothing, not even its own 15-second pings, for ``server_timeout`` seconds is
   pinged and, if still silent, dropped and reconnected.
5. A close message (type 7) drops the connection; it reconnects with backoff like any
   other drop (the hub's ``on_connected`` subscribes again: nothing is replayed).

:class:`HubConnection` runs one hub on :class:`~engine.transport.ws.ReconnectingWebSocket`
(picows).  Why a thin layer rather than a SignalR library, measured on loopback against the
simulator's hub: see the venue folder's docstring.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
from typing import Any, Awaitable, Callable

from engine.transport.ws import ReconnectingWebSocket

__all__ = ["RS", "HANDSHAKE", "PING", "HubConnection", "HubError", "invocation", "split_records",
           "redact", "RedactTokens"]

log = logging.getLogger("engine.venues.topstepx.signalr")

RS = b"\x1e"
HANDSHAKE = b'{"protocol":"json","version":1}\x1e'
PING = b'{"type":6}\x1e'
_EVENT_HEAD = b'{"type":1,'
_TOKEN = re.compile(r"(access_token=|Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I)


class HubError(Exception):
    """The hub refused the handshake or an invocation (its error text)."""


def invocation(target: str, args: list[Any], invocation_id: str | None = None) -> bytes:
    """One invocation record (type 1), 0x1E-terminated."""
    msg: dict[str, Any] = {"type": 1, "target": target, "arguments": args}
    if invocation_id is not None:
        msg = {"type": 1, "invocationId": invocation_id, "target": target, "arguments": args}
    return json.dumps(msg, separators=(",", ":")).encode() + RS


def split_records(buffer: bytearray, frame: bytes) -> list[bytes]:
    """The complete records of ``buffer`` + ``frame`` (each with its 0x1E); an unfinished tail stays in
    ``buffer``.  The common case, one whole record in one frame, is returned without copying."""
    if not buffer and frame.endswith(RS) and frame.find(RS) == len(frame) - 1:
        return [frame]
    buffer += frame
    out = []
    start = 0
    while True:
        end = buffer.find(RS, start)
        if end < 0:
            break
        out.append(bytes(buffer[start:end + 1]))
        start = end + 1
    del buffer[:start]
    return out


def redact(text: str) -> str:
    """``text`` with any bearer token or ``access_token`` value replaced (for log lines)."""
    return _TOKEN.sub(r"\1<redacted>", text)


class RedactTokens(logging.Filter):
    """A logging filter that removes tokens from a logger's records (the WebSocket library's own lines
    name the URL, and the hubs take their token in the URL's query)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:       # a record whose arguments do not format: leave it to the handler
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class HubConnection:
    """One SignalR hub over a reconnecting WebSocket (module docstring).

    Parameters
    ----------
    url : callable
        Returns the hub's WebSocket URL for the next connection (with the current token).
    on_event : callable
        ``on_event(record)`` for every server invocation (type 1), raw bytes with their 0x1E.
    on_ready : callable, optional
        ``await on_ready(hub)`` after every handshake (subscribe here); an exception drops the
        connection, which reconnects.
    on_disconnected : callable, optional
        Called when a connection ends.
    """

    def __init__(self, url: Callable[[], str], on_event: Callable[[bytes], None], *, name: str,
                 on_ready: Callable[["HubConnection"], Awaitable[None]] | None = None,
                 on_disconnected: Callable[[], None] | None = None, keepalive: float = 15.0,
                 server_timeout: float = 30.0, handshake_timeout: float = 10.0,
                 invocation_timeout: float = 10.0):
        self.name = name
        self.on_event = on_event
        self.on_ready = on_ready
        self.on_disconnected_cb = on_disconnected
        self.keepalive = keepalive
        self.handshake_timeout = handshake_timeout
        self.invocation_timeout = invocation_timeout
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future] = {}
        self._handshake: asyncio.Future | None = None
        self._buffer = bytearray()
        self._keepalive_task: asyncio.Task | None = None
        self.events = 0
        self.bad_records = 0
        self.closes = 0
        self.last_close_error: str | None = None
        _scrub_logs(name)
        self.ws = ReconnectingWebSocket(url, self._on_message, name=name, on_connected=self._on_connected,
                                        on_disconnected=self._on_disconnected, idle_timeout=server_timeout,
                                        reply_timeout=min(keepalive, server_timeout), user_ping=PING,
                                        is_pong=_is_ping)

    def __repr__(self) -> str:
        return f"HubConnection({self.name!r}, connected={self.connected})"

    @property
    def connected(self) -> bool:
        return self.ws.connected

    async def start(self, timeout: float = 10.0) -> None:
        await self.ws.start(wait=True, timeout=timeout)

    async def stop(self) -> None:
        self._stop_keepalive()
        await self.ws.stop()
        self._fail_pending(ConnectionError(f"{self.name}: stopped"))

    def drop(self) -> None:
        """Close the current connection (it reconnects)."""
        self.ws.drop()

    # -- invocations -------------------------------------------------------------------------------
    async def invoke(self, target: str, *args: Any, timeout: float | None = None) -> Any:
        """Invoke a hub method and wait for its completion; returns its result, raises :class:`HubError`."""
        inv_id = str(next(self._ids))
        fut = asyncio.get_running_loop().create_future()
        self._pending[inv_id] = fut
        try:
            self.ws.send(invocation(target, list(args), inv_id))
            return await asyncio.wait_for(fut, timeout or self.invocation_timeout)
        finally:
            self._pending.pop(inv_id, None)

    def send(self, target: str, *args: Any) -> None:
        """Invoke without waiting (no invocationId: the server sends no completion)."""
        self.ws.send(invocation(target, list(args)))

    # -- connection life ------------------------------------------------------------------------------
    async def _on_connected(self, ws: ReconnectingWebSocket) -> None:
        self._buffer.clear()
        self._handshake = asyncio.get_running_loop().create_future()
        ws.send(HANDSHAKE)
        error = await asyncio.wait_for(self._handshake, self.handshake_timeout)
        if error:
            raise HubError(f"{self.name}: handshake refused: {error}")
        self._start_keepalive()
        if self.on_ready is not None:
            await self.on_ready(self)

    def _on_disconnected(self, ws: ReconnectingWebSocket) -> None:
        self._stop_keepalive()
        self._fail_pending(ConnectionError(f"{self.name}: connection lost with the invocation outstanding"))
        if self.on_disconnected_cb is not None:
            self.on_disconnected_cb()

    def _fail_pending(self, exc: Exception) -> None:
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(exc)
        if self._handshake is not None and not self._handshake.done():
            self._handshake.set_exception(exc)

    def _start_keepalive(self) -> None:
        self._stop_keepalive()
        self._keepalive_task = asyncio.get_running_loop().create_task(self._keepalive_loop(),
                                                                       name=f"{self.name}:keepalive")

    def _stop_keepalive(self) -> None:
        if self._keepalive_task is not None:
            self._keepalive_task.cancel()
            self._keepalive_task = None

    async def _keepalive_loop(self) -> None:
        """A ping whenever the client has sent nothing for ``keepalive`` seconds (rule 4)."""
        period = self.keepalive
        while True:
            quiet = (time.perf_counter_ns() - self.ws.last_send_ns) / 1e9
            if quiet >= period:
                try:
                    self.ws.send(PING)
                except ConnectionError:
                    return
                quiet = 0.0
            await asyncio.sleep(period - quiet)

    # -- reading --------------------------------------------------------------------------------------
    def _on_message(self, payload: bytes, is_text: bool) -> None:
        for record in split_records(self._buffer, payload):
            if record.startswith(_EVENT_HEAD):
                self.events += 1
                self.on_event(record)          # the hot path: raw bytes to the compiled parser
            else:
                self._control(record)

    def _control(self, record: bytes) -> None:
        """Handshake answer, completions, pings, close; anything else read as JSON (cold path)."""
        try:
            msg = json.loads(record[:-1])
        except ValueError:
            self.bad_records += 1
            log.warning("%s: unreadable hub record (%d bytes) ignored", self.name, len(record))
            return
        if not isinstance(msg, dict):
            self.bad_records += 1
            return
        hs = self._handshake
        if hs is not None and not hs.done() and "type" not in msg:
            hs.set_result(msg.get("error"))
            return
        kind = msg.get("type")
        if kind == 1:                            # an event written in another key order
            self.events += 1
            self.on_event(record)
        elif kind == 3:
            fut = self._pending.get(str(msg.get("invocationId")))
            if fut is not None and not fut.done():
                if msg.get("error"):
                    fut.set_exception(HubError(f"{self.name}: {msg['error']}"))
                else:
                    fut.set_result(msg.get("result"))
        elif kind == 7:
            self.closes += 1
            self.last_close_error = msg.get("error")
            log.warning("%s: the hub closed the connection (%s); reconnecting", self.name,
                        msg.get("error") or "no error given")
            self.ws.drop()
        elif kind != 6:
            log.info("%s: hub message of type %r ignored", self.name, kind)


def _scrub_logs(name: str) -> None:
    """Keep the token out of the WebSocket layer's log lines: picows dumps the upgrade request (the URL
    with its ``access_token``) below DEBUG on a per-connection child of ``picows.engine.<name>``, and names
    the URL at INFO on a redirect; the transport's own lines quote connect errors."""
    picows_log = logging.getLogger(f"picows.engine.{name}")
    if picows_log.level == logging.NOTSET or picows_log.level < logging.INFO:
        picows_log.setLevel(logging.INFO)
    for logger in (picows_log, logging.getLogger(f"engine.{name}"), logging.getLogger("engine.transport.ws")):
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def _is_ping(payload: bytes) -> bool:
    return payload == PING
