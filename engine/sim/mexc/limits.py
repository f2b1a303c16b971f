"""MEXC rate limits (mexc-spot.md §6): every endpoint 500 requests per 10 s per IP; place and cancel
share 12 requests per second per account (batch orders 2 per second).  Over a limit: 429 with
``Retry-After``; requests that keep coming while limited get the IP banned (418, ``Retry-After``).

The windows are rolling; every figure is an attribute, lowered in tests to reach it quickly.
"""

from __future__ import annotations

from collections import deque

from engine.sim.ratelimit import LimitOption, Limits, now_s

__all__ = ["MexcLimiter", "LIMITS", "OPTIONS"]

# The limits this personality enforces (engine.sim.ratelimit.Limits), with their defaults: place + cancel,
# shared, per account; every endpoint per IP.
LIMITS = {"mexc_orders_per_s": 12, "mexc_endpoint_per_10s": 500}


def _per_second(limits: Limits, n: int) -> None:
    limits.mexc_orders_per_s, limits.mexc_endpoint_per_10s = n, 10 * n


OPTIONS = (
    LimitOption("--mexc-per-second", "MEXC place + cancel requests per second per account, and ten times that "
                f"per endpoint per 10 s (default: {LIMITS['mexc_orders_per_s']}, {LIMITS['mexc_endpoint_per_10s']})",
                _per_second),
)


class MexcLimiter:
    def __init__(self, limits: Limits) -> None:
        self.endpoint_per_10s = limits.mexc_endpoint_per_10s
        self.orders_per_s = limits.mexc_orders_per_s     # place + cancel, shared
        self.batch_per_s = 2
        self.ban_after = limits.ban_after               # requests sent while limited before the ban
        self.ban_seconds = limits.ban_seconds
        self.hits: dict[tuple, deque] = {}
        self.limited: dict[str, int] = {}   # ip -> requests sent while limited
        self.banned_until: dict[str, float] = {}

    def _take(self, key: tuple, limit: int, window: float, now: float) -> float | None:
        """None when the request fits, else the seconds until it would."""
        q = self.hits.setdefault(key, deque())
        while q and q[0] <= now - window:
            q.popleft()
        if len(q) >= limit:
            return q[0] + window - now
        q.append(now)
        return None

    def gate(self, ip: str, endpoint: str, account_key: str | None, order: bool, batch: bool,
             now: float | None = None) -> tuple[int, int] | None:
        """None when the request may go on; else (HTTP status 429 or 418, Retry-After seconds)."""
        now = now_s() if now is None else now
        until = self.banned_until.get(ip, 0.0)
        if until > now:
            return 418, max(1, int(until - now + 0.999))
        wait = self._take(("ip", ip, endpoint), self.endpoint_per_10s, 10.0, now)
        if wait is None and account_key is not None and (order or batch):
            wait = self._take(("orders", account_key), self.orders_per_s, 1.0, now)
            if wait is None and batch:
                wait = self._take(("batch", account_key), self.batch_per_s, 1.0, now)
        if wait is None:
            self.limited.pop(ip, None)
            return None
        n = self.limited[ip] = self.limited.get(ip, 0) + 1
        if n > self.ban_after:
            self.banned_until[ip] = now + self.ban_seconds
            self.limited.pop(ip, None)
            return 418, self.ban_seconds
        return 429, max(1, int(wait + 0.999))

    def reset(self) -> None:
        self.hits.clear()
        self.limited.clear()
        self.banned_until.clear()
