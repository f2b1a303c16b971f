"""Latency histogram: HDR-style log-linear buckets over one preallocated counter array.

Owns the distribution of one latency (nanoseconds) for the engine's metrics.  The
bucket layout is fixed at compile time (``histogram.h``):

1. Values 0 .. 255 ns have a bucket each (exact).
2. Above, every power of two is split into 128 equal buckets, so a bucket spans at
   most 1/128 of its lower bound; it reports its lower bound plus half its width,
   which is within ``RELATIVE_ERROR`` = 1/256 (0.39 %) of any value it holds.
3. The top bucket ends at ``MAX_VALUE_NS`` = 2^36 - 1 ns (68.7 s).  Larger values are
   recorded as ``MAX_VALUE_NS`` and counted in ``overflows``; negative values (a clock
   that stepped back) are recorded as 0 and counted in ``underflows``.
4. ``BUCKET_COUNT`` = 3840 int64 counters (30 KiB), allocated once in ``__cinit__``.

``record``/``record_c`` allocate nothing and take constant time; the queries walk the
buckets and belong to the cold path (``stats()``, the CLI).  One writer at a time: the
histogram has no lock, as it lives on the engine's event-loop thread.

Percentiles use the nearest-rank definition: ``percentile(q)`` is the value of rank
``ceil(q * count / 100)`` (at least 1) in sorted order, reported as its bucket's value
clamped to ``[min, max]``.  The first and last ranks are exact: ``percentile(0) == min``
and ``percentile(100) == max``.
"""

cimport cython
from libc.math cimport ceil
from libc.stdint cimport int64_t
from libc.stdlib cimport calloc
from libc.stdlib cimport free
from libc.string cimport memset

__all__ = ["BUCKET_COUNT", "LatencyHistogram", "MAX_VALUE_NS", "RELATIVE_ERROR", "SUB_BUCKET_BITS"]

SUB_BUCKET_BITS = HIST_SUB_BITS
BUCKET_COUNT = HIST_BUCKETS
MAX_VALUE_NS = HIST_MAX_VALUE
RELATIVE_ERROR = 1.0 / (1 << (HIST_SUB_BITS + 1))

_SUMMARY_PERCENTILES = (("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99.9", 99.9))


cdef class LatencyHistogram:
    """Distribution of a latency in nanoseconds, with bounded relative error.

    Records in constant time without allocating; answers count, min, max, mean and
    percentiles.  See the module docstring for the bucket layout and error bound.

    .. warning::
       Not thread-safe: record from one thread (the event loop's), or merge copies.
    """

    def __cinit__(self):
        self.counts = <int64_t *>calloc(HIST_BUCKETS, sizeof(int64_t))
        if self.counts == NULL:
            raise MemoryError("LatencyHistogram: bucket array")

    def __dealloc__(self):
        free(self.counts)

    # ---- C level ---------------------------------------------------------------------

    cdef void record_c(self, int64_t value_ns) noexcept nogil:
        """Count one value (ns); out-of-range values are clamped and counted."""
        if value_ns < 0:
            value_ns = 0
            self.underflows += 1
        elif value_ns > HIST_MAX_VALUE:
            value_ns = HIST_MAX_VALUE
            self.overflows += 1
        # hist_index of a clamped value lies in 0 .. HIST_BUCKETS - 1
        self.counts[hist_index(value_ns)] += 1
        if self.count == 0 or value_ns < self.min_ns:
            self.min_ns = value_ns
        if value_ns > self.max_ns:
            self.max_ns = value_ns
        self.count += 1
        self.sum_ns += <double>value_ns

    cdef int64_t percentile_c(self, double q) noexcept nogil:
        """Nearest-rank percentile (q in 0..100, already validated); 0 when empty."""
        cdef int64_t rank, seen = 0, v
        cdef int i
        if self.count == 0:
            return 0
        rank = <int64_t>ceil(q * <double>self.count / 100.0)
        if rank <= 1:
            return self.min_ns           # the first and last ranks are known exactly
        if rank >= self.count:
            return self.max_ns
        for i in range(HIST_BUCKETS):
            seen += self.counts[i]
            if seen >= rank:
                v = hist_value(i)
                if v < self.min_ns:
                    return self.min_ns
                if v > self.max_ns:
                    return self.max_ns
                return v
        return self.max_ns

    # ---- Python API --------------------------------------------------------------------

    def record(self, int64_t value_ns):
        """Count one latency.

        Parameters
        ----------
        value_ns : int
            Latency in nanoseconds.  Values above ``MAX_VALUE_NS`` or below 0 are
            clamped into range and counted in ``overflows``/``underflows``.
        """
        self.record_c(value_ns)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def record_many(self, const int64_t[::1] values_ns):
        """Count every value of a contiguous int64 array (ns) with the GIL released.

        Parameters
        ----------
        values_ns : buffer of int64
            Latencies in nanoseconds, e.g. a ``numpy.int64`` array.
        """
        cdef Py_ssize_t i, n = values_ns.shape[0]
        with nogil:
            for i in range(n):           # i < shape[0]: in bounds
                self.record_c(values_ns[i])

    @property
    def min(self):
        """Smallest recorded value, ns (0 when empty)."""
        return self.min_ns

    @property
    def max(self):
        """Largest recorded value, ns (0 when empty)."""
        return self.max_ns

    @property
    def mean(self):
        """Mean of the recorded values, ns (0.0 when empty); exact up to float rounding."""
        return self.sum_ns / self.count if self.count else 0.0

    def percentile(self, double q):
        """Value at percentile ``q`` (nearest rank), ns.

        Parameters
        ----------
        q : float
            Percentile in 0..100.

        Returns
        -------
        int
            Within ``RELATIVE_ERROR`` of the exact nearest-rank value of the recorded
            (clamped) values; ``percentile(0)`` is ``min``, ``percentile(100)`` is
            ``max``; 0 when nothing was recorded.

        Raises
        ------
        ValueError
            ``q`` is outside 0..100 (or NaN).
        """
        if not (0.0 <= q <= 100.0):
            raise ValueError(f"percentile must be in 0..100, got {q}")
        return self.percentile_c(q)

    def merge(self, LatencyHistogram other not None):
        """Add every count of ``other`` into this histogram (``other`` is unchanged).

        Parameters
        ----------
        other : LatencyHistogram
            Histogram with the same (compile-time) layout.
        """
        cdef int i
        cdef int64_t n = other.count
        if n == 0:
            return
        for i in range(HIST_BUCKETS):
            self.counts[i] += other.counts[i]
        if self.count == 0 or other.min_ns < self.min_ns:
            self.min_ns = other.min_ns
        if other.max_ns > self.max_ns:
            self.max_ns = other.max_ns
        self.count += n
        self.sum_ns += other.sum_ns
        self.overflows += other.overflows
        self.underflows += other.underflows

    def reset(self):
        """Forget every recorded value (the bucket array is kept)."""
        memset(self.counts, 0, HIST_BUCKETS * sizeof(int64_t))
        self.count = 0
        self.overflows = 0
        self.underflows = 0
        self.min_ns = 0
        self.max_ns = 0
        self.sum_ns = 0.0

    def buckets(self):
        """Non-empty buckets as ``(lowest_ns, highest_ns, count)`` tuples, ascending."""
        cdef int i
        return [(hist_lowest(i), hist_lowest(i) + hist_width(i) - 1, self.counts[i])
                for i in range(HIST_BUCKETS) if self.counts[i]]

    @staticmethod
    def bucket_bounds(int64_t value_ns):
        """``(lowest_ns, highest_ns)`` of the bucket a value is counted in (after clamping)."""
        cdef int i
        if value_ns < 0:
            value_ns = 0
        elif value_ns > HIST_MAX_VALUE:
            value_ns = HIST_MAX_VALUE
        i = hist_index(value_ns)
        return hist_lowest(i), hist_lowest(i) + hist_width(i) - 1

    def to_dict(self):
        """Summary as a plain dict: count, min, max, mean, p50, p90, p99, p99.9 (ns),
        overflows and underflows."""
        out = {"count": self.count, "min": self.min_ns, "max": self.max_ns, "mean": self.mean}
        for name, q in _SUMMARY_PERCENTILES:
            out[name] = self.percentile_c(q)
        out["overflows"] = self.overflows
        out["underflows"] = self.underflows
        return out

    def __len__(self):
        return self.count

    def __repr__(self):
        return (f"LatencyHistogram(count={self.count}, min={self.min_ns}, p50={self.percentile_c(50.0)}, "
                f"p99={self.percentile_c(99.0)}, max={self.max_ns})")
