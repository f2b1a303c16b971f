"""Timing of in-process operations: batches timed with ``perf_counter_ns``, medians and p99s.

An operation of a few hundred nanoseconds cannot be timed one call at a time (the clock
read costs about as much), so each sample is one batch of ``k`` calls divided by ``k``,
with ``k`` chosen so a batch lasts about 20 µs.  The p99 is therefore the p99 of batch
means: it shows slow stretches (a GC pass, a preempted core), not single slow calls.
The loop around the calls (``itertools.repeat``) is part of every contender's batch.
The harness takes the samples of a stage's contenders in turns (:func:`sample` a slice
each, round after round), so a noisy stretch of a shared machine hits all of them alike.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from dataclasses import dataclass, field
from itertools import repeat
from typing import Callable

__all__ = ["Contender", "Skip", "repeat_batch", "calibrate", "sample", "time_contender", "pct", "summary"]


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


def calibrate(c: Contender, target_batch_ns: int = 20_000, warmup: int = 20) -> Contender:
    """Check ``c``, choose its batch size (a batch lasts about ``target_batch_ns``) and warm it up."""
    if c.check is not None:
        c.check()
    probe = 16
    c.make_batch(probe)()                          # first call: imports, caches
    run = c.make_batch(probe)
    t0 = time.perf_counter_ns()
    run()
    per_op = max(1.0, (time.perf_counter_ns() - t0) / probe)
    c.batch = max(1, min(100_000, math.ceil(target_batch_ns / per_op)))
    for _ in range(warmup):
        c.make_batch(c.batch)()
    return c


def sample(c: Contender, n: int, deadline: float | None = None) -> int:
    """Add up to ``n`` samples (ns per operation) to ``c.samples_ns``, stopping at ``deadline``
    (a ``time.monotonic()`` value) but always taking at least one; returns how many were taken."""
    k, clock, out = c.batch, time.perf_counter_ns, c.samples_ns
    taken = 0
    while taken < n and (taken == 0 or deadline is None or time.monotonic() < deadline):
        run = c.make_batch(k)
        t0 = clock()
        run()
        out.append((clock() - t0) / k)
        taken += 1
    return taken


def time_contender(c: Contender, seconds: float, max_samples: int, target_batch_ns: int = 20_000) -> Contender:
    """Calibrate ``c`` and take up to ``max_samples`` samples within ``seconds`` (one contender alone)."""
    calibrate(c, target_batch_ns)
    gc.collect()
    sample(c, max_samples, time.monotonic() + seconds)
    return c


def pct(values, q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank of the sorted values."""
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(q * len(v)) - 1))]


def summary(values) -> dict:
    """count, median, p95, p99 (and mean) of a list of numbers; None fields when it is empty."""
    if not values:
        return {"n": 0, "median": None, "p95": None, "p99": None, "mean": None}
    return {"n": len(values), "median": statistics.median(values), "p95": pct(values, 0.95),
            "p99": pct(values, 0.99), "mean": statistics.fmean(values)}
