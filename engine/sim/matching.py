"""Order books with price-time priority.

A :class:`Book` holds resting limit orders of one market and symbol.  It only matches
and keeps queues; balances, fees and events belong to :mod:`engine.sim.core`.

Rules:

1. Better price first; at one price, earlier arrival first (FIFO deque per level).
2. A taker trades at the maker's price.
3. A maker is removed from its level the moment its remaining quantity is zero.
"""

from __future__ import annotations

import bisect
from collections import deque
from decimal import Decimal

from engine.sim.decimals import ZERO

__all__ = ["Order", "Fill", "Book"]


class Order:
    """One order of any market.  Statuses are kept in Binance spelling internally."""

    __slots__ = (
        "oid", "market", "symbol", "account", "client_id", "side", "type", "tif", "price", "qty",
        "quote_qty", "stop_price", "filled", "cum_quote", "status", "created_ms", "updated_ms",
        "working_ms", "reduce_only", "close_position", "fills", "commission", "commission_asset",
        "locked_asset", "locked_left", "extra", "seq", "triggered", "trigger_dir", "activate_price",
        "callback_rate", "trail_extreme", "working_type", "algo", "parent", "reject_reason",
        "expiry_reason", "cancel_type", "realized", "last_exec_ms", "price_at_create", "post_only",
    )

    def __init__(self, **kw) -> None:
        for name in self.__slots__:
            setattr(self, name, None)
        self.filled = ZERO
        self.cum_quote = ZERO
        self.commission = ZERO
        self.realized = ZERO
        self.fills = []
        self.extra = {}
        self.reduce_only = False
        self.close_position = False
        self.triggered = False
        for k, v in kw.items():
            setattr(self, k, v)

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED")

    @property
    def avg_price(self) -> Decimal:
        return ZERO if self.filled == 0 else self.cum_quote / self.filled

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return (f"Order({self.oid} {self.market} {self.symbol} {self.side} {self.type} {self.price} "
                f"{self.filled}/{self.qty} {self.status})")


class Fill:
    """One trade between a resting ``maker`` and a ``taker``; settlement sets its time ``ts`` and the
    PnL it realised for each side (linear markets)."""

    __slots__ = ("maker", "taker", "price", "qty", "trade_id", "ts", "maker_pnl", "taker_pnl")

    def __init__(self, maker: Order, taker: Order, price: Decimal, qty: Decimal, trade_id: int) -> None:
        self.maker = maker
        self.taker = taker
        self.price = price
        self.qty = qty
        self.trade_id = trade_id
        self.ts = 0
        self.maker_pnl = self.taker_pnl = ZERO

    def realized_for(self, order: Order) -> Decimal:
        """The PnL this trade realised for ``order`` (its maker or its taker), before fees."""
        return self.maker_pnl if order is self.maker else self.taker_pnl


class Book:
    """Bids and asks of one (market, symbol)."""

    def __init__(self, market: str, symbol: str) -> None:
        self.market = market
        self.symbol = symbol
        self._levels = {"BUY": {}, "SELL": {}}     # side -> price -> deque[Order]
        self._prices = {"BUY": [], "SELL": []}     # ascending
        self._seq = 0

    # -- queries --------------------------------------------------------------
    def best(self, side: str) -> Decimal | None:
        prices = self._prices[side]
        if not prices:
            return None
        return prices[-1] if side == "BUY" else prices[0]

    def _crosses(self, taker_side: str, limit: Decimal | None, level_price: Decimal) -> bool:
        if limit is None:
            return True
        return level_price <= limit if taker_side == "BUY" else level_price >= limit

    def would_take(self, side: str, price: Decimal) -> bool:
        best = self.best("SELL" if side == "BUY" else "BUY")
        return best is not None and self._crosses(side, price, best)

    def _opposite_levels(self, side: str):
        opp = "SELL" if side == "BUY" else "BUY"
        prices = self._prices[opp]
        order = prices if opp == "SELL" else reversed(prices)
        levels = self._levels[opp]
        for p in list(order):
            yield p, levels[p]

    def available(self, side: str, limit: Decimal | None, *, exclude=None) -> Decimal:
        """Quantity a taker on ``side`` could trade at ``limit`` or better."""
        total = ZERO
        for price, queue in self._opposite_levels(side):
            if not self._crosses(side, limit, price):
                break
            for o in queue:
                if o.account is not exclude:
                    total += o.remaining
        return total

    def cost_to_fill(self, side: str, qty: Decimal, limit: Decimal | None = None) -> tuple[Decimal, Decimal]:
        """(quantity reachable, quote cost) of taking up to ``qty`` now."""
        got, cost = ZERO, ZERO
        for price, queue in self._opposite_levels(side):
            if not self._crosses(side, limit, price):
                break
            for o in queue:
                take = min(o.remaining, qty - got)
                got += take
                cost += take * price
                if got >= qty:
                    return got, cost
        return got, cost

    def orders(self, side: str | None = None):
        for s in ((side,) if side else ("BUY", "SELL")):
            for p in self._prices[s]:
                yield from self._levels[s][p]

    def depth(self, side: str, limit: int = 5) -> list[tuple[Decimal, Decimal]]:
        prices = self._prices[side]
        seq = reversed(prices) if side == "BUY" else prices
        out = []
        for p in seq:
            out.append((p, sum((o.remaining for o in self._levels[side][p]), ZERO)))
            if len(out) >= limit:
                break
        return out

    # -- mutation ---------------------------------------------------------------
    def add(self, order: Order) -> None:
        self._seq += 1
        order.seq = self._seq
        levels = self._levels[order.side]
        queue = levels.get(order.price)
        if queue is None:
            queue = levels[order.price] = deque()
            bisect.insort(self._prices[order.side], order.price)
        queue.append(order)

    def remove(self, order: Order) -> bool:
        levels = self._levels[order.side]
        queue = levels.get(order.price)
        if queue is None:
            return False
        try:
            queue.remove(order)
        except ValueError:
            return False
        if not queue:
            del levels[order.price]
            prices = self._prices[order.side]
            del prices[bisect.bisect_left(prices, order.price)]
        return True

    def match(self, taker: Order, limit: Decimal | None, qty: Decimal | None, quote: Decimal | None,
              next_trade_id) -> list[Fill]:
        """Trade ``taker`` against the opposite side until ``qty`` (or ``quote`` budget) is used.

        ``quote`` is for market buys by quote amount: quantities are floored to ``step``
        by the caller through ``qty`` limits per level, see core.
        """
        fills: list[Fill] = []
        left = qty
        budget = quote
        for price, queue in self._opposite_levels(taker.side):
            if not self._crosses(taker.side, limit, price):
                break
            while queue:
                maker = queue[0]
                take = maker.remaining
                if left is not None:
                    take = min(take, left)
                if budget is not None:
                    take = min(take, taker.extra["_quote_step_floor"](budget / price))
                if take <= 0:
                    return self._finish(fills)
                fills.append(Fill(maker, taker, price, take, next_trade_id()))
                maker.filled += take
                maker.cum_quote += take * price
                if left is not None:
                    left -= take
                if budget is not None:
                    budget -= take * price
                if maker.remaining == 0:
                    self.remove(maker)
                if (left is not None and left <= 0):
                    return self._finish(fills)
        return self._finish(fills)

    @staticmethod
    def _finish(fills: list[Fill]) -> list[Fill]:
        return fills
