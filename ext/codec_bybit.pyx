"""Bybit V5 order encoder: ``/v5/order/create``, ``/v5/order/cancel``, ``/v5/order/amend``.

This module owns the translation from the engine's order vocabulary to Bybit's compact
JSON bodies (all numbers as decimal strings from ``fp_format``) and their
``X-BAPI-SIGN``: HMAC-SHA256 of ``timestamp + apiKey + recvWindow + body``, the exact
bytes written.  Rules:

1. The body is compact JSON with keys in a fixed order; symbols, order ids and client
   ids are validated to need no JSON escaping.
2. Conditional orders (stop-loss / take-profit, market or limit) are derivatives-only
   here: ``triggerPrice`` with ``triggerDirection`` derived from the side (a buy stop
   triggers on a rise, a buy take-profit on a fall).  Spot conditional orders
   (``orderFilter``) are refused rather than guessed.
3. Bad input raises :class:`~engine._codec_errors.EncodeError`; C entry points
   return a negative status.
"""

from engine._codec_errors import encode_error

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.memoryview cimport PyMemoryView_FromMemory
from libc.stdint cimport int64_t

from engine._codec_wire cimport CODEC_E_CLIENT_ID
from engine._codec_wire cimport CODEC_E_NOTHING
from engine._codec_wire cimport CODEC_E_ORDER_REF
from engine._codec_wire cimport CODEC_E_OVERFLOW
from engine._codec_wire cimport CODEC_E_POSITION
from engine._codec_wire cimport CODEC_E_PRICE
from engine._codec_wire cimport CODEC_E_PRICE_FORBIDDEN
from engine._codec_wire cimport CODEC_E_QTY
from engine._codec_wire cimport CODEC_E_RECV_WINDOW
from engine._codec_wire cimport CODEC_E_SIDE
from engine._codec_wire cimport CODEC_E_STOP
from engine._codec_wire cimport CODEC_E_STOP_FORBIDDEN
from engine._codec_wire cimport CODEC_E_SYMBOL
from engine._codec_wire cimport CODEC_E_TIF
from engine._codec_wire cimport CODEC_E_TIMESTAMP
from engine._codec_wire cimport CODEC_E_TYPE
from engine._codec_wire cimport wire_bytes
from engine._codec_wire cimport wire_fp
from engine._codec_wire cimport wire_id_ok
from engine._codec_wire cimport wire_start
from engine._codec_wire cimport wire_str
from engine._codec_wire cimport wire_t
from engine._codec_wire cimport borrow_text as _borrow_text
from engine._codec_wire cimport json_fp_field as _fp_field
from engine._codec_wire cimport json_key as _key
from engine._codec_wire cimport json_str_field as _str_field
from engine._enums cimport BOTH
from engine._enums cimport BUY
from engine._enums cimport FOK
from engine._enums cimport GTC
from engine._enums cimport IOC
from engine._enums cimport LIMIT
from engine._enums cimport LIMIT_MAKER
from engine._enums cimport LONG
from engine._enums cimport MARKET
from engine._enums cimport POST_ONLY
from engine._enums cimport SELL
from engine._enums cimport SHORT
from engine._enums cimport STOP_LOSS
from engine._enums cimport STOP_LOSS_LIMIT
from engine._enums cimport TAKE_PROFIT
from engine._enums cimport TAKE_PROFIT_LIMIT
from engine._enums cimport TIF_NONE
from engine._signer cimport RequestSigner

cdef enum:
    SIGNATURE_HEX = 64
    SYMBOL_MAX = 32
    CLIENT_ID_MAX = 36                  # orderLinkId: <= 36 of [A-Za-z0-9_-]
    ORDER_ID_MAX = 64
    RECV_WINDOW_MAX = 60000
    DEFAULT_CAPACITY = 1024
    PYBUF_READ = 0x100

ENDPOINTS = {0: b"", 1: b"/v5/order/create", 2: b"/v5/order/cancel", 3: b"/v5/order/amend"}

cdef const char *ID_EXTRA = b"-_"


cdef class BybitOrderEncoder(WireBuffer):
    """Bybit V5 order bodies and their signatures, written into reusable buffers.

    Parameters
    ----------
    signer : engine._signer.RequestSigner
    api_key : bytes or str
        Sent as ``X-BAPI-API-KEY`` and part of the signed string.
    category : {"linear", "inverse", "spot"}, optional

    Notes
    -----
    After a call, ``buffer[:length]`` is the JSON body and ``signature`` the 64-byte
    ``X-BAPI-SIGN``; send them with ``X-BAPI-TIMESTAMP`` and ``X-BAPI-RECV-WINDOW``
    equal to the values passed.

    .. DANGER:: both views are overwritten by the next call; one encoder per thread.
    """

    def __cinit__(self, RequestSigner signer not None, api_key, category="linear", *,
                  Py_ssize_t capacity=DEFAULT_CAPACITY):
        if isinstance(api_key, str):
            api_key = api_key.encode()
        if not isinstance(api_key, bytes) or not api_key:
            raise TypeError("api_key must be non-empty bytes or str")
        if isinstance(category, str):
            category = category.encode()
        if category not in (b"linear", b"inverse", b"spot"):
            raise ValueError(f"category must be linear, inverse or spot, not {category!r}")
        self._allocate(capacity)
        self.signer = signer
        self.api_key = api_key
        self.category = category
        self.spot = category == b"spot"
        self._key_p = PyBytes_AS_STRING(api_key)
        self._key_n = <size_t>PyBytes_GET_SIZE(api_key)
        self._cat_p = PyBytes_AS_STRING(category)
        self._cat_n = <size_t>PyBytes_GET_SIZE(category)
        self.endpoint = 0
        self._sig_view = PyMemoryView_FromMemory(self.sig, SIGNATURE_HEX, PYBUF_READ)

    def __repr__(self):
        return f"BybitOrderEncoder(category={self.category.decode()!r}, length={self.length})"

    @property
    def signature(self):
        """Read-only 64-byte memoryview: ``X-BAPI-SIGN`` of the last body."""
        return self._sig_view

    @property
    def path(self):
        """URL path of the last request (all are POST)."""
        return ENDPOINTS[self.endpoint]

    def request(self):
        """``(body, signature)`` of the last request as bytes (cold path)."""
        return self._copy(0, self.length), self._sig_view.tobytes()

    cdef Py_ssize_t _finish(self, wire_t *w, int64_t timestamp_ms, int64_t recv_window_ms, int endpoint) noexcept nogil:
        wire_bytes(w, b"}", 1)
        if w.overflow:
            return CODEC_E_OVERFLOW
        self.signer.sign_bybit_c(timestamp_ms, self._key_p, self._key_n, recv_window_ms, w.buf, w.len, self.sig)
        self.length = <Py_ssize_t>w.len
        self.endpoint = endpoint
        return self.length

    cdef int _start(self, wire_t *w, const char *symbol, size_t symbol_len, const char *client_id,
                    size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil:
        if not wire_id_ok(symbol, symbol_len, SYMBOL_MAX, b""):
            return CODEC_E_SYMBOL
        if client_id_len and not wire_id_ok(client_id, client_id_len, CLIENT_ID_MAX, ID_EXTRA):
            return CODEC_E_CLIENT_ID
        if timestamp_ms <= 0:
            return CODEC_E_TIMESTAMP
        if recv_window_ms <= 0 or recv_window_ms > RECV_WINDOW_MAX:
            return CODEC_E_RECV_WINDOW
        wire_start(w, self.buf, self.capacity)
        _str_field(w, b"category", self._cat_p, self._cat_n)
        _str_field(w, b"symbol", symbol, symbol_len)
        return 0

    cdef Py_ssize_t new_order_c(self, const char *symbol, size_t symbol_len, int side, int order_type, int tif,
                                int64_t qty_raw, int64_t price_raw, int64_t stop_raw, const char *client_id,
                                size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms,
                                int position_side, bint reduce_only) noexcept nogil:
        cdef wire_t w
        cdef const char *tif_name = NULL
        cdef bint limit = False, conditional = False
        cdef int direction = 0
        if side != BUY and side != SELL:
            return CODEC_E_SIDE
        if qty_raw <= 0:
            return CODEC_E_QTY
        if price_raw < 0:
            return CODEC_E_PRICE
        if stop_raw < 0:
            return CODEC_E_STOP
        if order_type == MARKET or order_type == STOP_LOSS or order_type == TAKE_PROFIT:
            if tif != TIF_NONE:
                return CODEC_E_TIF         # Bybit market orders are always IOC
        elif order_type == LIMIT or order_type == STOP_LOSS_LIMIT or order_type == TAKE_PROFIT_LIMIT:
            limit = True
            if tif == GTC:
                tif_name = b"GTC"
            elif tif == IOC:
                tif_name = b"IOC"
            elif tif == FOK:
                tif_name = b"FOK"
            elif tif == POST_ONLY:
                tif_name = b"PostOnly"
            else:
                return CODEC_E_TIF
        elif order_type == LIMIT_MAKER:
            limit = True
            if tif != TIF_NONE and tif != POST_ONLY:
                return CODEC_E_TIF
            tif_name = b"PostOnly"
        else:
            return CODEC_E_TYPE
        if order_type == STOP_LOSS or order_type == STOP_LOSS_LIMIT:
            conditional = True
            direction = 1 if side == BUY else 2       # buy stop: rise; sell stop: fall
        elif order_type == TAKE_PROFIT or order_type == TAKE_PROFIT_LIMIT:
            conditional = True
            direction = 2 if side == BUY else 1
        if conditional and self.spot:
            return CODEC_E_TYPE
        if limit and price_raw == 0:
            return CODEC_E_PRICE
        if not limit and price_raw != 0:
            return CODEC_E_PRICE_FORBIDDEN
        if conditional and stop_raw == 0:
            return CODEC_E_STOP
        if not conditional and stop_raw != 0:
            return CODEC_E_STOP_FORBIDDEN
        if position_side != BOTH and position_side != LONG and position_side != SHORT:
            return CODEC_E_POSITION
        if self.spot and (position_side != BOTH or reduce_only):
            return CODEC_E_POSITION
        cdef int st = self._start(&w, symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        if side == BUY:
            _str_field(&w, b"side", b"Buy", 3)
        else:
            _str_field(&w, b"side", b"Sell", 4)
        if limit:
            _str_field(&w, b"orderType", b"Limit", 5)
        else:
            _str_field(&w, b"orderType", b"Market", 6)
        _fp_field(&w, b"qty", qty_raw)
        if limit:
            _fp_field(&w, b"price", price_raw)
        if tif_name != NULL:
            _key(&w, b"timeInForce")
            wire_bytes(&w, b"\"", 1)
            wire_str(&w, tif_name)
            wire_bytes(&w, b"\"", 1)
        if conditional:
            _fp_field(&w, b"triggerPrice", stop_raw)
            _key(&w, b"triggerDirection")
            wire_bytes(&w, b"1" if direction == 1 else b"2", 1)
        if position_side != BOTH:
            _key(&w, b"positionIdx")
            wire_bytes(&w, b"1" if position_side == LONG else b"2", 1)
        if reduce_only:
            _key(&w, b"reduceOnly")
            wire_bytes(&w, b"true", 4)
        if client_id_len:
            _str_field(&w, b"orderLinkId", client_id, client_id_len)
        return self._finish(&w, timestamp_ms, recv_window_ms, 1)

    cdef Py_ssize_t cancel_order_c(self, const char *symbol, size_t symbol_len, const char *order_id,
                                   size_t order_id_len, const char *client_id, size_t client_id_len,
                                   int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil:
        cdef wire_t w
        if (order_id_len > 0) == (client_id_len > 0):
            return CODEC_E_ORDER_REF
        if order_id_len and not wire_id_ok(order_id, order_id_len, ORDER_ID_MAX, ID_EXTRA):
            return CODEC_E_ORDER_REF
        cdef int st = self._start(&w, symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        if order_id_len:
            _str_field(&w, b"orderId", order_id, order_id_len)
        else:
            _str_field(&w, b"orderLinkId", client_id, client_id_len)
        return self._finish(&w, timestamp_ms, recv_window_ms, 2)

    cdef Py_ssize_t amend_order_c(self, const char *symbol, size_t symbol_len, const char *order_id,
                                  size_t order_id_len, const char *client_id, size_t client_id_len,
                                  int64_t qty_raw, int64_t price_raw, int64_t timestamp_ms,
                                  int64_t recv_window_ms) noexcept nogil:
        cdef wire_t w
        if (order_id_len > 0) == (client_id_len > 0):
            return CODEC_E_ORDER_REF
        if order_id_len and not wire_id_ok(order_id, order_id_len, ORDER_ID_MAX, ID_EXTRA):
            return CODEC_E_ORDER_REF
        if qty_raw < 0:
            return CODEC_E_QTY
        if price_raw < 0:
            return CODEC_E_PRICE
        if qty_raw == 0 and price_raw == 0:
            return CODEC_E_NOTHING
        cdef int st = self._start(&w, symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        if order_id_len:
            _str_field(&w, b"orderId", order_id, order_id_len)
        else:
            _str_field(&w, b"orderLinkId", client_id, client_id_len)
        if qty_raw:
            _fp_field(&w, b"qty", qty_raw)
        if price_raw:
            _fp_field(&w, b"price", price_raw)
        return self._finish(&w, timestamp_ms, recv_window_ms, 3)

    def new_order(self, symbol, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                  int64_t stop_raw, client_id, int64_t timestamp_ms, int64_t recv_window_ms=5000, *,
                  int position_side=BOTH, bint reduce_only=False):
        """Encode ``/v5/order/create`` and sign it.

        Parameters
        ----------
        symbol : bytes or str
        side : Side
        order_type : OrderType
            MARKET, LIMIT, LIMIT_MAKER (Limit + PostOnly); derivatives also STOP_LOSS,
            STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT (conditional, triggerPrice).
        tif : TimeInForce
            TIF_NONE for market types; GTC/IOC/FOK/POST_ONLY for limit types.
        qty_raw, price_raw, stop_raw : int
            Fixed-point raw values; 0 means absent.
        client_id : bytes, str or None
            orderLinkId (<= 36 of ``[A-Za-z0-9_-]``).
        timestamp_ms, recv_window_ms : int
            The values sent as ``X-BAPI-TIMESTAMP`` / ``X-BAPI-RECV-WINDOW``.
        position_side : PositionSide, keyword-only
            Hedge mode LONG (positionIdx 1) / SHORT (2); BOTH is not sent.
        reduce_only : bool, keyword-only

        Returns
        -------
        int
            Body length in :attr:`buffer`.

        Raises
        ------
        EncodeError
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.new_order_c(s, <size_t>sn, side, order_type, tif, qty_raw, price_raw, stop_raw,
                                             c, <size_t>cn, timestamp_ms, recv_window_ms, position_side, reduce_only)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "bybit", f"symbol={symbol!r} side={side} type={order_type} tif={tif} "
                               f"qty_raw={qty_raw} price_raw={price_raw} stop_raw={stop_raw} client_id={client_id!r}")
        return n

    def cancel_order(self, symbol, order_id, client_id, int64_t timestamp_ms, int64_t recv_window_ms=5000):
        """Encode ``/v5/order/cancel`` by orderId or by orderLinkId (exactly one non-empty).

        Returns
        -------
        int
            Body length.

        Raises
        ------
        EncodeError
        """
        cdef const char *s
        cdef const char *o
        cdef const char *c
        cdef Py_ssize_t sn, on, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(order_id, &o, &on)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.cancel_order_c(s, <size_t>sn, o, <size_t>on, c, <size_t>cn, timestamp_ms,
                                                recv_window_ms)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "bybit", f"symbol={symbol!r} order_id={order_id!r} client_id={client_id!r}")
        return n

    def amend_order(self, symbol, order_id, client_id, int64_t qty_raw, int64_t price_raw, int64_t timestamp_ms,
                    int64_t recv_window_ms=5000):
        """Encode ``/v5/order/amend``: new qty and/or price (0 = unchanged), by orderId or orderLinkId.

        Returns
        -------
        int
            Body length.

        Raises
        ------
        EncodeError
        """
        cdef const char *s
        cdef const char *o
        cdef const char *c
        cdef Py_ssize_t sn, on, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(order_id, &o, &on)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.amend_order_c(s, <size_t>sn, o, <size_t>on, c, <size_t>cn, qty_raw, price_raw,
                                               timestamp_ms, recv_window_ms)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "bybit", f"symbol={symbol!r} order_id={order_id!r} client_id={client_id!r} "
                               f"qty_raw={qty_raw} price_raw={price_raw}")
        return n
