"""Bybit rate limits: a rolling 1-second window per (UID, endpoint); a breach answers retCode 10006."""

from __future__ import annotations

from collections import deque

from engine.sim.ratelimit import LimitOption, Limits, now_s

__all__ = ["BybitLimiter", "BYBIT_DEFAULTS", "LIMITS", "OPTIONS"]

# endpoint -> requests per rolling second per UID (linear; spot's create and cancel: limit_for)
BYBIT_DEFAULTS = {
    "order/create": 10, "order/amend": 10, "order/cancel": 10, "order/cancel-all": 10,
    "order/realtime": 50, "order/history": 50, "execution/list": 50, "position/list": 50,
    "account/wallet-balance": 50, "position/set-leverage": 10,
}

# The limits this personality enforces (engine.sim.ratelimit.Limits), with their defaults:
# bybit_per_second, endpoint -> limit per rolling second, overrides BYBIT_DEFAULTS.
LIMITS = {"bybit_per_second": None, "bybit_default_per_second": 10, "bybit_ip_per_5s": 600}


def _per_second(limits: Limits, n: int) -> None:
    limits.bybit_default_per_second = n
    limits.bybit_per_second = {name: n for name in BYBIT_DEFAULTS}


OPTIONS = (
    LimitOption("--bybit-per-second", "Bybit requests per endpoint per rolling second, every endpoint (default: "
                f"{' or '.join(map(str, sorted(set(BYBIT_DEFAULTS.values()))))} by endpoint, "
                f"{LIMITS['bybit_default_per_second']} elsewhere)", _per_second),
)


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
