"""Positions rebuilt from the engine's fill events (average cost), and the fills per order.

Futures venues keep positions in the engine itself (``eng.positions()``); spot has
none, so the demo derives one per symbol from what it bought and sold.  The quoting
loops also read their inventory from here.  Prices and amounts are kept to the engine's
8 decimals (an average cost is rounded half-even there, as the engine's fixed point does).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from engine._enums import Side
from engine._fixedpoint import Rounding, from_decimal, to_decimal
from engine.oms.events import Event, EventKind

__all__ = ["FillLedger", "LedgerPosition"]

ZERO = Decimal(0)


def fixed(value: Decimal) -> Decimal:
    """``value`` to the engine's 8 decimals (half-even), as its fixed-point numbers hold it."""
    return to_decimal(from_decimal(value, Rounding.HALF_EVEN))


@dataclass
class LedgerPosition:
    size: Decimal = ZERO          # signed base quantity: long > 0
    entry: Decimal = ZERO         # average entry price of the open size
    realized: Decimal = ZERO      # quote currency, before fees
    fills: int = 0
    volume: Decimal = ZERO        # quote currency traded

    def unrealized(self, mark: Decimal) -> Decimal:
        return fixed(self.size * (mark - self.entry)) if self.size else ZERO


class FillLedger:
    """Average-cost positions per symbol from ``filled``/``partially_filled`` events."""

    def __init__(self) -> None:
        self.positions: dict[str, LedgerPosition] = {}
        self.fills_by_order: Counter[str] = Counter()    # client order id -> fills

    def on_event(self, ev: Event) -> None:
        if ev.kind not in (EventKind.FILLED, EventKind.PARTIALLY_FILLED) or ev.order is None:
            return
        if ev.data.get("child"):
            return      # a triggered conditional's fill told again on it: the child's own event counted it
        qty, price = ev.data.get("fill_qty"), ev.data.get("fill_price")
        if qty:
            self.fills_by_order[ev.order.client_order_id] += 1
            self.add(ev.order.symbol, ev.order.side, qty, price)

    def add(self, symbol: str, side: Side, qty: Decimal, price: Decimal) -> None:
        p = self.positions.setdefault(symbol, LedgerPosition())
        signed = qty if side == Side.BUY else -qty
        p.fills += 1
        p.volume += fixed(qty * price)
        if p.size == 0 or (p.size > 0) == (signed > 0):
            p.entry = fixed((abs(p.size) * p.entry + qty * price) / (abs(p.size) + qty))
            p.size += signed
            return
        closing = min(qty, abs(p.size))
        p.realized += fixed(closing * (price - p.entry) * (1 if p.size > 0 else -1))
        p.size += signed
        if p.size == 0:
            p.entry = ZERO
        elif (p.size > 0) == (signed > 0):  # flipped through zero: the rest opened at this price
            p.entry = price

    def size(self, symbol: str) -> Decimal:
        p = self.positions.get(symbol)
        return p.size if p else ZERO
