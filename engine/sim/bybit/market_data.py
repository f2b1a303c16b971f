"""Bybit V5 public market data: instruments (spot and linear filters) and the order book."""

from __future__ import annotations

from engine.sim.bybit.common import MARKETS, category_of, inst_of
from engine.sim.core_types import now_ms
from engine.sim.decimals import plain

__all__ = ["instruments_info", "orderbook"]


def instruments_info(sim, q: dict) -> dict:
    cat = category_of(q)
    market = MARKETS[cat]
    rows = []
    for (m, sym), inst in sim.core.instruments.items():
        if m != market or (q.get("symbol") and sym != q.get("symbol")):
            continue
        if cat == "spot":
            rows.append({"symbol": sym, "baseCoin": inst.base, "quoteCoin": "USDT", "innovation": "0",
                         "status": "Trading", "marginTrading": "none", "stTag": "0",
                         "lotSizeFilter": {"basePrecision": plain(inst.step), "quotePrecision": "0.00000001",
                                           "minOrderQty": plain(inst.min_qty), "maxOrderQty": plain(inst.max_qty),
                                           "minOrderAmt": plain(inst.min_notional), "maxOrderAmt": "2000000",
                                           "maxLimitOrderQty": plain(inst.max_qty),
                                           "maxMarketOrderQty": plain(inst.market_max_qty)},
                         "priceFilter": {"tickSize": plain(inst.tick)},
                         "riskParameters": {"priceLimitRatioX": "0.05", "priceLimitRatioY": "0.05"}})
        else:
            rows.append({"symbol": sym, "contractType": "LinearPerpetual", "status": "Trading",
                         "baseCoin": inst.base, "quoteCoin": "USDT", "settleCoin": "USDT", "launchTime": "1585526400000",
                         "deliveryTime": "0", "deliveryFeeRate": "", "priceScale": str(inst.price_precision),
                         "leverageFilter": {"minLeverage": "1", "maxLeverage": f"{inst.max_leverage}.00",
                                            "leverageStep": "0.01"},
                         "priceFilter": {"minPrice": plain(inst.min_price), "maxPrice": plain(inst.max_price),
                                         "tickSize": plain(inst.tick)},
                         "lotSizeFilter": {"maxOrderQty": plain(inst.max_qty), "minOrderQty": plain(inst.min_qty),
                                           "qtyStep": plain(inst.step), "maxMktOrderQty": plain(inst.market_max_qty),
                                           "minNotionalValue": plain(inst.min_notional),
                                           "postOnlyMaxOrderQty": plain(inst.max_qty)},
                         "unifiedMarginTrade": True, "fundingInterval": 480, "settleCoin_": "USDT",
                         "copyTrading": "both", "upperFundingRate": "0.00375", "lowerFundingRate": "-0.00375"})
    return {"category": cat, "list": rows, "nextPageCursor": ""}


def orderbook(sim, q: dict) -> dict:
    cat = category_of(q)
    inst = inst_of(sim, cat, q.get("symbol"))
    book = sim.core.books[(MARKETS[cat], inst.symbol)]
    n = int(q.get("limit") or 25)
    return {"s": inst.symbol, "b": [[plain(p), plain(s)] for p, s in book.depth("BUY", n)],
            "a": [[plain(p), plain(s)] for p, s in book.depth("SELL", n)], "ts": now_ms(), "u": book._seq,
            "seq": book._seq, "cts": now_ms()}
