"""What a demo session ended with: orders by outcome, positions, balances, latency per stage.

Everything is read from the engine after the session (its order store, position book,
balances and metrics) and kept as plain values, so the text, Markdown and JSON reports
all say the same thing.  Every total is the sum of named parts: orders and fills are
counted per part of the session (:mod:`engine.demo.parts`), and amounts keep the engine's
8 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from engine._enums import OrderState
from engine.demo.ledger import fixed
from engine.demo.parts import OTHER, PARTS, OrderParts
from engine.oms.metrics import STAGES

__all__ = ["DemoSummary", "OUTCOMES", "PERCENTILES", "order_outcomes", "latency_table", "position_rows"]

OUTCOMES = ("filled", "cancelled", "rejected", "expired", "not_placed", "open")
PERCENTILES = ("p50", "p90", "p99", "p99.9")
_OUTCOME_OF = {
    OrderState.FILLED: "filled", OrderState.CANCELLED: "cancelled", OrderState.REJECTED: "rejected",
    OrderState.EXPIRED: "expired", OrderState.PENDING: "open", OrderState.NEW: "open",
    OrderState.PARTIALLY_FILLED: "open", OrderState.UNKNOWN: "open", OrderState.NOT_PLACED: "not_placed",
}
STAGE_TITLES = {
    "call_to_wire": "place call -> request on the socket (engine's own cost)",
    "round_trip_ack": "place call -> venue acknowledgement",
    "wire_to_event": "stream message -> event delivered (parse + apply + dispatch)",
    "cancel": "cancel call -> cancellation confirmed",
    "amend": "amend call -> venue answer",
}


@dataclass
class DemoSummary:
    venue: str
    entry: str
    seed: int
    duration_s: float
    elapsed_s: float
    url: str
    placed: int
    outcomes: dict[str, int]
    outcomes_by_part: dict[str, dict[str, int]]      # part -> outcome -> orders; sums to ``outcomes``
    partially_filled_then_cancelled: int
    actions: dict[str, int]
    cancelled_at_end: int                             # open orders the final cancel_all() cancelled
    refused: dict[str, int]
    fills: int
    fills_by_part: dict[str, int]                     # part -> fills; sums to ``fills``
    positions: list[dict]
    balances_start: dict[str, tuple[Decimal, Decimal]]
    balances_end: dict[str, tuple[Decimal, Decimal]]
    prices_start: dict[str, Decimal]
    prices_end: dict[str, Decimal]
    latency: dict[str, dict]
    buckets: dict[str, list[tuple[int, int, int]]] = field(repr=False, default_factory=dict)
    bracket: dict = field(default_factory=dict)
    tour: list[dict] = field(default_factory=list)
    fault: dict = field(default_factory=dict)
    engine_stats: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def outcomes_total(self) -> int:
        return sum(self.outcomes.values())

    @property
    def consistent(self) -> bool:
        """Every order placed is counted under exactly one outcome."""
        return self.outcomes_total == self.placed

    @property
    def spot(self) -> bool:
        """A spot account: positions rebuilt from fills, balances free and locked."""
        return any(p["source"] == "fills" for p in self.positions)

    @property
    def balance_labels(self) -> tuple[str, str]:
        return ("free", "locked") if self.spot else ("available", "wallet")

    def to_dict(self) -> dict:
        """JSON-ready (decimals as strings, histogram buckets left out)."""
        out = {}
        for name in self.__dataclass_fields__:
            if name != "buckets":
                out[name] = _plain(getattr(self, name))
        out["outcomes_total"] = self.outcomes_total
        out["consistent"] = self.consistent
        return out


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def order_outcomes(eng, parts: OrderParts | None = None) -> tuple[dict[str, dict[str, int]], int, dict[str, str]]:
    """From the order store: ``(part -> outcome -> count, cancelled after a partial fill, client id -> part)``.

    Every named part is listed (with zeros when it placed nothing); ``other`` only when some
    order belongs to no part.
    """
    store = eng.store
    state = store.arrays["state"]
    # an order the venue made for a triggered conditional of ours (a USD-M stop's) is its parent's
    # execution, not an order of its own: left out of the counts, its fills counted with the parent's part
    parent_of = {store.client_id(c): store.client_id(p) for c, p in eng.foreign.child_of.items()}
    views = [eng.get_order(store.client_id(int(slot))) for slot in np.flatnonzero(state)]
    views = [v for v in views if v.client_order_id not in parent_of]
    part_of = (parts if parts is not None else OrderParts()).assign(views)
    for child, parent in parent_of.items():
        part_of[child] = part_of.get(parent, OTHER)
    by_part = {part: dict.fromkeys(OUTCOMES, 0) for part in PARTS}
    for view in views:
        counts = by_part.setdefault(part_of[view.client_order_id], dict.fromkeys(OUTCOMES, 0))
        counts[_OUTCOME_OF[OrderState(int(view.state))]] += 1
    partial = sum(1 for v in views if v.state == OrderState.CANCELLED and v.filled > 0)
    return by_part, partial, part_of


def latency_table(histograms: dict) -> tuple[dict[str, dict], dict[str, list]]:
    """Percentiles (ns) and histogram buckets per stage from ``LatencyHistogram`` objects."""
    table, buckets = {}, {}
    for stage, h in histograms.items():
        d = h.to_dict()
        table[stage] = {"count": d["count"], **{p: d[p] if d["count"] else None for p in PERCENTILES},
                        "max": d["max"] if d["count"] else None,
                        "mean": round(d["mean"]) if d["count"] else None}   # whole nanoseconds, as the rest
        buckets[stage] = h.buckets()
    return table, buckets


def engine_histograms(eng, extra: dict) -> dict:
    out = {stage: eng.metrics.histogram(stage) for stage in STAGES}
    out.update(extra)
    return out


def position_rows(eng, ledger, marks: dict[str, Decimal], symbols) -> list[dict]:
    """Per symbol: size, entry, realised and unrealised PnL (at the simulator's mark), fees, source."""
    rows = []
    engine_positions = eng.positions() if eng.futures else {}
    for symbol in symbols:
        mark = marks[symbol]
        if eng.futures:
            p = engine_positions.get(symbol)
            if p is None:
                rows.append({"symbol": symbol, "size": Decimal(0), "entry": None, "realized": Decimal(0),
                             "unrealized": Decimal(0), "fees": None, "mark": mark, "source": "engine"})
                continue
            # a future's PnL is in its point value (TopstepX: MNQ $2 a point per contract)
            point = Decimal(eng.instruments.rules(eng.instruments.id(symbol))["multiplier_raw"]) / 100_000_000
            upnl = fixed(p.size * (mark - p.entry_price) * point) if p.size else Decimal(0)
            rows.append({"symbol": symbol, "size": p.size, "entry": p.entry_price if p.size else None,
                         "realized": p.realized_pnl, "unrealized": upnl, "fees": p.fees, "mark": mark,
                         "source": "engine"})
        else:
            lp = ledger.positions.get(symbol)
            size = lp.size if lp else Decimal(0)
            rows.append({"symbol": symbol, "size": size, "entry": lp.entry if lp and size else None,
                         "realized": lp.realized if lp else Decimal(0),
                         "unrealized": lp.unrealized(mark) if lp else Decimal(0), "fees": None, "mark": mark,
                         "source": "fills"})
    return rows
