"""The circuit breaker's counts, in C: what every answered request touches.

:class:`engine.oms.breaker.CircuitBreaker` keeps its state machine, listeners and reasons in
Python; what it counts lives here, so that a success (every acknowledged order) is one compiled
call: the totals, the consecutive-failure count, and the rolling window of requests and failures
kept in ``buckets`` time slices covering ``window_s``.  The breaker sets :attr:`BreakerWindow.closed`
on every transition; only while it is set are outcomes counted in the window (an outcome reported
while OPEN or HALF_OPEN belongs to an older request: the totals alone).
"""

from libc.math cimport floor
from libc.stdint cimport int64_t
from libc.stdlib cimport calloc
from libc.stdlib cimport free
from libc.string cimport memset

__all__ = ["BreakerWindow"]


cdef class BreakerWindow:
    """Totals, consecutive failures and the rolling window of one breaker (module docstring)."""

    def __cinit__(self, double window_s, int buckets):
        if not window_s > 0:
            raise ValueError(f"window_s must be > 0, got {window_s}")
        if buckets < 1:
            raise ValueError(f"buckets must be >= 1, got {buckets}")
        self.n = buckets
        self.slice_s = window_s / buckets
        self.req = <int64_t *>calloc(buckets, sizeof(int64_t))
        self.err = <int64_t *>calloc(buckets, sizeof(int64_t))
        if self.req == NULL or self.err == NULL:
            raise MemoryError()
        self.closed = True

    def __dealloc__(self):
        free(self.req)
        free(self.err)

    cdef bint success_c(self, double now) noexcept:
        self.total_successes += 1
        if not self.closed:
            return True
        self.consecutive = 0
        self.req[self.at if now < self.slice_end else self._advance(now)] += 1
        self.win_req += 1
        return False

    def success(self, double now):
        """A request answered properly, at clock time ``now``: counted; True when the breaker is not
        CLOSED (its state machine decides what the success means)."""
        return self.success_c(now)

    def failure(self, double now):
        """A failure at ``now``: counted; True when the breaker is not CLOSED."""
        self.total_failures += 1
        if not self.closed:
            return True
        self.consecutive += 1
        cdef Py_ssize_t i = self._advance(now)
        self.req[i] += 1
        self.err[i] += 1
        self.win_req += 1
        self.win_err += 1
        return False

    def expire(self, double now):
        """Drop the slices that left the window by ``now`` (before the window's counts are read)."""
        self._advance(now)

    def clear(self):
        """The window and the consecutive-failure count afresh (the breaker closed); totals kept."""
        memset(self.req, 0, self.n * sizeof(int64_t))
        memset(self.err, 0, self.n * sizeof(int64_t))
        self.win_req = self.win_err = self.consecutive = 0

    cdef Py_ssize_t _advance(self, double now) noexcept:
        """Drop the slices that left the window; the index of the current slice."""
        cdef int64_t s = <int64_t>floor(now / self.slice_s)
        cdef int64_t k
        cdef Py_ssize_t j
        if s > self.slice:
            if s - self.slice >= self.n:
                memset(self.req, 0, self.n * sizeof(int64_t))
                memset(self.err, 0, self.n * sizeof(int64_t))
                self.win_req = self.win_err = 0
            else:
                for k in range(self.slice + 1, s + 1):
                    j = <Py_ssize_t>(((k % self.n) + self.n) % self.n)
                    self.win_req -= self.req[j]
                    self.win_err -= self.err[j]
                    self.req[j] = 0
                    self.err[j] = 0
            self.slice = s
            self.slice_end = (s + 1) * self.slice_s
            self.at = <Py_ssize_t>(((s % self.n) + self.n) % self.n)
        return self.at                 # a clock that stepped back counts in the newest slice
