"""MEXC spot private-stream reader: protobuf pushes straight into an ``ExecRecord``.

The private stream (``spot@private.{orders,deals,account}.v3.api.pb``) sends binary
frames, each a ``PushDataV3ApiWrapper`` (mexcdevelop/websocket-proto; shared/venues/
mexc-spot.md §7): ``1 channel``, ``3 symbol``, ``4 symbolId``, ``5 createTime``,
``6 sendTime`` and one body of the oneof ``body``.  Read here, straight from the frame:

- ``304 PrivateOrdersV3Api``: ``MSG_ORDER_STATE``, the order's state (status 1 NEW,
  2 FILLED, 3 PARTIALLY_FILLED, 4 CANCELLED, 5 partially cancelled: terminal CANCELLED
  with its fill kept), its ids, type, side, quantities and cumulative fill;
- ``306 PrivateDealsV3Api``: ``MSG_TRADE``, one fill (price, quantity, quote, fee and
  its asset, trade id, maker flag);
- ``307 PrivateAccountV3Api``: a balance (asset, available, frozen), ``MSG_OTHER`` for the
  order manager; :attr:`MexcStreamParser.body` says 307 and ``account_*`` hold it.

Rules kept (the wire rules are ext/pbwire.h's):

1. The frame is read as the wrapper first, never as a body (decoding a body directly
   gives garbage: mexcdevelop/mexc-api-demo#50).  Fields come in any order; unknown
   fields, and known fields of an unexpected wire type, are skipped, as the reference
   decoders do.  A field repeated keeps its last value; a body repeated is merged, and a
   body of another kind replaces the one before (oneof).  Public bodies (301-315 but
   304/306/307) are checked for well-formed fields only and give ``MSG_OTHER``.
2. proto3 defaults are absent on the wire: a missing ``isMaker`` is false (a taker:
   ccxt reads the legacy JSON key and takes every fill as a taker), a missing or empty
   string is an absent field, a missing number is 0.
3. The symbol is the wrapper's (bodies carry none); the event time is ``sendTime``,
   else ``createTime``; a deal's ``time`` is its transaction time.
4. An IOC, FOK or market order the venue ended (status 4 or 5) is EXPIRED, the outcome
   every venue reports for an order that never rests (Binance EXPIRED, Bybit's
   "Cancelled" IOC read the same way); a post-only order the venue cancelled stays
   CANCELLED.
5. Decimals are strings, read exactly into 8-decimal fixed point (more decimals: rounded
   half-even, ``REC_ROUNDED``; a deal fee has up to 19).  An order push without a known
   status, a deal without price, quantity or trade id, an account push without an asset,
   an id longer than its buffer or a decimal that is not one: ``ParseError``, so the
   message is counted and reconciled, never half applied.
6. Every byte read is preceded by a remaining-length check; a parse allocates no Python
   object.
"""

from engine._parse_common import ParseError

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_CheckExact
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint32_t
from libc.stdint cimport uint64_t
from libc.stdint cimport uint8_t
from libc.string cimport memset

from engine._enums cimport BUY
from engine._enums cimport CANCELLED
from engine._enums cimport EXEC_TRADE
from engine._enums cimport EXPIRED
from engine._enums cimport FILLED
from engine._enums cimport FOK
from engine._enums cimport GTC
from engine._enums cimport IOC
from engine._enums cimport LIMIT
from engine._enums cimport LIMIT_MAKER
from engine._enums cimport MARKET
from engine._enums cimport NEW
from engine._enums cimport PARTIALLY_FILLED
from engine._enums cimport POST_ONLY
from engine._enums cimport SELL
from engine._enums cimport TIF_NONE
from engine._exec_record cimport EXEC_ASSET_CAP
from engine._exec_record cimport EXEC_ID_CAP
from engine._exec_record cimport EXEC_SYMBOL_CAP
from engine._exec_record cimport EXEC_VENUE_ID_CAP
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport F_AVG_PRICE
from engine._exec_record cimport F_CLIENT_ID
from engine._exec_record cimport F_COMMISSION
from engine._exec_record cimport F_COMMISSION_ASSET
from engine._exec_record cimport F_CUM_QTY
from engine._exec_record cimport F_CUM_QUOTE
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
from engine._exec_record cimport F_PRICE
from engine._exec_record cimport F_QTY
from engine._exec_record cimport F_SIDE
from engine._exec_record cimport F_STOP_PRICE
from engine._exec_record cimport F_SYMBOL
from engine._exec_record cimport F_TIME_IN_FORCE
from engine._exec_record cimport F_TRANSACT_TIME
from engine._exec_record cimport F_VENUE_ORDER_ID
from engine._exec_record cimport MSG_TRADE
from engine._exec_record cimport MSG_ORDER_STATE
from engine._exec_record cimport REC_NO_AMEND
from engine._exec_record cimport MSG_NONE
from engine._exec_record cimport MSG_OTHER
from engine._exec_record cimport REC_ROUNDED
from engine._exec_record cimport REC_UNKNOWN_ENUM
from engine._exec_record cimport record_has
from engine._fixedpoint cimport FP_HALF_EVEN
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport fp_parse
from engine._parse_common cimport RecordParser
from engine._pbwire cimport PB_E_EOF
from engine._pbwire cimport PB_E_SHAPE
from engine._pbwire cimport PB_E_UTF8
from engine._pbwire cimport PB_E_VALUE
from engine._pbwire cimport PB_E_VARINT
from engine._pbwire cimport PB_E_WIRE
from engine._pbwire cimport PB_OK
from engine._pbwire cimport PB_WT_LEN
from engine._pbwire cimport pb_bytes
from engine._pbwire cimport pb_cur
from engine._pbwire cimport pb_decimal_fast
from engine._pbwire cimport pb_skip
from engine._pbwire cimport pb_string
from engine._pbwire cimport pb_clear
from engine._pbwire cimport pb_copy_short
from engine._pbwire cimport pb_tag_raw
from engine._pbwire cimport pb_varint
from engine._pbwire cimport pb_walk


cdef enum:
    BODY_ORDERS = 304
    BODY_DEALS = 306
    BODY_ACCOUNT = 307
    BODY_FIRST = 301             # the wrapper's oneof `body` spans fields 301..315
    BODY_LAST = 315
    STATUS_NEW = 1               # PrivateOrdersV3Api.status (websocket-user-data-streams enums)
    STATUS_FILLED = 2
    STATUS_PARTIALLY_FILLED = 3
    STATUS_CANCELED = 4
    STATUS_PARTIALLY_CANCELED = 5


# Tags as read (field << 3 | wire type; 0 varint, 2 length-delimited): a reader dispatches on
# field and wire type at once, and a known field of another wire type falls to the skip.
cdef enum:
    W_CHANNEL = 1 << 3 | 2           # PushDataV3ApiWrapper
    W_SYMBOL = 3 << 3 | 2
    W_SYMBOL_ID = 4 << 3 | 2
    W_CREATE_TIME = 5 << 3
    W_SEND_TIME = 6 << 3
    O_ID = 1 << 3 | 2                # PrivateOrdersV3Api
    O_CLIENT_ID = 2 << 3 | 2
    O_PRICE = 3 << 3 | 2
    O_QUANTITY = 4 << 3 | 2
    O_AMOUNT = 5 << 3 | 2
    O_AVG_PRICE = 6 << 3 | 2
    O_ORDER_TYPE = 7 << 3
    O_TRADE_TYPE = 8 << 3
    O_IS_MAKER = 9 << 3
    O_REMAIN_AMOUNT = 10 << 3 | 2
    O_REMAIN_QUANTITY = 11 << 3 | 2
    O_LAST_DEAL_QUANTITY = 12 << 3 | 2
    O_CUM_QUANTITY = 13 << 3 | 2
    O_CUM_AMOUNT = 14 << 3 | 2
    O_STATUS = 15 << 3
    O_CREATE_TIME = 16 << 3
    O_MARKET = 17 << 3 | 2
    O_TRIGGER_TYPE = 18 << 3
    O_TRIGGER_PRICE = 19 << 3 | 2
    O_STATE = 20 << 3
    O_OCO_ID = 21 << 3 | 2
    O_ROUTE_FACTOR = 22 << 3 | 2
    O_SYMBOL_ID = 23 << 3 | 2
    O_MARKET_ID = 24 << 3 | 2
    O_MARKET_CURRENCY_ID = 25 << 3 | 2
    O_CURRENCY_ID = 26 << 3 | 2
    D_PRICE = 1 << 3 | 2             # PrivateDealsV3Api
    D_QUANTITY = 2 << 3 | 2
    D_AMOUNT = 3 << 3 | 2
    D_TRADE_TYPE = 4 << 3
    D_IS_MAKER = 5 << 3
    D_IS_SELF_TRADE = 6 << 3
    D_TRADE_ID = 7 << 3 | 2
    D_CLIENT_ORDER_ID = 8 << 3 | 2
    D_ORDER_ID = 9 << 3 | 2
    D_FEE_AMOUNT = 10 << 3 | 2
    D_FEE_CURRENCY = 11 << 3 | 2
    D_TIME = 12 << 3
    A_VCOIN_NAME = 1 << 3 | 2        # PrivateAccountV3Api
    A_COIN_ID = 2 << 3 | 2
    A_BALANCE_AMOUNT = 3 << 3 | 2
    A_BALANCE_AMOUNT_CHANGE = 4 << 3 | 2
    A_FROZEN_AMOUNT = 5 << 3 | 2
    A_FROZEN_AMOUNT_CHANGE = 6 << 3 | 2
    A_TYPE = 7 << 3 | 2
    A_TIME = 8 << 3


ctypedef struct Wrap:
    const unsigned char *sym     # wrapper field 3 (last occurrence)
    size_t sym_n
    int64_t create_time          # wrapper field 5
    int64_t send_time            # wrapper field 6
    bint has_create
    bint has_send
    int32_t status               # the orders body's status (0: absent)
    int32_t order_type           # the orders body's orderType (0: absent)
    int32_t trade_type           # tradeType of either body (0: absent)


_REASONS = {
    PB_E_EOF: "truncated protobuf",
    PB_E_VARINT: "varint longer than 10 bytes",
    PB_E_WIRE: "invalid tag or wire type",
    PB_E_UTF8: "string field that is not UTF-8",
    PB_E_VALUE: "field value not usable (decimal, id length)",
    PB_E_SHAPE: "push without a field it needs (status, price, quantity, trade id, asset)",
}


cdef inline void _reset(ExecRecord *r) noexcept nogil:
    """Zero the record up to its text buffers: their lengths and ``present`` say what they hold."""
    pb_clear(r, <size_t>(<char *>r.symbol - <char *>r))


cdef inline void _mark(ExecRecord *r, int bit) noexcept nogil:
    r.present |= (<uint64_t>1) << bit


cdef inline void _unmark(ExecRecord *r, int bit) noexcept nogil:
    r.present &= ~((<uint64_t>1) << bit)


cdef int _decimal_slow(const unsigned char *s, size_t n, int64_t *dst, uint8_t *rounded) noexcept nogil:
    """The general decimal reader (more digits or decimals than the fast path takes): 1 read or PB_E_VALUE."""
    cdef size_t i, dot
    if fp_parse(<const char *>s, n, FP_HALF_EVEN, dst) != FP_OK:
        return PB_E_VALUE
    # valid: rounded when a digit past the eighth decimal is not 0 (e.g. a fee with 19 decimals)
    dot = n
    for i in range(n):
        if s[i] == b'.':
            dot = i
            break
    for i in range(dot + 9, n):
        if s[i] != b'0':
            rounded[0] = 1
            break
    return 1


cdef inline int _decimal(const unsigned char *s, size_t n, const unsigned char *limit, int64_t *dst,
                         uint8_t *rounded) noexcept nogil:
    """A decimal string -> raw: 1 read, 0 empty (absent), or a negative status (limit NULL: the fast
    path already declined it)."""
    if n == 0:
        dst[0] = 0
        return 0
    if limit != NULL and pb_decimal_fast(s, n, limit, dst):
        return 1
    return _decimal_slow(s, n, dst, rounded)


cdef int _rd_decimal_rest(const unsigned char *s, size_t n, ExecRecord *r, int64_t *dst, int bit) noexcept nogil:
    """What the fast path leaves: an empty string (absent) or the general reader's spellings."""
    cdef uint8_t rounded = 0
    cdef int st
    _unmark(r, bit)                      # the last occurrence wins, an empty one included
    st = _decimal(s, n, NULL, dst, &rounded)
    if st < 0:
        return st
    if st:
        _mark(r, bit)
        if rounded:
            r.flags |= REC_ROUNDED
    return PB_OK


cdef inline int _rd_decimal(pb_cur *c, ExecRecord *r, int64_t *dst, int bit) noexcept nogil:
    """A decimal string field (its UTF-8 check is the decimal syntax itself: digits, '-' and '.')."""
    cdef const unsigned char *s
    cdef size_t n
    cdef int st = pb_bytes(c, &s, &n)
    if st != PB_OK:
        return st
    if n and pb_decimal_fast(s, n, c.limit, dst):
        _mark(r, bit)
        return PB_OK
    return _rd_decimal_rest(s, n, r, dst, bit)


cdef inline int _rd_text(pb_cur *c, ExecRecord *r, char *dst, size_t cap, uint8_t *length, int bit) noexcept nogil:
    """An identifier string into dst[0:cap]; longer: PB_E_VALUE (ids are never cut)."""
    cdef const unsigned char *s
    cdef size_t n
    cdef int st = pb_string(c, &s, &n)
    if st != PB_OK:
        return st
    if n > cap:
        return PB_E_VALUE
    _unmark(r, bit)
    length[0] = <uint8_t>n
    if n:
        pb_copy_short(dst, s, n)         # every cap is at most 64 bytes
        _mark(r, bit)
    return PB_OK


cdef inline int _rd_i32(pb_cur *c, int32_t *dst) noexcept nogil:
    """An int32 (a varint of up to 64 bits, cut to its low 32 as proto3 does)."""
    cdef uint64_t v
    cdef int st = pb_varint(c, &v)
    if st == PB_OK:
        dst[0] = <int32_t><uint32_t>v
    return st


cdef inline int _rd_i64(pb_cur *c, int64_t *dst) noexcept nogil:
    cdef uint64_t v
    cdef int st = pb_varint(c, &v)
    if st == PB_OK:
        dst[0] = <int64_t>v
    return st


cdef inline int _rd_bool(pb_cur *c, uint8_t *dst) noexcept nogil:
    cdef uint64_t v
    cdef int st = pb_varint(c, &v)
    if st == PB_OK:
        dst[0] = v != 0
    return st


cdef inline int _skip_string(pb_cur *c) noexcept nogil:
    """A string field we do not keep: still checked to be UTF-8 (rule 1 of ext/pbwire.h)."""
    cdef const unsigned char *s
    cdef size_t n
    return pb_string(c, &s, &n)


cdef int _orders(pb_cur *c, ExecRecord *r, Wrap *w) noexcept nogil:
    """The fields of one PrivateOrdersV3Api body (merged into what r already holds)."""
    cdef uint32_t tag
    cdef int st
    cdef int64_t ignored
    while c.p < c.end:
        st = pb_tag_raw(c, &tag)
        if st != PB_OK:
            return st
        if tag == O_ID:
            st = _rd_text(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID)
        elif tag == O_CLIENT_ID:
            st = _rd_text(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID)
        elif tag == O_PRICE:
            st = _rd_decimal(c, r, &r.price_raw, F_PRICE)
        elif tag == O_QUANTITY:
            st = _rd_decimal(c, r, &r.qty_raw, F_QTY)
        elif tag == O_AVG_PRICE:
            st = _rd_decimal(c, r, &r.avg_price_raw, F_AVG_PRICE)
        elif tag == O_REMAIN_QUANTITY:
            st = _rd_decimal(c, r, &r.leaves_qty_raw, F_LEAVES_QTY)
        elif tag == O_LAST_DEAL_QUANTITY:
            st = _rd_decimal(c, r, &r.last_qty_raw, F_LAST_QTY)
        elif tag == O_CUM_QUANTITY:
            st = _rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
        elif tag == O_CUM_AMOUNT:
            st = _rd_decimal(c, r, &r.cum_quote_raw, F_CUM_QUOTE)
        elif tag == O_TRIGGER_PRICE:
            st = _rd_decimal(c, r, &r.stop_price_raw, F_STOP_PRICE)
        elif (tag == O_AMOUNT or tag == O_REMAIN_AMOUNT or tag == O_MARKET or tag == O_OCO_ID
              or tag == O_ROUTE_FACTOR or tag == O_SYMBOL_ID or tag == O_MARKET_ID
              or tag == O_MARKET_CURRENCY_ID or tag == O_CURRENCY_ID):
            st = _skip_string(c)
        elif tag == O_ORDER_TYPE:
            st = _rd_i32(c, &w.order_type)
        elif tag == O_TRADE_TYPE:
            st = _rd_i32(c, &w.trade_type)
        elif tag == O_IS_MAKER:
            st = _rd_bool(c, &r.is_maker)
        elif tag == O_STATUS:
            st = _rd_i32(c, &w.status)
        elif tag == O_CREATE_TIME or tag == O_TRIGGER_TYPE or tag == O_STATE:
            st = _rd_i64(c, &ignored)
        else:
            st = pb_skip(c, tag & 7)     # unknown, or a known field of another wire type
        if st != PB_OK:
            return st
    return PB_OK


cdef int _deals(pb_cur *c, ExecRecord *r, Wrap *w) noexcept nogil:
    """The fields of one PrivateDealsV3Api body (merged into what r already holds)."""
    cdef uint32_t tag
    cdef int st
    cdef uint8_t ignored
    while c.p < c.end:
        st = pb_tag_raw(c, &tag)
        if st != PB_OK:
            return st
        if tag == D_PRICE:
            st = _rd_decimal(c, r, &r.last_price_raw, F_LAST_PRICE)
        elif tag == D_QUANTITY:
            st = _rd_decimal(c, r, &r.last_qty_raw, F_LAST_QTY)
        elif tag == D_AMOUNT:
            st = _rd_decimal(c, r, &r.last_quote_raw, F_LAST_QUOTE)
        elif tag == D_TRADE_ID:
            st = _rd_text(c, r, r.exec_id, EXEC_VENUE_ID_CAP, &r.exec_id_len, F_EXEC_ID)
        elif tag == D_CLIENT_ORDER_ID:
            st = _rd_text(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID)
        elif tag == D_ORDER_ID:
            st = _rd_text(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID)
        elif tag == D_FEE_AMOUNT:
            st = _rd_decimal(c, r, &r.commission_raw, F_COMMISSION)
        elif tag == D_FEE_CURRENCY:
            st = _rd_text(c, r, r.commission_asset, EXEC_ASSET_CAP, &r.commission_asset_len, F_COMMISSION_ASSET)
        elif tag == D_TRADE_TYPE:
            st = _rd_i32(c, &w.trade_type)
        elif tag == D_IS_MAKER:
            st = _rd_bool(c, &r.is_maker)
        elif tag == D_IS_SELF_TRADE:
            st = _rd_bool(c, &ignored)
        elif tag == D_TIME:
            st = _rd_i64(c, &r.ts_transact_ms)
            if st == PB_OK:
                _mark(r, F_TRANSACT_TIME)
        else:
            st = pb_skip(c, tag & 7)
        if st != PB_OK:
            return st
    return PB_OK


cdef int _account(pb_cur *c, MexcBalance *b) noexcept nogil:
    """The fields of one PrivateAccountV3Api body (merged into what b already holds)."""
    cdef uint32_t tag
    cdef int st
    cdef const unsigned char *s
    cdef size_t n
    cdef uint8_t rounded = 0
    while c.p < c.end:
        st = pb_tag_raw(c, &tag)
        if st != PB_OK:
            return st
        if tag == A_VCOIN_NAME:
            st = pb_string(c, &s, &n)
            if st == PB_OK:
                if n > MEXC_ASSET_CAP:
                    return PB_E_VALUE
                pb_copy_short(b.asset, s, n)
                b.asset_len = <uint8_t>n
        elif tag == A_BALANCE_AMOUNT or tag == A_FROZEN_AMOUNT:
            st = pb_bytes(c, &s, &n)     # a decimal's syntax is its UTF-8 check (digits, '-', '.')
            if st == PB_OK:
                st = _decimal(s, n, c.limit, &b.free_raw if tag == A_BALANCE_AMOUNT else &b.locked_raw,
                              &rounded)
                if st >= 0:
                    st = PB_OK
        elif (tag == A_COIN_ID or tag == A_BALANCE_AMOUNT_CHANGE or tag == A_FROZEN_AMOUNT_CHANGE
              or tag == A_TYPE):
            st = _skip_string(c)
        elif tag == A_TIME:
            st = _rd_i64(c, &b.ts_ms)
        else:
            st = pb_skip(c, tag & 7)
        if st != PB_OK:
            return st
    if rounded:
        b.flags |= REC_ROUNDED
    return PB_OK


cdef int _body(int field, const unsigned char *s, size_t n, const unsigned char *limit, ExecRecord *r,
               MexcBalance *b, Wrap *w, const unsigned char **err_at) noexcept nogil:
    cdef pb_cur sub
    cdef int st
    sub.p = s
    sub.end = s + n
    sub.limit = limit
    if field == BODY_ORDERS:
        st = _orders(&sub, r, w)
    elif field == BODY_DEALS:
        st = _deals(&sub, r, w)
    elif field == BODY_ACCOUNT:
        st = _account(&sub, b)
    else:
        st = pb_walk(s, n)               # a public body: well-formed fields, nothing kept
    if st != PB_OK:
        err_at[0] = sub.p                # the error lies inside the body
    return st


cdef int _wrapper(pb_cur *c, ExecRecord *r, MexcBalance *b, Wrap *w, int *body,
                  const unsigned char **err_at) noexcept nogil:
    """Every field of the wrapper; bodies read as they come (rule 1)."""
    cdef uint32_t tag, field
    cdef int st
    cdef const unsigned char *s
    cdef size_t n
    while c.p < c.end:
        st = pb_tag_raw(c, &tag)
        if st != PB_OK:
            return st
        if tag == W_SYMBOL:
            st = pb_string(c, &s, &n)
            if st == PB_OK:
                w.sym = s
                w.sym_n = n
        elif tag == W_CHANNEL or tag == W_SYMBOL_ID:
            st = _skip_string(c)
        elif tag == W_CREATE_TIME:
            st = _rd_i64(c, &w.create_time)
            w.has_create = True
        elif tag == W_SEND_TIME:
            st = _rd_i64(c, &w.send_time)
            w.has_send = True
        else:
            field = tag >> 3
            if (tag & 7) == PB_WT_LEN and BODY_FIRST <= field <= BODY_LAST:
                st = pb_bytes(c, &s, &n)
                if st != PB_OK:
                    return st
                if <int>field != body[0]:
                    if body[0] != 0:     # another member of the oneof replaces the body before
                        _reset(r)
                        memset(b, 0, sizeof(MexcBalance))
                        w.status = w.order_type = w.trade_type = 0
                    body[0] = <int>field
                st = _body(<int>field, s, n, c.limit, r, b, w, err_at)
                if st != PB_OK:
                    return st
            else:
                st = pb_skip(c, tag & 7)
        if st != PB_OK:
            return st
    return PB_OK


cdef inline void _order_type(ExecRecord *r, int32_t t) noexcept nogil:
    """orderType 1 LIMIT_ORDER, 2 POST_ONLY, 3 IMMEDIATE_OR_CANCEL, 4 FILL_OR_KILL, 5 MARKET_ORDER."""
    if t == 0:
        return                           # absent (proto3 default): not said
    _mark(r, F_ORDER_TYPE)
    _mark(r, F_TIME_IN_FORCE)
    if t == 1:
        r.order_type = LIMIT
        r.time_in_force = GTC
    elif t == 2:
        r.order_type = LIMIT_MAKER
        r.time_in_force = POST_ONLY
    elif t == 3:
        r.order_type = LIMIT
        r.time_in_force = IOC
    elif t == 4:
        r.order_type = LIMIT
        r.time_in_force = FOK
    elif t == 5:
        r.order_type = MARKET
        r.time_in_force = TIF_NONE
    else:                                # 100 (stop-limit, placed elsewhere) and anything new
        r.order_type = 0
        r.time_in_force = TIF_NONE
        r.flags |= REC_UNKNOWN_ENUM


cdef inline void _side(ExecRecord *r, int32_t t) noexcept nogil:
    if t == 0:
        return
    _mark(r, F_SIDE)
    if t == 1:
        r.side = BUY
    elif t == 2:
        r.side = SELL
    else:
        r.side = 0
        r.flags |= REC_UNKNOWN_ENUM


cdef int _finish_order(ExecRecord *r, Wrap *w) noexcept nogil:
    cdef int32_t s = w.status
    if s < STATUS_NEW or s > STATUS_PARTIALLY_CANCELED:
        return PB_E_SHAPE
    _order_type(r, w.order_type)
    _side(r, w.trade_type)
    if s == STATUS_NEW:
        r.order_state = NEW
    elif s == STATUS_FILLED:
        r.order_state = FILLED
    elif s == STATUS_PARTIALLY_FILLED:
        r.order_state = PARTIALLY_FILLED
    else:
        r.order_state = CANCELLED        # 5: partially cancelled, terminal, its fill kept
        if record_has(r, F_TIME_IN_FORCE) and (r.time_in_force == IOC or r.time_in_force == FOK
                                               or r.order_type == MARKET):
            r.order_state = EXPIRED      # rule 4
    _mark(r, F_ORDER_STATE)
    _mark(r, F_IS_MAKER)                 # rule 2: absent is false
    r.flags |= REC_NO_AMEND              # MEXC never amends: another quantity or price is not an amendment
    r.kind = MSG_ORDER_STATE
    return PB_OK


cdef int _finish_deal(ExecRecord *r, Wrap *w) noexcept nogil:
    if not (record_has(r, F_LAST_PRICE) and record_has(r, F_LAST_QTY) and record_has(r, F_EXEC_ID)):
        return PB_E_SHAPE
    _side(r, w.trade_type)
    r.exec_type = EXEC_TRADE
    _mark(r, F_EXEC_TYPE)
    _mark(r, F_IS_MAKER)
    r.kind = MSG_TRADE
    return PB_OK


cdef class MexcStreamParser(RecordParser):
    """Parse MEXC private-stream protobuf frames into one reusable record, allocation-free.

    Usage: ``kind = p.parse(frame)``; for ``ORDER_STATE`` / ``TRADE`` one
    ``p.next_record()`` hands the record out (as for every parser).  An account push
    gives ``OTHER`` with ``p.body == 307`` and its balance in ``account_*``.
    """

    def __cinit__(self):
        memset(&self.rec, 0, sizeof(ExecRecord))
        memset(&self.bal, 0, sizeof(MexcBalance))
        self.body = 0

    cdef int parse_c(self, const unsigned char *buf, Py_ssize_t size) except -1:
        """Read buf[0:size]; return the MsgKind or raise ParseError (the record is then empty)."""
        cdef pb_cur c
        cdef Wrap w
        cdef int st, body = 0
        cdef const unsigned char *err_at = NULL
        cdef ExecRecord *r = &self.rec
        _reset(r)
        memset(&self.bal, 0, sizeof(MexcBalance))
        memset(&w, 0, sizeof(Wrap))
        c.p = buf
        c.end = buf + size
        c.limit = c.end
        self._records_left = 0
        st = _wrapper(&c, r, &self.bal, &w, &body, &err_at)
        if st == PB_OK:
            if body == BODY_ORDERS:
                st = _finish_order(r, &w)
            elif body == BODY_DEALS:
                st = _finish_deal(r, &w)
            else:
                r.kind = MSG_OTHER
                if body == BODY_ACCOUNT and self.bal.asset_len == 0:
                    st = PB_E_SHAPE
        if st == PB_OK and (body == BODY_ORDERS or body == BODY_DEALS):
            if w.sym_n > EXEC_SYMBOL_CAP:
                st = PB_E_VALUE
                err_at = w.sym
            elif w.sym_n:
                pb_copy_short(r.symbol, w.sym, w.sym_n)
                r.symbol_len = <uint8_t>w.sym_n
                _mark(r, F_SYMBOL)
        if st != PB_OK:
            memset(r, 0, sizeof(ExecRecord))
            memset(&self.bal, 0, sizeof(MexcBalance))
            r.kind = MSG_NONE
            self.body = 0
            self.error_offset = (err_at if err_at != NULL else c.p) - buf
            raise ParseError(f"{_REASONS.get(st, 'parse failure')} at byte {self.error_offset} of {size}", st,
                             self.error_offset)
        if w.has_send:
            r.ts_event_ms = w.send_time
            _mark(r, F_EVENT_TIME)
        elif w.has_create:
            r.ts_event_ms = w.create_time
            _mark(r, F_EVENT_TIME)
        if body == BODY_ACCOUNT and self.bal.ts_ms == 0:
            self.bal.ts_ms = r.ts_event_ms
        self.body = body if body == BODY_ORDERS or body == BODY_DEALS or body == BODY_ACCOUNT else 0
        self.error_offset = -1
        self._records_left = 1 if r.kind == MSG_ORDER_STATE or r.kind == MSG_TRADE else 0
        return r.kind

    def parse(self, data):
        """Read one binary frame of the private stream.

        Parameters
        ----------
        data : bytes or bytes-like
            One complete ``PushDataV3ApiWrapper`` (non-bytes inputs are copied once).

        Returns
        -------
        int
            The :class:`~engine._parse_common.MessageKind` value.

        Raises
        ------
        ParseError
            Malformed, truncated or unusable input; the record is then empty.
        """
        if not PyBytes_CheckExact(data):
            data = bytes(data)
        return self.parse_c(<const unsigned char *>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))

    @property
    def account_asset(self):
        """The asset of the last account push (str; "" when the last push was not one)."""
        return self.bal.asset[:self.bal.asset_len].decode("utf-8") if self.body == BODY_ACCOUNT else ""

    @property
    def account_free_raw(self):
        """``balanceAmount`` of the last account push: what is available (raw fixed point)."""
        return self.bal.free_raw

    @property
    def account_locked_raw(self):
        """``frozenAmount`` of the last account push: what open orders hold (raw fixed point)."""
        return self.bal.locked_raw

    @property
    def account_ts_ms(self):
        """The time of the last account push's change (its ``time``, else the wrapper's; venue ms)."""
        return self.bal.ts_ms

    @property
    def account_flags(self):
        """RecordFlag bits of the last account push (``ROUNDED``)."""
        return self.bal.flags


def parse_many(MexcStreamParser parser, list frames, Py_ssize_t rounds):
    """Parse each of ``frames`` (bytes) ``rounds`` times through the C entry point (bench/test hook)."""
    cdef Py_ssize_t i, k, n = len(frames)
    cdef bytes f
    for i in range(rounds):
        for k in range(n):
            f = <bytes>frames[k]
            parser.parse_c(<const unsigned char *>PyBytes_AS_STRING(f), PyBytes_GET_SIZE(f))
