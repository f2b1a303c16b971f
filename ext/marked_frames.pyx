"""A stream's frames sorted by a mark in their head, in C.

A user-data stream whose frames fall into two kinds told apart by a few bytes near their start needs no
Python frame per message: picows's compiled listener (:class:`engine._ws_listener.FrameListener`) hands each
frame, borrowed from its read buffer, to :class:`MarkedFrames`, which applies one rule:

- a frame with ``mark`` within its first ``window`` bytes is counted (``marked``) and handed to
  ``on_marked`` as bytes;
- every other frame is counted (``others``) and handed to ``on_other`` as bytes.

Each handler is one call: the order manager's compiled stream loop (``RecordLoop.run``) takes a venue's
pushes with no Python frame at all.  Used by Bybit's private stream (``"topic"`` marks a push; the rest are
its JSON answers to ``auth``/``subscribe``/``pong``) and Binance USD-M's user stream (``"listenKeyExpired"``
marks the one control message; everything else is an event).  Every read of the payload is bounded by its
length.
"""

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.bytes cimport PyBytes_GET_SIZE

from engine._ws_listener cimport FrameSink
from engine._ws_listener cimport memmem

__all__ = ["MarkedFrames"]


cdef class MarkedFrames(FrameSink):
    """Sorts frames by ``mark`` in their head (module docstring).

    Parameters
    ----------
    mark : bytes
        1-64 bytes looked for within the first ``window`` bytes of each frame.
    window : int
        How far into the frame the mark may start and end (at least ``len(mark)``).
    on_marked, on_other : callable
        ``(payload: bytes) -> None`` for the frames with the mark, and for the rest.
    """
    cdef bytes mark
    cdef Py_ssize_t window
    cdef public object on_marked
    cdef public object on_other
    cdef readonly long long marked      # frames handed to on_marked
    cdef readonly long long others      # frames handed to on_other

    def __init__(self, bytes mark not None, Py_ssize_t window, on_marked, on_other):
        if not 0 < len(mark) <= 64 or window < len(mark):
            raise ValueError("MarkedFrames needs a mark of 1-64 bytes and a window at least as long")
        if not callable(on_marked) or not callable(on_other):
            raise TypeError("MarkedFrames needs a callable for each kind of frame")
        self.mark = mark
        self.window = window
        self.on_marked = on_marked
        self.on_other = on_other

    cdef int on_frame(self, const char *data, Py_ssize_t size, bint is_text) except -1:
        cdef Py_ssize_t head = size if size < self.window else self.window
        payload = PyBytes_FromStringAndSize(data, size)
        if memmem(data, <size_t>head, PyBytes_AS_STRING(self.mark), <size_t>PyBytes_GET_SIZE(self.mark)) != NULL:
            self.marked += 1
            self.on_marked(payload)
        else:
            self.others += 1
            self.on_other(payload)
        return 0
