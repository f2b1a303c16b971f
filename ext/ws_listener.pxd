# The WebSocket listener in C: picows calls FrameListener.on_ws_frame through its vtable, and a
# text or binary frame goes to a compiled FrameSink (borrowed bytes, no Python object) or, without
# one, to a Python callable as bytes.
from picows.picows cimport WSFrame
from picows.picows cimport WSListener
from picows.picows cimport WSTransport


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
