"""What the Gate.io personality lists: BTC_USDT and ETH_USDT on spot (market ``gate``), following
the ``BTCUSDT`` and ``ETHUSDT`` fair-price series every simulator starts with.

Gate publishes no tick or step: ``precision`` and ``amount_precision`` are decimals (tick =
10^-precision), ``min_base_amount`` / ``min_quote_amount`` bound the amount and its value
(gateio-spot.md §4).  Fee rates are the non-VIP spot ones, 0.2 % maker and taker
(unconfirmed for every tier: the sheet gives no fee table; the pair's ``fee`` field says it).
"""

from __future__ import annotations

from engine.sim.decimals import D
from engine.sim.instruments import Instrument

__all__ = ["MARKET", "WALLET", "pairs", "FEE"]

MARKET = "gate"                 # the core's market key
WALLET = "gateio"               # the wallet its accounts trade from (the engine venue name)
FEE = D("0.002")
# pair -> (series, price decimals, amount decimals, min base, min quote, max base)
_SPECS = {
    "BTC_USDT": ("BTCUSDT", 2, 6, "0.00001", "3", "1000"),
    "ETH_USDT": ("ETHUSDT", 2, 4, "0.0001", "3", "10000"),
}


def pairs() -> list[Instrument]:
    out = []
    for pair, (series, price_dp, amount_dp, min_base, min_quote, max_base) in _SPECS.items():
        base, quote = pair.split("_")
        tick, step = D(1).scaleb(-price_dp), D(1).scaleb(-amount_dp)
        out.append(Instrument(market=MARKET, symbol=pair, base=base, quote=quote, kind="spot", tick=tick, step=step,
                              min_qty=D(min_base), max_qty=D(max_base), market_max_qty=D(max_base),
                              min_notional=D(min_quote), min_price=tick, max_price=D("10000000"), maker_fee=FEE,
                              taker_fee=FEE, series=series))
    return out
