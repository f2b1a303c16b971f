"""Bybit V5 rate limits: the IP window and the per-UID per-endpoint rolling windows (shared/venues/bybit-v5.md §6).

The answers' ``X-Bapi-Limit`` / ``X-Bapi-Limit-Status`` headers then keep the endpoint
windows in step with the account's real (VIP) limits.
"""

from __future__ import annotations

from engine.transport.ratelimit import RateLimiter, Window

__all__ = ["ENDPOINT_LIMITS", "default_limiter"]

# Per-UID per-endpoint rolling 1-second limits (shared/venues/bybit-v5.md §6); the
# headers then keep them in step with the account's real (VIP) limits.
ENDPOINT_LIMITS = {
    "/v5/order/create": 10, "/v5/order/amend": 10, "/v5/order/cancel": 10, "/v5/order/cancel-all": 10,
    "/v5/order/realtime": 50, "/v5/order/history": 50, "/v5/execution/list": 50, "/v5/position/list": 50,
    "/v5/account/wallet-balance": 50, "/v5/position/set-leverage": 10,
}


def default_limiter() -> RateLimiter:
    """600 requests per 5 s per IP, plus the per-endpoint rolling windows."""
    return RateLimiter(
        "bybit",
        weight=[Window("ip-5s", 600, 5.0, aligned=False)],
        endpoints={path: Window(path, n, 1.0, aligned=False) for path, n in ENDPOINT_LIMITS.items()},
    )
