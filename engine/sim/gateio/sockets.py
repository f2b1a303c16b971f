"""The open WebSocket v4 sockets of the Gate.io personality, for the ``upgrade`` notice (gateio-spot.md §7:
the venue pushes ``{"event":"upgrade"}`` before it restarts a connection)."""

from __future__ import annotations

import asyncio

from engine.sim.core_types import now_ms

__all__ = ["GateSockets"]


class GateSockets:
    """The open sockets of the personality (for the ``upgrade`` notice)."""

    def __init__(self) -> None:
        self.open: set = set()          # StreamConn

    async def upgrade(self, grace: float = 0.2) -> int:
        """Push ``{"event":"upgrade"}`` on every socket, then close them after ``grace`` seconds."""
        conns = list(self.open)
        t = now_ms()
        for conn in conns:
            conn.send({"time": t // 1000, "time_ms": t, "channel": "", "event": "upgrade", "result": None})
        await asyncio.sleep(grace)
        for conn in conns:
            conn.close_soon()
        return len(conns)
