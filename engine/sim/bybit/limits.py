"""Bybit rate limits: a rolling 1-second window per (UID, endpoint); a breach answers retCode 10006."""

from __future__ import annotations

from collections import deque

from engine.sim.ratelimit import BYBIT_DEFAULTS, Limits, now_s

__all__ = ["BybitLimiter"]


class BybitLimiter:
    """Rolling one-second windows per (uid, endpoint)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.hits: dict[tuple, deque] = {}

    def limit_for(self, endpoint: str) -> int:
        """Limit for ``endpoint`` or ``endpoint:category`` (spot create/cancel allow 20/s)."""
        base, _, category = endpoint.partition(":")
        table = dict(BYBIT_DEFAULTS)
        if category == "spot":
            table.update({"order/create": 20, "order/cancel": 20, "order/cancel-all": 20})
        if self.limits.bybit_per_second:
            table.update(self.limits.bybit_per_second)
        return table.get(base, self.limits.bybit_default_per_second)

    def hit(self, uid: int, endpoint: str, now: float | None = None) -> tuple[bool, int, int, int]:
        """(allowed, limit, remaining, reset ms)."""
        now = now_s() if now is None else now
        limit = self.limit_for(endpoint)
        q = self.hits.setdefault((uid, endpoint), deque())
        while q and q[0] <= now - 1.0:
            q.popleft()
        if len(q) >= limit:
            return False, limit, 0, int((q[0] + 1.0) * 1000)
        q.append(now)
        return True, limit, limit - len(q), int(now * 1000)

    def reset(self) -> None:
        self.hits.clear()
