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
7. A body is read in two steps: its fields are found in one pass (``pb_scan`` of
   ext/pbwire.h, driven by a table per body: strings kept as spans of the frame, numbers
   as values), then converted once the frame is whole.  So only a field's last
   occurrence is converted and judged (an id too long or a decimal that is not one is an
   error as the field's final value, as the reference decoder sees it), while every
   string occurrence is still checked to be UTF-8.
"""

from engine._parse_common import ParseError

cimport cython
from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_CheckExact
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint32_t
from libc.stdint cimport uint64_t
from libc.stdint cimport uint8_t
from libc.string cimport memcmp
from libc.string cimport memset

from engine._account cimport Account
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
from engine._pbwire cimport PB_ENTRY
from engine._pbwire cimport PB_K_LAZY
from engine._pbwire cimport PB_K_SKIP
from engine._pbwire cimport PB_K_STRING
from engine._pbwire cimport PB_K_VARINT
from engine._pbwire cimport pb_bytes
from engine._pbwire cimport pb_cur
from engine._pbwire cimport pb_decimal_fast
from engine._pbwire cimport pb_fields
from engine._pbwire cimport pb_lowest
from engine._pbwire cimport pb_scan
from engine._pbwire cimport pb_span
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


cdef enum:
    # Slots of a body's fields while the frame is read (Wrap.f; ext/pbwire.h pb_scan): the fields
    # are found first and their values converted once the frame is whole (rule 1: the last
    # occurrence wins, so only it is converted).  Decimals 0..7, ids 8..11, numbers 12..15.
    S_PRICE = 0                  # orders: price; deals: price (of the fill); account: balanceAmount
    S_QTY = 1                    # orders: quantity; deals: quantity (of the fill); account: frozenAmount
    S_AVG = 2                    # orders: avgPrice; deals: amount (quote of the fill)
    S_LEAVES = 3                 # orders: remainQuantity; deals: feeAmount
    S_LAST = 4                   # orders: lastDealQuantity
    S_CUM_QTY = 5                # orders: cumulativeQuantity
    S_CUM_QUOTE = 6              # orders: cumulativeAmount
    S_STOP = 7                   # orders: triggerPrice
    S_DECIMALS = 8
    S_ID = 8                     # orders: id; deals: tradeId; account: vcoinName
    S_CLIENT = 9                 # orders: clientId; deals: clientOrderId
    S_ORDER_ID = 10              # deals: orderId
    S_FEE_ASSET = 11             # deals: feeCurrency
    S_ORDER_TYPE = 12            # orders: orderType
    S_TRADE_TYPE = 13            # orders, deals: tradeType
    S_IS_MAKER = 14              # orders, deals: isMaker
    S_STATUS = 15                # orders: status; deals, account: time


ctypedef struct Wrap:
    const unsigned char *sym     # wrapper field 3 (last occurrence)
    size_t sym_n
    int64_t create_time          # wrapper field 5
    int64_t send_time            # wrapper field 6
    bint has_create
    bint has_send
    pb_fields f                  # the body's fields (a repeated body merged into them)


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


cdef inline int _rd_i64(pb_cur *c, int64_t *dst) noexcept nogil:
    cdef uint64_t v
    cdef int st = pb_varint(c, &v)
    if st == PB_OK:
        dst[0] = <int64_t>v
    return st


cdef inline int _skip_string(pb_cur *c) noexcept nogil:
    """A string field we do not keep: still checked to be UTF-8 (rule 1 of ext/pbwire.h)."""
    cdef const unsigned char *s
    cdef size_t n
    return pb_string(c, &s, &n)


# What each body's fields are to pb_scan (indexed by the whole tag; 0: skipped by wire type).
cdef unsigned char ORDER_TABLE[256]
cdef unsigned char DEAL_TABLE[256]
cdef unsigned char ACCOUNT_TABLE[256]


cdef void _tables() noexcept:
    cdef int t
    for t in (O_ID, O_CLIENT_ID):
        ORDER_TABLE[t] = PB_ENTRY(PB_K_STRING, S_ID if t == O_ID else S_CLIENT)
    ORDER_TABLE[O_PRICE] = PB_ENTRY(PB_K_LAZY, S_PRICE)
    ORDER_TABLE[O_QUANTITY] = PB_ENTRY(PB_K_LAZY, S_QTY)
    ORDER_TABLE[O_AVG_PRICE] = PB_ENTRY(PB_K_LAZY, S_AVG)
    ORDER_TABLE[O_REMAIN_QUANTITY] = PB_ENTRY(PB_K_LAZY, S_LEAVES)
    ORDER_TABLE[O_LAST_DEAL_QUANTITY] = PB_ENTRY(PB_K_LAZY, S_LAST)
    ORDER_TABLE[O_CUM_QUANTITY] = PB_ENTRY(PB_K_LAZY, S_CUM_QTY)
    ORDER_TABLE[O_CUM_AMOUNT] = PB_ENTRY(PB_K_LAZY, S_CUM_QUOTE)
    ORDER_TABLE[O_TRIGGER_PRICE] = PB_ENTRY(PB_K_LAZY, S_STOP)
    for t in (O_AMOUNT, O_REMAIN_AMOUNT, O_MARKET, O_OCO_ID, O_ROUTE_FACTOR, O_SYMBOL_ID, O_MARKET_ID,
              O_MARKET_CURRENCY_ID, O_CURRENCY_ID):
        ORDER_TABLE[t] = PB_ENTRY(PB_K_SKIP, 0)
    ORDER_TABLE[O_ORDER_TYPE] = PB_ENTRY(PB_K_VARINT, S_ORDER_TYPE)
    ORDER_TABLE[O_TRADE_TYPE] = PB_ENTRY(PB_K_VARINT, S_TRADE_TYPE)
    ORDER_TABLE[O_IS_MAKER] = PB_ENTRY(PB_K_VARINT, S_IS_MAKER)
    ORDER_TABLE[O_STATUS] = PB_ENTRY(PB_K_VARINT, S_STATUS)
    # createTime, triggerType, state: varints not kept (0: skipped, read as varints all the same)
    DEAL_TABLE[D_PRICE] = PB_ENTRY(PB_K_LAZY, S_PRICE)
    DEAL_TABLE[D_QUANTITY] = PB_ENTRY(PB_K_LAZY, S_QTY)
    DEAL_TABLE[D_AMOUNT] = PB_ENTRY(PB_K_LAZY, S_AVG)
    DEAL_TABLE[D_FEE_AMOUNT] = PB_ENTRY(PB_K_LAZY, S_LEAVES)
    DEAL_TABLE[D_TRADE_ID] = PB_ENTRY(PB_K_STRING, S_ID)
    DEAL_TABLE[D_CLIENT_ORDER_ID] = PB_ENTRY(PB_K_STRING, S_CLIENT)
    DEAL_TABLE[D_ORDER_ID] = PB_ENTRY(PB_K_STRING, S_ORDER_ID)
    DEAL_TABLE[D_FEE_CURRENCY] = PB_ENTRY(PB_K_STRING, S_FEE_ASSET)
    DEAL_TABLE[D_TRADE_TYPE] = PB_ENTRY(PB_K_VARINT, S_TRADE_TYPE)
    DEAL_TABLE[D_IS_MAKER] = PB_ENTRY(PB_K_VARINT, S_IS_MAKER)
    DEAL_TABLE[D_TIME] = PB_ENTRY(PB_K_VARINT, S_STATUS)
    # isSelfTrade: a varint not kept
    ACCOUNT_TABLE[A_BALANCE_AMOUNT] = PB_ENTRY(PB_K_LAZY, S_PRICE)
    ACCOUNT_TABLE[A_FROZEN_AMOUNT] = PB_ENTRY(PB_K_LAZY, S_QTY)
    ACCOUNT_TABLE[A_VCOIN_NAME] = PB_ENTRY(PB_K_STRING, S_ID)
    for t in (A_COIN_ID, A_BALANCE_AMOUNT_CHANGE, A_FROZEN_AMOUNT_CHANGE, A_TYPE):
        ACCOUNT_TABLE[t] = PB_ENTRY(PB_K_SKIP, 0)
    ACCOUNT_TABLE[A_TIME] = PB_ENTRY(PB_K_VARINT, S_STATUS)


_tables()


cdef int _body(int field, const unsigned char *s, size_t n, const unsigned char *limit, ExecRecord *r,
               MexcBalance *b, Wrap *w, const unsigned char **err_at) noexcept nogil:
    cdef pb_cur sub
    cdef int st
    sub.p = s
    sub.end = s + n
    sub.limit = limit
    if field == BODY_ORDERS:
        st = pb_scan(&sub, ORDER_TABLE, &w.f)
    elif field == BODY_DEALS:
        st = pb_scan(&sub, DEAL_TABLE, &w.f)
    elif field == BODY_ACCOUNT:
        st = pb_scan(&sub, ACCOUNT_TABLE, &w.f)
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
                        w.f.seen = 0
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


cdef ExecRecord _LAYOUT                  # only its field addresses are used: the offsets below
cdef size_t ORDER_DECIMAL_AT[S_DECIMALS]     # where each decimal slot of an order lands in the record
cdef int ORDER_DECIMAL_BIT[S_DECIMALS]
cdef size_t DEAL_DECIMAL_AT[S_DECIMALS]      # likewise for a deal (slots 0..3)
cdef int DEAL_DECIMAL_BIT[S_DECIMALS]


cdef size_t _at(const int64_t *field) noexcept:
    return <size_t>(<const char *>field - <const char *>&_LAYOUT)


ORDER_DECIMAL_AT[:] = [_at(&_LAYOUT.price_raw), _at(&_LAYOUT.qty_raw), _at(&_LAYOUT.avg_price_raw),
                       _at(&_LAYOUT.leaves_qty_raw), _at(&_LAYOUT.last_qty_raw), _at(&_LAYOUT.cum_qty_raw),
                       _at(&_LAYOUT.cum_quote_raw), _at(&_LAYOUT.stop_price_raw)]
ORDER_DECIMAL_BIT[:] = [F_PRICE, F_QTY, F_AVG_PRICE, F_LEAVES_QTY, F_LAST_QTY, F_CUM_QTY, F_CUM_QUOTE, F_STOP_PRICE]
DEAL_DECIMAL_AT[:] = [_at(&_LAYOUT.last_price_raw), _at(&_LAYOUT.last_qty_raw), _at(&_LAYOUT.last_quote_raw),
                      _at(&_LAYOUT.commission_raw), 0, 0, 0, 0]
DEAL_DECIMAL_BIT[:] = [F_LAST_PRICE, F_LAST_QTY, F_LAST_QUOTE, F_COMMISSION, 0, 0, 0, 0]


cdef inline bint _has(const Wrap *w, int slot) noexcept nogil:
    return (w.f.seen >> slot) & 1


cdef inline int64_t _number(const Wrap *w, int slot) noexcept nogil:
    """A varint slot's value, 0 when absent (proto3's default)."""
    return <int64_t>w.f.slot[slot].val if _has(w, slot) else 0


cdef int _conv_slow(const pb_span *sp, int64_t *dst, uint32_t *flags, const unsigned char **err_at) noexcept nogil:
    """A decimal the fast path declined: the general reader's, 1 read or a negative status."""
    cdef uint8_t rounded = 0
    cdef int st = _decimal_slow(sp.s, sp.n, dst, &rounded)
    if st < 0:
        err_at[0] = sp.s
        return st
    if rounded:
        flags[0] |= REC_ROUNDED
    return 1


cdef int _conv(const pb_span *sp, const unsigned char *limit, int64_t *dst, uint32_t *flags,
               const unsigned char **err_at) noexcept nogil:
    """A decimal kept: 1 read, 0 empty (absent), or a negative status."""
    cdef int st
    if sp.n == 0:
        return 0
    st = pb_decimal_fast(sp.s, sp.n, limit, dst)
    if st == 2:
        flags[0] |= REC_ROUNDED
    return st if st else _conv_slow(sp, dst, flags, err_at)


cdef int _decimals(ExecRecord *r, const Wrap *w, const size_t *at, const int *bit, const unsigned char *limit,
                   const unsigned char **err_at) noexcept nogil:
    """The decimal slots found, into their record fields (an empty string is an absent field).  The
    fast path is written out here rather than called, one copy for the whole loop."""
    cdef int i, st
    cdef const pb_span *sp
    cdef int64_t *dst
    cdef uint32_t todo = w.f.seen & ((1u << S_DECIMALS) - 1)
    while todo:
        i = <int>pb_lowest(todo)
        todo &= todo - 1
        sp = &w.f.slot[i].span
        if sp.n == 0:
            continue
        dst = <int64_t *>(<char *>r + at[i])
        st = pb_decimal_fast(sp.s, sp.n, limit, dst)
        if st == 0:
            st = _conv_slow(sp, dst, &r.flags, err_at)
            if st < 0:
                return st
        elif st == 2:
            r.flags |= REC_ROUNDED
        _mark(r, bit[i])
    return PB_OK


cdef inline int _text(ExecRecord *r, const Wrap *w, int slot, char *dst, size_t cap, uint8_t *length, int bit,
                      const unsigned char **err_at) noexcept nogil:
    """An id slot found, into its record buffer; longer than the buffer: PB_E_VALUE (ids are never cut)."""
    cdef const pb_span *sp = &w.f.slot[slot].span
    if not _has(w, slot) or sp.n == 0:
        return PB_OK
    if sp.n > cap:
        err_at[0] = sp.s
        return PB_E_VALUE
    pb_copy_short(dst, sp.s, sp.n)
    length[0] = <uint8_t>sp.n
    _mark(r, bit)
    return PB_OK


cdef int _finish_order(ExecRecord *r, const Wrap *w, const unsigned char *limit,
                       const unsigned char **err_at) noexcept nogil:
    cdef int32_t s = <int32_t><uint32_t>_number(w, S_STATUS)
    cdef int st
    if s < STATUS_NEW or s > STATUS_PARTIALLY_CANCELED:
        return PB_E_SHAPE
    st = _text(r, w, S_ID, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID, err_at)
    if st == PB_OK:
        st = _text(r, w, S_CLIENT, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, err_at)
    if st == PB_OK:
        st = _decimals(r, w, ORDER_DECIMAL_AT, ORDER_DECIMAL_BIT, limit, err_at)
    if st != PB_OK:
        return st
    _order_type(r, <int32_t><uint32_t>_number(w, S_ORDER_TYPE))
    _side(r, <int32_t><uint32_t>_number(w, S_TRADE_TYPE))
    r.is_maker = _number(w, S_IS_MAKER) != 0
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


cdef int _finish_deal(ExecRecord *r, const Wrap *w, const unsigned char *limit,
                      const unsigned char **err_at) noexcept nogil:
    cdef int st = _decimals(r, w, DEAL_DECIMAL_AT, DEAL_DECIMAL_BIT, limit, err_at)
    if st == PB_OK:
        st = _text(r, w, S_ID, r.exec_id, EXEC_VENUE_ID_CAP, &r.exec_id_len, F_EXEC_ID, err_at)
    if st == PB_OK:
        st = _text(r, w, S_CLIENT, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, err_at)
    if st == PB_OK:
        st = _text(r, w, S_ORDER_ID, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID,
                   err_at)
    if st == PB_OK:
        st = _text(r, w, S_FEE_ASSET, r.commission_asset, EXEC_ASSET_CAP, &r.commission_asset_len,
                   F_COMMISSION_ASSET, err_at)
    if st != PB_OK:
        return st
    if not (record_has(r, F_LAST_PRICE) and record_has(r, F_LAST_QTY) and record_has(r, F_EXEC_ID)):
        return PB_E_SHAPE
    if _has(w, S_STATUS):                # the deal's time
        r.ts_transact_ms = <int64_t>w.f.slot[S_STATUS].val
        _mark(r, F_TRANSACT_TIME)
    _side(r, <int32_t><uint32_t>_number(w, S_TRADE_TYPE))
    r.is_maker = _number(w, S_IS_MAKER) != 0
    r.exec_type = EXEC_TRADE
    _mark(r, F_EXEC_TYPE)
    _mark(r, F_IS_MAKER)
    r.kind = MSG_TRADE
    return PB_OK


cdef int _finish_account(MexcBalance *b, const Wrap *w, const unsigned char *limit,
                         const unsigned char **err_at) noexcept nogil:
    cdef const pb_span *asset = &w.f.slot[S_ID].span
    cdef uint32_t flags = 0
    cdef int st
    if not _has(w, S_ID) or asset.n == 0:
        return PB_E_SHAPE
    if asset.n > MEXC_ASSET_CAP:
        err_at[0] = asset.s
        return PB_E_VALUE
    pb_copy_short(b.asset, asset.s, asset.n)
    b.asset_len = <uint8_t>asset.n
    if _has(w, S_PRICE):
        st = _conv(&w.f.slot[S_PRICE].span, limit, &b.free_raw, &flags, err_at)
        if st < 0:
            return st
    if _has(w, S_QTY):
        st = _conv(&w.f.slot[S_QTY].span, limit, &b.locked_raw, &flags, err_at)
        if st < 0:
            return st
    b.flags = <uint8_t>flags
    b.ts_ms = _number(w, S_STATUS)
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
        self._held = None                # holds() is true only of the frame parse() read last, and read whole
        _reset(r)
        memset(&self.bal, 0, sizeof(MexcBalance))
        w.sym = NULL                     # field by field: the slots count only once in `seen`
        w.sym_n = 0
        w.create_time = w.send_time = 0
        w.has_create = w.has_send = False
        w.f.seen = 0
        c.p = buf
        c.end = buf + size
        c.limit = c.end
        self._records_left = 0
        st = _wrapper(&c, r, &self.bal, &w, &body, &err_at)
        if st == PB_OK:
            if body == BODY_ORDERS:
                st = _finish_order(r, &w, c.limit, &err_at)
            elif body == BODY_DEALS:
                st = _finish_deal(r, &w, c.limit, &err_at)
            else:
                r.kind = MSG_OTHER
                if body == BODY_ACCOUNT:
                    st = _finish_account(&self.bal, &w, c.limit, &err_at)
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

    @cython.always_allow_keywords(False)
    def parse(self, data):
        """Read one binary frame of the private stream (METH_O: one positional argument, no keyword parsing).

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
        cdef int kind
        if not PyBytes_CheckExact(data):
            data = bytes(data)
        kind = self.parse_c(<const unsigned char *>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        self._held = data
        return kind

    @cython.always_allow_keywords(False)
    def holds(self, data):
        """Whether the last successful :meth:`parse` read this very object (identity, not equal bytes):
        a second reader of the same frame (the account messages after the order stream) then reads what
        this parser holds instead of parsing it again."""
        return data is self._held

    def apply_spot(self, Account account not None, list asset_names not None):
        """The balance of the last account push written to ``account`` in one call (no Python object made):
        ``balanceAmount`` as free, ``frozenAmount`` as locked.

        ``asset_names`` are the registry's asset names by id.  Returns 1, or -1 with nothing applied when
        the last parse was not an account push or names an asset the registry does not have yet (the
        caller then applies it by name, registering the asset).
        """
        cdef Py_ssize_t i, n
        cdef const char *p
        if self.body != BODY_ACCOUNT:
            return -1
        for i in range(min(len(asset_names), <Py_ssize_t>account.n_assets)):
            p = PyUnicode_AsUTF8AndSize(asset_names[i], &n)
            if n == self.bal.asset_len and memcmp(p, self.bal.asset, <size_t>n) == 0:
                account.apply_balance_c(<int32_t>i, self.bal.free_raw, self.bal.locked_raw)
                return 1
        return -1

    @cython.always_allow_keywords(False)
    def asset(self, Py_ssize_t i):
        """Asset of balance row ``i`` of the last parse: an account push has one (row 0; allocates a str)."""
        if i != 0 or self.body != BODY_ACCOUNT:
            raise IndexError(f"balance row {i} of a parse holding {1 if self.body == BODY_ACCOUNT else 0}")
        return self.account_asset

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


def read_many(MexcStreamParser parser, parse, list frames, Py_ssize_t rounds):
    """Each of ``frames`` read ``rounds`` times as the engine's compiled stream loop reads a push
    (``engine._record_loop.RecordLoop.run``: ``parse``, the parser's bound ``parse`` taken once, called
    from C, then the records taken in C), without applying them (bench/test hook)."""
    cdef Py_ssize_t i, k, n = len(frames)
    for i in range(rounds):
        for k in range(n):
            parse(frames[k])
            while parser.next_record_c():
                pass
