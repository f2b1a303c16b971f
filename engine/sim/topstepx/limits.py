"""TopstepX rate limits (shared/venues/topstepx-projectx.md §6): 200 requests per 60 s for every
authenticated request, History/retrieveBars 50 per 30 s, a breach answered HTTP 429.

The venue's window kind (fixed or sliding) and key (token, user, IP) are unconfirmed: here
rolling windows per login.  ``Limits.topstepx_per_minute`` (``--topstepx-per-minute``) sets the first;
tests lower :attr:`TopstepxLimiter.requests` and ``bars``.
"""

from __future__ import annotations

from collections import deque

from engine.sim.ratelimit import LimitOption, Limits, now_s

__all__ = ["TopstepxLimiter", "BARS_PATH", "LIMITS", "OPTIONS"]

# The limits this personality enforces (engine.sim.ratelimit.Limits), with their defaults: every request per
# login per rolling 60 s (bars: 50 / 30 s apart).
LIMITS = {"topstepx_per_minute": 200}


def _per_minute(limits: Limits, n: int) -> None:
    limits.topstepx_per_minute = n


OPTIONS = (
    LimitOption("--topstepx-per-minute", "TopstepX requests per login per rolling 60 s, every endpoint but "
                f"History/retrieveBars (default: {LIMITS['topstepx_per_minute']})", _per_minute),
)

BARS_PATH = "/api/history/retrievebars"


class TopstepxLimiter:
    def __init__(self, limits: Limits | None = None) -> None:
        self.requests = ((limits or Limits()).topstepx_per_minute, 60.0)
        self.bars = (50, 30.0)
        self.hits: dict[tuple[str, str], deque] = {}
        self.refused = 0

    def hit(self, login: str, path: str, now: float | None = None) -> float | None:
        """Count one request; None when allowed, else the seconds until the window has room."""
        now = now_s() if now is None else now
        limit, span = self.bars if path == BARS_PATH else self.requests
        q = self.hits.setdefault((login, "bars" if path == BARS_PATH else "all"), deque())
        while q and q[0] <= now - span:
            q.popleft()
        if len(q) >= limit:
            self.refused += 1
            return max(0.001, q[0] + span - now)
        q.append(now)
        return None

    def reset(self) -> None:
        self.hits.clear()
