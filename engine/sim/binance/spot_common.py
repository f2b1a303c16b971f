"""What the Binance spot handlers share: the market and wallet names, the order vocabulary
(sides, types, time in force, client-id rule), the filter checks (PRICE_FILTER, LOT_SIZE,
MARKET_LOT_SIZE, NOTIONAL), the mapping of core rejects to -2010 texts, and placement.
"""

from __future__ import annotations

import re

from engine.sim.binance.errors import BinanceError
from engine.sim.binance.rest import Ctx, Params
from engine.sim.core_types import Reject
from engine.sim.decimals import ZERO, fixed
from engine.sim.matching import Order

__all__ = ["MARKET", "WALLET", "SIDES", "TYPES", "TIFS", "CLIENT_ID", "f8", "instrument_of", "trigger_dir",
           "filters_of", "place_order", "list_id"]

MARKET = "bspot"
WALLET = "binance-spot"
SIDES = ("BUY", "SELL")
TYPES = ("LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER")
TIFS = ("GTC", "IOC", "FOK")
CLIENT_ID = re.compile(r"^[a-zA-Z0-9-_]{1,36}$")


def f8(v) -> str:
    return fixed(v if v is not None else ZERO, 8)


def instrument_of(ctx: Ctx, p: Params):
    symbol = p.need("symbol")
    inst = ctx.sim.core.instrument(MARKET, symbol)
    if inst is None:
        raise BinanceError(-1121, "Invalid symbol.")
    return inst


def trigger_dir(type_: str, side: str) -> str:
    if type_.startswith("STOP_LOSS"):
        return "UP" if side == "BUY" else "DOWN"
    return "DOWN" if side == "BUY" else "UP"


def filters_of(inst, type_: str, price, qty, last) -> None:
    if price is not None:
        if price < inst.min_price or price > inst.max_price or (price - inst.min_price) % inst.tick != 0:
            raise BinanceError(-1013, "Filter failure: PRICE_FILTER")
    if qty is not None:
        if type_ == "MARKET":
            if qty > inst.market_max_qty or qty <= 0:
                raise BinanceError(-1013, "Filter failure: MARKET_LOT_SIZE")
        if qty < inst.min_qty or qty > inst.max_qty or (qty - inst.min_qty) % inst.step != 0:
            raise BinanceError(-1013, "Filter failure: LOT_SIZE")
        ref = price if price is not None else last
        if ref is not None and ref * qty < inst.min_notional:
            raise BinanceError(-1013, "Filter failure: NOTIONAL")


REJECT_MSG = {
    "insufficient_balance": "Account has insufficient balance for requested action.",
    "would_take": "Order would immediately match and take.",
    "would_trigger": "Order would trigger immediately.",
}


def place_order(ctx: Ctx, order: Order) -> Order:
    try:
        return ctx.sim.core.place(order)
    except Reject as exc:
        raise BinanceError(-2010, REJECT_MSG.get(exc.reason, "Unsupported order combination")) from None


def list_id(o: Order) -> int:
    """``orderListId``: the order list an order belongs to, -1 for a plain order."""
    lst = o.extra.get("list")
    return -1 if lst is None else lst.list_id
