"""TopstepX rate limits (shared/venues/topstepx-projectx.md §6): 200 requests / 60 s, bars 50 / 30 s.

The window kind (fixed or sliding) and its key (token, user, IP) are unconfirmed, so the
windows roll (the stricter reading).  A tenth of the budget is held back for cancels,
so a burst of new orders never starves the cancels that take risk off; a 429 pauses
everything but cancels.
"""

from __future__ import annotations

from engine.transport.ratelimit import Cost, RateLimiter, Window

__all__ = ["default_limiter", "BARS", "COST", "CANCEL_COST", "BARS_COST"]

BARS = "/api/History/retrieveBars"
COST = Cost(weight=1)
CANCEL_COST = Cost(weight=1, cancel=True)
BARS_COST = Cost(weight=0, endpoint=BARS)      # bars have their own window, outside the 200 / 60 s


def default_limiter() -> RateLimiter:
    """Every request: 200 per rolling 60 s; History/retrieveBars also 50 per rolling 30 s."""
    return RateLimiter("topstepx", weight=[Window("requests-60s", 200, 60.0, aligned=False)],
                       endpoints={BARS: Window(BARS, 50, 30.0, aligned=False)}, cancel_reserve=0.1)
