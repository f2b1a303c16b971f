# What a venue's order path gives the engine's compiled order entry (engine._order_entry): a place and a
# cancel written at once, without an await, and their answers read.  Declarations.
from engine._order_spec cimport OrderSpec


cdef class OrderWriter:
    # write_*: the bytes written at once; returns the future of the answer and sets ``kind`` (how it left:
    # the writer's own code, handed back to read_*), or None when it would have to wait (nothing spent,
    # nothing written: the engine then takes its awaiting path).  Raises as the adapter's send_place_now
    # does (a TransportError says whether anything was sent; anything else: nothing was).
    # read_*: the parser holding the answer, or the venue's typed error raised.
    cdef public object kind
    cdef object write_place(self, OrderSpec spec, bytes cid)
    cdef object read_place(self, object kind, bytes cid, object raw)
    cdef object write_cancel(self, OrderSpec spec, bytes cid)
    cdef object read_cancel(self, object kind, bytes cid, object raw)
