"""What the Binance personality lists: BTCUSDT, ETHUSDT and 1000SHIBUSDT on spot (``bspot``)
and as USD-M perpetuals (``busdm``), with filters close to the real listings (tick, step,
min/max quantity, minimum notional) and the regular-tier fee rates (spot 0.1 % maker and
taker; USD-M 0.02 % maker, 0.05 % taker).
"""

from __future__ import annotations

from engine.sim.decimals import D, decimals_of
from engine.sim.instruments import Instrument

__all__ = ["spot_instruments", "usdm_instruments", "SPOT_FEES", "USDM_FEES", "USDM_MAINT_RATE"]

SPOT_FEES = (D("0.001"), D("0.001"))         # (maker, taker)
USDM_FEES = (D("0.0002"), D("0.0005"))
# the first bracket's maintenance margin rate (BTCUSDT's), for every symbol: the tiers are not simulated
USDM_MAINT_RATE = D("0.004")
# symbol -> (spot tick, spot step, spot min notional, perp tick, perp step, perp min notional, max qty)
_SPECS = {
    "BTCUSDT": ("0.01", "0.00001", "5", "0.10", "0.001", "100", "9000"),
    "ETHUSDT": ("0.01", "0.0001", "5", "0.01", "0.001", "20", "100000"),
    "1000SHIBUSDT": ("0.000001", "1", "5", "0.000001", "1", "5", "9000000000"),
}


def spot_instruments() -> list[Instrument]:
    maker, taker = SPOT_FEES
    return [Instrument(market="bspot", symbol=symbol, base=symbol[:-4], quote="USDT", kind="spot", tick=D(tick),
                       step=D(step), min_qty=D(step), max_qty=D(mx), market_max_qty=D(mx), min_notional=D(notional),
                       min_price=D(tick), max_price=D("1000000"), maker_fee=maker, taker_fee=taker)
            for symbol, (tick, step, notional, _, _, _, mx) in _SPECS.items()]


def usdm_instruments() -> list[Instrument]:
    maker, taker = USDM_FEES
    # USD-M publishes one more price digit than its tick (BTCUSDT: tick 0.10, pricePrecision 2),
    # so a well-formed price can still miss the tick (-4014).
    return [Instrument(market="busdm", symbol=symbol, base=symbol[:-4], quote="USDT", kind="linear", tick=D(tick),
                       step=D(step), min_qty=D(step), max_qty=D(mx), market_max_qty=D(mx) / 10,
                       min_notional=D(notional), min_price=D(tick), max_price=D("1000000"), maker_fee=maker,
                       taker_fee=taker, max_leverage=125, price_digits=decimals_of(D(tick)) + 1,
                       maint_rate=USDM_MAINT_RATE)
            for symbol, (_, _, _, tick, step, notional, mx) in _SPECS.items()]
