"""The WebSocket listener of :class:`engine.transport.ws.ReconnectingWebSocket`, in C.

picows calls :meth:`FrameListener.on_ws_frame` through the listener's vtable (its ``cpdef``
methods), so a frame reaches its handler without a Python frame for the listener: the frame's
type is read as a C enum, and its payload goes either to a compiled :class:`FrameSink`
(``on_frame``: a pointer into picows's read buffer and a length, borrowed for the call; no
object made) or, for a handler written in Python, to ``on_message`` as ``bytes`` (a copy).

Rules:

1. Text and binary frames are counted (:attr:`FrameListener.messages`) and handed on; a close
   frame disconnects; pings and pongs are picows's (auto-pong, auto-ping).
2. A handler that raises is counted (:attr:`FrameListener.handler_errors`) and logged; the
   stream goes on (a handler bug must not kill the stream).
3. The listener outlives connections: the socket reuses it for each one, so the counts cover
   every connection.
"""

import logging

from picows.picows cimport WSFrame
from picows.picows cimport WSListener
from picows.picows cimport WSMsgType
from picows.picows cimport WSTransport

__all__ = ["FrameSink", "FrameListener"]

_log = logging.getLogger("engine.transport.ws")


cdef class FrameSink:
    """A compiled frame handler: subclasses override ``on_frame`` (C only)."""

    def feed(self, bytes payload not None, bint is_text=True):
        """Take one frame as the listener hands it over (tests, replay)."""
        self.on_frame(payload, len(payload), is_text)

    cdef int on_frame(self, const char *data, Py_ssize_t size, bint is_text) except -1:
        return 0


cdef class FrameListener(WSListener):
    """picows listener of one :class:`~engine.transport.ws.ReconnectingWebSocket` (``owner``).

    Parameters
    ----------
    owner
        The socket: the listener sets its ``_transport`` and reads its ``user_ping``,
        ``is_pong`` and ``name``.
    on_message
        ``(payload: bytes, is_text: bool) -> None`` for each text or binary frame, used when
        ``sink`` is None.
    sink
        A compiled :class:`FrameSink` taking the frames instead (borrowed payload).
    """

    def __init__(self, owner, on_message=None, FrameSink sink=None):
        if sink is None and not callable(on_message):
            raise TypeError("FrameListener needs on_message (a callable) or a FrameSink")
        self.owner = owner
        self.on_message = on_message
        self.sink = sink

    cpdef on_ws_connected(self, WSTransport transport):
        self.owner._transport = transport

    cpdef on_ws_frame(self, WSTransport transport, WSFrame frame):
        cdef WSMsgType t = frame.msg_type
        if t == WSMsgType.TEXT or t == WSMsgType.BINARY:
            self.messages += 1
            try:
                if self.sink is not None:
                    self.sink.on_frame(frame.payload_ptr, frame.payload_size, t == WSMsgType.TEXT)
                else:
                    self.on_message(frame.get_payload_as_bytes(), t == WSMsgType.TEXT)
            except Exception:  # a handler bug must not kill the stream: count, log, go on
                self.handler_errors += 1
                _log.exception("%s: message handler failed", self.owner.name)
        elif t == WSMsgType.CLOSE:
            transport.disconnect()

    cpdef on_ws_disconnected(self, WSTransport transport):
        self.owner._transport = None

    cpdef send_user_specific_ping(self, WSTransport transport):
        ping = self.owner.user_ping
        if ping is None:
            transport.send_ping()
        else:
            transport.send(WSMsgType.TEXT, ping)

    cpdef is_user_specific_pong(self, WSFrame frame):
        pred = self.owner.is_pong
        if frame.msg_type == WSMsgType.PONG:
            return True
        if pred is None:
            return False
        return frame.msg_type == WSMsgType.TEXT and bool(pred(frame.get_payload_as_bytes()))
