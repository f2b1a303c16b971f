"""Request-weight, order-count and per-endpoint limiters with the venues' accounting.

Binance: fixed, clock-aligned windows (1 minute weight per IP; 10 s and 1 day order
counts per account on spot, 10 s and 1 minute on USD-M).  A 429 carries
``Retry-After`` (seconds to the window's end); a client that sends ``ban_after`` more
requests while limited is banned (418, ``Retry-After`` = ban seconds).
Bybit: rolling 1-second window per (UID, endpoint); breach -> retCode 10006.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

__all__ = ["Limits", "FixedWindows", "BinanceLimiter", "BybitLimiter"]


@dataclass
class Limits:
    """Every limit the simulator enforces; lower them in tests to hit them quickly."""

    spot_weight_1m: int = 6000
    spot_orders_10s: int = 50
    spot_orders_1d: int = 160000
    usdm_weight_1m: int = 2400
    usdm_orders_10s: int = 300
    usdm_orders_1m: int = 1200
    ban_after: int = 3            # requests sent while 429-limited before a 418 ban
    ban_seconds: int = 120
    bybit_per_second: dict | None = None   # endpoint -> limit per rolling second
    bybit_default_per_second: int = 10
    bybit_ip_per_5s: int = 600


BYBIT_DEFAULTS = {
    "order/create": 10, "order/amend": 10, "order/cancel": 10, "order/cancel-all": 10,
    "order/realtime": 50, "order/history": 50, "execution/list": 50, "position/list": 50,
    "account/wallet-balance": 50, "position/set-leverage": 10,
}


def _now() -> float:
    return time.time()


class FixedWindows:
    """Counters over clock-aligned windows keyed by (key, window seconds)."""

    def __init__(self) -> None:
        self._counts: dict[tuple, tuple[int, int]] = {}

    def used(self, key, window: int, now: float) -> int:
        start = int(now // window)
        got = self._counts.get((key, window))
        return got[1] if got and got[0] == start else 0

    def add(self, key, window: int, n: int, now: float) -> int:
        start = int(now // window)
        got = self._counts.get((key, window))
        count = (got[1] if got and got[0] == start else 0) + n
        self._counts[(key, window)] = (start, count)
        return count

    @staticmethod
    def reset_in(window: int, now: float) -> int:
        return max(1, int(window - (now % window)) + (0 if (now % window) == 0 else 0))

    def clear(self) -> None:
        self._counts.clear()


class BinanceLimiter:
    """Weight per IP and order counts per account for one Binance personality."""

    def __init__(self, limits: Limits, venue: str) -> None:
        self.limits = limits
        self.venue = venue
        self.windows = FixedWindows()
        self.banned_until: dict[str, float] = {}
        self.strikes: dict[str, int] = {}

    @property
    def weight_limit(self) -> int:
        return self.limits.spot_weight_1m if self.venue == "spot" else self.limits.usdm_weight_1m

    def order_windows(self) -> list[tuple[int, int, str, str, int]]:
        """(window seconds, limit, header suffix, interval name, interval num)."""
        if self.venue == "spot":
            return [(10, self.limits.spot_orders_10s, "10S", "SECOND", 10),
                    (86400, self.limits.spot_orders_1d, "1D", "DAY", 1)]
        return [(10, self.limits.usdm_orders_10s, "10S", "SECOND", 10),
                (60, self.limits.usdm_orders_1m, "1M", "MINUTE", 1)]

    def gate(self, ip: str, weight: int, now: float | None = None) -> tuple[int, int] | None:
        """Admit a request costing ``weight``; None, or (status, retry_after seconds) for 429/418."""
        now = _now() if now is None else now
        until = self.banned_until.get(ip, 0)
        if until > now:
            return 418, int(until - now) + 1
        used = self.windows.used(("w", ip), 60, now)
        if used + weight > self.weight_limit:
            strikes = self.strikes.get(ip, 0) + 1
            self.strikes[ip] = strikes
            if strikes > self.limits.ban_after:
                self.banned_until[ip] = now + self.limits.ban_seconds
                self.strikes[ip] = 0
                return 418, self.limits.ban_seconds
            return 429, self.windows.reset_in(60, now)
        self.strikes[ip] = 0
        self.windows.add(("w", ip), 60, weight, now)
        return None

    def used_weight(self, ip: str, now: float | None = None) -> int:
        return self.windows.used(("w", ip), 60, _now() if now is None else now)

    def charge(self, ip: str, weight: int) -> None:
        self.windows.add(("w", ip), 60, weight, _now())

    def refund(self, ip: str, weight: int) -> None:
        self.windows.add(("w", ip), 60, -weight, _now())

    def order_gate(self, account_key: str, now: float | None = None) -> tuple[int, str, str] | None:
        """Count one new order; None, or (limit, interval text, retry seconds) when over."""
        now = _now() if now is None else now
        for window, limit, _, interval, num in self.order_windows():
            if self.windows.used(("o", account_key), window, now) + 1 > limit:
                return limit, f"{num} {interval}" if num > 1 else interval, self.windows.reset_in(window, now)
        for window, *_ in self.order_windows():
            self.windows.add(("o", account_key), window, 1, now)
        return None

    def order_counts(self, account_key: str, now: float | None = None) -> list[tuple[str, int]]:
        now = _now() if now is None else now
        return [(suffix, self.windows.used(("o", account_key), window, now))
                for window, _, suffix, _, _ in self.order_windows()]

    def rate_limits_field(self, ip: str, account_key: str | None) -> list[dict]:
        """The WebSocket API ``rateLimits`` array."""
        now = _now()
        out = [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                "limit": self.weight_limit, "count": self.used_weight(ip, now)}]
        if account_key is not None:
            for window, limit, _, interval, num in self.order_windows():
                out.append({"rateLimitType": "ORDERS", "interval": interval, "intervalNum": num,
                            "limit": limit, "count": self.windows.used(("o", account_key), window, now)})
        return out

    def reset(self) -> None:
        self.windows.clear()
        self.banned_until.clear()
        self.strikes.clear()


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
        now = _now() if now is None else now
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
