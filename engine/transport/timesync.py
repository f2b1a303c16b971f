"""Clock offset to a venue: median of round-trip-corrected samples, with drift as a health figure."""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from typing import Awaitable, Callable

from engine._transport_steps import clock_now_ms

__all__ = ["ClockSync"]

log = logging.getLogger("engine.transport.timesync")


class ClockSync:
    """Keeps ``offset_ms`` = venue clock - local clock.

    ``fetch_server_ms`` is an async callable returning the venue's time in ms (its
    server-time endpoint).  Each sample assumes the server read its clock half-way
    through the round trip; the median of ``samples`` samples is taken, which shrugs
    off a slow outlier.
    """

    def __init__(self, fetch_server_ms: Callable[[], Awaitable[int]], *, samples: int = 5,
                 clock: Callable[[], float] = time.time):
        self._fetch = fetch_server_ms
        self.samples = samples
        self.clock = clock
        self.offset_ms = 0.0
        self.rtt_ms = 0.0
        self.synced_at: float | None = None
        self.drift_ms_per_hour = 0.0
        self.syncs = 0

    now_ms = clock_now_ms       # () -> int: the venue's clock now, in ms, as best known (compiled)

    async def sync(self) -> float:
        offsets, rtts = [], []
        for _ in range(self.samples):
            t0 = self.clock() * 1000.0
            server = await self._fetch()
            t1 = self.clock() * 1000.0
            offsets.append(server - (t0 + t1) / 2.0)
            rtts.append(t1 - t0)
        new = statistics.median(offsets)
        now = self.clock()
        if self.synced_at is not None and now > self.synced_at:
            hours = (now - self.synced_at) / 3600.0
            if hours > 0:
                self.drift_ms_per_hour = (new - self.offset_ms) / hours
        self.offset_ms, self.rtt_ms, self.synced_at = new, statistics.median(rtts), now
        self.syncs += 1
        log.debug("clock offset %.1f ms (rtt %.1f ms, drift %.1f ms/h)", new, self.rtt_ms, self.drift_ms_per_hour)
        return new

    async def run(self, interval: float = 300.0) -> None:
        """Resync every ``interval`` seconds until cancelled; failures are logged, not raised."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep the loop alive; the next sync may work
                log.warning("clock sync failed: %s: %s", type(exc).__name__, exc)

    def health(self) -> dict:
        return {"offset_ms": self.offset_ms, "rtt_ms": self.rtt_ms, "drift_ms_per_hour": self.drift_ms_per_hour,
                "syncs": self.syncs}
