# TopstepX (ProjectX Gateway) hot-message parser: user-hub SignalR records
# (GatewayUserOrder / GatewayUserTrade, bare or {action,data}) and Order/* REST answers.
from engine._parse_common cimport RecordParser


cdef class TopstepxParser(RecordParser):
    cdef int _target                     # hub target of the last record (Target enum of the .pyx; 0: none)
    cdef int _hub_type                   # SignalR message type of the last record (-1: a REST answer)

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1
    cdef int set_client_c(self, const char *p, Py_ssize_t n) except -1
