"""The Gate.io WebSocket order API's answers paired with their requests in C (gateio-spot.md §8).

Every order request gets an ack frame (``"ack":true``: received) and then its result frame (no
``ack`` key), both led by ``"request_id"``.  :class:`GateAnswers` takes each frame from the
compiled listener (:class:`engine._ws_listener.FrameListener`), the payload borrowed from
picows's read buffer, and:

1. While requests wait, it finds the request id (the first member: its key looked for in the
   frame's first 64 bytes, the id's closing quote within 96 bytes of the key).
2. A frame with an id and ``"ack":true`` is an ack (received; the result follows): counted and
   dropped, nothing made.  (An ack is never anything else: the JSON path ignores acks too.)
3. A frame with an id and ``"status":"200"`` in its head (the first 400 bytes) settles the
   request of that id, if it waits (the :class:`~engine.transport.inflight.InflightRequests`
   dict, shared, never copied), with the frame as bytes.
4. Every other frame goes to ``other`` (Python, as bytes): errors (``data.errs``), the login
   answer, pongs, notices, frames of requests no longer waiting, unreadable frames.  That path
   decides what they mean, with the JSON parsed.

Every read of the payload is bounded by its length.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_DelItem
from cpython.dict cimport PyDict_GetItem
from cpython.dict cimport PyDict_Size
from cpython.ref cimport PyObject
from libc.string cimport memchr

from engine._ws_listener cimport FrameSink

__all__ = ["GateAnswers"]

cdef enum:
    RID_WINDOW = 64         # the request id's key is looked for in the frame's first 64 bytes
    ID_WINDOW = 96          # its closing quote within 96 bytes of the key
    STATUS_WINDOW = 400     # "status":"200" in the header, near the head of the frame

cdef const char *RID = b'"request_id":"'
cdef const char *ACK = b'"ack":true'
cdef const char *OK = b'"status":"200"'


cdef extern from "string.h" nogil:
    # a GNU and BSD extension (glibc, musl, macOS); Python.h defines _GNU_SOURCE before string.h
    const void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen)


cdef inline Py_ssize_t _find(const char *p, Py_ssize_t n, const char *pat, Py_ssize_t m) noexcept:
    """Offset of ``pat[:m]`` in ``p[:n]``, or -1."""
    cdef const char *hit
    if n < m:
        return -1
    hit = <const char *>memmem(p, <size_t>n, pat, <size_t>m)
    return -1 if hit == NULL else hit - p


cdef class GateAnswers(FrameSink):
    """Pairs the order API's answers with their waiting requests (module docstring).

    Parameters
    ----------
    pending : dict
        Request id (bytes, as written in the request's ``req_id``) to its future: the
        :attr:`InflightRequests.pending <engine.transport.inflight.InflightRequests.pending>`
        dict itself.
    other : callable
        ``(payload: bytes) -> None`` for every frame not settled or dropped here.
    """

    def __init__(self, dict pending not None, other):
        if not callable(other):
            raise TypeError("GateAnswers needs a callable for the frames it does not settle")
        self.pending = pending
        self.other = other

    def feed(self, bytes payload not None):
        """Take one frame as the listener hands it over (tests, replay)."""
        self.on_frame(payload, len(payload), True)

    cdef int on_frame(self, const char *data, Py_ssize_t size, bint is_text) except -1:
        cdef Py_ssize_t at, start, stop
        cdef const char *end
        cdef PyObject *waiting
        if PyDict_Size(self.pending) != 0:
            at = _find(data, min(size, RID_WINDOW), RID, 14)
            if at >= 0:
                start = at + 14
                stop = min(size, at + ID_WINDOW)
                end = <const char *>memchr(data + start, b'"', <size_t>(stop - start)) if stop > start else NULL
                if end != NULL:
                    if _find(data, size, ACK, 10) >= 0:
                        self.acks += 1              # received; the result follows (nothing made)
                        return 0
                    if _find(data, min(size, STATUS_WINDOW), OK, 14) >= 0:
                        key = PyBytes_FromStringAndSize(data + start, end - (data + start))
                        waiting = PyDict_GetItem(self.pending, key)
                        if waiting != NULL:
                            fut = <object>waiting
                            PyDict_DelItem(self.pending, key)
                            if not fut.done():
                                fut.set_result(PyBytes_FromStringAndSize(data, size))
                                self.settled += 1
                            return 0
        self.other(PyBytes_FromStringAndSize(data, size))
        return 0
