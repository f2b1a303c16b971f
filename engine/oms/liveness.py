"""The Engine's connection life: the venue's dead-man switch, reconnects, stuck orders, alerts.

Composed into :class:`~engine.oms.engine.Engine`: cancel-on-disconnect through the venue's
own switch (``Capability.CANCEL_ON_DISCONNECT``: renewed every ``seconds / 3`` with the
symbols that have open orders, so the venue cancels them if the engine goes silent),
reconciliation after every stream reconnect, a check of orders with no acknowledgement in
time, and the breaker and latency alerts as events.

Stuck orders (PENDING or UNKNOWN past the acknowledgement timeout, and not already being
resolved) are queried with a per-order backoff (1 s, doubling, at most ``max_poll_s``)
and at most ``max_queries`` per round, so a pile of them cannot eat the venue's request
weight.
"""

from __future__ import annotations

import asyncio
import logging
import time

from engine._enums import OrderState
from engine.errors import EngineError
from engine.oms.breaker import BreakerState
from engine.oms.events import EventKind
from engine.venues.base import Capability

__all__ = ["Liveness"]

log = logging.getLogger("engine.oms")


class Liveness:
    """Connection life of one engine."""

    def __init__(self, engine, *, max_poll_s: float = 30.0, max_queries: int = 5) -> None:
        self.eng = engine
        self.armed = False                  # the venue's dead-man switch is armed by this engine
        self.max_poll_s = max_poll_s
        self.max_queries = max_queries
        self._next_poll: dict[int, tuple[float, float]] = {}    # slot -> (next query at, current interval)

    # -- cancel on disconnect (the venue's own dead-man switch) --------------------------------------------
    async def arm_dead_man(self, seconds: float) -> None:
        eng = self.eng
        if Capability.CANCEL_ON_DISCONNECT not in eng.adapter.capabilities:
            raise EngineError(f"{eng.venue} has no dead-man switch; cancel_on_disconnect_s is not available")
        await self._renew(seconds)
        eng.spawn(self._dead_man_loop(seconds), "dead-man")

    async def disarm_dead_man(self) -> None:
        """A clean stop keeps the orders: the switch is disarmed."""
        if not self.armed:
            return
        self.armed = False
        try:
            await self.eng.adapter.disarm_cancel_on_disconnect()
        except Exception as exc:
            log.warning("disarming the dead-man switch failed: %s", exc)

    async def _renew(self, seconds: float) -> None:
        await self.eng.adapter.cancel_on_disconnect(seconds, self.eng.tracker.open_symbols())
        self.armed = True

    async def _dead_man_loop(self, seconds: float) -> None:
        """Renew the switch with the symbols that have open orders, every ``seconds / 3``."""
        while True:
            await asyncio.sleep(max(0.05, seconds / 3))
            try:
                await self._renew(seconds)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dead-man switch renewal failed: %s", exc)

    # -- connection life ---------------------------------------------------------------------------------
    async def on_reconnected(self) -> None:
        self.eng.bus.emit(EventKind.STREAM_RECONNECTED)
        await self.eng.reconciler.run("reconnect")

    def on_disconnected(self) -> None:
        self.eng.bus.emit(EventKind.STREAM_DISCONNECTED)

    async def stale_loop(self, period: float = 1.0) -> None:
        """Orders with no acknowledgement in time are queried (the stream or the answer was lost)."""
        while True:
            await asyncio.sleep(period)
            try:
                await self.check_stale()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("stale-order check failed: %s: %s", type(exc).__name__, exc)

    async def check_stale(self) -> int:
        """One round: query the stuck orders that are due; returns how many were queried."""
        eng = self.eng
        tracker = eng.tracker
        store = eng.store
        now_ns = time.time_ns()
        store.reclaim(now_ns)
        now = time.monotonic()
        stale = [s for s in store.stale(now_ns)
                 if not tracker.is_dormant(s) and tracker.spec(s) is not None and not eng.resolver.is_resolving(s)
                 and store.state_of(s) in (OrderState.PENDING, OrderState.UNKNOWN)]
        alive = set(stale)
        for slot in [s for s in self._next_poll if s not in alive]:
            del self._next_poll[slot]
        queried = 0
        for slot in stale:
            due, interval = self._next_poll.get(slot, (0.0, 1.0))
            if due > now or queried >= self.max_queries:
                continue
            queried += 1
            self._next_poll[slot] = (now + interval, min(self.max_poll_s, interval * 2))
            await eng.reconciler.settle(slot)
        return queried

    def on_breaker(self, old: BreakerState, new: BreakerState, reason: str) -> None:
        kind = {BreakerState.OPEN: EventKind.BREAKER_OPENED, BreakerState.HALF_OPEN: EventKind.BREAKER_HALF_OPEN,
                BreakerState.CLOSED: EventKind.BREAKER_CLOSED}[new]
        self.eng.bus.emit(kind, reason=reason)

    def on_latency_alert(self, stage: str, ns: int, threshold: int, client_order_id: str | None) -> None:
        log.warning("%s latency %.1f ms over %.1f ms (%s)", stage, ns / 1e6, threshold / 1e6, client_order_id)
        self.eng.bus.emit(EventKind.LATENCY_ALERT, stage=stage, latency_ms=ns / 1e6, client_order_id=client_order_id)
