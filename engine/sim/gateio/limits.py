"""Gate.io spot rate limits (gateio-spot.md §6), counted in rolling one-second windows.

* Placing and amending: 10 per second per account and currency pair, REST and the WebSocket
  order API together (single and batch requests count one each).
* Cancelling: 200 per second per account (:attr:`GateLimiter.cancel_per_s`, configurable: a
  100 r/s figure on the venue's page is unconfirmed for spot).
* Every other private endpoint: 200 per 10 s each.

A refusal is HTTP 429 ``TOO_MANY_REQUESTS``; every answer carries ``X-Gate-RateLimit-Limit``,
``-Requests-Remain`` and ``-Reset-Timestamp`` (ms) for the endpoint.
"""

from __future__ import annotations

from collections import deque

from engine.sim.ratelimit import LimitOption, now_s

__all__ = ["GateLimiter", "Verdict", "LIMITS", "OPTIONS"]

# The limits this personality enforces (engine.sim.ratelimit.Limits), with their defaults: places + amends
# per account and pair, REST and WebSocket together; cancels per account (a 100 r/s figure is unconfirmed
# for spot).
LIMITS = {"gateio_place_per_second": 10, "gateio_cancel_per_second": 200}


def _place_per_second(limits, n: int) -> None:
    limits.gateio_place_per_second = n


def _cancel_per_second(limits, n: int) -> None:
    limits.gateio_cancel_per_second = n


OPTIONS = (
    LimitOption("--gateio-per-second", "Gate.io places and amends per pair per second, REST and WebSocket "
                f"together (default: {LIMITS['gateio_place_per_second']})", _place_per_second),
    LimitOption("--gateio-cancels-per-second", "Gate.io cancels per account per second "
                f"(default: {LIMITS['gateio_cancel_per_second']})", _cancel_per_second),
)


class Verdict(tuple):
    """(allowed, limit, remaining, reset ms)."""

    @property
    def headers(self) -> dict[str, str]:
        _, limit, remain, reset = self
        return {"X-Gate-RateLimit-Requests-Remain": str(remain), "X-Gate-RateLimit-Limit": str(limit),
                "X-Gate-RateLimit-Reset-Timestamp": str(reset)}

    @property
    def ws_header(self) -> dict:
        _, limit, remain, reset = self
        return {"x_gate_ratelimit_requests_remain": remain, "x_gate_ratelimit_limit": limit,
                "x_gate_ratelimit_reset_timestamp": reset}


class GateLimiter:
    def __init__(self, *, place_per_s: int = 10, cancel_per_s: int = 200, other_per_10s: int = 200) -> None:
        self.place_per_s = place_per_s
        self.cancel_per_s = cancel_per_s
        self.other_per_10s = other_per_10s
        self.hits: dict[tuple, deque] = {}

    def _hit(self, key: tuple, limit: int, window: float) -> Verdict:
        now = now_s()
        q = self.hits.setdefault(key, deque())
        while q and q[0] <= now - window:
            q.popleft()
        if len(q) >= limit:
            return Verdict((False, limit, 0, int((q[0] + window) * 1000)))
        q.append(now)
        return Verdict((True, limit, limit - len(q), int(now * 1000)))

    def place(self, uid: int, pair: str) -> Verdict:
        return self._hit((uid, "place", pair), self.place_per_s, 1.0)

    def cancel(self, uid: int) -> Verdict:
        return self._hit((uid, "cancel"), self.cancel_per_s, 1.0)

    def other(self, uid: int, endpoint: str) -> Verdict:
        return self._hit((uid, endpoint), self.other_per_10s, 10.0)

    def reset(self) -> None:
        self.hits.clear()
