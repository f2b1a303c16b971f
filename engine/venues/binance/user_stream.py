"""Binance USD-M user-data stream: listen-key lifecycle on the routed ``/private`` endpoint.

The key is created with ``POST /fapi/v1/listenKey``, kept alive every 30 minutes with
``PUT`` (the venue lets it lapse after 60), and closed with ``DELETE`` on stop.  A
``listenKeyExpired`` event (or a keepalive answered -1125) gets a new key and a new
connection; after every reconnect ``on_reconnected`` runs so the order manager can
reconcile what happened while the stream was down.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from engine._marked_frames import MarkedFrames
from engine.transport.ws import ReconnectingWebSocket
from engine.venues.binance.rest import BinanceRest
from engine.venues.errors import VenueError

__all__ = ["UsdmUserStream"]

log = logging.getLogger("engine.venues.binance.user_stream")

_EXPIRED = b'"listenKeyExpired"'


class UsdmUserStream:
    """ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, ALGO_UPDATE... as raw bytes to ``on_event`` (sorted in C:
    :class:`~engine._marked_frames.MarkedFrames`)."""

    def __init__(self, rest: BinanceRest, on_event: Callable[[bytes], None], *,
                 on_reconnected: Callable[[], Awaitable[None]] | None = None,
                 keepalive_interval: float = 30 * 60.0, idle_timeout: float = 180.0, reply_timeout: float = 30.0):
        if not rest.futures or not rest.config.endpoints.stream:
            raise ValueError("UsdmUserStream needs a binance-usdm REST client with a stream URL")
        self.rest = rest
        self.on_reconnected = on_reconnected
        self.keepalive_interval = keepalive_interval
        self.listen_key: str | None = None
        self.expirations = 0
        self._first = True
        self._keepalive_task: asyncio.Task | None = None
        self._renewing: asyncio.Task | None = None
        # sorted in C: the expiry notice to Python, every other frame (an event) to on_event as it is
        self.frames = MarkedFrames(_EXPIRED, 64, self._on_expired, on_event)
        self.ws = ReconnectingWebSocket(
            self._url, None, sink=self.frames, name="binance-usdm-user", on_connected=self._on_connected,
            idle_timeout=idle_timeout, reply_timeout=min(reply_timeout, idle_timeout),
        )

    @property
    def on_event(self) -> Callable[[bytes], None]:
        """Where events go (raw bytes)."""
        return self.frames.on_other

    @on_event.setter
    def on_event(self, value: Callable[[bytes], None]) -> None:
        self.frames.on_other = value

    @property
    def events(self) -> int:
        """Events handed to ``on_event``."""
        return self.frames.others

    def _url(self) -> str:
        return f"{self.rest.config.endpoints.stream}/ws?listenKey={self.listen_key}"

    async def start(self, timeout: float = 10.0) -> None:
        self.listen_key = await self.rest.create_listen_key()
        await self.ws.start(wait=True, timeout=timeout)
        self._keepalive_task = asyncio.get_running_loop().create_task(self._keepalive(), name="usdm-keepalive")

    async def stop(self) -> None:
        for task in (self._keepalive_task, self._renewing):
            if task is not None:
                task.cancel()
        await self.ws.stop()
        try:
            await self.rest.close_listen_key()
        except Exception as exc:  # closing is a courtesy; the key lapses anyway
            log.info("closing the listen key failed: %s", exc)

    async def _on_connected(self, ws) -> None:
        if not self._first and self.on_reconnected is not None:
            await self.on_reconnected()
        self._first = False

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive_interval)
            try:
                await self.rest.keepalive_listen_key()
            except VenueError as exc:
                log.warning("listen-key keepalive failed (%s); renewing the key", exc)
                await self.renew()
            except Exception as exc:
                log.warning("listen-key keepalive failed: %s: %s", type(exc).__name__, exc)

    async def renew(self) -> None:
        """New listen key, new connection (then reconciliation through ``on_reconnected``)."""
        self.listen_key = await self.rest.create_listen_key()
        self.ws.drop()

    def _on_expired(self, payload: bytes) -> None:
        self.expirations += 1
        log.warning("listen key expired; getting a new one")
        if self._renewing is None or self._renewing.done():
            self._renewing = asyncio.get_running_loop().create_task(self.renew(), name="usdm-renew")
