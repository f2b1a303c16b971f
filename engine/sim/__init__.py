"""engine.sim: a local exchange speaking Binance spot, Binance USD-M and Bybit V5 on loopback.

Public: :class:`SimExchange` (async context manager), :class:`Limits`, and the CLI
entry point :func:`engine.sim.cli.main`.  Fault grammar: :mod:`engine.sim.faults`.
"""

from engine.sim.exchange import DEFAULT_BALANCES, SimExchange
from engine.sim.ratelimit import Limits

__all__ = ["SimExchange", "Limits", "DEFAULT_BALANCES"]
