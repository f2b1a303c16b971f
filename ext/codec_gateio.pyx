"""Gate.io APIv4 spot order encoder: create, cancel and amend, with their APIv4 signatures.

This module owns the translation from the engine's order vocabulary to Gate's spot
order requests: ``POST /api/v4/spot/orders`` (compact JSON body),
``DELETE /api/v4/spot/orders/{order_id}?currency_pair=...`` and
``PATCH /api/v4/spot/orders/{order_id}?currency_pair=...`` (JSON body with the new
amount and/or price), each with the values of its ``KEY``, ``Timestamp`` and ``SIGN``
headers.  Rules (Gate APIv4 docs, "Authentication", "Spot"; fields as in the official
SDK's ``Order`` / ``OrderPatch`` models):

1. ``SIGN`` = lowercase hex HMAC-SHA512 of
   ``METHOD\\npath\\nquery\\nhex(SHA512(body))\\ntimestamp``, where the path carries the
   ``/api/v4`` prefix, the query is the raw query string as sent (empty when none) and
   the timestamp is in **seconds**, the same digits as the ``Timestamp`` header.
2. The body is compact JSON with keys in the order of Gate's ``Order`` model; every
   number is a decimal string from ``fp_format``; currency pairs, ids and texts are
   validated so that they need no JSON escaping and no URL encoding.
3. ``text`` (the client order id) is ``t-`` followed by 1-28 bytes of
   ``[0-9A-Za-z_.-]``.  Orders can be looked up, cancelled and amended by ``text`` only
   while open; afterwards only by Gate's numeric order id (gateio-spot.md §4).
4. A market BUY's ``amount`` is the quote amount to spend (``quote_qty_raw``), a market
   SELL's the base amount; market orders take only ``ioc`` (the default here) or ``fok``.
   Post-only is ``time_in_force: poc``.
5. Bad input raises :class:`~engine._codec_errors.EncodeError` before anything is
   used; the C entry points return a negative status instead.
6. An encoder built with ``signs=False`` writes the same bodies and targets without the
   HMAC (``SIGN`` empty): the WebSocket order API carries no signature per request once
   the connection is logged in (``spot.login``, gateio-spot.md §8).
7. :meth:`framed_request` writes the whole HTTP/1.1 request of the last call into one
   bytes object (``set_frame`` first: the method and path prefix per endpoint, and the
   fixed headers up to ``Timestamp:``), the varying target, header values and body
   copied in C rather than joined in Python.
8. The WebSocket order API (gateio-spot.md §8) takes the REST body of a create as
   ``req_param``, and ``{"order_id","currency_pair"}`` (cancel), plus ``amount`` and/or
   ``price`` (amend): :meth:`ws_cancel_param` / :meth:`ws_amend_param` write those into the
   buffer (validated as the REST targets are), and :meth:`ws_frame` wraps the buffer in
   the request frame ``{"time","channel","event":"api","payload":{"req_id","req_header":
   {"x-gate-exptime"},"req_param":...}}``, in one bytes object.
"""

from engine._codec_errors import EncodeError
from engine._codec_errors import encode_error

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.memoryview cimport PyMemoryView_FromMemory
from cpython.tuple cimport PyTuple_GET_ITEM
from cpython.tuple cimport PyTuple_GET_SIZE
from libc.stdint cimport int64_t
from libc.string cimport memcmp
from libc.string cimport memcpy
from libc.string cimport strlen

from engine._codec_wire cimport CODEC_E_CLIENT_ID
from engine._codec_wire cimport CODEC_E_NOTHING
from engine._codec_wire cimport CODEC_E_ORDER_REF
from engine._codec_wire cimport CODEC_E_OVERFLOW
from engine._codec_wire cimport CODEC_E_PRICE
from engine._codec_wire cimport CODEC_E_PRICE_FORBIDDEN
from engine._codec_wire cimport CODEC_E_QTY
from engine._codec_wire cimport CODEC_E_QUOTE_QTY
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
from engine._codec_wire cimport json_fp_field as _fp_field
from engine._codec_wire cimport json_key as _key
from engine._codec_wire cimport json_str_field as _str_field
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
    PAIR_MAX = 32                       # currency_pair, e.g. BTC_USDT: [A-Za-z0-9_]
    TEXT_BODY_MAX = 28                  # bytes after the "t-" prefix
    ORDER_ID_MAX = 32                   # Gate order ids are decimal strings
    DEFAULT_CAPACITY = 1024
    PYBUF_READ = 0x100
    ENDPOINT_NONE = 0
    ENDPOINT_ORDER = 1
    ENDPOINT_CANCEL = 2
    ENDPOINT_AMEND = 3
    ENDPOINT_OTHER = 4

# A larger "seconds" value is a millisecond timestamp passed by mistake (year 2286 in seconds).
cdef int64_t TIMESTAMP_S_LIMIT = 10_000_000_000

# Method and path pattern of each value of GateOrderEncoder.endpoint; the actual target
# of the last request is GateOrderEncoder.target.
ENDPOINTS = {
    ENDPOINT_NONE: (b"", b""),
    ENDPOINT_ORDER: (b"POST", b"/api/v4/spot/orders"),
    ENDPOINT_CANCEL: (b"DELETE", b"/api/v4/spot/orders/{order_id}"),
    ENDPOINT_AMEND: (b"PATCH", b"/api/v4/spot/orders/{order_id}"),
    ENDPOINT_OTHER: (b"", b""),
}

ACCOUNTS = (b"spot", b"margin", b"cross_margin", b"unified")

cdef enum:
    DIGITS_CAP = 24                     # decimal int64 with room to spare

# The header lines framed_request writes after the Timestamp value (rule 7).
cdef const char *HDR_SIGN = b"\r\nSIGN: "
cdef const char *HDR_EXPTIME = b"\r\nX-Gate-Exptime: "
cdef const char *HDR_LENGTH = b"\r\nContent-Length: "
cdef const char *HDR_END = b"\r\n\r\n"

# The order API's request frame around req_param (rule 8).
cdef const char *WS_TIME = b'{"time":'
cdef const char *WS_CHANNEL = b',"channel":"'
cdef const char *WS_REQ_ID = b'","event":"api","payload":{"req_id":"'
cdef const char *WS_EXPTIME = b'","req_header":{"x-gate-exptime":"'
cdef const char *WS_PARAM = b'"},"req_param":'
cdef const char *WS_END = b"}}"

cdef const char *PATH_ORDERS = b"/api/v4/spot/orders"
cdef const char *PATH_PREFIX = b"/api/v4/"


cdef inline bint _text_ok(const char *s, size_t n) noexcept nogil:
    """Gate ``text``: ``t-`` then 1-28 bytes of ``[0-9A-Za-z_.-]``."""
    if n < 3 or s[0] != b't' or s[1] != b'-':
        return False
    return wire_id_ok(s + 2, n - 2, TEXT_BODY_MAX, b"_.-") != 0


cdef inline bint _digits_ok(const char *s, size_t n, size_t maxlen) noexcept nogil:
    cdef size_t i
    if n == 0 or n > maxlen:
        return False
    for i in range(n):
        if s[i] < b'0' or s[i] > b'9':
            return False
    return True


cdef inline bint _method_ok(const char *s, size_t n) noexcept nogil:
    """An uppercase HTTP method that fits ``gate_auth_t.method`` (GET, POST, PATCH, DELETE, ...)."""
    cdef size_t i
    if n == 0 or n >= GATE_METHOD_CAP:
        return False
    for i in range(n):
        if s[i] < b'A' or s[i] > b'Z':
            return False
    return True


cdef inline bint _visible_ok(const char *s, size_t n, const char *forbidden) noexcept nogil:
    """Every byte printable ASCII (0x21-0x7e) and none of ``forbidden``: safe in a request line."""
    cdef size_t i, k
    cdef unsigned char c
    for i in range(n):
        c = <unsigned char>s[i]
        if c < 0x21 or c > 0x7e:
            return False
        k = 0
        while forbidden[k] != 0:
            if <unsigned char>forbidden[k] == c:
                return False
            k += 1
    return True


cdef inline int _check_ref(const char *pair, size_t pair_len, const char *order_id, size_t order_id_len,
                           const char *text, size_t text_len, int64_t qty_raw, int64_t price_raw,
                           int endpoint) noexcept nogil:
    """What every cancel and amend is checked for, REST and order API alike (rules 3 and 8): the pair,
    exactly one order reference (Gate's id in digits, or a text), and for an amend a new amount and/or
    price (never negative, not both 0).  0, or a CODEC_E_* status."""
    if not wire_id_ok(pair, pair_len, PAIR_MAX, b"_"):
        return CODEC_E_SYMBOL
    if (order_id_len > 0) == (text_len > 0):
        return CODEC_E_ORDER_REF
    if order_id_len and not _digits_ok(order_id, order_id_len, ORDER_ID_MAX):
        return CODEC_E_ORDER_REF
    if text_len and not _text_ok(text, text_len):
        return CODEC_E_CLIENT_ID
    if qty_raw < 0:
        return CODEC_E_QTY
    if price_raw < 0:
        return CODEC_E_PRICE
    if endpoint == ENDPOINT_AMEND and qty_raw == 0 and price_raw == 0:
        return CODEC_E_NOTHING
    return 0


cdef inline void _amend_fields(wire_t *w, int64_t qty_raw, int64_t price_raw) noexcept nogil:
    """``"amount"`` and ``"price"`` of an amend (each only when not 0) and the closing brace: the REST
    amend body and the end of the order API's cancel and amend ``req_param``."""
    if qty_raw:
        _fp_field(w, b"amount", qty_raw)
    if price_raw:
        _fp_field(w, b"price", price_raw)
    wire_bytes(w, b"}", 1)


cdef inline char *_put(char *p, const char *src, size_t n) noexcept nogil:
    """Copy ``n`` bytes to ``p``; returns the byte after them (the framers' one step)."""
    memcpy(p, src, n)
    return p + n


cdef inline size_t _decimal(char *digits, int64_t value) noexcept nogil:
    """``value`` in decimal into ``digits`` (DIGITS_CAP bytes); returns its length."""
    cdef wire_t w
    wire_start(&w, digits, DIGITS_CAP)
    wire_i64(&w, value)
    return w.len


cdef class GateOrderEncoder(WireBuffer):
    """Gate.io spot order requests and their APIv4 signatures, written into reusable buffers.

    Parameters
    ----------
    signer : engine._signer.RequestSigner
        Holds the account's API secret (the HMAC-SHA512 key).
    api_key : bytes or str
        The value of the ``KEY`` header.
    account : {"spot", "margin", "cross_margin", "unified"}, optional
        Sent as ``account`` in new orders and, when not ``spot``, as a query parameter
        of cancels and amends.
    signs : bool, optional
        False: no HMAC per request (rule 6); :attr:`signature` is then empty.
    capacity : int, optional
        Body buffer size in bytes (default 1024; an order body is about 150).

    Notes
    -----
    After a successful call: :attr:`method`, ``target`` (path with ``/api/v4`` and, for
    cancel/amend, ``?currency_pair=...``), body ``buffer[:length]`` (empty for a cancel),
    and the headers ``KEY`` = :attr:`api_key`, ``Timestamp`` = :attr:`timestamp_header`,
    ``SIGN`` = :attr:`signature`; JSON bodies go with ``Content-Type: application/json``.
    From C, a transport reads ``target_buf[:target_length]``, ``buf[:length]`` and ``auth``.

    .. DANGER:: the views are overwritten by the next call; one encoder per thread.
    """

    def __cinit__(self, RequestSigner signer not None, api_key, *, account="spot",
                  Py_ssize_t capacity=DEFAULT_CAPACITY, bint signs=True):
        if isinstance(api_key, str):
            api_key = api_key.encode()
        if not isinstance(api_key, bytes) or not api_key:
            raise TypeError("api_key must be non-empty bytes or str")
        if isinstance(account, str):
            account = account.encode()
        if account not in ACCOUNTS:
            raise ValueError(f"account must be one of spot, margin, cross_margin, unified, not {account!r}")
        self._allocate(capacity)
        self.signer = signer
        self.api_key = api_key
        self.account = account
        self.spot_account = account == b"spot"
        self.signs = signs
        self._acct_p = PyBytes_AS_STRING(account)
        self._acct_n = <size_t>PyBytes_GET_SIZE(account)
        self.auth.method[0] = 0
        self.auth.timestamp_len = 0
        self.target_length = 0
        self.path_length = 0
        self.timestamp = 0
        self.endpoint = ENDPOINT_NONE
        self._sig_view = PyMemoryView_FromMemory(self.auth.sign, GATE_SIGN_HEX, PYBUF_READ)

    def __repr__(self):
        return f"GateOrderEncoder(account={self.account.decode()!r}, length={self.length})"

    @property
    def signature(self):
        """Read-only 128-byte memoryview: the ``SIGN`` header of the last request (empty when not signing)."""
        return self._sig_view if self.signs else self._sig_view[:0]

    @property
    def timestamp_header(self):
        """The ``Timestamp`` header of the last request: decimal seconds (bytes)."""
        return self.auth.timestamp[:self.auth.timestamp_len]

    @property
    def method(self):
        """HTTP method of the last request (bytes)."""
        return self.auth.method[:strlen(self.auth.method)]

    @property
    def target(self):
        """Request target of the last request: path, then ``?`` and the query if any (bytes)."""
        return self.target_buf[:self.target_length]

    @property
    def path(self):
        """URL path of the last request, ``/api/v4`` included (bytes)."""
        return self.target_buf[:self.path_length]

    @property
    def query(self):
        """Query string of the last request, as sent and signed; ``b""`` when none."""
        if self.target_length > self.path_length:
            return self.target_buf[self.path_length + 1:self.target_length]
        return b""

    def headers(self):
        """``{"KEY": ..., "Timestamp": ..., "SIGN": ...}`` of the last request as str (cold path)."""
        return {"KEY": self.api_key.decode(), "Timestamp": self.timestamp_header.decode(),
                "SIGN": self.signature.tobytes().decode()}

    def request(self):
        """``(method, target, body, signature)`` of the last request as bytes (cold path)."""
        return self.method, self.target, self._copy(0, self.length), self.signature.tobytes()

    # ---- C entry points ----------------------------------------------------------------

    cdef int _start_target(self, wire_t *t, const char *pair, size_t pair_len, const char *ref,
                           size_t ref_len) noexcept nogil:
        """``/api/v4/spot/orders/{ref}?currency_pair=...`` (``ref``: the order id or text _check_ref
        accepted): returns the path length."""
        wire_start(t, self.target_buf, GATE_TARGET_CAP)
        wire_str(t, PATH_ORDERS)
        wire_bytes(t, b"/", 1)
        wire_bytes(t, ref, ref_len)
        cdef int path_len = <int>t.len
        # The query is signed exactly as sent: currency_pair (required), then account.
        wire_bytes(t, b"?currency_pair=", 15)
        wire_bytes(t, pair, pair_len)
        if not self.spot_account:
            wire_bytes(t, b"&account=", 9)
            wire_bytes(t, self._acct_p, self._acct_n)
        return path_len

    cdef Py_ssize_t _finish(self, wire_t *body, wire_t *t, size_t path_len, const char *method,
                            int64_t timestamp_s, int endpoint) noexcept nogil:
        """Sign method, path, query, body and timestamp; record the header values."""
        cdef const char *query = b""
        cdef size_t query_len = 0
        cdef wire_t ts
        if body.overflow or t.overflow:
            return CODEC_E_OVERFLOW
        if t.len > path_len:
            query = t.buf + path_len + 1
            query_len = t.len - path_len - 1
        if self.signs:
            self.signer.sign_gateio_c(method, strlen(method), t.buf, path_len, query, query_len,
                                      body.buf, body.len, timestamp_s, self.auth.sign)
        wire_start(&ts, self.auth.timestamp, GATE_TIMESTAMP_CAP)
        wire_i64(&ts, timestamp_s)
        self.auth.timestamp_len = ts.len
        memcpy(self.auth.method, method, strlen(method) + 1)
        self.length = <Py_ssize_t>body.len
        self.target_length = <Py_ssize_t>t.len
        self.path_length = <Py_ssize_t>path_len
        self.timestamp = timestamp_s
        self.endpoint = endpoint
        return self.length

    cdef Py_ssize_t new_order_c(self, const char *pair, size_t pair_len, int side, int order_type, int tif,
                                int64_t qty_raw, int64_t quote_qty_raw, int64_t price_raw, const char *text,
                                size_t text_len, int64_t timestamp_s) noexcept nogil:
        cdef wire_t w, t
        cdef const char *tif_name = NULL
        cdef bint market = order_type == MARKET
        cdef int64_t amount
        if not wire_id_ok(pair, pair_len, PAIR_MAX, b"_"):
            return CODEC_E_SYMBOL
        if text_len and not _text_ok(text, text_len):
            return CODEC_E_CLIENT_ID
        if timestamp_s <= 0 or timestamp_s >= TIMESTAMP_S_LIMIT:
            return CODEC_E_TIMESTAMP
        if side != BUY and side != SELL:
            return CODEC_E_SIDE
        if qty_raw < 0:
            return CODEC_E_QTY
        if quote_qty_raw < 0:
            return CODEC_E_QUOTE_QTY
        if price_raw < 0:
            return CODEC_E_PRICE
        if market:
            # Market orders accept only ioc and fok; ioc when the caller names none.
            if tif == TIF_NONE or tif == IOC:
                tif_name = b"ioc"
            elif tif == FOK:
                tif_name = b"fok"
            else:
                return CODEC_E_TIF
            if price_raw != 0:
                return CODEC_E_PRICE_FORBIDDEN
            if side == BUY:
                if qty_raw != 0:
                    return CODEC_E_QTY
                if quote_qty_raw == 0:
                    return CODEC_E_QUOTE_QTY
                amount = quote_qty_raw          # market buy: amount is in the quote currency
            else:
                if qty_raw == 0:
                    return CODEC_E_QTY
                if quote_qty_raw != 0:
                    return CODEC_E_QUOTE_QTY
                amount = qty_raw
        else:
            if order_type == LIMIT:
                if tif == GTC:
                    tif_name = b"gtc"
                elif tif == IOC:
                    tif_name = b"ioc"
                elif tif == FOK:
                    tif_name = b"fok"
                elif tif == POST_ONLY:
                    tif_name = b"poc"
                else:
                    return CODEC_E_TIF
            elif order_type == LIMIT_MAKER:
                if tif != TIF_NONE and tif != POST_ONLY:
                    return CODEC_E_TIF
                tif_name = b"poc"
            else:
                return CODEC_E_TYPE             # spot trigger orders are a separate API (price_orders)
            if qty_raw == 0:
                return CODEC_E_QTY
            if price_raw == 0:
                return CODEC_E_PRICE
            if quote_qty_raw != 0:
                return CODEC_E_QUOTE_QTY
            amount = qty_raw

        wire_start(&w, self.buf, self.capacity)
        if text_len:
            _str_field(&w, b"text", text, text_len)
        _str_field(&w, b"currency_pair", pair, pair_len)
        if market:
            _str_field(&w, b"type", b"market", 6)
        else:
            _str_field(&w, b"type", b"limit", 5)
        _str_field(&w, b"account", self._acct_p, self._acct_n)
        if side == BUY:
            _str_field(&w, b"side", b"buy", 3)
        else:
            _str_field(&w, b"side", b"sell", 4)
        _fp_field(&w, b"amount", amount)
        if not market:
            _fp_field(&w, b"price", price_raw)
        _str_field(&w, b"time_in_force", tif_name, 3)
        wire_bytes(&w, b"}", 1)
        wire_start(&t, self.target_buf, GATE_TARGET_CAP)
        wire_str(&t, PATH_ORDERS)
        return self._finish(&w, &t, t.len, b"POST", timestamp_s, ENDPOINT_ORDER)

    cdef Py_ssize_t cancel_order_c(self, const char *pair, size_t pair_len, const char *order_id,
                                   size_t order_id_len, const char *text, size_t text_len,
                                   int64_t timestamp_s) noexcept nogil:
        cdef wire_t w, t
        cdef int st = _check_ref(pair, pair_len, order_id, order_id_len, text, text_len, 0, 0, ENDPOINT_CANCEL)
        if st:
            return st
        if timestamp_s <= 0 or timestamp_s >= TIMESTAMP_S_LIMIT:
            return CODEC_E_TIMESTAMP
        cdef int path_len = self._start_target(&t, pair, pair_len, order_id if order_id_len else text,
                                               order_id_len if order_id_len else text_len)
        wire_start(&w, self.buf, self.capacity)          # no body: its hash is SHA512("")
        return self._finish(&w, &t, <size_t>path_len, b"DELETE", timestamp_s, ENDPOINT_CANCEL)

    cdef Py_ssize_t amend_order_c(self, const char *pair, size_t pair_len, const char *order_id,
                                  size_t order_id_len, const char *text, size_t text_len, int64_t qty_raw,
                                  int64_t price_raw, int64_t timestamp_s) noexcept nogil:
        cdef wire_t w, t
        cdef int st = _check_ref(pair, pair_len, order_id, order_id_len, text, text_len, qty_raw, price_raw,
                                 ENDPOINT_AMEND)
        if st:
            return st
        if timestamp_s <= 0 or timestamp_s >= TIMESTAMP_S_LIMIT:
            return CODEC_E_TIMESTAMP
        cdef int path_len = self._start_target(&t, pair, pair_len, order_id if order_id_len else text,
                                               order_id_len if order_id_len else text_len)
        wire_start(&w, self.buf, self.capacity)
        _amend_fields(&w, qty_raw, price_raw)
        return self._finish(&w, &t, <size_t>path_len, b"PATCH", timestamp_s, ENDPOINT_AMEND)

    cdef Py_ssize_t sign_request_c(self, const char *method, size_t method_len, const char *path, size_t path_len,
                                   const char *query, size_t query_len, const char *body, size_t body_len,
                                   int64_t timestamp_s) noexcept nogil:
        cdef wire_t w, t
        cdef char m[GATE_METHOD_CAP]
        if not _method_ok(method, method_len):
            return CODEC_E_TYPE
        memcpy(m, method, method_len)
        m[method_len] = 0
        if path_len < 8 or memcmp(path, PATH_PREFIX, 8) != 0 or not _visible_ok(path, path_len, b"?#"):
            return CODEC_E_SYMBOL
        if not _visible_ok(query, query_len, b"#"):
            return CODEC_E_SYMBOL
        if timestamp_s <= 0 or timestamp_s >= TIMESTAMP_S_LIMIT:
            return CODEC_E_TIMESTAMP
        wire_start(&t, self.target_buf, GATE_TARGET_CAP)
        wire_bytes(&t, path, path_len)
        if query_len:
            wire_bytes(&t, b"?", 1)
            wire_bytes(&t, query, query_len)
        wire_start(&w, self.buf, self.capacity)
        wire_bytes(&w, body, body_len)
        return self._finish(&w, &t, path_len, m, timestamp_s, ENDPOINT_OTHER)

    # ---- Python API ----------------------------------------------------------------------

    def new_order(self, currency_pair, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                  client_id, int64_t timestamp_s, *, int64_t quote_qty_raw=0):
        """Encode and sign ``POST /api/v4/spot/orders``.

        Parameters
        ----------
        currency_pair : bytes or str
            e.g. ``b"BTC_USDT"`` (1-32 of ``[A-Za-z0-9_]``).
        side : Side
        order_type : OrderType
            MARKET, LIMIT or LIMIT_MAKER (``poc``).
        tif : TimeInForce
            LIMIT: GTC, IOC, FOK or POST_ONLY (``poc``); LIMIT_MAKER: TIF_NONE or
            POST_ONLY; MARKET: TIF_NONE or IOC (``ioc``), or FOK.
        qty_raw : int
            Base amount, fixed-point raw (8 decimals); 0 for a market BUY.
        price_raw : int
            Limit price; 0 for MARKET.
        client_id : bytes, str or None
            ``text``: ``t-`` + 1-28 of ``[0-9A-Za-z_.-]``; empty or None sends none.
        timestamp_s : int
            Unix time in **seconds** (the ``Timestamp`` header).
        quote_qty_raw : int, keyword-only
            The quote amount a market BUY spends (sent as its ``amount``); 0 otherwise.

        Returns
        -------
        int
            Body length in :attr:`buffer`.

        Raises
        ------
        EncodeError
        """
        return _new_order(self, currency_pair, side, order_type, tif, qty_raw, price_raw, client_id, timestamp_s,
                          quote_qty_raw)

    def cancel_order(self, currency_pair, order_id, client_id, int64_t timestamp_s):
        """Encode and sign ``DELETE /api/v4/spot/orders/{id}?currency_pair=...``.

        Parameters
        ----------
        currency_pair : bytes or str
        order_id : bytes, str or None
            Gate's order id (decimal digits), or empty/None.
        client_id : bytes, str or None
            The order's ``text`` (``t-...``), or empty/None.  Exactly one of the two.
        timestamp_s : int
            Seconds.

        Returns
        -------
        int
            0: a cancel has no body; the request is :attr:`method` + :attr:`target`.

        Raises
        ------
        EncodeError
        """
        return self._ref(currency_pair, order_id, client_id, 0, 0, ENDPOINT_CANCEL, False, timestamp_s)

    def amend_order(self, currency_pair, order_id, client_id, int64_t qty_raw, int64_t price_raw,
                    int64_t timestamp_s):
        """Encode and sign ``PATCH /api/v4/spot/orders/{id}?currency_pair=...``.

        Parameters
        ----------
        currency_pair : bytes or str
        order_id, client_id : bytes, str or None
            Exactly one: Gate's order id (digits) or the order's ``text``.
        qty_raw, price_raw : int
            New amount and/or price, fixed-point raw; 0 leaves it unchanged (not both 0).
            Lowering only the amount keeps queue priority; below the filled amount cancels.
        timestamp_s : int
            Seconds.

        Returns
        -------
        int
            Body length in :attr:`buffer`.

        Raises
        ------
        EncodeError
        """
        return self._ref(currency_pair, order_id, client_id, qty_raw, price_raw, ENDPOINT_AMEND, False, timestamp_s)

    def sign_request(self, method, path, query, body, int64_t timestamp_s):
        """Sign any APIv4 request (queries, cancel-all, ...): fills the same target/body/headers.

        Parameters
        ----------
        method : bytes or str
            Uppercase, e.g. ``"GET"``.
        path : bytes or str
            Starting with ``/api/v4/``; no ``?``.
        query : bytes, str or None
            The raw query string exactly as it will be sent (not re-encoded), or empty.
        body : bytes, str or None
            The exact body bytes, or empty.
        timestamp_s : int
            Seconds.

        Returns
        -------
        int
            Body length in :attr:`buffer`.

        Raises
        ------
        EncodeError
            Bad method, path or query characters, overflow, or a timestamp not in seconds.
        """
        cdef const char *m
        cdef const char *p
        cdef const char *q
        cdef const char *b
        cdef Py_ssize_t mn, pn, qn, bn
        _borrow_text(method, &m, &mn)
        _borrow_text(path, &p, &pn)
        _borrow_text(query, &q, &qn)
        _borrow_text(body, &b, &bn)
        cdef Py_ssize_t n = self.sign_request_c(m, <size_t>mn, p, <size_t>pn, q, <size_t>qn, b, <size_t>bn,
                                                timestamp_s)
        if n < 0:
            self._clear()
            detail = f"method={method!r} path={path!r} query={query!r} timestamp_s={timestamp_s}"
            if n == CODEC_E_TYPE:
                raise EncodeError(f"gate: method must be an uppercase HTTP method ({detail})", n)
            if n == CODEC_E_SYMBOL:
                raise EncodeError("gate: path must start with /api/v4/ and path and query hold only visible "
                                  f"ASCII, no '?' in the path and no '#' ({detail})", n)
            raise encode_error(<int>n, "gate", detail)
        return n

    def framed_request(self, int64_t exptime_ms):
        """The whole HTTP/1.1 request of the last call as one bytes object (rule 7).

        ``heads[endpoint]`` of :meth:`set_frame` (``b"POST "`` and any path prefix before
        ``/api/v4``), the target, ``tail`` (`` HTTP/1.1``, the fixed headers, ending with
        ``Timestamp: ``), the Timestamp value, ``SIGN``, ``X-Gate-Exptime`` and
        ``Content-Length`` headers, the blank line and the body.

        Parameters
        ----------
        exptime_ms : int
            ``X-Gate-Exptime``: the venue refuses the request once it arrives later (ms epoch).

        Raises
        ------
        ValueError
            No successful signed request since the last error, no frame for its endpoint,
            or a negative ``exptime_ms``.
        """
        return _framed(self, exptime_ms)

    def new_order_request(self, currency_pair, int side, int order_type, int tif, int64_t qty_raw,
                          int64_t price_raw, client_id, int64_t ts_ms, int64_t recv_window_ms):
        """:meth:`new_order` at venue time ``ts_ms`` (signed in seconds), then :meth:`framed_request` with
        ``X-Gate-Exptime`` = ``ts_ms + recv_window_ms``: the whole request in one call (the lean path's).

        Raises
        ------
        EncodeError
            Bad input (nothing is framed).
        ValueError
            No frame set for the endpoint, or a negative time.
        """
        _new_order(self, currency_pair, side, order_type, tif, qty_raw, price_raw, client_id, ts_ms // 1000, 0)
        return _framed(self, ts_ms + recv_window_ms)

    def cancel_request(self, currency_pair, order_id, client_id, int64_t ts_ms, int64_t recv_window_ms):
        """:meth:`cancel_order` at venue time ``ts_ms``, then :meth:`framed_request` (as
        :meth:`new_order_request`)."""
        self._ref(currency_pair, order_id, client_id, 0, 0, ENDPOINT_CANCEL, False, ts_ms // 1000)
        return _framed(self, ts_ms + recv_window_ms)

    cdef Py_ssize_t ws_ref_param_c(self, const char *pair, size_t pair_len, const char *order_id,
                                   size_t order_id_len, const char *text, size_t text_len, int64_t qty_raw,
                                   int64_t price_raw, int endpoint) noexcept nogil:
        """``{"order_id","currency_pair"[,"amount"][,"price"]}`` (rule 8): the body length or a status."""
        cdef wire_t w
        cdef int st = _check_ref(pair, pair_len, order_id, order_id_len, text, text_len, qty_raw, price_raw,
                                 endpoint)
        if st:
            return st
        wire_start(&w, self.buf, self.capacity)
        if order_id_len:
            _str_field(&w, b"order_id", order_id, order_id_len)
        else:
            _str_field(&w, b"order_id", text, text_len)
        _str_field(&w, b"currency_pair", pair, pair_len)
        _amend_fields(&w, qty_raw, price_raw)
        if w.overflow:
            return CODEC_E_OVERFLOW
        self.length = <Py_ssize_t>w.len
        self.target_length = 0              # no REST request to frame (framed_request refuses)
        self.path_length = 0
        self.endpoint = endpoint
        return self.length

    def ws_cancel_param(self, currency_pair, order_id, client_id):
        """``spot.order_cancel``'s ``req_param`` into the buffer (rule 8); exactly one of ``order_id``
        (digits) and ``client_id`` (the order's text).  Returns its length.

        Raises
        ------
        EncodeError
        """
        return self._ref(currency_pair, order_id, client_id, 0, 0, ENDPOINT_CANCEL, True, 0)

    def ws_amend_param(self, currency_pair, order_id, client_id, int64_t qty_raw, int64_t price_raw):
        """``spot.order_amend``'s ``req_param`` into the buffer (rule 8): the new amount and/or price (0
        leaves it; not both).  Returns its length.

        Raises
        ------
        EncodeError
        """
        return self._ref(currency_pair, order_id, client_id, qty_raw, price_raw, ENDPOINT_AMEND, True, 0)

    cdef Py_ssize_t _ref(self, currency_pair, order_id, client_id, int64_t qty_raw, int64_t price_raw,
                         int endpoint, bint ws, int64_t timestamp_s) except -1:
        """A cancel or amend by order reference: the signed REST request, or (``ws``) the order API's
        ``req_param``, from one borrowing and one error path."""
        cdef const char *s
        cdef const char *o
        cdef const char *c
        cdef Py_ssize_t sn, on, cn, n
        _borrow_text(currency_pair, &s, &sn)
        _borrow_text(order_id, &o, &on)
        _borrow_text(client_id, &c, &cn)
        if ws:
            n = self.ws_ref_param_c(s, <size_t>sn, o, <size_t>on, c, <size_t>cn, qty_raw, price_raw, endpoint)
        elif endpoint == ENDPOINT_CANCEL:
            n = self.cancel_order_c(s, <size_t>sn, o, <size_t>on, c, <size_t>cn, timestamp_s)
        else:
            n = self.amend_order_c(s, <size_t>sn, o, <size_t>on, c, <size_t>cn, qty_raw, price_raw, timestamp_s)
        if n < 0:
            self._clear()
            detail = f"currency_pair={currency_pair!r} order_id={order_id!r} client_id={client_id!r}"
            if endpoint == ENDPOINT_AMEND:
                detail += f" qty_raw={qty_raw} price_raw={price_raw}"
            if not ws:
                detail += f" timestamp_s={timestamp_s}"
            raise encode_error(<int>n, "gate spot order API" if ws else "gate spot", detail)
        return n

    def ws_frame(self, bytes channel not None, bytes req_id not None, int64_t ts_ms, int64_t exptime_ms):
        """The order API request of the buffer's ``req_param`` (the last create, :meth:`ws_cancel_param` or
        :meth:`ws_amend_param`), as one bytes object (rule 8).

        Parameters
        ----------
        channel : bytes
            ``spot.order_place``, ``spot.order_cancel``, ``spot.order_amend``, ...
        req_id : bytes
            The request id its answers carry back.
        ts_ms : int
            Venue time in ms (``time`` is its seconds).
        exptime_ms : int
            ``x-gate-exptime``: the venue refuses the request once it arrives later (ms epoch).

        Raises
        ------
        ValueError
            No successful call since the last error, a channel or id that is not 1-64 bytes of printable
            ASCII without ``"`` or ``\\``, or a negative time.
        """
        return self.ws_frame_c(PyBytes_AS_STRING(channel), PyBytes_GET_SIZE(channel), PyBytes_AS_STRING(req_id),
                               PyBytes_GET_SIZE(req_id), ts_ms, exptime_ms)

    cdef bytes ws_frame_c(self, const char *channel, Py_ssize_t cn, const char *req_id, Py_ssize_t rn,
                          int64_t ts_ms, int64_t exptime_ms):
        """:meth:`ws_frame` from C (channel and request id as pointers and lengths); same checks."""
        cdef bytes out
        cdef char *p
        cdef char t_digits[DIGITS_CAP]
        cdef char e_digits[DIGITS_CAP]
        cdef size_t tn, en
        cdef Py_ssize_t total
        if self.length <= 0:
            raise ValueError("ws_frame needs a successful create, cancel or amend parameter first")
        if ts_ms < 0 or exptime_ms < 0:
            raise ValueError(f"times must be >= 0, not ts_ms={ts_ms} exptime_ms={exptime_ms}")
        if not (0 < cn <= 64 and _visible_ok(channel, <size_t>cn, b'"\\')):
            raise ValueError("channel must be 1-64 printable ASCII bytes without quotes or backslashes: "
                             f"{channel[:cn]!r}")
        if not (0 < rn <= 64 and _visible_ok(req_id, <size_t>rn, b'"\\')):
            raise ValueError("req_id must be 1-64 printable ASCII bytes without quotes or backslashes: "
                             f"{req_id[:rn]!r}")
        tn = _decimal(t_digits, ts_ms // 1000)
        en = _decimal(e_digits, exptime_ms)
        total = (8 + <Py_ssize_t>tn + 12 + cn + 37 + rn + 34 + <Py_ssize_t>en + 15 + self.length + 2)
        out = PyBytes_FromStringAndSize(NULL, total)
        p = PyBytes_AS_STRING(out)
        p = _put(p, WS_TIME, 8)
        p = _put(p, t_digits, tn)
        p = _put(p, WS_CHANNEL, 12)
        p = _put(p, channel, <size_t>cn)
        p = _put(p, WS_REQ_ID, 37)
        p = _put(p, req_id, <size_t>rn)
        p = _put(p, WS_EXPTIME, 34)
        p = _put(p, e_digits, en)
        p = _put(p, WS_PARAM, 15)
        p = _put(p, self.buf, <size_t>self.length)
        _put(p, WS_END, 2)
        return out

    cdef void _clear(self) noexcept:
        self.length = 0
        self.target_length = 0
        self.path_length = 0


cdef Py_ssize_t _new_order(GateOrderEncoder enc, currency_pair, int side, int order_type, int tif, int64_t qty_raw,
                           int64_t price_raw, client_id, int64_t timestamp_s, int64_t quote_qty_raw) except -1:
    """:meth:`GateOrderEncoder.new_order` (one borrowing and one error path for it and new_order_request)."""
    cdef const char *s
    cdef const char *c
    cdef Py_ssize_t sn, cn
    _borrow_text(currency_pair, &s, &sn)
    _borrow_text(client_id, &c, &cn)
    cdef Py_ssize_t n = enc.new_order_c(s, <size_t>sn, side, order_type, tif, qty_raw, quote_qty_raw, price_raw, c,
                                        <size_t>cn, timestamp_s)
    if n < 0:
        enc._clear()
        detail = (f"currency_pair={currency_pair!r} side={side} type={order_type} tif={tif} qty_raw={qty_raw} "
                  f"quote_qty_raw={quote_qty_raw} price_raw={price_raw} client_id={client_id!r} "
                  f"timestamp_s={timestamp_s}")
        if n == CODEC_E_QTY and order_type == MARKET and side == BUY and qty_raw > 0:
            raise EncodeError("gate spot: a market BUY spends quote_qty_raw (its amount is in the quote "
                              f"currency); qty_raw must be 0 ({detail})", CODEC_E_QTY)
        raise encode_error(<int>n, "gate spot", detail)
    return n


cdef bytes _framed(GateOrderEncoder enc, int64_t exptime_ms):
    """:meth:`GateOrderEncoder.framed_request` (shared with new_order_request and cancel_request)."""
    cdef object head
    cdef bytes out
    cdef char *p
    cdef char exp_digits[DIGITS_CAP]
    cdef char len_digits[DIGITS_CAP]
    cdef size_t en, ln
    cdef Py_ssize_t hn, tn, total
    cdef size_t ts_n = enc.auth.timestamp_len
    if not enc.signs or enc.target_length <= 0:
        raise ValueError("framed_request needs a successful signed request first")
    if exptime_ms < 0:
        raise ValueError(f"exptime_ms must be >= 0, not {exptime_ms}")
    if enc._heads is None or enc.endpoint >= PyTuple_GET_SIZE(enc._heads):
        raise ValueError("no frame for this endpoint (set_frame first)")
    head = <object>PyTuple_GET_ITEM(enc._heads, enc.endpoint)
    if head is None:
        raise ValueError(f"no frame for endpoint {enc.endpoint}")
    en = _decimal(exp_digits, exptime_ms)
    ln = _decimal(len_digits, enc.length)
    hn = PyBytes_GET_SIZE(head)
    tn = PyBytes_GET_SIZE(enc._tail)
    total = (hn + enc.target_length + tn + <Py_ssize_t>ts_n + 8 + GATE_SIGN_HEX + 18 + <Py_ssize_t>en
             + 18 + <Py_ssize_t>ln + 4 + enc.length)
    out = PyBytes_FromStringAndSize(NULL, total)
    p = PyBytes_AS_STRING(out)
    p = _put(p, PyBytes_AS_STRING(head), <size_t>hn)
    p = _put(p, enc.target_buf, <size_t>enc.target_length)
    p = _put(p, PyBytes_AS_STRING(enc._tail), <size_t>tn)
    p = _put(p, enc.auth.timestamp, ts_n)
    p = _put(p, HDR_SIGN, 8)
    p = _put(p, enc.auth.sign, GATE_SIGN_HEX)
    p = _put(p, HDR_EXPTIME, 18)
    p = _put(p, exp_digits, en)
    p = _put(p, HDR_LENGTH, 18)
    p = _put(p, len_digits, ln)
    p = _put(p, HDR_END, 4)
    _put(p, enc.buf, <size_t>enc.length)
    return out


def repeat_new_order(GateOrderEncoder enc, bytes currency_pair, int side, int order_type, int tif,
                      int64_t qty_raw, int64_t price_raw, bytes client_id, int64_t timestamp_s,
                      Py_ssize_t iterations):
    """Call the C entry point ``new_order_c`` ``iterations`` times (bench/test hook); returns None."""
    cdef const char *s = PyBytes_AS_STRING(currency_pair)
    cdef size_t sn = <size_t>PyBytes_GET_SIZE(currency_pair)
    cdef const char *c = PyBytes_AS_STRING(client_id)
    cdef size_t cn = <size_t>PyBytes_GET_SIZE(client_id)
    cdef Py_ssize_t i, n = 0
    with nogil:
        for i in range(iterations):
            n = enc.new_order_c(s, sn, side, order_type, tif, qty_raw, 0, price_raw, c, cn, timestamp_s + i)
    if n < 0:
        raise encode_error(<int>n, "gate spot")
