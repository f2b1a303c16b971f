"""Binance spot WebSocket API: order entry and the user-data subscription on one connection.

Requests are ``{"id","method","params"}`` text frames; each is signed on its own (params
sorted by name, ``apiKey`` included, raw UTF-8, HMAC-SHA256) unless the session logged on
with an Ed25519 key.  Answers are matched to requests by id, with a timeout; a request
whose answer never comes fails with ``sent=True`` (its outcome is unknown: an order may
exist, and the order manager resolves it by client order id).

With ``ed25519_private_key`` every connection starts with ``session.logon`` (apiKey,
timestamp, recvWindow, base64 Ed25519 signature over the sorted payload); the venue then
authorises later requests as that key, so they carry ``timestamp`` and ``recvWindow`` but
no ``apiKey`` or ``signature``, and the user data comes from ``userDataStream.subscribe``.
Requests are only sent once the connection's logon and subscription are done; before
that they fail with ``sent=False``.  A key the venue refuses at the first connect makes
:meth:`BinanceWsApi.start` raise the typed error rather than retry forever.

User-data events arrive on the same socket as ``{"subscriptionId":N,"event":{...}}`` and
are handed, as raw bytes, to ``on_event`` (the hot-message parser reads them in place).
After every reconnect the subscription is made again and ``on_reconnected`` runs, which is
where the order manager reconciles.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import logging
from typing import Any, Awaitable, Callable

from engine._binance_frames import BinanceFrames
from engine._codec_binance_ws import RESP_FULL, BinanceWsEncoder
from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.transport.errors import ConnectionLost
from engine.transport.inflight import InflightRequests
from engine.transport.timesync import ClockSync
from engine.transport.ws import ReconnectingWebSocket
from engine.venues.binance.errors import CANCEL_REPLACE_FAILED, error_for, leg_answers
from engine.venues.errors import AuthenticationError, TimestampError, VenueError
from engine.venues.jsonwire import json_value

__all__ = ["BinanceWsApi"]

log = logging.getLogger("engine.venues.binance.ws_orders")


class BinanceWsApi:
    """One WebSocket API session for a Binance spot account."""

    def __init__(
        self,
        config: VenueConfig,
        clock: ClockSync,
        *,
        on_event: Callable[[bytes], None] | None = None,
        on_reconnected: Callable[[], Awaitable[None]] | None = None,
        subscribe_user_data: bool = True,
        ed25519_private_key: Any = None,
        request_timeout: float | None = None,
        limiter=None,
    ):
        if config.venue != "binance-spot" or not config.endpoints.ws_api:
            raise ValueError("BinanceWsApi needs a binance-spot config with a WebSocket API URL")
        self.config = config
        self.clock = clock
        self.on_reconnected = on_reconnected
        self.subscribe_user_data = subscribe_user_data
        self._ed25519 = ed25519_private_key  # cryptography Ed25519PrivateKey, for session.logon
        self.request_timeout = request_timeout or config.read_timeout
        self.limiter = limiter          # the account's RateLimiter: 429/418 answers pause or ban it
        self.last_ts = 0                # the timestamp the last order.place was signed with (venue ms)
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self.encoder = BinanceWsEncoder(self.signer, config.api_key)
        self._ids = itertools.count(1)
        self.inflight = InflightRequests("binance ws-api")   # every request; 200 answers come back as raw bytes
        self.subscription_id: int | None = None
        self.logged_on = False
        self._session_ready = False   # logon + subscription done on the current connection
        self._start_failed: asyncio.Future | None = None
        self.bad_frames = 0
        self.rate_limits: list[dict] = []
        # answers and events sorted in C (the frame borrowed from the socket); the rest to _on_other
        self.frames = BinanceFrames(self.inflight.pending, self._on_other, on_event)
        self.ws = ReconnectingWebSocket(
            config.endpoints.ws_api, None, sink=self.frames, name="binance-ws-api",
            on_connected=self._on_connected, on_disconnected=self._on_disconnected,
            idle_timeout=20.0, reply_timeout=10.0,
        )
        self._first_connect = True

    @property
    def on_event(self) -> Callable[[bytes], None] | None:
        """Where user-data events go (raw bytes)."""
        return self.frames.on_event

    @on_event.setter
    def on_event(self, value: Callable[[bytes], None] | None) -> None:
        self.frames.on_event = value

    @property
    def events(self) -> int:
        """User-data events received (sorted in C)."""
        return self.frames.events

    @property
    def ready(self) -> bool:
        """Logged on and subscribed on the current connection, and that connection still up."""
        return self._session_ready and self.ws.connected

    def __repr__(self) -> str:
        return f"BinanceWsApi(url={self.config.endpoints.ws_api!r}, connected={self.ws.connected})"

    async def start(self, timeout: float = 10.0) -> None:
        """Connect (log on, subscribe) and return once ready.

        Raises
        ------
        AuthenticationError
            The venue refused the key or its signature at the first connect; the
            connection is stopped (retrying cannot help).
        asyncio.TimeoutError
            Not ready within ``timeout``; the connection keeps trying.
        """
        loop = asyncio.get_running_loop()
        failed = self._start_failed = loop.create_future()
        await self.ws.start(wait=False)
        ready = loop.create_task(self.ws.wait_ready())
        try:
            done, _ = await asyncio.wait({ready, failed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
            self._start_failed = None
        if failed.done():
            await self.ws.stop()
            raise failed.result()
        if ready not in done:
            raise asyncio.TimeoutError(f"binance ws-api: not ready within {timeout:.1f} s")

    async def stop(self) -> None:
        self._session_ready = False
        self.logged_on = False
        await self.ws.stop()
        self._fail_pending(ConnectionLost("WebSocket API stopped", sent=True))

    # -- signing --------------------------------------------------------------------------
    def signed_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` plus apiKey, timestamp, recvWindow and the signature over the sorted raw payload."""
        if self.logged_on:
            # The logged-on key authorises the request; SIGNED methods still need the timestamp.
            out = {k: v for k, v in params.items() if v is not None}
            out["recvWindow"] = self.config.recv_window_ms
            out["timestamp"] = self.clock.now_ms()
            return out
        out = {k: v for k, v in params.items() if v is not None}
        out["apiKey"] = self.config.api_key
        out["recvWindow"] = self.config.recv_window_ms
        out["timestamp"] = self.clock.now_ms()
        payload = "&".join(f"{k}={_wire(out[k])}" for k in sorted(out))
        out["signature"] = self.signer.hmac_sha256(payload.encode())
        return out

    # -- requests ----------------------------------------------------------------------------
    async def request(self, method: str, params: dict[str, Any] | None = None, *, signed: bool = True,
                      timeout: float | None = None) -> Any:
        """Send one request and return its ``result``; typed errors as on REST."""
        body = self.signed_params(params or {}) if signed else {k: v for k, v in (params or {}).items()
                                                                if v is not None}
        if not self._session_ready:
            raise ConnectionLost(f"{method}: WebSocket API session not ready (connecting or logging on); "
                                 "nothing was sent", sent=False)
        return await self._direct(method, body, timeout)

    # -- the lean order path: a hand-built frame out, raw answer bytes back ------------------------
    def send_raw(self, method: str, params: dict[str, Any], timeout: float | None = None) -> asyncio.Future:
        """Write one signed request now; the future resolves to the answer's raw bytes (status 200)
        for the compiled parser, or fails with the venue's typed error / a transport error.

        Parameters are written without a JSON encoder: values must be ``str`` of
        ``[A-Za-z0-9._-]`` (symbols, decimal strings, client ids, enum names) or ``int``;
        anything else goes through ``json.dumps``.  Orders and cancels have compiled
        frames: :meth:`place_order`, :meth:`cancel_order`.
        """
        if not self._session_ready:
            raise ConnectionLost(f"{method}: WebSocket API session not ready; nothing was sent", sent=False)
        body = self.signed_params(params)
        rid = next(self._ids)
        frame = (f'{{"id":{rid},"method":"{method}","params":{{'
                 + ",".join(f'"{k}":{json_value(v)}' for k, v in body.items()) + "}}").encode()
        return self.inflight.send(self.ws, rid, frame, method, timeout or self.request_timeout)

    def place_order(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
                    stop_raw: int = 0, client_id: bytes = b"", resp_type: int = RESP_FULL,
                    timeout: float | None = None) -> asyncio.Future:
        """``order.place`` from fixed-point fields, framed and signed by the compiled encoder.

        The future resolves to the answer's raw bytes (for :class:`~engine._parse_binance.BinanceParser`)
        or fails with the venue's typed error; ``EncodeError`` before anything is sent.
        """
        if not self._session_ready:
            raise ConnectionLost("order.place: WebSocket API session not ready; nothing was sent", sent=False)
        rid = next(self._ids)
        ts = self.clock.now_ms()
        n = self.encoder.order_place(rid, symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id,
                                     resp_type, ts, self.config.recv_window_ms, not self.logged_on)
        self.last_ts = ts
        return self.inflight.send(self.ws, rid, self.encoder.buffer[:n], "order.place",
                                  timeout or self.request_timeout)

    def warm_place(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
                   stop_raw: int = 0, client_id: bytes = b"") -> None:
        """:meth:`place_order` before its send: the clock read, the frame encoded and signed into the encoder's
        buffer; nothing sent or kept (a busy-polling engine keeps its order path in the caches)."""
        self.encoder.order_place(0, symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id,
                                 RESP_FULL, self.clock.now_ms(), self.config.recv_window_ms, not self.logged_on)

    def cancel_order(self, symbol: bytes, order_id: int = 0, client_id: bytes = b"",
                     timeout: float | None = None) -> asyncio.Future:
        """``order.cancel`` by exchange id or client id, framed and signed by the compiled encoder."""
        if not self._session_ready:
            raise ConnectionLost("order.cancel: WebSocket API session not ready; nothing was sent", sent=False)
        rid = next(self._ids)
        n = self.encoder.order_cancel(rid, symbol, order_id, client_id, self.clock.now_ms(),
                                      self.config.recv_window_ms, not self.logged_on)
        return self.inflight.send(self.ws, rid, self.encoder.buffer[:n], "order.cancel",
                                  timeout or self.request_timeout)

    def cancel_replace_order(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                             stop_raw: int, old_client_id: bytes, client_id: bytes,
                             timeout: float | None = None) -> asyncio.Future:
        """``order.cancelReplace`` (STOP_ON_FAILURE) of the order ``old_client_id`` by a new one (``client_id``),
        framed and signed by the compiled encoder; the future as :meth:`place_order`'s (a partly or wholly
        failed one: the typed error with each leg's own answer in ``answers``)."""
        if not self._session_ready:
            raise ConnectionLost("order.cancelReplace: WebSocket API session not ready; nothing was sent", sent=False)
        rid = next(self._ids)
        ts = self.clock.now_ms()
        n = self.encoder.order_cancel_replace(rid, symbol, side, order_type, tif, qty_raw, price_raw, stop_raw,
                                              old_client_id, client_id, ts, self.config.recv_window_ms,
                                              not self.logged_on)
        self.last_ts = ts
        return self.inflight.send(self.ws, rid, self.encoder.buffer[:n], "order.cancelReplace",
                                  timeout or self.request_timeout)

    def amend_keep_priority_order(self, symbol: bytes, client_id: bytes, qty_raw: int,
                                  timeout: float | None = None) -> asyncio.Future:
        """``order.amend.keepPriority``: the order ``client_id``'s quantity lowered to ``qty_raw`` (its whole new
        quantity) in place, its client id kept; framed and signed by the compiled encoder, the future as
        :meth:`place_order`'s."""
        if not self._session_ready:
            raise ConnectionLost("order.amend.keepPriority: WebSocket API session not ready; nothing was sent",
                                 sent=False)
        rid = next(self._ids)
        n = self.encoder.order_amend_keep_priority(rid, symbol, client_id, qty_raw, self.clock.now_ms(),
                                                   self.config.recv_window_ms, not self.logged_on)
        return self.inflight.send(self.ws, rid, self.encoder.buffer[:n], "order.amend.keepPriority",
                                  timeout or self.request_timeout)

    async def order_place(self, params: dict[str, Any]) -> dict:
        return await self.request("order.place", params)

    async def order_cancel(self, symbol: str, *, order_id: int | None = None,
                           client_order_id: str | None = None) -> dict:
        _one_id(order_id, client_order_id)
        return await self.request("order.cancel", {"symbol": symbol, "orderId": order_id,
                                                   "origClientOrderId": client_order_id})

    async def order_status(self, symbol: str, *, order_id: int | None = None,
                           client_order_id: str | None = None) -> dict:
        _one_id(order_id, client_order_id)
        return await self.request("order.status", {"symbol": symbol, "orderId": order_id,
                                                   "origClientOrderId": client_order_id})

    async def open_orders(self, symbol: str | None = None) -> list:
        return await self.request("openOrders.status", {"symbol": symbol})

    async def cancel_all(self, symbol: str) -> list:
        return await self.request("openOrders.cancelAll", {"symbol": symbol})

    # -- connection life ---------------------------------------------------------------------
    async def _on_connected(self, ws: ReconnectingWebSocket) -> None:
        self.logged_on = False
        self._session_ready = False
        self.subscription_id = None
        # The connect hook runs before the stream counts as ready, so send directly here.
        try:
            if self._ed25519 is not None:
                await self._logon()
            if self.subscribe_user_data:
                method = "userDataStream.subscribe" if self.logged_on else "userDataStream.subscribe.signature"
                result = await self._direct(method, self.signed_params({}) if not self.logged_on else {})
                self.subscription_id = result.get("subscriptionId") if isinstance(result, dict) else None
        except AuthenticationError as exc:
            failed = self._start_failed
            if self._first_connect and failed is not None and not failed.done():
                failed.set_result(exc)
            raise
        self._session_ready = True
        if not self._first_connect and self.on_reconnected is not None:
            await self.on_reconnected()
        self._first_connect = False

    async def _logon(self) -> None:
        """``session.logon`` with the Ed25519 key; one clock resync and retry on a timestamp refusal."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if not isinstance(self._ed25519, Ed25519PrivateKey):
            raise TypeError("ed25519_private_key must be a cryptography Ed25519PrivateKey")
        for attempt in (0, 1):
            params = {"apiKey": self.config.api_key, "recvWindow": self.config.recv_window_ms,
                      "timestamp": self.clock.now_ms()}
            payload = "&".join(f"{k}={_wire(params[k])}" for k in sorted(params)).encode()
            params["signature"] = base64.b64encode(self._ed25519.sign(payload)).decode()
            try:
                await self._direct("session.logon", params)
                break
            except TimestampError:
                sync = getattr(self.clock, "sync", None)
                if attempt or sync is None:
                    raise
                log.warning("binance ws-api: logon timestamp refused; resyncing the clock and retrying once")
                await sync()
            except VenueError as exc:
                if exc.code == -4056:   # an HMAC (or RSA) key: only Ed25519 keys may log on
                    raise AuthenticationError(exc.venue, exc.code, f"session.logon refused: {exc.message}",
                                              http_status=exc.http_status) from None
                raise
        self.logged_on = True

    async def _direct(self, method: str, params: dict[str, Any], timeout: float | None = None) -> Any:
        """Send one request (no session check: the connect hook logs on with it) and return its ``result``."""
        rid = next(self._ids)
        frame = json.dumps({"id": rid, "method": method, "params": params}, separators=(",", ":")).encode()
        raw = await self.inflight.send(self.ws, rid, frame, method, timeout or self.request_timeout)
        return json.loads(raw).get("result")

    def _on_disconnected(self, ws: ReconnectingWebSocket) -> None:
        self._session_ready = False
        self.logged_on = False
        self._fail_pending(ConnectionLost("WebSocket API connection dropped with the answer outstanding", sent=True))

    def _fail_pending(self, exc: Exception) -> None:
        self.inflight.fail_all(exc)

    def _on_other(self, payload: bytes, is_text: bool) -> None:
        """A frame the compiled sorter (:class:`~engine._binance_frames.BinanceFrames`) did not take: an
        error answer, the logon and subscription answers, an answer in another shape, an unreadable frame."""
        try:
            doc = json.loads(payload)
            rid = doc["id"]
        except (ValueError, KeyError, TypeError):
            self.bad_frames += 1
            log.warning("binance ws-api: unreadable frame (%d bytes) ignored", len(payload))
            return
        fut = self.inflight.take(rid)     # answered with an error (or in a shape the fast path skips)
        if fut is None or fut.done():
            log.info("binance ws-api: answer for unknown or expired request id %r", rid)
            return
        if doc.get("rateLimits"):
            self.rate_limits = doc["rateLimits"]
        status = doc.get("status", 0)
        if status == 200:
            fut.set_result(payload)
            return
        err = doc.get("error") or {}
        data = err.get("data") or {}
        retry_after = None
        if isinstance(data, dict) and data.get("retryAfter") and data.get("serverTime"):
            retry_after = max(0.0, (data["retryAfter"] - data["serverTime"]) / 1000.0)
        if self.limiter is not None:        # the WebSocket API shares the account's limits with REST
            if status == 429:
                self.limiter.on_throttled(retry_after)
            elif status == 418:
                self.limiter.on_banned(retry_after)
        exc = error_for(self.config.venue, status, err.get("code"), str(err.get("msg", "")), retry_after)
        exc.data = data if isinstance(data, dict) else None
        if exc.code in CANCEL_REPLACE_FAILED:
            leg_answers(exc)               # a cancel-replace's legs, as its REST answer gives them
        fut.set_exception(exc)


def _one_id(a, b) -> None:
    if (a is None) == (b is None):
        raise ValueError("give exactly one of the exchange order id and the client order id")


def _wire(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        raise TypeError("floats are never sent: pass str, Decimal or int")
    return str(v)
