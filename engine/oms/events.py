"""Engine events: synchronous callbacks for the lowest latency, async iteration for convenience."""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["EventKind", "Event", "EventBus", "EventStream"]

log = logging.getLogger("engine.oms.events")


class EventKind(str, enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    AMENDED = "amended"
    TRIGGERED = "triggered"
    UNKNOWN = "unknown"                  # an order whose answer was lost (resolved later)
    RESOLVED = "resolved"                # an UNKNOWN order settled (adopted or re-sent)
    # An order the engine did not place, seen on the user-data stream and taken into the store
    # at once (its fills move positions like ours).  data: ``origin`` = "algo" (the order a
    # triggered USD-M conditional order of ours created), "liquidation", "adl", "settlement" or
    # "external" (placed by hand, another program, ...); ``parent`` = the algo order's client id
    # when origin is "algo".  The adopted order's own events (accepted, filled...) follow.
    ADOPTED = "adopted"
    # A venue-created order tied to our order that spawned it (USD-M: the child of a triggered
    # conditional order, linked by the ALGO_UPDATE's ``ai``); ``order`` is our order, data
    # ``child`` the child's view.  Emitted once per child, whichever of the two messages came first.
    LINKED = "linked"
    POSITION_CHANGED = "position_changed"
    BALANCE_CHANGED = "balance_changed"
    STREAM_DISCONNECTED = "stream_disconnected"
    STREAM_RECONNECTED = "stream_reconnected"
    RECONCILED = "reconciled"            # data: the differences found
    BREAKER_OPENED = "breaker_opened"
    BREAKER_HALF_OPEN = "breaker_half_open"
    BREAKER_CLOSED = "breaker_closed"
    LATENCY_ALERT = "latency_alert"
    HALTED = "halted"


@dataclass(slots=True)
class Event:
    """One thing that happened: ``order`` is an Order view for order events, else None."""

    kind: EventKind
    ts_ns: int
    order: Any = None
    symbol: str | None = None
    data: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        who = f" {self.order.client_order_id}" if self.order is not None else (f" {self.symbol}" if self.symbol else "")
        return f"Event({self.kind.value}{who})"


class EventBus:
    """Fan-out of events to callbacks and to ``async for`` consumers.

    Events are built only when someone listens.  A slow async consumer never blocks the
    engine: its queue is bounded and overflow is counted and logged.
    """

    def __init__(self, queue_size: int = 100_000):
        self._callbacks: list[Callable[[Event], None]] = []
        self._queues: list[asyncio.Queue] = []
        self.queue_size = queue_size
        self.dropped = 0
        self.emitted = 0

    @property
    def active(self) -> bool:
        return bool(self._callbacks or self._queues)

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``callback(event)`` synchronously for every event; returns an unsubscribe function."""
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def emit(self, kind: EventKind, *, order=None, symbol: str | None = None, **data) -> Event | None:
        if not self._callbacks and not self._queues:
            return None
        ev = Event(kind, time.time_ns(), order, symbol, data)
        self.emitted += 1
        for cb in list(self._callbacks):
            try:
                cb(ev)
            except Exception:
                log.exception("event callback failed on %s", kind.value)
        for q in self._queues:
            try:
                q.put_nowait(ev)
            except asyncio.QueueFull:
                self.dropped += 1
                if self.dropped in (1, 10, 100) or self.dropped % 1000 == 0:
                    log.warning("event consumer too slow: %d events dropped", self.dropped)
        return ev

    def stream(self) -> "EventStream":
        """Every event from the moment this is called: ``async for ev in bus.stream()``."""
        return EventStream(self)


class EventStream:
    """An async iterator over a bus's events, subscribed from creation (nothing emitted after
    ``stream()`` returned is missed, even before the first ``async for`` step).  ``close()`` (or
    leaving ``async with``) unsubscribes."""

    def __init__(self, bus: EventBus):
        self._bus = bus
        self._queue: asyncio.Queue = asyncio.Queue(bus.queue_size)
        bus._queues.append(self._queue)

    def __aiter__(self) -> "EventStream":
        return self

    async def __anext__(self) -> Event:
        if self._queue not in self._bus._queues and self._queue.empty():
            raise StopAsyncIteration
        return await self._queue.get()

    def close(self) -> None:
        if self._queue in self._bus._queues:
            self._bus._queues.remove(self._queue)

    async def __aenter__(self) -> "EventStream":
        return self

    async def __aexit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
