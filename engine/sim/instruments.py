"""Instruments the simulator lists, per market, with the venue filters they enforce.

Markets: ``bspot`` (Binance spot), ``busdm`` (Binance USD-M perpetuals), ``yspot``
(Bybit spot) and ``ylinear`` (Bybit USDT perpetuals).  Filter values follow the real
listings closely enough to exercise the same checks (tick, step, min/max quantity,
minimum notional).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.sim.decimals import D, decimals_of
from decimal import Decimal

__all__ = ["Instrument", "MARKETS", "WALLET_OF", "build_instruments", "DEFAULT_PRICES"]

# market id -> (kind, wallet name)
MARKETS = {
    "bspot": "spot",
    "busdm": "linear",
    "yspot": "spot",
    "ylinear": "linear",
}
WALLET_OF = {"bspot": "binance-spot", "busdm": "binance-usdm", "yspot": "bybit", "ylinear": "bybit"}

DEFAULT_PRICES = {"BTCUSDT": D("50000"), "ETHUSDT": D("3000"), "1000SHIBUSDT": D("0.012")}


@dataclass(frozen=True)
class Instrument:
    market: str
    symbol: str
    base: str
    quote: str
    tick: Decimal
    step: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    min_price: Decimal
    max_price: Decimal
    maker_fee: Decimal
    taker_fee: Decimal
    max_leverage: int = 1

    @property
    def kind(self) -> str:
        return MARKETS[self.market]

    @property
    def price_precision(self) -> int:
        # USD-M publishes one more price digit than its tick (BTCUSDT: tick 0.10, pricePrecision 2),
        # so a well-formed price can still miss the tick (-4014).
        return decimals_of(self.tick) + (1 if self.kind == "linear" else 0)

    @property
    def qty_precision(self) -> int:
        return decimals_of(self.step)


# symbol -> (spot tick, spot step, spot min notional, perp tick, perp step, perp min notional, max qty)
_SPECS = {
    "BTCUSDT": ("0.01", "0.00001", "5", "0.10", "0.001", "100", "9000"),
    "ETHUSDT": ("0.01", "0.0001", "5", "0.01", "0.001", "20", "100000"),
    "1000SHIBUSDT": ("0.000001", "1", "5", "0.000001", "1", "5", "9000000000"),
}
_FEES = {
    "bspot": ("0.001", "0.001"),
    "busdm": ("0.0002", "0.0005"),
    "yspot": ("0.001", "0.001"),
    "ylinear": ("0.0002", "0.00055"),
}


def build_instruments() -> dict[tuple[str, str], Instrument]:
    """Every (market, symbol) the simulator lists."""
    out: dict[tuple[str, str], Instrument] = {}
    for market, kind in MARKETS.items():
        maker, taker = _FEES[market]
        for symbol, (stk, sst, smn, ptk, pst, pmn, mx) in _SPECS.items():
            base = symbol[: -len("USDT")]
            tick, step, notional = (stk, sst, smn) if kind == "spot" else (ptk, pst, pmn)
            out[(market, symbol)] = Instrument(
                market=market, symbol=symbol, base=base, quote="USDT",
                tick=D(tick), step=D(step), min_qty=D(step), max_qty=D(mx),
                market_max_qty=D(mx) / 10 if kind == "linear" else D(mx),
                min_notional=D(notional), min_price=D(tick), max_price=D("1000000"),
                maker_fee=D(maker), taker_fee=D(taker),
                max_leverage=125 if kind == "linear" else 1,
            )
    return out
