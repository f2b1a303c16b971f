"""What an instrument is to the venue-neutral exchange: its market, symbol, assets, filters,
fee rates and the fair-price series it follows.

Personalities declare their own listings (``engine/sim/<venue>/instruments.py``) through
:class:`~engine.sim.registry.Registry`; the core keeps them by ``(market, symbol)``.
A symbol's fair price is one series (:data:`DEFAULT_PRICES`, moved by
:meth:`SimExchange.set_price <engine.sim.exchange.SimExchange.set_price>`) that every
instrument naming it in ``series`` follows, whatever the venue calls the symbol
(``BTCUSDT``, ``BTC_USDT``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.sim.decimals import D, decimals_of

__all__ = ["Instrument", "DEFAULT_PRICES", "KINDS"]

KINDS = ("spot", "linear")      # spot: balances locked per order; linear: margin, one-way positions

# The fair-price series every simulator starts with; a personality adds its own with Registry.price().
DEFAULT_PRICES = {"BTCUSDT": D("50000"), "ETHUSDT": D("3000"), "1000SHIBUSDT": D("0.012")}


@dataclass(frozen=True)
class Instrument:
    """One listing.  ``maker_fee``/``taker_fee`` are rates (0.001 = 0.1 %) charged on every fill;
    a linear instrument settles, margins and pays fees in its ``quote`` asset."""

    market: str             # the core's market key ("bspot", "ylinear", ...): Registry.market
    symbol: str             # as the venue spells it
    base: str
    quote: str
    kind: str               # one of KINDS
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
    price_digits: int | None = None     # the price precision the venue publishes; None: the tick's decimals
    series: str = ""                    # the fair-price series it follows; "": its symbol
    maint_rate: Decimal = Decimal(0)    # linear: maintenance margin per unit of notional (engine.sim.margin)

    @property
    def price_precision(self) -> int:
        return decimals_of(self.tick) if self.price_digits is None else self.price_digits

    @property
    def qty_precision(self) -> int:
        return decimals_of(self.step)

    @property
    def fair(self) -> str:
        """The fair-price series this instrument follows."""
        return self.series or self.symbol
