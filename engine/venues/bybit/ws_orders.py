"""Bybit V5 WebSocket trade: ``order.create`` / ``order.amend`` / ``order.cancel`` on an authenticated socket.

Answers only acknowledge (``data: {orderId, orderLinkId}``); the order's fate arrives on
the private stream.  Requests are matched by ``reqId`` with a timeout; a request whose
answer never comes fails with ``sent=True`` (outcome unknown).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
from typing import Any

from engine._codec_bybit import BybitOrderEncoder
from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.transport.errors import ConnectionLost
from engine.transport.inflight import InflightRequests
from engine.transport.ratelimit import RateLimiter
from engine.transport.timesync import ClockSync
from engine.transport.ws import ReconnectingWebSocket
from engine.venues.bybit.errors import error_for
from engine.venues.bybit.user_stream import auth_message
from engine.venues.errors import AuthenticationError
from engine.venues.jsonwire import json_value

__all__ = ["BybitWsTrade"]

log = logging.getLogger("engine.venues.bybit.ws_orders")

_LIMIT = b'"X-Bapi-Limit":"'
_LIMIT_STATUS = b'"X-Bapi-Limit-Status":"'
# the endpoint whose limits an acknowledgement's header gives, by its op (the REST path of the same operation)
_ENDPOINTS = {op: "/v5/" + op.decode().replace(".", "/") for op in (b"order.create", b"order.amend", b"order.cancel")}


def _header_int(payload: bytes, key: bytes) -> int:
    """The decimal string value of ``key`` in an acknowledgement's header (-1: absent or not a number)."""
    at = payload.find(key)
    if at < 0:
        return -1
    start = at + len(key)
    end = payload.find(b'"', start, start + 20)
    digits = payload[start:end] if end > start else b""
    return int(digits) if digits.isdigit() else -1


class BybitWsTrade:
    """Order entry over Bybit's trade WebSocket."""

    def __init__(self, config: VenueConfig, clock: ClockSync, *, limiter: RateLimiter | None = None,
                 request_timeout: float | None = None, category: str = "linear"):
        if config.venue != "bybit" or not config.endpoints.ws_api:
            raise ValueError("BybitWsTrade needs a bybit config with a trade WebSocket URL")
        self.config = config
        self.clock = clock
        self.limiter = limiter
        self.last_ts = 0                # the timestamp the last order.create was signed with (venue ms)
        self.request_timeout = request_timeout or config.read_timeout
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self._prefix = os.urandom(4).hex()
        self._ids = itertools.count(1)
        self.inflight = InflightRequests("bybit trade")   # every request; retCode 0 answers come back as raw bytes
        # Orders and cancels: the compiled REST body encoder writes the args object (its signature is unused:
        # the socket is authenticated once).
        self.encoder = BybitOrderEncoder(self.signer, config.api_key, category)
        self._rw = b"%d" % config.recv_window_ms
        self._auth: asyncio.Future | None = None
        self.bad_frames = 0
        self.ws = ReconnectingWebSocket(
            config.endpoints.ws_api, self._on_message, name="bybit-trade", on_connected=self._on_connected,
            on_disconnected=self._on_disconnected, idle_timeout=20.0, reply_timeout=10.0,
            user_ping=b'{"op":"ping"}', is_pong=lambda p: b'"pong"' in p, ping_periodically=True,
        )

    def __repr__(self) -> str:
        return f"BybitWsTrade(url={self.config.endpoints.ws_api!r}, connected={self.ws.connected})"

    async def start(self, timeout: float = 10.0) -> None:
        await self.ws.start(wait=True, timeout=timeout)

    async def stop(self) -> None:
        await self.ws.stop()
        self._fail_pending(ConnectionLost("trade WebSocket stopped", sent=True))

    async def _on_connected(self, ws) -> None:
        self._auth = asyncio.get_running_loop().create_future()
        ws.send(auth_message(self.signer, self.config.api_key, self.clock.now_ms() + 10_000))
        answer = await asyncio.wait_for(self._auth, self.request_timeout)
        if answer.get("retCode") != 0:
            raise AuthenticationError("bybit", answer.get("retCode"), f"trade socket auth refused: {answer.get('retMsg')}")

    def _on_disconnected(self, ws) -> None:
        self._fail_pending(ConnectionLost("trade WebSocket dropped with the answer outstanding", sent=True))

    def _fail_pending(self, exc: Exception) -> None:
        self.inflight.fail_all(exc)

    async def request(self, op: str, args: dict[str, Any], timeout: float | None = None) -> dict:
        req_id = f"{self._prefix}-{next(self._ids)}"
        frame = json.dumps({
            "reqId": req_id,
            "header": {"X-BAPI-TIMESTAMP": str(self.clock.now_ms()),
                       "X-BAPI-RECV-WINDOW": str(self.config.recv_window_ms)},
            "op": op, "args": [{k: _wire(v) for k, v in args.items() if v is not None}],
        }, separators=(",", ":")).encode()
        raw = await self.inflight.send(self.ws, req_id, frame, op, timeout or self.request_timeout)
        return json.loads(raw).get("data") or {}

    # -- the lean order path: a hand-built frame out, raw answer bytes back --------------------------
    def send_raw(self, op: str, args: dict[str, Any], timeout: float | None = None) -> asyncio.Future:
        """Write one request now; the future resolves to the raw answer bytes when retCode is 0 (for the
        compiled parser), or fails with the venue's typed error / a transport error."""
        req_id = f"{self._prefix}-{next(self._ids)}"
        ts = self.clock.now_ms()
        head = ('{"reqId":"%s","header":{"X-BAPI-TIMESTAMP":"%d","X-BAPI-RECV-WINDOW":"%d"},"op":"%s","args":[{'
                % (req_id, ts, self.config.recv_window_ms, op))
        self.last_ts = ts
        frame = (head + ",".join(f'"{k}":{json_value(v)}' for k, v in args.items() if v is not None)
                 + "}]}").encode()
        return self.inflight.send(self.ws, req_id, frame, op, timeout or self.request_timeout)

    def _send_body(self, op: bytes, n: int, ts: int, timeout: float | None) -> asyncio.Future:
        req_id = f"{self._prefix}-{next(self._ids)}"
        frame = b"".join((b'{"reqId":"', req_id.encode(), b'","header":{"X-BAPI-TIMESTAMP":"', b"%d" % ts,
                          b'","X-BAPI-RECV-WINDOW":"', self._rw, b'"},"op":"', op, b'","args":[',
                          self.encoder.buffer[:n], b"]}"))
        return self.inflight.send(self.ws, req_id, frame, op.decode(),
                                  timeout or self.request_timeout)

    def place_order(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
                    stop_raw: int = 0, client_id: bytes = b"", *, reduce_only: bool = False,
                    timeout: float | None = None) -> asyncio.Future:
        """``order.create`` from fixed-point fields (args written by the compiled encoder).

        The future resolves to the raw answer bytes (for :class:`~engine._parse_bybit.BybitParser`) or
        fails with the venue's typed error; ``EncodeError`` before anything is sent.
        """
        ts = self.clock.now_ms()
        n = self.encoder.new_order(symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id, ts,
                                   self.config.recv_window_ms, reduce_only=reduce_only)
        fut = self._send_body(b"order.create", n, ts, timeout)
        self.last_ts = ts
        return fut

    def warm_place(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
                   stop_raw: int = 0, client_id: bytes = b"", *, reduce_only: bool = False) -> None:
        """:meth:`place_order` before its send: the clock read, the arguments encoded into the encoder's buffer;
        nothing sent or kept, no request id taken (a busy-polling engine keeps its order path in the caches)."""
        self.encoder.new_order(symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id,
                               self.clock.now_ms(), self.config.recv_window_ms, reduce_only=reduce_only)

    def cancel_order(self, symbol: bytes, *, order_id: bytes | None = None, client_id: bytes | None = None,
                     timeout: float | None = None) -> asyncio.Future:
        """``order.cancel`` by orderId or orderLinkId (args written by the compiled encoder)."""
        ts = self.clock.now_ms()
        n = self.encoder.cancel_order(symbol, order_id, client_id, ts, self.config.recv_window_ms)
        return self._send_body(b"order.cancel", n, ts, timeout)

    def amend_order(self, symbol: bytes, *, order_id: bytes | None = None, client_id: bytes | None = None,
                    qty_raw: int = 0, price_raw: int = 0, timeout: float | None = None) -> asyncio.Future:
        """``order.amend`` by orderId or orderLinkId, new quantity and/or price (0 keeps; args written by the
        compiled encoder)."""
        ts = self.clock.now_ms()
        n = self.encoder.amend_order(symbol, order_id, client_id, qty_raw, price_raw, ts, self.config.recv_window_ms)
        return self._send_body(b"order.amend", n, ts, timeout)

    async def create(self, params: dict[str, Any]) -> dict:
        return await self.request("order.create", params)

    async def amend(self, params: dict[str, Any]) -> dict:
        return await self.request("order.amend", params)

    async def cancel(self, category: str, symbol: str, *, order_id: str | None = None,
                     order_link_id: str | None = None) -> dict:
        if (order_id is None) == (order_link_id is None):
            raise ValueError("give exactly one of orderId and orderLinkId")
        return await self.request("order.cancel", {"category": category, "symbol": symbol, "orderId": order_id,
                                                   "orderLinkId": order_link_id})

    def _observe_limits(self, payload: bytes) -> None:
        """An acknowledgement's ``header`` X-Bapi-Limit / X-Bapi-Limit-Status, adopted as the REST answers'
        are (the trade socket shares the UID's per-endpoint limits); a frame without them changes nothing."""
        limit, status = _header_int(payload, _LIMIT), _header_int(payload, _LIMIT_STATUS)
        if limit > 0 and status >= 0:
            op = payload.find(b'"op":"')
            if op >= 0:
                end = payload.find(b'"', op + 6, op + 40)
                if end > 0:
                    name = payload[op + 6:end]
                    endpoint = _ENDPOINTS.get(name)
                    if endpoint is None:
                        endpoint = "/v5/" + name.decode("ascii", "replace").replace(".", "/")
                    self.limiter.observe_endpoint(endpoint, limit, status)

    def _on_message(self, payload: bytes, is_text: bool) -> None:
        inflight = self.inflight
        if inflight.pending:
            start = payload.find(b'"reqId":"', 0, 64)
            if start >= 0:
                end = payload.find(b'"', start + 9, start + 80)
                req_id = payload[start + 9:end].decode("ascii", "replace") if end > 0 else ""
                if req_id in inflight.pending and payload.find(b'"retCode":0,', 0, 256) >= 0:
                    if self.limiter is not None:
                        self._observe_limits(payload)
                    inflight.resolve(req_id, payload)
                    return
        try:
            doc = json.loads(payload)
        except ValueError:
            self.bad_frames += 1
            log.warning("bybit trade socket: unreadable frame (%d bytes) ignored", len(payload))
            return
        if not isinstance(doc, dict):
            self.bad_frames += 1
            return
        if doc.get("op") == "auth":
            if self._auth is not None and not self._auth.done():
                self._auth.set_result(doc)
            return
        rid = doc.get("reqId")
        fut = self.inflight.take(rid) if isinstance(rid, str) else None
        if fut is None or fut.done():
            return
        header = doc.get("header") or {}
        if self.limiter is not None and header.get("X-Bapi-Limit") and header.get("X-Bapi-Limit-Status"):
            try:
                self.limiter.observe_endpoint("/v5/" + doc.get("op", "").replace(".", "/"),
                                              int(header["X-Bapi-Limit"]), int(header["X-Bapi-Limit-Status"]))
            except ValueError:
                pass
        code = doc.get("retCode", -1)
        if code == 0:
            fut.set_result(payload)
        else:
            if code == 10006 and self.limiter is not None:     # the trade socket shares the UID's limits
                self.limiter.on_throttled(None)
            fut.set_exception(error_for(int(code), str(doc.get("retMsg", "")), None))


def _wire(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        raise TypeError("floats are never sent: pass str, Decimal or int")
    return v if isinstance(v, int) else str(v)
