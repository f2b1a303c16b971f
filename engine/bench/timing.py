"""Timing of in-process operations: batches timed with ``perf_counter_ns``, medians and p99s.

An operation of a few hundred nanoseconds cannot be timed one call at a time (the clock
read costs about as much), so each sample is one batch of ``k`` calls divided by ``k``,
with ``k`` chosen so a batch lasts about 20 µs.  The p99 is therefore the p99 of batch
means: it shows slow stretches (a GC pass, a preempted core), not single slow calls.
The loop around the calls (``itertools.repeat``) is part of every contender's batch.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from dataclasses import dataclass, field
from itertools import repeat
from typing import Callable

__all__ = ["Contender", "Skip", "repeat_batch", "time_contender", "pct", "summary"]


class Skip(Exception):
    """A contender that cannot run here; the message says why."""


@dataclass
class Contender:
    """One way of doing a stage's operation.

    ``make_batch(k)`` returns a callable doing ``k`` operations (any setup it needs, such
    as fresh orders to update, happens in ``make_batch`` and is not timed).  ``check``
    runs once before timing and raises if the contender's result is wrong.
    """

    name: str
    kind: str                                     # "engine" | "baseline" | "peer"
    make_batch: Callable[[int], Callable[[], object]]
    check: Callable[[], None] | None = None
    note: str = ""
    samples_ns: list[float] = field(default_factory=list, repr=False)
    batch: int = 0


def repeat_batch(fn: Callable[[], object]) -> Callable[[int], Callable[[], None]]:
    """``make_batch`` for a stateless operation: ``fn`` called ``k`` times."""
    def make(k: int) -> Callable[[], None]:
        def run() -> None:
            for _ in repeat(None, k):
                fn()
        return run
    return make


def time_contender(c: Contender, seconds: float, max_samples: int, target_batch_ns: int = 20_000) -> Contender:
    """Fill ``c.samples_ns`` with per-operation times (ns) for at most ``seconds`` / ``max_samples``."""
    if c.check is not None:
        c.check()
    probe = 16
    run = c.make_batch(probe)
    run()                                           # first call: imports, caches
    run = c.make_batch(probe)
    t0 = time.perf_counter_ns()
    run()
    per_op = max(1.0, (time.perf_counter_ns() - t0) / probe)
    k = max(1, min(100_000, math.ceil(target_batch_ns / per_op)))
    c.batch = k
    deadline = time.monotonic() + seconds
    warmup = max(3, min(50, max_samples // 20))
    gc.collect()
    samples: list[float] = []
    clock = time.perf_counter_ns
    n = 0
    while n < warmup + max_samples and time.monotonic() < deadline:
        run = c.make_batch(k)
        t0 = clock()
        run()
        dt = clock() - t0
        n += 1
        if n > warmup:
            samples.append(dt / k)
    if not samples:   # the budget ran out during warm-up: keep what was measured
        run = c.make_batch(k)
        t0 = clock()
        run()
        samples.append((clock() - t0) / k)
    c.samples_ns = samples
    return c


def pct(values, q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank of the sorted values."""
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(q * len(v)) - 1))]


def summary(values) -> dict:
    """count, median, p99 (and mean) of a list of numbers; None fields when it is empty."""
    if not values:
        return {"n": 0, "median": None, "p99": None, "mean": None}
    return {"n": len(values), "median": statistics.median(values), "p99": pct(values, 0.99),
            "mean": statistics.fmean(values)}
