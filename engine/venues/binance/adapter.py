"""Binance spot and USD-M adapters: the order manager's view of one Binance account (the venue contract,
:mod:`engine.venues.base`).

Composed from the pieces of this folder: :class:`BinanceRest` (queries, reconciliation,
exchange info, listen keys), :class:`BinanceOrderPath` (orders on the lean path), the
user-data stream (spot: the WebSocket API subscription, :mod:`.ws_orders`; USD-M: the
listen-key stream, :mod:`.user_stream`), WebSocket order entry when asked for (spot),
native brackets (spot OTOCO, :mod:`.brackets`) and the decoding of its JSON into neutral
records (:mod:`.decode`).

Capabilities: spot cancel-replace, native brackets, WebSocket order entry and withdrawals
(the SAPI wallet, :mod:`.wallet`); USD-M amend in place (``PUT /fapi/v1/order``), the
countdown cancel-all dead-man switch and trailing stops.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from engine._binance_writer import REST, BinanceWriter
from engine._fixedpoint import Rounding
from engine._fixedpoint import parse as fp_parse
from engine._parse_binance import BinanceParser
from engine.config import VenueConfig
from engine.venues.base import Capability, Fill, ForeignOrder, OrderSpec, VenueOrder, VenuePosition, VenueTrade
from engine.venues.binance import decode
from engine.venues.binance.decode import ALGO_TYPES, algo_venue_order, venue_order
from engine.venues.binance.instruments import load_binance_spot, load_binance_usdm
from engine.venues.binance.order_path import AMEND_COST, CANCEL_COST, PLACE_COST, BinanceOrderPath
from engine.venues.binance.rest import BinanceRest
from engine.venues.binance.user_stream import UsdmUserStream
from engine.venues.binance.wallet import BinanceWallet
from engine.venues.binance.ws_orders import BinanceWsApi
from engine.transport.ratelimit import Cost
from engine.venues.errors import UnknownOrder
from engine.venues.wallet import VenueWithdrawal, WithdrawAddress, WithdrawNetwork, WithdrawRequest

__all__ = ["BinanceAdapter"]

log = logging.getLogger("engine.venues.binance.adapter")

def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


class BinanceAdapter:
    """One Binance account, spot (``binance-spot``) or USD-M futures (``binance-usdm``)."""

    def __init__(self, config: VenueConfig, *, order_entry: str = "rest"):
        if order_entry not in ("rest", "ws"):
            raise ValueError("order_entry is 'rest' or 'ws'")
        self.config = config
        self.venue = config.venue
        self.futures = config.venue == "binance-usdm"
        self.margin_asset = "USDT" if self.futures else None       # USDT-margined contracts
        self.capabilities = frozenset(
            {Capability.AMEND_IN_PLACE, Capability.CANCEL_ON_DISCONNECT, Capability.TRAILING_STOP,
             Capability.LIVE_QUERIES, Capability.STOP_ORDERS, Capability.WRITE_NOW} if self.futures
            else {Capability.CANCEL_REPLACE, Capability.AMEND_QTY_DOWN, Capability.NATIVE_BRACKETS, Capability.WS_ORDER_ENTRY,
                  Capability.LIVE_QUERIES, Capability.STOP_ORDERS, Capability.WITHDRAWALS, Capability.WRITE_NOW})
        self.order_entry = order_entry
        if self.futures and order_entry == "ws":
            raise ValueError("WebSocket order entry is implemented for Binance spot (and Bybit) only")
        self.rest = BinanceRest(config)
        self.clock = self.rest.clock
        self.limiter = self.rest.limiter
        self.parser = BinanceParser(futures=self.futures)      # the user-data stream's
        self.orders = BinanceOrderPath(self.rest)
        self.writer = BinanceWriter(self)        # what is written at once (reads orders, ws_api as they are)
        self.ws_api: BinanceWsApi | None = None
        self.user_stream: UsdmUserStream | None = None
        self.native_brackets = None
        if not self.futures:
            from engine.venues.binance.brackets import BinanceOtoco
            self.native_brackets = BinanceOtoco(self)
        self.account_messages = decode.AccountMessages()
        self.spot_balances = None if self.futures else self.account_messages.parser   # (base.Adapter)
        self.wallet = None if self.futures else BinanceWallet(self.rest)
        self.withdrawal_cancel = False          # SAPI has no withdrawal cancel
        self._countdowns: set[str] = set()        # symbols whose countdown cancel-all this adapter armed

    def __repr__(self) -> str:
        return f"BinanceAdapter(venue={self.venue!r}, order_entry={self.order_entry!r})"

    async def start(self, on_stream: Callable[[bytes], None], on_reconnected: Callable[[], Awaitable[None]],
                    on_disconnected: Callable[[], None]) -> None:
        await self.rest.start()
        await self.rest.exchange_info()  # adopts the venue's limits; instruments load separately
        await self.orders.start()
        if self.futures:
            self.user_stream = UsdmUserStream(self.rest, on_stream, on_reconnected=on_reconnected)
            self.user_stream.ws.on_disconnected = lambda ws: on_disconnected()
            await self.user_stream.start()
        else:
            self.ws_api = BinanceWsApi(self.config, self.rest.clock, on_event=on_stream,
                                       on_reconnected=on_reconnected, limiter=self.rest.limiter)
            self.ws_api.ws.on_disconnected = self._chain_disconnect(self.ws_api.ws.on_disconnected, on_disconnected)
            await self.ws_api.start()

    @staticmethod
    def _chain_disconnect(first, second):
        def both(ws):
            if first is not None:
                first(ws)
            second()
        return both

    async def stop(self) -> None:
        if self.user_stream is not None:
            await self.user_stream.stop()
        if self.ws_api is not None:
            await self.ws_api.stop()
        await self.orders.close()
        await self.rest.close()

    async def load_instruments(self, registry) -> None:
        info = await self.rest.exchange_info()
        (load_binance_usdm if self.futures else load_binance_spot)(registry, info)

    # -- orders --------------------------------------------------------------------------
    async def send_place(self, spec: OrderSpec):
        """Write the order; returns an awaitable giving the parser that holds the answer."""
        cid = spec.client_id.encode()
        if self.order_entry == "ws" and self.ws_api is not None and self.ws_api.ready:
            return await self._ws_place(spec, cid)
        # REST lean path (also while the WebSocket API reconnects: orders keep flowing)
        return self._rest_answer(await self.orders.submit(PLACE_COST, self._rest_build(spec, cid)), spec, cid)

    def send_place_now(self, spec: OrderSpec):
        """The write without awaiting (``Capability.WRITE_NOW``), over the WebSocket API when orders go there
        and its session is up, else the REST lean path: ``(future, read)``; None when it would wait (the
        engine then uses :meth:`send_place`).  The compiled writer's (:meth:`order_writer`)."""
        return self.writer.place_now(spec)

    def order_writer(self):
        """The compiled writer (:mod:`engine._binance_writer`) of what this adapter writes at once: the
        engine's compiled order entry places and cancels through it, and so do :meth:`send_place_now`
        and :meth:`cancel`."""
        return self.writer

    def _rest_build(self, spec: OrderSpec, cid: bytes):
        return self.orders.place_builder(
            spec.symbol.encode(), spec.side, spec.order_type, spec.tif, spec.qty_raw, spec.price_raw, spec.stop_raw,
            cid, reduce_only=spec.reduce_only, callback_rate_raw=spec.trailing_raw)

    def _rest_answer(self, fut, spec: OrderSpec, cid: bytes):
        """The written order's timestamp kept; the awaitable of its parsed answer."""
        spec.sent_ms = self.orders.last_ts
        algo = self.futures and spec.order_type in ALGO_TYPES   # algo answers name clientAlgoId, not read hot
        return self.orders.finish(fut, None if algo else cid)

    async def _ws_place(self, spec: OrderSpec, cid: bytes):
        """Order entry over the WebSocket API: paced by the account's limiter like REST, compiled frame
        out, the answer's raw bytes to the compiled parser.  A socket found down at the write (nothing
        sent) sends the order over the REST lean path instead."""
        limiter = self.rest.limiter
        if not limiter.try_take(PLACE_COST):
            await limiter.acquire(PLACE_COST)
        fut = self.writer.ws_write(spec, cid)
        if fut is None:
            fut = await self.orders.lean.submit(Cost(weight=0), self._rest_build(spec, cid))
            spec.sent_ms = self.orders.last_ts
            return self.orders.finish(fut, cid)
        return self._ws_answer(fut, cid)

    async def _ws_answer(self, fut, cid: bytes | None = None):
        return self.writer.ws_read(cid, await fut)

    async def cancel(self, spec: OrderSpec):
        written = self.writer.cancel_now(spec)          # nothing waits: written here
        if written is not None:
            fut, read = written
            return read(await fut)
        algo = self.futures and spec.order_type in ALGO_TYPES
        cid = spec.client_id.encode()
        if self.order_entry == "ws" and self.ws_api is not None and self.ws_api.ready:
            limiter = self.rest.limiter
            if not limiter.try_take(CANCEL_COST):
                await limiter.acquire(CANCEL_COST)
            return await self._ws_answer(self.ws_api.cancel_order(spec.symbol.encode(), client_id=cid))
        orders = self.orders
        symbol = spec.symbol.encode()
        request, rw = orders.encoder.cancel_request, orders.recv_window
        fut = await orders.submit(CANCEL_COST, lambda ts: request(symbol, 0, cid, ts, rw, algo))
        return orders.read_naming(None, await fut)

    async def cancel_all(self, symbol: str) -> None:
        try:
            await self.rest.cancel_all(symbol)
        except UnknownOrder:
            pass  # nothing open
        if self.futures:
            for algo in await self.rest.open_algo_orders(symbol):
                try:
                    await self.rest.cancel_algo_order(algo_id=algo["algoId"])
                except UnknownOrder:
                    pass

    async def cancel_replace(self, old: OrderSpec, new: OrderSpec):
        """Spot amend: ``order/cancelReplace`` (STOP_ON_FAILURE) of ``old`` by ``new`` (its own client id), on the
        REST lean path in its turn: encoded and signed by the compiled encoder, the answer split into each leg's
        own bytes in C by the writer's reader (the compiled order entry's, when it writes at once).

        Returns (cancel answer, new-order answer) as raw JSON bytes for the order parser; a partly or wholly
        failed one raises the typed error with each leg's own answer in ``answers``.
        """
        if self.futures:
            raise NotImplementedError("Binance USD-M amends in place: the engine calls amend")
        orders = self.orders
        symbol, old_cid, cid = new.symbol.encode(), old.client_id.encode(), new.client_id.encode()
        request, rw = orders.encoder.cancel_replace_request, orders.recv_window
        fut = await orders.submit(PLACE_COST, lambda ts: request(symbol, new.side, new.order_type, new.tif,
                                                                 new.qty_raw, new.price_raw, new.stop_raw, old_cid,
                                                                 cid, ts, rw))
        new.sent_ms = orders.last_ts
        return self.writer.read_replaced(REST, cid, await fut)

    async def amend(self, spec: OrderSpec, qty_raw: int, price_raw: int):
        """USD-M ``PUT /fapi/v1/order``: it needs both quantity and price, so a 0 keeps the order's own.

        Spot (``AMEND_QTY_DOWN``): a quantity lowered only, ``PUT /api/v3/order/amend/keepPriority`` to ``qty_raw``
        (the whole new quantity) on the REST lean path in its turn, the order's queue priority and client id
        kept; its answer's ``amendedOrder`` read by the writer's C reader.  Every other spot amendment is a
        cancel-replace."""
        if not self.futures:
            if price_raw or not qty_raw:
                raise NotImplementedError("Binance spot amends in place a lower quantity only; the engine "
                                          "cancel-replaces every other amendment")
            orders = self.orders
            symbol, cid = spec.symbol.encode(), spec.client_id.encode()
            request, rw = orders.encoder.amend_keep_priority_request, orders.recv_window
            fut = await orders.submit(AMEND_COST, lambda ts: request(symbol, cid, qty_raw, ts, rw))
            return self.writer.read_amended(REST, cid, await fut)
        return await self.orders.modify(spec.symbol.encode(), spec.side, qty_raw or spec.qty_raw,
                                        price_raw or spec.price_raw, client_id=spec.client_id.encode())

    async def dead_man(self, symbol: str, seconds: float) -> None:
        """USD-M countdownCancelAll: the venue cancels ``symbol``'s orders unless renewed in time (0: off)."""
        if not self.futures:
            raise NotImplementedError("Binance spot has no dead-man switch (countdown cancel-all is USD-M only)")
        await self.rest.signed("POST", "/fapi/v1/countdownCancelAll",
                               {"symbol": symbol, "countdownTime": int(seconds * 1000)}, weight=10, idempotent=True)

    async def cancel_on_disconnect(self, seconds: float, symbols: set[str]) -> None:
        """Renew the countdown of every symbol with open orders; let it lapse where none are left."""
        for symbol in sorted(set(symbols) | self._countdowns):
            await self.dead_man(symbol, seconds if symbol in symbols else 0)
            (self._countdowns.add if symbol in symbols else self._countdowns.discard)(symbol)

    async def disarm_cancel_on_disconnect(self) -> None:
        for symbol in sorted(self._countdowns):
            await self.dead_man(symbol, 0)
        self._countdowns.clear()

    async def last_price(self, symbol: str) -> int | None:
        """Mid of the best bid and ask (a reference for risk checks), None without a book."""
        book = await self.rest.public("GET", f"{self.rest.prefix}/depth", {"symbol": symbol, "limit": 5}, weight=2)
        if book.get("bids") and book.get("asks"):
            return (_raw(book["bids"][0][0]) + _raw(book["asks"][0][0])) // 2
        return None

    # -- queries (cold path) ----------------------------------------------------------------
    async def query(self, symbol: str, client_id: str, order_type: int = 0) -> VenueOrder | None:
        """One order by client id (USD-M conditional orders by ``clientAlgoId``); None: the venue has none."""
        try:
            if self.futures and order_type in ALGO_TYPES:
                return algo_venue_order(await self.rest.get_algo_order(client_algo_id=client_id))
            return venue_order(await self.rest.get_order(symbol, client_order_id=client_id))
        except UnknownOrder:
            return None

    async def open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        """Every open order (USD-M: the open conditional orders too, which ``openOrders`` does not list)."""
        out = [venue_order(d) for d in await self.rest.open_orders(symbol)]
        if self.futures:
            out += [algo_venue_order(d) for d in await self.rest.open_algo_orders(symbol)]
        return out

    async def order_history(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueOrder]:
        """``allOrders``: one request, at most 1,000 orders (the venue's page), oldest first."""
        rows = await self.rest.all_orders(symbol, start_time=since_ms, limit=_page(limit, 1000))
        return [venue_order(d) for d in rows]

    async def trades(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueTrade]:
        """``myTrades`` (spot) / ``userTrades`` (USD-M): one request, at most 1,000 trades, oldest first."""
        rows = await self.rest.my_trades(symbol, start_time=since_ms, limit=_page(limit, 1000))
        return [decode.venue_trade(d) for d in rows]

    # -- withdrawals (spot: the SAPI wallet) -------------------------------------------------------
    async def withdrawal_networks(self, asset: str) -> list[WithdrawNetwork]:
        return await self._wallet().networks(asset)

    async def withdraw(self, request: WithdrawRequest) -> VenueWithdrawal:
        return await self._wallet().withdraw(request)

    async def withdrawal_history(self, asset: str | None = None, since_ms: int | None = None, limit: int = 1000, *,
                                 withdrawal_id: str | None = None, client_id: str | None = None
                                 ) -> list[VenueWithdrawal]:
        return await self._wallet().history(asset, since_ms, limit, withdrawal_id=withdrawal_id, client_id=client_id)

    async def withdraw_address_book(self, asset: str) -> list[WithdrawAddress]:
        return await self._wallet().address_book(asset)

    async def cancel_withdrawal(self, withdrawal_id: str) -> VenueWithdrawal:
        raise NotImplementedError("Binance offers no withdrawal cancel through its API")

    def _wallet(self) -> BinanceWallet:
        if self.wallet is None:
            raise NotImplementedError("withdrawals are a Binance spot (SAPI) call; this is the USD-M adapter")
        return self.wallet

    async def fills(self, symbol: str, client_id: str) -> list[Fill]:
        """Not needed here: Binance order snapshots carry the cumulative quantity and quote, and its stream
        reports cumulative quantities, so a snapshot never double-counts a fill."""
        return []

    def foreign_order(self, parser, payload: bytes) -> ForeignOrder | None:
        return decode.foreign_order(parser, payload)

    async def describe_found(self, vo: VenueOrder) -> ForeignOrder | None:
        return decode.found_order(vo)

    def account_message(self, payload: bytes, sink) -> None:
        self.account_messages.read(payload, sink)

    async def positions(self) -> list[VenuePosition]:
        if not self.futures:
            return []
        out = []
        for p in await self.rest.positions():
            out.append(VenuePosition(symbol=p["symbol"], size_raw=_raw(p["positionAmt"]),
                                     entry_raw=_raw(p.get("entryPrice", "0"), Rounding.HALF_EVEN),
                                     mark_raw=_raw(p.get("markPrice", "0"), Rounding.HALF_EVEN),
                                     leverage=int(p["leverage"]) if p.get("leverage") else None))
        return out

    async def balances(self) -> dict[str, tuple[int, int]]:
        return {asset: (_raw(a), _raw(b)) for asset, (a, b) in (await self.rest.balances()).items()}


def _page(limit: int, most: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= most:
        raise ValueError(f"limit must be a whole number from 1 to {most} (the venue's page), got {limit!r}")
    return limit
