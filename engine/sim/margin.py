"""The margin model of derivatives wallets: per symbol, the unrealised PnL at the mark, the
positions' and open orders' initial margin and the maintenance margin; the wallet's available
balance is what they leave.

A position's initial margin is its notional over the leverage, the notional at the mark price
or at the entry cost as its wallet declares (:attr:`~engine.sim.registry.WalletSpec.position_margin`);
an open order's is its price x remaining quantity over the leverage (priced orders that are
neither reduce-only nor conditional); the maintenance margin is the position's notional at the
mark times its instrument's ``maint_rate`` (one bracket: the venues' tiers by notional are not
simulated).  Every figure a personality reports is a sum of these lines, so positions add up
to the account.

A mixin of :class:`~engine.sim.core.Core`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.sim.accounts import Account
from engine.sim.core_types import CONDITIONAL_TYPES
from engine.sim.decimals import ZERO

__all__ = ["Margin", "MarginLine"]


@dataclass
class MarginLine:
    """One symbol of a derivatives wallet."""

    mark: Decimal
    upnl: Decimal = ZERO
    position_im: Decimal = ZERO
    order_im: Decimal = ZERO
    maint: Decimal = ZERO

    @property
    def initial(self) -> Decimal:
        return self.position_im + self.order_im


class Margin:
    """Initial and maintenance margin of derivatives wallets (a mixin of Core)."""

    def mark_of(self, wallet: str, symbol: str) -> Decimal:
        return self.mark.get(symbol) or self.last[(self.linear_market[(wallet, symbol)], symbol)]

    def margin_lines(self, acct: Account, wallet: str) -> dict[str, MarginLine]:
        """symbol -> its :class:`MarginLine`, for every symbol with a position or an open order."""
        lines: dict[str, MarginLine] = {}
        by_mark = self.wallet_specs[wallet].position_margin == "mark"
        for (w, symbol), pos in acct.positions.items():
            if w != wallet or pos.amount == 0:
                continue
            mark = self.mark_of(wallet, symbol)
            inst = self.instruments[(self.linear_market[(wallet, symbol)], symbol)]
            notional = abs(pos.amount) * mark
            lines[symbol] = MarginLine(mark, pos.unrealized(mark),
                                       (notional if by_mark else abs(pos.cost)) / acct.lev(wallet, symbol),
                                       ZERO, notional * inst.maint_rate)
        live = self.live_orders.get(acct.key)
        if live:
            for oid in [oid for oid, o in live.items() if not o.is_open]:
                del live[oid]                     # closed since the last look: pruned lazily
            for o in live.values():
                spec = self.markets[o.market]
                if spec.wallet == wallet and spec.kind == "linear" and not o.reduce_only and o.price is not None \
                        and o.type not in CONDITIONAL_TYPES:
                    line = lines.get(o.symbol)
                    if line is None:
                        line = lines[o.symbol] = MarginLine(self.mark_of(wallet, o.symbol))
                    line.order_im += o.price * o.remaining / acct.lev(wallet, o.symbol)
        return lines

    def margin_parts(self, acct: Account, wallet: str) -> tuple[Decimal, Decimal, Decimal]:
        """(unrealised PnL at the mark, position initial margin, open-order initial margin) of a wallet."""
        lines = self.margin_lines(acct, wallet).values()
        return (sum((x.upnl for x in lines), ZERO), sum((x.position_im for x in lines), ZERO),
                sum((x.order_im for x in lines), ZERO))

    def maint_margin(self, acct: Account, wallet: str) -> Decimal:
        return sum((x.maint for x in self.margin_lines(acct, wallet).values()), ZERO)

    def available_margin(self, acct: Account, wallet: str) -> Decimal:
        """Wallet + unrealised PnL - position IM - open-order IM (the available balance)."""
        upnl, pos_im, order_im = self.margin_parts(acct, wallet)
        return acct.wallets[wallet][self.margin_asset(wallet)].total + upnl - pos_im - order_im
