"""The order a bot sees: :class:`Order`, a snapshot of one store slot, made in one C call.

A view is what ``place_*``, ``cancel``, ``get_order`` and every order event hand out.  It
is made on the hot path (each ``await place_limit`` returns one), so it is made from the
store's columns directly: the raw fixed-point values are copied, and the ``Decimal``
fields (``quantity``, ``price``, ``filled``...) are built the first time they are read
and kept (a view never changes once made: it is a snapshot, as before).  A bot that
reads only ``state`` or ``client_order_id`` builds no ``Decimal`` at all.

Equality, hashing and ``repr`` are those of the frozen dataclass this replaces: two
views are equal when every field is.
"""

from libc.stdint cimport int32_t
from libc.stdint cimport int64_t

from engine._instruments cimport Instruments
from engine._order_store cimport ORDER_FLAG_REDUCE_ONLY
from engine._order_store cimport OrderStore

from engine._enums import TERMINAL_STATES as _TERMINAL_STATES
from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import to_decimal
from engine._order_store import OrderStoreError

__all__ = ["Order", "order_view", "order_of_raws"]

_FIELDS = ("client_order_id", "exchange_order_id", "symbol", "side", "order_type", "time_in_force", "state",
           "quantity", "price", "stop_price", "filled", "average_price", "fee", "fee_asset", "reduce_only",
           "reject_code", "slot")


cdef list _members(cls):
    """Enum members indexed by value (None where no member has the value): a C index, no hashing."""
    cdef list out = [None] * 256
    for m in cls:
        out[int(m)] = m
    return out


cdef list _SIDE = _members(Side)
cdef list _TYPE = _members(OrderType)
cdef list _TIF = _members(TimeInForce)
cdef list _STATE = _members(OrderState)
cdef object _ZERO = to_decimal(0)       # Decimals are immutable: unfilled, fee-less views share this one
cdef frozenset _TERMINAL = frozenset(_TERMINAL_STATES)

cdef enum:
    D_QTY = 1
    D_PRICE = 2
    D_STOP = 4
    D_FILLED = 8
    D_AVG = 16
    D_FEE = 32


cdef inline object _member(list table, int value, cls):
    m = table[value & 0xFF]
    return m if m is not None else cls(value)      # a value no member has: the enum's own error


cdef class Order:
    """An order as the engine knows it when this view was made (it does not update itself)."""

    cdef readonly str client_order_id
    cdef readonly object exchange_order_id      # int, str or None
    cdef readonly str symbol
    cdef readonly object side                   # Side
    cdef readonly object order_type             # OrderType
    cdef readonly object time_in_force          # TimeInForce
    cdef readonly object state                  # OrderState
    cdef readonly object fee_asset              # str or None
    cdef readonly bint reduce_only
    cdef readonly int reject_code
    cdef readonly int slot
    cdef int64_t _qty, _price, _stop, _filled, _cum_quote, _avg, _fee
    cdef bint _avg_given                       # _avg is the venue's average price (else from _cum_quote)
    cdef int _made                             # D_* bits of the Decimals already built
    cdef object _d_qty, _d_price, _d_stop, _d_filled, _d_avg, _d_fee

    def __init__(self, *args, **kwargs):
        raise TypeError("Order views are made by the engine (Engine.get_order, place_*, events), not by hand")

    @property
    def quantity(self):
        if not self._made & D_QTY:
            self._d_qty = to_decimal(self._qty)
            self._made |= D_QTY
        return self._d_qty

    @property
    def price(self):
        """The limit price (None for a market order)."""
        if not self._made & D_PRICE:
            self._d_price = to_decimal(self._price) if self._price else None
            self._made |= D_PRICE
        return self._d_price

    @property
    def stop_price(self):
        """The stop / trigger price (None when the order has none)."""
        if not self._made & D_STOP:
            self._d_stop = to_decimal(self._stop) if self._stop else None
            self._made |= D_STOP
        return self._d_stop

    @property
    def filled(self):
        if not self._made & D_FILLED:
            self._d_filled = to_decimal(self._filled) if self._filled else _ZERO
            self._made |= D_FILLED
        return self._d_filled

    @property
    def average_price(self):
        """The average fill price (None until something filled)."""
        if not self._made & D_AVG:
            if self._avg_given:
                self._d_avg = to_decimal(self._avg) if self._filled and self._avg else None
            else:
                self._d_avg = (to_decimal(int(self._cum_quote) * 100_000_000 // int(self._filled))
                               if self._filled else None)
            self._made |= D_AVG
        return self._d_avg

    @property
    def fee(self):
        if not self._made & D_FEE:
            self._d_fee = to_decimal(self._fee) if self._fee else _ZERO
            self._made |= D_FEE
        return self._d_fee

    @property
    def is_open(self) -> bool:
        return self.state not in _TERMINAL

    @property
    def remaining(self):
        return self.quantity - self.filled

    cdef tuple _values(self):
        return (self.client_order_id, self.exchange_order_id, self.symbol, self.side, self.order_type,
                self.time_in_force, self.state, self.quantity, self.price, self.stop_price, self.filled,
                self.average_price, self.fee, self.fee_asset, self.reduce_only, self.reject_code, self.slot)

    def __eq__(self, other):
        if type(other) is not Order:
            return NotImplemented
        return self._values() == (<Order>other)._values()

    def __hash__(self):
        return hash(self._values())

    def __repr__(self):
        return "Order(" + ", ".join(f"{k}={v!r}" for k, v in zip(_FIELDS, self._values())) + ")"

    def __reduce__(self):
        return (order_of_raws, (self.client_order_id, self.exchange_order_id, self.symbol, int(self.side),
                                int(self.order_type), int(self.time_in_force), int(self.state), self._qty,
                                self._price, self._stop, self._filled, self._cum_quote, self._fee, self.fee_asset,
                                self.reduce_only, self.reject_code, self.slot,
                                self._avg if self._avg_given else -1))


cdef Order _new(str client_id, object exchange_id, str symbol, int side, int order_type, int tif, int state,
                int64_t qty, int64_t price, int64_t stop, int64_t filled, int64_t cum_quote, int64_t fee,
                object fee_asset, bint reduce_only, int reject_code, int slot):
    cdef Order o = Order.__new__(Order)
    o.client_order_id = client_id
    o.exchange_order_id = exchange_id
    o.symbol = symbol
    o.side = _member(_SIDE, side, Side)
    o.order_type = _member(_TYPE, order_type, OrderType)
    o.time_in_force = _member(_TIF, tif, TimeInForce)
    o.state = _member(_STATE, state, OrderState)
    o._qty, o._price, o._stop, o._filled, o._cum_quote, o._fee = qty, price, stop, filled, cum_quote, fee
    o.fee_asset = fee_asset
    o.reduce_only = reduce_only
    o.reject_code = reject_code
    o.slot = slot
    return o


def order_view(OrderStore store, Instruments instruments, int32_t slot):
    """The view of ``slot`` as the store holds it now (:class:`OrderStoreError` if the slot is not live)."""
    if not store.is_live_c(slot):
        raise OrderStoreError(f"slot {slot} is not live")
    cdef int kind = store.exch_kind[slot]
    cdef const char *cid = <const char *>&store.client_id_buf[slot, 0]
    if kind == 1:
        exchange_id = store.exch_id_int[slot]
    elif kind == 2:
        exchange_id = (<const char *>&store.exch_id_str[slot, 0])[:store.exch_id_len[slot]].decode("utf-8",
                                                                                                    "replace")
    else:
        exchange_id = None
    cdef int32_t inst = store.instrument[slot], fee_asset = store.fee_asset[slot]
    cdef list names = instruments.asset_names
    return _new(cid[:store.client_id_len[slot]].decode("ascii"), exchange_id, instruments.symbols[inst],
                store.side[slot], store.order_type[slot], store.tif[slot], store.state[slot], store.qty_raw[slot],
                store.price_raw[slot], store.stop_price_raw[slot], store.filled_raw[slot],
                store.cum_quote_raw[slot], store.fee_raw[slot],
                names[fee_asset] if 0 <= fee_asset < len(names) else None,
                store.flags[slot] & ORDER_FLAG_REDUCE_ONLY, store.reject_code[slot], slot)


def order_of_raws(str client_id, exchange_id, str symbol, int side, int order_type, int tif, int state,
                  int64_t qty_raw, int64_t price_raw, int64_t stop_raw, int64_t filled_raw, int64_t cum_quote_raw,
                  int64_t fee_raw, fee_asset, bint reduce_only, int reject_code, int slot, int64_t avg_price_raw=-1):
    """A view of raw values (a venue's own report of an order, a copy): ``avg_price_raw`` >= 0 is the
    average price as given, -1 computes it from ``cum_quote_raw``."""
    cdef Order o = _new(client_id, exchange_id, symbol, side, order_type, tif, state, qty_raw, price_raw, stop_raw,
                        filled_raw, cum_quote_raw, fee_raw, fee_asset, reduce_only, reject_code, slot)
    if avg_price_raw >= 0:
        o._avg = avg_price_raw
        o._avg_given = True
    return o
