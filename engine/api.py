"""The entry points a bot uses: ``engine.connect(...)`` and ``engine.run(...)``."""

from __future__ import annotations

import contextlib
from typing import Any, AsyncIterator, Coroutine

from engine.config import VenueConfig
from engine.errors import ConfigError
from engine.oms.engine import Engine

__all__ = ["connect", "run"]


@contextlib.asynccontextmanager
async def connect(venue: str | VenueConfig, *, mainnet: bool = False, order_entry: str = "rest",
                  rest_url: str | None = None, sim=False, **engine_options) -> AsyncIterator[Engine]:
    """``async with engine.connect("bybit") as eng:`` — one running Engine for one venue account.

    ``venue`` is a venue name (credentials from the environment, testnet unless
    ``mainnet=True``; ``rest_url`` points it elsewhere) or a ready :class:`VenueConfig`
    (e.g. ``VenueConfig.local(...)``).

    ``sim=True`` trades on a simulator started in this process on a free loopback port
    (account ``sim-key``/``sim-secret``, no credentials needed) and stopped on exit;
    ``sim=<a running SimExchange>`` uses that one (its default account), at the venue's URL
    there (``sim.urls[venue]``: the main port, or the port of a personality served on its own).
    Either way the simulator is at ``eng.sim`` (faults, market moves; :mod:`engine.testing` has more).

    ``order_entry``: "rest" or "ws" (WebSocket order entry, where the venue offers it).  Other
    keyword arguments go to :class:`Engine` (``risk_limits``, ``breaker``, ``capacity``, ...).
    """
    if sim is not False and sim is not None:
        if isinstance(venue, VenueConfig) or mainnet or rest_url:
            raise ConfigError("sim= takes a venue name alone (not a VenueConfig, mainnet=True or rest_url=)")
        async with contextlib.AsyncExitStack() as stack:
            if sim is True:
                from engine.sim import SimExchange
                sim = await stack.enter_async_context(SimExchange())
            from engine.testing import SIM_KEY, SIM_SECRET
            url = sim.urls.get(venue)
            if url is None:
                raise ConfigError(f"{venue}: the simulator serves no such venue (it serves "
                                  f"{', '.join(sorted(sim.urls))})")
            eng = Engine(VenueConfig.local(venue, url, SIM_KEY, SIM_SECRET), order_entry=order_entry,
                         **engine_options)
            eng.sim = sim
            async with eng:
                yield eng
        return
    if isinstance(venue, VenueConfig):
        config = venue
    else:
        config = VenueConfig.create(venue, mainnet=mainnet, rest_url=rest_url)
    eng = Engine(config, order_entry=order_entry, **engine_options)
    async with eng:
        yield eng


def run(main: Coroutine[Any, Any, Any]) -> Any:
    """Run the bot's coroutine on uvloop (the engine's loop of choice)."""
    import uvloop

    return uvloop.run(main)
