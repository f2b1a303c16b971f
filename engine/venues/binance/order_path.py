"""Binance orders on the lean path: compiled encoder -> pre-built HTTP/1.1 bytes -> warm connection -> compiled parser.

Per order this does: one C call that writes the signed query string and returns the
whole request (the pre-built request line and headers around it, one bytes object), one socket
write (encode, pace, write: :class:`~engine.transport.lean_path.LeanHttpPath`); the
answer is read by httptools and parsed by the compiled Binance parser into its record,
which the order manager applies.  Errors map exactly as on the general
path (:mod:`.errors`), and a lost answer raises a transport error with ``sent=True``:
the order's outcome is unknown and it is resolved by its client order id, never
resent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable

from engine._codec_binance import ENDPOINTS, BinanceOrderEncoder
from engine._parse_binance import BinanceParser
from engine.transport.fast_http import FastHttpClient, HttpResponse
from engine.transport.lean_path import LeanHttpPath
from engine.transport.ratelimit import Cost
from engine.venues.binance.errors import check_response
from engine.venues.binance.rest import BinanceRest

__all__ = ["BinanceOrderPath"]

log = logging.getLogger("engine.venues.binance.order_path")

PLACE_COST = _PLACE = Cost(weight=0, orders=1)
CANCEL_COST = _CANCEL = Cost(weight=0, cancel=True)
AMEND_COST = Cost(weight=4)        # spot keepPriority: weight 4, no order counted


class BinanceOrderPath:
    """Place, cancel and (USD-M) modify orders for the account of ``rest``, sharing its signer, clock and limits."""

    def __init__(self, rest: BinanceRest, *, capacity: int = 2048):
        cfg = rest.config
        self.rest = rest
        self.venue = rest.venue
        self.futures = rest.futures
        self.limiter = rest.limiter
        self.recv_window = cfg.recv_window_ms
        self.encoder = BinanceOrderEncoder(rest.signer, futures=rest.futures, capacity=capacity)
        self.parser = BinanceParser(futures=rest.futures)
        self.http = FastHttpClient(cfg.endpoints.rest, connect_timeout=cfg.connect_timeout,
                                   read_timeout=cfg.read_timeout)
        tail = b" HTTP/1.1\r\nHost: %s\r\nX-MBX-APIKEY: %s\r\nContent-Length: 0\r\n\r\n" % (
            self.http.host_header, cfg.api_key.encode())
        prefix = self.http.path_prefix.encode()
        # the encoder writes each whole request (request line, signed query, headers) in one bytes object
        self.encoder.set_frame([b"%s %s%s?" % (ENDPOINTS[ep][0], prefix, ENDPOINTS[ep][1]) if ENDPOINTS[ep][0]
                                else None for ep in range(len(ENDPOINTS))], tail)
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
        return f"BinanceOrderPath(venue={self.venue!r}, rest={self.rest.config.endpoints.rest!r})"

    async def start(self) -> None:
        """Open the connection ahead of the first order."""
        await self.lean.start()

    async def close(self) -> None:
        await self.lean.close()

    def submit(self, cost: Cost, build) -> Awaitable[asyncio.Future]:
        """Encode (``build(ts)`` returns the whole signed request), pace, write.

        When the limiter has room and the connection is warm, nothing here awaits: the
        bytes are on the socket when this returns (the order manager keeps per-instrument
        order by holding its lock only across this step).
        """
        return self.lean.submit(cost, build)

    def place_now(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                  stop_raw: int, client_id: bytes, reduce_only: bool = False, callback_rate_raw: int = 0):
        """A new order encoded, signed and written at once (no builder, no closure): the answer's future,
        or None (nothing spent or written) when the connection is not open or the limiter has no room.
        Bad input raises before the budget is touched."""
        lean = self.lean
        ts = lean.clock.now_ms()
        request = self.encoder.new_order_request(symbol, side, order_type, tif, qty_raw, price_raw, stop_raw,
                                                 client_id, ts, self.recv_window, 0, reduce_only, callback_rate_raw)
        return lean.write_now(_PLACE, request, ts)

    def cancel_now(self, symbol: bytes, client_id: bytes, algo: bool = False):
        """:meth:`place_now` for a cancel by client order id (``algo``: a USD-M conditional order's)."""
        lean = self.lean
        ts = lean.clock.now_ms()
        return lean.write_now(_CANCEL, self.encoder.cancel_request(symbol, 0, client_id, ts, self.recv_window, algo),
                              ts)

    def modify_now(self, symbol: bytes, side: int, qty_raw: int, price_raw: int, client_id: bytes):
        """:meth:`place_now` for a USD-M modify by client order id (the order's whole new quantity and price)."""
        lean = self.lean
        ts = lean.clock.now_ms()
        return lean.write_now(_PLACE, self.encoder.modify_request(symbol, side, 0, client_id, qty_raw, price_raw, ts,
                                                                  self.recv_window), ts)

    def keep_priority_now(self, symbol: bytes, client_id: bytes, qty_raw: int):
        """:meth:`place_now` for a spot keepPriority amendment by client order id (its whole new quantity, lower)."""
        lean = self.lean
        ts = lean.clock.now_ms()
        return lean.write_now(AMEND_COST, self.encoder.amend_keep_priority_request(symbol, client_id, qty_raw, ts,
                                                                                  self.recv_window), ts)

    async def finish(self, fut: asyncio.Future, client_id: bytes | None = None) -> BinanceParser:
        """Wait for the answer; raise the venue's typed error, or return the parser holding it.

        With ``client_id``, a 2xx answer must name that order: answers are paired with requests
        by position on the connection, so one naming another order means the pairing broke.  The
        connection is then failed (every request on it, this one included, ends with a
        :class:`ProtocolError`, ``sent=True``: outcome unknown, resolved by client id).
        """
        return self.read_naming(client_id, await fut)

    def read(self, response: HttpResponse, client_id: bytes | None = None) -> BinanceParser:
        """:meth:`finish` of an answer already received (same errors, same parser)."""
        return self.read_naming(client_id, response)

    def read_naming(self, client_id: bytes | None, response: HttpResponse) -> BinanceParser:
        """:meth:`read` with the client id first (what a place written at once binds to its answer)."""
        if response.status != 200:
            check_response(self.venue, response, self.limiter)  # raises the typed error
        parser = self.parser
        parser.parse(response.body)     # ParseError: an unreadable 200, the order's outcome unknown
        if client_id is not None and not parser.names_client(client_id):
            raise self.lean.unpaired(f"answer names another order than {client_id.decode()}")
        return parser

    async def _send(self, cost: Cost, build) -> BinanceParser:
        return await self.finish(await self.submit(cost, build))

    def place_builder(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
                      stop_raw: int = 0, client_id: bytes = b"", *, position_side: int = 0,
                      reduce_only: bool = False, callback_rate_raw: int = 0):
        """``build(ts) -> bytes``: the whole signed request of this order, timestamped ``ts``."""
        request, rw = self.encoder.new_order_request, self.recv_window
        return lambda ts: request(symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id, ts, rw,
                                  position_side, reduce_only, callback_rate_raw)

    async def place(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = 0,
                    stop_raw: int = 0, client_id: bytes = b"", *, position_side: int = 0,
                    reduce_only: bool = False, callback_rate_raw: int = 0) -> BinanceParser:
        """Place one order; returns the parser holding the venue's answer in its record.

        The record is overwritten by the next call: read what you need before awaiting again.
        """
        request, rw = self.encoder.new_order_request, self.recv_window
        return await self.finish(await self.lean.submit(_PLACE, lambda ts: request(
            symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, client_id, ts, rw, position_side, reduce_only,
            callback_rate_raw)))

    async def cancel(self, symbol: bytes, order_id: int = 0, client_id: bytes = b"", *,
                     algo: bool = False) -> BinanceParser:
        request, rw = self.encoder.cancel_request, self.recv_window
        return await self.finish(await self.lean.submit(_CANCEL, lambda ts: request(symbol, order_id, client_id or None,
                                                                                  ts, rw, algo)))

    async def modify(self, symbol: bytes, side: int, qty_raw: int, price_raw: int, order_id: int = 0,
                     client_id: bytes = b"") -> BinanceParser:
        if not self.futures:
            raise NotImplementedError("modify is USD-M only; spot uses cancel-replace")
        request, rw = self.encoder.modify_request, self.recv_window
        return await self._send(_PLACE, lambda ts: request(symbol, side, order_id, client_id or None, qty_raw,
                                                           price_raw, ts, rw))
