"""Local rate-limit accounting, kept in step with the venue's usage headers.

Requests wait rather than exceed a limit.  A share of every limit is held back for
cancels (``cancel_reserve``) so that a burst of new orders can never starve the
cancels that take risk off.  A 429 pauses every request but cancels for its Retry-After; a ban
(Binance 418, Bybit 403) makes every request fail fast with :class:`IpBanned` until
it ends.  Both are clamped (``max_pause_s``, ``max_ban_s``): a venue's figure, or a
garbled one, can stop this client for a bounded time only.

The windows and the take of one request over them are compiled (:mod:`engine._ratelimit`;
a rolling window keeps its events in a C ring): :meth:`RateLimiter.try_take`, run for
every order, allocates nothing.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass

from engine._ratelimit import TakeGate, TakePlan, Window
from engine._transport_steps import limiter_try_take
from engine.transport.errors import IpBanned, RateLimited

__all__ = ["Window", "RateLimiter", "Cost", "MAX_PAUSE_S", "MAX_BAN_S"]

log = logging.getLogger("engine.transport.ratelimit")

MAX_PAUSE_S = 300.0            # longest pause after a 429
MAX_BAN_S = 3 * 24 * 3600.0    # longest IP ban: Binance bans escalate from 2 minutes to 3 days (§5)


@dataclass(frozen=True)
class Cost:
    """What one request consumes: IP weight, order count, and its endpoint (for per-endpoint limits)."""

    weight: int = 1
    orders: int = 0
    endpoint: str | None = None
    cancel: bool = False  # cancels may use the reserve


def _on_gate(name: str, doc: str) -> property:
    """A RateLimiter attribute that lives on its compiled gate (``self._gate``)."""
    return property(lambda self: getattr(self._gate, name), lambda self, value: setattr(self._gate, name, value),
                    doc=doc)


class RateLimiter:
    """Every limit of one venue connection set.  ``acquire`` before sending, ``observe`` each answer.

    ``max_pause_s`` caps the pause after a 429 and ``max_ban_s`` the wait after an IP
    ban, whatever Retry-After said.
    """

    def __init__(self, venue: str, *, weight: list[Window] = (), orders: list[Window] = (),
                 endpoints: dict[str, Window] | None = None, cancel_reserve: float = 0.1,
                 max_wait: float = 30.0, max_pause_s: float = MAX_PAUSE_S, max_ban_s: float = MAX_BAN_S,
                 clock=time.monotonic):
        if not (0 < max_pause_s < math.inf and 0 < max_ban_s < math.inf):
            raise ValueError("max_pause_s and max_ban_s must be positive and finite")
        self.venue = venue
        self.weight = list(weight)
        self.orders = list(orders)
        self.endpoints = dict(endpoints or {})
        self.cancel_reserve = cancel_reserve
        self.max_wait = max_wait
        self.max_pause_s = max_pause_s
        self.max_ban_s = max_ban_s
        # the ban and pause ends, the kill switch, the clock and the plans: what try_take reads, compiled
        self._gate = TakeGate(clock)
        self.waits = 0            # how often a request had to wait (health figure)

    # -- state kept by the compiled gate (engine._ratelimit.TakeGate) ------------------------------------
    # state the compiled gate keeps, read and set here as attributes
    clock = _on_gate("clock", "The clock the windows and pauses are read on.")
    paused_until = _on_gate("paused_until", "Clock s: after a 429, no request but cancels before this (unless "
                                            "``risk_off``).")
    banned_until = _on_gate("banned_until", "Clock s: after a 418 / IP ban, no request at all before this.")
    risk_off = _on_gate("risk_off", "The kill switch is on: no new orders, so nothing waits for a 429 pause.")

    def set_windows(self, weight: list[Window], orders: list[Window]) -> None:
        """Replace the weight and order windows (e.g. from the venue's published limits)."""
        self.weight, self.orders = list(weight), list(orders)
        self._gate.clear()

    def _plan(self, cost: Cost) -> None:
        """(window, units, cap) for each window ``cost`` touches, kept by the gate for this Cost object."""
        share = 1.0 if cost.cancel else 1.0 - self.cancel_reserve
        self._gate.put(cost, TakePlan([(w, units, w.cap(share)) for w, units in self._windows(cost) if units > 0]))

    # (cost) -> bool, the hot path: account for ``cost`` and return True if it fits now, else False (then
    # ``acquire``); raises IpBanned during a ban, nothing taken.  Compiled: its gate's take, then any plan made.
    try_take = limiter_try_take

    def _windows(self, cost: Cost):
        for w in self.weight:
            yield w, cost.weight
        for w in self.orders:
            yield w, cost.orders
        if cost.endpoint is not None and cost.endpoint in self.endpoints:
            yield self.endpoints[cost.endpoint], 1

    def check_ban(self) -> None:
        now = self.clock()
        if now < self.banned_until:
            remaining = self.banned_until - now
            raise IpBanned(self.venue, 418, f"IP banned by the venue for another {remaining:.1f} s; "
                           "no request is sent until the ban ends", http_status=418, retry_after=remaining)

    def delay(self, cost: Cost) -> float:
        """Seconds this request must wait now (0: send at once)."""
        self.check_ban()
        now = self.clock()
        share = 1.0 if cost.cancel else 1.0 - self.cancel_reserve
        # a 429 pause holds back new orders and reads; cancels go on, on their own reserve (they take
        # risk off, and the kill switch must work during a pause)
        wait = 0.0 if cost.cancel or self.risk_off else max(0.0, self.paused_until - now)
        for window, units in self._windows(cost):
            wait = max(wait, window.wait_time(units, now, share))
        return wait

    def take(self, cost: Cost) -> None:
        now = self.clock()
        for window, units in self._windows(cost):
            window.take(units, now)

    async def acquire(self, cost: Cost) -> None:
        """Wait until ``cost`` fits every window, then account for it."""
        waited = 0.0
        while True:
            wait = self.delay(cost)
            if wait <= 0:
                self.take(cost)
                return
            if waited + wait > self.max_wait:
                raise RateLimited(self.venue, None, f"rate limit would need a {waited + wait:.1f} s wait "
                                  f"(more than {self.max_wait:.1f} s)", retry_after=wait)
            self.waits += 1
            await asyncio.sleep(wait + 0.001)
            waited += wait

    # -- feedback from answers --------------------------------------------------
    def observe_usage(self, name: str, used: int) -> None:
        """A usage header: ``name`` is a window name (e.g. 'weight-1m', 'orders-10s')."""
        now = self.clock()
        for w in (*self.weight, *self.orders):
            if w.name == name:
                w.sync(used, now)

    def observe_endpoint(self, endpoint: str, limit: int, remaining: int) -> None:
        """Bybit's X-Bapi-Limit / X-Bapi-Limit-Status for one endpoint."""
        now = self.clock()
        w = self.endpoints.get(endpoint)
        if w is None or w.limit != limit:
            w = self.endpoints[endpoint] = Window(endpoint, max(1, limit), 1.0, aligned=False)
            self._gate.clear()
        w.sync(limit - remaining if remaining < limit else 0, now)     # compiled: no Python steps to save inline

    def on_throttled(self, retry_after: float | None) -> None:
        """HTTP 429 (or the venue's equivalent code): pause everything for Retry-After.

        1 s when the venue gave no usable figure (None, nan, 0 or less); never more than ``max_pause_s``.
        """
        pause = min(_usable(retry_after, 1.0), self.max_pause_s)
        self.paused_until = max(self.paused_until, self.clock() + pause)
        log.warning("%s: throttled by the venue; pausing requests for %.1f s", self.venue, pause)

    def on_banned(self, retry_after: float | None) -> None:
        """HTTP 418 / IP ban: no request at all until the ban ends.

        120 s (Binance's first ban) when the venue gave no usable figure (None, nan, 0
        or less); never more than ``max_ban_s``.
        """
        ban = min(_usable(retry_after, 120.0), self.max_ban_s)
        self.banned_until = max(self.banned_until, self.clock() + ban)
        log.error("%s: IP banned by the venue for %.0f s; all requests stop until then", self.venue, ban)


def _usable(seconds: float | None, default: float) -> float:
    """``seconds`` when it is a positive number (inf included: the caller clamps), else ``default``."""
    if seconds is None or math.isnan(seconds) or seconds <= 0:
        return default
    return seconds
