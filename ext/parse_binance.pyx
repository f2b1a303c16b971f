"""Binance hot-message parser: wire bytes straight into an ``ExecRecord``.

Owns one preallocated ``ExecRecord`` per parser object and fills it from:

1. spot ``executionReport`` events, bare or wrapped as the WS-API user-data
   subscription sends them (``{"subscriptionId":N,"event":{...}}``);
2. USD-M ``ORDER_TRADE_UPDATE`` and ``ALGO_UPDATE`` events (``{"e",..,"o":{...}}``);
3. order REST responses (ACK, RESULT, FULL with ``fills``, cancel, futures
   new/cancel/query), also inside a WS-API ``{"id","status","result"}`` reply;
4. errors: ``{"code":-2010,"msg":"..."}`` bare or as a WS-API ``"error"``.

Any other well-formed message (balances, listStatus, ...) gives ``MSG_OTHER``.
One pass over the bytes, member by member, any key order; unknown members are
skipped (nested ones too).  Nothing Python is created on the way: ``parse``
returns the message kind as a small int.  Invariants:

1. The record is reset at the start of every parse; after a ParseError its kind
   is ``MSG_NONE`` and ``present`` is 0, so a half-read message is never applied.
2. Every byte read is preceded by a remaining-length check (jsonscan.h).
3. Recursion is bounded: only the known containers (``event``, ``result``,
   ``error``, ``o``, ``fills``) are entered, at fixed depths; all else is skipped
   iteratively.
"""

cimport cython
from cpython.buffer cimport PyBUF_SIMPLE
from cpython.buffer cimport PyBuffer_Release
from cpython.buffer cimport PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_CheckExact
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.stdint cimport uint64_t
from libc.string cimport memcmp
from libc.string cimport memcpy
from libc.string cimport memset

from engine._enums cimport BOTH
from engine._enums cimport BUY
from engine._enums cimport CANCELLED
from engine._enums cimport EXEC_AMENDMENT
from engine._enums cimport EXEC_CANCELED
from engine._enums cimport EXEC_EXPIRED
from engine._enums cimport EXEC_NEW
from engine._enums cimport EXEC_REJECTED
from engine._enums cimport EXEC_REPLACED
from engine._enums cimport EXEC_TRADE
from engine._enums cimport EXEC_TRIGGERED
from engine._enums cimport EXPIRED
from engine._enums cimport FILLED
from engine._enums cimport FOK
from engine._enums cimport GTC
from engine._enums cimport IOC
from engine._enums cimport LIMIT
from engine._enums cimport LIMIT_MAKER
from engine._enums cimport LONG
from engine._enums cimport MARKET
from engine._enums cimport NEW
from engine._enums cimport PARTIALLY_FILLED
from engine._enums cimport PENDING
from engine._enums cimport POST_ONLY
from engine._enums cimport REJECTED
from engine._enums cimport SELL
from engine._enums cimport SHORT
from engine._enums cimport STOP_LOSS
from engine._enums cimport STOP_LOSS_LIMIT
from engine._enums cimport TAKE_PROFIT
from engine._enums cimport TAKE_PROFIT_LIMIT
from engine._enums cimport TRAILING_STOP
from engine._exec_record cimport EXEC_ASSET_CAP
from engine._exec_record cimport EXEC_ID_CAP
from engine._exec_record cimport EXEC_MSG_CAP
from engine._exec_record cimport EXEC_REASON_CAP
from engine._exec_record cimport EXEC_SYMBOL_CAP
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport F_AVG_PRICE
from engine._exec_record cimport F_COMMISSION
from engine._exec_record cimport F_COMMISSION_ASSET
from engine._exec_record cimport F_CUM_QTY
from engine._exec_record cimport F_CUM_QUOTE
from engine._exec_record cimport F_ERROR_CODE
from engine._exec_record cimport F_ERROR_MSG
from engine._exec_record cimport F_EVENT_TIME
from engine._exec_record cimport F_EXEC_TYPE
from engine._exec_record cimport F_FILLS
from engine._exec_record cimport F_IS_MAKER
from engine._exec_record cimport F_LAST_PRICE
from engine._exec_record cimport F_LAST_QTY
from engine._exec_record cimport F_LAST_QUOTE
from engine._exec_record cimport F_LINKED_ORDER_ID
from engine._exec_record cimport F_ORDER_ID
from engine._exec_record cimport F_ORDER_STATE
from engine._exec_record cimport F_ORDER_TYPE
from engine._exec_record cimport F_ORIG_CLIENT_ID
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
from engine._exec_record cimport F_TRADE_ID
from engine._exec_record cimport F_TRANSACT_TIME
from engine._exec_record cimport F_CLIENT_ID
from engine._exec_record cimport MSG_ALGO_UPDATE
from engine._exec_record cimport MSG_ERROR
from engine._exec_record cimport MSG_EXECUTION_REPORT
from engine._exec_record cimport MSG_NONE
from engine._exec_record cimport MSG_ORDER_RESPONSE
from engine._exec_record cimport MSG_ORDER_TRADE_UPDATE
from engine._exec_record cimport MSG_OTHER
from engine._exec_record cimport REC_MIXED_ASSETS
from engine._exec_record cimport REC_UNKNOWN_ENUM
from engine._exec_record cimport record_has
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport fp_add
from engine._jsonscan cimport JS_E_DECIMAL
from engine._jsonscan cimport JS_E_NUMBER
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_enter
from engine._jsonscan cimport js_finish
from engine._jsonscan cimport js_key_is
from engine._jsonscan cimport js_m1_decimal
from engine._jsonscan cimport js_m1_int
from engine._jsonscan cimport js_m1_literal
from engine._jsonscan cimport js_m1_skip
from engine._jsonscan cimport js_m1_text
from engine._jsonscan cimport js_m1_word
from engine._jsonscan cimport js_p_int
from engine._jsonscan cimport js_next_elem
from engine._jsonscan cimport js_next_key
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_skip
from engine._jsonscan cimport js_span
from engine._jsonscan cimport js_unescape
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


cdef inline uint64_t _bit(int field) noexcept nogil:
    """The presence bit of a FieldBit."""
    return (<uint64_t>1) << field


cdef enum:
    EV_NONE = 0                  # no "e" member seen
    EV_EXECUTION_REPORT = 1
    EV_ORDER_TRADE_UPDATE = 2
    EV_ALGO_UPDATE = 3
    EV_OTHER = 4
    KEY_SCRATCH = 32             # escaped keys decode here; longer ones match nothing we know


ctypedef struct BnCtx:
    int event                    # EV_*
    bint futures
    bint saw_order_field         # a REST order member (orderId, clientOrderId, ...) was read
    bint saw_error               # a code/msg member was read
    bint algo_triggered          # ALGO_UPDATE X == TRIGGERED
    bint algo_finished           # ALGO_UPDATE X == FINISHED
    bint in_order_obj            # inside a futures "o" object (its T is the trade time)
    bint has_outer_t
    int64_t outer_t              # envelope T, used when the order object has none


# ---------------------------------------------------------------- enum tables

cdef inline bint _is(const js_span *v, const char *word, size_t n) noexcept nogil:
    return js_key_is(v, word, n)


cdef inline int _side(const js_span *v) noexcept nogil:
    if _is(v, b"BUY", 3):
        return BUY
    if _is(v, b"SELL", 4):
        return SELL
    return -1


cdef inline int _order_type(const js_span *v, bint futures) noexcept nogil:
    # Spot TAKE_PROFIT executes as MARKET; USD-M TAKE_PROFIT is the limit variant
    # (fact sheets binance-spot.md s4, binance-usdm-futures.md s4).
    if _is(v, b"LIMIT", 5):
        return LIMIT
    if _is(v, b"MARKET", 6):
        return MARKET
    if _is(v, b"LIMIT_MAKER", 11):
        return LIMIT_MAKER
    if _is(v, b"STOP_LOSS", 9) or _is(v, b"STOP_MARKET", 11):
        return STOP_LOSS
    if _is(v, b"STOP_LOSS_LIMIT", 15) or _is(v, b"STOP", 4):
        return STOP_LOSS_LIMIT
    if _is(v, b"TAKE_PROFIT", 11):
        return TAKE_PROFIT_LIMIT if futures else TAKE_PROFIT
    if _is(v, b"TAKE_PROFIT_MARKET", 18):
        return TAKE_PROFIT
    if _is(v, b"TAKE_PROFIT_LIMIT", 17):
        return TAKE_PROFIT_LIMIT
    if _is(v, b"TRAILING_STOP_MARKET", 20):
        return TRAILING_STOP
    return -1


cdef inline int _tif(const js_span *v) noexcept nogil:
    if _is(v, b"GTC", 3):
        return GTC
    if _is(v, b"IOC", 3):
        return IOC
    if _is(v, b"FOK", 3):
        return FOK
    if _is(v, b"GTX", 3):
        return POST_ONLY
    return -1


cdef inline int _exec_type(const js_span *v) noexcept nogil:
    if _is(v, b"NEW", 3):
        return EXEC_NEW
    if _is(v, b"TRADE", 5):
        return EXEC_TRADE
    if _is(v, b"CANCELED", 8):
        return EXEC_CANCELED
    if _is(v, b"REJECTED", 8):
        return EXEC_REJECTED
    if _is(v, b"EXPIRED", 7) or _is(v, b"TRADE_PREVENTION", 16):
        return EXEC_EXPIRED          # TRADE_PREVENTION: STP expired (part of) the order
    if _is(v, b"REPLACED", 8):
        return EXEC_REPLACED         # spot amend (keepPriority)
    if _is(v, b"AMENDMENT", 9):
        return EXEC_AMENDMENT        # USD-M modify
    if _is(v, b"CALCULATED", 10):
        return EXEC_TRADE            # USD-M liquidation execution: a fill
    return -1


cdef inline int _order_state(const js_span *v, BnCtx *x) noexcept nogil:
    if _is(v, b"NEW", 3):
        return NEW
    if _is(v, b"PARTIALLY_FILLED", 16):
        return PARTIALLY_FILLED
    if _is(v, b"FILLED", 6):
        return FILLED
    if _is(v, b"CANCELED", 8):
        return CANCELLED
    if _is(v, b"REJECTED", 8):
        return REJECTED
    if _is(v, b"EXPIRED", 7) or _is(v, b"EXPIRED_IN_MATCH", 16):
        return EXPIRED
    if _is(v, b"PENDING_NEW", 11):
        return PENDING
    # ALGO_UPDATE algoStatus: the conditional order waits (NEW / TRIGGERING), has
    # handed over to a real order (TRIGGERED, linked by `ai`), or is done (FINISHED).
    if _is(v, b"TRIGGERING", 10):
        return NEW
    if _is(v, b"TRIGGERED", 9):
        x.algo_triggered = True
        return NEW
    if _is(v, b"FINISHED", 8):
        x.algo_finished = True       # filled or cancelled: decided from aq vs q at the end
        return CANCELLED
    return -1


cdef inline int _position_side(const js_span *v) noexcept nogil:
    if _is(v, b"BOTH", 4):
        return BOTH
    if _is(v, b"LONG", 4):
        return LONG
    if _is(v, b"SHORT", 5):
        return SHORT
    return -1


cdef enum:
    EN_SIDE = 1
    EN_ORDER_TYPE = 2
    EN_TIF = 3
    EN_EXEC_TYPE = 4
    EN_ORDER_STATE = 5
    EN_POSITION_SIDE = 6


cdef void _enum_apply(ExecRecord *r, BnCtx *x, int which, const js_span *v) noexcept nogil:
    """Enum word v into its record field; an unknown word leaves 0 and sets REC_UNKNOWN_ENUM."""
    cdef int value, bit
    cdef uint8_t *dst
    if which == EN_SIDE:
        value = _side(v)
        dst = &r.side
        bit = F_SIDE
    elif which == EN_ORDER_TYPE:
        value = _order_type(v, x.futures)
        dst = &r.order_type
        bit = F_ORDER_TYPE
    elif which == EN_TIF:
        value = _tif(v)
        dst = &r.time_in_force
        bit = F_TIME_IN_FORCE
    elif which == EN_EXEC_TYPE:
        value = _exec_type(v)
        dst = &r.exec_type
        bit = F_EXEC_TYPE
    elif which == EN_ORDER_STATE:
        value = _order_state(v, x)
        dst = &r.order_state
        bit = F_ORDER_STATE
    else:
        value = _position_side(v)
        dst = &r.position_side
        bit = F_POSITION_SIDE
    if value < 0:
        r.flags |= REC_UNKNOWN_ENUM
        value = 0
    dst[0] = <uint8_t>value
    mark(r, bit)


cdef int _rd_enum(js_cur *c, ExecRecord *r, BnCtx *x, int which) noexcept nogil:
    """An enum word (or null: absent) at the cursor into its record field."""
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK or is_null:
        return st
    _enum_apply(r, x, which, &v)
    return JS_OK


cdef int _rd_event_type(js_cur *c, BnCtx *x) noexcept nogil:
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK:
        return st
    if is_null:
        x.event = EV_OTHER
    elif _is(&v, b"executionReport", 15):
        x.event = EV_EXECUTION_REPORT
    elif _is(&v, b"ORDER_TRADE_UPDATE", 18):
        x.event = EV_ORDER_TRADE_UPDATE
    elif _is(&v, b"ALGO_UPDATE", 11):
        x.event = EV_ALGO_UPDATE
    else:
        x.event = EV_OTHER
    return JS_OK


cdef int _rd_error_code(js_cur *c, ExecRecord *r, BnCtx *x) noexcept nogil:
    cdef int64_t code = 0
    cdef int st = rd_int(c, r, &code, F_ERROR_CODE)
    if st != JS_OK:
        return st
    if code < -2147483648 or code > 2147483647:
        return JS_E_NUMBER
    r.error_code = <int>code
    x.saw_error = True
    return JS_OK


cdef int _rd_msg(js_cur *c, ExecRecord *r) noexcept nogil:
    cdef size_t n = 0
    cdef int st = rd_text(c, r, r.error_msg, EXEC_MSG_CAP, &n, F_ERROR_MSG, True)
    r.error_msg_len = <unsigned short>n
    return st


# ---------------------------------------------------------------- containers

cdef int _fills(js_cur *c, ExecRecord *r, BnCtx *x) noexcept nogil:
    """FULL response fills: count them, sum qty and commission, keep the last price and trade id."""
    cdef ExecRecord f
    cdef js_span k
    cdef int first = 1, first_key, st
    cdef int64_t qty = 0, commission = 0
    cdef int count = 0
    st = js_enter(c, b'[')
    if st != JS_OK:
        return st
    while True:
        st = js_next_elem(c, &first)
        if st <= 0:
            break
        st = js_enter(c, b'{')
        if st != JS_OK:
            return st
        f.present = 0
        f.flags = 0
        first_key = 1
        while True:
            st = js_next_key(c, &first_key, &k)
            if st <= 0:
                break
            if js_key_is(&k, b"qty", 3):
                st = rd_decimal(c, &f, &f.last_qty_raw, F_LAST_QTY)
            elif js_key_is(&k, b"price", 5):
                st = rd_decimal(c, &f, &f.last_price_raw, F_LAST_PRICE)
            elif js_key_is(&k, b"commission", 10):
                st = rd_decimal(c, &f, &f.commission_raw, F_COMMISSION)
            elif js_key_is(&k, b"commissionAsset", 15):
                st = rd_text8(c, &f, f.commission_asset, EXEC_ASSET_CAP, &f.commission_asset_len,
                              F_COMMISSION_ASSET, False)
            elif js_key_is(&k, b"tradeId", 7):
                st = rd_int(c, &f, &f.trade_id, F_TRADE_ID)
            else:
                st = js_skip(c)
            if st != JS_OK:
                return st
        if st < 0:
            return st
        r.flags |= f.flags
        count += 1
        if record_has(&f, F_LAST_QTY):
            if fp_add(qty, f.last_qty_raw, &qty) != FP_OK:
                return JS_E_DECIMAL
        if record_has(&f, F_COMMISSION):
            if fp_add(commission, f.commission_raw, &commission) != FP_OK:
                return JS_E_DECIMAL
        if record_has(&f, F_LAST_PRICE):
            r.last_price_raw = f.last_price_raw
            mark(r, F_LAST_PRICE)
        if record_has(&f, F_TRADE_ID):
            r.trade_id = f.trade_id
            mark(r, F_TRADE_ID)
        if record_has(&f, F_COMMISSION_ASSET):
            if not record_has(r, F_COMMISSION_ASSET):
                memcpy(r.commission_asset, f.commission_asset, f.commission_asset_len)
                r.commission_asset_len = f.commission_asset_len
                mark(r, F_COMMISSION_ASSET)
            elif (f.commission_asset_len != r.commission_asset_len or
                  memcmp(f.commission_asset, r.commission_asset, f.commission_asset_len) != 0):
                r.flags |= REC_MIXED_ASSETS
    if st < 0:
        return st
    r.fill_count = count
    mark(r, F_FILLS)
    if count:
        r.last_qty_raw = qty
        r.commission_raw = commission
        mark(r, F_LAST_QTY)
        mark(r, F_COMMISSION)
    x.saw_order_field = True
    return JS_OK


cdef int _rd_outer_t(js_cur *c, ExecRecord *r, BnCtx *x) noexcept nogil:
    """Envelope T (ORDER_TRADE_UPDATE transaction time; spot T): used at the end only
    when the order object carried no T of its own."""
    cdef bint was_in = record_has(r, F_TRANSACT_TIME)
    cdef int64_t t = 0
    cdef int st = rd_int(c, r, &t, F_TRANSACT_TIME)
    if st == JS_OK and record_has(r, F_TRANSACT_TIME):
        x.outer_t = t
        x.has_outer_t = True
        if not was_in:
            r.present &= ~((<unsigned long long>1) << F_TRANSACT_TIME)
    return st


# ---------------------------------------------------------------- ordered executionReport

cdef int _exec_report_ordered(js_cur *c, ExecRecord *r, BnCtx *x) noexcept nogil:
    """The members after ``"e":"executionReport"`` in the order Binance documents and
    sends them (E s c S o f q p P F g C x X r i l z L n N T t I w m M O Z Y Q W V).

    One straight pass: each member is recognised with one compare and its value read
    by the inline pointer reader of its common spelling (jsonscan.h ``js_m1_*``), the
    position kept in a register and the presence bits gathered in one word.  At the
    first member that is not the expected one in that spelling (another order, an
    added field, whitespace, an escape, a nested "o", the end), the pass stops with
    the cursor at that member's ',' and the general member loop reads it and the
    rest.  Nothing is written for the member where the pass stops, and both paths
    read a member into the same field with the same value, so the record never
    depends on where the pass stopped.
    """
    cdef const char *p = c.p
    cdef const char *end = c.end
    cdef const char *q
    cdef js_span v
    cdef size_t n
    cdef int64_t t
    cdef int lit
    cdef uint64_t got = 0
    v.escaped = 0
    while True:                          # one pass: `break` hands over to the general loop
        q = js_m1_int(p, end, b'E', &r.ts_event_ms)
        if q == NULL:
            break
        p = q
        got |= _bit(F_EVENT_TIME)
        q = js_m1_text(p, end, b's', r.symbol, EXEC_SYMBOL_CAP, &n)
        if q == NULL:
            break
        p = q
        r.symbol_len = <uint8_t>n
        got |= _bit(F_SYMBOL)
        q = js_m1_text(p, end, b'c', r.client_id, EXEC_ID_CAP, &n)
        if q == NULL:
            break
        p = q
        r.client_id_len = <uint8_t>n
        got |= _bit(F_CLIENT_ID)
        q = js_m1_word(p, end, b'S', &v.s, &v.n)
        if q == NULL:
            break
        p = q
        _enum_apply(r, x, EN_SIDE, &v)
        q = js_m1_word(p, end, b'o', &v.s, &v.n)     # a nested "o" object is not a word: stops here
        if q == NULL:
            break
        p = q
        _enum_apply(r, x, EN_ORDER_TYPE, &v)
        q = js_m1_word(p, end, b'f', &v.s, &v.n)
        if q == NULL:
            break
        p = q
        _enum_apply(r, x, EN_TIF, &v)
        q = js_m1_decimal(p, end, b'q', &r.qty_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_QTY)
        q = js_m1_decimal(p, end, b'p', &r.price_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_PRICE)
        q = js_m1_decimal(p, end, b'P', &r.stop_price_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_STOP_PRICE)
        q = js_m1_skip(p, end, b'F')         # iceberg qty: not kept
        if q == NULL:
            break
        p = q
        q = js_m1_skip(p, end, b'g')         # order list id: not kept
        if q == NULL:
            break
        p = q
        q = js_m1_text(p, end, b'C', r.orig_client_id, EXEC_ID_CAP, &n)
        if q == NULL:
            break
        p = q
        r.orig_client_id_len = <uint8_t>n
        got |= _bit(F_ORIG_CLIENT_ID)
        q = js_m1_word(p, end, b'x', &v.s, &v.n)
        if q == NULL:
            break
        p = q
        _enum_apply(r, x, EN_EXEC_TYPE, &v)
        q = js_m1_word(p, end, b'X', &v.s, &v.n)
        if q == NULL:
            break
        p = q
        _enum_apply(r, x, EN_ORDER_STATE, &v)
        q = js_m1_text(p, end, b'r', r.reject_reason, EXEC_REASON_CAP, &n)   # longer: the general loop cuts it
        if q == NULL:
            break
        p = q
        r.reject_reason_len = <uint8_t>n
        got |= _bit(F_REJECT_REASON)
        q = js_m1_int(p, end, b'i', &r.order_id)
        if q == NULL:
            break
        p = q
        got |= _bit(F_ORDER_ID)
        q = js_m1_decimal(p, end, b'l', &r.last_qty_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_LAST_QTY)
        q = js_m1_decimal(p, end, b'z', &r.cum_qty_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_CUM_QTY)
        q = js_m1_decimal(p, end, b'L', &r.last_price_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_LAST_PRICE)
        q = js_m1_decimal(p, end, b'n', &r.commission_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_COMMISSION)
        q = js_m1_text(p, end, b'N', r.commission_asset, EXEC_ASSET_CAP, &n)   # null: the general loop
        if q == NULL:
            break
        p = q
        r.commission_asset_len = <uint8_t>n
        got |= _bit(F_COMMISSION_ASSET)
        q = js_m1_int(p, end, b'T', &t)      # envelope T: used at the end when nothing else set it
        if q == NULL:
            break
        p = q
        x.outer_t = t
        x.has_outer_t = True
        q = js_m1_int(p, end, b't', &r.trade_id)
        if q == NULL:
            break
        p = q
        got |= _bit(F_TRADE_ID)
        q = js_m1_skip(p, end, b'I')         # ignore
        if q == NULL:
            break
        p = q
        q = js_m1_skip(p, end, b'w')         # is the order on the book: not kept
        if q == NULL:
            break
        p = q
        q = js_m1_literal(p, end, b'm', &lit)
        if q == NULL:
            break
        p = q
        if lit != 2:                         # null leaves the field absent
            r.is_maker = <uint8_t>lit
            got |= _bit(F_IS_MAKER)
        q = js_m1_skip(p, end, b'M')         # ignore
        if q == NULL:
            break
        p = q
        q = js_m1_skip(p, end, b'O')         # order creation time: not kept
        if q == NULL:
            break
        p = q
        q = js_m1_decimal(p, end, b'Z', &r.cum_quote_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_CUM_QUOTE)
        q = js_m1_decimal(p, end, b'Y', &r.last_quote_raw)
        if q == NULL:
            break
        p = q
        got |= _bit(F_LAST_QUOTE)
        q = js_m1_skip(p, end, b'Q')         # quote order qty: not kept
        if q == NULL:
            break
        p = q
        q = js_m1_skip(p, end, b'W')         # working time: not kept
        if q == NULL:
            break
        p = q
        q = js_m1_skip(p, end, b'V')         # self-trade prevention mode: not kept
        if q == NULL:
            break
        p = q
        break
    r.present |= got
    c.p = p
    return JS_OK


cdef inline int _member(js_cur *c, ExecRecord *r, BnCtx *x, const js_span *k, int depth) noexcept nogil:
    """Read (or skip) the value of member `k`; the cursor is at the value."""
    cdef const char *s = k.s
    cdef size_t n = k.n
    cdef char ch
    cdef int st
    cdef bint was_in
    if n == 1:
        ch = s[0]
        if ch == b'e':
            st = _rd_event_type(c, x)
            if st == JS_OK and x.event == EV_EXECUTION_REPORT and not x.in_order_obj:
                st = _exec_report_ordered(c, r, x)
            return st
        if ch == b'E':
            return rd_int(c, r, &r.ts_event_ms, F_EVENT_TIME)
        if ch == b's':
            return rd_text8(c, r, r.symbol, EXEC_SYMBOL_CAP, &r.symbol_len, F_SYMBOL, False)
        if ch == b'c':
            return rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, False)
        if ch == b'C':
            return rd_text8(c, r, r.orig_client_id, EXEC_ID_CAP, &r.orig_client_id_len, F_ORIG_CLIENT_ID, False)
        if ch == b'S':
            return _rd_enum(c, r, x, EN_SIDE)
        if ch == b'o':
            if js_peek(c) == b'{':
                if depth > 1 or x.in_order_obj:
                    return js_skip(c)
                was_in = x.in_order_obj
                x.in_order_obj = True
                st = _object(c, r, x, depth + 1)
                x.in_order_obj = was_in
                return st
            return _rd_enum(c, r, x, EN_ORDER_TYPE)
        if ch == b'f':
            return _rd_enum(c, r, x, EN_TIF)
        if ch == b'q':
            return rd_decimal(c, r, &r.qty_raw, F_QTY)
        if ch == b'p':
            return rd_decimal(c, r, &r.price_raw, F_PRICE)
        if ch == b'P':
            return rd_decimal(c, r, &r.stop_price_raw, F_STOP_PRICE)
        if ch == b'x':
            return _rd_enum(c, r, x, EN_EXEC_TYPE)
        if ch == b'X':
            return _rd_enum(c, r, x, EN_ORDER_STATE)
        if ch == b'r':
            return rd_text8(c, r, r.reject_reason, EXEC_REASON_CAP, &r.reject_reason_len, F_REJECT_REASON, True)
        if ch == b'i':
            return rd_int(c, r, &r.order_id, F_ORDER_ID)
        if ch == b'l':
            return rd_decimal(c, r, &r.last_qty_raw, F_LAST_QTY)
        if ch == b'z':
            return rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
        if ch == b'L':
            return rd_decimal(c, r, &r.last_price_raw, F_LAST_PRICE)
        if ch == b'n':
            return rd_decimal(c, r, &r.commission_raw, F_COMMISSION)
        if ch == b'N':
            return rd_text8(c, r, r.commission_asset, EXEC_ASSET_CAP, &r.commission_asset_len,
                            F_COMMISSION_ASSET, False)
        if ch == b'T':
            if x.in_order_obj:
                return rd_int(c, r, &r.ts_transact_ms, F_TRANSACT_TIME)
            return _rd_outer_t(c, r, x)
        if ch == b't':
            return rd_int(c, r, &r.trade_id, F_TRADE_ID)
        if ch == b'Z':
            return rd_decimal(c, r, &r.cum_quote_raw, F_CUM_QUOTE)
        if ch == b'Y':
            return rd_decimal(c, r, &r.last_quote_raw, F_LAST_QUOTE)
        if ch == b'm':
            return rd_bool(c, r, &r.is_maker, F_IS_MAKER)
        if ch == b'R':
            return rd_bool(c, r, &r.reduce_only, F_REDUCE_ONLY)
        return js_skip(c)
    if n == 2:
        if s[0] == b'a' and s[1] == b'p':
            return rd_decimal(c, r, &r.avg_price_raw, F_AVG_PRICE)
        if s[0] == b's' and s[1] == b'p':
            return rd_decimal(c, r, &r.stop_price_raw, F_STOP_PRICE)
        if s[0] == b'p' and s[1] == b's':
            return _rd_enum(c, r, x, EN_POSITION_SIDE)
        if s[0] == b'r' and s[1] == b'p':
            return rd_decimal(c, r, &r.realized_pnl_raw, F_REALIZED_PNL)
        if s[0] == b't' and s[1] == b'p':
            return rd_decimal(c, r, &r.stop_price_raw, F_STOP_PRICE)       # ALGO_UPDATE trigger price
        if s[0] == b'a' and s[1] == b'i':
            return rd_int(c, r, &r.linked_order_id, F_LINKED_ORDER_ID)     # ALGO_UPDATE matched order
        if s[0] == b'a' and s[1] == b'q':
            return rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)             # ALGO_UPDATE executed qty
        if s[0] == b'r' and s[1] == b'm':
            return rd_text8(c, r, r.reject_reason, EXEC_REASON_CAP, &r.reject_reason_len, F_REJECT_REASON, True)
        return js_skip(c)
    # REST / WS-API members (long names); a few are containers.
    if n == 3:
        if js_key_is(k, b"aid", 3):
            return rd_int(c, r, &r.order_id, F_ORDER_ID)                   # ALGO_UPDATE algoId
        if js_key_is(k, b"msg", 3):
            x.saw_error = True
            return _rd_msg(c, r)
    elif n == 4:
        if js_key_is(k, b"side", 4):
            x.saw_order_field = True
            return _rd_enum(c, r, x, EN_SIDE)
        if js_key_is(k, b"type", 4):
            return _rd_enum(c, r, x, EN_ORDER_TYPE)
        if js_key_is(k, b"code", 4):
            return _rd_error_code(c, r, x)
        if js_key_is(k, b"caid", 4):
            return rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, False)
    elif n == 5:
        if js_key_is(k, b"price", 5):
            return rd_decimal(c, r, &r.price_raw, F_PRICE)
        if js_key_is(k, b"fills", 5):
            return _fills(c, r, x) if depth <= 1 else js_skip(c)
        if js_key_is(k, b"event", 5) and depth == 0 and js_peek(c) == b'{':
            return _object(c, r, x, 1)
        if js_key_is(k, b"error", 5) and depth == 0 and js_peek(c) == b'{':
            return _object(c, r, x, 1)
    elif n == 6:
        if js_key_is(k, b"symbol", 6):
            return rd_text8(c, r, r.symbol, EXEC_SYMBOL_CAP, &r.symbol_len, F_SYMBOL, False)
        if js_key_is(k, b"status", 6):
            if js_peek(c) == b'"':
                return _rd_enum(c, r, x, EN_ORDER_STATE)
            return js_skip(c)                                               # WS-API HTTP-like status
        if js_key_is(k, b"result", 6) and depth == 0 and js_peek(c) == b'{':
            return _object(c, r, x, 1)
        if js_key_is(k, b"cumQty", 6):
            return rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
    elif n == 7:
        if js_key_is(k, b"orderId", 7):
            x.saw_order_field = True
            return rd_int(c, r, &r.order_id, F_ORDER_ID)
        if js_key_is(k, b"origQty", 7):
            return rd_decimal(c, r, &r.qty_raw, F_QTY)
    elif n == 8:
        if js_key_is(k, b"avgPrice", 8):
            return rd_decimal(c, r, &r.avg_price_raw, F_AVG_PRICE)
        if js_key_is(k, b"cumQuote", 8):
            return rd_decimal(c, r, &r.cum_quote_raw, F_CUM_QUOTE)
    elif n == 9:
        if js_key_is(k, b"stopPrice", 9):
            return rd_decimal(c, r, &r.stop_price_raw, F_STOP_PRICE)
    elif n == 10:
        if js_key_is(k, b"reduceOnly", 10):
            return rd_bool(c, r, &r.reduce_only, F_REDUCE_ONLY)
        if js_key_is(k, b"updateTime", 10):
            if record_has(r, F_TRANSACT_TIME):
                return js_skip(c)                                           # transactTime wins
            return rd_int(c, r, &r.ts_transact_ms, F_TRANSACT_TIME)
    elif n == 11:
        if js_key_is(k, b"timeInForce", 11):
            return _rd_enum(c, r, x, EN_TIF)
        if js_key_is(k, b"executedQty", 11):
            return rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
    elif n == 12:
        if js_key_is(k, b"transactTime", 12):
            return rd_int(c, r, &r.ts_transact_ms, F_TRANSACT_TIME)
        if js_key_is(k, b"positionSide", 12):
            return _rd_enum(c, r, x, EN_POSITION_SIDE)
    elif n == 13:
        if js_key_is(k, b"clientOrderId", 13):
            x.saw_order_field = True
            return rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, False)
    elif n == 17:
        if js_key_is(k, b"origClientOrderId", 17):
            return rd_text8(c, r, r.orig_client_id, EXEC_ID_CAP, &r.orig_client_id_len, F_ORIG_CLIENT_ID, False)
    elif n == 19:
        if js_key_is(k, b"cummulativeQuoteQty", 19):                        # sic: Binance's spelling
            return rd_decimal(c, r, &r.cum_quote_raw, F_CUM_QUOTE)
    return js_skip(c)


cdef int _ws_envelope(js_cur *c, ExecRecord *r, BnCtx *x) noexcept nogil:
    """The WS-API user-data envelope's first members, ``"subscriptionId":N,"event":{``,
    recognised by two compares: the id is skipped and the event read at depth 1,
    exactly as the member loop would do with them.  Returns 1 when both were read
    (the loop carries on after them), 0 when the object does not start that way
    (cursor unchanged), or an error."""
    cdef const char *p = c.p
    cdef const char *q
    cdef int64_t subscription_id
    cdef int st
    if c.end - p < 32 or memcmp(p, b'"subscriptionId":', 17) != 0:
        return 0
    q = js_p_int(p + 17, c.end, &subscription_id)
    if q == NULL or c.end - q < 10 or memcmp(q, b',"event":{', 10) != 0:
        return 0
    c.p = q + 9                          # at the event's '{'
    st = _object(c, r, x, 1)
    return st if st < 0 else 1


cdef int _object(js_cur *c, ExecRecord *r, BnCtx *x, int depth) noexcept nogil:
    """Walk the object at the cursor member by member (escaped keys decoded first)."""
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef size_t n = 0
    cdef int first = 1
    cdef int st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    if depth == 0:
        st = _ws_envelope(c, r, x)
        if st < 0:
            return st
        if st == 1:
            first = 0
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            return st
        if k.escaped:
            if js_unescape(&k, key_buf, KEY_SCRATCH, &n) == JS_OK:
                k.s = key_buf
                k.n = n
            else:
                k.n = 0                  # undecodable or too long: no known key, skip the value
            k.escaped = 0
        if x.event == EV_OTHER:
            # a message of another kind (a listStatus, an account event): its members are not an
            # order's, so they are skipped rather than read with an order's field types
            st = js_skip(c)
        else:
            st = _member(c, r, x, &k, depth)
        if st != JS_OK:
            return st


cdef int _parse(js_cur *c, ExecRecord *r, bint futures) noexcept nogil:
    cdef BnCtx x
    memset(&x, 0, sizeof(BnCtx))
    x.futures = futures
    cdef int st = _object(c, r, &x, 0)
    if st != JS_OK:
        return st
    st = js_finish(c)
    if st != JS_OK:
        return st
    if x.has_outer_t and not record_has(r, F_TRANSACT_TIME):
        r.ts_transact_ms = x.outer_t
        mark(r, F_TRANSACT_TIME)
    if x.event == EV_EXECUTION_REPORT:
        r.kind = MSG_EXECUTION_REPORT
    elif x.event == EV_ORDER_TRADE_UPDATE:
        r.kind = MSG_ORDER_TRADE_UPDATE
    elif x.event == EV_ALGO_UPDATE:
        r.kind = MSG_ALGO_UPDATE
        if x.algo_triggered:
            r.exec_type = EXEC_TRIGGERED
            mark(r, F_EXEC_TYPE)
        if x.algo_finished and record_has(r, F_QTY) and record_has(r, F_CUM_QTY) and r.cum_qty_raw == r.qty_raw:
            r.order_state = FILLED       # FINISHED: "filled or canceled in the matching engine"
    elif x.event == EV_OTHER:
        r.kind = MSG_OTHER
    elif x.saw_error and r.error_code < 0:
        r.kind = MSG_ERROR               # Binance error codes are negative; {"code":200,...} is a success note
    elif x.saw_order_field:
        r.kind = MSG_ORDER_RESPONSE
    else:
        r.kind = MSG_OTHER
    return JS_OK


# ---------------------------------------------------------------- Python face

cdef class BinanceParser(RecordParser):
    """Parse Binance order messages into one reusable record, allocation-free.

    Parameters
    ----------
    futures : bool
        Read USD-M vocabulary (``TAKE_PROFIT`` is a limit order there). Spot otherwise.

    Notes
    -----
    ``parse`` returns the :class:`~engine._parse_common.MessageKind` as a plain int;
    the fields live in the parser's C record (``record_c`` for Cython callers,
    ``to_dict`` for the cold path and tests).  Not thread-safe: one parser per
    connection.
    """

    def __cinit__(self, bint futures=False):
        memset(&self.rec, 0, sizeof(ExecRecord))
        self.futures = futures
        self.error_offset = -1


    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1:
        """Parse buf[0:size]; return the MsgKind or raise ParseError (record reset to MSG_NONE)."""
        cdef js_cur c
        cdef int st, k
        # Reset every scalar, length and presence bit; the text arrays after them are
        # read only up to their lengths, so they are left as they are (a third of the
        # record is the fixed scalars, the rest text).
        memset(&self.rec, 0, <size_t>(<char *>self.rec.symbol - <char *>&self.rec))
        c.p = buf
        c.end = buf + size
        st = _parse(&c, &self.rec, self.futures)
        if st != JS_OK:
            self.rec.kind = MSG_NONE
            self.rec.present = 0
            self.error_offset = c.p - buf
            self._records_left = 0
            raise_parse_error(st, c.p - buf, size)
        self.error_offset = -1
        k = self.rec.kind
        # an order report holds one order record, handed out by next_record()
        self._records_left = 1 if (k == MSG_EXECUTION_REPORT or k == MSG_ORDER_TRADE_UPDATE
                                   or k == MSG_ALGO_UPDATE) else 0
        return k

    @cython.always_allow_keywords(False)
    def parse(self, data):
        """Parse one message (METH_O: one positional argument, no keyword parsing).

        Parameters
        ----------
        data : bytes or bytes-like
            One complete JSON message.

        Returns
        -------
        int
            The :class:`~engine._parse_common.MessageKind` value.

        Raises
        ------
        ParseError
            Malformed, truncated or unexpected input; the record is then empty.
        """
        cdef Py_buffer view
        if PyBytes_CheckExact(data):
            return self.parse_c(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
        try:
            return self.parse_c(<const char *>view.buf, view.len)
        finally:
            PyBuffer_Release(&view)

