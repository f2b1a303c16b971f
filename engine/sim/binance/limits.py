"""Binance rate limits: fixed, clock-aligned windows (1 minute weight per IP; 10 s and 1 day
order counts per account on spot, 10 s and 1 minute on USD-M).  A 429 carries
``Retry-After`` (seconds to the window's end); a client that sends ``ban_after`` more
requests while limited is banned (418, ``Retry-After`` = ban seconds).
"""

from __future__ import annotations

from engine.sim.ratelimit import FixedWindows, LimitOption, Limits, now_s

__all__ = ["BinanceLimiter", "LIMITS", "OPTIONS"]

# The limits this personality enforces (engine.sim.ratelimit.Limits), with their defaults.
LIMITS = {"spot_weight_1m": 6000, "spot_orders_10s": 50, "spot_orders_1d": 160000,
          "usdm_weight_1m": 2400, "usdm_orders_10s": 300, "usdm_orders_1m": 1200}


def _weight(limits: Limits, n: int) -> None:
    limits.spot_weight_1m = limits.usdm_weight_1m = n


def _orders_10s(limits: Limits, n: int) -> None:
    limits.spot_orders_10s = limits.usdm_orders_10s = n


def _orders_1m(limits: Limits, n: int) -> None:
    limits.usdm_orders_1m = n


def _orders_1d(limits: Limits, n: int) -> None:
    limits.spot_orders_1d = n


OPTIONS = (
    LimitOption("--weight-limit", "request weight per minute, both Binance venues (default: "
                f"{LIMITS['spot_weight_1m']} spot, {LIMITS['usdm_weight_1m']} USD-M)", _weight),
    LimitOption("--orders-10s", "orders per 10 s per account, both Binance venues (default: "
                f"{LIMITS['spot_orders_10s']} spot, {LIMITS['usdm_orders_10s']} USD-M)", _orders_10s),
    LimitOption("--orders-1m", f"orders per minute per account, USD-M (default: {LIMITS['usdm_orders_1m']})",
                _orders_1m),
    LimitOption("--orders-1d", f"orders per day per account, spot (default: {LIMITS['spot_orders_1d']})",
                _orders_1d),
)


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
        now = now_s() if now is None else now
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
        return self.windows.used(("w", ip), 60, now_s() if now is None else now)

    def charge(self, ip: str, weight: int) -> None:
        self.windows.add(("w", ip), 60, weight, now_s())

    def refund(self, ip: str, weight: int) -> None:
        self.windows.add(("w", ip), 60, -weight, now_s())

    def order_gate(self, account_key: str, now: float | None = None) -> tuple[int, str, str] | None:
        """Count one new order; None, or (limit, interval text, retry seconds) when over."""
        now = now_s() if now is None else now
        for window, limit, _, interval, num in self.order_windows():
            if self.windows.used(("o", account_key), window, now) + 1 > limit:
                return limit, f"{num} {interval}" if num > 1 else interval, self.windows.reset_in(window, now)
        for window, *_ in self.order_windows():
            self.windows.add(("o", account_key), window, 1, now)
        return None

    def order_counts(self, account_key: str, now: float | None = None) -> list[tuple[str, int]]:
        now = now_s() if now is None else now
        return [(suffix, self.windows.used(("o", account_key), window, now))
                for window, _, suffix, _, _ in self.order_windows()]

    def rate_limits_field(self, ip: str, account_key: str | None) -> list[dict]:
        """The WebSocket API ``rateLimits`` array."""
        now = now_s()
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
