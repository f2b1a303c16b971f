"""Bybit's compiled order writer (V5, linear and spot): what the engine's compiled order entry
(:mod:`engine._order_entry`) and the adapter's own at-once paths ask of the venue, written at once.

- Over the trade WebSocket when it carries orders and is connected: the adapter's own write, paced by
  the account's limiter as REST is (``_ws_place_now``), and its acknowledgement reader (``_read_ack``).
- Else over REST (the lean path): ``BybitOrderPath.place_now`` / ``cancel_now`` / ``amend_now`` (encoded, signed, the
  rate budget taken, written on the warm connection) and its reader (``BybitOrderPath.read``).

A conditional order (and a spot stop) goes by the general JSON path: never written here.  Bybit
acknowledges an order only as received; its state comes from the private stream, which the entry
waits for as the engine's placement does.
"""

from libc.stdint cimport int64_t

from engine._order_spec cimport OrderSpec
from engine._order_writer cimport OrderWriter

from engine.transport.errors import ConnectionLost as _ConnectionLost
from engine.venues.bybit.order_path import AMEND as _AMEND_ENDPOINT
from engine.venues.bybit.order_path import AMEND_COST as _AMEND_COST
from engine.venues.bybit.order_path import CANCEL as _CANCEL_ENDPOINT
from engine.venues.bybit.order_path import CANCEL_COST as _CANCEL_COST
from engine.venues.bybit.order_path import CREATE as _CREATE_ENDPOINT
from engine.venues.bybit.order_path import CREATE_COST as _CREATE_COST

__all__ = ["BybitWriter", "REST", "WS_TRADE"]

REST = 0        # kind: written on the REST lean path
WS_TRADE = 1    # kind: written on the trade WebSocket

cdef int _REST = REST
cdef int _WS_TRADE = WS_TRADE


cdef class BybitWriter(OrderWriter):
    """The writer of one Bybit adapter (module docstring)."""

    cdef object adapter
    cdef object orders
    cdef object cancel_cost
    cdef object amend_cost
    cdef object amend_endpoint
    cdef object create_endpoint
    cdef object cancel_endpoint

    def __init__(self, adapter):
        self.adapter = adapter
        self.orders = adapter.orders
        self.cancel_cost = _CANCEL_COST
        self.amend_cost = _AMEND_COST
        self.amend_endpoint = _AMEND_ENDPOINT
        self.create_endpoint = _CREATE_ENDPOINT
        self.cancel_endpoint = _CANCEL_ENDPOINT

    cdef object _trade(self):
        """The trade WebSocket when it carries orders and is connected, else None."""
        trade = self.adapter.trade
        return trade if trade is not None and trade.ws.connected else None

    cdef object write_place(self, OrderSpec spec, bytes cid):
        adapter = self.adapter
        if adapter._general(spec):
            return None
        if self._trade() is not None:
            fut = adapter._ws_place_now(spec, cid)
            self.kind = _WS_TRADE
            return fut
        orders = self.orders
        fut = orders.place_now(spec.symbol.encode(), spec.side, spec.order_type, spec.tif, spec.qty_raw,
                               spec.price_raw, spec.stop_raw, cid, spec.reduce_only)
        if fut is not None:
            spec.sent_ms = orders.last_ts
            self.kind = _REST
        return fut

    cdef int warm_place(self, OrderSpec spec, bytes cid) except -1:
        if self.adapter._general(spec):
            return 0
        trade = self._trade()
        if trade is not None:
            self.orders.limiter._gate.fits(_CREATE_COST)
            trade.warm_place(spec.symbol.encode(), spec.side, spec.order_type, spec.tif, spec.qty_raw,
                             spec.price_raw, spec.stop_raw, cid, reduce_only=spec.reduce_only)
            return 0
        self.orders.warm_place(spec.symbol.encode(), spec.side, spec.order_type, spec.tif, spec.qty_raw,
                               spec.price_raw, spec.stop_raw, cid, spec.reduce_only)
        return 0

    cdef object read_place(self, object kind, bytes cid, object raw):
        if kind == _WS_TRADE:
            return self.adapter._read_ack(raw, cid)
        return self.orders.read(raw, self.create_endpoint, cid)

    cdef object write_cancel(self, OrderSpec spec, bytes cid):
        trade = self._trade()
        if trade is not None:
            if not self.adapter.rest.limiter.try_take(self.cancel_cost):
                return None
            self.kind = _WS_TRADE
            return trade.cancel_order(spec.symbol.encode(), client_id=cid)
        self.kind = _REST
        return self.orders.cancel_now(spec.symbol.encode(), cid)

    cdef object read_cancel(self, object kind, bytes cid, object raw):
        if kind == _WS_TRADE:
            return self.adapter._read_ack(raw)
        return self.orders.read(raw, self.cancel_endpoint)

    cdef object write_amend(self, OrderSpec spec, bytes cid, int64_t qty_raw, int64_t price_raw, int64_t new_qty,
                            int64_t new_price):
        """``order.amend`` on the trade WebSocket (paced as REST), else ``/v5/order/amend`` on the lean path:
        only what changes is sent (0 keeps)."""
        if self.adapter._general(spec):
            return None
        trade = self._trade()
        if trade is not None:
            if not self.adapter.rest.limiter.try_take(self.amend_cost):
                return None
            try:
                fut = trade.amend_order(spec.symbol.encode(), client_id=cid, qty_raw=qty_raw, price_raw=price_raw)
            except _ConnectionLost as exc:
                if exc.sent:
                    raise
                return None
            self.kind = _WS_TRADE
            return fut
        self.kind = _REST
        return self.orders.amend_now(spec.symbol.encode(), cid, qty_raw, price_raw)

    cdef object read_amend(self, object kind, bytes cid, object raw):
        if kind == _WS_TRADE:
            return self.adapter._read_ack(raw, cid)
        return self.orders.read(raw, self.amend_endpoint, cid)
