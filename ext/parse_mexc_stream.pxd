# MEXC spot private-stream reader: protobuf pushes (PushDataV3ApiWrapper carrying
# PrivateOrdersV3Api 304, PrivateDealsV3Api 306, PrivateAccountV3Api 307) read
# straight from the frame into the ExecRecord (orders, deals) or a balance (account).
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t

from engine._parse_common cimport RecordParser


cdef enum:
    MEXC_ASSET_CAP = 16          # bytes kept for an account push's asset name (vcoinName)


ctypedef struct MexcBalance:
    int64_t free_raw             # balanceAmount: what is available
    int64_t locked_raw           # frozenAmount: what open orders hold
    int64_t ts_ms                # time of the change (venue ms)
    uint8_t asset_len
    uint8_t flags                # RecordFlag bits (REC_ROUNDED)
    char asset[MEXC_ASSET_CAP]


cdef class MexcStreamParser(RecordParser):
    # rec: the order or deal of the last parse (records handed out once by next_record)
    cdef MexcBalance bal                 # the account push of the last parse
    cdef readonly int body               # wrapper field of the last push's body: 304, 306, 307, or 0
    cdef object _held                    # the frame the last successful parse() read (a reference, not a copy)

    cdef int parse_c(self, const unsigned char *buf, Py_ssize_t size) except -1
