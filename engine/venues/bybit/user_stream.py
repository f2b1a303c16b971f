"""Bybit V5 private stream: auth, topic subscriptions re-sent after every reconnect, JSON ping every 20 s.

Pushes (``{"topic": ..., "data": [...]}``) go to ``on_push`` as raw bytes for the hot
parsers; control answers (auth, subscribe, pong) are handled here.  A stream whose
auth or subscription fails is closed and retried like any other drop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Awaitable, Callable

from engine._marked_frames import MarkedFrames
from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.transport.timesync import ClockSync
from engine.transport.ws import ReconnectingWebSocket
from engine.venues.errors import AuthenticationError

__all__ = ["BybitPrivateStream", "auth_message"]

log = logging.getLogger("engine.venues.bybit.user_stream")

DEFAULT_TOPICS = ("order", "execution", "position", "wallet")
_PING = b'{"op":"ping"}'


def auth_message(signer: RequestSigner, api_key: str, expires_ms: int) -> bytes:
    """``{"op":"auth","args":[key, expires, hex(HMAC-SHA256(secret, "GET/realtime"+expires))]}``."""
    sig = signer.sign_bybit_ws(expires_ms)
    return json.dumps({"op": "auth", "args": [api_key, expires_ms, sig]}, separators=(",", ":")).encode()


class BybitPrivateStream:
    """The account's private topics over one reconnecting WebSocket."""

    def __init__(self, config: VenueConfig, clock: ClockSync, on_push: Callable[[bytes], None], *,
                 topics: tuple[str, ...] = DEFAULT_TOPICS,
                 on_reconnected: Callable[[], Awaitable[None]] | None = None,
                 on_disconnected: Callable[[], None] | None = None,
                 ping_interval: float = 20.0, reply_timeout: float = 10.0, answer_timeout: float = 10.0):
        if config.venue != "bybit" or not config.endpoints.stream:
            raise ValueError("BybitPrivateStream needs a bybit config with a stream URL")
        self.config = config
        self.clock = clock
        self.topics = topics
        self.on_reconnected = on_reconnected
        self.on_disconnected_cb = on_disconnected
        self.answer_timeout = answer_timeout
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self._waiting: dict[str, asyncio.Future] = {}
        self._first = True
        self.bad_frames = 0
        # sorted in C: a push ("topic" in its head) to on_push as it is, every other frame to _on_answer
        self.frames = MarkedFrames(b'"topic"', 64, on_push, self._on_answer)
        self.ws = ReconnectingWebSocket(
            config.endpoints.stream, None, sink=self.frames, name="bybit-private", on_connected=self._on_connected,
            on_disconnected=self._on_disconnected, idle_timeout=ping_interval, reply_timeout=min(reply_timeout, ping_interval),
            user_ping=_PING, is_pong=_is_pong, ping_periodically=True,
        )

    def __repr__(self) -> str:
        return f"BybitPrivateStream(url={self.config.endpoints.stream!r}, topics={self.topics})"

    async def start(self, timeout: float = 10.0) -> None:
        await self.ws.start(wait=True, timeout=timeout)

    async def stop(self) -> None:
        await self.ws.stop()

    async def _op(self, op: str, frame: bytes) -> dict:
        fut = asyncio.get_running_loop().create_future()
        self._waiting[op] = fut
        try:
            self.ws.send(frame)
            return await asyncio.wait_for(fut, self.answer_timeout)
        finally:
            self._waiting.pop(op, None)

    async def _on_connected(self, ws: ReconnectingWebSocket) -> None:
        expires = self.clock.now_ms() + 10_000
        answer = await self._op("auth", auth_message(self.signer, self.config.api_key, expires))
        if not answer.get("success"):
            raise AuthenticationError("bybit", None, f"private stream auth refused: {answer.get('ret_msg')}")
        sub = json.dumps({"op": "subscribe", "args": list(self.topics)}, separators=(",", ":")).encode()
        answer = await self._op("subscribe", sub)
        if not answer.get("success"):
            raise AuthenticationError("bybit", None, f"subscription refused: {answer.get('ret_msg')}")
        if not self._first and self.on_reconnected is not None:
            await self.on_reconnected()
        self._first = False

    def _on_disconnected(self, ws: ReconnectingWebSocket) -> None:
        if self.on_disconnected_cb is not None:
            self.on_disconnected_cb()

    @property
    def on_push(self) -> Callable[[bytes], None]:
        """Where pushes go (raw bytes)."""
        return self.frames.on_marked

    @on_push.setter
    def on_push(self, value: Callable[[bytes], None]) -> None:
        self.frames.on_marked = value

    @property
    def pushes(self) -> int:
        """Pushes handed to ``on_push``."""
        return self.frames.marked

    def _on_answer(self, payload: bytes) -> None:
        """A frame that is not a push: the answer to an ``auth`` or ``subscribe`` (or a pong)."""
        try:
            doc = json.loads(payload)
            op = doc.get("op")
        except (ValueError, AttributeError):
            self.bad_frames += 1
            log.warning("bybit private stream: unreadable frame (%d bytes) ignored", len(payload))
            return
        fut = self._waiting.get(op)
        if fut is not None and not fut.done():
            fut.set_result(doc)


def _is_pong(payload: bytes) -> bool:
    return b'"pong"' in payload
