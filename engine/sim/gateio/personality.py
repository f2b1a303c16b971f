"""The Gate.io spot personality's registration with the venue-neutral exchange.

Market ``gate`` (spot: BTC_USDT, ETH_USDT), trading from the wallet ``gateio``; served on a port
of its own (:mod:`.app`, declared with ``reg.own_port``), not on the main port.  Post-only orders that
would take and FOK orders that cannot fill are recorded and end ``cancelled`` with ``finish_as``
``poc``/``fok`` (the venue's 201 answer), unless :class:`~.state.GateState` switches them to
error labels.
"""

from __future__ import annotations

from engine.sim.gateio import limits
from engine.sim.gateio.app import build_app
from engine.sim.gateio.instruments import MARKET, WALLET, pairs
from engine.sim.gateio.state import GateState
from engine.sim.registry import MarketSpec

__all__ = ["register"]


def register(reg) -> None:
    reg.wallet(WALLET)
    reg.market(MarketSpec(MARKET, "spot", WALLET, "gateio", post_only="expire", fok="expire",
                          amended_post_only="CANCELED"), pairs())
    reg.state(GateState)
    reg.new_order("gateio", "rest", "POST api/v4/spot/orders")
    reg.new_order("gateio", "ws", "spot.order_place")
    reg.limits(limits.LIMITS, limits.OPTIONS)
    reg.own_port("gateio", build_app)
    reg.ws_endpoint("ws/v4")
