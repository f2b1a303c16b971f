"""Binance spot WebSocket API order frames: ``order.place``, ``order.cancel`` and ``order.cancelReplace`` as
finished text frames.

The WebSocket API signs differently from REST: the payload is every parameter except
``signature`` (``apiKey`` included) as ``name=value`` pairs **sorted by name**, raw
UTF-8 (no percent-encoding), HMAC-SHA256 in hex.  The frame is
``{"id":N,"method":"order.place","params":{...,"signature":"<hex>"}}`` with the same
parameters in the same order.

This encoder writes the sorted payload into a scratch buffer and the JSON frame into
its own buffer in one pass (each value is formatted once and copied), then signs the
payload and closes the frame.  Order types, time in force and prices are validated by
the same rules as the REST encoder (:func:`order_shape` in ``codec_binance.pxd``).

After a ``session.logon`` with an Ed25519 key, requests carry neither ``apiKey`` nor
``signature`` (``signed=False``); ``recvWindow`` and ``timestamp`` still go.
"""

from engine._codec_errors import EncodeError
from engine._codec_errors import encode_error

from libc.stdint cimport int64_t
from libc.stdlib cimport free
from libc.stdlib cimport malloc
from libc.string cimport memcpy

from engine._codec_binance cimport order_shape
from engine._codec_binance cimport order_shape_t
from engine._codec_buffer cimport WireBuffer
from engine._codec_wire cimport CODEC_E_CLIENT_ID
from engine._codec_wire cimport CODEC_E_ORDER_REF
from engine._codec_wire cimport CODEC_E_OVERFLOW
from engine._codec_wire cimport CODEC_E_QTY
from engine._codec_wire cimport CODEC_E_RECV_WINDOW
from engine._codec_wire cimport CODEC_E_SYMBOL
from engine._codec_wire cimport CODEC_E_TIMESTAMP
from engine._codec_wire cimport CODEC_E_TYPE
from engine._codec_wire cimport borrow_text
from engine._codec_wire cimport wire_bytes
from engine._codec_wire cimport wire_fp
from engine._codec_wire cimport wire_i64
from engine._codec_wire cimport wire_id_ok
from engine._codec_wire cimport wire_start
from engine._codec_wire cimport wire_str
from engine._codec_wire cimport wire_symbol_ok
from engine._codec_wire cimport wire_t
from engine._enums cimport BOTH
from engine._signer cimport RequestSigner

cdef enum:
    SIGNATURE_HEX = 64
    SYMBOL_MAX = 32
    CLIENT_ID_MAX = 36
    API_KEY_MAX = 128
    RECV_WINDOW_MAX = 60000
    DEFAULT_CAPACITY = 2048

cdef const char *ID_EXTRA = b"-_"          # spot newClientOrderId: ^[a-zA-Z0-9-_]{1,36}$
cdef const char *KEY_EXTRA = b"-_."         # real keys are letters and digits; test keys have dashes

# newOrderRespType values, by the index the Python API takes (RESP_* below).
RESP_NONE, RESP_ACK, RESP_RESULT, RESP_FULL = 0, 1, 2, 3


cdef inline const char *_resp_name(int resp_type) noexcept nogil:
    if resp_type == 1:
        return b"ACK"
    if resp_type == 2:
        return b"RESULT"
    return b"FULL"


cdef inline size_t _cstrlen(const char *s) noexcept nogil:
    cdef size_t n = 0
    while s[n]:
        n += 1
    return n


cdef struct frame_t:
    wire_t q        # the signing payload: name=value&... (sorted)
    wire_t j        # the frame


cdef inline void _name(frame_t *f, const char *name) noexcept nogil:
    """Start a parameter in both outputs: ``&name=`` and ``,"name":``."""
    if f.q.len:
        wire_bytes(&f.q, b"&", 1)
    wire_str(&f.q, name)
    wire_bytes(&f.q, b"=", 1)
    if f.j.buf[f.j.len - 1] != b'{':
        wire_bytes(&f.j, b",", 1)
    wire_bytes(&f.j, b"\"", 1)
    wire_str(&f.j, name)
    wire_bytes(&f.j, b"\":", 2)


cdef inline void _copy_value(frame_t *f, size_t start, bint quoted) noexcept nogil:
    """Copy the value just written to the payload (from ``start``) into the frame."""
    if f.q.overflow:
        f.j.overflow = 1
        return
    if quoted:
        wire_bytes(&f.j, b"\"", 1)
    wire_bytes(&f.j, f.q.buf + start, f.q.len - start)
    if quoted:
        wire_bytes(&f.j, b"\"", 1)


cdef inline void _text(frame_t *f, const char *name, const char *v, size_t n) noexcept nogil:
    _name(f, name)
    cdef size_t start = f.q.len
    wire_bytes(&f.q, v, n)
    _copy_value(f, start, True)


cdef inline void _fp(frame_t *f, const char *name, int64_t raw) noexcept nogil:
    _name(f, name)
    cdef size_t start = f.q.len
    wire_fp(&f.q, raw)
    _copy_value(f, start, True)


cdef inline void _int(frame_t *f, const char *name, int64_t v) noexcept nogil:
    _name(f, name)
    cdef size_t start = f.q.len
    wire_i64(&f.q, v)
    _copy_value(f, start, False)


cdef inline void _order_fields(frame_t *f, order_shape_t *shape, const char *symbol, size_t symbol_len,
                               int64_t qty_raw, int64_t price_raw, int64_t stop_raw, int64_t recv_window_ms,
                               int64_t timestamp_ms) noexcept nogil:
    """An order's own parameters, in their sorted place after ``newOrderRespType``: price, quantity,
    recvWindow, side, stopPrice, symbol, timeInForce, timestamp, type."""
    if shape.need_price:
        _fp(f, b"price", price_raw)
    _fp(f, b"quantity", qty_raw)
    _int(f, b"recvWindow", recv_window_ms)
    _text(f, b"side", shape.side_name, _cstrlen(shape.side_name))
    if shape.need_stop:
        _fp(f, b"stopPrice", stop_raw)
    _text(f, b"symbol", symbol, symbol_len)
    if shape.tif_name != NULL:
        _text(f, b"timeInForce", shape.tif_name, _cstrlen(shape.tif_name))
    _int(f, b"timestamp", timestamp_ms)
    _text(f, b"type", shape.type_name, _cstrlen(shape.type_name))


cdef class BinanceWsEncoder(WireBuffer):
    """Signed Binance spot WebSocket API order frames in a reusable buffer.

    Parameters
    ----------
    signer : engine._signer.RequestSigner
        Holds the account's HMAC key.
    api_key : bytes or str
        Sent as ``apiKey`` in signed requests (part of the signed payload).
    capacity : int, optional
        Frame buffer size in bytes (default 2048; a frame is about 400).

    Notes
    -----
    After a successful call the frame is ``buffer[:length]``.

    .. DANGER:: ``buffer`` is a view of memory the next call overwrites: send it
       before encoding again.  Not thread-safe: one encoder per connection.
    """

    # WireBuffer holds buf (the frame), capacity, length and the buffer view.
    cdef RequestSigner signer
    cdef bytes api_key
    cdef const char *key_ptr            # into api_key (kept alive by it)
    cdef size_t key_len
    cdef char *scratch                  # owned, capacity bytes: the signing payload

    def __cinit__(self, RequestSigner signer not None, api_key, *, Py_ssize_t capacity=DEFAULT_CAPACITY):
        cdef const char *k
        cdef Py_ssize_t kn
        self._allocate(capacity)
        borrow_text(api_key, &k, &kn)
        if kn == 0 or not wire_id_ok(k, <size_t>kn, API_KEY_MAX, KEY_EXTRA):
            raise EncodeError("binance ws-api: the API key must be 1-128 of [A-Za-z0-9._-]", -2)
        self.api_key = k[:kn]
        self.key_ptr = self.api_key
        self.key_len = <size_t>kn
        self.scratch = <char *>malloc(<size_t>capacity)
        if self.scratch == NULL:
            raise MemoryError("BinanceWsEncoder buffers")
        self.signer = signer

    def __dealloc__(self):
        free(self.scratch)

    def __repr__(self):
        return f"BinanceWsEncoder(length={self.length})"

    def frame(self):
        """A copy of the last frame as bytes (cold path: tests, logging)."""
        return self._copy(0, self.length)

    # ---- C entry points ----------------------------------------------------------------

    cdef void _open(self, frame_t *f, int64_t request_id, const char *method, bint signed) noexcept nogil:
        wire_start(&f.q, self.scratch, self.capacity)
        wire_start(&f.j, self.buf, self.capacity)
        wire_bytes(&f.j, b"{\"id\":", 6)
        wire_i64(&f.j, request_id)
        wire_bytes(&f.j, b",\"method\":\"", 11)
        wire_str(&f.j, method)
        wire_bytes(&f.j, b"\",\"params\":{", 12)
        if signed:
            _text(f, b"apiKey", self.key_ptr, self.key_len)

    cdef Py_ssize_t _close(self, frame_t *f, bint signed) noexcept nogil:
        if signed:
            wire_bytes(&f.j, b",\"signature\":\"", 14)
            if f.q.overflow or f.j.overflow or f.j.cap - f.j.len < SIGNATURE_HEX + 3:
                return CODEC_E_OVERFLOW
            self.signer.hmac256_hex_c(f.q.buf, f.q.len, f.j.buf + f.j.len)
            f.j.len += SIGNATURE_HEX
            wire_bytes(&f.j, b"\"", 1)
        wire_bytes(&f.j, b"}}", 2)
        if f.q.overflow or f.j.overflow:
            return CODEC_E_OVERFLOW
        self.length = <Py_ssize_t>f.j.len
        return self.length

    cdef int _check(self, int64_t request_id, const char *symbol, size_t symbol_len, const char *client_id,
                    size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil:
        if request_id < 0:
            return CODEC_E_ORDER_REF
        if not wire_symbol_ok(symbol, symbol_len, SYMBOL_MAX, b"", 1):
            return CODEC_E_SYMBOL
        if client_id_len and not wire_id_ok(client_id, client_id_len, CLIENT_ID_MAX, ID_EXTRA):
            return CODEC_E_CLIENT_ID
        if timestamp_ms <= 0:
            return CODEC_E_TIMESTAMP
        if recv_window_ms <= 0 or recv_window_ms > RECV_WINDOW_MAX:
            return CODEC_E_RECV_WINDOW
        return 0

    cdef Py_ssize_t order_place_c(self, int64_t request_id, const char *symbol, size_t symbol_len, int side,
                                  int order_type, int tif, int64_t qty_raw, int64_t price_raw, int64_t stop_raw,
                                  const char *client_id, size_t client_id_len, int resp_type, int64_t timestamp_ms,
                                  int64_t recv_window_ms, bint signed) noexcept nogil:
        cdef frame_t f
        cdef order_shape_t shape
        cdef int st = self._check(request_id, symbol, symbol_len, client_id, client_id_len, timestamp_ms,
                                  recv_window_ms)
        if st:
            return st
        if resp_type < 0 or resp_type > 3:
            return CODEC_E_TYPE
        st = order_shape(False, side, order_type, tif, qty_raw, price_raw, stop_raw, BOTH, False, 0, &shape)
        if st:
            return st
        self._open(&f, request_id, b"order.place", signed)
        # Sorted by name: apiKey, newClientOrderId, newOrderRespType, price, quantity, recvWindow, side,
        # stopPrice, symbol, timeInForce, timestamp, type.
        if client_id_len:
            _text(&f, b"newClientOrderId", client_id, client_id_len)
        if resp_type:
            _text(&f, b"newOrderRespType", _resp_name(resp_type), _cstrlen(_resp_name(resp_type)))
        _order_fields(&f, &shape, symbol, symbol_len, qty_raw, price_raw, stop_raw, recv_window_ms, timestamp_ms)
        return self._close(&f, signed)

    cdef Py_ssize_t order_cancel_c(self, int64_t request_id, const char *symbol, size_t symbol_len,
                                   int64_t order_id, const char *client_id, size_t client_id_len,
                                   int64_t timestamp_ms, int64_t recv_window_ms, bint signed) noexcept nogil:
        cdef frame_t f
        cdef int st = self._check(request_id, symbol, symbol_len, client_id, client_id_len, timestamp_ms,
                                  recv_window_ms)
        if st:
            return st
        if (order_id > 0) == (client_id_len > 0) or order_id < 0:
            return CODEC_E_ORDER_REF
        self._open(&f, request_id, b"order.cancel", signed)
        # Sorted: apiKey, orderId | origClientOrderId, recvWindow, symbol, timestamp.
        if order_id > 0:
            _int(&f, b"orderId", order_id)
        else:
            _text(&f, b"origClientOrderId", client_id, client_id_len)
        _int(&f, b"recvWindow", recv_window_ms)
        _text(&f, b"symbol", symbol, symbol_len)
        _int(&f, b"timestamp", timestamp_ms)
        return self._close(&f, signed)

    cdef Py_ssize_t order_cancel_replace_c(self, int64_t request_id, const char *symbol, size_t symbol_len,
                                           int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                                           int64_t stop_raw, const char *old_client_id, size_t old_client_id_len,
                                           const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                           int64_t recv_window_ms, bint signed) noexcept nogil:
        cdef frame_t f
        cdef order_shape_t shape
        if old_client_id_len == 0 or client_id_len == 0:
            return CODEC_E_ORDER_REF
        cdef int st = self._check(request_id, symbol, symbol_len, old_client_id, old_client_id_len, timestamp_ms,
                                  recv_window_ms)
        if st:
            return st
        st = self._check(request_id, symbol, symbol_len, client_id, client_id_len, timestamp_ms, recv_window_ms)
        if st:
            return st
        st = order_shape(False, side, order_type, tif, qty_raw, price_raw, stop_raw, BOTH, False, 0, &shape)
        if st:
            return st
        self._open(&f, request_id, b"order.cancelReplace", signed)
        # Sorted: apiKey, cancelOrigClientOrderId, cancelReplaceMode, newClientOrderId, newOrderRespType, price,
        # quantity, recvWindow, side, stopPrice, symbol, timeInForce, timestamp, type.
        _text(&f, b"cancelOrigClientOrderId", old_client_id, old_client_id_len)
        _text(&f, b"cancelReplaceMode", b"STOP_ON_FAILURE", 15)
        _text(&f, b"newClientOrderId", client_id, client_id_len)
        _text(&f, b"newOrderRespType", b"FULL", 4)
        _order_fields(&f, &shape, symbol, symbol_len, qty_raw, price_raw, stop_raw, recv_window_ms, timestamp_ms)
        return self._close(&f, signed)

    cdef Py_ssize_t order_amend_keep_priority_c(self, int64_t request_id, const char *symbol, size_t symbol_len,
                                                const char *client_id, size_t client_id_len, int64_t qty_raw,
                                                int64_t timestamp_ms, int64_t recv_window_ms,
                                                bint signed) noexcept nogil:
        cdef frame_t f
        if client_id_len == 0:
            return CODEC_E_ORDER_REF
        cdef int st = self._check(request_id, symbol, symbol_len, client_id, client_id_len, timestamp_ms,
                                  recv_window_ms)
        if st:
            return st
        if qty_raw <= 0:
            return CODEC_E_QTY
        self._open(&f, request_id, b"order.amend.keepPriority", signed)
        # Sorted: apiKey, newClientOrderId, newQty, origClientOrderId, recvWindow, symbol, timestamp.  The same
        # client id as new: the order keeps it (the venue would draw a random one otherwise).
        _text(&f, b"newClientOrderId", client_id, client_id_len)
        _fp(&f, b"newQty", qty_raw)
        _text(&f, b"origClientOrderId", client_id, client_id_len)
        _int(&f, b"recvWindow", recv_window_ms)
        _text(&f, b"symbol", symbol, symbol_len)
        _int(&f, b"timestamp", timestamp_ms)
        return self._close(&f, signed)

    # ---- Python API ----------------------------------------------------------------------

    def order_place(self, int64_t request_id, symbol, int side, int order_type, int tif, int64_t qty_raw,
                    int64_t price_raw, int64_t stop_raw, client_id, int resp_type, int64_t timestamp_ms,
                    int64_t recv_window_ms=5000, bint signed=True):
        """Write an ``order.place`` frame; returns its length in :attr:`buffer`.

        Parameters
        ----------
        request_id : int
            The frame's ``id`` (>= 0); the answer carries it back.
        symbol : bytes or str
        side, order_type, tif : Side, OrderType, TimeInForce
            As for the REST encoder (spot types; POST_ONLY is LIMIT_MAKER).
        qty_raw, price_raw, stop_raw : int
            Fixed-point raw values; 0 means absent.
        client_id : bytes, str or None
            newClientOrderId; empty lets Binance choose.
        resp_type : int
            RESP_ACK, RESP_RESULT, RESP_FULL, or RESP_NONE (the venue's default).
        timestamp_ms, recv_window_ms : int
        signed : bool
            False after an Ed25519 ``session.logon``: no apiKey, no signature.

        Raises
        ------
        EncodeError
            The order cannot be expressed; nothing usable was written.
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        borrow_text(symbol, &s, &sn)
        borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.order_place_c(request_id, s, <size_t>sn, side, order_type, tif, qty_raw, price_raw,
                                               stop_raw, c, <size_t>cn, resp_type, timestamp_ms, recv_window_ms,
                                               signed)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "binance ws-api", f"symbol={symbol!r} side={side} type={order_type} "
                               f"tif={tif} qty_raw={qty_raw} price_raw={price_raw} stop_raw={stop_raw} "
                               f"client_id={client_id!r} resp_type={resp_type}")
        return n

    def order_cancel(self, int64_t request_id, symbol, int64_t order_id, client_id, int64_t timestamp_ms,
                     int64_t recv_window_ms=5000, bint signed=True):
        """Write an ``order.cancel`` frame by exchange id (``order_id > 0``) or client id; returns its length.

        Raises
        ------
        EncodeError
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        borrow_text(symbol, &s, &sn)
        borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.order_cancel_c(request_id, s, <size_t>sn, order_id, c, <size_t>cn, timestamp_ms,
                                                recv_window_ms, signed)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "binance ws-api", f"symbol={symbol!r} order_id={order_id} "
                               f"client_id={client_id!r}")
        return n

    def order_cancel_replace(self, int64_t request_id, symbol, int side, int order_type, int tif, int64_t qty_raw,
                             int64_t price_raw, int64_t stop_raw, old_client_id, client_id, int64_t timestamp_ms,
                             int64_t recv_window_ms=5000, bint signed=True):
        """Write an ``order.cancelReplace`` frame (``cancelReplaceMode=STOP_ON_FAILURE``, answered FULL): cancel the
        order ``old_client_id`` and place a new one (``client_id``, the parameters of :meth:`order_place`);
        returns its length.

        Raises
        ------
        EncodeError
            A missing client id, or what :meth:`order_place` refuses.
        """
        cdef const char *s
        cdef const char *o
        cdef const char *c
        cdef Py_ssize_t sn, on, cn
        borrow_text(symbol, &s, &sn)
        borrow_text(old_client_id, &o, &on)
        borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.order_cancel_replace_c(request_id, s, <size_t>sn, side, order_type, tif, qty_raw,
                                                        price_raw, stop_raw, o, <size_t>on, c, <size_t>cn,
                                                        timestamp_ms, recv_window_ms, signed)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "binance ws-api", f"symbol={symbol!r} side={side} type={order_type} "
                               f"tif={tif} qty_raw={qty_raw} price_raw={price_raw} old_client_id={old_client_id!r} "
                               f"client_id={client_id!r}")
        return n

    def order_amend_keep_priority(self, int64_t request_id, symbol, client_id, int64_t qty_raw, int64_t timestamp_ms,
                                  int64_t recv_window_ms=5000, bint signed=True):
        """Write an ``order.amend.keepPriority`` frame: the order ``client_id``'s quantity lowered to ``qty_raw``
        (its whole new quantity) in place, its queue priority and client id kept; returns its length.

        Raises
        ------
        EncodeError
            A missing client id, a quantity not above zero, bad input.
        """
        cdef const char *s
        cdef const char *c
        cdef Py_ssize_t sn, cn
        borrow_text(symbol, &s, &sn)
        borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.order_amend_keep_priority_c(request_id, s, <size_t>sn, c, <size_t>cn, qty_raw,
                                                             timestamp_ms, recv_window_ms, signed)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "binance ws-api", f"symbol={symbol!r} client_id={client_id!r} "
                               f"qty_raw={qty_raw}")
        return n
