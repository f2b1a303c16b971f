"""Bybit V5 adapter: the order manager's view of one Bybit unified account (one category).

Orders go over REST (``order_entry="rest"``) or the trade WebSocket (``"ws"``); both
only acknowledge, and the order's fate arrives on the private stream (``order`` and
``execution`` topics), which the compiled parser and applier read.
"""

from __future__ import annotations

import json
from decimal import Decimal
import logging
from typing import Awaitable, Callable

from engine._bybit_writer import BybitWriter
from engine._enums import OrderType, Side, TimeInForce
from engine._fixedpoint import format as fp_format
from engine._fixedpoint import Rounding
from engine._fixedpoint import parse as fp_parse
from engine._parse_bybit import BybitParser
from engine.config import VenueConfig
from engine.venues.bybit.instruments import load_bybit
from engine.venues.base import Capability, Fill, ForeignOrder, OrderSpec, VenueOrder, VenuePosition, VenueTrade
from engine.venues.bybit import decode
from engine.venues.bybit.decode import venue_order
from engine.venues.bybit.order_path import AMEND, CANCEL, CANCEL_COST, CREATE, CREATE_COST, BybitOrderPath
from engine.venues.bybit.rest import BybitRest
from engine.venues.bybit.user_stream import BybitPrivateStream
from engine.venues.bybit.ws_orders import BybitWsTrade
from engine.transport.errors import ConnectionLost
from engine.venues.errors import OrderNotOpen, UnknownOrder

__all__ = ["BybitAdapter"]

log = logging.getLogger("engine.venues.bybit.adapter")

TIF_NAMES = {TimeInForce.GTC: "GTC", TimeInForce.IOC: "IOC", TimeInForce.FOK: "FOK",
             TimeInForce.POST_ONLY: "PostOnly"}
_CONDITIONAL = {OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
                OrderType.TAKE_PROFIT_LIMIT, OrderType.CONDITIONAL}


def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


def order_params(spec: OrderSpec, category: str) -> dict:
    """An OrderSpec as ``/v5/order/create`` parameters."""
    t = spec.order_type
    limit = t in (OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT) \
        or (t == OrderType.CONDITIONAL and spec.price_raw > 0)
    p = {"category": category, "symbol": spec.symbol, "side": "Buy" if spec.side == Side.BUY else "Sell",
         "orderType": "Limit" if limit else "Market", "qty": fp_format(spec.qty_raw), "orderLinkId": spec.client_id}
    if limit:
        p["price"] = fp_format(spec.price_raw)
        p["timeInForce"] = "PostOnly" if t == OrderType.LIMIT_MAKER else TIF_NAMES.get(spec.tif, "GTC")
    if t in _CONDITIONAL:
        if not spec.stop_raw:
            raise ValueError("a conditional order needs a trigger price")
        p["triggerPrice"] = fp_format(spec.stop_raw)
        # stop-loss: buy when the price rises to it, sell when it falls; take-profit the other way round
        rises = (spec.side == Side.BUY) == (t in (OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT,
                                                  OrderType.CONDITIONAL))
        p["triggerDirection"] = 1 if rises else 2
    if spec.reduce_only:
        p["reduceOnly"] = True
    if spec.close_on_trigger:
        p["closeOnTrigger"] = True
    return p


class BybitAdapter:
    """One Bybit account trading one category (``linear`` by default, or ``spot``)."""

    def __init__(self, config: VenueConfig, *, order_entry: str = "rest", category: str | None = None):
        if order_entry not in ("rest", "ws"):
            raise ValueError("order_entry is 'rest' or 'ws'")
        self.config = config
        self.venue = "bybit"
        self.category = category or str(config.options.get("category", "linear"))
        if self.category not in ("linear", "spot"):
            raise ValueError("category is 'linear' or 'spot'")
        self.futures = self.category == "linear"
        self.margin_asset = "USDT" if self.futures else None       # USDT-margined contracts
        self.capabilities = frozenset({Capability.AMEND_IN_PLACE, Capability.WS_ORDER_ENTRY,
                                       Capability.CANCEL_ON_DISCONNECT, Capability.LIVE_QUERIES,
                                       Capability.STOP_ORDERS, Capability.WRITE_NOW}
                                      | ({Capability.NATIVE_BRACKETS} if self.futures else set()))
        self.order_entry = order_entry
        self.rest = BybitRest(config)
        self.clock = self.rest.clock
        self.limiter = self.rest.limiter
        self.parser = BybitParser()                # the private stream's
        self.native_brackets = None
        if self.futures:
            from engine.venues.bybit.brackets import BybitTpsl
            self.native_brackets = BybitTpsl(self)
        self.account_messages = decode.AccountMessages(self.futures)
        # the wallet parser the order manager's stream loop reads whole wallet messages with (base.Adapter)
        self.spot_balances = None if self.futures else self.account_messages.parser
        self.futures_balances = self.account_messages.parser if self.futures else None
        self._dcp_window: int | None = None
        self.orders = BybitOrderPath(self.rest, category=self.category)
        self.writer = BybitWriter(self)          # what is written at once (reads orders, trade as they are)
        self.trade: BybitWsTrade | None = None
        self.stream: BybitPrivateStream | None = None
        self._ack_parser = BybitParser()

    def __repr__(self) -> str:
        return f"BybitAdapter(category={self.category!r}, order_entry={self.order_entry!r})"

    async def start(self, on_stream: Callable[[bytes], None], on_reconnected: Callable[[], Awaitable[None]],
                    on_disconnected: Callable[[], None]) -> None:
        await self.rest.start()
        await self.orders.start()
        self.stream = BybitPrivateStream(self.config, self.rest.clock, on_stream, on_reconnected=on_reconnected,
                                         on_disconnected=on_disconnected)
        await self.stream.start()
        if self.order_entry == "ws":
            self.trade = BybitWsTrade(self.config, self.rest.clock, limiter=self.rest.limiter, category=self.category)
            await self.trade.start()

    async def stop(self) -> None:
        if self.trade is not None:
            await self.trade.stop()
        if self.stream is not None:
            await self.stream.stop()
        await self.orders.close()
        await self.rest.close()

    async def load_instruments(self, registry) -> None:
        load_bybit(registry, {"result": {"category": self.category,
                                         "list": await self.rest.instruments(self.category)}},
                   self.category)

    def _ack(self, result: dict) -> BybitParser:
        p = self._ack_parser
        p.parse(json.dumps({"retCode": 0, "retMsg": "OK", "result": result}).encode())
        return p

    def send_place_now(self, spec: OrderSpec):
        """The write without awaiting (``Capability.WRITE_NOW``), over the trade WebSocket when it carries
        orders, else the lean REST path: ``(future, read)``; None when it would wait, or for an order the
        general path sends (conditional).  The compiled writer's (:meth:`order_writer`)."""
        return self.writer.place_now(spec)

    def order_writer(self):
        """The compiled writer (:mod:`engine._bybit_writer`) of what this adapter writes at once: the
        engine's compiled order entry places and cancels through it, and so do :meth:`send_place_now`
        and :meth:`cancel`."""
        return self.writer

    def _general(self, spec: OrderSpec) -> bool:
        """Sent by the general (JSON) path: a conditional order, or a spot stop."""
        return spec.order_type == OrderType.CONDITIONAL or (spec.order_type in _CONDITIONAL and not self.futures)

    def _rest_build(self, spec: OrderSpec, cid: bytes):
        return self.orders.place_builder(spec.symbol.encode(), spec.side, spec.order_type, spec.tif, spec.qty_raw,
                                         spec.price_raw, spec.stop_raw, cid, reduce_only=spec.reduce_only)

    async def send_place(self, spec: OrderSpec):
        """Write the order (lean REST path, or the trade WebSocket); returns an awaitable of the ack parser."""
        general = self._general(spec)
        cid = spec.client_id.encode()
        if self.trade is not None and self.trade.ws.connected:
            limiter = self.rest.limiter          # the trade socket is paced like REST (shared UID limits)
            if not limiter.try_take(CREATE_COST):
                await limiter.acquire(CREATE_COST)
            fut = self._ws_write(spec, cid, general)
            if fut is not None:              # (None: the socket went down before the write: REST below)
                return self._raw_ack(fut, cid)
        # lean REST path (also while the trade socket reconnects: orders keep flowing)
        if general:
            return self._finish(self.rest.place_order(order_params(spec, self.category)))  # general path
        fut = await self.orders.submit(self._rest_build(spec, cid))
        spec.sent_ms = self.orders.last_ts
        return self.orders.finish(fut, CREATE, cid)

    def _ws_place_now(self, spec: OrderSpec, cid: bytes):
        """The trade WebSocket's write without awaiting (paced like REST): the future of the answer; None
        when the limiter has no room or the socket is found down before the write (nothing written)."""
        if not self.rest.limiter.try_take(CREATE_COST):
            return None
        return self._ws_write(spec, cid, False)

    def _ws_write(self, spec: OrderSpec, cid: bytes, general: bool):
        """The ``order.create`` frame written on the trade socket, its timestamp kept: the future of its
        answer, or None when the socket was found down before the write (nothing sent)."""
        try:
            if general:
                fut = self.trade.send_raw("order.create", order_params(spec, self.category))
            else:
                fut = self.trade.place_order(spec.symbol.encode(), spec.side, spec.order_type, spec.tif,
                                             spec.qty_raw, spec.price_raw, spec.stop_raw, cid,
                                             reduce_only=spec.reduce_only)
        except ConnectionLost as exc:
            if exc.sent:
                raise
            return None
        spec.sent_ms = self.trade.last_ts
        return fut

    async def _raw_ack(self, fut, cid: bytes | None = None) -> BybitParser:
        return self._read_ack(await fut, cid)

    def _read_ack(self, raw: bytes, cid: bytes | None = None) -> BybitParser:
        """A trade WebSocket acknowledgement to the parser (one naming another order: outcome unknown)."""
        p = self._ack_parser
        p.parse(raw)
        if cid is not None and not p.names_client(cid):
            from engine.venues.errors import OutcomeUnknown
            raise OutcomeUnknown(self.venue, None, f"the answer names another order than {cid.decode()}")
        return p

    async def _finish(self, call) -> BybitParser:
        return self._ack(await call)

    async def cancel(self, spec: OrderSpec):
        written = self.writer.cancel_now(spec)          # nothing waits: written here
        if written is not None:
            fut, read = written
            return read(await fut)
        if self.trade is not None and self.trade.ws.connected:
            limiter = self.rest.limiter
            if not limiter.try_take(CANCEL_COST):
                await limiter.acquire(CANCEL_COST)
            return self._read_ack(await self.trade.cancel_order(spec.symbol.encode(),
                                                                client_id=spec.client_id.encode()))
        orders = self.orders
        symbol, cid = spec.symbol.encode(), spec.client_id.encode()
        fut = await orders.submit(orders.cancel_builder(symbol, client_id=cid))
        return orders.read(await fut, CANCEL)

    async def cancel_all(self, symbol: str) -> None:
        await self.rest.cancel_all(self.category, symbol)

    async def amend(self, spec: OrderSpec, qty_raw: int, price_raw: int):
        params = {"category": self.category, "symbol": spec.symbol, "orderLinkId": spec.client_id}
        if qty_raw:
            params["qty"] = fp_format(qty_raw)
        if price_raw:
            params["price"] = fp_format(price_raw)
        if self.trade is not None and self.trade.ws.connected:
            return self._ack(await self.trade.amend(params))
        fut = await self.orders.submit(self.orders.amend_builder(spec.symbol.encode(), client_id=spec.client_id.encode(),
                                                                 qty_raw=qty_raw, price_raw=price_raw))
        return await self.orders.finish(fut, AMEND)

    async def disconnect_protection(self, seconds: int) -> None:
        """Bybit disconnected-cancel-all: orders are cancelled when the private streams stay down ``seconds``."""
        await self.rest.call("POST", "/v5/order/disconnected-cancel-all",
                             {"timeWindow": int(seconds), "product": "SPOT" if self.category == "spot" else "DERIVATIVES"},
                             idempotent=True)

    async def cancel_on_disconnect(self, seconds: float, symbols: set[str]) -> None:
        """Disconnect protection: the venue watches our private stream itself, so it is set once (whatever
        the symbols) and renewed only when the window changes (at least 3 s)."""
        window = max(3, int(seconds))
        if window != self._dcp_window:
            await self.disconnect_protection(window)
            self._dcp_window = window

    async def disarm_cancel_on_disconnect(self) -> None:
        """Bybit has no way to switch disconnect protection off (the window only): after a clean stop the
        venue still cancels the account's orders once the streams have been down the window."""

    async def last_price(self, symbol: str) -> int | None:
        """Mid of the best bid and ask (a reference for risk checks), None without a book."""
        book = await self.rest.call("GET", "/v5/market/orderbook", {"category": self.category, "symbol": symbol,
                                                                   "limit": 1}, signed=False)
        if book.get("b") and book.get("a"):
            return (_raw(book["b"][0][0]) + _raw(book["a"][0][0])) // 2
        return None

    async def query(self, symbol: str, client_id: str, order_type: int = 0) -> VenueOrder | None:
        try:
            d = await self.rest.get_order(self.category, symbol, order_link_id=client_id)
        except (UnknownOrder, OrderNotOpen):
            return None
        return None if d is None else venue_order(d)

    async def order_history(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueOrder]:
        """Open and closed orders of ``symbol``, oldest first: ``/v5/order/history`` lists the closed ones (7
        days by default), ``/v5/order/realtime`` the open ones, so this is two requests (each paged)."""
        limit = _positive(limit)
        rows = await self.rest.order_history(self.category, symbol, since_ms, limit)
        seen = {d.get("orderId") for d in rows}
        rows += [d for d in await self.rest.open_orders(self.category, symbol)
                 if d.get("orderId") not in seen and int(d.get("createdTime") or 0) >= (since_ms or 0)]
        rows.sort(key=lambda d: int(d.get("createdTime") or 0))
        return [venue_order(d) for d in rows[-limit:]]

    async def trades(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueTrade]:
        """The account's executions of ``symbol`` (trades only, not funding), oldest first."""
        rows = await self.rest.executions(self.category, symbol, since_ms, _positive(limit))
        rows = [r for r in rows if r.get("execType", "Trade") == "Trade"]
        return [decode.venue_trade(r, self.margin_asset or "") for r in reversed(rows)]

    async def fills(self, symbol: str, client_id: str) -> list[Fill]:
        """The order's executions, oldest first (its stream fills carry no cumulative quantity)."""
        res = await self.rest.call("GET", "/v5/execution/list", {"category": self.category, "symbol": symbol,
                                                                "orderLinkId": client_id, "limit": 100})
        return decode.fills(res.get("list", []), "orderLinkId", client_id)

    def foreign_order(self, parser, payload: bytes) -> ForeignOrder | None:
        return decode.foreign_order(parser, payload, self.category, self.native_brackets)

    async def describe_found(self, vo: VenueOrder) -> ForeignOrder | None:
        """An open order reconciliation found: its row says whether it is an exit of one of our entries."""
        if vo.exchange_id is None:
            return None
        if vo.client_id:
            row = {"orderId": vo.exchange_id, "orderLinkId": vo.client_id, "symbol": vo.symbol}
        else:
            try:
                rows = (await self.rest.call("GET", "/v5/order/realtime", {"category": self.category,
                                                                           "symbol": vo.symbol,
                                                                           "orderId": str(vo.exchange_id)}))
            except (UnknownOrder, OrderNotOpen):
                return None
            row = next((r for r in rows.get("list", []) if str(r.get("orderId")) == str(vo.exchange_id)), None)
            if row is None:
                return None
        found = decode.exit_or_external({"side": "Buy" if vo.side == 1 else "Sell", **row}, True,
                                        self.native_brackets)
        if found is not None and found.qty_raw <= 0:
            found.qty_raw, found.price_raw, found.stop_raw = vo.qty_raw, vo.price_raw, vo.stop_raw
        return found

    def account_message(self, payload: bytes, sink) -> None:
        self.account_messages.read(payload, sink)

    async def open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        return [venue_order(d) for d in await self.rest.open_orders(self.category, symbol)]

    async def positions(self) -> list[VenuePosition]:
        if not self.futures:
            return []
        out = []
        for p in await self.rest.positions():
            size = _raw(p.get("size", "0"))
            if p.get("side") == "Sell":
                size = -size
            out.append(VenuePosition(symbol=p["symbol"], size_raw=size,
                                     entry_raw=_raw(p.get("avgPrice", "0"), Rounding.HALF_EVEN),
                                     mark_raw=_raw(p.get("markPrice", "0"), Rounding.HALF_EVEN),
                                     leverage=int(Decimal(p["leverage"])) if p.get("leverage") else None))
        return out

    async def balances(self) -> dict[str, tuple[int, int]]:
        """Spot: asset -> (free, locked); linear: asset -> (available, wallet balance), the available
        amount from the coin's own margin fields (:func:`.decode.coin_available`)."""
        out = {}
        for asset, c in (await self.rest.balances()).items():
            w, lk = _raw(c.get("walletBalance"), Rounding.FLOOR), _raw(c.get("locked"), Rounding.CEILING)
            out[asset] = (decode.coin_available(c), w) if self.futures else (w - lk, lk)
        return out


def _positive(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit must be a whole number of 1 or more, got {limit!r}")
    return limit
