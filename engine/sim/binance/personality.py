"""The Binance personality's registration with the venue-neutral exchange.

Markets ``bspot`` (spot, wallet ``binance-spot``) and ``busdm`` (USD-M perpetuals, wallet
``binance-usdm``, USDT only); the engine venues ``binance-spot`` and ``binance-usdm`` on the main
port, at ``/api/v3/``, ``/ws-api/v3``, ``/fapi/``, the USD-M user-data stream paths and the spot
wallet's ``/sapi/`` (withdrawals); the margin pairs (``/sapi/v1/margin/``) and COIN-M (``/dapi/``)
answered as for an account without them (:mod:`engine.sim.binance.other_products`).

What an order does when its time in force cannot be met (binance-spot.md, binance-usdm-futures.md):
a spot LIMIT_MAKER that would take is refused (-2010), a spot FOK that cannot fill expires; on
USD-M both are refused (-5022, -5021), and an amended GTX order that would take is cancelled.
"""

from __future__ import annotations

from engine.sim.binance import limits, spot, usdm, user_stream, wallet
from engine.sim.binance.fees import SAPI_FEE_ROUTES
from engine.sim.binance.instruments import spot_instruments, usdm_instruments
from engine.sim.binance.rest import rest_handler
from engine.sim.binance.state import BinanceState, state_of
from engine.sim.binance.ws_api import serve_ws_api
from engine.sim.binance.other_products import DAPI_ROUTES, MARGIN_ROUTES
from engine.sim.frames import serve_rest
from engine.sim.registry import MarketSpec

__all__ = ["register"]

SAPI_ROUTES = {**wallet.ROUTES, **MARGIN_ROUTES, **SAPI_FEE_ROUTES}

# The USD-M user-data stream: /ws/<listenKey> and the routed forms (binance-usdm-futures.md §3).
STREAM_PATHS = ("/private/ws", "/ws", "/private/stream", "/stream")


async def _spot_rest(sim, request):
    state = state_of(sim)
    return await serve_rest(sim, request, state.spot_answers,
                            lambda req: rest_handler(sim, req, spot.ROUTES, state.spot_limiter, "spot", req.path))


async def _sapi_rest(sim, request):
    """SAPI: the spot account's wallet (withdrawals, :mod:`engine.sim.binance.wallet`), margin pairs and trade
    fees, signed like ``/api/v3``."""
    state = state_of(sim)
    if request.path.startswith("/sapi/v1/capital/"):       # the wallet: the withdrawals' request log
        sim.withdrawals.heard("binance-spot", request.method, request.path)
    return await serve_rest(sim, request, state.spot_answers,
                            lambda req: rest_handler(sim, req, SAPI_ROUTES, state.spot_limiter, "spot", req.path))


async def _dapi_rest(sim, request):
    state = state_of(sim)
    return await serve_rest(sim, request, state.usdm_answers,
                            lambda req: rest_handler(sim, req, DAPI_ROUTES, state.usdm_limiter, "usdm", req.path))


async def _usdm_rest(sim, request):
    state = state_of(sim)
    return await serve_rest(sim, request, state.usdm_answers,
                            lambda req: rest_handler(sim, req, usdm.ROUTES, state.usdm_limiter, "usdm", req.path))


def register(reg) -> None:
    reg.wallet("binance-spot")
    reg.wallet("binance-usdm", assets=("USDT",), position_margin="mark")
    reg.market(MarketSpec("bspot", "spot", "binance-spot", "binance-spot", post_only="error", fok="expire"),
               spot_instruments())
    reg.market(MarketSpec("busdm", "linear", "binance-usdm", "binance-usdm", post_only="error", fok="error",
                          amended_post_only="CANCELED"), usdm_instruments())
    reg.venue("binance-spot")
    reg.venue("binance-usdm")
    reg.state(lambda sim: BinanceState(sim, user_stream.expire_due))
    reg.new_order("binance-spot", "rest", "POST api/v3/order")
    reg.new_order("binance-spot", "ws", "order.place")
    reg.new_order("binance-usdm", "rest", "POST fapi/v1/order")
    reg.limits(limits.LIMITS, limits.OPTIONS)
    reg.mount("/api/v3/", _spot_rest, prefix=True)
    reg.mount("/fapi/", _usdm_rest, prefix=True)
    reg.mount("/sapi/", _sapi_rest, prefix=True)
    reg.mount("/dapi/", _dapi_rest, prefix=True)
    reg.mount("/ws-api/v3", serve_ws_api)
    reg.ws_endpoint("ws-api/v3")
    reg.mount("/ws/", user_stream.serve, prefix=True)
    for path in STREAM_PATHS:
        reg.mount(path, user_stream.serve)
