# Bybit V5 hot-message parser: private `order` / `execution` topic pushes (their
# `data` array read record by record) and order REST / WS-trade responses.
from engine._jsonscan cimport js_cur
from engine._parse_common cimport RecordParser


cdef class BybitParser(RecordParser):
    # rec: the envelope after parse(); one data item after next_record()
    cdef js_cur _rc                      # cursor over the validated `data` array
    cdef int _first                      # js_next_elem state for _rc
    cdef bint _pending                   # records may remain in _rc
    cdef object _data                    # keeps the parsed bytes alive while records are read
    cdef const char *_base               # start of the parsed bytes (error offsets)
    cdef Py_ssize_t _size

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1
    cdef int next_record_c(self) except -1
    cdef int _fail(self, int status, const char *at) except -1
