"""Settling fills: balances and fees of spot fills, positions, realised PnL and fees of
linear fills, order fill state, and the last price; :func:`apply_position` is the exact
one-way position arithmetic.

A mixin of :class:`~engine.sim.core.Core`: it uses the core's ledger, events and prices.
"""

from __future__ import annotations

from decimal import Decimal

from engine.sim.core_types import Event, now_ms
from engine.sim.decimals import ZERO, round_fee
from engine.sim.instruments import Instrument
from engine.sim.matching import Fill, Order

__all__ = ["Settlement", "apply_position"]


class Settlement:
    """Every fill moves balances, fees and positions through the ledger exactly (a mixin of Core)."""

    def _settle(self, fill: Fill, inst: Instrument) -> None:
        wallet = self.wallet_of(inst.market)
        ts = fill.ts = now_ms()
        self.tape.record(inst.market, inst.symbol, ts, fill.price, fill.qty, fill.trade_id,
                         self.last[(inst.market, inst.symbol)], fill.taker.side)
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
        bal = acct.wallets[wallet][inst.quote]
        bal.free += realized
        pos.realized += realized
        order.realized += realized
        if order is fill.maker:
            fill.maker_pnl = realized
        else:
            fill.taker_pnl = realized
        fee = round_fee(fill.price * fill.qty * rate)
        self.ledger.charge_fee(acct, wallet, inst.quote, fee)
        self.emit(Event("position", inst.market, acct, symbol=inst.symbol, order=order, fill=fill))
        return fee, inst.quote


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
