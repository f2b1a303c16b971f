"""Helpers for Engine tests: an engine connected to a fresh simulator over loopback."""

import asyncio
import contextlib

import uvloop

from engine.api import connect
from engine.config import VenueConfig
from engine.sim import SimExchange

KEY, SECRET = "engine-test-key", "engine-test-secret-never-shown"
VENUES = ["binance-spot", "binance-usdm", "bybit"]


def run(coro, timeout=60):
    return uvloop.run(asyncio.wait_for(coro, timeout))


@contextlib.asynccontextmanager
async def engine_on_sim(venue, *, seed=1, faults=None, sim_kwargs=None, **engine_kwargs):
    async with SimExchange(seed=seed, accounts=[(KEY, SECRET)], faults=faults, **(sim_kwargs or {})) as sim:
        cfg = VenueConfig.local(venue, sim.urls[venue], KEY, SECRET, **engine_kwargs.pop("config", {}))
        async with connect(cfg, **engine_kwargs) as eng:
            yield sim, eng


async def until(pred, timeout=5.0, what="condition"):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError(f"{what} not met in {timeout} s")
        await asyncio.sleep(0.01)
