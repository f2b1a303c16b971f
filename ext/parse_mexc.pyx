"""MEXC spot REST answer parser: the order path's answers straight into an ``ExecRecord``.

Reads the JSON answers of ``POST /api/v3/order`` and ``DELETE /api/v3/order``
(shared/venues/mexc-spot.md §4):

1. the new-order answer ``{symbol, orderId, orderListId, price, origQty, type, side,
   stpMode, transactTime}`` (no status; no client id as a rule) and the cancel answer
   ``{symbol, origClientOrderId, orderId, clientOrderId, price, origQty, executedQty,
   cummulativeQuoteQty, status, timeInForce, type, side}``: ``MSG_ORDER_RECEIVED``, the
   venue's receipt.  Neither states the order's fate (the cancel's ``status`` is the
   state *before* the cancel, as the venue answers): it comes on the private stream, so
   ``status`` is not read;
2. errors ``{"code": <int or digit string>, "msg": ...}``: ``MSG_ERROR`` (``code`` 0 or
   200 is not an error: the venue's success envelope);
3. anything else well-formed: ``MSG_OTHER``.

A new-order answer names no client id, so it is paired with its request by position on
the connection; :meth:`MexcParser.pair` checks what it does name (symbol, side,
quantity) against the request and then records the request's client id, so the applier
finds the order.  ``orderId`` is an opaque string (``C02__...``); a JSON number is read
as its digits.  One pass, any key order, unknown members skipped; nothing Python is
created per message.
"""

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_CheckExact
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.string cimport memcmp
from libc.string cimport memcpy
from libc.string cimport memset

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
from engine._exec_record cimport EXEC_ID_CAP
from engine._exec_record cimport EXEC_MSG_CAP
from engine._exec_record cimport EXEC_SYMBOL_CAP
from engine._exec_record cimport EXEC_VENUE_ID_CAP
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport F_CLIENT_ID
from engine._exec_record cimport F_CUM_QTY
from engine._exec_record cimport F_CUM_QUOTE
from engine._exec_record cimport F_ERROR_CODE
from engine._exec_record cimport F_ERROR_MSG
from engine._exec_record cimport F_ORDER_TYPE
from engine._exec_record cimport F_ORIG_CLIENT_ID
from engine._exec_record cimport F_PRICE
from engine._exec_record cimport F_QTY
from engine._exec_record cimport F_SIDE
from engine._exec_record cimport F_SYMBOL
from engine._exec_record cimport F_TIME_IN_FORCE
from engine._exec_record cimport F_TRANSACT_TIME
from engine._exec_record cimport F_VENUE_ORDER_ID
from engine._exec_record cimport MSG_ERROR
from engine._exec_record cimport MSG_ORDER_RECEIVED
from engine._exec_record cimport MSG_NONE
from engine._exec_record cimport MSG_OTHER
from engine._exec_record cimport REC_UNKNOWN_ENUM
from engine._exec_record cimport record_has
from engine._jsonscan cimport JS_E_NUMBER
from engine._jsonscan cimport JS_E_TOOLONG
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_decode_key
from engine._jsonscan cimport js_enter
from engine._jsonscan cimport js_finish
from engine._jsonscan cimport js_key_is
from engine._jsonscan cimport js_next_key
from engine._jsonscan cimport js_number
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_skip
from engine._jsonscan cimport js_span
from engine._jsonscan_fields cimport RD_SCRATCH
from engine._jsonscan_fields cimport mark
from engine._jsonscan_fields cimport rd_decimal
from engine._jsonscan_fields cimport rd_int
from engine._jsonscan_fields cimport rd_text
from engine._jsonscan_fields cimport rd_text8
from engine._jsonscan_fields cimport rd_text_span
from engine._parse_common cimport raise_parse_error


cdef enum:
    KEY_SCRATCH = 32             # escaped keys decode here; longer ones match nothing we know


ctypedef struct AnswerCtx:
    bint saw_code
    int64_t code


cdef inline bint _is(const js_span *v, const char *word, size_t n) noexcept nogil:
    return v.n == n and memcmp(v.s, word, n) == 0


cdef int _rd_side(js_cur *c, ExecRecord *r) noexcept nogil:
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK or is_null:
        return st
    if _is(&v, b"BUY", 3):
        r.side = BUY
    elif _is(&v, b"SELL", 4):
        r.side = SELL
    else:
        r.side = 0
        r.flags |= REC_UNKNOWN_ENUM
    mark(r, F_SIDE)
    return JS_OK


cdef int _rd_type(js_cur *c, ExecRecord *r) noexcept nogil:
    """Order types (§4): time in force is part of the type on MEXC spot."""
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK or is_null:
        return st
    r.time_in_force = TIF_NONE
    if _is(&v, b"LIMIT", 5):
        r.order_type = LIMIT
        r.time_in_force = GTC
    elif _is(&v, b"MARKET", 6):
        r.order_type = MARKET
    elif _is(&v, b"LIMIT_MAKER", 11):
        r.order_type = LIMIT_MAKER
        r.time_in_force = POST_ONLY
    elif _is(&v, b"IMMEDIATE_OR_CANCEL", 19):
        r.order_type = LIMIT
        r.time_in_force = IOC
    elif _is(&v, b"FILL_OR_KILL", 12):
        r.order_type = LIMIT
        r.time_in_force = FOK
    else:
        r.order_type = 0
        r.flags |= REC_UNKNOWN_ENUM
    mark(r, F_ORDER_TYPE)
    mark(r, F_TIME_IN_FORCE)
    return JS_OK


cdef int _rd_order_id(js_cur *c, ExecRecord *r) noexcept nogil:
    """``orderId``: a string (MEXC), or the digits of a number (the docs' Binance-era examples)."""
    cdef js_span v
    cdef int ch = js_peek(c)
    cdef int st
    if ch == b'-' or (b'0' <= ch <= b'9'):
        st = js_number(c, &v)
        if st != JS_OK:
            return st
        if v.n > EXEC_VENUE_ID_CAP:
            return JS_E_TOOLONG
        memcpy(r.venue_order_id, v.s, v.n)
        r.venue_order_id_len = <uint8_t>v.n
        mark(r, F_VENUE_ORDER_ID)
        return JS_OK
    return rd_text8(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID, False)


cdef int _member(js_cur *c, ExecRecord *r, const js_span *k, AnswerCtx *x) noexcept nogil:
    cdef size_t n = 0
    cdef int st
    if js_key_is(k, b"code", 4):
        st = rd_int(c, r, &x.code, F_ERROR_CODE)
        if st == JS_OK and record_has(r, F_ERROR_CODE):
            if x.code < -2147483648 or x.code > 2147483647:
                return JS_E_NUMBER
            x.saw_code = True
            r.error_code = <int>x.code
        return st
    if js_key_is(k, b"msg", 3):
        st = rd_text(c, r, r.error_msg, EXEC_MSG_CAP, &n, F_ERROR_MSG, True)
        r.error_msg_len = <unsigned short>n
        return st
    if js_key_is(k, b"symbol", 6):
        return rd_text8(c, r, r.symbol, EXEC_SYMBOL_CAP, &r.symbol_len, F_SYMBOL, False)
    if js_key_is(k, b"orderId", 7):
        return _rd_order_id(c, r)
    if js_key_is(k, b"clientOrderId", 13):
        return rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, False)
    if js_key_is(k, b"origClientOrderId", 17):
        return rd_text8(c, r, r.orig_client_id, EXEC_ID_CAP, &r.orig_client_id_len, F_ORIG_CLIENT_ID, False)
    if js_key_is(k, b"price", 5):
        return rd_decimal(c, r, &r.price_raw, F_PRICE)
    if js_key_is(k, b"origQty", 7):
        return rd_decimal(c, r, &r.qty_raw, F_QTY)
    if js_key_is(k, b"executedQty", 11):
        return rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
    if js_key_is(k, b"cummulativeQuoteQty", 19):
        return rd_decimal(c, r, &r.cum_quote_raw, F_CUM_QUOTE)
    if js_key_is(k, b"side", 4):
        return _rd_side(c, r)
    if js_key_is(k, b"type", 4):
        return _rd_type(c, r)
    if js_key_is(k, b"transactTime", 12):
        return rd_int(c, r, &r.ts_transact_ms, F_TRANSACT_TIME)
    return js_skip(c)


cdef int _answer(js_cur *c, ExecRecord *r, AnswerCtx *x) noexcept nogil:
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int st
    if js_peek(c) != b'{':
        st = js_skip(c)                  # an array or a scalar: well-formed, not an order answer
        return js_finish(c) if st == JS_OK else st
    st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st < 0:
            return st
        if st == 0:
            return js_finish(c)
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        st = _member(c, r, &k, x)
        if st != JS_OK:
            return st


cdef class MexcParser(RecordParser):
    """Parse MEXC order answers (REST) into one reusable record, allocation-free."""

    def __cinit__(self):
        memset(&self.rec, 0, sizeof(ExecRecord))

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1:
        """Read buf[0:size]; return the MsgKind or raise ParseError (the record is then empty)."""
        cdef js_cur c
        cdef AnswerCtx x
        cdef int st
        memset(&self.rec, 0, sizeof(ExecRecord))
        x.saw_code = False
        x.code = 0
        c.p = buf
        c.end = buf + size
        self._records_left = 0
        st = _answer(&c, &self.rec, &x)
        if st != JS_OK:
            memset(&self.rec, 0, sizeof(ExecRecord))
            self.rec.kind = MSG_NONE
            self.error_offset = c.p - buf
            raise_parse_error(st, c.p - buf, size)
        self.error_offset = -1
        if x.saw_code and x.code != 0 and x.code != 200:
            self.rec.kind = MSG_ERROR
        elif record_has(&self.rec, F_VENUE_ORDER_ID):
            self.rec.kind = MSG_ORDER_RECEIVED
            self._records_left = 1
        else:
            self.rec.kind = MSG_OTHER
        return self.rec.kind

    cdef bint pair_c(self, const char *cid, Py_ssize_t cid_n, const char *symbol, Py_ssize_t symbol_n, int side,
                     int64_t qty_raw) noexcept:
        cdef ExecRecord *r = &self.rec
        cdef bint named = (record_has(r, F_CLIENT_ID) and r.client_id_len > 0) or (
            record_has(r, F_ORIG_CLIENT_ID) and r.orig_client_id_len > 0)
        if r.kind != MSG_ORDER_RECEIVED or cid_n <= 0 or cid_n > EXEC_ID_CAP:
            return False
        if named:
            return ((record_has(r, F_ORIG_CLIENT_ID) and r.orig_client_id_len == cid_n
                     and memcmp(r.orig_client_id, cid, <size_t>cid_n) == 0)
                    or (record_has(r, F_CLIENT_ID) and r.client_id_len == cid_n
                        and memcmp(r.client_id, cid, <size_t>cid_n) == 0))
        if not (record_has(r, F_SYMBOL) and r.symbol_len == symbol_n
                and memcmp(r.symbol, symbol, <size_t>symbol_n) == 0):
            return False
        if side and record_has(r, F_SIDE) and r.side != side:
            return False
        if qty_raw and record_has(r, F_QTY) and r.qty_raw != qty_raw:
            return False
        memcpy(r.client_id, cid, <size_t>cid_n)
        r.client_id_len = <uint8_t>cid_n
        mark(r, F_CLIENT_ID)
        return True

    def parse(self, data):
        """Parse one answer body.

        Parameters
        ----------
        data : bytes or bytes-like
            One complete JSON answer (non-bytes inputs are copied once).

        Returns
        -------
        int
            The :class:`~engine._parse_common.MessageKind` value.

        Raises
        ------
        ParseError
            Malformed or truncated input; the record is then empty.
        """
        if not PyBytes_CheckExact(data):
            data = bytes(data)
        return self.parse_c(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))

    def pair(self, bytes client_id not None, bytes symbol not None, int side=0, int64_t qty_raw=0):
        """Whether the answer held can be the one to the request for ``client_id``, and then name it.

        An answer that names a client id (a cancel's ``origClientOrderId``) must name this one.
        One that names none (a new-order answer) must name the request's ``symbol``, and its
        ``side`` and ``qty_raw`` when given (0: not checked); the request's client id is then
        written into the record (``client_id``).  False leaves the record as it was.
        Allocates nothing.
        """
        return self.pair_c(client_id, len(client_id), symbol, len(symbol), side, qty_raw)

    def receipt(self, data, bytes client_id not None, bytes symbol not None, int side=0, int64_t qty_raw=0):
        """:meth:`parse` then, for an order receipt, :meth:`pair`, in one call (the lean order path's read).

        Returns the :class:`~engine._parse_common.MessageKind` value, or -1 for a receipt that cannot be
        the request's (nothing written into the record).  Raises ``ParseError`` as :meth:`parse` does.
        """
        cdef int kind
        if not PyBytes_CheckExact(data):
            data = bytes(data)
        kind = self.parse_c(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        if kind == MSG_ORDER_RECEIVED and not self.pair_c(client_id, len(client_id), symbol, len(symbol), side,
                                                          qty_raw):
            return -1
        return kind
