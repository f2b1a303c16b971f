# Gate.io WebSocket order API in C (gateio-spot.md §8): requests written with a fresh id and their
# futures registered; answers paired with their waiting requests.
from libc.stdint cimport int64_t

from engine._codec_gateio cimport GateOrderEncoder
from engine._ws_listener cimport FrameSink

cdef enum:
    PREFIX_CAP = 24                      # request id prefix bytes at most


cdef class GateAnswers(FrameSink):
    cdef dict pending                    # request id (bytes) -> future: the InflightRequests' own dict
    cdef object other                    # Python (payload: bytes) -> None: every frame not settled here
    cdef readonly long long acks         # ack frames ("ack":true, with a request id) dropped here
    cdef readonly long long settled      # result frames ("status":"200") that settled their request here
    # write(): bound by bind()
    cdef GateOrderEncoder encoder        # holds the req_param of the request being written
    cdef object ws                       # the ReconnectingWebSocket: its _transport, last_send_ns
    cdef object inflight                 # the InflightRequests: each request written registered there
    cdef char prefix[PREFIX_CAP]         # request ids: prefix "-" seq
    cdef Py_ssize_t prefix_len
    cdef readonly long long seq          # the number in the last request id written
