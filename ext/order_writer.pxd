# What a venue's order path gives the engine's compiled order entry (engine._order_entry): a place, a
# cancel and an amendment written at once, without an await, and their answers read.  Declarations.
from libc.stdint cimport int64_t

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
    # warm_place: what write_place does before its write (the venue clock read, the request encoded and signed
    # into the writer's buffer, the connection looked at), with nothing written, spent or kept: the
    # busy-polling loop runs it to keep the path in the caches.  The base writer does nothing.
    cdef int warm_place(self, OrderSpec spec, bytes cid) except -1
    cdef object write_cancel(self, OrderSpec spec, bytes cid)
    cdef object read_cancel(self, object kind, bytes cid, object raw)
    # write_amend: the order amended in place, ``qty_raw`` / ``price_raw`` as given (0 keeps the order's own),
    # ``new_qty`` / ``new_price`` the order as amended (for a venue that wants both).
    cdef object write_amend(self, OrderSpec spec, bytes cid, int64_t qty_raw, int64_t price_raw, int64_t new_qty,
                            int64_t new_price)
    cdef object read_amend(self, object kind, bytes cid, object raw)
    # amends_down: a venue that amends by cancel-replace (``replaces``) but lowers a quantity in place, the
    # price kept and the queue priority with it: write_amend is asked for that amendment only.
    cdef public bint amends_down
    # write_replace: an amendment by cancel-replace in one request (``replaces`` True): ``old`` cancelled and
    # ``new`` (admitted, its own client id) placed; read_replace: ``(cancel answer, new-order answer)`` as
    # bytes each for the venue's compiled parser, or the venue's typed error raised (``answers``: the legs'
    # own answers when it partly failed).
    cdef public bint replaces
    cdef object write_replace(self, OrderSpec old, bytes old_cid, OrderSpec new, bytes new_cid)
    cdef object read_replace(self, object kind, bytes new_cid, object raw)
