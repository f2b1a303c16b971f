# LatencyHistogram: log-linear buckets over one preallocated C array of counters,
# nanosecond values 0 .. 68.7 s with <= 1/256 relative error.  Declarations only.
from libc.stdint cimport int64_t


cdef extern from "histogram.h" nogil:
    const int HIST_SUB_BITS             # 2^SUB_BITS buckets per power of two
    const int HIST_BUCKETS              # counters per histogram (3840)
    const int64_t HIST_MAX_VALUE        # largest value tracked, ns (2^36 - 1); above is clamped
    int hist_index(int64_t v)           # bucket of a clamped value
    int64_t hist_lowest(int idx)        # smallest value of a bucket, ns
    int64_t hist_width(int idx)         # values per bucket, ns
    int64_t hist_value(int idx)         # value a bucket reports: lowest + width / 2


cdef class LatencyHistogram:
    """Latency distribution in nanoseconds; recording allocates nothing."""
    cdef int64_t *counts                # HIST_BUCKETS counters, calloc'd in __cinit__
    cdef readonly int64_t count         # values recorded (clamped ones included)
    cdef readonly int64_t overflows     # values above HIST_MAX_VALUE, recorded as HIST_MAX_VALUE
    cdef readonly int64_t underflows    # negative values, recorded as 0
    cdef int64_t min_ns                 # smallest recorded (clamped) value, ns; 0 when empty
    cdef int64_t max_ns                 # largest recorded (clamped) value, ns; 0 when empty
    cdef double sum_ns                  # sum of recorded (clamped) values, ns, for the mean

    cdef void record_c(self, int64_t value_ns) noexcept nogil
    cdef int64_t percentile_c(self, double q) noexcept nogil
