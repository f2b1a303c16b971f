"""MEXC spot public market data (mexc-spot.md §4; market-data-endpoints): ping, time, exchangeInfo,
defaultSymbols, depth, ticker/price, ticker/24hr, ticker/bookTicker, klines, and the futures
contract list a stock client asks for while loading markets (``GET /api/v1/contract/detail``),
answered as the venue would for an account that trades no futures here: an empty list.

exchangeInfo: ``status`` in the current docs' spelling (``"1"`` online), ``filters`` empty as in the
2024 docs (their 2025 content is unconfirmed), the rules in MEXC's own fields: ``quotePrecision``
(price decimals), ``baseSizePrecision`` (quantity step), ``quoteAmountPrecision`` (minimum order
value), ``maxQuoteAmount``.
"""

from __future__ import annotations

import json

from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO, decimals_of, plain
from engine.sim.mexc.errors import MexcError
from engine.sim.mexc.instruments import MARKET
from engine.sim.mexc.orders import TYPES
from engine.sim.mexc.rest import Ctx, Params
from engine.sim.mexc.state import state_of

__all__ = ["ping", "server_time", "exchange_info", "default_symbols", "depth", "ticker_price", "ticker_24hr",
           "book_ticker", "klines", "contract_detail"]

_INTERVALS = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "60m": 3600, "4h": 14400, "1d": 86400,
              "1W": 604800, "1M": 2592000}


def ping(ctx: Ctx, p: Params):
    return {}


def server_time(ctx: Ctx, p: Params):
    return {"serverTime": now_ms()}


def _symbol_row(inst) -> dict:
    return {"symbol": inst.symbol, "status": "1", "baseAsset": inst.base, "baseAssetPrecision": decimals_of(inst.step),
            "quoteAsset": inst.quote, "quotePrecision": decimals_of(inst.tick),
            "quoteAssetPrecision": decimals_of(inst.tick), "baseCommissionPrecision": decimals_of(inst.step),
            "quoteCommissionPrecision": decimals_of(inst.tick), "orderTypes": list(TYPES),
            "quoteOrderQtyMarketAllowed": True, "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
            "quoteAmountPrecision": plain(inst.min_notional), "baseSizePrecision": plain(inst.step),
            "permissions": ["SPOT"], "filters": [], "maxQuoteAmount": "2000000",
            "makerCommission": plain(inst.maker_fee), "takerCommission": plain(inst.taker_fee),
            "quoteAmountPrecisionMarket": plain(inst.min_notional), "maxQuoteAmountMarket": "100000",
            "fullName": inst.base, "tradeSideType": 1}


def _wanted(p: Params) -> set[str] | None:
    if p.get("symbol"):
        return {p.get("symbol")}
    raw = p.get("symbols")
    if not raw:
        return None
    if raw.startswith("["):
        try:
            return set(json.loads(raw))
        except ValueError:
            raise MexcError(33333, "param error: symbols") from None
    return set(raw.split(","))


def exchange_info(ctx: Ctx, p: Params):
    wanted = _wanted(p)
    rows = [_symbol_row(inst) for (market, symbol), inst in ctx.sim.core.instruments.items()
            if market == MARKET and (wanted is None or symbol in wanted)]
    if wanted and not rows:
        raise MexcError(30014, "Invalid symbol.")
    return {"timezone": "CST", "serverTime": now_ms(), "rateLimits": [], "exchangeFilters": [], "symbols": rows}


def default_symbols(ctx: Ctx, p: Params):
    return {"code": 200, "data": sorted(state_of(ctx.sim).api_symbols), "msg": None}


def depth(ctx: Ctx, p: Params):
    inst = p.symbol(ctx)
    limit = min(p.int_("limit") or 100, 5000)
    book = ctx.sim.core.books[(MARKET, inst.symbol)]
    return {"lastUpdateId": ctx.sim.core.events_emitted + book._seq,
            "bids": [[plain(px), plain(q)] for px, q in book.depth("BUY", limit)],
            "asks": [[plain(px), plain(q)] for px, q in book.depth("SELL", limit)],
            "timestamp": now_ms()}


def _each(ctx: Ctx, p: Params, row):
    if p.get("symbol"):
        return row(p.symbol(ctx))
    return [row(inst) for (market, _), inst in ctx.sim.core.instruments.items() if market == MARKET]


def _last(ctx: Ctx, inst):
    return ctx.sim.core.last.get((MARKET, inst.symbol), ZERO)


def ticker_price(ctx: Ctx, p: Params):
    return _each(ctx, p, lambda inst: {"symbol": inst.symbol, "price": plain(_last(ctx, inst))})


def _top(ctx: Ctx, inst):
    book = ctx.sim.core.books[(MARKET, inst.symbol)]
    bid, ask = book.depth("BUY", 1), book.depth("SELL", 1)
    return (bid[0] if bid else (ZERO, ZERO)), (ask[0] if ask else (ZERO, ZERO))


def book_ticker(ctx: Ctx, p: Params):
    def row(inst):
        (bp, bq), (ap, aq) = _top(ctx, inst)
        return {"symbol": inst.symbol, "bidPrice": plain(bp), "bidQty": plain(bq), "askPrice": plain(ap),
                "askQty": plain(aq)}
    return _each(ctx, p, row)


def ticker_24hr(ctx: Ctx, p: Params):
    """The day's figures of a simulator without history: the last price stands for all of them."""
    def row(inst):
        last = plain(_last(ctx, inst))
        (bp, bq), (ap, aq) = _top(ctx, inst)
        return {"symbol": inst.symbol, "priceChange": "0", "priceChangePercent": "0", "prevClosePrice": last,
                "lastPrice": last, "bidPrice": plain(bp), "bidQty": plain(bq), "askPrice": plain(ap),
                "askQty": plain(aq), "openPrice": last, "highPrice": last, "lowPrice": last, "volume": "0",
                "quoteVolume": "0", "openTime": now_ms() - 86_400_000, "closeTime": now_ms(), "count": None}
    return _each(ctx, p, row)


def klines(ctx: Ctx, p: Params):
    """Flat candles at the last price (the simulator keeps no trade history)."""
    inst = p.symbol(ctx)
    seconds = _INTERVALS.get(p.need("interval"))
    if seconds is None:
        raise MexcError(33333, "param error: interval")
    limit = min(p.int_("limit") or 500, 1000)
    last = plain(_last(ctx, inst))
    ms = seconds * 1000
    now = now_ms() // ms * ms
    return [[t, last, last, last, last, "0", t + ms, "0"] for t in range(now - (limit - 1) * ms, now + 1, ms)]


def contract_detail(ctx: Ctx, p: Params):
    return {"success": True, "code": 0, "data": []}
