# MEXC spot REST answer parser: new-order and cancel answers (receipts) and {code,msg} errors.
from libc.stdint cimport int64_t

from engine._parse_common cimport RecordParser


cdef class MexcParser(RecordParser):
    # rec: the last answer (MSG_ORDER_RECEIVED, MSG_ERROR or MSG_OTHER)
    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1
    cdef bint pair_c(self, const char *cid, Py_ssize_t cid_n, const char *symbol, Py_ssize_t symbol_n, int side,
                     int64_t qty_raw) noexcept
