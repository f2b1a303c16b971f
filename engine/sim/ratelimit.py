"""Rate-limit machinery every personality counts with, and the limits the simulator enforces.

:class:`Limits` is the configuration (``SimExchange(limits=...)``, the CLI's limit options): the
neutral IP-ban figures, and every limit a personality declares (:meth:`engine.sim.registry.Registry.limits`,
from its ``engine/sim/<venue>/limits.py``: each limit's name and default, and the CLI options that set
them, :class:`LimitOption`).  :class:`FixedWindows` counts over clock-aligned windows.  Each
personality's limiter, with its venue's accounting and answers, is ``engine/sim/<venue>/limits.py``.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["Limits", "LimitOption", "FixedWindows", "declared_limits", "limit_options", "now_s"]


@dataclass(frozen=True)
class LimitOption:
    """A ``python -m engine sim`` option raising (or lowering) limits a personality declares:
    ``apply(limits, n)`` sets them from the option's value ``n``; ``help`` ends with its defaults."""

    flag: str                                   # "--name-of-option"
    help: str
    apply: Callable[["Limits", int], None]


class Limits:
    """Every limit the simulator enforces; lower them in tests to hit them quickly.

    ``Limits(name=value, ...)``: any limit a personality declares (its ``limits`` module names
    them: ``spot_orders_10s``, ``bybit_per_second``, ...), or the neutral ``ban_after`` / ``ban_seconds``;
    the others keep their declared defaults.  An unknown name raises ``TypeError``.
    """

    ban_after: int = 3            # requests sent while 429-limited before a 418 ban
    ban_seconds: int = 120

    def __init__(self, **values) -> None:
        declared = {"ban_after": Limits.ban_after, "ban_seconds": Limits.ban_seconds, **declared_limits()}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            raise TypeError(f"unknown limit(s) {', '.join(unknown)}; the personalities declare: "
                            f"{', '.join(sorted(declared))}")
        for name, default in declared.items():
            setattr(self, name, values[name] if name in values else copy.deepcopy(default))

    def __repr__(self) -> str:
        return f"Limits({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


def declared_limits() -> dict[str, object]:
    """Every limit the personalities declare: name -> default, in registration order."""
    from engine.sim.registry import declared
    return dict(declared().limit_defaults)


def limit_options() -> list[LimitOption]:
    """Every personality's limit options, in registration order (the CLI's, and the bench's lifting them)."""
    from engine.sim.registry import declared
    return list(declared().limit_options)


def now_s() -> float:
    return time.time()


class FixedWindows:
    """Counters over clock-aligned windows keyed by (key, window seconds)."""

    def __init__(self) -> None:
        self._counts: dict[tuple, tuple[int, int]] = {}

    def used(self, key, window: int, now: float) -> int:
        start = int(now // window)
        got = self._counts.get((key, window))
        return got[1] if got and got[0] == start else 0

    def add(self, key, window: int, n: int, now: float) -> int:
        start = int(now // window)
        got = self._counts.get((key, window))
        count = (got[1] if got and got[0] == start else 0) + n
        self._counts[(key, window)] = (start, count)
        return count

    @staticmethod
    def reset_in(window: int, now: float) -> int:
        return max(1, int(window - (now % window)) + (0 if (now % window) == 0 else 0))

    def clear(self) -> None:
        self._counts.clear()
