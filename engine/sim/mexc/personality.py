"""The MEXC spot personality's registration with the venue-neutral exchange.

Market ``mexc`` (spot) trading from the wallet ``mexc``, which every account starts with the
simulator's default balances plus some MX; MXUSDT follows a fair-price series of its own.  A
post-only order that would take and an FOK order that cannot fill whole are recorded and cancelled
(``expire``; the venue's behaviour is unconfirmed).  Served on a port of its own
(``reg.own_port`` with :func:`engine.sim.mexc.app.build_app`).
"""

from __future__ import annotations

from engine.sim.mexc import limits
from engine.sim.mexc.app import build_app
from engine.sim.mexc.instruments import MARKET, MX_PRICE, WALLET, instruments
from engine.sim.mexc.state import MexcState
from engine.sim.registry import MarketSpec

__all__ = ["register"]


def register(reg) -> None:
    reg.wallet(WALLET, balances={"MX": "10000"})
    reg.market(MarketSpec(MARKET, "spot", WALLET, "mexc", post_only="expire", fok="expire"), instruments())
    reg.price("MXUSDT", MX_PRICE)
    reg.state(MexcState)
    reg.new_order("mexc", "rest", "POST api/v3/order")
    reg.limits(limits.LIMITS, limits.OPTIONS)
    reg.own_port("mexc", build_app)
