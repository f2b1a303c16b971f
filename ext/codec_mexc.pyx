"""MEXC spot V3 order encoder: ``POST /api/v3/order`` and ``DELETE /api/v3/order``.

This module owns the translation from the engine's order vocabulary (fixed-point raw
integers, the enums of ``engine._enums``) to MEXC's signed parameter strings.  Each
request is written into the encoder's own buffer as
``param=value&...&recvWindow=N&timestamp=T&signature=<hex>``.

Rules the encoder keeps (MEXC spot V3 docs, "SIGNED", "New Order", "Cancel Order"):

1. The signature is HMAC-SHA256 of ``totalParams`` = URL query concatenated with the
   request body, no separator, as **lowercase** hex (MEXC accepts nothing else).
2. Time in force is part of the order TYPE on MEXC spot: GTC -> ``LIMIT``, IOC ->
   ``IMMEDIATE_OR_CANCEL``, FOK -> ``FILL_OR_KILL``, post-only -> ``LIMIT_MAKER``;
   no ``timeInForce`` parameter is ever sent.
3. A MARKET BUY spends a quote amount (``quoteOrderQty``, from ``quote_qty_raw``) and a
   MARKET SELL sells a base quantity (``quantity``); the other field must be 0.  The
   docs' table allows either field on either side, their notes describe this split;
   the encoder keeps the stricter reading.
4. ``newClientOrderId``: the docs give no limit; the venue answers "the length of order
   id should between 1 and 32" beyond 32 characters, and no alphabet is documented,
   so the encoder accepts 1-32 of ``[A-Za-z0-9_-]`` (all unreserved: no percent-encoding).
5. Numbers are trimmed decimal strings from ``fp_format`` (``0.1``, ``9000``), never
   floats or exponents; parameters follow the docs' example order, so the official
   signature examples 2 and 3 reproduce byte for byte (example 1 is misprinted there).
6. Bad input is refused with :class:`~engine._codec_errors.EncodeError` before
   anything is used; the C entry points return a negative status instead.
"""

from engine._codec_errors import EncodeError
from engine._codec_errors import encode_error

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int64_t

from engine._codec_wire cimport CODEC_E_CLIENT_ID
from engine._codec_wire cimport CODEC_E_ORDER_REF
from engine._codec_wire cimport CODEC_E_OVERFLOW
from engine._codec_wire cimport CODEC_E_PRICE
from engine._codec_wire cimport CODEC_E_PRICE_FORBIDDEN
from engine._codec_wire cimport CODEC_E_QTY
from engine._codec_wire cimport CODEC_E_QUOTE_QTY
from engine._codec_wire cimport CODEC_E_RECV_WINDOW
from engine._codec_wire cimport CODEC_E_SIDE
from engine._codec_wire cimport CODEC_E_SYMBOL
from engine._codec_wire cimport CODEC_E_TIF
from engine._codec_wire cimport CODEC_E_TIMESTAMP
from engine._codec_wire cimport CODEC_E_TYPE
from engine._codec_wire cimport wire_bytes
from engine._codec_wire cimport wire_fp
from engine._codec_wire cimport wire_i64
from engine._codec_wire cimport wire_id_ok
from engine._codec_wire cimport wire_start
from engine._codec_wire cimport wire_str
from engine._codec_wire cimport wire_t
from engine._codec_wire cimport borrow_text as _borrow_text
from engine._enums cimport BUY
from engine._enums cimport FOK
from engine._enums cimport GTC
from engine._enums cimport IOC
from engine._enums cimport LIMIT
from engine._enums cimport LIMIT_MAKER
from engine._enums cimport MARKET
from engine._enums cimport POST_ONLY
from engine._enums cimport SELL
from engine._enums cimport TIF_NONE
from engine._signer cimport RequestSigner

cdef enum:
    SIGNATURE_HEX = 64
    SYMBOL_MAX = 32                     # MEXC symbols are ASCII letters and digits (BTCUSDT)
    CLIENT_ID_MAX = 32                  # venue error: "the length of order id should between 1 and 32"
    ORDER_ID_MAX = 64                   # orderId is a string ("C02__468615423963070464")
    RECV_WINDOW_MAX = 60000             # ms; docs: "Max 60000" (larger: 700005)
    DEFAULT_CAPACITY = 1024
    ENDPOINT_NONE = 0
    ENDPOINT_ORDER = 1
    ENDPOINT_CANCEL = 2

# Method and path of each value of MexcOrderEncoder.endpoint.
ENDPOINTS = {
    ENDPOINT_NONE: (b"", b""),
    ENDPOINT_ORDER: (b"POST", b"/api/v3/order"),
    ENDPOINT_CANCEL: (b"DELETE", b"/api/v3/order"),
}

cdef const char *ID_EXTRA = b"-_"


cdef inline void _param(wire_t *w, size_t start, const char *name) noexcept nogil:
    """``&name=``, or ``name=`` as the first parameter of the part that begins at ``start``."""
    if w.len > start:
        wire_bytes(w, b"&", 1)
    wire_str(w, name)
    wire_bytes(w, b"=", 1)


cdef class MexcOrderEncoder(WireBuffer):
    """Signed MEXC spot order requests written into a reusable buffer.

    Parameters
    ----------
    signer : engine._signer.RequestSigner
        Holds the account's secret key.
    mixed : bool, optional
        False (default): every parameter and the signature in the URL query, the body
        empty (the docs' example 2).  True: ``symbol``, ``side`` and ``type`` (a cancel:
        ``symbol``) in the URL query and the rest, signature last, in an
        ``application/x-www-form-urlencoded`` body (the docs' example 3).
    capacity : int, optional
        Buffer size in bytes (default 1024; a request is about 200).

    Notes
    -----
    After a successful call, ``buffer[:query_length]`` is the URL query and
    ``buffer[query_length:length]`` the form body (empty unless ``mixed``);
    :attr:`method` / :attr:`path` name the endpoint.  Send with ``X-MEXC-APIKEY``.

    .. DANGER:: ``buffer`` is a view of memory the next call overwrites: copy or
       send it before encoding again.  Not thread-safe: one encoder per thread.
    """

    def __cinit__(self, RequestSigner signer not None, *, bint mixed=False, Py_ssize_t capacity=DEFAULT_CAPACITY):
        self._allocate(capacity)
        self.signer = signer
        self.mixed = mixed
        self.query_length = 0
        self.endpoint = ENDPOINT_NONE

    def __repr__(self):
        return f"MexcOrderEncoder(mixed={bool(self.mixed)}, length={self.length})"

    @property
    def method(self):
        """HTTP method of the last request (bytes)."""
        return ENDPOINTS[self.endpoint][0]

    @property
    def path(self):
        """URL path of the last request (bytes)."""
        return ENDPOINTS[self.endpoint][1]

    def request(self):
        """A copy of the last request, query then body, as bytes (cold path: tests, logging)."""
        return self._copy(0, self.length)

    def query(self):
        """A copy of the URL query of the last request (cold path)."""
        return self._copy(0, self.query_length)

    def body(self):
        """A copy of the form body of the last request, ``b""`` unless ``mixed`` (cold path)."""
        return self._copy(self.query_length, self.length)

    # ---- C entry points ----------------------------------------------------------------

    cdef int _check_common(self, const char *symbol, size_t symbol_len, const char *client_id,
                           size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil:
        if not wire_id_ok(symbol, symbol_len, SYMBOL_MAX, b""):
            return CODEC_E_SYMBOL
        if client_id_len and not wire_id_ok(client_id, client_id_len, CLIENT_ID_MAX, ID_EXTRA):
            return CODEC_E_CLIENT_ID
        if timestamp_ms <= 0:
            return CODEC_E_TIMESTAMP
        if recv_window_ms <= 0 or recv_window_ms > RECV_WINDOW_MAX:
            return CODEC_E_RECV_WINDOW
        return 0

    cdef Py_ssize_t _finish(self, wire_t *w, size_t query_len, int64_t timestamp_ms, int64_t recv_window_ms,
                            int endpoint) noexcept nogil:
        """Append recvWindow, timestamp and the signature over everything before it.

        ``query_len`` is where the form body starts (== the whole length when not mixed):
        the signed bytes are query + body with no separator, as MEXC defines totalParams.
        """
        cdef size_t start = query_len if self.mixed else 0
        _param(w, start, b"recvWindow")
        wire_i64(w, recv_window_ms)
        _param(w, start, b"timestamp")
        wire_i64(w, timestamp_ms)
        cdef size_t signed_len = w.len
        _param(w, start, b"signature")
        if w.overflow or w.cap - w.len < SIGNATURE_HEX:
            return CODEC_E_OVERFLOW
        self.signer.hmac256_hex_c(w.buf, signed_len, w.buf + w.len)
        w.len += SIGNATURE_HEX
        self.length = <Py_ssize_t>w.len
        self.query_length = <Py_ssize_t>query_len if self.mixed else self.length
        self.endpoint = endpoint
        return self.length

    cdef Py_ssize_t new_order_c(self, const char *symbol, size_t symbol_len, int side, int order_type, int tif,
                                int64_t qty_raw, int64_t quote_qty_raw, int64_t price_raw,
                                const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                int64_t recv_window_ms) noexcept nogil:
        cdef wire_t w
        cdef const char *type_name = NULL
        cdef size_t query_len = 0
        cdef int st = self._check_common(symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        if side != BUY and side != SELL:
            return CODEC_E_SIDE
        if qty_raw < 0:
            return CODEC_E_QTY
        if quote_qty_raw < 0:
            return CODEC_E_QUOTE_QTY
        if price_raw < 0:
            return CODEC_E_PRICE

        if order_type == MARKET:
            type_name = b"MARKET"
            if tif != TIF_NONE:
                return CODEC_E_TIF
            if price_raw != 0:
                return CODEC_E_PRICE_FORBIDDEN
            if side == BUY:
                # quoteOrderQty: the quote amount to spend; a base quantity is not sent.
                if qty_raw != 0:
                    return CODEC_E_QTY
                if quote_qty_raw == 0:
                    return CODEC_E_QUOTE_QTY
            else:
                if qty_raw == 0:
                    return CODEC_E_QTY
                if quote_qty_raw != 0:
                    return CODEC_E_QUOTE_QTY
        else:
            if order_type == LIMIT:
                if tif == GTC:
                    type_name = b"LIMIT"
                elif tif == IOC:
                    type_name = b"IMMEDIATE_OR_CANCEL"
                elif tif == FOK:
                    type_name = b"FILL_OR_KILL"
                elif tif == POST_ONLY:
                    type_name = b"LIMIT_MAKER"
                else:
                    return CODEC_E_TIF
            elif order_type == LIMIT_MAKER:
                if tif != TIF_NONE and tif != POST_ONLY:
                    return CODEC_E_TIF
                type_name = b"LIMIT_MAKER"
            else:
                return CODEC_E_TYPE          # no stop orders on MEXC spot V3 REST
            if qty_raw == 0:
                return CODEC_E_QTY
            if price_raw == 0:
                return CODEC_E_PRICE
            if quote_qty_raw != 0:
                return CODEC_E_QUOTE_QTY

        # Documented order: symbol, side, type, quantity, quoteOrderQty, price, newClientOrderId.
        wire_start(&w, self.buf, self.capacity)
        _param(&w, 0, b"symbol")
        wire_bytes(&w, symbol, symbol_len)
        _param(&w, 0, b"side")
        wire_str(&w, <const char *>b"BUY" if side == BUY else <const char *>b"SELL")
        _param(&w, 0, b"type")
        wire_str(&w, type_name)
        query_len = w.len
        if qty_raw:
            _param(&w, query_len if self.mixed else 0, b"quantity")
            wire_fp(&w, qty_raw)
        if quote_qty_raw:
            _param(&w, query_len if self.mixed else 0, b"quoteOrderQty")
            wire_fp(&w, quote_qty_raw)
        if price_raw:
            _param(&w, query_len if self.mixed else 0, b"price")
            wire_fp(&w, price_raw)
        if client_id_len:
            _param(&w, query_len if self.mixed else 0, b"newClientOrderId")
            wire_bytes(&w, client_id, client_id_len)
        return self._finish(&w, query_len, timestamp_ms, recv_window_ms, ENDPOINT_ORDER)

    cdef Py_ssize_t cancel_order_c(self, const char *symbol, size_t symbol_len, const char *order_id,
                                   size_t order_id_len, const char *client_id, size_t client_id_len,
                                   int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil:
        cdef wire_t w
        cdef size_t query_len
        cdef int st = self._check_common(symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        if (order_id_len > 0) == (client_id_len > 0):
            return CODEC_E_ORDER_REF
        if order_id_len and not wire_id_ok(order_id, order_id_len, ORDER_ID_MAX, ID_EXTRA):
            return CODEC_E_ORDER_REF
        wire_start(&w, self.buf, self.capacity)
        _param(&w, 0, b"symbol")
        wire_bytes(&w, symbol, symbol_len)
        query_len = w.len
        if order_id_len:
            _param(&w, query_len if self.mixed else 0, b"orderId")
            wire_bytes(&w, order_id, order_id_len)
        else:
            _param(&w, query_len if self.mixed else 0, b"origClientOrderId")
            wire_bytes(&w, client_id, client_id_len)
        return self._finish(&w, query_len, timestamp_ms, recv_window_ms, ENDPOINT_CANCEL)

    # ---- Python API ----------------------------------------------------------------------

    def new_order(self, symbol, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                  client_id, int64_t timestamp_ms, int64_t recv_window_ms=5000, *, int64_t quote_qty_raw=0):
        """Encode and sign ``POST /api/v3/order``.

        Parameters
        ----------
        symbol : bytes or str
            e.g. ``b"BTCUSDT"`` (1-32 ASCII letters and digits).
        side : Side
        order_type : OrderType
            MARKET, LIMIT or LIMIT_MAKER (MEXC has no stop orders on spot V3 REST).
        tif : TimeInForce
            TIF_NONE for MARKET; for LIMIT: GTC (type ``LIMIT``), IOC
            (``IMMEDIATE_OR_CANCEL``), FOK (``FILL_OR_KILL``) or POST_ONLY
            (``LIMIT_MAKER``); LIMIT_MAKER takes TIF_NONE or POST_ONLY.
        qty_raw : int
            Base quantity, fixed-point raw (8 decimals).  Required for limit types and
            a MARKET SELL; must be 0 for a MARKET BUY.
        price_raw : int
            Required for limit types, 0 for MARKET.
        client_id : bytes, str or None
            ``newClientOrderId``, 1-32 of ``[A-Za-z0-9_-]``; empty or None lets MEXC choose.
        timestamp_ms, recv_window_ms : int
            Milliseconds; recvWindow 1..60000.
        quote_qty_raw : int, keyword-only
            ``quoteOrderQty``: the quote amount a MARKET BUY spends (required there,
            0 everywhere else).

        Returns
        -------
        int
            Length of the request in :attr:`buffer`.

        Raises
        ------
        EncodeError
            The order cannot be expressed for MEXC spot; nothing was produced.
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        _borrow_text(symbol, &s, &sn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.new_order_c(s, <size_t>sn, side, order_type, tif, qty_raw, quote_qty_raw,
                                             price_raw, c, <size_t>cn, timestamp_ms, recv_window_ms)
        if n < 0:
            self.length = 0
            self.query_length = 0
            detail = (f"symbol={symbol!r} side={side} type={order_type} tif={tif} qty_raw={qty_raw} "
                      f"quote_qty_raw={quote_qty_raw} price_raw={price_raw} client_id={client_id!r}")
            if n == CODEC_E_QTY and order_type == MARKET and side == BUY and qty_raw > 0:
                raise EncodeError("mexc spot: a MARKET BUY spends quote_qty_raw (quoteOrderQty); "
                                  f"qty_raw must be 0 ({detail})", CODEC_E_QTY)
            raise encode_error(<int>n, "mexc spot", detail)
        return n

    def cancel_order(self, symbol, order_id, client_id, int64_t timestamp_ms, int64_t recv_window_ms=5000):
        """Encode and sign ``DELETE /api/v3/order`` by ``orderId`` or ``origClientOrderId``.

        Parameters
        ----------
        symbol : bytes or str
        order_id : bytes, str or None
            MEXC's order id (a string, ``[A-Za-z0-9_-]`` up to 64), or empty/None.
        client_id : bytes, str or None
            The order's ``newClientOrderId``, or empty/None.  Exactly one of the two.
        timestamp_ms, recv_window_ms : int

        Returns
        -------
        int
            Length of the request in :attr:`buffer`.

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
            self.query_length = 0
            raise encode_error(<int>n, "mexc spot", f"symbol={symbol!r} order_id={order_id!r} client_id={client_id!r}")
        return n

    # ---- whole requests (after set_frame: heads indexed by ENDPOINT_*, tail; never in mixed mode) --------

    def new_order_request(self, symbol, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                          client_id, int64_t timestamp_ms, int64_t recv_window_ms, int64_t quote_qty_raw):
        """:meth:`new_order` (every argument positional), returning the whole framed request as bytes."""
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        if self.mixed:
            raise ValueError("a framed request carries its parameters in the query: not in mixed mode")
        _borrow_text(symbol, &s, &sn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.new_order_c(s, <size_t>sn, side, order_type, tif, qty_raw, quote_qty_raw,
                                             price_raw, c, <size_t>cn, timestamp_ms, recv_window_ms)
        if n < 0:
            self.new_order(symbol, side, order_type, tif, qty_raw, price_raw, client_id, timestamp_ms,
                           recv_window_ms, quote_qty_raw=quote_qty_raw)     # raises the error, worded once
        return self._framed(self.endpoint)

    def cancel_request(self, symbol, order_id, client_id, int64_t timestamp_ms, int64_t recv_window_ms):
        """:meth:`cancel_order` (every argument positional), returning the whole framed request as bytes."""
        if self.mixed:
            raise ValueError("a framed request carries its parameters in the query: not in mixed mode")
        self.cancel_order(symbol, order_id, client_id, timestamp_ms, recv_window_ms)
        return self._framed(self.endpoint)


def repeat_new_order(MexcOrderEncoder enc, bytes symbol, int side, int order_type, int tif, int64_t qty_raw,
                      int64_t price_raw, bytes client_id, int64_t timestamp_ms, Py_ssize_t iterations):
    """Call the C entry point ``new_order_c`` ``iterations`` times (bench/test hook); returns None."""
    cdef const char *s = PyBytes_AS_STRING(symbol)
    cdef size_t sn = <size_t>PyBytes_GET_SIZE(symbol)
    cdef const char *c = PyBytes_AS_STRING(client_id)
    cdef size_t cn = <size_t>PyBytes_GET_SIZE(client_id)
    cdef Py_ssize_t i, n = 0
    with nogil:
        for i in range(iterations):
            n = enc.new_order_c(s, sn, side, order_type, tif, qty_raw, 0, price_raw, c, cn, timestamp_ms + i, 5000)
    if n < 0:
        raise encode_error(<int>n, "mexc spot")
