"""The simulator's personalities, one line per personality.

``PERSONALITIES``: every personality's folder -> the module whose ``register(reg)`` declares its
markets, instruments, fees, wallets, limits, state, and where it is served: on the main port, or
on a loopback port of its own where its paths collide with the main port's
(:mod:`engine.sim.registry`).
"""

from __future__ import annotations

__all__ = ["PERSONALITIES"]

PERSONALITIES: dict[str, str] = {
    "binance": "engine.sim.binance.personality",
    "bybit": "engine.sim.bybit.personality",
    "gateio": "engine.sim.gateio.personality",
    "mexc": "engine.sim.mexc.personality",
    "topstepx": "engine.sim.topstepx.personality",
}
