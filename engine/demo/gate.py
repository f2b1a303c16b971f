"""A gate the quoting loops pass through, which the scripted session can close.

While the gate is closed no new quoting step starts, and :meth:`Gate.closed` waits for
the steps already under way to finish, so the session can run an episode (the injected
fault) with no other order of ours in flight.
"""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["Gate"]


class Gate:
    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._inside = 0

    @contextlib.asynccontextmanager
    async def passage(self):
        """``async with gate.passage():`` one quoting step (waits while the gate is closed)."""
        await self._open.wait()
        self._inside += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._inside -= 1
            if not self._inside:
                self._idle.set()

    @contextlib.asynccontextmanager
    async def closed(self):
        """``async with gate.closed():`` no quoting step runs inside this block."""
        self._open.clear()
        try:
            await self._idle.wait()
            yield
        finally:
            self._open.set()
