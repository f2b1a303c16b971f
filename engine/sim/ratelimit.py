"""Rate-limit machinery every personality counts with, and the limits the simulator enforces.

:class:`Limits` is the configuration (``SimExchange(limits=...)``, the CLI's limit
options); :class:`FixedWindows` counts over clock-aligned windows.  Each personality's
limiter, with its venue's accounting and answers, is ``engine/sim/<venue>/limits.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["Limits", "FixedWindows", "BYBIT_DEFAULTS", "now_s"]


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
    gateio_place_per_second: int = 10     # places + amends per account and pair, REST and WebSocket together
    gateio_cancel_per_second: int = 200   # cancels per account (a 100 r/s figure is unconfirmed for spot)
    mexc_orders_per_s: int = 12             # place + cancel, shared, per account
    mexc_endpoint_per_10s: int = 500        # per endpoint per IP
    topstepx_per_minute: int = 200          # every request per login per rolling 60 s (bars: 50 / 30 s apart)


BYBIT_DEFAULTS = {
    "order/create": 10, "order/amend": 10, "order/cancel": 10, "order/cancel-all": 10,
    "order/realtime": 50, "order/history": 50, "execution/list": 50, "position/list": 50,
    "account/wallet-balance": 50, "position/set-leverage": 10,
}


def now_s() -> float:
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
