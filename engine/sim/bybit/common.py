"""What the Bybit V5 handlers share: the wallet and category-to-market names, order ids (a
decimal number on spot, a UUID on linear) and the readers of ``category``, ``symbol`` and
number parameters.
"""

from __future__ import annotations

import uuid

from engine.sim.bybit.errors import BybitError
from engine.sim.decimals import parse_number
from engine.sim.matching import Order

__all__ = ["WALLET", "MARKETS", "bybit_order_id", "parse_order_id", "category_of", "inst_of", "number"]

WALLET = "bybit"
MARKETS = {"spot": "yspot", "linear": "ylinear"}


def bybit_order_id(o: Order) -> str:
    return str(o.oid) if o.market == "yspot" else str(uuid.UUID(int=o.oid))


def parse_order_id(text: str) -> int | None:
    try:
        return int(text) if text.isdigit() else uuid.UUID(text).int
    except (ValueError, AttributeError):
        return None


def category_of(args: dict, allowed=("spot", "linear")) -> str:
    cat = args.get("category")
    if cat is None or cat == "":
        raise BybitError(10001, "params error: category is empty")
    if cat not in allowed:
        raise BybitError(10001, "Illegal category")
    return cat


def inst_of(sim, cat: str, symbol):
    inst = sim.core.instrument(MARKETS[cat], symbol or "")
    if inst is None:
        raise BybitError(170121 if cat == "spot" else 10001,
                         "Invalid symbol." if cat == "spot" else "params error: symbol invalid")
    return inst


def number(args: dict, name: str, required: bool = False):
    raw = args.get(name)
    if raw is None or raw == "":
        if required:
            raise BybitError(10001, f"params error: {name} is empty")
        return None
    val = parse_number(str(raw))
    if val is None or val < 0:
        raise BybitError(10001, f"params error: {name} invalid")
    return val
