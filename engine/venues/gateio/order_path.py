"""Gate.io spot orders on the lean path: compiled encoder -> pre-built HTTP/1.1 bytes -> warm connection -> compiled parser.

Per order this does: one C call that writes the compact JSON body, the request target
and the ``SIGN`` (HMAC-SHA512, nogil) into the encoder's buffers, one more that frames
the whole HTTP/1.1 request around them in one bytes object, one socket write
(:class:`~engine.transport.lean_path.LeanHttpPath`: encode, pace, write); the answer is
read by httptools and parsed by the compiled Gate parser (:class:`~engine._parse_gateio.
GateParser`: the order, its state from status + finish_as + filled amounts).

Invariants:

1. Bad user input raises :class:`~engine._codec_errors.EncodeError` before anything is
   sent or any rate budget is spent.
2. The request bytes are copied out of the shared encoder before the first ``await``.
3. ``Timestamp`` (seconds) is the one signed, taken after any wait for the limiter; every
   request carries ``X-Gate-Exptime`` = that time + the recv window (ms), so the venue
   refuses it once it is later than that: a lost request can no longer be taken after it.
4. Errors map exactly as on the general path (:func:`.errors.check_response`, which also
   pauses the limiter on 429); successful answers feed ``X-Gate-RateLimit-*`` to the
   limiter without decoding JSON.  A 202 ("accepted, processing") or an unreadable 2xx
   leaves the outcome unknown.
5. A lost answer raises the transport error with ``sent=True``: the order's outcome is
   unknown and it is resolved by its ``text``, never resent (Gate does not refuse a
   second order under one ``text``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, NamedTuple

from engine._codec_gateio import ENDPOINTS, GateOrderEncoder
from engine._parse_common import MessageKind, ParseError
from engine._parse_gateio import GateParser
from engine.transport.fast_http import FastHttpClient, HttpResponse
from engine.transport.lean_path import LeanHttpPath
from engine.transport.ratelimit import Cost
from engine.venues import errors as E
from engine.venues.gateio.errors import LIMIT_HEADER, REMAIN_HEADER, VENUE, check_response
from engine.venues.gateio.rest import GateRest, api_prefix

__all__ = ["GateOrderPath", "Build", "CREATE", "CANCEL", "AMEND"]

log = logging.getLogger("engine.venues.gateio.order_path")

CREATE, CANCEL, AMEND = 1, 2, 3                 # GateOrderEncoder.endpoint values
_ORDER_KINDS = frozenset({int(MessageKind.ORDER_STATE), int(MessageKind.ORDER_RECEIVED)})


class Build(NamedTuple):
    """A request to submit: its rate cost and ``encode(ts_ms) -> body length`` (the encoder holds the rest)."""

    cost: Cost
    encode: Callable[[int], int]


class GateOrderPath:
    """Create, amend and cancel orders for the account of ``rest``, sharing its signer, clock and limiter.

    Notes
    -----
    Every operation returns the path's :class:`~engine._parse_gateio.GateParser`, whose record
    holds the venue's answer (the order).

    .. DANGER:: the record is overwritten by the next answer: read what you need before
       awaiting again.  One path per event loop.
    """

    def __init__(self, rest: GateRest, *, capacity: int = 1024):
        cfg = rest.config
        self.rest = rest
        self.venue = VENUE
        self.limits = rest.limits
        self.limiter = rest.limiter
        self.clock = rest.clock
        self.recv_window = rest.recv_window
        self.encoder = GateOrderEncoder(rest.signer, cfg.api_key, capacity=capacity)
        self.parser = GateParser()
        self.http = FastHttpClient(cfg.endpoints.rest, connect_timeout=cfg.connect_timeout,
                                   read_timeout=cfg.read_timeout)
        root = api_prefix(cfg.endpoints.rest).encode()        # the encoder's targets start at /api/v4
        # the request is framed by the encoder: method and path prefix per endpoint, then the target, then
        # these headers up to the Timestamp value, then the signed header values and the body
        self.encoder.set_frame([m + b" " + root if m else None for _, (m, _) in sorted(ENDPOINTS.items())],
                               (b" HTTP/1.1\r\nHost: %s\r\nKEY: %s\r\nAccept: application/json\r\n"
                                b"Content-Type: application/json\r\nTimestamp: ") % (self.http.host_header,
                                                                                     cfg.api_key.encode()))
        self.lean = LeanHttpPath(self.http, rest.limiter, rest.clock)
        self._place_costs: dict[str, Cost] = {}     # pair -> its place + amend budget (GateLimits.place)

    def _place_cost(self, pair: str) -> Cost:
        cost = self._place_costs[pair] = self.limits.place(pair)
        return cost

    @property
    def last_ts(self) -> int:
        """The timestamp (venue ms) the last request was made with; the venue refuses it after this plus
        the recv window (``X-Gate-Exptime``)."""
        return self.lean.last_ts

    @property
    def orders_sent(self) -> int:
        return self.lean.sent

    @property
    def mismatches(self) -> int:
        """Answers that named another order than their request (the connection was failed each time)."""
        return self.lean.mismatches

    def __repr__(self) -> str:
        return f"GateOrderPath(rest={self.rest.config.endpoints.rest!r})"

    async def start(self) -> None:
        """Open the connection ahead of the first order."""
        await self.lean.start()

    async def close(self) -> None:
        await self.lean.close()

    def request_bytes(self, ts_ms: int) -> bytes:
        """The whole request for the encoder's last call (a copy: the encoder is reused)."""
        return self.encoder.framed_request(ts_ms + self.recv_window)

    def submit(self, build: Build, timeout: float | None = None) -> Awaitable[asyncio.Future]:
        """Encode, pace and write one request; returns the future of its HTTP answer.

        Nothing here awaits when the limiter has room and the connection is warm: the bytes
        are on the socket when this returns.  After a wait the request is encoded again.
        """
        def encode(ts: int) -> bytes:
            build.encode(ts)
            return self.request_bytes(ts)

        return self.lean.submit(build.cost, encode, timeout)

    def submit_now(self, build: Build, timeout: float | None = None) -> asyncio.Future | None:
        """:meth:`submit` without waiting: the future of the HTTP answer once written, or None (nothing
        spent, nothing written) when the connection is not open or the limiter has no room."""
        def encode(ts: int) -> bytes:
            build.encode(ts)
            return self.request_bytes(ts)

        return self.lean.submit_now(build.cost, encode, timeout)

    async def finish(self, fut: asyncio.Future, cost: Cost, client_id: bytes | None = None) -> GateParser:
        """Wait for the answer; return the parser holding the order, or raise the venue's typed error
        (the transport's, ``sent=True``, when no answer came).

        With ``client_id``, an answer naming another order fails the connection (answers are
        paired with requests by position): every request on it ends with ProtocolError.
        """
        return self.read(await fut, cost, client_id)

    def read(self, response: HttpResponse, cost: Cost, client_id: bytes | None = None) -> GateParser:
        """:meth:`finish` of an answer already received (same errors, same parser)."""
        status = response.status
        if 200 <= status < 300 and status != 202:
            parser = self.parser
            try:
                kind = parser.parse(response.body)
            except ParseError:
                kind = -1
            if kind in _ORDER_KINDS:
                if client_id is not None and not parser.names_client(client_id):
                    raise self.lean.unpaired(f"answer names another order than {client_id.decode()}")
                counts = response.counts(LIMIT_HEADER, REMAIN_HEADER)     # observe_limits, inlined
                if counts is not None:      # None: missing or garbled, our own count stands
                    self.limiter.observe_endpoint(cost.endpoint, *counts)
                return parser
            raise E.OutcomeUnknown(VENUE, None, f"HTTP {status} answer that is not an order; resolve the order by "
                                   "its text", http_status=status)
        if status == 202:
            raise E.OutcomeUnknown(VENUE, None, "HTTP 202: accepted, still processing; resolve the order by its text",
                                   http_status=202)
        check_response(response, self.limiter, cost.endpoint)
        raise E.OutcomeUnknown(VENUE, None, f"HTTP {status}", http_status=status)   # (1xx never reach here)

    # -- builders ------------------------------------------------------------------------------
    def place_builder(self, pair: str, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                      text: bytes) -> Build:
        enc, p = self.encoder, pair.encode()
        return Build(self.limits.place(pair),
                     lambda ts: enc.new_order(p, side, order_type, tif, qty_raw, price_raw, text, ts // 1000))

    def cancel_builder(self, pair: str, order_id: bytes | None = None, text: bytes | None = None) -> Build:
        enc, p = self.encoder, pair.encode()
        return Build(self.limits.cancel, lambda ts: enc.cancel_order(p, order_id, text, ts // 1000))

    def amend_builder(self, pair: str, order_id: bytes | None = None, text: bytes | None = None, qty_raw: int = 0,
                      price_raw: int = 0) -> Build:
        enc, p = self.encoder, pair.encode()
        return Build(self.limits.place(pair),
                     lambda ts: enc.amend_order(p, order_id, text, qty_raw, price_raw, ts // 1000))

    # -- operations ------------------------------------------------------------------------------
    # Each encodes first (bad input raises before any budget is spent), then writes at once when the
    # connection is warm and the limiter has room (LeanHttpPath.write_now); otherwise it goes through
    # submit(), which waits and encodes again with the time the request leaves.
    async def place(self, pair: str, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                    text: bytes, timeout: float | None = None) -> GateParser:
        """``POST /spot/orders`` (limit, post-only, IOC/FOK limit; market SELL): the order's answer.

        Raises
        ------
        EncodeError
            Bad input; nothing was sent.
        VenueError
            The venue's refusal, typed as in :mod:`.errors`.
        TransportError
            No answer; ``sent=True`` means the order may exist.
        """
        cost = self._place_costs.get(pair) or self._place_cost(pair)
        ts = self.clock.now_ms()
        request = self.encoder.new_order_request(pair, side, order_type, tif, qty_raw, price_raw, text, ts,
                                                 self.recv_window)
        fut = self.lean.write_now(cost, request, ts, timeout)
        if fut is None:
            fut = await self.submit(self.place_builder(pair, side, order_type, tif, qty_raw, price_raw, text), timeout)
        return self.read(await fut, cost, text)

    async def cancel(self, pair: str, *, order_id: bytes | None = None, text: bytes | None = None,
                     timeout: float | None = None) -> GateParser:
        """``DELETE /spot/orders/{id or text}``: the cancelled order (a cancelled order may be partly filled)."""
        cost = self.limits.cancel
        ts = self.clock.now_ms()
        fut = self.lean.write_now(cost, self.encoder.cancel_request(pair, order_id, text, ts, self.recv_window), ts,
                                  timeout)
        if fut is None:
            fut = await self.submit(self.cancel_builder(pair, order_id, text), timeout)
        return self.read(await fut, cost, text)

    async def amend(self, pair: str, *, order_id: bytes | None = None, text: bytes | None = None, qty_raw: int = 0,
                    price_raw: int = 0, timeout: float | None = None) -> GateParser:
        """``PATCH /spot/orders/{id or text}``: new amount and/or price (0 keeps it)."""
        build = self.amend_builder(pair, order_id, text, qty_raw, price_raw)
        return await self.finish(await self.submit(build, timeout), build.cost, text)
