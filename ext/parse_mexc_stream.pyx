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
from libc.string cimport memcpy
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
from engine._pbwire cimport PB_WT_VARINT
from engine._pbwire cimport pb_bytes
from engine._pbwire cimport pb_cur
from engine._pbwire cimport pb_decimal_fast
from engine._pbwire cimport pb_skip
from engine._pbwire cimport pb_string
from engine._pbwire cimport pb_tag
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
    memset(r, 0, <size_t>(<char *>r.symbol - <char *>r))


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
    """A decimal string -> raw: 1 read, 0 empty (absent), or a negative status."""
    if n == 0:
        dst[0] = 0
        return 0
    if pb_decimal_fast(s, n, limit, dst):
        return 1
    return _decimal_slow(s, n, dst, rounded)


cdef inline int _rd_decimal(pb_cur *c, ExecRecord *r, int64_t *dst, int bit) noexcept nogil:
    """A decimal string field (its UTF-8 check is the decimal syntax itself: digits, '-' and '.')."""
    cdef const unsigned char *s
    cdef size_t n
    cdef uint8_t rounded = 0
    cdef int st = pb_bytes(c, &s, &n)
    if st != PB_OK:
        return st
    _unmark(r, bit)                      # the last occurrence wins, an empty one included
    st = _decimal(s, n, c.limit, dst, &rounded)
    if st < 0:
        return st
    if st:
        _mark(r, bit)
        if rounded:
            r.flags |= REC_ROUNDED
    return PB_OK


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
        memcpy(dst, s, n)
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
    cdef uint32_t field
    cdef int wire, st
    cdef int64_t ignored
    while c.p < c.end:
        st = pb_tag(c, &field, &wire)
        if st != PB_OK:
            return st
        if wire == PB_WT_LEN and (field <= 6 or (10 <= field <= 14) or field == 17 or field == 19
                                  or (21 <= field <= 26)):
            if field == 1:
                st = _rd_text(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID)
            elif field == 2:
                st = _rd_text(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID)
            elif field == 3:
                st = _rd_decimal(c, r, &r.price_raw, F_PRICE)
            elif field == 4:
                st = _rd_decimal(c, r, &r.qty_raw, F_QTY)
            elif field == 6:
                st = _rd_decimal(c, r, &r.avg_price_raw, F_AVG_PRICE)
            elif field == 11:
                st = _rd_decimal(c, r, &r.leaves_qty_raw, F_LEAVES_QTY)
            elif field == 12:
                st = _rd_decimal(c, r, &r.last_qty_raw, F_LAST_QTY)
            elif field == 13:
                st = _rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
            elif field == 14:
                st = _rd_decimal(c, r, &r.cum_quote_raw, F_CUM_QUOTE)
            elif field == 19:
                st = _rd_decimal(c, r, &r.stop_price_raw, F_STOP_PRICE)
            else:                        # amount, remainAmount, market, ocoId ... currencyId
                st = _skip_string(c)
        elif wire == PB_WT_VARINT and ((7 <= field <= 9) or (15 <= field <= 16) or field == 18 or field == 20):
            if field == 7:
                st = _rd_i32(c, &w.order_type)
            elif field == 8:
                st = _rd_i32(c, &w.trade_type)
            elif field == 9:
                st = _rd_bool(c, &r.is_maker)
            elif field == 15:
                st = _rd_i32(c, &w.status)
            else:                        # createTime, triggerType, state
                st = _rd_i64(c, &ignored)
        else:
            st = pb_skip(c, wire)        # unknown, or a known field of another wire type
        if st != PB_OK:
            return st
    return PB_OK


cdef int _deals(pb_cur *c, ExecRecord *r, Wrap *w) noexcept nogil:
    """The fields of one PrivateDealsV3Api body (merged into what r already holds)."""
    cdef uint32_t field
    cdef int wire, st
    cdef uint8_t ignored
    while c.p < c.end:
        st = pb_tag(c, &field, &wire)
        if st != PB_OK:
            return st
        if wire == PB_WT_LEN and (field <= 3 or (7 <= field <= 11)):
            if field == 1:
                st = _rd_decimal(c, r, &r.last_price_raw, F_LAST_PRICE)
            elif field == 2:
                st = _rd_decimal(c, r, &r.last_qty_raw, F_LAST_QTY)
            elif field == 3:
                st = _rd_decimal(c, r, &r.last_quote_raw, F_LAST_QUOTE)
            elif field == 7:
                st = _rd_text(c, r, r.exec_id, EXEC_VENUE_ID_CAP, &r.exec_id_len, F_EXEC_ID)
            elif field == 8:
                st = _rd_text(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID)
            elif field == 9:
                st = _rd_text(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID)
            elif field == 10:
                st = _rd_decimal(c, r, &r.commission_raw, F_COMMISSION)
            else:
                st = _rd_text(c, r, r.commission_asset, EXEC_ASSET_CAP, &r.commission_asset_len,
                              F_COMMISSION_ASSET)
        elif wire == PB_WT_VARINT and (4 <= field <= 6 or field == 12):
            if field == 4:
                st = _rd_i32(c, &w.trade_type)
            elif field == 5:
                st = _rd_bool(c, &r.is_maker)
            elif field == 6:
                st = _rd_bool(c, &ignored)
            else:
                st = _rd_i64(c, &r.ts_transact_ms)
                if st == PB_OK:
                    _mark(r, F_TRANSACT_TIME)
        else:
            st = pb_skip(c, wire)
        if st != PB_OK:
            return st
    return PB_OK


cdef int _account(pb_cur *c, MexcBalance *b) noexcept nogil:
    """The fields of one PrivateAccountV3Api body (merged into what b already holds)."""
    cdef uint32_t field
    cdef int wire, st
    cdef const unsigned char *s
    cdef size_t n
    cdef uint8_t rounded
    while c.p < c.end:
        st = pb_tag(c, &field, &wire)
        if st != PB_OK:
            return st
        if wire == PB_WT_LEN and 1 <= field <= 7:
            st = pb_string(c, &s, &n)
            if st != PB_OK:
                return st
            rounded = 0
            if field == 1:
                if n > MEXC_ASSET_CAP:
                    return PB_E_VALUE
                memcpy(b.asset, s, n)
                b.asset_len = <uint8_t>n
            elif field == 3:
                st = _decimal(s, n, c.limit, &b.free_raw, &rounded)
            elif field == 5:
                st = _decimal(s, n, c.limit, &b.locked_raw, &rounded)
            if st < 0:
                return st
            st = PB_OK
            if rounded:
                b.flags |= REC_ROUNDED
        elif wire == PB_WT_VARINT and field == 8:
            st = _rd_i64(c, &b.ts_ms)
        else:
            st = pb_skip(c, wire)
        if st != PB_OK:
            return st
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
    cdef uint32_t field
    cdef int wire, st
    cdef const unsigned char *s
    cdef size_t n
    while c.p < c.end:
        st = pb_tag(c, &field, &wire)
        if st != PB_OK:
            return st
        if wire == PB_WT_LEN and (field == 1 or field == 3 or field == 4):
            st = pb_string(c, &s, &n)
            if st == PB_OK and field == 3:
                w.sym = s
                w.sym_n = n
        elif wire == PB_WT_VARINT and (field == 5 or field == 6):
            if field == 5:
                st = _rd_i64(c, &w.create_time)
                w.has_create = True
            else:
                st = _rd_i64(c, &w.send_time)
                w.has_send = True
        elif wire == PB_WT_LEN and BODY_FIRST <= field <= BODY_LAST:
            st = pb_bytes(c, &s, &n)
            if st != PB_OK:
                return st
            if <int>field != body[0]:    # another member of the oneof replaces the body before
                _reset(r)
                memset(b, 0, sizeof(MexcBalance))
                w.status = w.order_type = w.trade_type = 0
                body[0] = <int>field
            st = _body(<int>field, s, n, c.limit, r, b, w, err_at)
            if st != PB_OK:
                return st
        else:
            st = pb_skip(c, wire)
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
                memcpy(r.symbol, w.sym, w.sym_n)
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
