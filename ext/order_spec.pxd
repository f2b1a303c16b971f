# One order as the engine sends it: what the venue adapters encode, cancel and resolve by.
from libc.stdint cimport int64_t


cdef class OrderSpec:
    cdef public int slot
    cdef public str symbol
    cdef public str client_id
    cdef public int side
    cdef public int order_type
    cdef public int tif
    cdef public int64_t qty_raw
    cdef public int64_t price_raw
    cdef public int64_t stop_raw
    cdef public int64_t trailing_raw         # callback rate (percent, raw) for trailing stops
    cdef public bint reduce_only
    cdef public bint close_on_trigger
    cdef public object exchange_id           # int, str or None
    cdef public int64_t sent_ms              # the timestamp the last request for it was signed with (venue ms; 0: not sent)

    cdef tuple _values(self)


cdef OrderSpec new_spec(int slot, str symbol, str client_id, int side, int order_type, int tif, int64_t qty_raw,
                        int64_t price_raw, bint reduce_only)
