"""LatencyHistogram: bucket layout, percentiles against a sorted-list reference, clamping,
merge/reset, and zero allocations per record."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._histogram import BUCKET_COUNT, MAX_VALUE_NS, RELATIVE_ERROR, SUB_BUCKET_BITS, LatencyHistogram

SUMMARY = {"p50": 50.0, "p90": 90.0, "p99": 99.0, "p99.9": 99.9}


def reference_percentile(values, q):
    """Nearest rank on the sorted list: rank ceil(q * n / 100), at least 1 (the documented definition)."""
    s = sorted(values)
    n = len(s)
    rank = min(n, max(1, math.ceil(q * n / 100.0)))
    return s[rank - 1]


def within_error(got, want):
    return abs(got - want) <= want * RELATIVE_ERROR


def filled(values):
    h = LatencyHistogram()
    for v in values:
        h.record(v)
    return h


# ---- layout ------------------------------------------------------------------------------

def test_layout_is_contiguous_and_covers_the_range():
    v, n = 0, 0
    while v <= MAX_VALUE_NS:
        lo, hi = LatencyHistogram.bucket_bounds(v)
        assert lo == v and hi >= lo
        width = hi - lo + 1
        if lo < 2 << SUB_BUCKET_BITS:
            assert width == 1                         # exact below 256 ns
        else:
            assert width & (width - 1) == 0           # a power of two
            assert width * (1 << SUB_BUCKET_BITS) <= lo  # at most 1/128 of the lower bound
        assert LatencyHistogram.bucket_bounds(hi) == (lo, hi)
        v, n = hi + 1, n + 1
    assert n == BUCKET_COUNT == 3840
    assert v - 1 == MAX_VALUE_NS == 2**36 - 1
    assert MAX_VALUE_NS > 60 * 10**9                  # a minute fits
    assert RELATIVE_ERROR == 1 / 256


def test_bucket_bounds_clamp_out_of_range_values():
    assert LatencyHistogram.bucket_bounds(-7) == (0, 0)
    assert LatencyHistogram.bucket_bounds(10**15)[1] == MAX_VALUE_NS


# ---- statistics against a reference -----------------------------------------------------

values_strategy = st.lists(
    st.one_of(st.integers(0, 1_000), st.integers(0, 10**7), st.integers(0, MAX_VALUE_NS)), min_size=1, max_size=400
)


@given(values_strategy, st.floats(0.0, 100.0))
def test_percentile_matches_sorted_reference_within_relative_error(values, q):
    h = filled(values)
    got, want = h.percentile(q), reference_percentile(values, q)
    assert within_error(got, want), (q, got, want)
    assert h.count == len(values) == len(h)
    assert h.min == min(values) and h.max == max(values)
    assert h.mean == pytest.approx(sum(values) / len(values), rel=1e-12)
    assert h.percentile(0) == min(values) and h.percentile(100) == max(values)


@given(values_strategy)
def test_summary_percentiles_match_reference(values):
    d = filled(values).to_dict()
    for name, q in SUMMARY.items():
        assert within_error(d[name], reference_percentile(values, q)), name
    assert (d["count"], d["min"], d["max"]) == (len(values), min(values), max(values))
    assert (d["overflows"], d["underflows"]) == (0, 0)


def test_percentiles_of_a_realistic_latency_distribution():
    rng = np.random.default_rng(7)
    values = rng.lognormal(mean=math.log(200_000), sigma=0.8, size=100_000).astype(np.int64)  # ~200 us median
    h = LatencyHistogram()
    h.record_many(values)
    ref = values.tolist()
    for q in (0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100):
        assert within_error(h.percentile(q), reference_percentile(ref, q)), q
    assert h.count == len(ref)
    assert h.mean == pytest.approx(float(values.mean()), rel=1e-9)


def test_small_values_are_exact():
    values = list(range(256)) * 3
    h = filled(values)
    for q in (0, 0.5, 10, 33.3, 50, 90, 99, 100):
        assert h.percentile(q) == reference_percentile(values, q)


def test_nearest_rank_definition():
    h = filled([10, 20, 30, 40])
    assert [h.percentile(q) for q in (0, 25, 25.1, 50, 75, 75.1, 100)] == [10, 10, 20, 20, 30, 40, 40]


# ---- edges -----------------------------------------------------------------------------------

def test_empty_histogram():
    h = LatencyHistogram()
    assert (h.count, h.min, h.max, h.mean, h.percentile(50)) == (0, 0, 0, 0.0, 0)
    assert h.to_dict() == {"count": 0, "min": 0, "max": 0, "mean": 0.0, "p50": 0, "p90": 0, "p99": 0,
                           "p99.9": 0, "overflows": 0, "underflows": 0}
    assert h.buckets() == []


@pytest.mark.parametrize("q", [-0.001, 100.001, float("nan"), float("inf")])
def test_percentile_out_of_range_raises(q):
    h = filled([1])
    with pytest.raises(ValueError, match="0..100"):
        h.percentile(q)


def test_out_of_range_values_are_clamped_and_counted():
    h = filled([-5, 1_000, MAX_VALUE_NS + 1, 10**15])
    assert (h.underflows, h.overflows, h.count) == (1, 2, 4)
    assert h.min == 0 and h.max == MAX_VALUE_NS
    assert h.percentile(100) == MAX_VALUE_NS and h.percentile(0) == 0
    assert h.mean == pytest.approx((0 + 1_000 + 2 * MAX_VALUE_NS) / 4)
    assert h.buckets()[0] == (0, 0, 1) and h.buckets()[-1][2] == 2
    with pytest.raises(OverflowError):
        h.record(2**63)                              # not an int64 at all: refused, nothing counted
    assert h.count == 4


def test_record_many_equals_record():
    values = np.array([0, 3, 700, 123_456, 99_999_999, MAX_VALUE_NS + 9, -1], dtype=np.int64)
    a, b = LatencyHistogram(), filled(values.tolist())
    a.record_many(values)
    assert a.buckets() == b.buckets() and a.to_dict() == b.to_dict()
    with pytest.raises((ValueError, TypeError)):
        a.record_many(np.zeros(3, dtype=np.float64))


# ---- merge / reset -------------------------------------------------------------------------

@given(values_strategy, values_strategy)
def test_merge_equals_recording_everything_in_one(xs, ys):
    a, b, both = filled(xs), filled(ys), filled(xs + ys)
    a.merge(b)
    assert a.buckets() == both.buckets()
    assert a.to_dict() == pytest.approx(both.to_dict())
    assert b.count == len(ys)                        # the source is unchanged


def test_merge_with_empty_histograms():
    a = filled([500, 7_000])
    before = a.to_dict()
    a.merge(LatencyHistogram())
    assert a.to_dict() == before
    e = LatencyHistogram()
    e.merge(a)
    assert e.to_dict() == before and e.min == 500    # min is taken from the source, not 0
    with pytest.raises(TypeError):
        e.merge(None)


def test_merge_carries_clamp_counters():
    a, b = filled([-1]), filled([MAX_VALUE_NS * 2])
    a.merge(b)
    assert (a.underflows, a.overflows, a.count) == (1, 1, 2)


def test_reset():
    h = filled([-1, 5, 10**12])
    h.reset()
    assert h.to_dict() == LatencyHistogram().to_dict()
    h.record(42)
    assert (h.min, h.max, h.count, h.percentile(50)) == (42, 42, 1, 42)


# ---- allocation ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [7, 250_000, 3_000_000_000, MAX_VALUE_NS + 1, -3])
def test_record_allocates_nothing(value):
    h = LatencyHistogram()
    rec = h.record

    def call():
        rec(value)

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0
    assert h.count > 200_000                         # the calls really recorded
