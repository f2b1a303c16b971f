"""Binance tickers, spot and USD-M, from the simulator's own trades and books
(:mod:`engine.sim.tickers`): spot ``/api/v3/ticker/24hr`` (``type`` FULL or MINI) and
``/api/v3/ticker/bookTicker``; USD-M ``/fapi/v1/ticker/24hr``, ``/fapi/v1|v2/ticker/price``,
``/fapi/v1/ticker/bookTicker`` and ``/fapi/v1/premiumIndex``.

With ``symbol`` one object; without it (or with spot's ``symbols``, a JSON array) a list of
every listed symbol.  Shapes from the venue's API documentation.  Not confirmed on the wire:
the number of decimals of each figure (spot: 8 everywhere; USD-M: the symbol's price and
quantity precision, 8 for volumes and averages), and the weight of a many-symbol request
(charged here as one symbol's).  The simulator charges no funding, so ``lastFundingRate`` is 0;
``interestRate`` is the venue's default 0.01 %, the index and estimated settle prices are the
fair price (the mark), and funding times fall every 8 hours from 00:00 UTC.
"""

from __future__ import annotations

import json

from engine.sim.binance.errors import BinanceError
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.spot_common import MARKET as SPOT, f8
from engine.sim.binance.usdm_common import MARKET as USDM, price_text, qty_text
from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO, fixed

__all__ = ["spot_24hr", "spot_book_ticker", "usdm_24hr", "usdm_price", "usdm_book_ticker", "premium_index"]

FUNDING_MS = 8 * 3600 * 1000
INTEREST_RATE = "0.00010000"


def _symbols(ctx: Ctx, p: Params, market: str, many: bool = False) -> tuple[list, bool]:
    """The instruments asked for, and whether the answer is one object."""
    core = ctx.sim.core
    listed = [inst for (m, _), inst in core.instruments.items() if m == market]
    if p.get("symbol") is not None:
        inst = core.instrument(market, p.get("symbol"))
        if inst is None:
            raise BinanceError(-1121, "Invalid symbol.")
        return [inst], True
    if many and p.get("symbols") is not None:
        try:
            wanted = json.loads(p.get("symbols"))
        except ValueError:
            raise BinanceError(-1100, "Illegal characters found in parameter 'symbols'.") from None
        if not isinstance(wanted, list) or any(core.instrument(market, s) is None for s in wanted):
            raise BinanceError(-1121, "Invalid symbol.")
        return [core.instrument(market, s) for s in wanted], False
    return listed, False


def _answer(rows: list, one: bool):
    return rows[0] if one else rows


def _stats(ctx: Ctx, market: str, inst):
    return ctx.sim.core.tape.ticker(ctx.sim.core, market, inst.symbol)


def spot_24hr(ctx: Ctx, p: Params):
    kind = p.get("type") or "FULL"
    if kind not in ("FULL", "MINI"):
        raise BinanceError(-1139, "Invalid ticker type.")
    insts, one = _symbols(ctx, p, SPOT, many=True)
    rows = []
    for inst in insts:
        t = _stats(ctx, SPOT, inst)
        row = {"symbol": inst.symbol}
        if kind == "FULL":
            row.update({"priceChange": f8(t.change), "priceChangePercent": fixed(t.change_ratio * 100, 3),
                        "weightedAvgPrice": f8(t.weighted_avg), "prevClosePrice": f8(t.prev_close)})
        row.update({"lastPrice": f8(t.last)})
        if kind == "FULL":
            row.update({"lastQty": f8(t.last_qty), "bidPrice": f8(t.bid or ZERO), "bidQty": f8(t.bid_qty),
                        "askPrice": f8(t.ask or ZERO), "askQty": f8(t.ask_qty)})
        row.update({"openPrice": f8(t.open), "highPrice": f8(t.high), "lowPrice": f8(t.low),
                    "volume": f8(t.volume), "quoteVolume": f8(t.quote_volume), "openTime": t.open_ms,
                    "closeTime": t.close_ms, "firstId": t.first_id, "lastId": t.last_id, "count": t.count})
        rows.append(row)
    return _answer(rows, one)


def spot_book_ticker(ctx: Ctx, p: Params):
    insts, one = _symbols(ctx, p, SPOT, many=True)
    rows = []
    for inst in insts:
        t = _stats(ctx, SPOT, inst)
        rows.append({"symbol": inst.symbol, "bidPrice": f8(t.bid or ZERO), "bidQty": f8(t.bid_qty),
                     "askPrice": f8(t.ask or ZERO), "askQty": f8(t.ask_qty)})
    return _answer(rows, one)


def usdm_24hr(ctx: Ctx, p: Params):
    insts, one = _symbols(ctx, p, USDM)
    rows = []
    for inst in insts:
        t = _stats(ctx, USDM, inst)
        rows.append({
            "symbol": inst.symbol, "priceChange": price_text(inst, t.change),
            "priceChangePercent": fixed(t.change_ratio * 100, 3), "weightedAvgPrice": fixed(t.weighted_avg, 8),
            "lastPrice": price_text(inst, t.last), "lastQty": qty_text(inst, t.last_qty),
            "openPrice": price_text(inst, t.open), "highPrice": price_text(inst, t.high),
            "lowPrice": price_text(inst, t.low), "volume": qty_text(inst, t.volume),
            "quoteVolume": fixed(t.quote_volume, 8), "openTime": t.open_ms, "closeTime": t.close_ms,
            "firstId": t.first_id, "lastId": t.last_id, "count": t.count})
    return _answer(rows, one)


def usdm_price(ctx: Ctx, p: Params):
    insts, one = _symbols(ctx, p, USDM)
    core, now = ctx.sim.core, now_ms()
    return _answer([{"symbol": i.symbol, "price": price_text(i, core.last[(USDM, i.symbol)]), "time": now}
                    for i in insts], one)


def usdm_book_ticker(ctx: Ctx, p: Params):
    insts, one = _symbols(ctx, p, USDM)
    rows = []
    for inst in insts:
        t = _stats(ctx, USDM, inst)
        rows.append({"symbol": inst.symbol, "bidPrice": price_text(inst, t.bid or ZERO),
                     "bidQty": qty_text(inst, t.bid_qty), "askPrice": price_text(inst, t.ask or ZERO),
                     "askQty": qty_text(inst, t.ask_qty), "time": t.close_ms})
    return _answer(rows, one)


def premium_index(ctx: Ctx, p: Params):
    insts, one = _symbols(ctx, p, USDM)
    core, now = ctx.sim.core, now_ms()
    rows = []
    for inst in insts:
        mark = core.mark.get(inst.symbol) or core.last[(USDM, inst.symbol)]
        rows.append({"symbol": inst.symbol, "markPrice": fixed(mark, 8), "indexPrice": fixed(mark, 8),
                     "estimatedSettlePrice": fixed(mark, 8), "lastFundingRate": "0.00000000",
                     "interestRate": INTEREST_RATE, "nextFundingTime": (now // FUNDING_MS + 1) * FUNDING_MS,
                     "time": now})
    return _answer(rows, one)
