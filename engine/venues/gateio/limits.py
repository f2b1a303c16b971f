"""Gate.io spot rate limits as one :class:`RateLimiter` (shared/venues/gateio-spot.md §6).

- Placing and amending: 10 requests per second per currency pair, REST and the WebSocket
  order API together (one window per pair, made on first use: :meth:`GateLimits.place`).
- Cancelling: 200 per second over every pair, a window of its own, so new orders can never
  starve the cancels that take risk off (and a 429 pause holds back everything but cancels).
- Every other private endpoint: 200 per 10 s each; public endpoints 200 per 10 s per IP.

The answers' ``X-Gate-RateLimit-Limit`` / ``-Requests-Remain`` keep each window in step with
the account's real figures; a 429 pauses until ``X-Gate-RateLimit-Reset-Timestamp``.
"""

from __future__ import annotations

from engine.transport.ratelimit import Cost, RateLimiter, Window

__all__ = ["GateLimits", "PLACE_PER_PAIR", "CANCELS_PER_S", "PRIVATE_PER_10S", "CANCEL"]

PLACE_PER_PAIR = 10          # place + amend, per pair per second
CANCELS_PER_S = 200          # the sheet's figure; a 100 r/s figure on the same page is futures' (unconfirmed)
PRIVATE_PER_10S = 200        # other private endpoints, each
CANCEL = "spot-cancel"       # the cancel window's name


class GateLimits:
    """The limiter and the costs of one Gate.io account."""

    def __init__(self, *, cancels_per_s: int = CANCELS_PER_S) -> None:
        self.limiter = RateLimiter("gateio", endpoints={CANCEL: Window(CANCEL, cancels_per_s, 1.0, aligned=False)},
                                   cancel_reserve=0.0)
        self.cancel = Cost(weight=0, endpoint=CANCEL, cancel=True)
        self._place: dict[str, Cost] = {}
        self._other: dict[str, Cost] = {}

    def place(self, pair: str) -> Cost:
        """The cost of placing or amending on ``pair`` (its 10 r/s window, made on first use)."""
        cost = self._place.get(pair)
        if cost is None:
            name = f"spot-place:{pair}"
            if name not in self.limiter.endpoints:
                self.limiter.endpoints[name] = Window(name, PLACE_PER_PAIR, 1.0, aligned=False)
            cost = self._place[pair] = Cost(weight=0, endpoint=name)
        return cost

    def other(self, path: str) -> Cost:
        """The cost of any other request to ``path`` (200 per 10 s per endpoint)."""
        cost = self._other.get(path)
        if cost is None:
            if path not in self.limiter.endpoints:
                self.limiter.endpoints[path] = Window(path, PRIVATE_PER_10S, 10.0, aligned=False)
            cost = self._other[path] = Cost(weight=0, endpoint=path)
        return cost
