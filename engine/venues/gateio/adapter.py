"""Gate.io spot adapter: the order manager's view of one Gate.io spot account (the venue contract,
:mod:`engine.venues.base`).

Orders go over REST (``order_entry="rest"``: the lean path, :mod:`.order_path`) or the
WebSocket order API (``"ws"``: :mod:`.ws_orders`, after ``spot.login``), with the REST path
as the fallback while that socket reconnects.  Answers are full orders (their state read
by the compiled parser); fills come on the private stream's ``spot.usertrades``, each once
by its trade id, and states on ``spot.orders`` (:mod:`.user_stream`).

Rules of this venue the engine lives by:

1. Gate does not refuse a second order under a ``text`` it already holds (the later one
   takes the text), so exactly-once is the engine's: an order whose answer was lost is
   UNKNOWN and resolved by looking it up (by text while it is open, then in the finished
   orders and the trades), never by sending it again (``Capability.NEVER_RESEND``).  Every
   order request carries ``X-Gate-Exptime``, so the venue cannot take it after
   ``timestamp + recv_window``: past that, "found nowhere" means it was never placed.
2. A market BUY's ``amount`` is what it spends in the quote currency, while the engine's
   orders are in base units; so a MARKET BUY goes out as a limit IOC order for its base
   quantity, priced at the best ask plus ``market_buy_slippage`` (config option, default
   5 %, rounded up to the tick).  It fills at the book's prices like a market order, never
   for more than asked; what the cap leaves unfilled expires.  MARKET SELL is a market order.
3. Stop and take-profit orders are not offered: Gate's spot trigger orders
   (``/spot/price_orders``) are a separate API whose triggered orders the engine could not
   tie to their trigger.  They are refused before anything is sent.
"""

from __future__ import annotations

import logging
from decimal import ROUND_CEILING, Decimal
from typing import Awaitable, Callable

from engine._enums import OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding
from engine._fixedpoint import parse as fp_parse
from engine._parse_common import MessageKind
from engine._parse_gateio import GateParser
from engine.config import VenueConfig
from engine.transport.errors import ConnectionLost
from engine.transport.ratelimit import Cost
from engine.venues import errors as E
from engine.venues.base import Capability, Fill, ForeignOrder, OrderSpec, VenueOrder, VenuePosition, VenueTrade
from engine.venues.wallet import VenueWithdrawal, WithdrawAddress, WithdrawNetwork, WithdrawRequest
from engine.venues.gateio import decode
from engine.venues.gateio.errors import VENUE
from engine.venues.gateio.instruments import load_gateio, step_of
from engine.venues.gateio.order_path import Build, GateOrderPath
from engine.venues.gateio.rest import GateRest
from engine.venues.gateio.user_stream import GatePrivateStream
from engine.venues.gateio.wallet import GateWallet
from engine.venues.gateio.ws_orders import GateWsOrders

__all__ = ["GateAdapter"]

log = logging.getLogger("engine.venues.gateio.adapter")

_ORDER_KINDS = frozenset({int(MessageKind.ORDER_STATE), int(MessageKind.ORDER_RECEIVED)})
_TYPES = frozenset({OrderType.MARKET, OrderType.LIMIT, OrderType.LIMIT_MAKER})
_FREE = Cost(weight=0)            # a fallback write whose budget the WebSocket attempt took already
DEFAULT_SLIPPAGE = "0.05"
_COUNTDOWN_MIN_S = 5              # POST /spot/countdown_cancel_all: 0 (off) or at least 5 s


def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


class GateAdapter:
    """One Gate.io spot account."""

    def __init__(self, config: VenueConfig, *, order_entry: str = "rest"):
        if order_entry not in ("rest", "ws"):
            raise ValueError("order_entry is 'rest' or 'ws'")
        if config.venue != "gateio":
            raise ValueError(f"GateAdapter serves gateio, not {config.venue}")
        self.config = config
        self.venue = VENUE
        self.futures = False
        self.margin_asset = None
        self.capabilities = frozenset({Capability.AMEND_IN_PLACE, Capability.WS_ORDER_ENTRY,
                                       Capability.CANCEL_ON_DISCONNECT, Capability.NEVER_RESEND,
                                       Capability.WITHDRAWALS, Capability.LIVE_QUERIES, Capability.WRITE_NOW})
        self.order_entry = order_entry
        slippage = Decimal(str(config.options.get("market_buy_slippage", DEFAULT_SLIPPAGE)))
        if not Decimal(0) < slippage < Decimal(1):
            raise ValueError(f"market_buy_slippage must be between 0 and 1, got {slippage}")
        self.market_buy_slippage = slippage
        self.rest = GateRest(config)
        self.clock = self.rest.clock
        self.limiter = self.rest.limiter
        self.parser = GateParser()                 # the private stream's
        self.orders = GateOrderPath(self.rest)
        self.wallet = GateWallet(self.rest)          # withdrawals (:mod:`.wallet`)
        self.withdrawal_cancel = True
        self.trade: GateWsOrders | None = None
        self.stream: GatePrivateStream | None = None
        self.account_messages = decode.AccountMessages()
        self._ws_parser = GateParser()              # the order API's answers
        self._ticks: dict[str, Decimal] = {}        # pair -> price step
        self._countdowns: set[str] = set()          # pairs whose countdown cancel-all this adapter armed

    def __repr__(self) -> str:
        return f"GateAdapter(order_entry={self.order_entry!r})"

    # -- life ------------------------------------------------------------------------------------------
    async def start(self, on_stream: Callable[[bytes], None], on_reconnected: Callable[[], Awaitable[None]],
                    on_disconnected: Callable[[], None]) -> None:
        await self.rest.start()
        await self.orders.start()
        self.stream = GatePrivateStream(self.config, on_stream, on_reconnected=on_reconnected,
                                        on_disconnected=on_disconnected)
        await self.stream.start()
        if self.order_entry == "ws":
            self.trade = GateWsOrders(self.config, self.rest.clock, limiter=self.rest.limiter)
            await self.trade.start()

    async def stop(self) -> None:
        if self.trade is not None:
            await self.trade.stop()
        if self.stream is not None:
            await self.stream.stop()
        await self.orders.close()
        await self.rest.close()

    async def load_instruments(self, registry) -> None:
        pairs = await self.rest.currency_pairs()
        load_gateio(registry, pairs)
        self._ticks = {p["id"]: Decimal(step_of(p.get("precision"))) for p in pairs}

    # -- orders ---------------------------------------------------------------------------------------
    async def _wire_terms(self, spec: OrderSpec) -> tuple[int, int, int]:
        """(type, time in force, price) as sent (module docstring, rules 2 and 3)."""
        t = spec.order_type
        if t not in _TYPES:
            raise ValueError(f"gateio spot takes market, limit and post-only orders; {OrderType(t).name} is not "
                             "offered (Gate's spot trigger orders are a separate API)")
        if t == OrderType.MARKET and spec.side == Side.BUY:
            return OrderType.LIMIT, TimeInForce.IOC, await self.market_buy_price(spec.symbol)
        if t == OrderType.MARKET:
            return t, TimeInForce.IOC, 0
        return t, spec.tif, spec.price_raw

    def send_place_now(self, spec: OrderSpec):
        """The write without awaiting (``Capability.WRITE_NOW``), over the order API when logged in, else the
        lean REST path: ``(future, read)``; None when it would wait, and for a market buy (its price cap is
        asked of the venue first) or an order type Gate does not take (``send_place`` raises for it)."""
        t = spec.order_type
        if t not in _TYPES or (t == OrderType.MARKET and spec.side == Side.BUY):
            return None
        otype, tif, price = (t, TimeInForce.IOC, 0) if t == OrderType.MARKET else (t, spec.tif, spec.price_raw)
        text, pair = spec.client_id.encode(), spec.symbol
        trade = self.trade
        if trade is not None and trade.ready:
            if not self.limiter.try_take(self.rest.limits.place(pair)):
                return None
            try:
                fut = trade.place_order(pair.encode(), spec.side, otype, tif, spec.qty_raw, price, text)
            except ConnectionLost as exc:
                if exc.sent:
                    raise
                return None
            spec.sent_ms = trade.last_ts
            ws_read = self._ws_read
            return fut, lambda raw: ws_read(raw, text)
        build = self.orders.place_builder(pair, spec.side, otype, tif, spec.qty_raw, price, text)
        fut = self.orders.submit_now(build)
        if fut is None:
            return None
        spec.sent_ms = self.orders.last_ts
        read, cost = self.orders.read, build.cost
        return fut, lambda response: read(response, cost, text)

    async def market_buy_price(self, pair: str) -> int:
        """The price cap of a MARKET BUY: the best ask plus the slippage allowance, up to the tick."""
        book = await self.rest.order_book(pair, 1)
        asks = book.get("asks") or []
        if not asks:
            raise E.OrderRejected(VENUE, None, f"{pair}: no ask in the book, a market BUY cannot be priced")
        cap = Decimal(str(asks[0][0])) * (1 + self.market_buy_slippage)
        tick = self._ticks.get(pair) or Decimal("0.00000001")
        return _raw((cap / tick).to_integral_value(ROUND_CEILING) * tick)

    async def send_place(self, spec: OrderSpec):
        """Write the order (WebSocket order API when logged in, else the lean REST path); returns an awaitable
        of the parser holding the venue's answer."""
        otype, tif, price = await self._wire_terms(spec)
        text = spec.client_id.encode()
        pair = spec.symbol
        trade = self.trade
        if trade is not None and trade.ready:
            cost = self.rest.limits.place(pair)     # one budget per pair for REST and the order API
            limiter = self.limiter
            if not limiter.try_take(cost):
                await limiter.acquire(cost)
            try:
                fut = trade.place_order(pair.encode(), spec.side, otype, tif, spec.qty_raw, price, text)
            except ConnectionLost as exc:
                if exc.sent:
                    raise
                fut = None                          # the socket went down before the write: REST, nothing sent
            if fut is not None:
                spec.sent_ms = trade.last_ts
                return self._ws_answer(fut, text)
            build = self.orders.place_builder(pair, spec.side, otype, tif, spec.qty_raw, price, text)
            fut = await self.orders.submit(Build(_FREE, build.encode))
        else:
            build = self.orders.place_builder(pair, spec.side, otype, tif, spec.qty_raw, price, text)
            fut = await self.orders.submit(build)
        spec.sent_ms = self.orders.last_ts
        return self.orders.finish(fut, build.cost, text)

    async def _ws_answer(self, fut, text: bytes | None) -> GateParser:
        return self._ws_read(await fut, text)

    def _ws_read(self, raw: bytes, text: bytes | None) -> GateParser:
        """The order API's result frame to its parser (one naming another order: outcome unknown)."""
        p = self._ws_parser
        try:
            kind = p.parse(raw)
        except ValueError:
            kind = -1
        if kind not in _ORDER_KINDS:
            raise E.OutcomeUnknown(VENUE, None, "the order API's result is not an order; resolve it by its text")
        if text is not None and not p.names_client(text):
            raise E.OutcomeUnknown(VENUE, None, f"the answer names another order than {text.decode()}")
        return p

    async def _ws_or_rest(self, cost: Cost, ws_call, build: Build, text: bytes):
        trade = self.trade
        if trade is not None and trade.ready:
            if not self.limiter.try_take(cost):
                await self.limiter.acquire(cost)
            try:
                return await self._ws_answer(ws_call(trade), text)
            except ConnectionLost as exc:
                if exc.sent:
                    raise
                build = Build(_FREE, build.encode)
        fut = await self.orders.submit(build)
        return await self.orders.finish(fut, cost, text)

    async def cancel(self, spec: OrderSpec):
        """Cancel by text (the order is open while the engine cancels it)."""
        text, pair = spec.client_id.encode(), spec.symbol
        return await self._ws_or_rest(self.rest.limits.cancel, lambda t: t.cancel_order(pair.encode(), text),
                                      self.orders.cancel_builder(pair, text=text), text)

    async def amend(self, spec: OrderSpec, qty_raw: int, price_raw: int):
        """``PATCH`` / ``spot.order_amend`` by text: new amount and/or price (0 keeps it).  Gate keeps the
        order's queue priority only when the amount alone goes down."""
        text, pair = spec.client_id.encode(), spec.symbol
        return await self._ws_or_rest(self.rest.limits.place(pair),
                                      lambda t: t.amend_order(pair.encode(), text, qty_raw, price_raw),
                                      self.orders.amend_builder(pair, text=text, qty_raw=qty_raw, price_raw=price_raw),
                                      text)

    async def cancel_all(self, symbol: str) -> None:
        await self.rest.cancel_all(symbol)

    # -- dead-man switch ------------------------------------------------------------------------------
    async def cancel_on_disconnect(self, seconds: float, symbols: set[str]) -> None:
        """``countdown_cancel_all`` per pair with open orders (at least 5 s); lapsed where none are left."""
        window = max(_COUNTDOWN_MIN_S, int(seconds))
        for pair in sorted(set(symbols) | self._countdowns):
            live = pair in symbols
            await self.rest.countdown_cancel_all(window if live else 0, pair)
            (self._countdowns.add if live else self._countdowns.discard)(pair)

    async def disarm_cancel_on_disconnect(self) -> None:
        for pair in sorted(self._countdowns):
            await self.rest.countdown_cancel_all(0, pair)
        self._countdowns.clear()

    # -- queries (cold path) ---------------------------------------------------------------------------
    async def last_price(self, symbol: str) -> int | None:
        """Mid of the best bid and ask (a reference for risk checks), None without a book."""
        book = await self.rest.order_book(symbol, 1)
        if book.get("bids") and book.get("asks"):
            return (_raw(book["bids"][0][0]) + _raw(book["asks"][0][0])) // 2
        return None

    async def find_order(self, symbol: str, client_id: str) -> dict | None:
        """The order with ``client_id`` as its text: open (looked up by text), else among the finished orders,
        else the order of a trade carrying that text (by its venue id); None when the venue has none."""
        try:
            return await self.rest.get_order(symbol, client_id)
        except (E.UnknownOrder, E.OrderNotOpen):
            pass
        for row in await self.rest.orders(symbol, "finished", limit=1000):
            if row.get("text") == client_id:
                return row
        for trade in await self.rest.my_trades(symbol):
            if trade.get("text") == client_id and trade.get("order_id"):
                try:
                    return await self.rest.get_order(symbol, str(trade["order_id"]))
                except (E.UnknownOrder, E.OrderNotOpen):
                    return None
        return None

    async def query(self, symbol: str, client_id: str, order_type: int = 0) -> VenueOrder | None:
        d = await self.find_order(symbol, client_id)
        return None if d is None else decode.venue_order(d)

    async def query_by_id(self, symbol: str, exchange_id) -> VenueOrder | None:
        """The order by the venue's own id, which keeps working after the order ended (its ``text`` does not,
        and the finished list :meth:`find_order` reads holds only the last 1,000)."""
        try:
            return decode.venue_order(await self.rest.get_order(symbol, str(exchange_id)))
        except (E.UnknownOrder, E.OrderNotOpen):
            return None

    async def fills(self, symbol: str, client_id: str) -> list[Fill]:
        """The order's trades, oldest first (its stream trades carry no cumulative quantity)."""
        d = await self.find_order(symbol, client_id)
        if d is None:
            return []
        oid = str(d["id"])
        return decode.fills(await self.rest.my_trades(symbol, order_id=oid), order_id=oid)

    async def open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        return [decode.venue_order(d) for d in await self.rest.open_orders(symbol)]

    async def order_history(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueOrder]:
        """Open and finished orders of ``symbol`` (the pair), oldest first: ``GET /spot/orders`` open (every
        page) and finished (at most 1,000 rows, from ``since_ms``)."""
        limit = min(max(int(limit), 1), 1000)
        start = None if since_ms is None else int(since_ms) // 1000
        rows = await self.rest.open_orders(symbol) + await self.rest.orders(symbol, "finished", limit=limit,
                                                                             start_s=start)
        out = [decode.venue_order(d) for d in rows]
        if since_ms is not None:
            out = [o for o in out if o.time_ms == 0 or o.time_ms >= since_ms]
        out.sort(key=lambda o: o.time_ms)
        return out[-limit:]

    async def trades(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueTrade]:
        """The account's executions of ``symbol``, oldest first (``GET /spot/my_trades``, at most 1,000 rows)."""
        start = None if since_ms is None else int(since_ms) // 1000
        rows = await self.rest.my_trades(symbol, limit=min(max(int(limit), 1), 1000), start_s=start)
        out = [decode.venue_trade(r) for r in rows]
        if since_ms is not None:
            out = [t for t in out if t.time_ms == 0 or t.time_ms >= since_ms]
        out.sort(key=lambda t: t.time_ms)
        return out

    def foreign_order(self, parser, payload: bytes) -> ForeignOrder | None:
        return decode.foreign_order(parser, payload)

    async def describe_found(self, vo: VenueOrder) -> ForeignOrder | None:
        """An open order reconciliation found that is not one of ours: kept under its venue id."""
        if vo.exchange_id is None:
            return None
        oid = str(vo.exchange_id)
        return ForeignOrder(symbol=vo.symbol, store_client_id=oid, venue_client_id=vo.client_id, exchange_id=oid,
                            side=vo.side, order_type=vo.order_type, tif=vo.tif, qty_raw=vo.qty_raw,
                            price_raw=vo.price_raw, origin="external")

    def account_message(self, payload: bytes, sink) -> None:
        self.account_messages.read(payload, sink)

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

    async def positions(self) -> list[VenuePosition]:
        return []

    async def balances(self) -> dict[str, tuple[int, int]]:
        """asset -> (available, locked) from ``GET /spot/accounts``."""
        return {row["currency"]: (_raw(row.get("available")), _raw(row.get("locked")))
                for row in await self.rest.accounts()}
