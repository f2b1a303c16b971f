"""MEXC spot rate limits (shared/venues/mexc-spot.md §6): the place + cancel budget and the endpoint windows.

- Orders: place and cancel share 12 requests per second (spot-account-trade, New Order).
  The limiter holds back a share of it for cancels (``cancel_reserve``), so a burst of
  new orders never starves the cancels that take risk off.
- Every endpoint: 500 requests per 10 seconds, per IP and per UID independently; counted
  here as one window over all requests, which can only be more careful.
- Account information 2 per second, batch orders 2 per second.

No usage headers are documented (no X-MBX-USED-WEIGHT equivalent): the windows are kept
locally, and a 429 pauses everything but cancels for its Retry-After (a 418 stops all).
"""

from __future__ import annotations

from engine.transport.ratelimit import RateLimiter, Window

__all__ = ["ORDERS_PER_SECOND", "ORDER_WINDOW_S", "ENDPOINT_LIMITS", "default_limiter"]

ORDERS_PER_SECOND = 12
# The venue counts a request when it arrives, the limiter when it leaves: two requests sent just over
# a second apart can arrive just under one (uneven latency).  Counting the budget over a slightly
# longer window keeps the thirteenth outside the venue's second.
ORDER_WINDOW_S = 1.1
ENDPOINT_LIMITS = {"/api/v3/account": 2, "/api/v3/batchOrders": 2}


def default_limiter(cancel_reserve: float = 0.2) -> RateLimiter:
    """The documented limits; ``cancel_reserve`` of the order budget is for cancels only (0.2: 2 of 12)."""
    return RateLimiter(
        "mexc",
        weight=[Window("requests-10s", 500, 10.0, aligned=False)],
        orders=[Window("orders-1s", ORDERS_PER_SECOND, ORDER_WINDOW_S, aligned=False)],
        endpoints={path: Window(path, n, 1.0, aligned=False) for path, n in ENDPOINT_LIMITS.items()},
        cancel_reserve=cancel_reserve,
    )
