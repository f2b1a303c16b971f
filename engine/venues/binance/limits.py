"""Binance rate limits: defaults from the fact sheets, replaced by ``exchangeInfo.rateLimits``."""

from __future__ import annotations

from engine.transport.ratelimit import RateLimiter, Window

__all__ = ["default_limiter", "limiter_from_exchange_info", "window_name"]

_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}
_SUFFIX = {"SECOND": "s", "MINUTE": "m", "HOUR": "h", "DAY": "d"}


def window_name(kind: str, interval: str, num: int) -> str:
    """('REQUEST_WEIGHT', 'MINUTE', 1) -> 'weight-1m', matching X-MBX-USED-WEIGHT-1M."""
    prefix = "weight" if kind == "REQUEST_WEIGHT" else "orders"
    return f"{prefix}-{num}{_SUFFIX[interval]}"


def _build(venue: str, limits: list[tuple[str, str, int, int]]) -> RateLimiter:
    weight, orders = [], []
    for kind, interval, num, limit in limits:
        if kind == "RAW_REQUESTS":
            continue  # 300,000 / 5 min: far above what weight allows
        w = Window(window_name(kind, interval, num), limit, _SECONDS[interval] * num, aligned=True)
        (weight if kind == "REQUEST_WEIGHT" else orders).append(w)
    return RateLimiter(venue, weight=weight, orders=orders)


def default_limiter(venue: str) -> RateLimiter:
    """Documented defaults (spot: 6000 weight/min, 50 orders/10 s, 160,000/day; USD-M: 2400, 300/10 s, 1200/min)."""
    if venue == "binance-usdm":
        return _build(venue, [("REQUEST_WEIGHT", "MINUTE", 1, 2400), ("ORDERS", "SECOND", 10, 300),
                              ("ORDERS", "MINUTE", 1, 1200)])
    return _build(venue, [("REQUEST_WEIGHT", "MINUTE", 1, 6000), ("ORDERS", "SECOND", 10, 50),
                          ("ORDERS", "DAY", 1, 160000)])


def limiter_from_exchange_info(venue: str, info: dict, previous: RateLimiter | None = None) -> RateLimiter:
    """The venue's own limits; keeps counts and any pause or ban of ``previous``."""
    rows = [(r["rateLimitType"], r["interval"], int(r["intervalNum"]), int(r["limit"]))
            for r in info.get("rateLimits", []) if r.get("interval") in _SECONDS]
    limiter = _build(venue, rows) if rows else default_limiter(venue)
    if previous is not None:
        limiter.paused_until, limiter.banned_until = previous.paused_until, previous.banned_until
        old = {w.name: w for w in (*previous.weight, *previous.orders)}
        for w in (*limiter.weight, *limiter.orders):
            if w.name in old:
                w.used, w.start = old[w.name].used, old[w.name].start
    return limiter
