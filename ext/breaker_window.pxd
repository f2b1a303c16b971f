# The circuit breaker's counts (engine.oms.breaker keeps the state machine).  Declarations.
from libc.stdint cimport int64_t


cdef class BreakerWindow:
    cdef public bint closed               # the breaker is CLOSED: outcomes count in the window
    cdef readonly int64_t total_successes
    cdef readonly int64_t total_failures
    cdef readonly int64_t consecutive     # failures in a row while CLOSED
    cdef readonly int64_t win_req         # outcomes in the window
    cdef readonly int64_t win_err         # failures in the window
    cdef int64_t n                        # slices
    cdef double slice_s
    cdef int64_t slice                    # index (time // slice_s) of the newest slice
    cdef double slice_end                 # when it ends (clock time); 0: not started
    cdef Py_ssize_t at                    # its array index (slice % n)
    cdef int64_t *req
    cdef int64_t *err

    # A success at clock time ``now``, counted; True when the breaker is not CLOSED (Python decides).
    cdef bint success_c(self, double now) noexcept
    cdef Py_ssize_t _advance(self, double now) noexcept
