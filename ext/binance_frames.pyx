"""The Binance spot WebSocket API session's frames sorted in C (binance-spot.md, WebSocket API).

One session carries the answers to our requests (``{"id":N,"status":200,...}``) and, once
subscribed, the account's user-data events (``{"subscriptionId":N,"event":{...}}``).
:class:`BinanceFrames` takes each frame from the compiled listener
(:class:`engine._ws_listener.FrameListener`), the payload borrowed from picows's read buffer,
and applies these rules in this order (the session's Python handler, ``BinanceWsApi._on_other``,
takes only what rule 3 hands it):

1. While requests wait, a frame that starts ``{"id":`` with decimal digits up to the first comma
   (within the first 32 bytes) followed by ``"status":200,`` settles the request of that id, if
   it waits (the :class:`~engine.transport.inflight.InflightRequests` dict, shared, never
   copied), with the frame as bytes; one whose request no longer waits goes on to rule 3.
2. Otherwise a frame with ``"subscriptionId"`` in its first 32 bytes is an event: counted and
   handed to ``on_event`` (the order manager's compiled stream loop) as bytes.
3. Every other frame goes to ``other`` (Python, as bytes): errors, the logon and subscription
   answers, answers in another shape, unreadable frames.  That path decides what they mean,
   with the JSON parsed.

Every read of the payload is bounded by its length.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_Size
from cpython.long cimport PyLong_FromLongLong
from libc.string cimport memcmp

from engine._ws_listener cimport FrameSink
from engine._ws_listener cimport memmem
from engine._ws_listener cimport NOT_WAITING
from engine._ws_listener cimport SETTLED
from engine._ws_listener cimport settle_waiting

__all__ = ["BinanceFrames"]

cdef enum:
    HEAD = 32               # the id's comma, and the event mark, are looked for in the first 32 bytes
    MAX_DIGITS = 18         # a request id that fits a long long

cdef const char *ID = b'{"id":'
cdef const char *OK = b'"status":200,'
cdef const char *EVENT = b'"subscriptionId"'


cdef class BinanceFrames(FrameSink):
    """Sorts the session's frames (module docstring).

    Parameters
    ----------
    pending : dict
        Request id (int) to its future: the
        :attr:`InflightRequests.pending <engine.transport.inflight.InflightRequests.pending>`
        dict itself.
    other : callable
        ``(payload: bytes, is_text: bool) -> None`` for every frame not settled or handed on here.
    on_event : callable or None
        ``(payload: bytes) -> None`` for each user-data event (None: counted only).
    """
    cdef dict pending
    cdef object other
    cdef public object on_event
    cdef readonly long long events      # user-data events handed on here
    cdef readonly long long settled     # answers that settled their request here

    def __init__(self, dict pending not None, other, on_event=None):
        if not callable(other):
            raise TypeError("BinanceFrames needs a callable for the frames it does not take")
        self.pending = pending
        self.other = other
        self.on_event = on_event

    cdef int on_frame(self, const char *data, Py_ssize_t size, bint is_text) except -1:
        cdef Py_ssize_t i, stop
        cdef long long rid = 0
        cdef int st
        if PyDict_Size(self.pending) != 0 and size >= 6 and memcmp(data, ID, 6) == 0:
            i = 6
            stop = min(size, HEAD)
            while i < stop and i - 6 < MAX_DIGITS and c'0' <= data[i] <= c'9':
                rid = rid * 10 + (data[i] - c'0')
                i += 1
            if i > 6 and i < stop and data[i] == c',' and size - (i + 1) >= 13 and memcmp(data + i + 1, OK, 13) == 0:
                key = PyLong_FromLongLong(rid)
                st = settle_waiting(self.pending, key, data, size)
                if st != NOT_WAITING:
                    self.settled += st == SETTLED
                    return 0
        elif memmem(data, <size_t>min(size, HEAD), EVENT, 16) != NULL:
            self.events += 1
            if self.on_event is not None:
                self.on_event(PyBytes_FromStringAndSize(data, size))
            return 0
        self.other(PyBytes_FromStringAndSize(data, size), is_text)
        return 0
