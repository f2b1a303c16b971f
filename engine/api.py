"""The entry points a bot uses: ``engine.connect(...)`` and ``engine.run(...)``."""

from __future__ import annotations

import contextlib
from typing import Any, AsyncIterator, Coroutine

from engine.config import VenueConfig
from engine.oms.engine import Engine

__all__ = ["connect", "run"]


@contextlib.asynccontextmanager
async def connect(venue: str | VenueConfig, *, mainnet: bool = False, order_entry: str = "rest",
                  rest_url: str | None = None, **engine_options) -> AsyncIterator[Engine]:
    """``async with engine.connect("bybit") as eng:`` — one running Engine for one venue account.

    ``venue`` is a venue name (credentials from the environment, testnet unless
    ``mainnet=True``; ``rest_url`` points it elsewhere, e.g. the local simulator) or a ready
    :class:`VenueConfig` (e.g. ``VenueConfig.local(...)``).  Other keyword arguments go to :class:`Engine` (``risk_limits``, ``breaker``,
    ``capacity``, ...).
    """
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
