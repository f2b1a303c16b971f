"""Binance order encoder: spot ``/api/v3`` and USD-M futures ``/fapi`` requests.

This module owns the translation from the engine's order vocabulary (fixed-point raw
integers, the enums of ``engine._enums``) to Binance's signed query strings.  Each
request is written into the encoder's own buffer as
``param=value&...&recvWindow=N&timestamp=T&signature=<hex>``, ready to be sent as the
URL query (or a form body) of the endpoint in :attr:`BinanceOrderEncoder.path`.

Rules the encoder keeps:

1. Numbers are trimmed decimal strings from ``fp_format`` (``0.1``, ``9000``), never
   floats or exponents.
2. Parameters are written in the order of Binance's own examples, so the official
   signature vectors reproduce byte for byte; the symbol and client id are percent-encoded
   like ``urllib.parse.urlencode`` (REST signs the encoded form; futures ids may hold
   ``.:/``), after the client id was validated against the venue's alphabet.
3. Bad input is refused with :class:`~engine._codec_errors.EncodeError` before
   anything is used; the C entry points return a negative status instead.
4. USD-M conditional orders (stop, take-profit, trailing) go to the Algo Service,
   ``POST /fapi/v1/algoOrder`` with ``algoType=CONDITIONAL``, ``triggerPrice`` and
   ``clientAlgoId`` (the old endpoint answers -4120 since 2025-12-09).
"""

from engine._codec_errors import EncodeError
from engine._codec_errors import encode_error

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_GET_SIZE

from engine._codec_wire cimport CODEC_E_CLIENT_ID
from engine._codec_wire cimport CODEC_E_ORDER_REF
from engine._codec_wire cimport CODEC_E_OVERFLOW
from engine._codec_wire cimport CODEC_E_RECV_WINDOW
from engine._codec_wire cimport CODEC_E_SYMBOL
from engine._codec_wire cimport CODEC_E_TIMESTAMP
from engine._codec_wire cimport wire_bytes
from engine._codec_wire cimport wire_fp
from engine._codec_wire cimport wire_i64
from engine._codec_wire cimport wire_id_ok
from engine._codec_wire cimport wire_pct
from engine._codec_wire cimport wire_start
from engine._codec_wire cimport wire_str
from engine._codec_wire cimport wire_symbol_ok
from engine._codec_wire cimport borrow_text as _borrow_text
from engine._order_spec cimport OrderSpec

cdef enum:
    SIGNATURE_HEX = 64
    SYMBOL_MAX = 32                     # bytes before percent-encoding
    CLIENT_ID_MAX = 36
    RECV_WINDOW_MAX = 60000             # ms (spot documented; futures assumed the same)
    DEFAULT_CAPACITY = 2048

# Method and path of each BinanceEndpoint (declared in codec_binance.pxd).
ENDPOINTS = {
    ENDPOINT_NONE: (b"", b""),
    ENDPOINT_SPOT_ORDER: (b"POST", b"/api/v3/order"),
    ENDPOINT_SPOT_CANCEL: (b"DELETE", b"/api/v3/order"),
    ENDPOINT_FUTURES_ORDER: (b"POST", b"/fapi/v1/order"),
    ENDPOINT_FUTURES_ALGO_ORDER: (b"POST", b"/fapi/v1/algoOrder"),
    ENDPOINT_FUTURES_CANCEL: (b"DELETE", b"/fapi/v1/order"),
    ENDPOINT_FUTURES_ALGO_CANCEL: (b"DELETE", b"/fapi/v1/algoOrder"),
    ENDPOINT_FUTURES_MODIFY: (b"PUT", b"/fapi/v1/order"),
    ENDPOINT_SPOT_CANCEL_REPLACE: (b"POST", b"/api/v3/order/cancelReplace"),
    ENDPOINT_SPOT_AMEND_KEEP_PRIORITY: (b"PUT", b"/api/v3/order/amend/keepPriority"),
}

# Client id alphabets beyond [A-Za-z0-9]: spot ^[a-zA-Z0-9-_]{1,36}$, futures ^[.A-Z:/a-z0-9_-]{1,36}$.
cdef const char *SPOT_ID_EXTRA = b"-_"
cdef const char *FUTURES_ID_EXTRA = b".:/_-"
cdef const char *SYMBOL_EXTRA = b""


cdef inline void _param(wire_t *w, const char *name) noexcept nogil:
    """``&name=`` (or ``name=`` at the start of the query)."""
    if w.len:
        wire_bytes(w, b"&", 1)
    wire_str(w, name)
    wire_bytes(w, b"=", 1)


cdef class BinanceOrderEncoder(WireBuffer):
    """Signed Binance order requests written into a reusable buffer.

    Parameters
    ----------
    signer : engine._signer.RequestSigner
        Holds the account's HMAC key.
    futures : bool, optional
        USD-M futures (``/fapi``) instead of spot (``/api/v3``).
    capacity : int, optional
        Buffer size in bytes (default 2048; a request is a few hundred).

    Notes
    -----
    After a successful call, ``buffer[:length]`` holds the query string with
    ``&signature=`` last, and :attr:`method` / :attr:`path` name the endpoint.
    Send it as the URL query (or ``application/x-www-form-urlencoded`` body).

    .. DANGER:: ``buffer`` is a view of memory the next call overwrites: copy or
       send it before encoding again.  Not thread-safe: one encoder per thread.
    """

    def __cinit__(self, RequestSigner signer not None, *, bint futures=False, Py_ssize_t capacity=DEFAULT_CAPACITY):
        self._allocate(capacity)
        self.signer = signer
        self.futures = futures
        self.endpoint = ENDPOINT_NONE

    def __repr__(self):
        return f"BinanceOrderEncoder(futures={bool(self.futures)}, length={self.length})"

    @property
    def method(self):
        """HTTP method of the last request (bytes)."""
        return ENDPOINTS[self.endpoint][0]

    @property
    def path(self):
        """URL path of the last request (bytes)."""
        return ENDPOINTS[self.endpoint][1]

    def request(self):
        """A copy of the last request as bytes (cold path: tests, logging)."""
        return self._copy(0, self.length)

    # ---- C entry points ----------------------------------------------------------------

    cdef Py_ssize_t _finish(self, wire_t *w, int64_t timestamp_ms, int64_t recv_window_ms, int endpoint) noexcept nogil:
        """Append recvWindow, timestamp and the signature over everything before it."""
        _param(w, b"recvWindow")
        wire_i64(w, recv_window_ms)
        _param(w, b"timestamp")
        wire_i64(w, timestamp_ms)
        cdef size_t signed_len = w.len
        _param(w, b"signature")
        if w.overflow or w.cap - w.len < SIGNATURE_HEX:
            return CODEC_E_OVERFLOW
        self.signer.hmac256_hex_c(w.buf, signed_len, w.buf + w.len)
        w.len += SIGNATURE_HEX
        self.length = <Py_ssize_t>w.len
        self.endpoint = endpoint
        return self.length

    cdef int _check_common(self, const char *symbol, size_t symbol_len, const char *client_id,
                           size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil:
        if not wire_symbol_ok(symbol, symbol_len, SYMBOL_MAX, SYMBOL_EXTRA, 1):
            return CODEC_E_SYMBOL
        if client_id_len and not wire_id_ok(client_id, client_id_len, CLIENT_ID_MAX,
                                            FUTURES_ID_EXTRA if self.futures else SPOT_ID_EXTRA):
            return CODEC_E_CLIENT_ID
        if timestamp_ms <= 0:
            return CODEC_E_TIMESTAMP
        if recv_window_ms <= 0 or recv_window_ms > RECV_WINDOW_MAX:
            return CODEC_E_RECV_WINDOW
        return 0

    cdef Py_ssize_t new_order_c(self, const char *symbol, size_t symbol_len, int side, int order_type,
                                int tif, int64_t qty_raw, int64_t price_raw, int64_t stop_raw,
                                const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                int64_t recv_window_ms, int position_side, bint reduce_only,
                                int64_t callback_rate_raw) noexcept nogil:
        cdef wire_t w
        cdef order_shape_t shape
        cdef int st = self._check_common(symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        st = order_shape(self.futures, side, order_type, tif, qty_raw, price_raw, stop_raw, position_side,
                         reduce_only, callback_rate_raw, &shape)
        if st:
            return st
        cdef const char *side_name = shape.side_name
        cdef const char *type_name = shape.type_name
        cdef const char *tif_name = shape.tif_name
        cdef bint need_price = shape.need_price, need_stop = shape.need_stop, algo = shape.algo

        wire_start(&w, self.buf, self.capacity)
        if algo:
            _param(&w, b"algoType")
            wire_str(&w, b"CONDITIONAL")
        _param(&w, b"symbol")
        wire_pct(&w, symbol, symbol_len)
        _param(&w, b"side")
        wire_str(&w, side_name)
        if position_side != BOTH:
            _param(&w, b"positionSide")
            wire_str(&w, <const char *>b"LONG" if position_side == LONG else <const char *>b"SHORT")
        _param(&w, b"type")
        wire_str(&w, type_name)
        if self.futures:
            # USD-M documented order: quantity, price, timeInForce.
            _param(&w, b"quantity")
            wire_fp(&w, qty_raw)
            if need_price:
                _param(&w, b"price")
                wire_fp(&w, price_raw)
            if tif_name != NULL:
                _param(&w, b"timeInForce")
                wire_str(&w, tif_name)
            if need_stop:
                _param(&w, b"triggerPrice")
                wire_fp(&w, stop_raw)
            if order_type == TRAILING_STOP:
                if stop_raw:
                    _param(&w, b"activatePrice")
                    wire_fp(&w, stop_raw)
                _param(&w, b"callbackRate")
                wire_fp(&w, callback_rate_raw)
            if reduce_only:
                _param(&w, b"reduceOnly")
                wire_str(&w, b"true")
            if client_id_len:
                _param(&w, <const char *>b"clientAlgoId" if algo else <const char *>b"newClientOrderId")
                wire_pct(&w, client_id, client_id_len)
        else:
            # Spot documented order: timeInForce, quantity, price.
            if tif_name != NULL:
                _param(&w, b"timeInForce")
                wire_str(&w, tif_name)
            _param(&w, b"quantity")
            wire_fp(&w, qty_raw)
            if need_price:
                _param(&w, b"price")
                wire_fp(&w, price_raw)
            if need_stop:
                _param(&w, b"stopPrice")
                wire_fp(&w, stop_raw)
            if client_id_len:
                _param(&w, b"newClientOrderId")
                wire_pct(&w, client_id, client_id_len)
        if not self.futures:
            return self._finish(&w, timestamp_ms, recv_window_ms, ENDPOINT_SPOT_ORDER)
        return self._finish(&w, timestamp_ms, recv_window_ms,
                            ENDPOINT_FUTURES_ALGO_ORDER if algo else ENDPOINT_FUTURES_ORDER)

    cdef Py_ssize_t cancel_order_c(self, const char *symbol, size_t symbol_len, int64_t order_id,
                                   const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                   int64_t recv_window_ms, bint algo) noexcept nogil:
        cdef wire_t w
        cdef int st = self._check_common(symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        if (order_id > 0) == (client_id_len > 0) or order_id < 0:
            return CODEC_E_ORDER_REF
        if algo and not self.futures:
            return CODEC_E_TYPE
        wire_start(&w, self.buf, self.capacity)
        _param(&w, b"symbol")
        wire_pct(&w, symbol, symbol_len)
        if order_id > 0:
            _param(&w, <const char *>b"algoId" if algo else <const char *>b"orderId")
            wire_i64(&w, order_id)
        else:
            _param(&w, <const char *>b"clientAlgoId" if algo else <const char *>b"origClientOrderId")
            wire_pct(&w, client_id, client_id_len)
        if not self.futures:
            return self._finish(&w, timestamp_ms, recv_window_ms, ENDPOINT_SPOT_CANCEL)
        return self._finish(&w, timestamp_ms, recv_window_ms,
                            ENDPOINT_FUTURES_ALGO_CANCEL if algo else ENDPOINT_FUTURES_CANCEL)

    cdef Py_ssize_t modify_order_c(self, const char *symbol, size_t symbol_len, int side, int64_t order_id,
                                   const char *client_id, size_t client_id_len, int64_t qty_raw,
                                   int64_t price_raw, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil:
        # USD-M PUT /fapi/v1/order: LIMIT orders only, quantity and price both mandatory.
        cdef wire_t w
        cdef const char *side_name = side_name_of(side)
        cdef int st = self._check_common(symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        if not self.futures:
            return CODEC_E_TYPE
        if side_name == NULL:
            return CODEC_E_SIDE
        if (order_id > 0) == (client_id_len > 0) or order_id < 0:
            return CODEC_E_ORDER_REF
        if qty_raw <= 0:
            return CODEC_E_QTY
        if price_raw <= 0:
            return CODEC_E_PRICE
        wire_start(&w, self.buf, self.capacity)
        _param(&w, b"symbol")
        wire_pct(&w, symbol, symbol_len)
        if order_id > 0:
            _param(&w, b"orderId")
            wire_i64(&w, order_id)
        else:
            _param(&w, b"origClientOrderId")
            wire_pct(&w, client_id, client_id_len)
        _param(&w, b"side")
        wire_str(&w, side_name)
        _param(&w, b"quantity")
        wire_fp(&w, qty_raw)
        _param(&w, b"price")
        wire_fp(&w, price_raw)
        return self._finish(&w, timestamp_ms, recv_window_ms, ENDPOINT_FUTURES_MODIFY)

    cdef Py_ssize_t cancel_replace_c(self, const char *symbol, size_t symbol_len, int side, int order_type,
                                     int tif, int64_t qty_raw, int64_t price_raw, int64_t stop_raw,
                                     const char *old_client_id, size_t old_client_id_len,
                                     const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                     int64_t recv_window_ms) noexcept nogil:
        # Spot POST /api/v3/order/cancelReplace, STOP_ON_FAILURE: cancel the order named by its client id and
        # place the new one (its own client id) in one request; the new order's parameters as a new order's.
        cdef wire_t w
        cdef order_shape_t shape
        if self.futures:
            return CODEC_E_TYPE
        if old_client_id_len == 0 or client_id_len == 0:
            return CODEC_E_ORDER_REF
        cdef int st = self._check_common(symbol, symbol_len, old_client_id, old_client_id_len, timestamp_ms,
                                         recv_window_ms)
        if st:
            return st
        st = self._check_common(symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        st = order_shape(False, side, order_type, tif, qty_raw, price_raw, stop_raw, BOTH, False, 0, &shape)
        if st:
            return st
        wire_start(&w, self.buf, self.capacity)
        _param(&w, b"symbol")
        wire_pct(&w, symbol, symbol_len)
        _param(&w, b"side")
        wire_str(&w, shape.side_name)
        _param(&w, b"type")
        wire_str(&w, shape.type_name)
        _param(&w, b"cancelReplaceMode")
        wire_str(&w, b"STOP_ON_FAILURE")
        if shape.tif_name != NULL:
            _param(&w, b"timeInForce")
            wire_str(&w, shape.tif_name)
        _param(&w, b"quantity")
        wire_fp(&w, qty_raw)
        if shape.need_price:
            _param(&w, b"price")
            wire_fp(&w, price_raw)
        _param(&w, b"cancelOrigClientOrderId")
        wire_pct(&w, old_client_id, old_client_id_len)
        _param(&w, b"newClientOrderId")
        wire_pct(&w, client_id, client_id_len)
        if shape.need_stop:
            _param(&w, b"stopPrice")
            wire_fp(&w, stop_raw)
        _param(&w, b"newOrderRespType")
        wire_str(&w, b"FULL")
        return self._finish(&w, timestamp_ms, recv_window_ms, ENDPOINT_SPOT_CANCEL_REPLACE)

    cdef Py_ssize_t amend_keep_priority_c(self, const char *symbol, size_t symbol_len, const char *client_id,
                                          size_t client_id_len, int64_t qty_raw, int64_t timestamp_ms,
                                          int64_t recv_window_ms) noexcept nogil:
        # Spot PUT /api/v3/order/amend/keepPriority: the order named by its client id, its quantity lowered to
        # newQty in place (its queue priority kept); newClientOrderId the same id, so the order keeps it (the
        # venue would draw a random one otherwise).
        cdef wire_t w
        if self.futures:
            return CODEC_E_TYPE
        if client_id_len == 0:
            return CODEC_E_ORDER_REF
        cdef int st = self._check_common(symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        if qty_raw <= 0:
            return CODEC_E_QTY
        wire_start(&w, self.buf, self.capacity)
        _param(&w, b"symbol")
        wire_pct(&w, symbol, symbol_len)
        _param(&w, b"origClientOrderId")
        wire_pct(&w, client_id, client_id_len)
        _param(&w, b"newClientOrderId")
        wire_pct(&w, client_id, client_id_len)
        _param(&w, b"newQty")
        wire_fp(&w, qty_raw)
        return self._finish(&w, timestamp_ms, recv_window_ms, ENDPOINT_SPOT_AMEND_KEEP_PRIORITY)

    # ---- Python API ----------------------------------------------------------------------

    def new_order(self, symbol, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                  int64_t stop_raw, client_id, int64_t timestamp_ms, int64_t recv_window_ms=5000, *,
                  int position_side=BOTH, bint reduce_only=False, int64_t callback_rate_raw=0):
        """Encode and sign a new order.

        Parameters
        ----------
        symbol : bytes or str
            e.g. ``b"BTCUSDT"`` (percent-encoded on the wire when not ASCII).
        side : Side
        order_type : OrderType
            Spot: MARKET, LIMIT, LIMIT_MAKER, STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT,
            TAKE_PROFIT_LIMIT.  Futures: MARKET, LIMIT, LIMIT_MAKER (GTX) on
            ``/fapi/v1/order``; STOP_LOSS(_LIMIT), TAKE_PROFIT(_LIMIT), TRAILING_STOP on
            ``/fapi/v1/algoOrder``.
        tif : TimeInForce
            TIF_NONE for market and stop-market types; GTC/IOC/FOK (POST_ONLY = GTX on
            futures, LIMIT_MAKER on spot) for limit types.
        qty_raw, price_raw, stop_raw : int
            Fixed-point raw values (8 decimals); 0 means absent.  ``stop_raw`` is the
            trigger price (trailing: the activation price, optional).
        client_id : bytes, str or None
            newClientOrderId / clientAlgoId; empty or None lets Binance choose.
        timestamp_ms, recv_window_ms : int
        position_side : PositionSide, keyword-only
            Futures hedge mode LONG/SHORT; BOTH (default) is not sent.
        reduce_only : bool, keyword-only
            Futures, one-way mode only.
        callback_rate_raw : int, keyword-only
            Trailing stop callback rate in percent, fixed-point (1% = 100_000_000).

        Returns
        -------
        int
            Length of the request in :attr:`buffer`.

        Raises
        ------
        EncodeError
            The order cannot be expressed for this venue; nothing was produced.
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.new_order_c(s, <size_t>sn, side, order_type, tif, qty_raw, price_raw, stop_raw,
                                             c, <size_t>cn, timestamp_ms, recv_window_ms, position_side,
                                             reduce_only, callback_rate_raw)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, self._venue(), f"symbol={symbol!r} side={side} type={order_type} tif={tif} "
                               f"qty_raw={qty_raw} price_raw={price_raw} stop_raw={stop_raw} client_id={client_id!r}")
        return n

    def cancel_order(self, symbol, int64_t order_id, client_id, int64_t timestamp_ms,
                     int64_t recv_window_ms=5000, *, bint algo=False):
        """Encode and sign a cancel, by exchange id (``order_id > 0``) or by client id.

        Parameters
        ----------
        symbol : bytes or str
        order_id : int
            Exchange order id (algoId when ``algo``), 0 when cancelling by client id.
        client_id : bytes, str or None
            origClientOrderId (clientAlgoId when ``algo``); empty when by exchange id.
        timestamp_ms, recv_window_ms : int
        algo : bool, keyword-only
            Futures conditional order: ``DELETE /fapi/v1/algoOrder``.

        Returns
        -------
        int
            Length of the request in :attr:`buffer`.

        Raises
        ------
        EncodeError
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.cancel_order_c(s, <size_t>sn, order_id, c, <size_t>cn, timestamp_ms,
                                                recv_window_ms, algo)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, self._venue(), f"symbol={symbol!r} order_id={order_id} client_id={client_id!r}")
        return n

    def modify_order(self, symbol, int side, int64_t order_id, client_id, int64_t qty_raw, int64_t price_raw,
                     int64_t timestamp_ms, int64_t recv_window_ms=5000):
        """USD-M ``PUT /fapi/v1/order``: new quantity and price of a LIMIT order (both required).

        Raises
        ------
        EncodeError
            On spot (it amends by :meth:`cancel_replace`) or bad input.
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        if not self.futures:
            raise EncodeError("binance spot: modify_order is USD-M only; cancel and place instead", -2)
        _borrow_text(symbol, &s, &sn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.modify_order_c(s, <size_t>sn, side, order_id, c, <size_t>cn, qty_raw, price_raw,
                                                timestamp_ms, recv_window_ms)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, self._venue(), f"symbol={symbol!r} order_id={order_id} "
                               f"client_id={client_id!r} qty_raw={qty_raw} price_raw={price_raw}")
        return n

    def cancel_replace(self, symbol, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                       int64_t stop_raw, old_client_id, client_id, int64_t timestamp_ms, int64_t recv_window_ms=5000):
        """Spot ``POST /api/v3/order/cancelReplace`` (``cancelReplaceMode=STOP_ON_FAILURE``): cancel the order
        ``old_client_id`` and place a new one (``client_id``, the parameters of :meth:`new_order`), its
        answer ``newOrderRespType=FULL``.

        Returns
        -------
        int
            Length of the request in :attr:`buffer`.

        Raises
        ------
        EncodeError
            On USD-M (it amends in place: :meth:`modify_order`), a missing client id, or bad input.
        """
        cdef const char *s
        cdef const char *o
        cdef const char *c
        cdef Py_ssize_t sn, on, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(old_client_id, &o, &on)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.cancel_replace_c(s, <size_t>sn, side, order_type, tif, qty_raw, price_raw,
                                                  stop_raw, o, <size_t>on, c, <size_t>cn, timestamp_ms,
                                                  recv_window_ms)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, self._venue(), f"symbol={symbol!r} side={side} type={order_type} tif={tif} "
                               f"qty_raw={qty_raw} price_raw={price_raw} old_client_id={old_client_id!r} "
                               f"client_id={client_id!r}")
        return n

    # ---- whole requests (after set_frame: heads indexed by ENDPOINT_*, tail) ----------------

    def new_order_request(self, symbol, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                          int64_t stop_raw, client_id, int64_t timestamp_ms, int64_t recv_window_ms,
                          int position_side, bint reduce_only, int64_t callback_rate_raw):
        """:meth:`new_order` (every argument positional), returning the whole framed request as bytes."""
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.new_order_c(s, <size_t>sn, side, order_type, tif, qty_raw, price_raw, stop_raw,
                                             c, <size_t>cn, timestamp_ms, recv_window_ms, position_side,
                                             reduce_only, callback_rate_raw)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, self._venue(), f"symbol={symbol!r} side={side} type={order_type} tif={tif} "
                               f"qty_raw={qty_raw} price_raw={price_raw} stop_raw={stop_raw} client_id={client_id!r}")
        return self._framed(self.endpoint)

    cpdef bytes spec_request(self, OrderSpec spec, bytes client_id, int64_t timestamp_ms, int64_t recv_window_ms):
        """The whole framed request of ``spec`` (an order the engine admitted: its symbol, side, type, time in
        force, quantities, prices, reduce-only flag) under ``client_id``: what the engine's compiled order
        writer sends, in one C call from an :class:`~engine._order_spec.OrderSpec` (no argument list to parse,
        no closure).  Raises :class:`EncodeError` as :meth:`new_order` does."""
        cdef const char *s
        cdef Py_ssize_t sn
        _borrow_text(spec.symbol, &s, &sn)
        cdef Py_ssize_t n = self.new_order_c(s, <size_t>sn, spec.side, spec.order_type, spec.tif, spec.qty_raw,
                                             spec.price_raw, spec.stop_raw, client_id, len(client_id), timestamp_ms,
                                             recv_window_ms, BOTH, spec.reduce_only, spec.trailing_raw)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, self._venue(), f"symbol={spec.symbol!r} side={spec.side} "
                               f"type={spec.order_type} tif={spec.tif} qty_raw={spec.qty_raw} "
                               f"price_raw={spec.price_raw} stop_raw={spec.stop_raw} client_id={client_id!r}")
        return self._framed(self.endpoint)

    def cancel_request(self, symbol, int64_t order_id, client_id, int64_t timestamp_ms, int64_t recv_window_ms,
                       bint algo):
        """:meth:`cancel_order` (every argument positional), returning the whole framed request as bytes."""
        self.cancel_order(symbol, order_id, client_id, timestamp_ms, recv_window_ms, algo=algo)
        return self._framed(self.endpoint)

    def modify_request(self, symbol, int side, int64_t order_id, client_id, int64_t qty_raw, int64_t price_raw,
                       int64_t timestamp_ms, int64_t recv_window_ms):
        """:meth:`modify_order`, returning the whole framed request as bytes."""
        self.modify_order(symbol, side, order_id, client_id, qty_raw, price_raw, timestamp_ms, recv_window_ms)
        return self._framed(self.endpoint)

    def amend_keep_priority(self, symbol, client_id, int64_t qty_raw, int64_t timestamp_ms,
                            int64_t recv_window_ms=5000):
        """Spot ``PUT /api/v3/order/amend/keepPriority``: the order ``client_id``'s quantity lowered to ``qty_raw``
        (its whole new quantity, fills included) in place, keeping its queue priority and its client id.

        Returns
        -------
        int
            The length of the request in the buffer.

        Raises
        ------
        EncodeError
            On USD-M (it amends by :meth:`modify_order`) or bad input.
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.amend_keep_priority_c(s, <size_t>sn, c, <size_t>cn, qty_raw, timestamp_ms,
                                                       recv_window_ms)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, self._venue(), f"symbol={symbol!r} client_id={client_id!r} qty_raw={qty_raw}")
        return n

    def amend_keep_priority_request(self, symbol, client_id, int64_t qty_raw, int64_t timestamp_ms,
                                    int64_t recv_window_ms):
        """:meth:`amend_keep_priority`, returning the whole framed request as bytes."""
        self.amend_keep_priority(symbol, client_id, qty_raw, timestamp_ms, recv_window_ms)
        return self._framed(self.endpoint)

    def cancel_replace_request(self, symbol, int side, int order_type, int tif, int64_t qty_raw,
                               int64_t price_raw, int64_t stop_raw, old_client_id, client_id, int64_t timestamp_ms,
                               int64_t recv_window_ms):
        """:meth:`cancel_replace`, returning the whole framed request as bytes."""
        self.cancel_replace(symbol, side, order_type, tif, qty_raw, price_raw, stop_raw, old_client_id, client_id,
                            timestamp_ms, recv_window_ms)
        return self._framed(self.endpoint)

    cdef str _venue(self):
        return "binance usd-m" if self.futures else "binance spot"


def repeat_new_order(BinanceOrderEncoder enc, bytes symbol, int side, int order_type, int tif, int64_t qty_raw,
                      int64_t price_raw, bytes client_id, int64_t timestamp_ms, Py_ssize_t iterations):
    """Call the C entry point ``new_order_c`` ``iterations`` times (bench/test hook); returns None."""
    cdef const char *s = PyBytes_AS_STRING(symbol)
    cdef size_t sn = <size_t>PyBytes_GET_SIZE(symbol)
    cdef const char *c = PyBytes_AS_STRING(client_id)
    cdef size_t cn = <size_t>PyBytes_GET_SIZE(client_id)
    cdef Py_ssize_t i, n = 0
    with nogil:
        for i in range(iterations):
            n = enc.new_order_c(s, sn, side, order_type, tif, qty_raw, price_raw, 0, c, cn, timestamp_ms + i,
                                5000, BOTH, False, 0)
    if n < 0:
        raise encode_error(<int>n, "binance")
