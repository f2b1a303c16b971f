# cython: language_level=3
"""The interface a venue's compiled order writer implements for the engine's order entry.

:mod:`engine._order_entry` runs ``Engine.place_limit`` and ``Engine.cancel`` of a plain order in
compiled code from the bot's arguments to the bytes on the socket and back.  What is the venue's
own, it asks of an :class:`OrderWriter`: encode, sign, take the rate budget and write at once
(``write_place`` / ``write_cancel``), and read the answer into the venue's compiled parser
(``read_place`` / ``read_cancel``).  A venue that has one returns it from its adapter's
``order_writer()``; the others keep the adapter's Python path.  Each method of this base class
says "not now" (None), so a writer implements what it can and the rest takes the Python path.
"""


cdef class OrderWriter:
    """Base writer: nothing written at once (module docstring)."""

    cdef object write_place(self, OrderSpec spec, bytes cid):
        return None

    cdef object read_place(self, int kind, bytes cid, object raw):
        raise NotImplementedError("read_place of a writer that writes no place")

    cdef object write_cancel(self, OrderSpec spec, bytes cid):
        return None

    cdef object read_cancel(self, int kind, bytes cid, object raw):
        raise NotImplementedError("read_cancel of a writer that writes no cancel")
