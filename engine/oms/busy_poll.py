"""Busy polling: the engine's event loop kept running while it waits, so the order path stays in the caches.

A loop that sleeps in ``epoll_wait`` between orders gives its core away (on a shared or virtual machine, to
other work), and the next order finds the order path's code and data evicted: most of a live
``submit_limit``'s call-to-wire time is those misses (BENCHMARKS.md measures it, beside the same call in a
tight loop).  :class:`BusyPoll` keeps one callback ready on the loop at all times (it schedules itself again
with ``call_soon``), so the loop polls its sockets without blocking and nothing else takes the core.

Spinning alone keeps the core, not the order path's code and data: between two orders the loop's other work
(the sockets, the answers, the stream, the bot's own code) still evicts them.  So each turn of the spin also
runs ``warm`` when given: the engine gives its ``OrderEntry.warm``, which runs the last order's place path
short of anything that counts (the admission's checks, the clock, the request encoded and signed, the
connection looked at; nothing written, recorded or spent).  An order made after any turn of the loop then
finds that path in the caches.  A warm-up costs 1.5-2 µs (a turn of the spin took 1.1-1.3 µs without it and
2.7-3.2 µs with it, on the benchmark's machine), so a message that arrives is noticed that much later at worst.

The price: the loop's core at 100 % while the engine runs, whether or not it trades.  It is opt-in
(``Engine(busy_poll=True)``, ``engine.connect(..., busy_poll=True)``), for a bot whose process has a core of its
own (``os.sched_setaffinity``, ``taskset``; ``isolcpus`` where the machine allows).  Nothing else changes: the
same callbacks, timers and sockets run, in the same order.
"""

from __future__ import annotations

import asyncio
from typing import Callable

__all__ = ["BusyPoll"]


class BusyPoll:
    """Keeps the event loop from sleeping between :meth:`start` and :meth:`stop` (module docstring)."""

    def __init__(self, warm: Callable[[], object] | None = None) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.Handle | None = None
        self._warm = warm           # run on each turn (module docstring); it must not raise

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Spin ``loop`` (idempotent)."""
        if self._handle is None:
            self._loop = loop
            self._handle = loop.call_soon(self._spin)

    def _spin(self) -> None:
        self._handle = self._loop.call_soon(self._spin)
        if self._warm is not None:
            self._warm()

    def stop(self) -> None:
        """Let the loop sleep again (idempotent)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
