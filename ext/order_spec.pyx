"""One order as the engine sends it (raw fixed-point values, enums as ints): :class:`OrderSpec`.

Every order the engine places or adopts has one (the order tracker keeps it): the venue
adapters encode it, cancel and resolve by it, and stamp ``sent_ms`` on it.  It is made on
the hot path for every new order (by the compiled gate, :func:`new_spec`, without a Python
call), so it is a compiled class; it reads, writes, compares and prints as the dataclass it
replaces did.
"""

from libc.stdint cimport int64_t

__all__ = ["OrderSpec"]

_FIELDS = ("slot", "symbol", "client_id", "side", "order_type", "tif", "qty_raw", "price_raw", "stop_raw",
           "trailing_raw", "reduce_only", "close_on_trigger", "exchange_id", "sent_ms")


cdef class OrderSpec:
    """One order as the engine sends it (raw fixed-point values, enums as ints)."""

    def __init__(self, int slot, str symbol, str client_id, int side, int order_type, int tif, int64_t qty_raw,
                 int64_t price_raw=0, int64_t stop_raw=0, int64_t trailing_raw=0, bint reduce_only=False,
                 bint close_on_trigger=False, exchange_id=None, int64_t sent_ms=0):
        self.slot = slot
        self.symbol = symbol
        self.client_id = client_id
        self.side = side
        self.order_type = order_type
        self.tif = tif
        self.qty_raw = qty_raw
        self.price_raw = price_raw
        self.stop_raw = stop_raw
        self.trailing_raw = trailing_raw
        self.reduce_only = reduce_only
        self.close_on_trigger = close_on_trigger
        self.exchange_id = exchange_id
        self.sent_ms = sent_ms

    cdef tuple _values(self):
        return (self.slot, self.symbol, self.client_id, self.side, self.order_type, self.tif, self.qty_raw,
                self.price_raw, self.stop_raw, self.trailing_raw, self.reduce_only, self.close_on_trigger,
                self.exchange_id, self.sent_ms)

    def __eq__(self, other):
        if type(other) is not OrderSpec:
            return NotImplemented
        return self._values() == (<OrderSpec>other)._values()

    __hash__ = None         # mutable, as the dataclass was

    def __repr__(self):
        return "OrderSpec(" + ", ".join(f"{k}={v!r}" for k, v in zip(_FIELDS, self._values())) + ")"

    def __reduce__(self):
        return (OrderSpec, self._values())


cdef OrderSpec new_spec(int slot, str symbol, str client_id, int side, int order_type, int tif, int64_t qty_raw,
                        int64_t price_raw, bint reduce_only):
    """A new order's spec, made without a Python call (the compiled gate's admission)."""
    cdef OrderSpec s = OrderSpec.__new__(OrderSpec)
    s.slot = slot
    s.symbol = symbol
    s.client_id = client_id
    s.side = side
    s.order_type = order_type
    s.tif = tif
    s.qty_raw = qty_raw
    s.price_raw = price_raw
    s.reduce_only = reduce_only
    return s
