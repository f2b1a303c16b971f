# cython: language_level=3
"""The interface a venue's compiled order writer implements for the engine's order entry.

:mod:`engine._order_entry` runs ``Engine.place_limit``, ``Engine.cancel`` and ``Engine.amend`` of a plain
order in compiled code from the bot's arguments to the bytes on the socket and back.  What is the
venue's own, it asks of an :class:`OrderWriter`: encode, sign, take the rate budget and write at once
(``write_place`` / ``write_cancel`` / ``write_amend``, an amendment in place; ``write_replace``, one
by cancel-replace, where ``replaces``), and read the answer into the venue's compiled parser
(``read_place`` / ``read_cancel`` / ``read_amend``; ``read_replace`` gives each leg's answer).  A venue that
has one returns it from its adapter's ``order_writer()``; the others keep the adapter's Python path.  Each method of this base class
says "not now" (None), so a writer implements what it can and the rest takes the Python path.

The adapter's own at-once paths (``send_place_now``, the first step of ``cancel``) are
:meth:`OrderWriter.place_now` and :meth:`OrderWriter.cancel_now`: one owner of what is written at
once, whether the engine's compiled entry or its Python placement asks.
"""

from libc.stdint cimport int64_t

from functools import partial


cdef class OrderWriter:
    """Base writer: nothing written at once (module docstring)."""

    def place_now(self, OrderSpec spec not None):
        """The order written at once: ``(future, read)``, ``read(raw)`` giving the parser that holds the
        answer (or raising the venue's typed error); None when it would have to wait (nothing written)."""
        cdef bytes cid = spec.client_id.encode()
        fut = self.write_place(spec, cid)
        return None if fut is None else (fut, partial(self.read_placed, self.kind, cid))

    def cancel_now(self, OrderSpec spec not None):
        """:meth:`place_now` for the order's cancel."""
        cdef bytes cid = spec.client_id.encode()
        fut = self.write_cancel(spec, cid)
        return None if fut is None else (fut, partial(self.read_cancelled, self.kind, cid))

    def read_placed(self, kind, bytes cid, raw):
        """``read_place`` from Python."""
        return self.read_place(kind, cid, raw)

    def read_cancelled(self, kind, bytes cid, raw):
        """``read_cancel`` from Python."""
        return self.read_cancel(kind, cid, raw)

    def read_replaced(self, kind, bytes new_cid, raw):
        """``read_replace`` from Python (an adapter's cancel-replace written in its turn)."""
        return self.read_replace(kind, new_cid, raw)

    cdef object write_place(self, OrderSpec spec, bytes cid):
        return None

    cdef object read_place(self, object kind, bytes cid, object raw):
        raise NotImplementedError("read_place of a writer that writes no place")

    cdef int warm_place(self, OrderSpec spec, bytes cid) except -1:
        return 0

    def warm(self, OrderSpec spec not None, bytes cid not None):
        """``warm_place`` from Python: nothing is written, spent or kept."""
        self.warm_place(spec, cid)

    cdef object write_cancel(self, OrderSpec spec, bytes cid):
        return None

    cdef object read_cancel(self, object kind, bytes cid, object raw):
        raise NotImplementedError("read_cancel of a writer that writes no cancel")

    cdef object write_amend(self, OrderSpec spec, bytes cid, int64_t qty_raw, int64_t price_raw, int64_t new_qty,
                            int64_t new_price):
        return None

    cdef object read_amend(self, object kind, bytes cid, object raw):
        raise NotImplementedError("read_amend of a writer that writes no amendment")

    cdef object write_replace(self, OrderSpec old, bytes old_cid, OrderSpec new, bytes new_cid):
        return None

    cdef object read_replace(self, object kind, bytes new_cid, object raw):
        raise NotImplementedError("read_replace of a writer that writes no cancel-replace")


cdef class AdapterWriter(OrderWriter):
    """The writer of an adapter that writes at once in Python (its ``send_place_now``) and has no compiled
    writer of its own: the engine's compiled entry places through it (``kind`` holds the answer's
    reader the adapter gave); cancels take the adapter's path."""

    cdef object adapter

    def __init__(self, adapter):
        self.adapter = adapter

    cdef object write_place(self, OrderSpec spec, bytes cid):
        written = self.adapter.send_place_now(spec)
        if written is None:
            return None
        fut, self.kind = written
        return fut

    cdef object read_place(self, object kind, bytes cid, object raw):
        return kind(raw)
