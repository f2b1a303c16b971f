"""The moving market: a seeded random walk per fair-price series and resting liquidity around it.

One fair price per series (shared by every instrument following it, whatever its venue calls
the symbol: :attr:`Instrument.series <engine.sim.instruments.Instrument.series>`) walks in whole
ticks of the finest tick listed, driven by a :class:`random.Random` of its own seeded by the
simulator seed and the series' name, so a run is the same for the same seed and the same calls,
and a personality that registers a series of its own leaves every other series' walk as it was.  A market-maker account
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
    """The fair price of each series and the market maker quoting every registered market."""

    def __init__(self, core: Core, seed: int, prices: dict[str, Decimal], *, levels: int = 5,
                 spread_bps: int = 2, level_notional: Decimal = D("25000"), volatility_bps: int = 5) -> None:
        self.core = core
        self.seed = seed
        self._rngs: dict[str, random.Random] = {}      # series -> its own random walk
        self.levels = levels
        self.spread_bps = spread_bps
        self.level_notional = level_notional
        self.volatility_bps = volatility_bps
        self.fair: dict[str, Decimal] = {}
        assets = sorted({a for inst in core.instruments.values() for a in (inst.base, inst.quote)})
        self.mm = core.ledger.add(MM_KEY, "", {a: _MM_FUNDS for a in assets}, market_maker=True)
        self._finest: dict[str, Decimal] = {}
        self._listings: dict[str, list] = {}       # series -> [(market, symbol), Instrument] following it
        for key, inst in core.instruments.items():
            series = inst.fair
            f = self._finest.get(series)
            self._finest[series] = inst.tick if f is None else min(f, inst.tick)
            self._listings.setdefault(series, []).append((key, inst))
        for series, price in prices.items():
            self.fair[series] = price
        self.steps = 0

    def start(self) -> None:
        for series in self.fair:
            self.requote(series)

    # -- price control ---------------------------------------------------------------
    def set_price(self, series: str, price: Decimal) -> None:
        self.fair[series] = D(price)
        self.requote(series)

    def step(self, n: int = 1) -> None:
        """Move every series ``n`` random-walk steps (each re-quotes its books)."""
        for _ in range(n):
            self.steps += 1
            for series in sorted(self.fair):
                tick = self._finest.get(series)
                if tick is None:
                    continue                        # a price nobody lists
                price = self.fair[series]
                span = max(1, int(price * self.volatility_bps / 10000 / tick))
                rng = self._rngs.get(series)
                if rng is None:
                    rng = self._rngs[series] = random.Random(f"{self.seed}:{series}")
                moved = price + rng.randint(-span, span) * tick
                self.fair[series] = max(moved, tick * 10)
                self.requote(series)

    # -- quoting -----------------------------------------------------------------------
    def requote(self, series: str) -> None:
        core = self.core
        fair = self.fair[series]
        for (market, sym), inst in self._listings.get(series, ()):
            core.mark[sym] = fair
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
