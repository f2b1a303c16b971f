"""LatencyHistogram.record micro benchmarks, beside same-run baselines.

Run: .venv/bin/python -m pytest bench/test_bench_histogram.py --benchmark-enable --benchmark-only
Baselines: an empty one-argument Python call (the floor of any call from Python) and
``deque(maxlen=...).append`` (the naive way to keep recent samples).  ``record_many``
records 1024 values per call with the GIL released: divide its time by 1024 for the
C-level cost of ``record_c``.  pytest-benchmark calls ``fn(*args, **kwargs)``, which adds
~30 ns to every row; warm-up is on so the first rounds do not skew the medians.
"""

import collections

import numpy as np
import pytest

from engine._histogram import LatencyHistogram

VALUE_NS = 187_345            # a typical call-to-wire latency (~190 us), not a cached small int
BATCH = 1024


@pytest.mark.benchmark(group="histogram-record", warmup=True)
def test_baseline_empty_python_call(steady):
    def f(v):
        return None

    steady(f, VALUE_NS)


@pytest.mark.benchmark(group="histogram-record", warmup=True)
def test_baseline_deque_append(steady):
    d = collections.deque(maxlen=10_000)
    steady(d.append, VALUE_NS)


@pytest.mark.benchmark(group="histogram-record", warmup=True)
def test_record(steady):
    h = LatencyHistogram()
    steady(h.record, VALUE_NS)
    assert h.count > 0 and h.percentile(50) == pytest.approx(VALUE_NS, rel=1 / 256)


@pytest.mark.benchmark(group="histogram-record-many", warmup=True)
def test_record_many_1024(steady):
    rng = np.random.default_rng(1)
    values = rng.lognormal(np.log(200_000), 0.8, BATCH).astype(np.int64)
    h = LatencyHistogram()
    steady(h.record_many, values)
    assert h.count % BATCH == 0


@pytest.mark.benchmark(group="histogram-query", warmup=True)
def test_to_dict(steady):
    rng = np.random.default_rng(2)
    h = LatencyHistogram()
    h.record_many(rng.lognormal(np.log(200_000), 0.8, 100_000).astype(np.int64))
    d = steady(h.to_dict)
    assert d["count"] == 100_000
