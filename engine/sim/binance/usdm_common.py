"""What the Binance USD-M handlers share: the market and wallet names, the price, quantity
and notional checks, client-id rules, the mapping of core rejects to Binance errors, and the
instrument table the payload builders format with (:data:`INSTRUMENTS`).
"""

from __future__ import annotations

import re

from engine.sim.binance.errors import BinanceError
from engine.sim.binance.instruments import usdm_instruments
from engine.sim.binance.rest import Ctx, Params
from engine.sim.core_types import Reject
from engine.sim.decimals import ZERO, decimals_of, fixed, parse_number

__all__ = ["MARKET", "WALLET", "CLIENT_ID", "ALGO_TYPES", "TIFS", "REJECT", "INSTRUMENTS"]

MARKET = "busdm"
WALLET = "binance-usdm"
CLIENT_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
ALGO_TYPES = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET")
TIFS = ("GTC", "IOC", "FOK", "GTX")


def price_text(inst, v) -> str:
    return fixed(v if v is not None else ZERO, inst.price_precision)


def qty_text(inst, v) -> str:
    return fixed(v if v is not None else ZERO, inst.qty_precision)


def instrument_of(ctx: Ctx, p: Params):
    inst = ctx.sim.core.instrument(MARKET, p.need("symbol"))
    if inst is None:
        raise BinanceError(-1121, "Invalid symbol.")
    return inst


def number(p: Params, name: str, inst=None, kind: str = "price", required: bool = False):
    raw = p.need(name) if required else p.get(name)
    if raw is None:
        return None
    val = parse_number(raw)
    if val is None:
        raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '^([0-9]{{1,20}})(\\.[0-9]{{1,20}})?$'.")
    if inst is not None:
        limit = inst.price_precision if kind == "price" else inst.qty_precision
        if decimals_of(val) > limit:
            raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")
    return val


def check_price(inst, price) -> None:
    if price is None:
        return
    if price < inst.min_price:
        raise BinanceError(-4013, "Price less than min price.")
    if price > inst.max_price:
        raise BinanceError(-4016, "Limit price can't be higher than %s." % inst.max_price)
    if (price - inst.min_price) % inst.tick != 0:
        raise BinanceError(-4014, "Price not increased by tick size.")


def check_qty(inst, qty, market: bool = False) -> None:
    if qty <= 0:
        raise BinanceError(-4003, "Quantity less than or equal to zero.")
    if qty < inst.min_qty:
        raise BinanceError(-4004, "Quantity less than min qty.")
    if qty > (inst.market_max_qty if market else inst.max_qty):
        raise BinanceError(-4005, "Quantity greater than max qty.")
    if (qty - inst.min_qty) % inst.step != 0:
        raise BinanceError(-4023, "Quantity not increased by step size.")


def notional_of(inst, price, qty, reduce_only: bool) -> None:
    if not reduce_only and price * qty < inst.min_notional:
        raise BinanceError(-4164, f"Order's notional must be no smaller than {inst.min_notional} "
                                  "(unless you choose reduce only).")


REJECT = {
    "margin": (-2019, "Margin is insufficient."),
    "insufficient_balance": (-2019, "Margin is insufficient."),
    "reduce_only": (-2022, "ReduceOnly Order is rejected."),
    "would_take": (-5022, "Due to the order could not be executed as maker, the Post Only order will be rejected. "
                          "The order will not be recorded in the order history"),
    "fok": (-5021, "Due to the order could not be filled immediately, the FOK order has been rejected. "
                   "The order will not be recorded in the order history"),
    "would_trigger": (-2021, "Order would immediately trigger."),
    "bad_activation": (-4135, "Invalid activation price."),
}


def reject_error(exc: Reject) -> BinanceError:
    code, msg = REJECT.get(exc.reason, (-2010, "New order rejected."))
    return BinanceError(code, msg)


def common_params(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    side = p.enum("side", ("BUY", "SELL"), -1117, "Invalid side.")
    ps = p.get("positionSide", "BOTH")
    if ps not in ("BOTH", "LONG", "SHORT"):
        raise BinanceError(-4006, "Invalid position side.")   # wire text unconfirmed
    if ps != "BOTH":
        raise BinanceError(-4061, "Order's position side does not match user's setting.")
    reduce_only = p.boolean("reduceOnly")
    return inst, side, reduce_only


def client_id_of(ctx: Ctx, p: Params, name: str, symbol: str, *, algo: bool = False) -> str:
    cid = p.get(name)
    if cid is None:
        return ctx.sim.gen_client_id("")
    if not CLIENT_ID.match(cid):
        raise BinanceError(-4015, "Client order id length should not be more than 36 chars")
    dup = ctx.sim.core.find_client(MARKET, ctx.account, cid, symbol, algo=algo)
    if dup is not None and (dup.is_open or (algo and dup.status == "NEW")):
        raise BinanceError(-4116, "ClientOrderId is duplicated.")
    return cid


INSTRUMENTS = {inst.symbol: inst for inst in usdm_instruments()}     # symbol -> Instrument
