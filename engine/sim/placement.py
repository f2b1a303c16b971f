"""Placing an order that executes now: balance locks (spot) and margin checks (linear),
each venue's time-in-force policy (post-only, FOK), immediate matching and what is left
resting or expired.

A mixin of :class:`~engine.sim.core.Core`: it uses the core's books, ledger, prices,
registration, events and settlement (:mod:`engine.sim.settlement`).
"""

from __future__ import annotations

from decimal import Decimal

from engine.sim.accounts import InsufficientBalance
from engine.sim.core_types import CONDITIONAL_TYPES, MARKET_LIKE, Reject, now_ms
from engine.sim.decimals import ZERO, floor_to
from engine.sim.instruments import Instrument
from engine.sim.matching import Book, Order

__all__ = ["Placement"]


class Placement:
    """Reservation, time-in-force policy and immediate execution of new orders (a mixin of Core)."""

    def _reserve(self, order: Order, inst: Instrument) -> None:
        """Spot: lock what a resting order could spend.  Linear: check initial margin."""
        acct = order.account
        if acct.is_market_maker:
            return
        wallet = self.wallet_of(order.market)
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

    def _execute_new(self, order: Order, inst: Instrument) -> None:
        book = self.books[(order.market, order.symbol)]
        policy = self.markets[order.market]
        market_like = order.type in MARKET_LIKE
        limit = None if market_like else order.price
        acct = order.account
        wallet = self.wallet_of(order.market)
        # Reduce-only orders never grow a position: cap them at its size.
        if inst.kind == "linear" and (order.reduce_only or order.close_position) and not acct.is_market_maker:
            pos = acct.position(wallet, order.symbol)
            if pos.amount == 0 or (pos.amount > 0) == (order.side == "BUY"):
                raise Reject("reduce_only")
            if order.close_position or order.qty > abs(pos.amount):
                order.qty = abs(pos.amount)
        if order.post_only and book.would_take(order.side, order.price):
            if policy.post_only == "error":
                raise Reject("would_take")
            self._record_dead(order, "EXPIRED", "post_only")
            return
        if order.tif == "FOK":
            if book.available(order.side, limit) < order.qty:
                if policy.fok == "error":
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
