# Gate.io APIv4 spot hot-message parser: WebSocket v4 `spot.orders` / `spot.usertrades` pushes (their
# `result` array read record by record), REST order answers and WebSocket order-API result frames.
from engine._jsonscan cimport js_cur
from engine._parse_common cimport RecordParser


cdef class GateParser(RecordParser):
    # rec: the envelope after parse() of a push (one result item after next_record()), or the whole
    # order of an answer
    cdef js_cur _rc                      # cursor over the validated `result` array of a push
    cdef int _first                      # js_next_elem state for _rc
    cdef bint _pending                   # push records may remain in _rc
    cdef object _data                    # keeps the parsed bytes alive while records are read
    cdef const char *_base               # start of the parsed bytes (error offsets)
    cdef Py_ssize_t _size

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1
    cdef int next_record_c(self) except -1
    cdef int _fail(self, int status, const char *at) except -1
