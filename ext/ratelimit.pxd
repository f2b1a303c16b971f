# Rate-limit windows and the take of one request over them: the hot path of
# engine.transport.ratelimit.RateLimiter, in C.  Declarations.
from libc.stdint cimport int64_t


cdef class Window:
    """One limit: ``limit`` units per ``seconds``, clock-aligned or rolling."""
    cdef readonly str name
    cdef public int64_t limit           # units per window
    cdef readonly double seconds        # window length, s (positive)
    cdef readonly bint aligned          # True: clock-aligned (Binance); False: rolling (Bybit, MEXC)
    cdef public int64_t used            # units counted in the current window
    cdef public double start            # aligned: start of the current window (clock s)
    cdef double *ev_t                   # rolling: when each counted event was taken (clock s), a ring
    cdef int64_t *ev_n                  # rolling: its units
    cdef Py_ssize_t ev_head             # index of the oldest event in the ring
    cdef Py_ssize_t ev_len              # events in the ring
    cdef Py_ssize_t ev_cap              # ring capacity (grows by doubling)

    cdef int roll_c(self, double now) except -1
    cdef int push_c(self, double now, int64_t units) except -1
    cdef int64_t cap_c(self, double share) noexcept


cdef class TakePlan:
    """The windows one request touches, with its units and the cap it may fill each to."""
    cdef tuple windows                  # Window objects
    cdef int64_t *units                 # per window: units taken
    cdef int64_t *caps                  # per window: the fill it may not pass
    cdef Py_ssize_t n

    cdef int take_c(self, double now) except -1
    cdef int fits_c(self, double now) except -1


cdef class TakeGate:
    """What RateLimiter.try_take reads for every request: the ban and pause ends, the kill switch, the plans."""
    cdef public double banned_until     # clock s: no request at all before (418 / IP ban)
    cdef public double paused_until     # clock s: no request but cancels before (429), unless risk_off
    cdef public bint risk_off           # the kill switch is on: nothing waits for a pause
    cdef public object clock            # () -> clock s
    cdef list costs                     # the Cost objects planned (identity is the key)
    cdef list plans                     # their TakePlan, same index

    cdef TakePlan _ready(self, cost, double now, int *code)
