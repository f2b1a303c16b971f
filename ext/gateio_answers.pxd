# Gate.io WebSocket order API: answers paired with their waiting requests in C (gateio-spot.md §8).
from engine._ws_listener cimport FrameSink


cdef class GateAnswers(FrameSink):
    cdef dict pending                    # request id (bytes) -> future: the InflightRequests' own dict
    cdef object other                    # Python (payload: bytes) -> None: every frame not settled here
    cdef readonly long long acks         # ack frames ("ack":true, with a request id) dropped here
    cdef readonly long long settled      # result frames ("status":"200") that settled their request here
