"""The Engine's connection life: the venue's dead-man switch, reconnects, stale orders, alerts.

A mixin of :class:`~engine.oms.engine.Engine`: cancel-on-disconnect through the venue's
own switch (Binance USD-M countdown cancel-all renewed per symbol with open orders, Bybit
disconnect protection), reconciliation after every stream reconnect, a once-a-second
check of orders with no acknowledgement in time, and the breaker and latency alerts as
events.
"""

from __future__ import annotations

import asyncio
import logging
import time

from engine._enums import OrderState
from engine.errors import EngineError
from engine.oms.breaker import BreakerState
from engine.oms.events import EventKind

__all__ = ["Liveness"]

log = logging.getLogger("engine.oms")


class Liveness:
    """Connection life of the engine (mixed into :class:`~engine.oms.engine.Engine`)."""

    # -- cancel on disconnect (the venue's own dead-man switch) --------------------------------------------
    async def _arm_dead_man(self) -> None:
        seconds = self.cancel_on_disconnect_s
        if hasattr(self.adapter, "disconnect_protection"):
            await self.adapter.disconnect_protection(max(3, int(seconds)))  # Bybit: the venue watches our streams
        elif getattr(self.adapter, "futures", False) and hasattr(self.adapter, "dead_man"):
            self._spawn(self._dead_man_loop(seconds), "dead-man")
        else:
            raise EngineError(f"{self.venue} has no dead-man switch; cancel_on_disconnect_s is not available")

    async def _dead_man_loop(self, seconds: float) -> None:
        """Renew the countdown of every symbol with open orders; let it lapse where none are left."""
        while True:
            wanted = {self.instruments.symbol(i) for i in self._open.values()}
            for symbol in sorted(wanted | self._dead_man_armed):
                try:
                    await self.adapter.dead_man(symbol, seconds if symbol in wanted else 0)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("dead-man switch renewal for %s failed: %s", symbol, exc)
                    continue
                (self._dead_man_armed.add if symbol in wanted else self._dead_man_armed.discard)(symbol)
            await asyncio.sleep(max(0.05, seconds / 3))

    # -- connection life ---------------------------------------------------------------------------------
    async def _on_reconnected(self) -> None:
        self.bus.emit(EventKind.STREAM_RECONNECTED)
        await self.reconciler.run("reconnect")

    def _on_disconnected(self) -> None:
        self.bus.emit(EventKind.STREAM_DISCONNECTED)

    async def _stale_loop(self) -> None:
        """Orders with no acknowledgement in time are queried (the stream or the answer was lost)."""
        while True:
            await asyncio.sleep(1.0)
            try:
                self.store.reclaim(time.time_ns())
                for slot in self.store.stale(time.time_ns()):
                    if slot in self._dormant:
                        continue
                    if slot in self._specs and self.store.state_of(slot) in (OrderState.PENDING, OrderState.UNKNOWN):
                        await self.reconciler.settle(slot)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("stale-order check failed: %s: %s", type(exc).__name__, exc)

    def _on_breaker(self, old: BreakerState, new: BreakerState, reason: str) -> None:
        kind = {BreakerState.OPEN: EventKind.BREAKER_OPENED, BreakerState.HALF_OPEN: EventKind.BREAKER_HALF_OPEN,
                BreakerState.CLOSED: EventKind.BREAKER_CLOSED}[new]
        self.bus.emit(kind, reason=reason)

    def _on_latency_alert(self, stage: str, ns: int, threshold: int, client_order_id: str | None) -> None:
        log.warning("%s latency %.1f ms over %.1f ms (%s)", stage, ns / 1e6, threshold / 1e6, client_order_id)
        self.bus.emit(EventKind.LATENCY_ALERT, stage=stage, latency_ms=ns / 1e6, client_order_id=client_order_id)
