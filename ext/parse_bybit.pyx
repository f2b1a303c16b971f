"""Bybit V5 hot-message parser: wire bytes straight into an ``ExecRecord``.

Reads:

1. private-stream pushes ``{"topic":"order"|"execution"|..., "creationTime", "data":[...]}``
   (also the categorised ``order.linear`` / ``execution.fast.spot`` ... topics):
   ``parse`` validates the whole message and records the envelope, then each
   ``next_record`` fills the record from the next ``data`` item;
2. order REST responses ``{"retCode","retMsg","result":{"orderId","orderLinkId"},
   "retExtInfo","time"}`` and WS-trade responses (``"data"`` object instead of
   ``"result"``): ``MSG_ORDER_RECEIVED``, or ``MSG_ERROR`` when retCode != 0.

Anything else well-formed (auth/subscribe/pong replies, position, wallet) is
``MSG_OTHER``.  Invariants:

1. ``parse`` checks the whole message is valid JSON before any record is read,
   so a truncated push never yields a partial batch; a record whose fields are
   unusable (wrong types, ids too long, bad decimals) raises ParseError from
   ``next_record`` and ends the batch.
2. Every byte read is preceded by a remaining-length check (jsonscan.h).
3. Bybit sends every number as a string, timestamps included; JSON numbers are
   accepted too.  ``avgPrice: ""`` and other empty decimals mean absent.
"""

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_CheckExact
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.string cimport memcmp
from libc.string cimport memset

from engine._enums cimport BOTH
from engine._enums cimport BUY
from engine._enums cimport CANCELLED
from engine._enums cimport EXEC_TRADE
from engine._enums cimport EXPIRED
from engine._enums cimport FILLED
from engine._enums cimport FOK
from engine._enums cimport GTC
from engine._enums cimport IOC
from engine._enums cimport LIMIT
from engine._enums cimport LONG
from engine._enums cimport MARKET
from engine._enums cimport NEW
from engine._enums cimport PARTIALLY_FILLED
from engine._enums cimport POST_ONLY
from engine._enums cimport REJECTED
from engine._enums cimport SELL
from engine._enums cimport SHORT
from engine._exec_record cimport CAT_INVERSE
from engine._exec_record cimport CAT_LINEAR
from engine._exec_record cimport CAT_OPTION
from engine._exec_record cimport CAT_SPOT
from engine._exec_record cimport EXEC_ASSET_CAP
from engine._exec_record cimport EXEC_ID_CAP
from engine._exec_record cimport EXEC_MSG_CAP
from engine._exec_record cimport EXEC_REASON_CAP
from engine._exec_record cimport EXEC_SYMBOL_CAP
from engine._exec_record cimport EXEC_VENUE_ID_CAP
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport F_AVG_PRICE
from engine._exec_record cimport F_CATEGORY
from engine._exec_record cimport F_CLIENT_ID
from engine._exec_record cimport F_COMMISSION
from engine._exec_record cimport F_COMMISSION_ASSET
from engine._exec_record cimport F_CUM_QTY
from engine._exec_record cimport F_CUM_QUOTE
from engine._exec_record cimport F_ERROR_CODE
from engine._exec_record cimport F_ERROR_MSG
from engine._exec_record cimport F_EVENT_TIME
from engine._exec_record cimport F_EXEC_ID
from engine._exec_record cimport F_EXEC_TYPE
from engine._exec_record cimport F_IS_MAKER
from engine._exec_record cimport F_LAST_PRICE
from engine._exec_record cimport F_LAST_QTY
from engine._exec_record cimport F_LAST_QUOTE
from engine._exec_record cimport F_LEAVES_QTY
from engine._exec_record cimport F_ORDER_STATE
from engine._exec_record cimport F_ORDER_TYPE
from engine._exec_record cimport F_POSITION_SIDE
from engine._exec_record cimport F_PRICE
from engine._exec_record cimport F_QTY
from engine._exec_record cimport F_REALIZED_PNL
from engine._exec_record cimport F_REDUCE_ONLY
from engine._exec_record cimport F_REJECT_REASON
from engine._exec_record cimport F_SIDE
from engine._exec_record cimport F_STOP_PRICE
from engine._exec_record cimport F_SYMBOL
from engine._exec_record cimport F_TIME_IN_FORCE
from engine._exec_record cimport F_TRANSACT_TIME
from engine._exec_record cimport F_VENUE_ORDER_ID
from engine._exec_record cimport MSG_TRADE
from engine._exec_record cimport MSG_ORDER_STATE
from engine._exec_record cimport MSG_ORDER_RECEIVED
from engine._exec_record cimport MSG_ERROR
from engine._exec_record cimport MSG_NONE
from engine._exec_record cimport MSG_OTHER
from engine._exec_record cimport REC_NOT_TRIGGERED
from engine._exec_record cimport REC_UNKNOWN_ENUM
from engine._exec_record cimport record_has
from engine._jsonscan cimport JS_E_NUMBER
from engine._jsonscan cimport JS_E_TYPE
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_enter
from engine._jsonscan cimport js_finish
from engine._jsonscan cimport js_key_is
from engine._jsonscan cimport js_next_elem
from engine._jsonscan cimport js_next_key
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_skip
from engine._jsonscan cimport js_span
from engine._jsonscan cimport js_decode_key
from engine._jsonscan_fields cimport RD_SCRATCH
from engine._jsonscan_fields cimport mark
from engine._jsonscan_fields cimport rd_bool
from engine._jsonscan_fields cimport rd_decimal
from engine._jsonscan_fields cimport rd_int
from engine._jsonscan_fields cimport rd_text
from engine._jsonscan_fields cimport rd_text8
from engine._jsonscan_fields cimport rd_text_span
from engine._parse_common cimport raise_parse_error
from engine._parse_common cimport record_to_dict


cdef enum:
    TOPIC_NONE = 0
    TOPIC_ORDER = 1
    TOPIC_EXECUTION = 2
    TOPIC_OTHER = 3
    KEY_SCRATCH = 32             # escaped keys decode here; longer ones match nothing we know
    EN_SIDE = 1
    EN_ORDER_TYPE = 2
    EN_TIF = 3
    EN_STATUS = 4
    EN_EXEC_TYPE = 5
    EN_CATEGORY = 6
    NOT_A_FILL = 100             # lookup result: known execType that is not an order fill


ctypedef struct ByCtx:
    int topic                    # TOPIC_*
    bint has_array               # "data" was an array (a push)
    const char *array_at         # where that array starts
    bint saw_ack                 # orderId / orderLinkId in result / data object
    bint saw_ret_code


cdef inline bint _is(const js_span *v, const char *word, size_t n) noexcept nogil:
    return v.n == n and memcmp(v.s, word, n) == 0


cdef inline int _lookup(const js_span *v, int which) noexcept nogil:
    """Bybit enum word -> engine enum value, -1 if unknown (bybit-v5.md s4)."""
    if which == EN_SIDE:
        if _is(v, b"Buy", 3):
            return BUY
        if _is(v, b"Sell", 4):
            return SELL
    elif which == EN_ORDER_TYPE:
        if _is(v, b"Limit", 5):
            return LIMIT
        if _is(v, b"Market", 6):
            return MARKET
    elif which == EN_TIF:
        if _is(v, b"GTC", 3):
            return GTC
        if _is(v, b"IOC", 3):
            return IOC
        if _is(v, b"FOK", 3):
            return FOK
        if _is(v, b"PostOnly", 8):
            return POST_ONLY
    elif which == EN_STATUS:
        if _is(v, b"New", 3) or _is(v, b"Untriggered", 11) or _is(v, b"Triggered", 9):
            return NEW               # Untriggered: conditional resting; Triggered: transient
        if _is(v, b"PartiallyFilled", 15):
            return PARTIALLY_FILLED
        if _is(v, b"Filled", 6):
            return FILLED
        if (_is(v, b"Cancelled", 9) or _is(v, b"PartiallyFilledCanceled", 23) or
                _is(v, b"Deactivated", 11)):
            return CANCELLED
        if _is(v, b"Rejected", 8):
            return REJECTED
    elif which == EN_EXEC_TYPE:
        if (_is(v, b"Trade", 5) or _is(v, b"AdlTrade", 8) or _is(v, b"BustTrade", 9) or
                _is(v, b"BlockTrade", 10) or _is(v, b"MovePosition", 12) or _is(v, b"FutureSpread", 12)):
            return EXEC_TRADE
        if (_is(v, b"Funding", 7) or _is(v, b"Settle", 6) or _is(v, b"Delivery", 8) or
                _is(v, b"CorporateAction", 15)):
            return NOT_A_FILL
    else:
        if _is(v, b"linear", 6):
            return CAT_LINEAR
        if _is(v, b"spot", 4):
            return CAT_SPOT
        if _is(v, b"inverse", 7):
            return CAT_INVERSE
        if _is(v, b"option", 6):
            return CAT_OPTION
    return -1


cdef int _rd_enum(js_cur *c, ExecRecord *r, int which) noexcept nogil:
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int value, bit
    cdef uint8_t *dst
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK or is_null:
        return st
    value = _lookup(&v, which)
    if which == EN_SIDE:
        dst = &r.side
        bit = F_SIDE
    elif which == EN_ORDER_TYPE:
        dst = &r.order_type
        bit = F_ORDER_TYPE
    elif which == EN_TIF:
        dst = &r.time_in_force
        bit = F_TIME_IN_FORCE
    elif which == EN_STATUS:
        dst = &r.order_state
        bit = F_ORDER_STATE
    elif which == EN_EXEC_TYPE:
        dst = &r.exec_type
        bit = F_EXEC_TYPE
        if value == NOT_A_FILL:
            value = 0                # funding / settlement: known, not an order fill
    else:
        dst = &r.category
        bit = F_CATEGORY
    if value < 0:
        r.flags |= REC_UNKNOWN_ENUM
        value = 0
    elif which == EN_STATUS and value == CANCELLED and _is(&v, b"Deactivated", 11):
        r.flags |= REC_NOT_TRIGGERED
    dst[0] = <uint8_t>value
    mark(r, bit)
    return JS_OK


cdef int _rd_position_idx(js_cur *c, ExecRecord *r) noexcept nogil:
    """positionIdx 0 one-way, 1 hedge Buy side, 2 hedge Sell side."""
    cdef int64_t idx = -1
    cdef int st = rd_int(c, r, &idx, F_POSITION_SIDE)
    if st != JS_OK or not record_has(r, F_POSITION_SIDE):
        return st
    if idx == 0:
        r.position_side = BOTH
    elif idx == 1:
        r.position_side = LONG
    elif idx == 2:
        r.position_side = SHORT
    else:
        r.position_side = 0
        r.flags |= REC_UNKNOWN_ENUM
    return JS_OK


cdef int _item_member(js_cur *c, ExecRecord *r, const js_span *k) noexcept nogil:
    """One member of an `order` or `execution` data item (their key sets do not clash)."""
    cdef size_t n = k.n
    if n == 3:
        if js_key_is(k, b"qty", 3):
            return rd_decimal(c, r, &r.qty_raw, F_QTY)
    elif n == 4:
        if js_key_is(k, b"side", 4):
            return _rd_enum(c, r, EN_SIDE)
    elif n == 5:
        if js_key_is(k, b"price", 5):
            return rd_decimal(c, r, &r.price_raw, F_PRICE)
    elif n == 6:
        if js_key_is(k, b"symbol", 6):
            return rd_text8(c, r, r.symbol, EXEC_SYMBOL_CAP, &r.symbol_len, F_SYMBOL, False)
        if js_key_is(k, b"execId", 6):
            return rd_text8(c, r, r.exec_id, EXEC_VENUE_ID_CAP, &r.exec_id_len, F_EXEC_ID, False)
    elif n == 7:
        if js_key_is(k, b"orderId", 7):
            return rd_text8(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len,
                            F_VENUE_ORDER_ID, False)
        if js_key_is(k, b"execFee", 7):
            return rd_decimal(c, r, &r.commission_raw, F_COMMISSION)
        if js_key_is(k, b"execQty", 7):
            return rd_decimal(c, r, &r.last_qty_raw, F_LAST_QTY)
        if js_key_is(k, b"execPnl", 7):
            return rd_decimal(c, r, &r.realized_pnl_raw, F_REALIZED_PNL)
        if js_key_is(k, b"isMaker", 7):
            return rd_bool(c, r, &r.is_maker, F_IS_MAKER)
    elif n == 8:
        if js_key_is(k, b"category", 8):
            return _rd_enum(c, r, EN_CATEGORY)
        if js_key_is(k, b"avgPrice", 8):
            return rd_decimal(c, r, &r.avg_price_raw, F_AVG_PRICE)
        if js_key_is(k, b"orderQty", 8):
            return rd_decimal(c, r, &r.qty_raw, F_QTY)
        if js_key_is(k, b"execType", 8):
            return _rd_enum(c, r, EN_EXEC_TYPE)
        if js_key_is(k, b"execTime", 8):
            return rd_int(c, r, &r.ts_transact_ms, F_TRANSACT_TIME)
    elif n == 9:
        if js_key_is(k, b"orderType", 9):
            return _rd_enum(c, r, EN_ORDER_TYPE)
        if js_key_is(k, b"leavesQty", 9):
            return rd_decimal(c, r, &r.leaves_qty_raw, F_LEAVES_QTY)
        if js_key_is(k, b"execPrice", 9):
            return rd_decimal(c, r, &r.last_price_raw, F_LAST_PRICE)
        if js_key_is(k, b"execValue", 9):
            return rd_decimal(c, r, &r.last_quote_raw, F_LAST_QUOTE)
        if js_key_is(k, b"closedPnl", 9):
            return rd_decimal(c, r, &r.realized_pnl_raw, F_REALIZED_PNL)
    elif n == 10:
        if js_key_is(k, b"cumExecQty", 10):
            return rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
        if js_key_is(k, b"cumExecFee", 10):
            return rd_decimal(c, r, &r.commission_raw, F_COMMISSION)
        if js_key_is(k, b"orderPrice", 10):
            return rd_decimal(c, r, &r.price_raw, F_PRICE)
        if js_key_is(k, b"reduceOnly", 10):
            return rd_bool(c, r, &r.reduce_only, F_REDUCE_ONLY)
    elif n == 11:
        if js_key_is(k, b"orderLinkId", 11):
            return rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, False)
        if js_key_is(k, b"orderStatus", 11):
            return _rd_enum(c, r, EN_STATUS)
        if js_key_is(k, b"timeInForce", 11):
            return _rd_enum(c, r, EN_TIF)
        if js_key_is(k, b"positionIdx", 11):
            return _rd_position_idx(c, r)
        if js_key_is(k, b"feeCurrency", 11):
            return rd_text8(c, r, r.commission_asset, EXEC_ASSET_CAP, &r.commission_asset_len,
                            F_COMMISSION_ASSET, False)
        if js_key_is(k, b"updatedTime", 11):
            return rd_int(c, r, &r.ts_transact_ms, F_TRANSACT_TIME)
    elif n == 12:
        if js_key_is(k, b"cumExecValue", 12):
            return rd_decimal(c, r, &r.cum_quote_raw, F_CUM_QUOTE)
        if js_key_is(k, b"rejectReason", 12):
            return rd_text8(c, r, r.reject_reason, EXEC_REASON_CAP, &r.reject_reason_len, F_REJECT_REASON, True)
        if js_key_is(k, b"triggerPrice", 12):
            return rd_decimal(c, r, &r.stop_price_raw, F_STOP_PRICE)
    return js_skip(c)




cdef inline void _venue_expiry(ExecRecord *r) noexcept nogil:
    """Bybit reports an IOC/FOK order (market orders are IOC there) that the book could not fill, or only
    partly, as "Cancelled"/"PartiallyFilledCanceled"; nobody can cancel such an order, so it is what
    Binance calls it: EXPIRED (one outcome, one state and one event on every venue).  A conditional order
    (a trigger price) keeps CANCELLED: cancelling it before it triggers is the user's or the venue's doing."""
    if (r.order_state == CANCELLED and not (r.flags & REC_NOT_TRIGGERED) and r.stop_price_raw == 0
            and (r.time_in_force == IOC or r.time_in_force == FOK)):
        r.order_state = EXPIRED


cdef int _item(js_cur *c, ExecRecord *r) noexcept nogil:
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            if st == 0:
                _venue_expiry(r)
            return st
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        st = _item_member(c, r, &k)
        if st != JS_OK:
            return st


cdef int _ack(js_cur *c, ExecRecord *r, ByCtx *x) noexcept nogil:
    """`result` (REST) or `data` (WS trade) object: orderId and orderLinkId."""
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            return st
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        if js_key_is(&k, b"orderId", 7):
            x.saw_ack = True
            st = rd_text8(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len,
                          F_VENUE_ORDER_ID, False)
        elif js_key_is(&k, b"orderLinkId", 11):
            x.saw_ack = True
            st = rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, False)
        else:
            st = js_skip(c)
        if st != JS_OK:
            return st


cdef int _rd_topic(js_cur *c, ByCtx *x) noexcept nogil:
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK:
        return st
    x.topic = TOPIC_OTHER
    if is_null:
        return JS_OK
    # "order", "order.<category>"; "execution", "execution.fast", "execution.<category>", ...
    if v.n >= 5 and memcmp(v.s, b"order", 5) == 0 and (v.n == 5 or v.s[5] == b'.'):
        x.topic = TOPIC_ORDER
    elif v.n >= 9 and memcmp(v.s, b"execution", 9) == 0 and (v.n == 9 or v.s[9] == b'.'):
        x.topic = TOPIC_EXECUTION
    return JS_OK


cdef int _envelope(js_cur *c, ExecRecord *r, ByCtx *x) noexcept nogil:
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int64_t code = 0
    cdef size_t n = 0
    cdef int st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st < 0:
            return st
        if st == 0:
            return js_finish(c)
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        if js_key_is(&k, b"topic", 5):
            st = _rd_topic(c, x)
        elif js_key_is(&k, b"data", 4):
            if js_peek(c) == b'[':
                x.has_array = True
                x.array_at = c.p
                st = js_skip(c)
            elif js_peek(c) == b'{':
                st = _ack(c, r, x)
            else:
                st = js_skip(c)
        elif js_key_is(&k, b"result", 6) and js_peek(c) == b'{':
            st = _ack(c, r, x)
        elif js_key_is(&k, b"creationTime", 12) or js_key_is(&k, b"time", 4):
            st = rd_int(c, r, &r.ts_event_ms, F_EVENT_TIME)
        elif js_key_is(&k, b"retCode", 7):
            st = rd_int(c, r, &code, F_ERROR_CODE)
            if st == JS_OK and record_has(r, F_ERROR_CODE):
                if code < -2147483648 or code > 2147483647:
                    return JS_E_NUMBER
                r.error_code = <int>code
                x.saw_ret_code = True
        elif js_key_is(&k, b"retMsg", 6):
            st = rd_text(c, r, r.error_msg, EXEC_MSG_CAP, &n, F_ERROR_MSG, True)
            r.error_msg_len = <unsigned short>n
        else:
            st = js_skip(c)
        if st != JS_OK:
            return st


cdef class BybitParser(RecordParser):
    """Parse Bybit V5 order messages into one reusable record, allocation-free.

    Usage: ``kind = p.parse(data)``; for ``ORDER_STATE`` / ``TRADE``
    call ``p.next_record()`` until it returns False, applying the record after
    each True.  Acks and errors are complete after ``parse``.

    .. DANGER::
        The parser borrows the message: Cython callers of ``parse_c`` must keep
        the buffer alive and unchanged until ``next_record_c`` returns 0 (the
        Python ``parse`` keeps a reference itself).  One parser per connection.
    """

    def __cinit__(self):
        memset(&self.rec, 0, sizeof(ExecRecord))
        self._pending = False
        self._data = None

    cdef int _fail(self, int status, const char *at) except -1:
        self.rec.kind = MSG_NONE
        self.rec.present = 0
        self._pending = False
        self._data = None
        self.error_offset = at - self._base
        raise_parse_error(status, at - self._base, self._size)

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1:
        """Validate buf[0:size] and read its envelope; return the MsgKind or raise ParseError."""
        cdef js_cur c
        cdef ByCtx x
        cdef int st
        memset(&self.rec, 0, sizeof(ExecRecord))
        memset(&x, 0, sizeof(ByCtx))
        self._base = buf
        self._size = size
        self._pending = False
        c.p = buf
        c.end = buf + size
        st = _envelope(&c, &self.rec, &x)
        if st != JS_OK:
            return self._fail(st, c.p)
        self.error_offset = -1
        if x.saw_ret_code and self.rec.error_code != 0:
            self.rec.kind = MSG_ERROR
        elif x.has_array and x.topic == TOPIC_ORDER:
            self.rec.kind = MSG_ORDER_STATE
        elif x.has_array and x.topic == TOPIC_EXECUTION:
            self.rec.kind = MSG_TRADE
        elif x.saw_ack:
            self.rec.kind = MSG_ORDER_RECEIVED
        else:
            self.rec.kind = MSG_OTHER
        if self.rec.kind == MSG_ORDER_STATE or self.rec.kind == MSG_TRADE:
            self._rc.p = x.array_at + 1          # past '[' (validated by js_skip above)
            self._rc.end = buf + size
            self._first = 1
            self._pending = True
        return self.rec.kind

    cdef int next_record_c(self) except -1:
        """Fill the record from the next data item: 1, or 0 when the batch is done."""
        cdef int st
        cdef uint8_t kind = self.rec.kind
        cdef int64_t ts_event = self.rec.ts_event_ms
        cdef bint has_event = record_has(&self.rec, F_EVENT_TIME)
        if not self._pending:
            return 0
        st = js_next_elem(&self._rc, &self._first)
        if st == 0:
            self._pending = False
            self._data = None
            return 0
        if st < 0:
            return self._fail(st, self._rc.p)
        memset(&self.rec, 0, sizeof(ExecRecord))
        self.rec.kind = kind
        if has_event:
            self.rec.ts_event_ms = ts_event
            mark(&self.rec, F_EVENT_TIME)
        st = _item(&self._rc, &self.rec)
        if st != JS_OK:
            return self._fail(st, self._rc.p)
        return 1

    def parse(self, data):
        """Parse one message (validating all of it) and read its envelope.

        Parameters
        ----------
        data : bytes or bytes-like
            One complete JSON message (non-bytes inputs are copied once).

        Returns
        -------
        int
            The :class:`~engine._parse_common.MessageKind` value.

        Raises
        ------
        ParseError
            Malformed, truncated or unexpected input; the record is then empty.
        """
        if not PyBytes_CheckExact(data):
            data = bytes(data)
        self._data = data
        return self.parse_c(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))

    def next_record(self):
        """Fill the record from the next ``data`` item of an order/execution push.

        Returns
        -------
        bool
            True when one more record was filled, False when the batch is done.

        Raises
        ------
        ParseError
            The item is unusable; the batch ends there.
        """
        return self.next_record_c() == 1

    @property
    def records_pending(self):
        """Whether next_record may fill another record."""
        return self._pending

