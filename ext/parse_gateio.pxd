# Gate.io APIv4 spot hot-message parser: WebSocket v4 `spot.orders` / `spot.usertrades` pushes (their
# `result` array read record by record), REST order answers and WebSocket order-API result frames.
from engine._exec_record cimport ExecRecord
from engine._jsonscan cimport js_cur
from engine._parse_common cimport RecordParser


cdef class GateParser(RecordParser):
    # rec: the envelope after parse() of a push (one result item after next_record()), or the whole
    # order of an answer
    cdef js_cur _rc                      # cursor over the validated `result` array of a push
    cdef int _first                      # js_next_elem state for _rc
    cdef bint _pending                   # push records may remain in _rc
    cdef ExecRecord _item1               # a push's first item, read while parse() validated the message
    cdef bint _item1_ready               # _item1 (or its deferred error) is the next record to hand out
    cdef int _item1_status               # JS_OK, or why the first item is unusable (raised by next_record)
    cdef const char *_item1_at           # where reading the first item failed
    cdef object _data                    # keeps the parsed bytes alive while records are read
    cdef const char *_base               # start of the parsed bytes (error offsets)
    cdef Py_ssize_t _size

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1
    cdef int next_record_c(self) except -1
    cdef int _fail(self, int status, const char *at) except -1
