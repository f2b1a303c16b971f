"""The Bybit V5 personality's registration with the venue-neutral exchange.

Markets ``yspot`` (category spot) and ``ylinear`` (category linear), both trading from the
unified wallet ``bybit``; the engine venue ``bybit`` on the main port at ``/v5/``,
``/v5/private`` and ``/v5/trade``.  A post-only order that would take and an FOK order that
cannot fill are recorded and cancelled (bybit-v5.md: rejectReason EC_PostOnlyWillTakeLiquidity,
EC_NoEnoughQtyToFill), not refused.
"""

from __future__ import annotations

from engine.sim.bybit import limits, rest, ws
from engine.sim.bybit.instruments import linear_instruments, spot_instruments
from engine.sim.bybit.state import BybitState, state_of
from engine.sim.frames import serve_rest
from engine.sim.registry import MarketSpec

__all__ = ["register"]


async def _rest(sim, request):
    return await serve_rest(sim, request, state_of(sim).answers,
                            lambda req: rest.rest_handler(sim, req, req.path))


async def _private(sim, request):
    return await ws.serve(sim, request, "private")


async def _trade(sim, request):
    return await ws.serve(sim, request, "trade")


def register(reg) -> None:
    reg.wallet("bybit")
    reg.market(MarketSpec("yspot", "spot", "bybit", "bybit-spot", post_only="expire", fok="expire"),
               spot_instruments())
    reg.market(MarketSpec("ylinear", "linear", "bybit", "bybit", post_only="expire", fok="expire"),
               linear_instruments())
    reg.venue("bybit")
    reg.state(BybitState)
    reg.new_order("bybit", "rest", "POST v5/order/create")
    reg.new_order("bybit", "ws", "order.create")
    reg.limits(limits.LIMITS, limits.OPTIONS)
    reg.mount("/v5/", _rest, prefix=True)
    reg.mount("/v5/private", _private)
    reg.mount("/v5/trade", _trade)
    reg.ws_endpoint("v5/trade")
