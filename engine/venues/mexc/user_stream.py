"""MEXC spot user-data stream: listen-key lifecycle, protobuf pushes, JSON control frames.

Wire facts (shared/venues/mexc-spot.md §7):

1. A listen key comes from ``POST /api/v3/userDataStream`` (signed), lives 60 minutes,
   and ``PUT`` keeps it alive (sent every 30 minutes here; more often than every few
   seconds the venue answers 730708).  ``DELETE`` closes it.  One key is in use at a time:
   a new one replaces it and the old one is closed.
2. ``{stream}?listenKey=<key>``; then ``{"method":"SUBSCRIPTION","params":[...]}`` with the
   three ``.pb`` channels, each acknowledged by ``{"id":0,"code":0,"msg":"<channel>"}``.
   The server drops a connection without a subscription after 30 s and one without
   traffic after 60 s: ``{"method":"PING"}`` goes out every 20 s, answered ``PONG``, and no
   answer in time counts the stream as dropped (it reconnects).
3. One socket, three kinds of frame: pushes are **binary** protobuf (to ``on_event``, for
   the compiled reader), control answers are JSON **text**, and an expired or unknown key
   gets the plain text ``Invalid listen key``: a new key, a new connection.
4. No replay exists: after every reconnect, the subscription is sent again and
   ``on_reconnected`` runs (the order manager reconciles).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Awaitable, Callable

from engine.transport.ws import ReconnectingWebSocket
from engine.venues.errors import VenueError
from engine.venues.mexc.rest import MexcRest

__all__ = ["MexcUserStream", "CHANNELS"]

log = logging.getLogger("engine.venues.mexc.user_stream")

CHANNELS = ("spot@private.account.v3.api.pb", "spot@private.deals.v3.api.pb", "spot@private.orders.v3.api.pb")
_PING = b'{"method":"PING"}'
_INVALID_KEY = b"Invalid listen key"


class StreamRefused(VenueError):
    """The stream refused the subscription or the key (the connection is retried)."""


class MexcUserStream:
    """The account's private channels over one reconnecting WebSocket (module docstring)."""

    def __init__(self, rest: MexcRest, on_event: Callable[[bytes], None], *,
                 on_reconnected: Callable[[], Awaitable[None]] | None = None,
                 on_disconnected: Callable[[], None] | None = None, channels: tuple[str, ...] = CHANNELS,
                 keepalive_interval: float = 30 * 60.0, ping_interval: float = 20.0, reply_timeout: float = 10.0,
                 answer_timeout: float = 10.0):
        if not rest.config.endpoints.stream:
            raise ValueError("MexcUserStream needs a mexc config with a stream URL")
        self.rest = rest
        self.on_event = on_event
        self.on_reconnected = on_reconnected
        self.on_disconnected_cb = on_disconnected
        self.channels = channels
        self.keepalive_interval = keepalive_interval
        self.answer_timeout = answer_timeout
        self.listen_key: str | None = None
        self.pushes = 0
        self.bad_frames = 0
        self.renewals = 0
        self.keepalives = 0
        self._first = True
        self._acks: dict[str, asyncio.Future] = {}
        self._keepalive_task: asyncio.Task | None = None
        self._renewing: asyncio.Task | None = None
        self.ws = ReconnectingWebSocket(
            self._url, self._on_message, name="mexc-user", on_connected=self._on_connected,
            on_disconnected=self._on_disconnected, idle_timeout=ping_interval,
            reply_timeout=min(reply_timeout, ping_interval), user_ping=_PING, is_pong=_is_pong,
            ping_periodically=True,
        )

    def __repr__(self) -> str:
        return f"MexcUserStream(stream={self.rest.config.endpoints.stream!r})"

    def _url(self) -> str:
        return f"{self.rest.config.endpoints.stream}?listenKey={self.listen_key}"

    async def start(self, timeout: float = 10.0) -> None:
        self.listen_key = await self.rest.create_listen_key()
        await self.ws.start(wait=True, timeout=timeout)
        self._keepalive_task = asyncio.get_running_loop().create_task(self._keepalive(), name="mexc-keepalive")

    async def stop(self) -> None:
        for task in (self._keepalive_task, self._renewing):
            if task is not None:
                task.cancel()
        await self.ws.stop()
        lim = self.rest.limiter
        if self.listen_key is not None and lim.clock() >= max(lim.paused_until, lim.banned_until):
            try:     # bounded, and not tried during a rate-limit pause or a ban: nothing may hold the stop
                await asyncio.wait_for(self.rest.close_listen_key(self.listen_key), self.answer_timeout / 5)
            except Exception as exc:  # closing is a courtesy; the key lapses within the hour anyway
                log.info("closing the listen key failed: %s: %s", type(exc).__name__, exc)

    # -- connection set-up -----------------------------------------------------------------------
    async def _on_connected(self, ws: ReconnectingWebSocket) -> None:
        loop = asyncio.get_running_loop()
        self._acks = {ch: loop.create_future() for ch in self.channels}
        ws.send(json.dumps({"method": "SUBSCRIPTION", "params": list(self.channels)},
                           separators=(",", ":")).encode())
        try:
            await asyncio.wait_for(asyncio.gather(*self._acks.values()), self.answer_timeout)
        finally:
            self._acks = {}
        if not self._first and self.on_reconnected is not None:
            await self.on_reconnected()
        self._first = False

    def _on_disconnected(self, ws: ReconnectingWebSocket) -> None:
        for fut in self._acks.values():
            if not fut.done():
                fut.set_exception(StreamRefused("mexc", None,
                                                "the stream closed before the subscription was acknowledged"))
        if self.on_disconnected_cb is not None:
            self.on_disconnected_cb()

    # -- frames ------------------------------------------------------------------------------------
    def _on_message(self, payload: bytes, is_text: bool) -> None:
        if not is_text:
            self.pushes += 1
            self.on_event(payload)
            return
        if payload.startswith(_INVALID_KEY):
            log.warning("mexc user stream: the listen key is no longer valid; getting a new one")
            self._refuse(f"the venue answered {_INVALID_KEY.decode()!r}")
            self.renew_soon()
            return
        try:
            doc = json.loads(payload)
        except ValueError:
            self.bad_frames += 1
            log.warning("mexc user stream: unreadable text frame (%d bytes) ignored", len(payload))
            return
        if not isinstance(doc, dict):
            self.bad_frames += 1
            return
        msg, code = str(doc.get("msg", "")), doc.get("code")
        fut = self._acks.get(msg)
        if fut is not None and not fut.done():
            fut.set_result(doc)
        elif code not in (0, None) and self._acks:
            self._refuse(f"subscription refused: {msg} (code {code})")

    def _refuse(self, why: str) -> None:
        for fut in self._acks.values():
            if not fut.done():
                fut.set_exception(StreamRefused("mexc", None, why))

    # -- the key ------------------------------------------------------------------------------------
    def renew_soon(self) -> None:
        if self._renewing is None or self._renewing.done():
            self._renewing = asyncio.get_running_loop().create_task(self.renew(), name="mexc-renew-key")

    async def renew(self) -> None:
        """A new listen key, then a new connection with it (reconciled through ``on_reconnected``);
        the old key is closed, so one key is in use."""
        old = self.listen_key
        self.listen_key = await self.rest.create_listen_key()
        self.renewals += 1
        self.ws.drop()
        if old is not None and old != self.listen_key:
            try:
                await self.rest.close_listen_key(old)
            except Exception as exc:
                log.info("closing the old listen key failed: %s", exc)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive_interval)
            try:
                await self.rest.keepalive_listen_key(self.listen_key)
                self.keepalives += 1
            except VenueError as exc:
                if exc.code == 730708:
                    log.info("listen-key keepalive answered 730708 (sent too often); keeping the key")
                    continue
                log.warning("listen-key keepalive failed (%s); getting a new key", exc)
                try:
                    await self.renew()
                except Exception as exc2:
                    log.warning("listen-key renewal failed: %s: %s", type(exc2).__name__, exc2)
            except Exception as exc:
                log.warning("listen-key keepalive failed: %s: %s", type(exc).__name__, exc)


def _is_pong(payload: bytes) -> bool:
    return b'"PONG"' in payload
