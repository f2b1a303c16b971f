"""Bybit V5 private-stream payloads: the ``order``, ``execution``, ``position`` and ``wallet``
topics' data for one core event (served by :mod:`engine.sim.bybit.user_stream`).
"""

from __future__ import annotations

from engine.sim.bybit.account import position_row, wallet_row
from engine.sim.bybit.orders import exec_row, order_row
from engine.sim.core_types import CONDITIONAL_TYPES
from engine.sim.decimals import plain

__all__ = ["format_event"]


def format_event(sim, ev) -> list[tuple[str, str, list]]:
    """(topic, category, data) tuples for one core event."""
    cat = "spot" if ev.market == "yspot" else "linear"
    if ev.kind == "order":
        o = ev.order
        out = []
        if ev.exec_type in ("TRADE",) and ev.fill is not None:
            for fill, fee, asset, maker in o.fills:
                if fill is ev.fill:
                    row = exec_row(sim, o, fill, fee, maker)
                    row.update({"category": cat, "isLeverage": "0", "execPnl": plain(fill.realized_for(o))})
                    out.append(("execution", cat, [row]))
        row = order_row(o, category=True)
        if ev.exec_type == "TRIGGERED":
            row["orderStatus"] = "Triggered"
        elif ev.exec_type == "NEW" and o.status != "NEW":
            row["orderStatus"] = "New" if o.type not in CONDITIONAL_TYPES else "Untriggered"
        out.append(("order", cat, [row]))
        return out
    if ev.kind == "position":
        row = position_row(sim, ev.account, ev.symbol)
        row["category"] = "linear"
        return [("position", "linear", [row])]
    if ev.kind == "balance":
        return [("wallet", cat, [wallet_row(sim, ev.account)])]
    return []
