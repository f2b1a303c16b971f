"""A WebSocket that stays up: picows on the running loop, reconnect with backoff and jitter.

:class:`ReconnectingWebSocket` owns one connection at a time.  Its listener is compiled
(:class:`engine._ws_listener.FrameListener`: picows calls it in C): each text or binary
frame goes to a compiled ``sink`` (:class:`~engine._ws_listener.FrameSink`, the payload
borrowed for the call, no object made) or else to ``on_message`` as bytes.  It runs ``on_connected``
after every (re)connect (authenticate, subscribe, reconcile), and counts a stream that
goes silent as dropped: when nothing arrives for ``idle_timeout`` it pings (a protocol
ping, or the venue's own JSON ping), and no answer within ``reply_timeout`` closes the
connection, which then reconnects like any other drop.

Plain ``ws://`` is for a loopback host only (the local simulator): the URL is checked
when the socket is built (or, for a URL made per connection, each time it is made),
and a cleartext URL to a remote host is a :class:`~engine.errors.ConfigError`, never
a connection attempt.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl as _ssl
from typing import Awaitable, Callable

import picows

from engine._transport_steps import ws_send
from engine._ws_listener import FrameListener, FrameSink
from engine.errors import ConfigError
from engine.hosts import check_cleartext

__all__ = ["ReconnectingWebSocket"]

log = logging.getLogger("engine.transport.ws")

OnMessage = Callable[[bytes, bool], None]  # payload, is_text
_TEXT, _BINARY = picows.WSMsgType.TEXT, picows.WSMsgType.BINARY


class ReconnectingWebSocket:
    """One logical stream over successive WebSocket connections.

    Raises
    ------
    ConfigError
        (a ``ValueError``) for a ``ws://`` URL whose host is not loopback: here for a
        fixed URL, from :meth:`start` for a URL made per connection.
    """

    def __init__(
        self,
        url: str | Callable[[], str],
        on_message: OnMessage | None,
        *,
        sink: FrameSink | None = None,
        name: str = "ws",
        on_connected: Callable[["ReconnectingWebSocket"], Awaitable[None]] | None = None,
        on_disconnected: Callable[["ReconnectingWebSocket"], None] | None = None,
        idle_timeout: float = 20.0,
        reply_timeout: float = 10.0,
        user_ping: bytes | None = None,
        is_pong: Callable[[bytes], bool] | None = None,
        backoff: tuple[float, float] = (0.5, 30.0),
        jitter: float = 0.2,
        ssl_context: _ssl.SSLContext | None = None,
        handshake_timeout: float = 5.0,
        ping_periodically: bool = False,
        rng: random.Random | None = None,
    ):
        if not 0 < reply_timeout <= idle_timeout:
            raise ValueError("need 0 < reply_timeout <= idle_timeout")
        if not callable(url):
            check_cleartext(url, f"{name} WebSocket URL")
        self._url = url
        # one listener for every connection (its counts cover them all); picows calls it in C
        self._listener = FrameListener(self, on_message, sink)
        self.name = name
        self.on_connected = on_connected
        self.on_disconnected = on_disconnected
        self.idle_timeout = idle_timeout
        self.reply_timeout = reply_timeout
        self.user_ping = user_ping
        self.is_pong = is_pong
        self.backoff = backoff
        self.jitter = jitter
        self.ssl_context = ssl_context
        self.handshake_timeout = handshake_timeout
        # Bybit wants a client ping every 20 s whatever the traffic; others only when idle.
        self.ping_strategy = (picows.WSAutoPingStrategy.PING_PERIODICALLY if ping_periodically
                              else picows.WSAutoPingStrategy.PING_WHEN_IDLE)
        self._rng = rng or random.Random()
        self._transport = None
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._ready = asyncio.Event()
        self._up = False                 # _ready is set (kept beside it for connected)
        self.fatal: BaseException | None = None   # what ended the connect loop for good, if anything
        self.connects = 0
        self.disconnects = 0
        self.failed_connects = 0
        # perf_counter_ns() as the last frame was handed to the transport (call-to-wire).  Stamped before the
        # hand-over: picows writes a cleartext frame at once, and on loopback the kernel delivers it to the
        # reader inside that write (~10 µs here), while uvloop (the HTTP path) queues a write until the end of
        # the loop's iteration; so both transports' stamps mean "handed over", neither "delivered".
        self.last_send_ns = 0

    @property
    def messages(self) -> int:
        """Text and binary frames received, over every connection."""
        return self._listener.messages

    @property
    def handler_errors(self) -> int:
        """Frames whose handler raised (counted and logged; the stream goes on)."""
        return self._listener.handler_errors

    @property
    def connected(self) -> bool:
        return self._transport is not None and self._up

    def url(self) -> str:
        """The URL for the next connection (checked: no ``ws://`` to a remote host)."""
        if not callable(self._url):
            return self._url
        url = self._url()
        check_cleartext(url, f"{self.name} WebSocket URL")
        return url

    async def start(self, wait: bool = True, timeout: float = 10.0) -> None:
        """Start the connect loop; with ``wait``, return once the first connection is ready."""
        if self._task is None and callable(self._url):
            self.url()  # a URL made per connection: refuse cleartext before any attempt
        if self._task is None:
            self._stopping = False
            self.fatal = None
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"ws:{self.name}")
        if wait:
            await self.wait_ready(timeout)

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Until the connection is ready; raises the error that ended the connect loop for good (a
        refusal the set-up hook marks ``fatal``, e.g. bad credentials) rather than waiting it out."""
        ready = asyncio.ensure_future(self._ready.wait())
        task = self._task
        try:
            waiters = {ready} | ({task} if task is not None else set())
            done, _ = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if self.fatal is not None:
            raise self.fatal
        if not done or ready not in done and not self._ready.is_set():
            raise asyncio.TimeoutError(f"{self.name}: not connected within {timeout} s")

    # (payload, text=True): hand one frame to the current connection (ConnectionError when there is none,
    # nothing sent); ``last_send_ns`` stamped at the hand-over.  Compiled (engine._transport_steps).
    send = ws_send

    def drop(self) -> None:
        """Close the current connection (it reconnects); for tests and for stale streams."""
        t = self._transport
        if t is not None:
            t.disconnect(graceful=False)

    async def stop(self) -> None:
        self._stopping = True
        t = self._transport
        if t is not None:
            t.disconnect()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None
        self._ready.clear()
        self._up = False

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping:
            try:
                url = self.url()
            except ConfigError:
                # Not a network fault: retrying cannot help, and plain text must not be sent.
                log.exception("%s: refusing the WebSocket URL; the stream stops", self.name)
                return
            try:
                transport, _ = await picows.ws_connect(
                    lambda: self._listener, url, ssl_context=self.ssl_context,
                    websocket_handshake_timeout=self.handshake_timeout, enable_auto_ping=True,
                    auto_ping_idle_timeout=self.idle_timeout, auto_ping_reply_timeout=self.reply_timeout, auto_ping_strategy=self.ping_strategy,
                    logger_name=f"engine.{self.name}",
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.failed_connects += 1
                delay = self._delay(attempt)
                attempt += 1
                log.warning("%s: connect failed (%s: %s); retry in %.2f s", self.name, type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                continue
            self.connects += 1
            try:
                if self.on_connected is not None:
                    await self.on_connected(self)
                attempt = 0
                self._ready.set()
                self._up = True          # (what connected reads: the event's state without a call)
                await transport.wait_disconnected()
            except asyncio.CancelledError:
                transport.disconnect()
                raise
            except Exception as exc:
                transport.disconnect()
                if getattr(exc, "fatal", False) and self.connects == 1:
                    # refused for good on the very first connection (bad key or signature): retrying
                    # cannot help, and the caller of start() hears it now
                    log.error("%s: refused at the first connect (%s: %s); not retrying", self.name,
                              type(exc).__name__, exc)
                    self.fatal = exc
                    self._transport = None
                    return
                log.warning("%s: set-up after connect failed (%s: %s)", self.name, type(exc).__name__, exc)
                attempt += 1
            self._ready.clear()
            self._up = False
            self._transport = None
            if self._stopping:
                break
            self.disconnects += 1
            log.warning("%s: disconnected; reconnecting", self.name)
            if self.on_disconnected is not None:
                try:
                    self.on_disconnected(self)
                except Exception:
                    log.exception("%s: on_disconnected failed", self.name)
            await asyncio.sleep(self._delay(attempt))
            attempt += 1

    def _delay(self, attempt: int) -> float:
        base, cap = self.backoff
        d = min(cap, base * (2 ** attempt))
        return d * (1.0 + self._rng.uniform(-self.jitter, self.jitter))
