"""The moving market: a seeded random walk per symbol and resting liquidity around it.

One fair price per symbol (shared by every market listing it) walks in whole ticks of
the finest tick listed, driven by :class:`random.Random` seeded by the simulator seed,
so a run is the same for the same seed and the same calls.  A market-maker account
(other participants) quotes ``levels`` price levels each side of the fair price in
every book; when the price moves, it re-quotes, and its new quotes trade against any
resting user order they cross, which is how resting orders fill as the market moves.
"""

from __future__ import annotations

import random
from decimal import Decimal

from engine.sim.core import Core
from engine.sim.decimals import D, ceil_to, floor_to
from engine.sim.matching import Order

__all__ = ["Market", "MM_KEY"]

MM_KEY = "__market_maker__"
_MM_FUNDS = D("1000000000000")


class Market:
    def __init__(self, core: Core, seed: int, prices: dict[str, Decimal], *, levels: int = 5,
                 spread_bps: int = 2, level_notional: Decimal = D("25000"), volatility_bps: int = 5) -> None:
        self.core = core
        self.rng = random.Random(seed)
        self.levels = levels
        self.spread_bps = spread_bps
        self.level_notional = level_notional
        self.volatility_bps = volatility_bps
        self.fair: dict[str, Decimal] = {}
        self.mm = core.ledger.add(MM_KEY, "", {a: _MM_FUNDS for a in ("USDT", "BTC", "ETH", "1000SHIB")},
                                  market_maker=True)
        self._finest: dict[str, Decimal] = {}
        for (market, symbol), inst in core.instruments.items():
            f = self._finest.get(symbol)
            self._finest[symbol] = inst.tick if f is None else min(f, inst.tick)
        for symbol, price in prices.items():
            self.fair[symbol] = price
        self.steps = 0

    def start(self) -> None:
        for symbol in self.fair:
            self.requote(symbol)

    # -- price control ---------------------------------------------------------------
    def set_price(self, symbol: str, price: Decimal) -> None:
        self.fair[symbol] = D(price)
        self.requote(symbol)

    def step(self, n: int = 1) -> None:
        """Move every symbol ``n`` random-walk steps (each re-quotes its books)."""
        for _ in range(n):
            self.steps += 1
            for symbol in sorted(self.fair):
                tick = self._finest[symbol]
                price = self.fair[symbol]
                span = max(1, int(price * self.volatility_bps / 10000 / tick))
                moved = price + self.rng.randint(-span, span) * tick
                self.fair[symbol] = max(moved, tick * 10)
                self.requote(symbol)

    # -- quoting -----------------------------------------------------------------------
    def requote(self, symbol: str) -> None:
        core = self.core
        fair = self.fair[symbol]
        core.mark[symbol] = fair
        for (market, sym), inst in core.instruments.items():
            if sym != symbol:
                continue
            book = core.books[(market, sym)]
            for o in [o for o in book.orders() if o.account is self.mm]:
                book.remove(o)
                o.status = "CANCELED"
            gap = max(inst.tick, floor_to(fair * self.spread_bps / 10000, inst.tick))
            qty = max(inst.step, floor_to(self.level_notional / fair, inst.step))
            core.last[(market, sym)] = floor_to(fair, inst.tick)
            for i in range(1, self.levels + 1):
                for side, price in (("SELL", ceil_to(fair + gap * i, inst.tick)),
                                    ("BUY", floor_to(fair - gap * i, inst.tick))):
                    if price <= 0:
                        continue
                    o = Order(oid=core.new_oid(), market=market, symbol=sym, account=self.mm, side=side,
                              type="LIMIT", tif="GTC", price=price, qty=qty)
                    core._execute_new(o, inst)
            core.last[(market, sym)] = floor_to(fair, inst.tick)
            core.run_triggers(market, sym)
