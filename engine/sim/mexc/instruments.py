"""What the MEXC personality lists (market ``mexc``, wallet ``mexc``): BTCUSDT and ETHUSDT on the
simulator's shared fair-price series, and MXUSDT (the venue's own token, the sheet's push examples)
on a series of its own.  Filters in MEXC's terms: a price precision in decimals
(``quotePrecision``), a quantity step (``baseSizePrecision``), a minimum order value in quote
(``quoteAmountPrecision``).  Fees: 0 maker, 0.05 % taker, the venue's standard spot rates
(a published figure, not a wire fact).
"""

from __future__ import annotations

from engine.sim.decimals import D
from engine.sim.instruments import Instrument

__all__ = ["MARKET", "WALLET", "instruments", "FEES", "MX_PRICE"]

MARKET = "mexc"
WALLET = "mexc"
FEES = (D("0"), D("0.0005"))          # (maker, taker)
MX_PRICE = D("3.5")
# symbol -> (tick, step, minimum order value in quote, maximum quantity)
_SPECS = {
    "BTCUSDT": ("0.01", "0.000001", "1", "9000"),
    "ETHUSDT": ("0.01", "0.00001", "1", "100000"),
    "MXUSDT": ("0.0001", "0.01", "1", "5000000"),
}


def instruments() -> list[Instrument]:
    maker, taker = FEES
    return [Instrument(market=MARKET, symbol=symbol, base=symbol[:-4], quote="USDT", kind="spot", tick=D(tick),
                       step=D(step), min_qty=D(step), max_qty=D(mx), market_max_qty=D(mx), min_notional=D(value),
                       min_price=D(tick), max_price=D("1000000"), maker_fee=maker, taker_fee=taker)
            for symbol, (tick, step, value, mx) in _SPECS.items()]
