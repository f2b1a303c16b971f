"""Binance candles, spot ``/api/v3/klines`` and USD-M ``/fapi/v1/klines``, from the simulator's own
trades (:mod:`engine.sim.klines`): ``[open time, open, high, low, close, volume, close time, quote
volume, trades, taker buy volume, taker buy quote volume, "0"]``, oldest first.  ``startTime`` gives
the candles from it, else the latest ``limit`` up to ``endTime`` (default now).  The monthly
interval (``1M``), ``3d``, ``1w`` and spot's ``1s`` are refused as an invalid interval (not simulated:
the venue's alignment of weeks and 3-day candles is not confirmed).
"""

from __future__ import annotations

from engine.sim.binance.errors import BinanceError
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.spot_common import MARKET as SPOT, instrument_of as spot_instrument
from engine.sim.binance.usdm_common import MARKET as USDM, instrument_of as usdm_instrument
from engine.sim.core_types import now_ms
from engine.sim.decimals import fixed

__all__ = ["spot_klines", "usdm_klines", "INTERVALS"]

_MIN = 60_000
INTERVALS = {"1m": _MIN, "3m": 3 * _MIN, "5m": 5 * _MIN, "15m": 15 * _MIN, "30m": 30 * _MIN, "1h": 60 * _MIN,
             "2h": 120 * _MIN, "4h": 240 * _MIN, "6h": 360 * _MIN, "8h": 480 * _MIN, "12h": 720 * _MIN,
             "1d": 1440 * _MIN}


def _klines(ctx: Ctx, p: Params, market: str, inst, max_limit: int, price_dp: int, qty_dp: int):
    interval = INTERVALS.get(p.need("interval"))
    if interval is None:
        raise BinanceError(-1120, "Invalid interval.")
    limit = min(p.int_("limit") or 500, max_limit)
    end = p.int_("endTime") or now_ms()
    rows = ctx.sim.core.tape.candles(ctx.sim.core, market, inst.symbol, interval, p.int_("startTime"), end, limit)
    return [[c.open_ms, fixed(c.open, price_dp), fixed(c.high, price_dp), fixed(c.low, price_dp),
             fixed(c.close, price_dp), fixed(c.volume, qty_dp), c.close_ms, fixed(c.quote_volume, 8), c.count,
             fixed(c.taker_buy_volume, qty_dp), fixed(c.taker_buy_quote, 8), "0"] for c in rows]


def spot_klines(ctx: Ctx, p: Params):
    return _klines(ctx, p, SPOT, spot_instrument(ctx, p), 1000, 8, 8)


def usdm_klines(ctx: Ctx, p: Params):
    inst = usdm_instrument(ctx, p)
    return _klines(ctx, p, USDM, inst, 1500, inst.price_precision, inst.qty_precision)
