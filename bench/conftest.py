"""Shared by the micro benchmarks: ``steady``, pytest-benchmark sized from warm calls.

Left to itself, pytest-benchmark sizes its rounds from the very first call.  A cold
first call (caches, branch predictors, lazy symbol binding: a parser's first call takes
~7 us) can make it settle on one call per round, and each round then also times the
timer and the runner's loop (~140 ns), which moved a 400 ns median by a third depending
on what ran before it.  ``steady`` warms the function, times 1,000 warm calls and fixes
the calls per round from that, so every round lasts at least ``ROUND_S``.
"""

import math
import time

import pytest

ROUND_S = 10e-6       # a round lasts at least this long, so the timer's own cost is < 1 % of it


@pytest.fixture
def steady(benchmark, pytestconfig):
    """``steady(fn, *args)``: benchmark fn(*args) in steady state: 2,000 warm calls (the second
    thousand timed), then rounds of ceil(ROUND_S / warm call time) calls for
    --benchmark-max-time seconds; returns fn's result."""

    def run(fn, *args):
        if not benchmark.enabled:
            return benchmark(fn, *args)     # --benchmark-disable: one plain call
        for _ in range(1_000):
            fn(*args)
        t0 = time.perf_counter()
        for _ in range(1_000):
            fn(*args)
        per_call = (time.perf_counter() - t0) / 1_000
        iterations = max(1, math.ceil(ROUND_S / per_call))
        max_time = float(pytestconfig.getoption("benchmark_max_time"))
        rounds = max(100, int(max_time / (iterations * per_call)))
        return benchmark.pedantic(fn, args=args, iterations=iterations, rounds=rounds, warmup_rounds=10)

    return run
