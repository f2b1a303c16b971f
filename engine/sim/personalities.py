"""The simulator's personalities, one line per venue in each table.

``PERSONALITIES``: every personality's folder -> the module whose ``register(reg)`` declares its
markets, instruments, fees, wallets and state (:mod:`engine.sim.registry`).

``OWN_PORT``: engine venue -> ``"module:build_app"`` for a personality whose paths collide with
the main port's (MEXC's ``/api/v3``, Gate.io's ``/api/v4``, TopstepX): ``build_app(sim)`` returns
the ``aiohttp.web.Application`` that ``SimExchange`` serves on a loopback port of its own
(``sim.urls[venue]``).
"""

from __future__ import annotations

__all__ = ["PERSONALITIES", "OWN_PORT"]

PERSONALITIES: dict[str, str] = {
    "binance": "engine.sim.binance.personality",
    "bybit": "engine.sim.bybit.personality",
    "gateio": "engine.sim.gateio.personality",
    "mexc": "engine.sim.mexc.personality",
    "topstepx": "engine.sim.topstepx.personality",
}

OWN_PORT: dict[str, str] = {
    "gateio": "engine.sim.gateio.app:build_app",
    "mexc": "engine.sim.mexc.app:build_app",
    "topstepx": "engine.sim.topstepx.app:build_app",
}
