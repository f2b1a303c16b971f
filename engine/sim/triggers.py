"""Conditional orders after placement: the trigger-side check when they are placed, the
watch of the reference price (stops, take-profits, trailing stops) and firing: a Binance
USD-M algo order spawns a child order, every other conditional order executes itself as a
market or limit order.

A mixin of :class:`~engine.sim.core.Core`: it uses the core's ``pending`` lists, books,
reference prices, events, execution (:mod:`engine.sim.placement`) and settlement.
"""

from __future__ import annotations

from decimal import Decimal

from engine.sim.core_types import MARKET_LIKE, Event, Reject, now_ms
from engine.sim.instruments import Instrument
from engine.sim.matching import Order

__all__ = ["Triggers"]


class Triggers:
    """Trigger checks and firing of pending conditional orders (a mixin of Core)."""

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
                if order.account.wallets[self.wallet_of(order.market)][inst.quote].free < cost:
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
            pos = order.account.position(self.wallet_of(order.market), order.symbol)
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
