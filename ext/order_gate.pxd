# The compiled admission's shared part: the open-order counts the checks read and the
# tracker (and the compiled stream loop) keep.  The gate itself is private to order_gate.pyx.
from libc.stdint cimport int32_t


cdef class OpenCounts:
    cdef int32_t[::1] by_inst
    cdef readonly int32_t total
    cdef readonly object array

    cpdef void opened(self, int32_t inst)
    cpdef void closed(self, int32_t inst)
    cpdef int32_t of(self, int32_t inst)
