"""MEXC orders on the lean path: compiled encoder -> pre-built HTTP/1.1 bytes -> warm connection -> compiled parser.

Per order: one C call writes the signed query string into the encoder's buffer (every
parameter in the query, the body empty: the docs' example 2), one join with the pre-built
request line and headers, one socket write (encode, pace, write:
:class:`~engine.transport.lean_path.LeanHttpPath`).  The answer is read by httptools and
the compiled MEXC parser, then paired with its request: a new-order answer names no client
id, so the symbol, side and quantity it names must be the request's (answers are paired
with requests by position on the connection; one that cannot be this request's fails the
connection, and every request on it is then resolved by client id).  The answer is only a
receipt: the order's state arrives on the private stream.  A lost answer raises a
transport error with ``sent=True``: the order's outcome is unknown, never resent.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable

from engine._codec_mexc import ENDPOINTS, MexcOrderEncoder
from engine._parse_common import MessageKind
from engine._parse_mexc import MexcParser
from engine.transport.fast_http import FastHttpClient, HttpResponse
from engine.transport.lean_path import LeanHttpPath
from engine.transport.ratelimit import Cost
from engine.venues.errors import OutcomeUnknown
from engine.venues.mexc.errors import check_response
from engine.venues.mexc.rest import MexcRest

__all__ = ["MexcOrderPath", "PLACE_COST", "CANCEL_COST"]

log = logging.getLogger("engine.venues.mexc.order_path")

# place and cancel share the 12 per second order budget; cancels may use its reserve
PLACE_COST = Cost(weight=1, orders=1)
CANCEL_COST = Cost(weight=1, orders=1, cancel=True)
_ACK, _ERROR = int(MessageKind.ORDER_RECEIVED), int(MessageKind.ERROR)


class MexcOrderPath:
    """Place and cancel orders for the account of ``rest``, sharing its signer, clock and limits."""

    def __init__(self, rest: MexcRest, *, capacity: int = 1024):
        cfg = rest.config
        self.rest = rest
        self.venue = "mexc"
        self.limiter = rest.limiter
        self.recv_window = cfg.recv_window_ms
        self.encoder = MexcOrderEncoder(rest.signer, capacity=capacity)
        self.parser = MexcParser()
        self.http = FastHttpClient(cfg.endpoints.rest, connect_timeout=cfg.connect_timeout,
                                   read_timeout=cfg.read_timeout)
        prefix = self.http.path_prefix.encode()
        # the encoder writes each whole request (request line, signed query, headers) in one bytes object
        self.encoder.set_frame([b"%s %s%s?" % (ENDPOINTS[ep][0], prefix, ENDPOINTS[ep][1]) if ENDPOINTS[ep][0]
                                else None for ep in range(len(ENDPOINTS))],
                               b" HTTP/1.1\r\nHost: %s\r\nX-MEXC-APIKEY: %s\r\nContent-Type: application/json\r\n"
                               b"Content-Length: 0\r\n\r\n" % (self.http.host_header, cfg.api_key.encode()))
        self.lean = LeanHttpPath(self.http, rest.limiter, rest.clock)

    def __repr__(self) -> str:
        return f"MexcOrderPath(rest={self.rest.config.endpoints.rest!r})"

    @property
    def last_ts(self) -> int:
        """The timestamp the last request was signed with (venue ms)."""
        return self.lean.last_ts

    @property
    def mismatches(self) -> int:
        return self.lean.mismatches

    async def start(self) -> None:
        await self.lean.start()

    async def close(self) -> None:
        await self.lean.close()

    def submit(self, cost: Cost, build) -> Awaitable[asyncio.Future]:
        """Encode (``build(ts)`` returns the whole signed request), pace, write."""
        return self.lean.submit(cost, build)

    def place_builder(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                      client_id: bytes, quote_qty_raw: int = 0):
        """``build(ts) -> bytes``: the whole signed request of this order, timestamped ``ts``.

        The order's values are the function's defaults (one tuple), not closure cells (one each): it is
        made per order."""
        return lambda ts, r=self.encoder.new_order_request, s=symbol, d=side, o=order_type, t=tif, q=qty_raw, \
            p=price_raw, c=client_id, w=self.recv_window, x=quote_qty_raw: r(s, d, o, t, q, p, c, ts, w, x)

    def cancel_builder(self, symbol: bytes, client_id: bytes = b"", order_id: bytes = b""):
        return lambda ts, r=self.encoder.cancel_request, s=symbol, o=order_id or None, c=client_id or None, \
            w=self.recv_window: r(s, o, c, ts, w)

    async def finish(self, fut: asyncio.Future, client_id: bytes, symbol: bytes, side: int = 0,
                     qty_raw: int = 0) -> MexcParser:
        """Wait for the answer; raise the venue's typed error, or return the parser holding the receipt.

        The receipt must be the request's (module docstring), else the connection is failed and
        a :class:`ProtocolError` (``sent=True``) raised: the outcome is unknown, resolved by client id.
        """
        return self.read(await fut, client_id, symbol, side, qty_raw)

    def read(self, response: HttpResponse, client_id: bytes, symbol: bytes, side: int = 0,
             qty_raw: int = 0) -> MexcParser:
        """:meth:`finish` of an answer already received (same errors, same parser)."""
        if response.status != 200:
            check_response(response, self.limiter)      # raises the typed error
        # parsed and paired in one call (ParseError: an unreadable 200, the outcome unknown)
        kind = self.parser.receipt(response.body, client_id, symbol, side, qty_raw)
        if kind != _ACK:
            self._not_the_receipt(kind, response, client_id)
        return self.parser

    def _not_the_receipt(self, kind: int, response: HttpResponse, client_id: bytes) -> None:
        """Raise what an answer that is not this request's receipt means (cold)."""
        if kind == _ERROR:
            check_response(response, self.limiter)      # a 200 carrying an error code
        if kind < 0:
            raise self.lean.unpaired(f"answer cannot be the one to the request for {client_id.decode()}")
        raise OutcomeUnknown(self.venue, None, f"a {len(response.body)}-byte answer that is not an order receipt")

    # -- operations (for tools, the benchmarks and the adapter's cancel) --------------------------------
    # Each encodes first (bad input raises before any budget is spent), then writes at once when the
    # connection is open and the limiter has room (LeanHttpPath.write_now: no task, no await before the
    # write); otherwise it goes through submit(), which waits and encodes again with the time it leaves.
    async def place(self, symbol: bytes, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                    client_id: bytes, *, quote_qty_raw: int = 0) -> MexcParser:
        """Place one order; returns the parser holding the venue's receipt (overwritten by the next call)."""
        ts = self.lean.clock.now_ms()
        fut = self.lean.write_now(PLACE_COST, self.encoder.new_order_request(
            symbol, side, order_type, tif, qty_raw, price_raw, client_id, ts, self.recv_window, quote_qty_raw), ts)
        if fut is None:
            fut = await self.lean.submit(PLACE_COST, self.place_builder(symbol, side, order_type, tif, qty_raw,
                                                                        price_raw, client_id, quote_qty_raw))
        return self.read(await fut, client_id, symbol, side, qty_raw)

    async def cancel(self, symbol: bytes, client_id: bytes) -> MexcParser:
        """Cancel one order by its client id; the receipt names it (``origClientOrderId``)."""
        ts = self.lean.clock.now_ms()
        fut = self.lean.write_now(CANCEL_COST, self.encoder.cancel_request(symbol, None, client_id, ts,
                                                                           self.recv_window), ts)
        if fut is None:
            fut = await self.lean.submit(CANCEL_COST, self.cancel_builder(symbol, client_id=client_id))
        return self.read(await fut, client_id, symbol)
