"""Binance USD-M futures personality: the ``/fapi`` route table and public market data.

The handlers live by idea: orders in :mod:`engine.sim.binance.usdm_orders`, Algo Service
conditional orders in :mod:`engine.sim.binance.usdm_algo`, positions, account, leverage
and the countdown in :mod:`engine.sim.binance.usdm_account`, listen keys in
:mod:`engine.sim.binance.user_stream`; what they share in :mod:`engine.sim.binance.usdm_common`;
the ORDER_TRADE_UPDATE / ACCOUNT_UPDATE / ALGO_UPDATE payloads in
:mod:`engine.sim.binance.usdm_events`.

Since 2025-12-09 STOP/TAKE_PROFIT/TRAILING types on ``/fapi/v1/order`` answer -4120;
they live at ``/fapi/v1/algoOrder`` (``triggerPrice``, ``clientAlgoId``).
"""

from __future__ import annotations

from engine.sim.binance import user_stream
from engine.sim.binance.public_trades import funding_history, usdm_agg_trades, usdm_trades
from engine.sim.binance.rest import Ctx, Params, Route
from engine.sim.binance.usdm_account import (account, balance, countdown_cancel_all, position_risk, position_risk_v2,
                                             leverage_bracket, set_leverage, user_trades)
from engine.sim.binance.fees import usdm_account_config, usdm_commission_rate
from engine.sim.binance.klines import usdm_klines
from engine.sim.binance.tickers import premium_index, usdm_24hr, usdm_book_ticker, usdm_price
from engine.sim.binance.usdm_algo import (all_algos, cancel_algo, cancel_all_algo, new_algo, open_algos,
                                          query_algo)
from engine.sim.binance.usdm_common import MARKET, TIFS, instrument_of, price_text, qty_text
from engine.sim.binance.usdm_orders import (all_orders, cancel_all, cancel_order, modify_order, new_order, open_order,
                                            open_orders, query_order)
from engine.sim.core_types import now_ms
from engine.sim.binance.state import state_of

__all__ = ["ROUTES"]


# -- market data -----------------------------------------------------------------------------
def ping(ctx, p):
    return {}


def server_time(ctx, p):
    return {"serverTime": now_ms()}


def exchange_info(ctx: Ctx, p: Params):
    lim = state_of(ctx.sim).usdm_limiter
    symbols = []
    for (m, sym), inst in ctx.sim.core.instruments.items():
        if m != MARKET:
            continue
        symbols.append({
            "symbol": sym, "pair": sym, "contractType": "PERPETUAL", "deliveryDate": 4133404800000,
            "onboardDate": 1569398400000, "status": "TRADING", "maintMarginPercent": "2.5000",
            "requiredMarginPercent": "5.0000", "baseAsset": inst.base, "quoteAsset": "USDT", "marginAsset": "USDT",
            "pricePrecision": inst.price_precision, "quantityPrecision": inst.qty_precision,
            "baseAssetPrecision": 8, "quotePrecision": 8, "underlyingType": "COIN", "underlyingSubType": [],
            "triggerProtect": "0.0500", "liquidationFee": "0.012500", "marketTakeBound": "0.05",
            "maxMoveOrderLimit": 10000,
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": str(inst.min_price), "maxPrice": str(inst.max_price),
                 "tickSize": str(inst.tick)},
                {"filterType": "LOT_SIZE", "minQty": str(inst.min_qty), "maxQty": str(inst.max_qty),
                 "stepSize": str(inst.step)},
                {"filterType": "MARKET_LOT_SIZE", "minQty": str(inst.min_qty), "maxQty": str(inst.market_max_qty),
                 "stepSize": str(inst.step)},
                {"filterType": "MAX_NUM_ORDERS", "limit": 200},
                {"filterType": "MIN_NOTIONAL", "notional": str(inst.min_notional)},
                {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
                 "multiplierDecimal": "4"},
            ],
            "orderTypes": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
                           "TRAILING_STOP_MARKET"],
            "timeInForce": list(TIFS),
        })
    return {"timezone": "UTC", "serverTime": now_ms(), "futuresType": "U_MARGINED",
            "rateLimits": [
                {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": lim.weight_limit},
                {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": lim.limits.usdm_orders_1m},
                {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": lim.limits.usdm_orders_10s},
            ],
            "exchangeFilters": [], "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
            "symbols": symbols}


def depth(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    book = ctx.sim.core.books[(MARKET, inst.symbol)]
    limit = p.int_("limit") or 20
    return {"lastUpdateId": book._seq, "E": now_ms(), "T": now_ms(),
            "bids": [[price_text(inst, a), qty_text(inst, b)] for a, b in book.depth("BUY", limit)],
            "asks": [[price_text(inst, a), qty_text(inst, b)] for a, b in book.depth("SELL", limit)]}


def rate_limit_order(ctx: Ctx, p: Params):
    lim = state_of(ctx.sim).usdm_limiter
    return [{"rateLimitType": "ORDERS", "interval": interval, "intervalNum": num, "limit": limit}
            for window, limit, _, interval, num in lim.order_windows()]


def _listen_key(method: str):
    def handler(ctx: Ctx, p: Params):
        return user_stream.listen_key_request(ctx.sim, ctx.account, method)
    return handler


ROUTES = {
    ("GET", "/fapi/v1/ping"): Route(ping, "NONE", 1),
    ("GET", "/fapi/v1/time"): Route(server_time, "NONE", 1),
    ("GET", "/fapi/v1/exchangeInfo"): Route(exchange_info, "NONE", 1),
    ("GET", "/fapi/v1/depth"): Route(depth, "NONE", 2),
    ("GET", "/fapi/v1/ticker/24hr"): Route(usdm_24hr, "NONE", 1),
    ("GET", "/fapi/v1/klines"): Route(usdm_klines, "NONE", 2),
    ("GET", "/fapi/v1/trades"): Route(usdm_trades, "NONE", 5),
    ("GET", "/fapi/v1/aggTrades"): Route(usdm_agg_trades, "NONE", 20),
    ("GET", "/fapi/v1/fundingRate"): Route(funding_history, "NONE", 1),
    ("GET", "/fapi/v1/ticker/price"): Route(usdm_price, "NONE", 1),
    ("GET", "/fapi/v2/ticker/price"): Route(usdm_price, "NONE", 1),
    ("GET", "/fapi/v1/ticker/bookTicker"): Route(usdm_book_ticker, "NONE", 2),
    ("GET", "/fapi/v1/premiumIndex"): Route(premium_index, "NONE", 1),
    ("POST", "/fapi/v1/order"): Route(new_order, "SIGNED", 1, is_order=True),
    ("PUT", "/fapi/v1/order"): Route(modify_order, "SIGNED", 1, is_order=True),
    ("DELETE", "/fapi/v1/order"): Route(cancel_order, "SIGNED", 1, is_order=True),
    ("DELETE", "/fapi/v1/allOpenOrders"): Route(cancel_all, "SIGNED", 1, is_order=True),
    ("GET", "/fapi/v1/order"): Route(query_order, "SIGNED", 1),
    ("GET", "/fapi/v1/openOrder"): Route(open_order, "SIGNED", 1),
    ("GET", "/fapi/v1/openOrders"): Route(open_orders, "SIGNED", 1),
    ("GET", "/fapi/v1/allOrders"): Route(all_orders, "SIGNED", 5),
    ("POST", "/fapi/v1/algoOrder"): Route(new_algo, "SIGNED", 1, is_order=True),
    ("DELETE", "/fapi/v1/algoOrder"): Route(cancel_algo, "SIGNED", 1, is_order=True),
    ("DELETE", "/fapi/v1/algoOpenOrders"): Route(cancel_all_algo, "SIGNED", 1, is_order=True),
    ("GET", "/fapi/v1/algoOrder"): Route(query_algo, "SIGNED", 1),
    ("GET", "/fapi/v1/openAlgoOrders"): Route(open_algos, "SIGNED", 1),
    ("GET", "/fapi/v1/allAlgoOrders"): Route(all_algos, "SIGNED", 5),
    ("GET", "/fapi/v3/positionRisk"): Route(position_risk, "SIGNED", 5),
    ("GET", "/fapi/v2/positionRisk"): Route(position_risk_v2, "SIGNED", 5),
    ("GET", "/fapi/v1/userTrades"): Route(user_trades, "SIGNED", 5),
    ("GET", "/fapi/v3/account"): Route(account, "SIGNED", 5),
    ("GET", "/fapi/v2/account"): Route(account, "SIGNED", 5),
    ("GET", "/fapi/v3/balance"): Route(balance, "SIGNED", 5),
    ("GET", "/fapi/v2/balance"): Route(balance, "SIGNED", 5),
    ("POST", "/fapi/v1/leverage"): Route(set_leverage, "SIGNED", 1),
    ("GET", "/fapi/v1/leverageBracket"): Route(leverage_bracket, "SIGNED", 1),
    ("GET", "/fapi/v1/commissionRate"): Route(usdm_commission_rate, "SIGNED", 20),
    ("GET", "/fapi/v1/accountConfig"): Route(usdm_account_config, "SIGNED", 5),
    ("POST", "/fapi/v1/countdownCancelAll"): Route(countdown_cancel_all, "SIGNED", 10),
    ("GET", "/fapi/v1/rateLimit/order"): Route(rate_limit_order, "SIGNED", 1),
    ("POST", "/fapi/v1/listenKey"): Route(_listen_key("POST"), "USER_STREAM", 1),
    ("PUT", "/fapi/v1/listenKey"): Route(_listen_key("PUT"), "USER_STREAM", 1),
    ("DELETE", "/fapi/v1/listenKey"): Route(_listen_key("DELETE"), "USER_STREAM", 1),
}
