# The WebSocket listener in C: picows calls FrameListener.on_ws_frame through its vtable, and a
# text or binary frame goes to a compiled FrameSink (borrowed bytes, no Python object) or, without
# one, to a Python callable as bytes.
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_DelItem
from cpython.dict cimport PyDict_GetItem
from cpython.ref cimport PyObject
from picows.picows cimport WSFrame
from picows.picows cimport WSListener
from picows.picows cimport WSTransport


cdef extern from "string.h" nogil:
    # where a sink looks for a mark in a frame's head: a GNU and BSD extension (glibc, musl, macOS); Python.h
    # defines _GNU_SOURCE before string.h
    const void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen)


cdef class FrameSink:
    # on_frame: one text or binary frame's payload, borrowed for the call only (copy what you keep);
    # raising counts a handler error (the stream goes on)
    cdef int on_frame(self, const char *data, Py_ssize_t size, bint is_text) except -1


cdef class FrameListener(WSListener):
    cdef object owner                    # the ReconnectingWebSocket: its _transport, user_ping, is_pong
    cdef object on_message               # Python (payload: bytes, is_text: bool) -> None, without a sink
    cdef FrameSink sink                  # the compiled handler, or None
    cdef readonly long long messages     # text and binary frames handed on, over every connection
    cdef readonly long long handler_errors   # frames whose handler raised (counted, logged; stream goes on)


cdef enum:
    NOT_WAITING = 0              # settle_waiting: no request waits under that key
    WAITED = 1                   # it waited, its future already done (dropped, as the Python paths drop it)
    SETTLED = 2                  # its future now holds the frame


cdef inline int settle_waiting(dict pending, object key, const char *data, Py_ssize_t size) except -1:
    """A compiled sink's answer to the request waiting under ``key`` in ``pending`` (an InflightRequests'
    own dict): taken out, and its future given the frame as bytes unless it is already done."""
    cdef PyObject *waiting = PyDict_GetItem(pending, key)
    if waiting == NULL:
        return NOT_WAITING
    fut = <object>waiting
    PyDict_DelItem(pending, key)
    if fut.done():
        return WAITED
    fut.set_result(PyBytes_FromStringAndSize(data, size))
    return SETTLED
