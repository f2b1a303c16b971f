"""Collects the engine's log records during a demo session, for the report.

Attached to the ``engine`` logger for the session only; while attached, Python's
last-resort handler stays quiet, so warnings reach the report instead of
interleaving with the progress line.  The simulator's own records are left out.  A dict
or list passed to a log call is written in words (``orders 41o...; balances BTC, USDT``),
not as a Python repr, since the messages are quoted in the report.
"""

from __future__ import annotations

import logging
import time

__all__ = ["LogCapture"]


class LogCapture(logging.Handler):
    def __init__(self, limit: int = 500) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[float, int, str, str]] = []   # (time, level, logger, message)
        self.limit = limit
        self.dropped = 0
        self._logger = logging.getLogger("engine")
        self._old_level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("engine.sim", "engine.demo")) and record.levelno < logging.ERROR:
            return
        if len(self.records) >= self.limit:
            self.dropped += 1
            return
        try:
            args = record.args
            if isinstance(args, tuple):
                args = tuple(_in_words(a) for a in args)
            msg = str(record.msg) % args if args else str(record.msg)
        except Exception:  # a bad format string in someone's log call must not stop the demo
            msg = str(record.msg)
        self.records.append((time.monotonic(), record.levelno, record.name, msg))

    def __enter__(self) -> "LogCapture":
        if self._logger.getEffectiveLevel() > logging.INFO:
            self._logger.setLevel(logging.INFO)
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._old_level)

    def since(self, t0: float, level: int = logging.INFO) -> list[str]:
        return [f"{logging.getLevelName(lv)} {name}: {msg}" for t, lv, name, msg in self.records
                if t >= t0 and lv >= level]

    def warnings(self) -> list[str]:
        return self.since(0.0, logging.WARNING)


def _in_words(value):
    """A dict as ``key value; key value``, a list as ``a, b``; anything else unchanged."""
    if isinstance(value, dict):
        return "; ".join(f"{k} {_in_words(v)}" for k, v in value.items()) or "nothing"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(_in_words(v)) for v in value) or "none"
    return value
