"""MEXC spot adapter: the order manager's view of one MEXC spot account (the venue contract,
:mod:`engine.venues.base`).

Composed from the pieces of this folder: :class:`MexcRest` (queries, reconciliation,
exchange info, listen keys), :class:`MexcOrderPath` (orders on the lean path), the
user-data stream (:mod:`.user_stream`: protobuf pushes read by the compiled
:class:`~engine._parse_mexc_stream.MexcStreamParser`) and the decoding of the venue's
answers into neutral records (:mod:`.decode`).

Withdrawals (``Capability.WITHDRAWALS``) go through the wallet endpoints of :mod:`.wallet`; live
queries (``LIVE_QUERIES``) through :class:`MexcRest`; orders are written without awaiting where the
connection is open and the budget has room (``WRITE_NOW``; a market buy first asks its protective price).

What MEXC spot does not have, and what the adapter does about it:

- No WebSocket order entry, no amend, no cancel-replace, no stop or take-profit orders on
  the v3 REST API, no cancel-on-disconnect: none of those capabilities is declared (the
  engine refuses such calls before anything is sent, and its brackets need stop orders).
- Order answers are receipts: the new-order answer has no status and no client id, the
  cancel answer gives the state *before* the cancel.  The order's fate comes on the
  stream (``orders`` and ``deals`` pushes).
- A MARKET BUY spends a quote amount (``quoteOrderQty``); the engine's market orders are
  base quantities.  A market buy is therefore sent as ``IMMEDIATE_OR_CANCEL`` at a
  protective price, the best ask raised by ``market_protection`` (option, default 5 %)
  and rounded up to the tick: it buys at most the quantity asked, at the best prices in
  the book up to that bound, and ends EXPIRED for the part the book could not fill (as
  any market order's unfilled rest).  MEXC does the same internally for its own market
  orders (it prices them against a protective bound; mexcdevelop/mexc-api-sdk#77).  A
  MARKET SELL is sent as MARKET with ``quantity``.
- ``GET /api/v3/order`` can answer -2013 for an order created a moment ago
  (ccxt/ccxt#21614): within ``read_after_write_s`` (option, default 3 s) of sending an
  order, such an answer raises :class:`OutcomeUnknown` (the query is asked again) rather
  than saying the order does not exist.
- ``openOrders`` needs a symbol: every open order means one query per instrument loaded
  (``options={"symbols": [...]}`` loads only those).
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal
from typing import Awaitable, Callable

from engine._enums import OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding
from engine._fixedpoint import from_decimal as fp_from_decimal
from engine._fixedpoint import mul as fp_mul
from engine._fixedpoint import parse as fp_parse
from engine._parse_mexc_stream import MexcStreamParser
from engine.config import VenueConfig
from engine.venues.base import Capability, Fill, ForeignOrder, OrderSpec, VenueOrder, VenuePosition, VenueTrade
from engine.venues.errors import OrderRejected, OutcomeUnknown, UnknownOrder
from engine.venues.mexc import decode
from engine.venues.mexc.instruments import load_mexc
from engine.venues.mexc.order_path import PLACE_COST, MexcOrderPath
from engine.venues.mexc.rest import MexcRest
from engine.venues.mexc.user_stream import MexcUserStream
from engine.venues.mexc.wallet import MexcWallet
from engine.venues.wallet import VenueWithdrawal, WithdrawAddress, WithdrawNetwork, WithdrawRequest

__all__ = ["MexcAdapter"]

log = logging.getLogger("engine.venues.mexc.adapter")

_ONE = 100_000_000
_RECENT_MAX = 4096
_WEEK_MS = 7 * 24 * 3600 * 1000
_MONTH_MS = 30 * 24 * 3600 * 1000                   # client ids remembered for the read-after-write window


def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


class MexcAdapter:
    """One MEXC spot account (``mexc``)."""

    def __init__(self, config: VenueConfig, *, order_entry: str = "rest"):
        if order_entry != "rest":
            raise ValueError("MEXC spot takes orders over REST only: it has no WebSocket order entry")
        self.config = config
        self.venue = "mexc"
        self.futures = False
        self.margin_asset = None
        self.capabilities: frozenset[Capability] = frozenset({Capability.WITHDRAWALS, Capability.LIVE_QUERIES,
                                                             Capability.WRITE_NOW})
        self.order_entry = order_entry
        self.native_brackets = None
        self.rest = MexcRest(config)
        self.wallet = MexcWallet(self.rest)          # withdrawals (:mod:`.wallet`)
        self.withdrawal_cancel = True
        self.clock = self.rest.clock
        self.limiter = self.rest.limiter
        self.parser = MexcStreamParser()             # the user-data stream's
        self.orders = MexcOrderPath(self.rest)
        self.user_stream: MexcUserStream | None = None
        self.account_messages = decode.AccountMessages(self.parser)   # reads the pushes the stream parser holds
        opts = config.options
        self.market_protection_raw = fp_from_decimal(Decimal(str(opts.get("market_protection", "0.05"))))
        if not 0 < self.market_protection_raw < _ONE:
            raise ValueError("market_protection is a fraction between 0 and 1 (0.05: 5 % above the best ask)")
        self.read_after_write_s = float(opts.get("read_after_write_s", 3.0))
        symbols = opts.get("symbols")
        self.symbols: list[str] | None = [str(s) for s in symbols] if symbols else None
        self._registry = None
        self._loaded: list[str] = []
        self._sent_at: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"MexcAdapter(rest={self.config.endpoints.rest!r})"

    async def start(self, on_stream: Callable[[bytes], None], on_reconnected: Callable[[], Awaitable[None]],
                    on_disconnected: Callable[[], None]) -> None:
        await self.rest.start()
        await self.orders.start()
        self.user_stream = MexcUserStream(self.rest, on_stream, on_reconnected=on_reconnected,
                                          on_disconnected=on_disconnected)
        await self.user_stream.start()

    async def stop(self) -> None:
        if self.user_stream is not None:
            await self.user_stream.stop()
        await self.orders.close()
        await self.rest.close()

    async def load_instruments(self, registry) -> None:
        info = await self.rest.exchange_info(self.symbols)
        load_mexc(registry, info)
        self._registry = registry
        self._loaded = [s["symbol"] for s in info["symbols"]]

    # -- orders --------------------------------------------------------------------------
    def send_place_now(self, spec: OrderSpec):
        """The lean path's write without awaiting (``Capability.WRITE_NOW``): ``(future, read)``; None when it
        would wait, and for a market buy (its protective price is asked of the venue first)."""
        if spec.order_type == OrderType.MARKET and spec.side == Side.BUY:
            return None
        sym, cid, orders = spec.symbol.encode(), spec.client_id.encode(), self.orders
        ts = orders.lean.clock.now_ms()
        fut = orders.lean.write_now(PLACE_COST, orders.encoder.new_order_request(
            sym, spec.side, spec.order_type, spec.tif, spec.qty_raw, spec.price_raw, cid, ts, orders.recv_window, 0),
            ts)
        if fut is None:
            return None
        spec.sent_ms = ts
        self._remember(spec.client_id)
        read, side, qty = self.orders.read, spec.side, spec.qty_raw
        return fut, lambda response: read(response, cid, sym, side, qty)

    async def send_place(self, spec: OrderSpec):
        """Write the order; returns an awaitable giving the parser that holds the venue's receipt."""
        sym, cid = spec.symbol.encode(), spec.client_id.encode()
        order_type, tif, price = spec.order_type, spec.tif, spec.price_raw
        if order_type == OrderType.MARKET and spec.side == Side.BUY:
            price = await self.protective_price(spec.symbol)       # before anything is written
            order_type, tif = OrderType.LIMIT, TimeInForce.IOC
        fut = await self.orders.submit(PLACE_COST, self.orders.place_builder(
            sym, spec.side, order_type, tif, spec.qty_raw, price, cid))
        spec.sent_ms = self.orders.last_ts
        self._remember(spec.client_id)
        return self.orders.finish(fut, cid, sym, spec.side, spec.qty_raw)

    async def protective_price(self, symbol: str) -> int:
        """The limit a market buy is sent with: the best ask raised by ``market_protection``, rounded up
        to the tick.  Raises :class:`OrderRejected` (nothing sent) when the book has no ask."""
        ticker = await self.rest.book_ticker(symbol)
        ask = _raw(ticker.get("askPrice"))
        if ask <= 0:
            raise OrderRejected(self.venue, None, f"{symbol}: the book has no ask; a market buy has no price "
                                "to be bounded by (nothing was sent)")
        price = fp_mul(ask, _ONE + self.market_protection_raw, Rounding.CEILING)
        reg = self._registry
        if reg is not None and symbol in reg.ids:
            price = reg.round_price(reg.ids[symbol], price, Rounding.CEILING)
        return price

    def _remember(self, client_id: str) -> None:
        sent = self._sent_at
        sent.pop(client_id, None)
        sent[client_id] = time.monotonic()
        if len(sent) > _RECENT_MAX:
            sent.pop(next(iter(sent)))

    def _just_sent(self, client_id: str) -> bool:
        t = self._sent_at.get(client_id)
        return t is not None and time.monotonic() - t < self.read_after_write_s

    async def cancel(self, spec: OrderSpec):
        return await self.orders.cancel(spec.symbol.encode(), spec.client_id.encode())

    async def cancel_all(self, symbol: str) -> None:
        try:
            await self.rest.cancel_all(symbol)
        except UnknownOrder:
            pass                      # nothing open

    async def last_price(self, symbol: str) -> int | None:
        """Mid of the best bid and ask (a reference for risk checks), None without a book."""
        t = await self.rest.book_ticker(symbol)
        bid, ask = _raw(t.get("bidPrice")), _raw(t.get("askPrice"))
        if bid > 0 and ask > 0:
            return (bid + ask) // 2
        return None

    # -- queries (cold path) ----------------------------------------------------------------
    async def query(self, symbol: str, client_id: str, order_type: int = 0) -> VenueOrder | None:
        """One order by client id; None: the venue has none (but see the read-after-write window)."""
        try:
            return decode.venue_order(await self.rest.get_order(symbol, client_order_id=client_id))
        except UnknownOrder as exc:
            if exc.code == -2013 and self._just_sent(client_id):
                raise OutcomeUnknown(self.venue, exc.code, f"order {client_id} not visible yet "
                                     f"({self.read_after_write_s:g} s after it was sent): asked again") from None
            return None

    async def open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        """Every open order (``openOrders`` needs a symbol: one query per instrument loaded)."""
        symbols = [symbol] if symbol else self._loaded
        out = []
        for s in symbols:
            out += [decode.venue_order(d) for d in await self.rest.open_orders(s)]
        return out

    async def fills(self, symbol: str, client_id: str) -> list[Fill]:
        """The order's executions, oldest first (its stream deals carry no cumulative quantity)."""
        try:
            d = await self.rest.get_order(symbol, client_order_id=client_id)
        except UnknownOrder:
            return []
        oid = str(d.get("orderId") or "")
        if not oid:
            return []
        return decode.fills(await self.rest.my_trades(symbol, order_id=oid, limit=100), oid)

    async def order_history(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueOrder]:
        """Open and closed orders of ``symbol``, oldest first (``allOrders``: the last 24 h by default, at most
        7 days back and 1,000 rows: an older ``since_ms`` is brought to the 7 days the venue keeps)."""
        limit = min(max(int(limit), 1), 1000)
        start = None if since_ms is None else max(int(since_ms), self.clock.now_ms() - _WEEK_MS + 60_000)
        rows = await self.rest.all_orders(symbol, start_time=start, limit=limit)
        rows.sort(key=lambda d: int(d.get("time") or 0))
        return [decode.venue_order(d) for d in rows[-limit:]]

    async def trades(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueTrade]:
        """The account's executions of ``symbol``, oldest first (``myTrades``: at most 100 rows, the last month)."""
        start = None if since_ms is None else max(int(since_ms), self.clock.now_ms() - _MONTH_MS + 60_000)
        rows = await self.rest.my_trades(symbol, start_time=start, limit=min(max(int(limit), 1), 100))
        rows.sort(key=lambda r: int(r.get("time") or 0))
        return [decode.venue_trade(r) for r in rows]

    def foreign_order(self, parser, payload: bytes) -> ForeignOrder | None:
        return decode.foreign_order(parser)

    async def describe_found(self, vo: VenueOrder) -> ForeignOrder | None:
        return decode.found_order(vo)

    def account_message(self, payload: bytes, sink) -> None:
        self.account_messages.read(payload, sink)

    async def positions(self) -> list[VenuePosition]:
        return []                     # spot: balances only

    # -- withdrawals (:mod:`.wallet`) ------------------------------------------------------------
    async def withdrawal_networks(self, asset: str) -> list[WithdrawNetwork]:
        return await self.wallet.networks(asset)

    async def withdraw(self, request: WithdrawRequest) -> VenueWithdrawal:
        return await self.wallet.withdraw(request)

    async def withdrawal_history(self, asset: str | None = None, since_ms: int | None = None, limit: int = 1000, *,
                                 withdrawal_id: str | None = None, client_id: str | None = None
                                 ) -> list[VenueWithdrawal]:
        return await self.wallet.history(asset, since_ms, limit, withdrawal_id=withdrawal_id, client_id=client_id)

    async def withdraw_address_book(self, asset: str) -> list[WithdrawAddress]:
        return await self.wallet.address_book(asset)

    async def cancel_withdrawal(self, withdrawal_id: str) -> VenueWithdrawal:
        return await self.wallet.cancel(withdrawal_id)

    async def balances(self) -> dict[str, tuple[int, int]]:
        return {asset: (_raw(a), _raw(b)) for asset, (a, b) in (await self.rest.balances()).items()}
