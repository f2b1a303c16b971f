"""Binance public trades from the simulator's own (the last 24 hours of the tape,
:mod:`engine.sim.tickers`): spot ``GET /api/v3/trades`` and ``/api/v3/aggTrades``, USD-M
``GET /fapi/v1/trades`` and ``/fapi/v1/aggTrades``, oldest first; ``isBuyerMaker`` / ``m`` is true
when the taker sold.  Each aggregate holds one trade (the venue merges a taker's fills at one price;
not simulated).  Without ``fromId`` or a time the latest ``limit`` are given (default 500).  The
funding history (``/fapi/v1/fundingRate``) is empty: the simulator charges no funding.
"""

from __future__ import annotations

from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.spot_common import MARKET as SPOT, f8, instrument_of as spot_instrument
from engine.sim.binance.usdm_common import MARKET as USDM, instrument_of as usdm_instrument, price_text, qty_text

__all__ = ["spot_trades", "spot_agg_trades", "usdm_trades", "usdm_agg_trades", "funding_history"]


def _select(rows: list[tuple], p: Params, *, by_time: bool, max_limit: int) -> list[tuple]:
    limit = min(p.int_("limit") or 500, max_limit)
    from_id, start, end = p.int_("fromId"), p.int_("startTime") if by_time else None, \
        p.int_("endTime") if by_time else None
    if from_id is not None:
        return [t for t in rows if t[3] >= from_id][:limit]
    if start is not None or end is not None:
        return [t for t in rows if (start is None or t[0] >= start) and (end is None or t[0] <= end)][:limit]
    return rows[-limit:]


def spot_trades(ctx: Ctx, p: Params):
    inst = spot_instrument(ctx, p)
    rows = _select(ctx.sim.core.tape.trades(SPOT, inst.symbol), p, by_time=False, max_limit=1000)
    return [{"id": tid, "price": f8(px), "qty": f8(q), "quoteQty": f8(px * q), "time": ts,
             "isBuyerMaker": side == "SELL", "isBestMatch": True} for ts, px, q, tid, side in rows]


def spot_agg_trades(ctx: Ctx, p: Params):
    inst = spot_instrument(ctx, p)
    rows = _select(ctx.sim.core.tape.trades(SPOT, inst.symbol), p, by_time=True, max_limit=1000)
    return [{"a": tid, "p": f8(px), "q": f8(q), "f": tid, "l": tid, "T": ts, "m": side == "SELL", "M": True}
            for ts, px, q, tid, side in rows]


def usdm_trades(ctx: Ctx, p: Params):
    inst = usdm_instrument(ctx, p)
    rows = _select(ctx.sim.core.tape.trades(USDM, inst.symbol), p, by_time=False, max_limit=1000)
    return [{"id": tid, "price": price_text(inst, px), "qty": qty_text(inst, q), "quoteQty": f8(px * q),
             "time": ts, "isBuyerMaker": side == "SELL"} for ts, px, q, tid, side in rows]


def usdm_agg_trades(ctx: Ctx, p: Params):
    inst = usdm_instrument(ctx, p)
    rows = _select(ctx.sim.core.tape.trades(USDM, inst.symbol), p, by_time=True, max_limit=1000)
    return [{"a": tid, "p": price_text(inst, px), "q": qty_text(inst, q), "f": tid, "l": tid, "T": ts,
             "m": side == "SELL"} for ts, px, q, tid, side in rows]


def funding_history(ctx: Ctx, p: Params):
    if p.get("symbol") is not None:
        usdm_instrument(ctx, p)
    return []
