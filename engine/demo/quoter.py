"""A small market-making loop for one symbol: a bid and an ask around the moving price.

Each step reads the fair price, computes a bid ``edge_bps`` below and an ask above,
rounded to the instrument's tick, and brings the two resting quotes there: a missing
quote is placed, a quote that drifted by ``requote_bps`` or more is amended where the
venue supports it (Binance USD-M, Bybit) or cancelled and replaced (Binance spot), and
the side that would push the inventory beyond ``max_inventory`` is withdrawn.  Quotes
fill when the simulated market moves through them.

Errors the engine raises for one order (a rejection, a race with a fill, an open
breaker) are counted and the loop goes on; anything else propagates.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Callable

from engine._enums import Side
from engine._fixedpoint import to_decimal
from engine._histogram import LatencyHistogram
from engine.demo.gate import Gate
from engine.demo.ledger import FillLedger
from engine.demo.parts import OrderParts
from engine.errors import EngineError

__all__ = ["Quoter", "QuoteStats", "to_tick"]

log = logging.getLogger("engine.demo")

BPS = Decimal("0.0001")


def to_tick(price: Decimal, tick: Decimal, rounding: str) -> Decimal:
    """``price`` rounded to a multiple of ``tick`` (ROUND_FLOOR for bids, ROUND_CEILING for asks)."""
    return (price / tick).to_integral_value(rounding) * tick


@dataclass
class QuoteStats:
    """What the quoting loops did, shared by every symbol's loop."""

    placed: int = 0
    amended: int = 0
    replaced: int = 0
    cancelled: int = 0
    steps: int = 0
    refused: Counter = field(default_factory=Counter)   # exception name -> count
    cancel_latency: LatencyHistogram = field(default_factory=LatencyHistogram)
    amend_latency: LatencyHistogram = field(default_factory=LatencyHistogram)


class Quoter:
    """Two-sided quotes on one symbol.

    Parameters
    ----------
    eng : Engine
        The running engine.
    symbol : str
        Instrument to quote.
    qty : Decimal
        Size of each quote.
    fair_price : callable
        ``fair_price(symbol) -> Decimal``: the market price the quotes follow.
    ledger : FillLedger
        Inventory (signed base quantity) per symbol.
    stats : QuoteStats
        Counters and latencies, shared with the other quoters.
    can_amend : bool
        Amend in place (True) or cancel and replace (False).
    parts : OrderParts, optional
        Where the quotes are recorded as the ``quoting`` part's orders.
    """

    def __init__(self, eng, symbol: str, qty: Decimal, fair_price: Callable[[str], Decimal], ledger: FillLedger,
                 stats: QuoteStats, *, can_amend: bool, edge_bps: int = 3, requote_bps: int = 2,
                 max_inventory: Decimal | None = None, parts: OrderParts | None = None) -> None:
        self.eng = eng
        self.symbol = symbol
        self.qty = qty
        self.fair_price = fair_price
        self.ledger = ledger
        self.stats = stats
        self.can_amend = can_amend
        self.edge = Decimal(edge_bps) * BPS
        self.requote = Decimal(requote_bps) * BPS
        self.max_inventory = max_inventory if max_inventory is not None else qty * 4
        self.parts = parts if parts is not None else OrderParts()
        rules = eng.instruments.rules(eng.instruments.id(symbol))
        self.tick = to_decimal(rules["tick_raw"])
        self.quotes: dict[Side, str | None] = {Side.BUY: None, Side.SELL: None}   # side -> client order id

    async def run(self, stop: asyncio.Event, gate: Gate, interval: float) -> None:
        """Quote every ``interval`` seconds until ``stop`` is set (passing through ``gate`` each step)."""
        while not stop.is_set():
            async with gate.passage():
                if stop.is_set():
                    break
                await self.step()
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except asyncio.TimeoutError:
                pass

    async def step(self) -> None:
        self.stats.steps += 1
        fair = self.fair_price(self.symbol)
        targets = {Side.BUY: to_tick(fair * (1 - self.edge), self.tick, ROUND_FLOOR),
                   Side.SELL: to_tick(fair * (1 + self.edge), self.tick, ROUND_CEILING)}
        inventory = self.ledger.size(self.symbol)
        threshold = fair * self.requote
        for side, target in targets.items():
            allowed = inventory < self.max_inventory if side == Side.BUY else inventory > -self.max_inventory
            cid = self.quotes[side]
            current = self.eng.get_order(cid) if cid else None
            if current is not None and not current.is_open:
                current = self.quotes[side] = None        # filled (or cancelled by the venue)
            if current is None:
                if allowed:
                    await self._place(side, target)
            elif not allowed:
                await self._cancel(side, current)
            elif current.price is not None and abs(current.price - target) >= threshold:
                if self.can_amend:
                    await self._amend(side, current, target)
                elif await self._cancel(side, current):
                    await self._place(side, target)
                    self.stats.replaced += 1

    async def withdraw(self) -> None:
        """Cancel both quotes (end of the session)."""
        for side, cid in self.quotes.items():
            if cid:
                current = self.eng.get_order(cid)
                if current.is_open:
                    await self._cancel(side, current)

    async def _place(self, side: Side, price: Decimal) -> None:
        try:
            order = await self.eng.place_limit(self.symbol, side, self.qty, price)
        except EngineError as exc:
            self.parts.add_refused("quoting", self.symbol, side, price)
            self._refused("place", exc)
            return
        self.parts.add("quoting", order)
        self.stats.placed += 1
        self.quotes[side] = order.client_order_id if order.is_open else None

    async def _amend(self, side: Side, order, price: Decimal) -> None:
        t0 = time.perf_counter_ns()
        try:
            await self.eng.amend(order, price=price)
        except EngineError as exc:
            self._refused("amend", exc)   # typically: it filled just before the amend arrived
            return
        self.stats.amend_latency.record(time.perf_counter_ns() - t0)
        self.stats.amended += 1

    async def _cancel(self, side: Side, order) -> bool:
        t0 = time.perf_counter_ns()
        try:
            await self.eng.cancel(order)
        except EngineError as exc:
            self._refused("cancel", exc)
            self.quotes[side] = None if not self.eng.get_order(order.client_order_id).is_open else order.client_order_id
            return not self.eng.get_order(order.client_order_id).is_open
        self.stats.cancel_latency.record(time.perf_counter_ns() - t0)
        self.stats.cancelled += 1
        self.quotes[side] = None
        return True

    def _refused(self, what: str, exc: Exception) -> None:
        self.stats.refused[f"{what}: {type(exc).__name__}"] += 1
        log.info("%s %s refused: %s", self.symbol, what, exc)
