"""The exchange state every personality shares: books, orders, lookups, events, cancel and amend.

Personalities (engine/sim/<venue>/) parse and validate venue requests,
build an :class:`~engine.sim.matching.Order` and call :meth:`Core.place`,
:meth:`Core.cancel` or :meth:`Core.amend`.  The core owns what happens next:

1. balance locks (spot) or margin checks (linear), raised as :class:`Reject`
   (:mod:`engine.sim.placement`);
2. conditional orders wait in ``pending`` until the reference price crosses their
   trigger, then execute as market/limit orders (:mod:`engine.sim.triggers`);
3. every fill moves balances, fees and positions through the ledger exactly
   (:mod:`engine.sim.settlement`);
4. every change is published as an :class:`Event` to listeners registered per
   (account key, venue); stream modules format them into the venue's payloads.

:class:`Reject`, :class:`Event`, :func:`now_ms` and the order-type sets live in
:mod:`engine.sim.core_types` and are importable from here.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from itertools import count

from engine.sim.accounts import Account, InsufficientBalance, Ledger
from engine.sim.core_types import CONDITIONAL_TYPES, Event, Reject, now_ms
from engine.sim.decimals import ZERO
from engine.sim.instruments import Instrument
from engine.sim.margin import Margin
from engine.sim.matching import Book, Fill, Order
from engine.sim.placement import Placement
from engine.sim.settlement import Settlement
from engine.sim.tickers import Tape
from engine.sim.triggers import Triggers

__all__ = ["Core", "Reject", "Event", "CONDITIONAL_TYPES"]

log = logging.getLogger("engine.sim.core")


class Core(Placement, Settlement, Triggers, Margin):
    """The exchange of the markets, wallets and instruments the personalities registered
    (:class:`~engine.sim.registry.Registry`)."""

    def __init__(self, registry) -> None:
        self.markets = dict(registry.markets)              # market key -> MarketSpec
        self.wallet_specs = dict(registry.wallets)         # wallet name -> WalletSpec
        self.ledger = Ledger(self.wallet_specs)
        self.instruments: dict[tuple[str, str], Instrument] = dict(registry.instruments)
        # (wallet, symbol) -> the linear market whose positions live there
        self.linear_market = {(self.markets[m].wallet, sym): m for (m, sym), inst in self.instruments.items()
                              if inst.kind == "linear"}
        self.books = {key: Book(*key) for key in self.instruments}
        self.orders: dict[int, Order] = {}
        self.live_orders: dict[str, dict[int, Order]] = {}  # account key -> orders not yet seen closed (margin)
        self.by_client: dict[tuple[str, str, str], list[Order]] = {}
        self.pending: dict[tuple[str, str], list[Order]] = {key: [] for key in self.instruments}
        self.last: dict[tuple[str, str], Decimal] = {}
        self.tape = Tape()                                  # the last 24 hours of trades, for the tickers
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

    def wallet_of(self, market: str) -> str:
        return self.markets[market].wallet

    def margin_asset(self, wallet: str) -> str:
        return self.wallet_specs[wallet].margin_asset

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
        for cb in list(self.listeners.get((event.account.key, self.markets[event.market].wallet), ())):
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

    def _balances_changed(self, order: Order) -> None:
        inst = self.instruments[(order.market, order.symbol)]
        assets = (inst.base, inst.quote) if inst.kind == "spot" else (inst.quote,)
        self._balance_event(order.market, order.account, assets)

    def _release(self, order: Order) -> None:
        """Give back whatever the order still has locked."""
        if order.locked_left and order.locked_left > 0:
            self.ledger.unlock(order.account, self.wallet_of(order.market), order.locked_asset, order.locked_left)
        order.locked_left = ZERO

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
        if inst.kind != "spot" and not order.account.is_market_maker and not order.reduce_only:
            # what the amendment adds to the order's initial margin must be available (the venues refuse it:
            # USD-M -2019, Bybit 110007); the order already holds its old margin
            acct, wallet = order.account, self.wallet_of(order.market)
            added = (new_price * (new_qty - order.filled) - order.price * order.remaining) / acct.lev(wallet,
                                                                                                         order.symbol)
            if added > 0 and added > self.available_margin(acct, wallet):
                raise Reject("margin")
        resting = book.remove(order)
        # re-lock for spot orders at the new terms
        if inst.kind == "spot" and not order.account.is_market_maker:
            self._release(order)
            remaining = new_qty - order.filled
            amount = new_price * remaining if order.side == "BUY" else remaining
            asset = inst.quote if order.side == "BUY" else inst.base
            try:
                self.ledger.lock(order.account, self.wallet_of(order.market), asset, amount)
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
            # Put it back where it was: same level, same sequence number (add() numbers it anew).
            seq = order.seq
            book.add(order)
            order.seq = seq
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
            order.status = self.markets[order.market].amended_post_only
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
        self.ledger.lock(order.account, self.wallet_of(order.market), asset, amount)
        order.locked_asset, order.locked_left = asset, amount

    # -- audit ---------------------------------------------------------------------------
    def totals(self) -> dict:
        settle = {(self.markets[m].wallet, sym): inst.quote for (m, sym), inst in self.instruments.items()
                  if inst.kind == "linear"}
        return self.ledger.totals(self.mark_for_audit(), settle)

    def mark_for_audit(self) -> dict[str, Decimal]:
        marks = {}
        for (market, symbol), price in self.last.items():
            marks.setdefault(symbol, price)
        return marks
