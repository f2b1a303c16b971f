"""Gate.io WebSocket v4 private channels: ``spot.orders``, ``spot.usertrades``, ``spot.balances``.

Each channel is subscribed with its own auth (shared/venues/gateio-spot.md §7):
``{"time","id","channel","event":"subscribe","payload","auth":{"method":"api_key","KEY","SIGN"}}``
with SIGN = hex HMAC-SHA512 of ``channel=<channel>&event=subscribe&time=<time>``; the
answer's ``error`` is null and ``result.status`` "success", else the subscription failed
(code 4: authentication, a refusal retrying cannot mend).

Pushes (``"event":"update"``) go to the engine as raw bytes (the compiled parser reads
them in place).  After every reconnect the channels are subscribed again and
``on_reconnected`` runs (the engine reconciles).  Silence is a drop: when nothing arrives
for ``ping_interval`` an app-level ``spot.ping`` goes out, and no ``spot.pong`` within the
reply timeout closes the connection.  An ``"event":"upgrade"`` notice (the venue is about
to restart the connection) is a planned reconnect: the connection is replaced at once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from typing import Awaitable, Callable

from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.transport.ws import ReconnectingWebSocket
from engine.venues.errors import AuthenticationError, VenueError
from engine.venues.gateio.errors import VENUE

__all__ = ["GatePrivateStream", "CHANNELS", "channel_auth", "ws_url", "app_ping"]

log = logging.getLogger("engine.venues.gateio.user_stream")

# channel -> subscription payload ("!all": every currency pair)
CHANNELS = {"spot.orders": ["!all"], "spot.usertrades": ["!all"], "spot.balances": []}
AUTH_FAILED = 4               # channel error code: authentication failed (§5)


def ws_url(url: str) -> str:
    """The v4 endpoint as the venue writes it, with its trailing slash (``wss://api.gateio.ws/ws/v4/``;
    the configuration keeps URLs without one)."""
    return url if url.endswith("/") else url + "/"


def channel_auth(signer: RequestSigner, api_key: str, channel: str, event: str, t: int) -> dict:
    """The ``auth`` object of a private channel request."""
    sign = signer.hmac_sha512(f"channel={channel}&event={event}&time={t}")
    return {"method": "api_key", "KEY": api_key, "SIGN": sign}


def app_ping() -> bytes:
    """``spot.ping`` with the current time (the venue's own heartbeat request)."""
    return b'{"time":%d,"channel":"spot.ping"}' % int(time.time())


class GatePrivateStream:
    """The account's private channels over one reconnecting WebSocket."""

    def __init__(self, config: VenueConfig, on_push: Callable[[bytes], None], *,
                 channels: dict[str, list] | None = None,
                 on_reconnected: Callable[[], Awaitable[None]] | None = None,
                 on_disconnected: Callable[[], None] | None = None,
                 ping_interval: float = 20.0, reply_timeout: float = 10.0, answer_timeout: float = 10.0):
        if config.venue != "gateio" or not config.endpoints.stream:
            raise ValueError("GatePrivateStream needs a gateio config with a stream URL")
        self.config = config
        self.on_push = on_push
        self.channels = dict(CHANNELS if channels is None else channels)
        self.on_reconnected = on_reconnected
        self.on_disconnected_cb = on_disconnected
        self.answer_timeout = answer_timeout
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}
        self._first = True
        self.pushes = 0
        self.bad_frames = 0
        self.upgrades = 0             # planned reconnects the venue asked for
        self.ws = ReconnectingWebSocket(
            ws_url(config.endpoints.stream), self._on_message, name="gateio-private",
            on_connected=self._on_connected, on_disconnected=self._on_disconnected, idle_timeout=ping_interval,
            reply_timeout=min(reply_timeout, ping_interval), user_ping=app_ping(), is_pong=self._is_pong,
        )

    def __repr__(self) -> str:
        return f"GatePrivateStream(url={self.config.endpoints.stream!r}, channels={list(self.channels)})"

    def _is_pong(self, payload: bytes) -> bool:
        if b'"spot.pong"' not in payload:
            return False
        self.ws.user_ping = app_ping()      # the next ping carries a fresh time
        return True

    async def start(self, timeout: float = 10.0) -> None:
        await self.ws.start(wait=True, timeout=timeout)

    async def stop(self) -> None:
        await self.ws.stop()

    async def subscribe(self, channel: str, payload: list) -> dict:
        """Subscribe one channel on the current connection; returns the answer, raises when refused."""
        req_id = next(self._ids)
        t = int(time.time())
        frame = json.dumps({"time": t, "id": req_id, "channel": channel, "event": "subscribe", "payload": payload,
                            "auth": channel_auth(self.signer, self.config.api_key, channel, "subscribe", t)},
                           separators=(",", ":")).encode()
        fut = asyncio.get_running_loop().create_future()
        self._waiting[req_id] = fut
        try:
            self.ws.send(frame)
            answer = await asyncio.wait_for(fut, self.answer_timeout)
        finally:
            self._waiting.pop(req_id, None)
        error = answer.get("error")
        if error:
            code = error.get("code") if isinstance(error, dict) else None
            message = error.get("message", "") if isinstance(error, dict) else str(error)
            cls = AuthenticationError if code == AUTH_FAILED else VenueError
            raise cls(VENUE, code, f"{channel} subscription refused: {message}")
        return answer

    async def _on_connected(self, ws: ReconnectingWebSocket) -> None:
        for channel, payload in self.channels.items():
            await self.subscribe(channel, payload)
        if not self._first and self.on_reconnected is not None:
            await self.on_reconnected()
        self._first = False

    def _on_disconnected(self, ws: ReconnectingWebSocket) -> None:
        if self.on_disconnected_cb is not None:
            self.on_disconnected_cb()

    def _on_message(self, payload: bytes, is_text: bool) -> None:
        if b'"event":"update"' in payload[:128]:
            self.pushes += 1
            self.on_push(payload)
            return
        try:
            doc = json.loads(payload)
        except ValueError:
            self.bad_frames += 1
            log.warning("gateio private stream: unreadable frame (%d bytes) ignored; reconnecting", len(payload))
            self.ws.drop()            # what it held is unknown: the reconnect reconciles
            return
        if not isinstance(doc, dict):
            self.bad_frames += 1
            return
        event = doc.get("event")
        if event == "update":
            self.pushes += 1          # a push with its members in another order
            self.on_push(payload)
        elif event == "upgrade":
            self.upgrades += 1
            log.info("gateio private stream: the venue announced an upgrade; reconnecting now")
            self.ws.drop()
        else:
            fut = self._waiting.get(doc.get("id")) if isinstance(doc.get("id"), int) else None
            if fut is not None and not fut.done():
                fut.set_result(doc)
