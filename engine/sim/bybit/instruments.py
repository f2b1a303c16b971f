"""What the Bybit personality lists: BTCUSDT, ETHUSDT and 1000SHIBUSDT on spot (``yspot``) and
as USDT perpetuals (``ylinear``), with filters close to the real listings and the
non-VIP fee rates (spot 0.1 % maker and taker; linear 0.02 % maker, 0.055 % taker).
"""

from __future__ import annotations

from engine.sim.decimals import D, decimals_of
from engine.sim.instruments import Instrument

__all__ = ["spot_instruments", "linear_instruments", "SPOT_FEES", "LINEAR_FEES", "LINEAR_MAINT_RATE"]

SPOT_FEES = (D("0.001"), D("0.001"))         # (maker, taker)
LINEAR_FEES = (D("0.0002"), D("0.00055"))
# the lowest risk limit's maintenance margin rate, for every symbol (not confirmed; the tiers are not simulated)
LINEAR_MAINT_RATE = D("0.005")
# symbol -> (spot tick, spot step, spot min order value, linear tick, linear step, linear min notional, max qty)
_SPECS = {
    "BTCUSDT": ("0.01", "0.00001", "5", "0.10", "0.001", "100", "9000"),
    "ETHUSDT": ("0.01", "0.0001", "5", "0.01", "0.001", "20", "100000"),
    "1000SHIBUSDT": ("0.000001", "1", "5", "0.000001", "1", "5", "9000000000"),
}


def spot_instruments() -> list[Instrument]:
    maker, taker = SPOT_FEES
    return [Instrument(market="yspot", symbol=symbol, base=symbol[:-4], quote="USDT", kind="spot", tick=D(tick),
                       step=D(step), min_qty=D(step), max_qty=D(mx), market_max_qty=D(mx), min_notional=D(notional),
                       min_price=D(tick), max_price=D("1000000"), maker_fee=maker, taker_fee=taker)
            for symbol, (tick, step, notional, _, _, _, mx) in _SPECS.items()]


def linear_instruments() -> list[Instrument]:
    maker, taker = LINEAR_FEES
    # priceScale is one more digit than the tick (BTCUSDT: tick 0.10, priceScale 2)
    return [Instrument(market="ylinear", symbol=symbol, base=symbol[:-4], quote="USDT", kind="linear", tick=D(tick),
                       step=D(step), min_qty=D(step), max_qty=D(mx), market_max_qty=D(mx) / 10,
                       min_notional=D(notional), min_price=D(tick), max_price=D("1000000"), maker_fee=maker,
                       taker_fee=taker, max_leverage=125, price_digits=decimals_of(D(tick)) + 1,
                       maint_rate=LINEAR_MAINT_RATE)
            for symbol, (_, _, _, tick, step, notional, mx) in _SPECS.items()]
