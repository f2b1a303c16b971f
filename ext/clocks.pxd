# The clocks the compiled core reads without a Python call.  Inline definitions only (no module).
from libc.stdint cimport int64_t
from posix.time cimport clock_gettime
from posix.time cimport timespec


cdef inline int64_t clock_ns(int clock) noexcept nogil:
    """``clock`` (CLOCK_REALTIME: what time.time_ns() reads; CLOCK_MONOTONIC: time.perf_counter_ns() on
    Linux) in nanoseconds."""
    cdef timespec ts
    clock_gettime(clock, &ts)
    return <int64_t>ts.tv_sec * 1_000_000_000 + ts.tv_nsec
