"""Which part of the demo session placed each order, so every count in the report is a sum of named parts.

The parts are the quoting loops, the bracket, the orders that never rest (the tour) and
the injected fault.  A part names the orders its calls returned.  A call the venue
refused raises instead of returning the order; the part notes what it asked for, and the
refused order is found in the store at the end (rejected, same symbol, side and price).
Orders no part placed (an exit the engine placed again, a bracket's flattening order, an
order adopted from the stream) are counted as ``other``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from engine._enums import OrderState, Side

__all__ = ["OrderParts", "PARTS", "OTHER", "PART_LABELS"]

PARTS = ("quoting", "bracket", "tour", "fault")
OTHER = "other"
PART_LABELS = {"quoting": "quoting", "bracket": "bracket", "tour": "never rests", "fault": "fault",
               OTHER: "other"}


class OrderParts:
    """Client order id -> part, filled in by the session as it places orders."""

    def __init__(self) -> None:
        self.part_of: dict[str, str] = {}
        self.refused: list[tuple[str, str, int, Decimal | None]] = []   # (part, symbol, side, price)

    def add(self, part: str, order) -> None:
        """``order`` (a view, or None for a leg never placed) belongs to ``part``."""
        if order is not None:
            self.part_of.setdefault(order.client_order_id, part)

    def add_refused(self, part: str, symbol: str, side: Side, price: Decimal | None = None) -> None:
        """A placement of ``part`` raised: its order, if the engine kept one, ended rejected."""
        self.refused.append((part, symbol, int(side), price))

    def assign(self, orders: Iterable) -> dict[str, str]:
        """Client order id -> part for each order view (``other`` where no part placed it)."""
        pending = list(self.refused)
        out = {}
        for order in orders:
            part = self.part_of.get(order.client_order_id)
            if part is None and order.state == OrderState.REJECTED:
                for i, (p, symbol, side, price) in enumerate(pending):
                    if (symbol == order.symbol and side == int(order.side)
                            and (price is None or order.price == price)):
                        part = p
                        del pending[i]
                        break
            out[order.client_order_id] = part or OTHER
        return out
