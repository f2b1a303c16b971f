"""The exchange state every personality shares: books, orders, settlement, triggers, events.

Personalities (binance_spot, binance_usdm, bybit) parse and validate venue requests,
build an :class:`~engine.sim.matching.Order` and call :meth:`Core.place`,
:meth:`Core.cancel` or :meth:`Core.amend`.  The core owns what happens next:

1. balance locks (spot) or margin checks (linear), raised as :class:`Reject`;
2. conditional orders wait in ``pending`` until the reference price crosses their
   trigger, then execute as market/limit orders;
3. every fill moves balances, fees and positions through the ledger exactly;
4. every change is published as an :class:`Event` to listeners registered per
   (account key, venue); stream modules format them into the venue's payloads.
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal
from itertools import count

from engine.sim.accounts import Account, InsufficientBalance, Ledger
from engine.sim.decimals import ZERO, floor_to, round_fee
from engine.sim.instruments import WALLET_OF, Instrument, build_instruments
from engine.sim.matching import Book, Fill, Order

__all__ = ["Core", "Reject", "Event", "CONDITIONAL_TYPES"]

log = logging.getLogger("engine.sim.core")

CONDITIONAL_TYPES = {
    "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT",     # Binance spot
    "STOP", "STOP_MARKET", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET",    # Binance USD-M algo
    "CONDITIONAL_MARKET", "CONDITIONAL_LIMIT",                              # Bybit triggerPrice orders
}
MARKET_LIKE = {"MARKET", "STOP_LOSS", "TAKE_PROFIT", "STOP_MARKET", "TAKE_PROFIT_MARKET",
               "TRAILING_STOP_MARKET", "CONDITIONAL_MARKET"}

# What a venue does when an order cannot do what its time-in-force demands.
#   error: the request fails (no order recorded); expire: recorded as EXPIRED (HTTP 200).
POLICY = {
    "bspot": {"post_only": "error", "fok": "expire"},
    "busdm": {"post_only": "error", "fok": "error"},
    "yspot": {"post_only": "expire", "fok": "expire"},
    "ylinear": {"post_only": "expire", "fok": "expire"},
}


class Reject(Exception):
    """An order the venue refuses; ``reason`` is venue-neutral, personalities map it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


class Event:
    __slots__ = ("kind", "market", "account", "order", "fill", "exec_type", "assets", "symbol", "ts", "algo",
                 "detail")

    def __init__(self, kind, market, account, *, order=None, fill=None, exec_type=None, assets=None,
                 symbol=None, ts=0, algo=None, detail=None) -> None:
        self.kind = kind          # "order" | "balance" | "position" | "algo" | "list"
        self.market = market
        self.account = account
        self.order = order
        self.fill = fill
        self.exec_type = exec_type
        self.assets = assets
        self.symbol = symbol
        self.ts = ts
        self.algo = algo
        self.detail = detail      # kind "list": the order list (engine.sim.order_lists.OrderList)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Core:
    def __init__(self) -> None:
        self.ledger = Ledger()
        self.instruments: dict[tuple[str, str], Instrument] = build_instruments()
        self.books = {key: Book(*key) for key in self.instruments}
        self.orders: dict[int, Order] = {}
        self.live_orders: dict[str, dict[int, Order]] = {}  # account key -> orders not yet seen closed (margin)
        self.by_client: dict[tuple[str, str, str], list[Order]] = {}
        self.pending: dict[tuple[str, str], list[Order]] = {key: [] for key in self.instruments}
        self.last: dict[tuple[str, str], Decimal] = {}
        self.mark: dict[str, Decimal] = {}
        self.listeners: dict[tuple[str, str], set] = {}
        self._oid = count(100001)
        self._tid = count(1)
        self.next_trade_id = self._tid.__next__
        self.events_emitted = 0
        self._trigger_depth = 0
        # Contingent-order logic (order lists, attached TP/SL) watching every order event:
        # callables (order, exec_type, fill) run after the event is published.
        self.watchers: list = []

    # -- ids, lookup ----------------------------------------------------------
    def new_oid(self) -> int:
        return next(self._oid)

    def instrument(self, market: str, symbol: str) -> Instrument | None:
        return self.instruments.get((market, symbol))

    def register(self, order: Order) -> None:
        if order.account.is_market_maker:
            return      # other participants' quotes are not queryable orders
        self.orders[order.oid] = order
        self.live_orders.setdefault(order.account.key, {})[order.oid] = order
        if order.client_id:
            self.by_client.setdefault((order.market, order.account.key, order.client_id), []).append(order)

    def find_client(self, market: str, account: Account, client_id: str, symbol: str | None = None,
                    *, algo: bool | None = None) -> Order | None:
        """Latest order of ``account`` with this client id (optionally on ``symbol``)."""
        for o in reversed(self.by_client.get((market, account.key, client_id), ())):
            if (symbol is None or o.symbol == symbol) and (algo is None or bool(o.algo) == algo):
                return o
        return None

    def find(self, market: str, account: Account, oid: int, symbol: str | None = None) -> Order | None:
        o = self.orders.get(oid)
        if o is None or o.market != market or o.account is not account:
            return None
        if symbol is not None and o.symbol != symbol:
            return None
        return o

    def account_orders(self, market: str, account: Account, symbol: str | None = None):
        return [o for o in self.orders.values()
                if o.market == market and o.account is account and (symbol is None or o.symbol == symbol)]

    # -- events ------------------------------------------------------------------
    def listen(self, account_key: str, venue: str, callback) -> None:
        self.listeners.setdefault((account_key, venue), set()).add(callback)

    def unlisten(self, account_key: str, venue: str, callback) -> None:
        self.listeners.get((account_key, venue), set()).discard(callback)

    def emit(self, event: Event) -> None:
        if event.account.is_market_maker:
            return
        event.ts = event.ts or now_ms()
        self.events_emitted += 1
        for cb in list(self.listeners.get((event.account.key, WALLET_OF[event.market]), ())):
            try:
                cb(event)
            except Exception:  # a broken listener must not break matching
                log.exception("stream listener failed")

    def _order_event(self, order: Order, exec_type: str, fill: Fill | None = None) -> None:
        self.emit(Event("order", order.market, order.account, order=order, fill=fill, exec_type=exec_type))
        for watch in self.watchers:
            watch(order, exec_type, fill)

    def _balance_event(self, market: str, account: Account, assets) -> None:
        self.emit(Event("balance", market, account, assets=sorted(set(assets))))

    # -- reference prices --------------------------------------------------------
    def ref_price(self, order: Order) -> Decimal:
        if order.working_type == "MARK_PRICE":
            return self.mark.get(order.symbol) or self.last[(order.market, order.symbol)]
        return self.last[(order.market, order.symbol)]

    # -- placement -----------------------------------------------------------------
    def place(self, order: Order) -> Order:
        """Accept ``order`` (already validated by the personality) or raise :class:`Reject`."""
        inst = self.instruments[(order.market, order.symbol)]
        ts = now_ms()
        order.created_ms = order.updated_ms = ts
        order.price_at_create = self.last.get((order.market, order.symbol))
        if order.type in CONDITIONAL_TYPES and not order.triggered:
            self._check_trigger_side(order)
            self._reserve(order, inst)
            order.status = "NEW"
            self.register(order)
            self.pending[(order.market, order.symbol)].append(order)
            if order.algo:
                self.emit(Event("algo", order.market, order.account, order=order, exec_type="NEW"))
            else:
                self._order_event(order, "NEW")
            self._balances_changed(order)
            return order
        self._execute_new(order, inst)
        self.run_triggers(order.market, order.symbol)
        return order

    def _check_trigger_side(self, order: Order) -> None:
        ref = self.ref_price(order)
        if order.type == "TRAILING_STOP_MARKET":
            if order.activate_price is not None:
                if (order.side == "SELL" and order.activate_price <= ref) or \
                   (order.side == "BUY" and order.activate_price >= ref):
                    raise Reject("bad_activation")
            return
        if self._trigger_hit(order, ref):
            raise Reject("would_trigger")

    @staticmethod
    def _trigger_hit(order: Order, ref: Decimal) -> bool:
        if order.trigger_dir == "UP":
            return ref >= order.stop_price
        return ref <= order.stop_price

    def _reserve(self, order: Order, inst: Instrument) -> None:
        """Spot: lock what a resting order could spend.  Linear: check initial margin."""
        acct = order.account
        if acct.is_market_maker:
            return
        wallet = WALLET_OF[order.market]
        if inst.kind == "spot":
            if order.side == "BUY":
                if order.type in MARKET_LIKE:
                    if order.type in CONDITIONAL_TYPES:
                        return      # a stop-market buy is checked when it triggers
                    return          # market buys are checked against the book in _execute_new
                amount = order.price * order.qty
                asset = inst.quote
            else:
                amount = order.qty
                asset = inst.base
            try:
                self.ledger.lock(acct, wallet, asset, amount)
            except InsufficientBalance:
                raise Reject("insufficient_balance") from None
            order.locked_asset = asset
            order.locked_left = amount
            return
        # linear: reduce-only needs a position to reduce; others need margin.
        pos = acct.position(wallet, order.symbol)
        if order.reduce_only or order.close_position:
            if pos.amount == 0 or (pos.amount > 0) == (order.side == "BUY"):
                raise Reject("reduce_only")
            return
        price = order.price
        if price is None or order.type in MARKET_LIKE:
            price = order.stop_price or self.estimate_price(order)
        opening = order.qty
        if pos.amount != 0 and (pos.amount > 0) != (order.side == "BUY"):
            opening = max(ZERO, order.qty - abs(pos.amount))
        need = price * opening / acct.lev(wallet, order.symbol)
        if need > self.available_margin(acct, wallet):
            raise Reject("margin")

    def estimate_price(self, order: Order) -> Decimal:
        book = self.books[(order.market, order.symbol)]
        got, cost = book.cost_to_fill(order.side, order.qty)
        if got > 0:
            return cost / got
        return self.last[(order.market, order.symbol)]

    def available_margin(self, acct: Account, wallet: str) -> Decimal:
        bal = acct.wallets[wallet]["USDT"].total
        used = ZERO
        for (w, symbol), pos in acct.positions.items():
            if w != wallet or pos.amount == 0:
                continue
            market = "busdm" if wallet == "binance-usdm" else "ylinear"
            mark = self.mark.get(symbol) or self.last[(market, symbol)]
            bal += pos.unrealized(mark)
            used += abs(pos.cost) / acct.lev(wallet, symbol)
        live = self.live_orders.get(acct.key)
        if live:
            for oid in [oid for oid, o in live.items() if not o.is_open]:
                del live[oid]                     # closed since the last look: pruned lazily
            for o in live.values():
                if WALLET_OF[o.market] == wallet and not o.reduce_only and o.price is not None \
                        and o.type not in CONDITIONAL_TYPES and o.market in ("busdm", "ylinear"):
                    used += o.price * o.remaining / acct.lev(wallet, o.symbol)
        return bal - used

    def _execute_new(self, order: Order, inst: Instrument) -> None:
        book = self.books[(order.market, order.symbol)]
        policy = POLICY[order.market]
        market_like = order.type in MARKET_LIKE
        limit = None if market_like else order.price
        acct = order.account
        wallet = WALLET_OF[order.market]
        # Reduce-only orders never grow a position: cap them at its size.
        if inst.kind == "linear" and (order.reduce_only or order.close_position) and not acct.is_market_maker:
            pos = acct.position(wallet, order.symbol)
            if pos.amount == 0 or (pos.amount > 0) == (order.side == "BUY"):
                raise Reject("reduce_only")
            if order.close_position or order.qty > abs(pos.amount):
                order.qty = abs(pos.amount)
        if order.post_only and book.would_take(order.side, order.price):
            if policy["post_only"] == "error":
                raise Reject("would_take")
            self._record_dead(order, "EXPIRED", "post_only")
            return
        if order.tif == "FOK":
            if book.available(order.side, limit) < order.qty:
                if policy["fok"] == "error":
                    raise Reject("fok")
                self._record_dead(order, "EXPIRED", "fok")
                return
        quote_budget = None
        if inst.kind == "spot" and market_like and not acct.is_market_maker:
            free = acct.wallets[wallet]
            if order.side == "BUY":
                if order.quote_qty is not None:
                    if free[inst.quote].free < order.quote_qty:
                        raise Reject("insufficient_balance")
                    quote_budget = order.quote_qty
                else:
                    got, cost = book.cost_to_fill("BUY", order.qty)
                    if free[inst.quote].free < cost:
                        raise Reject("insufficient_balance")
            else:
                if order.quote_qty is not None:
                    cost = ZERO
                    # sell for a quote amount: find the base quantity that raises it.
                    qty = self._qty_for_quote(book, "SELL", order.quote_qty, inst.step)
                    order.qty = qty
                    order.quote_qty = None
                if free[inst.base].free < order.qty:
                    raise Reject("insufficient_balance")
        else:
            self._reserve(order, inst)
        if order.quote_qty is not None and order.qty is None:
            order.qty = ZERO  # filled in below from the budget actually spent
        order.status = "NEW"
        self.register(order)
        self._order_event(order, "NEW")
        step = inst.step
        order.extra["_quote_step_floor"] = lambda q: floor_to(q, step)
        fills = book.match(order, limit, None if quote_budget is not None else order.remaining, quote_budget,
                           self.next_trade_id)
        order.extra.pop("_quote_step_floor", None)
        if quote_budget is not None:
            order.qty = sum((f.qty for f in fills), ZERO)
        for f in fills:
            self._settle(f, inst)
        if order.remaining > 0 and order.qty > 0 and not market_like and order.tif in ("GTC", "GTX", "GTD"):
            book.add(order)
            order.working_ms = order.working_ms or now_ms()
        elif order.remaining > 0 or order.qty == 0:
            order.status = "EXPIRED"
            order.expiry_reason = "no_liquidity" if market_like else "ioc"
            order.updated_ms = now_ms()
            self._release(order)
            self._order_event(order, "EXPIRED")
        self._balances_changed(order)

    @staticmethod
    def _qty_for_quote(book: Book, side: str, quote: Decimal, step: Decimal) -> Decimal:
        got = ZERO
        for price, queue in book._opposite_levels(side):
            for o in queue:
                take = min(o.remaining, floor_to(quote / price, step))
                got += take
                quote -= take * price
                if take < o.remaining:
                    return got
        return got

    def _record_dead(self, order: Order, status: str, reason: str) -> None:
        order.status = status
        order.reject_reason = reason
        order.expiry_reason = reason
        self.register(order)
        self._order_event(order, "NEW")
        order.updated_ms = now_ms()
        self._order_event(order, status if status != "CANCELED" else "CANCELED")

    def _balances_changed(self, order: Order) -> None:
        inst = self.instruments[(order.market, order.symbol)]
        assets = (inst.base, inst.quote) if inst.kind == "spot" else ("USDT",)
        self._balance_event(order.market, order.account, assets)

    def _release(self, order: Order) -> None:
        """Give back whatever the order still has locked."""
        if order.locked_left and order.locked_left > 0:
            self.ledger.unlock(order.account, WALLET_OF[order.market], order.locked_asset, order.locked_left)
        order.locked_left = ZERO

    # -- settlement --------------------------------------------------------------------
    def _settle(self, fill: Fill, inst: Instrument) -> None:
        wallet = WALLET_OF[inst.market]
        ts = now_ms()
        for order, maker in ((fill.maker, True), (fill.taker, False)):
            if order is fill.taker:
                order.filled += fill.qty
                order.cum_quote += fill.qty * fill.price
            order.updated_ms = order.last_exec_ms = ts
            rate = ZERO if order.account.is_market_maker else (inst.maker_fee if maker else inst.taker_fee)
            if inst.kind == "spot":
                fee, fee_asset = self._settle_spot(order, fill, inst, wallet, rate)
            else:
                fee, fee_asset = self._settle_linear(order, fill, inst, wallet, rate)
            order.commission += fee
            order.commission_asset = fee_asset
            order.status = "FILLED" if order.remaining == 0 else "PARTIALLY_FILLED"
            order.fills.append((fill, fee, fee_asset, maker))
            if order.remaining == 0:
                self._release(order)
            self._order_event(order, "TRADE", fill)
            if not order.account.is_market_maker and order is fill.maker:
                self._balances_changed(order)
        self.last[(inst.market, inst.symbol)] = fill.price

    def _settle_spot(self, order: Order, fill: Fill, inst: Instrument, wallet: str, rate: Decimal):
        acct, led = order.account, self.ledger
        quote_amt = fill.price * fill.qty
        if order.side == "BUY":
            if order.locked_left:
                locked_for_fill = order.price * fill.qty
                led.debit(acct, wallet, inst.quote, quote_amt, from_locked=True)
                led.unlock(acct, wallet, inst.quote, locked_for_fill - quote_amt)
                order.locked_left -= locked_for_fill
            else:
                led.debit(acct, wallet, inst.quote, quote_amt)
            fee = round_fee(fill.qty * rate)
            led.credit(acct, wallet, inst.base, fill.qty)
            led.charge_fee(acct, wallet, inst.base, fee)
            return fee, inst.base
        if order.locked_left:
            led.debit(acct, wallet, inst.base, fill.qty, from_locked=True)
            order.locked_left -= fill.qty
        else:
            led.debit(acct, wallet, inst.base, fill.qty)
        fee = round_fee(quote_amt * rate)
        led.credit(acct, wallet, inst.quote, quote_amt)
        led.charge_fee(acct, wallet, inst.quote, fee)
        return fee, inst.quote

    def _settle_linear(self, order: Order, fill: Fill, inst: Instrument, wallet: str, rate: Decimal):
        acct = order.account
        pos = acct.position(wallet, inst.symbol)
        delta = fill.qty if order.side == "BUY" else -fill.qty
        realized = apply_position(pos, delta, fill.price)
        pos.update_ms = now_ms()
        bal = acct.wallets[wallet]["USDT"]
        bal.free += realized
        pos.realized += realized
        order.realized += realized
        fee = round_fee(fill.price * fill.qty * rate)
        self.ledger.charge_fee(acct, wallet, "USDT", fee)
        self.emit(Event("position", inst.market, acct, symbol=inst.symbol, order=order, fill=fill))
        return fee, "USDT"

    # -- cancel / amend -------------------------------------------------------------
    def cancel(self, order: Order, status: str = "CANCELED") -> Order:
        book = self.books[(order.market, order.symbol)]
        if not book.remove(order):
            pend = self.pending[(order.market, order.symbol)]
            if order in pend:
                pend.remove(order)
        order.status = status
        order.updated_ms = now_ms()
        self._release(order)
        if order.algo:
            self.emit(Event("algo", order.market, order.account, order=order, exec_type=status))
        else:
            self._order_event(order, status)
        self._balances_changed(order)
        return order

    def amend(self, order: Order, *, qty: Decimal | None = None, price: Decimal | None = None,
              stop_price: Decimal | None = None, keep_priority: bool = False, exec_type: str = "AMENDMENT") -> Order:
        """Change an open order.  A price change or quantity increase loses queue priority."""
        inst = self.instruments[(order.market, order.symbol)]
        book = self.books[(order.market, order.symbol)]
        if order.type in CONDITIONAL_TYPES and not order.triggered:
            if qty is not None:
                order.qty = qty
            if price is not None:
                order.price = price
            if stop_price is not None:
                order.stop_price = stop_price
            order.updated_ms = now_ms()
            self._order_event(order, exec_type)
            return order
        new_qty = order.qty if qty is None else qty
        new_price = order.price if price is None else price
        resting = book.remove(order)
        # re-lock for spot orders at the new terms
        if inst.kind == "spot" and not order.account.is_market_maker:
            self._release(order)
            remaining = new_qty - order.filled
            amount = new_price * remaining if order.side == "BUY" else remaining
            asset = inst.quote if order.side == "BUY" else inst.base
            try:
                self.ledger.lock(order.account, WALLET_OF[order.market], asset, amount)
            except InsufficientBalance:
                self._relock_old(order, inst)
                if resting:
                    book.add(order)
                raise Reject("insufficient_balance") from None
            order.locked_asset, order.locked_left = asset, amount
        order.qty, order.price = new_qty, new_price
        order.updated_ms = now_ms()
        if order.remaining <= 0:
            order.status = "FILLED" if order.filled > 0 else "CANCELED"
            self._release(order)
            self._order_event(order, exec_type)
            self._balances_changed(order)
            return order
        if keep_priority and resting:
            # Put it back where it was: same level, same sequence number.
            book.add(order)
            queue = book._levels[order.side][order.price]
            queue.remove(order)
            idx = 0
            for idx, other in enumerate(queue):
                if other.seq > order.seq:
                    break
            else:
                idx = len(queue)
            queue.insert(idx, order)
            self._order_event(order, exec_type)
            self._balances_changed(order)
            return order
        self._order_event(order, exec_type)
        if order.post_only and book.would_take(order.side, order.price):
            order.status = "EXPIRED" if order.market != "busdm" else "CANCELED"
            self._release(order)
            self._order_event(order, order.status)
            self._balances_changed(order)
            return order
        fills = book.match(order, order.price, order.remaining, None, self.next_trade_id)
        for f in fills:
            self._settle(f, inst)
        if order.remaining > 0:
            book.add(order)
        self._balances_changed(order)
        self.run_triggers(order.market, order.symbol)
        return order

    def _relock_old(self, order: Order, inst: Instrument) -> None:
        remaining = order.remaining
        amount = order.price * remaining if order.side == "BUY" else remaining
        asset = inst.quote if order.side == "BUY" else inst.base
        self.ledger.lock(order.account, WALLET_OF[order.market], asset, amount)
        order.locked_asset, order.locked_left = asset, amount

    # -- triggers ---------------------------------------------------------------------
    def run_triggers(self, market: str, symbol: str) -> None:
        """Fire every pending conditional order whose trigger the price has crossed."""
        if self._trigger_depth > 20:
            return
        self._trigger_depth += 1
        try:
            for _ in range(100):
                pend = self.pending[(market, symbol)]
                fired = None
                for order in pend:
                    ref = self.ref_price(order)
                    if order.type == "TRAILING_STOP_MARKET":
                        if self._trail(order, ref):
                            fired = order
                            break
                    elif self._trigger_hit(order, ref):
                        fired = order
                        break
                if fired is None:
                    return
                pend.remove(fired)
                self._fire(fired)
        finally:
            self._trigger_depth -= 1

    @staticmethod
    def _trail(order: Order, ref: Decimal) -> bool:
        if order.trail_extreme is None:
            if order.activate_price is not None:
                active = ref >= order.activate_price if order.side == "SELL" else ref <= order.activate_price
                if not active:
                    return False
            order.trail_extreme = ref
            return False
        rate = order.callback_rate / 100
        if order.side == "SELL":
            order.trail_extreme = max(order.trail_extreme, ref)
            return ref <= order.trail_extreme * (1 - rate)
        order.trail_extreme = min(order.trail_extreme, ref)
        return ref >= order.trail_extreme * (1 + rate)

    def _fire(self, order: Order) -> None:
        inst = self.instruments[(order.market, order.symbol)]
        order.triggered = True
        order.updated_ms = now_ms()
        if order.algo:
            # USD-M: the algo order spawns a regular order with its own id, named by the
            # ALGO_UPDATE's ``ai``.  The child's clientOrderId is not documented (the official
            # Event-Algo-Order-Update page gives only ``ai``): ``algo-<algoId>`` is this
            # simulator's choice, unconfirmed; clients must link by ``ai``, never by this id.
            child = Order(
                oid=self.new_oid(), market=order.market, symbol=order.symbol, account=order.account,
                client_id=order.extra.get("child_client_id") or f"algo-{order.oid}", side=order.side,
                type="LIMIT" if order.type in ("STOP", "TAKE_PROFIT") else "MARKET",
                tif=order.tif or "GTC", price=order.price, qty=order.qty, reduce_only=order.reduce_only,
                close_position=order.close_position, working_type=order.working_type,
            )
            child.extra["orig_type"] = order.type
            child.extra["stop_price"] = order.stop_price
            child.parent = order
            order.status = "TRIGGERED"
            order.extra["child"] = child
            self.emit(Event("algo", order.market, order.account, order=order, exec_type="TRIGGERED"))
            try:
                self._execute_new(child, inst)
                order.status = "FINISHED"
            except Reject as exc:
                order.status = "REJECTED"
                order.reject_reason = exc.reason
            order.updated_ms = now_ms()
            self.emit(Event("algo", order.market, order.account, order=order, exec_type=order.status))
            return
        self._order_event(order, "TRIGGERED")
        order.working_ms = now_ms()
        market_like = order.type in MARKET_LIKE
        try:
            if market_like and inst.kind == "spot" and order.side == "BUY" and order.locked_left is None:
                got, cost = self.books[(order.market, order.symbol)].cost_to_fill("BUY", order.qty)
                if order.account.wallets[WALLET_OF[order.market]][inst.quote].free < cost:
                    raise Reject("insufficient_balance")
            self._continue_triggered(order, inst)
        except Reject as exc:
            order.status = "EXPIRED"
            order.reject_reason = exc.reason
            self._release(order)
            self._order_event(order, "EXPIRED")
            self._balances_changed(order)

    def _continue_triggered(self, order: Order, inst: Instrument) -> None:
        book = self.books[(order.market, order.symbol)]
        market_like = order.type in MARKET_LIKE
        limit = None if market_like else order.price
        qty = order.remaining
        if inst.kind == "linear" and order.reduce_only:
            pos = order.account.position(WALLET_OF[order.market], order.symbol)
            if pos.amount == 0 or (pos.amount > 0) == (order.side == "BUY"):
                raise Reject("reduce_only")
            qty = min(qty, abs(pos.amount))
        fills = book.match(order, limit, qty, None, self.next_trade_id)
        for f in fills:
            self._settle(f, inst)
        if order.remaining > 0:
            if not market_like and order.tif in ("GTC", "GTX", "GTD", None):
                book.add(order)
            else:
                order.status = "EXPIRED"
                self._release(order)
                self._order_event(order, "EXPIRED")
        self._balances_changed(order)

    # -- audit ---------------------------------------------------------------------------
    def totals(self) -> dict:
        return self.ledger.totals(self.mark_for_audit())

    def mark_for_audit(self) -> dict[str, Decimal]:
        marks = {}
        for (market, symbol), price in self.last.items():
            marks.setdefault(symbol, price)
        return marks


def apply_position(pos, delta: Decimal, price: Decimal) -> Decimal:
    """Apply a signed fill to a one-way position; return the realised PnL (exact)."""
    realized = ZERO
    if pos.amount != 0 and (pos.amount > 0) != (delta > 0):
        k = min(abs(delta), abs(pos.amount))
        sign = 1 if pos.amount > 0 else -1
        if k == abs(pos.amount):
            removed = pos.cost
        else:
            removed = (pos.cost * k / abs(pos.amount)).quantize(Decimal("0.00000001"))
        realized = sign * k * price - removed
        pos.amount -= sign * k
        pos.cost -= removed
        delta += sign * k
        if pos.amount == 0:
            pos.cost = ZERO
    if delta != 0:
        pos.amount += delta
        pos.cost += delta * price
    return realized
