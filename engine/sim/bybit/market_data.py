"""Bybit V5 public market data: instruments (spot and linear filters; inverse and option list
nothing), the order book, candles (``/v5/market/kline``) and the tickers (``/v5/market/tickers``: 24-hour figures from the simulator's own trades,
:mod:`engine.sim.tickers`; the mark and index prices are the fair price; open interest is the
sum of the accounts' long positions; the simulator charges no funding, so ``fundingRate`` is 0,
funding times every 8 hours from 00:00 UTC).  ``price24hPcnt`` is a fraction with 4 decimals as
in the documentation's examples (not confirmed on the wire)."""

from __future__ import annotations

from engine.sim.bybit.common import MARKETS, WALLET, category_of, inst_of
from engine.sim.bybit.errors import BybitError
from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO, fixed, plain

__all__ = ["instruments_info", "orderbook", "tickers", "kline", "recent_trades", "funding_history"]

FUNDING_MS = 8 * 3600 * 1000
# inverse contracts and options are not listed: asked for, they answer an empty list (not an error)
CATEGORIES = ("spot", "linear", "inverse", "option")
# kline intervals (minutes); W and M are not simulated (the venue's alignment is not confirmed)
KLINE_MINUTES = {"1": 1, "3": 3, "5": 5, "15": 15, "30": 30, "60": 60, "120": 120, "240": 240, "360": 360,
                 "720": 720, "D": 1440}
HOUR_MS = 3600 * 1000


def instruments_info(sim, q: dict) -> dict:
    cat = category_of(q, CATEGORIES)
    if cat not in MARKETS:
        return {"category": cat, "list": [], "nextPageCursor": ""}
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


def _open_interest(sim, symbol: str):
    return sum((a.positions[(WALLET, symbol)].amount for a in sim.core.ledger.accounts.values()
                if (WALLET, symbol) in a.positions and a.positions[(WALLET, symbol)].amount > 0), ZERO)


def tickers(sim, q: dict) -> dict:
    cat = category_of(q, CATEGORIES)
    if cat not in MARKETS:
        return {"category": cat, "list": []}
    market = MARKETS[cat]
    core, now = sim.core, now_ms()
    insts = [inst_of(sim, cat, q.get("symbol"))] if q.get("symbol") else \
        [inst for (m, _), inst in core.instruments.items() if m == market]
    rows = []
    for inst in insts:
        t = core.tape.ticker(core, market, inst.symbol, now)
        row = {"symbol": inst.symbol, "bid1Price": plain(t.bid or ZERO), "bid1Size": plain(t.bid_qty),
               "ask1Price": plain(t.ask or ZERO), "ask1Size": plain(t.ask_qty), "lastPrice": plain(t.last),
               "prevPrice24h": plain(t.open), "price24hPcnt": fixed(t.change_ratio, 4),
               "highPrice24h": plain(t.high), "lowPrice24h": plain(t.low), "turnover24h": plain(t.quote_volume),
               "volume24h": plain(t.volume)}
        mark = core.mark.get(inst.symbol) or t.last
        if cat == "spot":
            row["usdIndexPrice"] = plain(mark) if inst.quote == "USDT" else ""
        else:
            oi = _open_interest(sim, inst.symbol)
            row.update({"indexPrice": plain(mark), "markPrice": plain(mark),
                        "prevPrice1h": plain(core.tape.price_at(core, market, inst.symbol, now - HOUR_MS)),
                        "openInterest": plain(oi), "openInterestValue": fixed(oi * mark, 2),
                        "fundingRate": "0", "nextFundingTime": str((now // FUNDING_MS + 1) * FUNDING_MS),
                        "predictedDeliveryPrice": "", "basisRate": "", "deliveryFeeRate": "", "deliveryTime": "0",
                        "basis": ""})
        rows.append(row)
    return {"category": cat, "list": rows}


def kline(sim, q: dict) -> dict:
    """``/v5/market/kline``: ``[start, open, high, low, close, volume, turnover]``, newest first, from the
    simulator's own trades (:mod:`engine.sim.klines`); category linear by default."""
    cat = category_of({"category": q.get("category") or "linear"})
    inst = inst_of(sim, cat, q.get("symbol"))
    minutes = KLINE_MINUTES.get(q.get("interval") or "")
    if minutes is None:
        raise BybitError(10001, "params error: interval invalid")
    try:
        limit = min(int(q.get("limit") or 200), 1000)
        start = int(q["start"]) if q.get("start") else None
        end = int(q["end"]) if q.get("end") else now_ms()
    except ValueError:
        raise BybitError(10001, "params error: start, end or limit invalid") from None
    rows = sim.core.tape.candles(sim.core, MARKETS[cat], inst.symbol, minutes * 60_000, start, end, limit)
    return {"category": cat, "symbol": inst.symbol,
            "list": [[str(c.open_ms), plain(c.open), plain(c.high), plain(c.low), plain(c.close), plain(c.volume),
                      plain(c.quote_volume)] for c in reversed(rows)]}


def recent_trades(sim, q: dict) -> dict:
    """``/v5/market/recent-trade``: the latest public trades, newest first (``side`` the taker's); spot
    gives at most 60, linear 1,000 (default 500)."""
    cat = category_of(q)
    inst = inst_of(sim, cat, q.get("symbol"))
    cap = 60 if cat == "spot" else 1000
    limit = min(int(q.get("limit") or (60 if cat == "spot" else 500)), cap)
    rows = sim.core.tape.trades(MARKETS[cat], inst.symbol)[-limit:]
    return {"category": cat, "list": [
        {"execId": str(tid), "symbol": inst.symbol, "price": plain(px), "size": plain(qty),
         "side": side.capitalize(), "time": str(ts), "isBlockTrade": False, "isRPITrade": False}
        for ts, px, qty, tid, side in reversed(rows)]}


def funding_history(sim, q: dict) -> dict:
    """``/v5/market/funding/history``: none, the simulator charges no funding."""
    cat = category_of(q, ("linear", "inverse"))
    if cat == "linear":
        inst_of(sim, cat, q.get("symbol"))
    return {"category": cat, "list": []}
