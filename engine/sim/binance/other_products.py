"""The Binance products the simulator does not list, answered as the venue answers an account
without them (stock ccxt's ``load_markets`` asks for them by default): ``GET /sapi/v1/margin/allPairs``
and ``/sapi/v1/margin/isolated/allPairs`` (no pairs), ``GET /dapi/v1/exchangeInfo`` (COIN-M with no
symbol).  Shapes from the venue's API documentation.
"""

from __future__ import annotations

from engine.sim.binance.rest import Ctx, Params, Route
from engine.sim.core_types import now_ms

__all__ = ["MARGIN_ROUTES", "DAPI_ROUTES"]


def no_pairs(ctx: Ctx, p: Params):
    return []


def coinm_exchange_info(ctx: Ctx, p: Params):
    return {"timezone": "UTC", "serverTime": now_ms(), "rateLimits": [], "exchangeFilters": [], "symbols": []}


MARGIN_ROUTES = {
    ("GET", "/sapi/v1/margin/allPairs"): Route(no_pairs, "NONE", 1),
    ("GET", "/sapi/v1/margin/isolated/allPairs"): Route(no_pairs, "SIGNED", 10),
}
DAPI_ROUTES = {
    ("GET", "/dapi/v1/exchangeInfo"): Route(coinm_exchange_info, "NONE", 1),
}
