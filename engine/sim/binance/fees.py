"""Binance fee rates, from each instrument's maker and taker rates (what the simulator charges):
spot ``GET /api/v3/account/commission`` (one symbol) and ``GET /sapi/v1/asset/tradeFee`` (every
symbol, or one), USD-M ``GET /fapi/v1/commissionRate`` and ``GET /fapi/v1/accountConfig`` (fee tier
0, one-way positions, single-asset margin).  No tax, no BNB discount (the simulator charges none).
Shapes from the venue's API documentation.
"""

from __future__ import annotations

from engine.sim.binance.rest import Ctx, Params, Route
from engine.sim.binance.spot_common import MARKET as SPOT, f8, instrument_of as spot_instrument
from engine.sim.binance.usdm_common import instrument_of as usdm_instrument
from engine.sim.core_types import now_ms
from engine.sim.decimals import plain

__all__ = ["spot_commission", "usdm_commission_rate", "usdm_account_config", "SAPI_FEE_ROUTES", "spot_rates"]

_ZERO4 = {"maker": f8(0), "taker": f8(0), "buyer": f8(0), "seller": f8(0)}


def spot_rates(core):
    """(maker, taker) of the spot market: the account's commission rates (every spot symbol has the same)."""
    inst = next(i for (m, _), i in core.instruments.items() if m == SPOT)
    return inst.maker_fee, inst.taker_fee


def spot_commission(ctx: Ctx, p: Params):
    inst = spot_instrument(ctx, p)
    return {"symbol": inst.symbol,
            "standardCommission": {"maker": f8(inst.maker_fee), "taker": f8(inst.taker_fee), "buyer": f8(0),
                                   "seller": f8(0)},
            "specialCommission": dict(_ZERO4), "taxCommission": dict(_ZERO4),
            "discount": {"enabledForAccount": False, "enabledForSymbol": False, "discountAsset": "BNB",
                         "discount": f8(0)}}


def trade_fee(ctx: Ctx, p: Params):
    symbol = p.get("symbol")
    if symbol is not None:
        spot_instrument(ctx, p)
    return [{"symbol": sym, "makerCommission": plain(inst.maker_fee), "takerCommission": plain(inst.taker_fee)}
            for (m, sym), inst in ctx.sim.core.instruments.items() if m == SPOT and symbol in (None, sym)]


def usdm_commission_rate(ctx: Ctx, p: Params):
    inst = usdm_instrument(ctx, p)
    return {"symbol": inst.symbol, "makerCommissionRate": plain(inst.maker_fee),
            "takerCommissionRate": plain(inst.taker_fee)}


def usdm_account_config(ctx: Ctx, p: Params):
    return {"feeTier": 0, "canTrade": True, "canDeposit": True, "canWithdraw": True, "dualSidePosition": False,
            "updateTime": now_ms(), "multiAssetsMargin": False, "tradeGroupId": -1}


SAPI_FEE_ROUTES = {("GET", "/sapi/v1/asset/tradeFee"): Route(trade_fee, "SIGNED", 1)}
