"""Local rate-limit accounting, kept in step with the venue's usage headers.

Requests wait rather than exceed a limit.  A share of every limit is held back for
cancels (``cancel_reserve``) so that a burst of new orders can never starve the
cancels that take risk off.  A 429 pauses every request but cancels for its Retry-After; a ban
(Binance 418, Bybit 403) makes every request fail fast with :class:`IpBanned` until
it ends.  Both are clamped (``max_pause_s``, ``max_ban_s``): a venue's figure, or a
garbled one, can stop this client for a bounded time only.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import time
from dataclasses import dataclass

from engine.transport.errors import IpBanned, RateLimited

__all__ = ["Window", "RateLimiter", "Cost", "MAX_PAUSE_S", "MAX_BAN_S"]

log = logging.getLogger("engine.transport.ratelimit")

MAX_PAUSE_S = 300.0            # longest pause after a 429
MAX_BAN_S = 3 * 24 * 3600.0    # longest IP ban: Binance bans escalate from 2 minutes to 3 days (§5)


class Window:
    """One limit: ``limit`` units per ``seconds``, clock-aligned (Binance) or rolling (Bybit)."""

    __slots__ = ("name", "limit", "seconds", "aligned", "used", "start", "_events")

    def __init__(self, name: str, limit: int, seconds: float, *, aligned: bool = True):
        if limit <= 0 or seconds <= 0:
            raise ValueError(f"window {name}: limit and seconds must be positive")
        self.name = name
        self.limit = limit
        self.seconds = seconds
        self.aligned = aligned
        self.used = 0
        self.start = 0.0
        self._events: collections.deque[tuple[float, int]] = collections.deque()

    def _roll(self, now: float) -> None:
        if self.aligned:
            start = now - (now % self.seconds)
            if start != self.start:
                self.start, self.used = start, 0
        else:
            horizon = now - self.seconds
            ev = self._events
            while ev and ev[0][0] <= horizon:
                self.used -= ev.popleft()[1]

    def cap(self, share: float) -> int:
        """Units usable at ``share`` of the limit (a limit of 1 cannot hold anything back)."""
        if share >= 1.0 or self.limit <= 1:
            return self.limit
        return max(1, int(self.limit * share))

    def fits(self, cost: int, now: float, share: float = 1.0) -> bool:
        self._roll(now)
        return cost <= 0 or self.used + cost <= self.cap(share)

    def take(self, cost: int, now: float) -> None:
        if cost <= 0:
            return
        self._roll(now)
        self.used += cost
        if not self.aligned:
            self._events.append((now, cost))

    def wait_time(self, cost: int, now: float, share: float = 1.0) -> float:
        """Seconds until ``cost`` fits (0 if it fits now)."""
        if self.fits(cost, now, share):
            return 0.0
        if self.aligned:
            return self.start + self.seconds - now
        need = self.used + cost - self.cap(share)
        freed = 0
        for t, c in self._events:
            freed += c
            if freed >= need:
                return max(0.0, t + self.seconds - now)
        return self.seconds

    def sync(self, used: int, now: float) -> None:
        """The venue's count for the current window: trust it when higher than ours."""
        self._roll(now)
        if used > self.used:
            extra = used - self.used
            self.used = used
            if not self.aligned:
                self._events.append((now, extra))


@dataclass(frozen=True)
class Cost:
    """What one request consumes: IP weight, order count, and its endpoint (for per-endpoint limits)."""

    weight: int = 1
    orders: int = 0
    endpoint: str | None = None
    cancel: bool = False  # cancels may use the reserve


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
        self.clock = clock
        self.paused_until = 0.0   # after a 429
        self.risk_off = False     # the kill switch is on: no new orders, so nothing waits for a 429 pause
        self.banned_until = 0.0   # after a 418 / IP ban
        self.waits = 0            # how often a request had to wait (health figure)
        self._plans: dict[int, tuple[Cost, list[tuple[Window, int, int]]]] = {}

    def set_windows(self, weight: list[Window], orders: list[Window]) -> None:
        """Replace the weight and order windows (e.g. from the venue's published limits)."""
        self.weight, self.orders = list(weight), list(orders)
        self._plans.clear()

    def _plan(self, cost: Cost) -> list[tuple[Window, int, int]]:
        """(window, units, cap) for each window ``cost`` touches; cached per Cost object."""
        entry = self._plans.get(id(cost))
        if entry is None or entry[0] is not cost:
            share = 1.0 if cost.cancel else 1.0 - self.cancel_reserve
            plan = [(w, units, w.cap(share)) for w, units in self._windows(cost) if units > 0]
            entry = self._plans[id(cost)] = (cost, plan)
        return entry[1]

    def try_take(self, cost: Cost) -> bool:
        """The hot path: account for ``cost`` and return True if it fits now, else False (then ``acquire``)."""
        now = self.clock()
        if now < self.banned_until:
            self.check_ban()
        if now < self.paused_until and not (cost.cancel or self.risk_off):
            return False
        entry = self._plans.get(id(cost))
        plan = entry[1] if entry is not None and entry[0] is cost else self._plan(cost)
        for w, units, cap in plan:
            # Window._roll, inlined: this runs for every window of every order
            if w.aligned:
                start = now - (now % w.seconds)
                if start != w.start:
                    w.start, w.used = start, 0
            else:
                events = w._events
                horizon = now - w.seconds
                while events and events[0][0] <= horizon:
                    w.used -= events.popleft()[1]
            if w.used + units > cap:
                return False
        for w, units, cap in plan:
            w.used += units
            if not w.aligned:
                w._events.append((now, units))
        return True

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
            self._plans.clear()
        used = limit - remaining if remaining < limit else 0
        # Window.sync, inlined (this runs for every answer of the order paths that read these headers)
        if w.aligned:
            start = now - (now % w.seconds)
            if start != w.start:
                w.start, w.used = start, 0
        else:
            events = w._events
            horizon = now - w.seconds
            while events and events[0][0] <= horizon:
                w.used -= events.popleft()[1]
        if used > w.used:
            if not w.aligned:
                w._events.append((now, used - w.used))
            w.used = used

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
