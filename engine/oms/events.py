"""Engine events: synchronous callbacks for the lowest latency, async iteration for convenience.

An ``events()`` stream costs something only while someone reads it:

1. The bus holds streams weakly: a stream nobody references any more is unsubscribed
   at once (``eng.events()`` called and dropped, a consumer task gone).
2. Outside ``async with``, a stream serves one ``async for`` loop: when the loop ends
   by ``break``, ``return``, an exception or cancellation, Python drops the loop's
   iterator and the stream closes.  Inside ``async with eng.events() as events:`` it
   stays open across loops until the block ends.
3. A stream subscribed but not read holds at most ``queue_size`` events (10,000 by
   default).  One more and it overflows: its queue is dropped, it is unsubscribed,
   counted (``EventBus.overflows``, ``EventBus.dropped``), and its next ``__anext__``
   raises :class:`EventsOverflow`, never skips events silently.

The same outcome is told by the same events on every venue and order-entry path (REST or
WebSocket), whatever the venue sent first:

===============================================  ================================================
outcome                                          events, in order
===============================================  ================================================
market order (or IOC/FOK) fills                  accepted, [partially_filled...,] filled,
                                                 balance_changed
IOC/FOK finds nothing (or only part) to fill     accepted, [partially_filled,] expired,
                                                 balance_changed (a venue that calls it
                                                 "cancelled" is read as an expiry too)
limit order rests, then fills                    accepted, [balance_changed,] [partially_filled
                                                 ...,] filled, balance_changed
limit order rests, then is cancelled             accepted, [balance_changed,] cancelled,
                                                 [balance_changed]
the venue refuses it (documented rejection)      rejected
the answer is lost                               unknown, then resolved with the venue's word
                                                 (accepted/filled/... or not_placed)
amend                                            amended (a cancel-replace venue: the old order's
                                                 cancelled and the replacement's accepted come
                                                 first)
===============================================  ================================================

A callback may take only some kinds (``subscribe(callback, kinds=...)``, ``eng.on(callback,
kinds=...)``): it is called for those alone, and while no subscriber takes ``balance_changed``
(every stream takes every kind) the account's balance messages are written to the compiled
account without an event being made for them.

``accepted`` always comes first: when the first word of an order is already a fill or its end
(a market order's REST answer), the engine emits ``accepted`` before it.  A fill is always
followed by a ``balance_changed``: when the venue's account update overtook the fill's record
it is emitted again after the fill (data ``early=True``).  On derivatives accounts a
``position_changed`` follows each fill too.  Brackets add ``bracket_exit_failed``; adopted
orders ``adopted`` (and ``linked``) before their own events.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import logging
import weakref
from typing import Callable

from engine._events import BusCore, Event, Only
from engine.errors import EngineError

__all__ = ["EventKind", "Event", "EventBus", "EventStream", "EventsOverflow", "DEFAULT_QUEUE_SIZE"]

DEFAULT_QUEUE_SIZE = 10_000  # events one stream may hold unread before it overflows

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
    RESOLVED = "resolved"                # an UNKNOWN order settled: data ``how`` = stream, adopted or resent
    # An UNKNOWN order the venue never had, found once its request could no longer be accepted, and
    # not re-sent (data ``reason``: halted, withdrawn by the caller, executes at once, ...).  Terminal.
    NOT_PLACED = "not_placed"
    # Alarm: the venue executed something the engine had not counted on: a fill for an order taken as
    # REJECTED or NOT_PLACED, or a second venue order under one of our client ids.  The fill is applied
    # (never dropped) and the circuit breaker is tripped; data ``reason``.
    UNEXPECTED_EXECUTION = "unexpected_execution"
    # An exit of an engine-managed bracket could not be placed (or ended without filling): data
    # ``reason``, ``policy`` ("flatten": a reduce-only market order closed that part, in ``flatten``,
    # or ``flatten_error`` when it could not; "alert": the position is left to the bot) and
    # ``unprotected`` (the quantity concerned).
    BRACKET_EXIT_FAILED = "bracket_exit_failed"
    # An order the engine did not place, seen on the user-data stream (or by reconciliation) and taken
    # into the store at once (its fills move positions like ours).  data: ``origin`` = "child" (an order
    # one of ours created when it triggered), "exit" (an exit the venue attached to our bracket's entry),
    # "liquidation", "adl", "settlement", "duplicate" (a second venue order under one of our client ids)
    # or "external" (placed by hand, another program, ...); ``parent`` = our order's client id for a
    # child or an exit.  The adopted order's own events (accepted, filled...) follow.
    ADOPTED = "adopted"
    # A venue-created order tied to our order that spawned it (the child of a triggered conditional
    # order, named in our order's record); ``order`` is our order, data ``child`` the child's view.
    # Emitted once per child, whichever of the two records came first.
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


class EventsOverflow(EngineError):
    """An ``events()`` stream fell more than its queue size behind and was closed.

    The events it held and every later one are lost to it: read the state afresh
    (``eng.open_orders()``, ``eng.positions()``, ``eng.balances()``) and open a new
    ``eng.events()``.
    """

    def __init__(self, queue_size: int, dropped: int):
        super().__init__(f"event stream overflowed: more than {queue_size} events unread; "
                         f"{dropped} dropped and the stream closed (read the state again and "
                         "open a new eng.events())")
        self.queue_size = queue_size
        self.dropped = dropped


def _kinds(kinds) -> frozenset:
    """``kinds`` as a non-empty frozenset of EventKind (TypeError / ValueError naming what is wrong)."""
    if isinstance(kinds, (str, EventKind)):
        kinds = (kinds,)
    try:
        out = frozenset(EventKind(k) for k in kinds)
    except TypeError:
        raise TypeError(f"kinds must be an iterable of EventKind, not {type(kinds).__name__}") from None
    except ValueError as exc:
        raise ValueError(f"unknown event kind in kinds: {exc}; one of {[k.value for k in EventKind]}") from None
    if not out:
        raise ValueError("kinds is empty: no event would ever be delivered")
    return out


class EventBus(BusCore):
    """Fan-out of events to callbacks and to ``async for`` consumers.

    Events are built only when someone listens.  A slow async consumer never blocks the
    engine: its stream is bounded and overflows (see the module docstring).
    """

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE):
        if queue_size <= 0:
            raise ValueError("queue_size must be positive")
        # (BusCore holds the subscribers: _callbacks, _balance (those taking balance_changed), _every
        # (callbacks of every kind), _kinds (kind -> callbacks of it alone), _streams (weak: rule 1))
        self.queue_size = queue_size
        self.dropped = 0      # events lost by streams that overflowed
        self.overflows = 0    # streams closed by an overflow

    @property
    def wants_balance(self) -> bool:
        """Whether a subscriber takes ``balance_changed`` events."""
        return bool(self._balance or self._streams)

    def listener_lists(self) -> tuple[list, list]:
        """The callback and stream lists themselves (changed in place, never replaced): what the compiled
        stream loop holds to see, without a call, whether anyone listens."""
        return self._callbacks, self._streams

    def balance_listeners(self) -> list:
        """The callbacks that take ``balance_changed`` (changed in place, never replaced): with the stream
        list, what the compiled stream loop reads before it writes a balance message without an event."""
        return self._balance

    @property
    def streams(self) -> int:
        """Streams subscribed now."""
        return len(self._streams)

    def subscribe(self, callback: Callable[[Event], None], kinds=None) -> Callable[[], None]:
        """Call ``callback(event)`` synchronously for every event, or only for those of ``kinds`` (an
        iterable of :class:`EventKind` or their values); returns an unsubscribe function."""
        if not callable(callback):
            raise TypeError(f"callback must be callable, not {type(callback).__name__}")
        if kinds is None:
            target, kinds = callback, ()
            balance = True
            self._every += 1
        else:
            target = Only(callback, _kinds(kinds))
            kinds = target.kinds
            balance = EventKind.BALANCE_CHANGED in kinds
            for kind in kinds:
                self._kinds[kind] = self._kinds.get(kind, 0) + 1
        self._callbacks.append(target)
        if balance:
            self._balance.append(target)

        def unsubscribe() -> None:
            if target not in self._callbacks:
                return                      # (already unsubscribed)
            self._callbacks.remove(target)
            if target in self._balance:
                self._balance.remove(target)
            if kinds:
                for kind in kinds:
                    left = self._kinds[kind] - 1
                    if left:
                        self._kinds[kind] = left
                    else:
                        del self._kinds[kind]
            else:
                self._every -= 1
        return unsubscribe

    def stream(self, queue_size: int | None = None) -> "EventStream":
        """Every event from the moment this is called: ``async for ev in bus.stream()``."""
        return EventStream(self, self.queue_size if queue_size is None else queue_size)

    def _forget(self, ref: weakref.ref) -> None:
        try:
            self._streams.remove(ref)
        except ValueError:
            pass


class EventStream:
    """An async iterator over a bus's events, subscribed from creation (nothing emitted after
    ``stream()`` returned is missed, even before the first ``async for`` step).

    ``close()``, ``aclose()``, leaving ``async with``, or (outside ``async with``) leaving
    the ``async for`` loop unsubscribes it; so does dropping the last reference to it.
    See the module docstring for the rules.
    """

    __slots__ = ("_bus", "_ref", "_queue", "_size", "_waiters", "_subscribed", "_closed", "_scoped",
                 "_loop_ended", "_overflow", "__weakref__")

    def __init__(self, bus: EventBus, queue_size: int = DEFAULT_QUEUE_SIZE):
        if queue_size <= 0:
            raise ValueError("queue_size must be positive")
        self._bus = bus
        self._queue: collections.deque[Event] = collections.deque()
        self._size = queue_size
        self._waiters: list[asyncio.Future] = []
        self._closed = False
        self._scoped = False       # inside async with: loops do not close it
        self._loop_ended = False   # closed because the async for loop over it ended
        self._overflow: EventsOverflow | None = None
        self._ref = weakref.ref(self, bus._forget)
        self._subscribed = True
        bus._streams.append(self._ref)

    # -- state ------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def overflowed(self) -> bool:
        return self._overflow is not None

    def __len__(self) -> int:
        """Events waiting to be read."""
        return len(self._queue)

    # -- feeding (from EventBus.emit) ---------------------------------------------
    def _push(self, ev: Event) -> None:
        queue = self._queue
        if len(queue) >= self._size:
            self._overflowed()
            return
        queue.append(ev)
        if self._waiters:
            self._wake()

    def _overflowed(self) -> None:
        lost = len(self._queue) + 1
        self._queue.clear()
        self._overflow = EventsOverflow(self._size, lost)
        bus = self._bus
        bus.dropped += lost
        bus.overflows += 1
        if bus.overflows in (1, 10, 100) or bus.overflows % 1000 == 0:
            log.warning("event stream not read: more than %d events queued; %d dropped and the stream "
                        "closed (%d stream(s) so far)", self._size, lost, bus.overflows)
        self._closed = True
        self._unsubscribe()
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for w in waiters:
            if not w.done():
                w.set_result(None)

    def _unsubscribe(self) -> None:
        if self._subscribed:
            self._subscribed = False
            self._bus._forget(self._ref)

    # -- reading ------------------------------------------------------------------
    def __aiter__(self):
        if self._loop_ended:
            raise RuntimeError("this event stream was closed when the async for loop over it ended; "
                               "call eng.events() again, or read one stream in several loops inside "
                               "'async with eng.events() as events:'")
        return self if self._scoped else _Loop(self)

    async def __anext__(self) -> Event:
        while True:
            if self._overflow is not None:
                raise self._overflow
            if self._queue:
                return self._queue.popleft()
            if self._closed:
                raise StopAsyncIteration
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    # -- closing ------------------------------------------------------------------
    def close(self) -> None:
        """Unsubscribe; events already queued are still read, then the iteration ends."""
        if not self._closed:
            self._closed = True
            self._unsubscribe()
            self._wake()

    async def aclose(self) -> None:
        self.close()

    def _loop_left(self) -> None:
        """The async for loop over this (unscoped) stream ended: nobody reads it any more."""
        if not self._closed:
            self._loop_ended = True
            self._queue.clear()
            self.close()

    async def __aenter__(self) -> "EventStream":
        self._scoped = True
        return self

    async def __aexit__(self, *exc) -> None:
        self.close()


class _Loop:
    """The iterator of one ``async for`` over an unscoped stream (rule 2).

    The loop's frame holds the only reference; when the loop ends, however it ends,
    CPython drops it at once and :meth:`__del__` closes the stream.
    """

    __slots__ = ("_stream",)

    def __init__(self, stream: EventStream):
        self._stream = stream

    def __aiter__(self) -> "_Loop":
        return self

    def __anext__(self):
        return self._stream.__anext__()

    async def aclose(self) -> None:
        self._stream._loop_left()

    def __del__(self) -> None:
        self._stream._loop_left()
