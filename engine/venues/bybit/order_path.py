"""Bybit V5 orders on the lean path: compiled encoder -> pre-built HTTP/1.1 bytes -> warm connection -> compiled parser.

Per order this does: one C call that writes the compact JSON body and its
``X-BAPI-SIGN`` into the encoder's buffers, one bytes format onto the pre-built request line and
headers, one socket write; the answer is read by httptools and parsed by the compiled
Bybit parser into its record (``orderId`` / ``orderLinkId``).  Bybit only acknowledges
here: fills, rejections and cancellations arrive on the private stream.

Each operation is :meth:`BybitOrderPath.submit` (encode, pace, write: no await when the
limiter has room and the connection is warm) then :meth:`BybitOrderPath.finish` (await
and parse the answer), so an order manager may hold a per-instrument lock across the
write only, as with the Binance lean path.

Invariants:

1. Bad user input raises :class:`~engine._codec_errors.EncodeError` before anything is
   sent or any rate budget is spent.
2. The request bytes are copied out of the shared encoder before the first ``await``,
   so concurrent orders pipelined on the one connection never see each other's body.
3. The timestamp sent as ``X-BAPI-TIMESTAMP`` is the one signed, taken after any wait
   for the rate limiter.
4. Errors map exactly as on the general path (:func:`.errors.check_response`, which
   also pauses the limiter on retCode 10006 and HTTP 403/429); successful answers feed
   ``X-Bapi-Limit`` / ``X-Bapi-Limit-Status`` to the limiter without decoding JSON.
5. A lost answer raises the transport error with ``sent=True``: the order's outcome is
   unknown and it is resolved by its ``orderLinkId``, never resent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, NamedTuple

from engine._codec_bybit import ENDPOINTS, BybitOrderEncoder
from engine._parse_bybit import BybitParser
from engine._parse_common import MessageKind, ParseError
from engine.transport.fast_http import FastHttpClient, HttpResponse
from engine.transport.lean_path import LeanHttpPath
from engine.transport.ratelimit import Cost
from engine.venues import errors as E
from engine.venues.bybit.errors import VENUE, check_response
from engine.venues.bybit.rest import BybitRest

__all__ = ["BybitOrderPath", "CREATE", "CANCEL", "AMEND", "CREATE_COST", "CANCEL_COST", "AMEND_COST"]

log = logging.getLogger("engine.venues.bybit.order_path")

_ACK = int(MessageKind.ORDER_RECEIVED)
CREATE, CANCEL, AMEND = 1, 2, 3             # BybitOrderEncoder.endpoint values
_PATHS = {ep: path.decode() for ep, path in ENDPOINTS.items() if path}
# Per-UID per-endpoint rolling windows (shared/venues/bybit-v5.md §6) plus the IP window.
CREATE_COST = Cost(weight=1, endpoint=_PATHS[CREATE])
CANCEL_COST = Cost(weight=1, endpoint=_PATHS[CANCEL], cancel=True)
AMEND_COST = Cost(weight=1, endpoint=_PATHS[AMEND])
_COSTS = {CREATE: CREATE_COST, CANCEL: CANCEL_COST, AMEND: AMEND_COST}
_LIMIT = b"x-bapi-limit"
_LIMIT_STATUS = b"x-bapi-limit-status"
_TAIL = b"%d\r\nX-BAPI-SIGN: %b\r\nContent-Length: %d\r\n\r\n%b"


class Build(NamedTuple):
    """A request to submit: its endpoint (CREATE, AMEND, CANCEL) and ``encode(ts) -> (encoder, length)``."""

    endpoint: int
    encode: Callable[[int], tuple]


class BybitOrderPath:
    """Create, amend and cancel orders for the account of ``rest``, sharing its signer, clock and limiter.

    Parameters
    ----------
    rest : BybitRest
        Started client; its signer, clock (``X-BAPI-TIMESTAMP``), recv window, limiter,
        timeouts and REST base URL are used.
    category : {"linear", "spot", "inverse"}, optional
        Default ``category`` of every request; a call may name another.
    capacity : int, optional
        Encoder buffer size in bytes.

    Notes
    -----
    Every operation returns the path's :class:`~engine._parse_bybit.BybitParser`, whose
    record holds the acknowledgement (``venue_order_id``, ``client_id``).

    .. DANGER:: the record is overwritten by the next answer: read what you need
       before awaiting again.  One path per event loop.
    """

    def __init__(self, rest: BybitRest, *, category: str | bytes = "linear", capacity: int = 2048):
        cfg = rest.config
        self.rest = rest
        self.venue = VENUE
        self.limiter = rest.limiter
        self.clock = rest.clock
        self.signer = rest.signer
        self.recv_window = rest.recv_window
        self.capacity = capacity
        self._api_key = cfg.api_key.encode()
        self._encoders: dict[bytes, BybitOrderEncoder] = {}
        self.encoder = self._encoder(category)
        self.category = self.encoder.category
        self.parser = BybitParser()
        self.http = FastHttpClient(cfg.endpoints.rest, connect_timeout=cfg.connect_timeout,
                                   read_timeout=cfg.read_timeout)
        prefix = self.http.path_prefix.encode()
        # Everything but the timestamp, signature, length and body is fixed for the path's life.
        common = (b" HTTP/1.1\r\nHost: %s\r\nX-BAPI-API-KEY: %s\r\nX-BAPI-RECV-WINDOW: %d\r\n"
                  b"Content-Type: application/json\r\nX-BAPI-TIMESTAMP: ") % (
            self.http.host_header, self._api_key, self.recv_window)
        self._heads = {ep: b"POST " + prefix + path + common for ep, path in ENDPOINTS.items() if path}
        self.lean = LeanHttpPath(self.http, rest.limiter, rest.clock)

    @property
    def orders_sent(self) -> int:
        return self.lean.sent

    @property
    def last_ts(self) -> int:
        """The timestamp the last request was signed with (venue ms)."""
        return self.lean.last_ts

    @property
    def mismatches(self) -> int:
        """Answers that named another order than their request (the connection was failed each time)."""
        return self.lean.mismatches

    def __repr__(self) -> str:
        return f"BybitOrderPath(category={self.category.decode()!r}, rest={self.rest.config.endpoints.rest!r})"

    def _encoder(self, category) -> BybitOrderEncoder:
        if isinstance(category, str):
            category = category.encode()
        enc = self._encoders.get(category)
        if enc is None:
            enc = self._encoders[category] = BybitOrderEncoder(self.signer, self._api_key, category,
                                                               capacity=self.capacity)
        return enc

    async def start(self) -> None:
        """Open the connection ahead of the first order."""
        await self.lean.start()

    async def close(self) -> None:
        await self.lean.close()

    def _request_bytes(self, enc: BybitOrderEncoder, ts: int, n: int) -> bytes:
        """Copy of the request for the encoder's last call (it may be overwritten after an await)."""
        return self._heads[enc.endpoint] + _TAIL % (ts, enc.signature, n, enc.buffer[:n])

    def submit(self, build: "Build", timeout: float | None = None) -> Awaitable[asyncio.Future]:
        """Encode, pace and write one request; returns the future of its HTTP answer.

        ``build`` is one of the ``*_builder`` methods' results.  It encodes and signs before
        anything else, so bad input raises :class:`~engine._codec_errors.EncodeError` with
        nothing spent or sent; when the limiter has room and the connection is warm nothing
        here awaits and the bytes are on the socket when this returns.  After a wait
        (limiter, reconnect) the request is encoded again with a fresh timestamp.
        """
        def encode(ts: int) -> bytes:
            enc, n = build.encode(ts)
            return self._request_bytes(enc, ts, n)

        return self.lean.submit(_COSTS[build.endpoint], encode, timeout)

    def place_now(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                  stop_raw: int, client_id: bytes, reduce_only: bool = False):
        """A new order encoded, signed and written at once (no builder, no closure): the answer's future,
        or None (nothing spent or written) when the connection is not open or the limiter has no room.
        Bad input raises before the budget is touched."""
        ts = self.lean.clock.now_ms()
        return self.lean.write_now(_COSTS[CREATE], self._new_order_request(symbol, side, order_type, tif, qty_raw,
                                                                           price_raw, stop_raw, client_id, ts,
                                                                           reduce_only), ts)

    def warm_place(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                   stop_raw: int, client_id: bytes, reduce_only: bool = False) -> None:
        """:meth:`place_now` before its write: the rate budget read, the clock read, the request encoded and
        signed, the connection looked at; nothing written, spent or kept (a busy-polling engine keeps its order
        path in the caches)."""
        self.limiter._gate.fits(CREATE_COST)
        self._new_order_request(symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id,
                                self.lean.clock.now_ms(), reduce_only)
        self.lean.http.current()

    def _new_order_request(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                           stop_raw: int, client_id: bytes, ts: int, reduce_only: bool) -> bytes:
        enc = self.encoder
        n = enc.new_order(symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id, ts, self.recv_window,
                          reduce_only=reduce_only)
        return self._request_bytes(enc, ts, n)

    def cancel_now(self, symbol: bytes, client_id: bytes):
        """:meth:`place_now` for a cancel by client order id."""
        lean = self.lean
        ts = lean.clock.now_ms()
        enc = self.encoder
        n = enc.cancel_order(symbol, None, client_id, ts, self.recv_window)
        return lean.write_now(_COSTS[CANCEL], self._request_bytes(enc, ts, n), ts)

    def amend_now(self, symbol: bytes, client_id: bytes, qty_raw: int, price_raw: int):
        """:meth:`place_now` for an amendment by client order id (0 keeps the quantity or the price)."""
        lean = self.lean
        ts = lean.clock.now_ms()
        enc = self.encoder
        n = enc.amend_order(symbol, None, client_id, qty_raw, price_raw, ts, self.recv_window)
        return lean.write_now(_COSTS[AMEND], self._request_bytes(enc, ts, n), ts)

    async def finish(self, fut: asyncio.Future, endpoint: int, client_id: bytes | None = None) -> BybitParser:
        """Wait for the answer to a request of ``endpoint`` (CREATE, AMEND or CANCEL).

        Returns the parser holding the acknowledgement, or raises the venue's typed error
        (or the transport's, ``sent=True``, when no answer came).  With ``client_id``, an
        acknowledgement naming another order fails the connection (answers are paired with
        requests by position): every request on it ends with :class:`ProtocolError`, outcome unknown.
        """
        return self.read(await fut, endpoint, client_id)

    def read(self, response: HttpResponse, endpoint: int, client_id: bytes | None = None) -> BybitParser:
        """:meth:`finish` of an answer already received (same errors, same parser)."""
        path = _PATHS[endpoint]
        parser = self.parser
        if response.status == 200:
            try:
                kind = parser.parse(response.body)
            except ParseError:
                kind = -1
            if kind == _ACK:
                if client_id is not None and not parser.names_client(client_id):
                    raise self.lean.unpaired(f"answer names another order than {client_id.decode()}")
                self._observe_limits(response, path)
                return parser
        # Refusals, throttling, 5xx and unreadable answers: the general path's mapping (cold path).
        check_response(response, self.limiter, path)
        raise E.OutcomeUnknown(VENUE, 0, f"{path}: retCode 0 without orderId/orderLinkId; "
                               "resolve the order by its orderLinkId", http_status=response.status)

    def _observe_limits(self, response: HttpResponse, endpoint: str) -> None:
        """X-Bapi-Limit / X-Bapi-Limit-Status for ``endpoint``, as check_response feeds them."""
        counts = response.counts(_LIMIT, _LIMIT_STATUS)     # None: missing or garbled, our own count stands
        if counts is not None:
            self.limiter.observe_endpoint(endpoint, *counts)

    # -- builders: ``build(ts) -> (encoder, length)`` for submit ----------------------------------
    def place_builder(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
                      stop_raw: int = 0, client_id: bytes = b"", *, category: str | bytes | None = None,
                      position_side: int = 0, reduce_only: bool = False):
        enc = self.encoder if category is None else self._encoder(category)
        rw = self.recv_window
        return Build(CREATE, lambda ts: (enc, enc.new_order(symbol, side, order_type, tif, qty_raw, price_raw,
                                                            stop_raw, client_id, ts, rw, position_side=position_side,
                                                            reduce_only=reduce_only)))

    def amend_builder(self, symbol: bytes, order_id: bytes = b"", client_id: bytes = b"", qty_raw: int = 0,
                      price_raw: int = 0, *, category: str | bytes | None = None):
        enc = self.encoder if category is None else self._encoder(category)
        rw = self.recv_window
        return Build(AMEND, lambda ts: (enc, enc.amend_order(symbol, order_id or None, client_id or None, qty_raw,
                                                             price_raw, ts, rw)))

    def cancel_builder(self, symbol: bytes, order_id: bytes = b"", client_id: bytes = b"", *,
                       category: str | bytes | None = None):
        enc = self.encoder if category is None else self._encoder(category)
        rw = self.recv_window
        return Build(CANCEL, lambda ts: (enc, enc.cancel_order(symbol, order_id or None, client_id or None, ts, rw)))

    # -- operations ----------------------------------------------------------------------------
    async def place(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
                    stop_raw: int = 0, client_id: bytes = b"", *, category: str | bytes | None = None,
                    position_side: int = 0, reduce_only: bool = False,
                    timeout: float | None = None) -> BybitParser:
        """``/v5/order/create``: every type the encoder writes (MARKET, LIMIT, LIMIT_MAKER; derivatives
        also STOP_LOSS(_LIMIT) and TAKE_PROFIT(_LIMIT) as conditional orders with triggerPrice).

        Parameters
        ----------
        symbol : bytes
        side : Side
        order_type : OrderType
        tif : TimeInForce
            TIF_NONE for market types.
        qty_raw, price_raw, stop_raw : int
            Fixed-point raw values (8 decimals); 0 means absent.
        client_id : bytes
            ``orderLinkId``; give one, it is how a lost answer is resolved.
        category : str or bytes, optional
            Overrides the path's default category.
        position_side : PositionSide, optional
            Hedge-mode positionIdx (derivatives).
        reduce_only : bool, optional
        timeout : float, optional
            Seconds to wait for the answer (default: the config's read timeout).

        Returns
        -------
        BybitParser
            Its record holds the acknowledgement until the next answer.

        Raises
        ------
        EncodeError
            Bad input; nothing was sent.
        VenueError
            The venue's refusal, typed as in :mod:`.errors` (DuplicateClientOrderId,
            InsufficientFunds, RateLimited, OutcomeUnknown for 5xx/10016, ...).
        TransportError
            No answer; ``sent=True`` means the order may exist.
        """
        build = self.place_builder(symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id,
                                   category=category, position_side=position_side, reduce_only=reduce_only)
        return await self.finish(await self.submit(build, timeout), CREATE)

    async def amend(self, symbol: bytes, order_id: bytes = b"", client_id: bytes = b"", qty_raw: int = 0,
                    price_raw: int = 0, *, category: str | bytes | None = None,
                    timeout: float | None = None) -> BybitParser:
        """``/v5/order/amend`` by ``orderId`` or ``orderLinkId`` (exactly one): new qty and/or price."""
        build = self.amend_builder(symbol, order_id, client_id, qty_raw, price_raw, category=category)
        return await self.finish(await self.submit(build, timeout), AMEND)

    async def cancel(self, symbol: bytes, order_id: bytes = b"", client_id: bytes = b"", *,
                     category: str | bytes | None = None, timeout: float | None = None) -> BybitParser:
        """``/v5/order/cancel`` by ``orderId`` or ``orderLinkId`` (exactly one); may use the cancel reserve."""
        build = self.cancel_builder(symbol, order_id, client_id, category=category)
        return await self.finish(await self.submit(build, timeout), CANCEL)
