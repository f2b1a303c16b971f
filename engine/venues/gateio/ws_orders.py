"""Gate.io WebSocket order API: ``spot.login`` once per connection, then orders without signatures (§8).

Login: ``{"time","channel":"spot.login","event":"api","payload":{"api_key","signature",
"timestamp","req_id"}}``, signature = hex HMAC-SHA512 of ``api\\nspot.login\\n\\n<timestamp>``
(an empty ``req_param``, as the docs say).  Then ``spot.order_place`` / ``spot.order_cancel``
/ ``spot.order_amend`` / ``spot.order_status`` frames ``{"time","channel","event":"api",
"payload":{"req_id","req_header":{"x-gate-exptime"},"req_param":{...}}}``; the order's JSON is
the REST body, written by the compiled encoder (without its HMAC: the connection is logged
in).  Every request gets two answers: an ack (``"ack":true``: received) and the result (no
``ack`` key): an Order with ``header.status`` "200", or ``data.errs {label, message}`` with
the HTTP status as a string.  Results are matched to requests by ``request_id`` with a
timeout (:class:`~engine.transport.inflight.InflightRequests`): in C for acks and successes
(:class:`~engine._gateio_answers.GateAnswers`, the frame borrowed from the socket's read
buffer), in Python with the JSON parsed for everything else; a result that never comes fails
with ``sent=True`` (the order's outcome is unknown: resolved by its text, never resent).
``x-gate-exptime`` (venue time + recv window, ms) makes the venue refuse a request that
reaches it later than that.

Login refused at the first connect (a bad key or signature) raises
:class:`AuthenticationError` from :meth:`GateWsOrders.start`; requests are only written on
a logged-in connection, before that they fail with ``sent=False``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os

from engine._codec_gateio import GateOrderEncoder
from engine._gateio_answers import GateAnswers
from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.transport.errors import ConnectionLost
from engine.transport.inflight import InflightRequests
from engine.transport.ratelimit import RateLimiter
from engine.transport.timesync import ClockSync
from engine.transport.ws import ReconnectingWebSocket
from engine.venues.gateio.errors import error_for, reset_pause
from engine.venues.gateio.user_stream import app_ping, ws_url

__all__ = ["GateWsOrders", "login_signature"]

log = logging.getLogger("engine.venues.gateio.ws_orders")

_WHAT = {c: c.decode() for c in (b"spot.order_place", b"spot.order_cancel", b"spot.order_amend",
                                 b"spot.order_status")}      # what a request is, for its timeout's message


def login_signature(signer: RequestSigner, timestamp: int, event: str = "api", channel: str = "spot.login",
                    req_param: str = "") -> str:
    """hex HMAC-SHA512 of ``<event>\\n<channel>\\n<req_param>\\n<timestamp>`` (§8)."""
    return signer.hmac_sha512(f"{event}\n{channel}\n{req_param}\n{timestamp}")


class GateWsOrders:
    """Order entry over Gate.io's WebSocket order API, for one account."""

    def __init__(self, config: VenueConfig, clock: ClockSync, *, limiter: RateLimiter | None = None,
                 request_timeout: float | None = None):
        if config.venue != "gateio" or not config.endpoints.ws_api:
            raise ValueError("GateWsOrders needs a gateio config with a WebSocket URL")
        self.config = config
        self.clock = clock
        self.limiter = limiter
        self.request_timeout = request_timeout or config.read_timeout
        self.recv_window = config.recv_window_ms
        self.last_ts = 0                # the venue time (ms) the last order request was written at
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self.encoder = GateOrderEncoder(self.signer, config.api_key, signs=False)
        self._prefix = os.urandom(4).hex()
        self._prefix_b = self._prefix.encode()
        self._ids = itertools.count(1)
        self.inflight = InflightRequests("gateio order api")
        self._login: asyncio.Future | None = None
        self._login_id = ""
        self._logged_in = False
        self._start_failed: asyncio.Future | None = None
        self.bad_frames = 0
        self.uid: str | None = None
        # requests written and acks and successes paired in C; every other frame to _on_other
        self.answers = GateAnswers(self.inflight.pending, self._on_other)
        self.ws = ReconnectingWebSocket(
            ws_url(config.endpoints.ws_api), None, sink=self.answers, name="gateio-order-api",
            on_connected=self._on_connected, on_disconnected=self._on_disconnected, idle_timeout=20.0,
            reply_timeout=10.0, user_ping=app_ping(), is_pong=self._is_pong,
        )
        self.answers.bind(self.encoder, self.ws, self.inflight, self._prefix_b)

    def __repr__(self) -> str:
        return f"GateWsOrders(url={self.config.endpoints.ws_api!r}, ready={self.ready})"

    @property
    def acks(self) -> int:
        """Ack frames dropped while requests waited (received; their results follow)."""
        return self.answers.acks

    @property
    def ready(self) -> bool:
        """Logged in on the current connection, and that connection still up."""
        return self._logged_in and self.ws.connected

    async def start(self, timeout: float = 10.0) -> None:
        """Connect and log in; raises :class:`AuthenticationError` when the venue refuses the key."""
        await self.ws.start(wait=True, timeout=timeout)

    async def stop(self) -> None:
        self._logged_in = False
        await self.ws.stop()
        self.inflight.fail_all(ConnectionLost("order API socket stopped", sent=True))

    def _is_pong(self, payload: bytes) -> bool:
        if b'"spot.pong"' not in payload:
            return False
        self.ws.user_ping = app_ping()
        return True

    # -- connection life --------------------------------------------------------------------------
    async def _on_connected(self, ws) -> None:
        self._logged_in = False
        ts = self.clock.now_ms() // 1000
        self._login_id = f"{self._prefix}-login-{next(self._ids)}"
        self._login = asyncio.get_running_loop().create_future()
        ws.send(json.dumps({"time": ts, "channel": "spot.login", "event": "api", "payload": {
            "api_key": self.config.api_key, "signature": login_signature(self.signer, ts),
            "timestamp": str(ts), "req_id": self._login_id}}, separators=(",", ":")).encode())
        answer = await asyncio.wait_for(self._login, self.request_timeout)
        header = answer.get("header") or {}
        if str(header.get("status")) != "200":
            errs = (answer.get("data") or {}).get("errs") or {}
            # an AuthenticationError is fatal: refused at the first connect, start() raises it
            raise error_for(errs.get("label"), str(errs.get("message", "")), _status(header.get("status")))
        result = (answer.get("data") or {}).get("result") or {}
        self.uid = str(result.get("uid")) if result.get("uid") is not None else None
        self._logged_in = True

    def _on_disconnected(self, ws) -> None:
        self._logged_in = False
        self.inflight.fail_all(ConnectionLost("order API socket dropped with the answer outstanding", sent=True))

    # -- requests -----------------------------------------------------------------------------------
    def _send(self, channel: bytes, ts_ms: int, timeout: float | None) -> asyncio.Future:
        """Write the encoder's ``req_param`` (just written) in its request frame, with the next request id
        (``<prefix>-<n>``, bytes as the answers carry it back), and register its future: one compiled call
        (:meth:`GateAnswers.write <engine._gateio_answers.GateAnswers.write>`)."""
        if not self._logged_in:
            raise ConnectionLost("order API: not logged in; nothing was sent", sent=False)
        return self.answers.write(channel, ts_ms, ts_ms + self.recv_window, _WHAT.get(channel) or channel.decode(),
                                  timeout or self.request_timeout)

    def _ref_param(self, pair: bytes, order_id: bytes, qty_raw: int = 0, price_raw: int = 0,
                   amend: bool = False) -> None:
        """``{"order_id","currency_pair"[,"amount"][,"price"]}`` into the encoder: ``order_id`` is the
        order's text (``t-...``) or the venue's id (digits)."""
        text = order_id if order_id.startswith(b"t-") else None
        venue_id = None if text is not None else order_id
        if amend:
            self.encoder.ws_amend_param(pair, venue_id, text, qty_raw, price_raw)
        else:
            self.encoder.ws_cancel_param(pair, venue_id, text)

    def place_order(self, pair: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                    text: bytes, timeout: float | None = None) -> asyncio.Future:
        """``spot.order_place`` (the REST body as ``req_param``); the future resolves to the result frame's
        raw bytes (for :class:`~engine._parse_gateio.GateParser`) or fails with the venue's typed error.
        ``EncodeError`` before anything is sent."""
        ts = self.clock.now_ms()
        self.encoder.new_order(pair, side, order_type, tif, qty_raw, price_raw, text, ts // 1000)
        if not self._logged_in:
            raise ConnectionLost("order API: not logged in; nothing was sent", sent=False)
        fut = self.answers.write(b"spot.order_place", ts, ts + self.recv_window, "spot.order_place",
                                 timeout or self.request_timeout)
        self.last_ts = ts
        return fut

    def cancel_order(self, pair: bytes, order_id: bytes, timeout: float | None = None) -> asyncio.Future:
        """``spot.order_cancel`` of ``order_id`` (the venue's id, or the order's text while it is open).
        ``EncodeError`` before anything is sent."""
        if order_id.startswith(b"t-"):                  # its text, else the venue's id (as _ref_param)
            self.encoder.ws_cancel_param(pair, None, order_id)
        else:
            self.encoder.ws_cancel_param(pair, order_id, None)
        if not self._logged_in:
            raise ConnectionLost("order API: not logged in; nothing was sent", sent=False)
        ts = self.clock.now_ms()
        return self.answers.write(b"spot.order_cancel", ts, ts + self.recv_window, "spot.order_cancel",
                                  timeout or self.request_timeout)

    def amend_order(self, pair: bytes, order_id: bytes, qty_raw: int = 0, price_raw: int = 0,
                    timeout: float | None = None) -> asyncio.Future:
        """``spot.order_amend``: new amount and/or price (0 keeps it).  ``EncodeError`` before anything is
        sent."""
        self._ref_param(pair, order_id, qty_raw, price_raw, amend=True)
        return self._send(b"spot.order_amend", self.clock.now_ms(), timeout)

    def order_status(self, pair: bytes, order_id: bytes, timeout: float | None = None) -> asyncio.Future:
        """``spot.order_status``: the order as the venue has it (its ``req_param`` has the cancel's shape)."""
        self._ref_param(pair, order_id)
        return self._send(b"spot.order_status", self.clock.now_ms(), timeout)

    # -- answers ------------------------------------------------------------------------------------------
    def _on_other(self, payload: bytes) -> None:
        """A frame :class:`GateAnswers` did not settle: errors, the login answer, pongs, notices."""
        try:
            doc = json.loads(payload)
        except ValueError:
            self.bad_frames += 1
            log.warning("gateio order API: unreadable frame (%d bytes) ignored", len(payload))
            return
        if not isinstance(doc, dict):
            self.bad_frames += 1
            return
        rid = doc.get("request_id")
        if rid is not None and rid == self._login_id:
            if doc.get("ack") is not True and self._login is not None and not self._login.done():
                self._login.set_result(doc)
            return
        if doc.get("ack") is True or not isinstance(rid, str):
            return                  # an ack, a pong, a notice
        fut = self.inflight.take(rid.encode("utf-8", "replace"))
        if fut is None or fut.done():
            return
        header = doc.get("header") or {}
        status = _status(header.get("status"))
        if status == 200:
            fut.set_result(payload)
            return
        errs = (doc.get("data") or {}).get("errs") or {}
        label = errs.get("label") if isinstance(errs.get("label"), str) else None
        pause = None
        if status == 429 or label == "TOO_MANY_REQUESTS":
            pause = reset_pause(header.get("x_gate_ratelimit_reset_timestamp")
                                or header.get("x_gat_ratelimit_reset_timestamp"))
            if self.limiter is not None:
                self.limiter.on_throttled(pause)
        fut.set_exception(error_for(label, str(errs.get("message", "")), status, pause))


def _status(value) -> int | None:
    """``header.status`` ("200", a string on the wire; a number is read too)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

