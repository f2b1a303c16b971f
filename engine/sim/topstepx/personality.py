"""The TopstepX (ProjectX Gateway) personality's registration with the venue-neutral exchange.

Market ``tsx`` (linear: CME futures, :mod:`.instruments`) trading from the wallet ``topstepx``
(USD, 150,000 to start: a 150K account; ``balances={"USD": ...}`` sets another), fair-price
series ``NQ`` and ``ES``; served on a port of its own (``reg.own_port``: the app is
:func:`engine.sim.topstepx.app.build_app`).
"""

from __future__ import annotations

from engine.sim.registry import MarketSpec
from engine.sim.topstepx import limits
from engine.sim.topstepx.app import build_app
from engine.sim.topstepx.instruments import ASSET, MARKET, PRICES, WALLET, instruments
from engine.sim.topstepx.state import TopstepxState

__all__ = ["register"]


def register(reg) -> None:
    reg.wallet(WALLET, assets=(ASSET,), balances={ASSET: "150000"}, margin_asset=ASSET)
    reg.market(MarketSpec(MARKET, "linear", WALLET, "topstepx"), instruments())
    for series, price in PRICES.items():
        reg.price(series, price)
    reg.state(TopstepxState)
    reg.new_order("topstepx", "rest", "POST api/Order/place")
    reg.limits(limits.LIMITS, limits.OPTIONS)
    reg.own_port("topstepx", build_app)
