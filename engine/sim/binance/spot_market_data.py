"""Binance spot public market data: ping, server time, exchangeInfo (filters, rate limits),
order book depth and the price ticker.
"""

from __future__ import annotations

import json

from engine.sim.binance.errors import BinanceError
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.spot_common import MARKET, TYPES, f8, instrument_of
from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO
from engine.sim.binance.state import state_of

__all__ = ["ping", "server_time", "exchange_info", "depth", "ticker_price"]


def ping(ctx: Ctx, p: Params):
    return {}


def server_time(ctx: Ctx, p: Params):
    return {"serverTime": now_ms()}


def exchange_info(ctx: Ctx, p: Params):
    core = ctx.sim.core
    wanted = None
    if p.get("symbol"):
        wanted = {p.get("symbol")}
    elif p.get("symbols"):
        try:
            wanted = set(json.loads(p.get("symbols")))
        except ValueError:
            raise BinanceError(-1100, "Illegal characters found in parameter 'symbols'.") from None
    symbols = []
    for (market, symbol), inst in core.instruments.items():
        if market != MARKET or (wanted and symbol not in wanted):
            continue
        symbols.append({
            "symbol": symbol, "status": "TRADING", "baseAsset": inst.base, "baseAssetPrecision": 8,
            "quoteAsset": inst.quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
            "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8, "orderTypes": list(TYPES),
            "icebergAllowed": True, "ocoAllowed": False, "otoAllowed": False, "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": False, "cancelReplaceAllowed": True, "amendAllowed": True,
            "pegInstructionsAllowed": False, "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": f8(inst.min_price), "maxPrice": f8(inst.max_price),
                 "tickSize": f8(inst.tick)},
                {"filterType": "LOT_SIZE", "minQty": f8(inst.min_qty), "maxQty": f8(inst.max_qty),
                 "stepSize": f8(inst.step)},
                {"filterType": "MARKET_LOT_SIZE", "minQty": f8(ZERO), "maxQty": f8(inst.market_max_qty),
                 "stepSize": f8(ZERO)},
                {"filterType": "NOTIONAL", "minNotional": f8(inst.min_notional), "applyMinToMarket": True,
                 "maxNotional": f8(9000000), "applyMaxToMarket": False, "avgPriceMins": 5},
                {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
                {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
            ],
            "permissions": [], "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "NONE", "allowedSelfTradePreventionModes": ["NONE"],
        })
    if wanted and not symbols:
        raise BinanceError(-1121, "Invalid symbol.")
    lim = state_of(ctx.sim).spot_limiter
    return {
        "timezone": "UTC", "serverTime": now_ms(),
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": lim.weight_limit},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": lim.limits.spot_orders_10s},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": lim.limits.spot_orders_1d},
            {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300000},
        ],
        "exchangeFilters": [], "symbols": symbols,
    }


def depth(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    limit = p.int_("limit") or 100
    book = ctx.sim.core.books[(MARKET, inst.symbol)]
    return {"lastUpdateId": ctx.sim.core.events_emitted + book._seq,
            "bids": [[f8(px), f8(q)] for px, q in book.depth("BUY", limit)],
            "asks": [[f8(px), f8(q)] for px, q in book.depth("SELL", limit)]}


def ticker_price(ctx: Ctx, p: Params):
    core = ctx.sim.core
    if p.get("symbol"):
        inst = instrument_of(ctx, p)
        return {"symbol": inst.symbol, "price": f8(core.last[(MARKET, inst.symbol)])}
    return [{"symbol": s, "price": f8(core.last[(m, s)])} for (m, s) in core.instruments if m == MARKET]
