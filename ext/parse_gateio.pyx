"""Gate.io APIv4 spot hot-message parser: wire bytes straight into an ``ExecRecord``.

Reads (shared/venues/gateio-spot.md §4, §7, §8):

1. WebSocket v4 pushes ``{"time","time_ms","channel":"spot.orders"|"spot.usertrades","event":"update",
   "result":[...]}``: ``parse`` validates the whole message and records the envelope
   (``time_ms``), then each ``next_record`` fills the record from the next ``result`` item
   (``MSG_ORDER_STATE`` for orders, ``MSG_TRADE`` for fills);
2. REST order answers (a bare Order object: create 201, get, cancel, amend) and the
   WebSocket order API's result frames ``{"request_id","header":{"status":"200",...},
   "data":{"result":{Order}}}``: one order record, complete after ``parse``;
3. errors: REST ``{"label","message"}``, the order API's ``header.status`` (a string) with
   ``data.errs {label,message}``, a channel's ``error {code,message}``: ``MSG_ERROR`` with
   the label (else the message) in ``error_msg`` and the status or code in ``error_code``.

The order API's ack frame (``"ack":true``), subscription answers, pongs, ``spot.balances``
and every other channel are ``MSG_OTHER``.  Invariants:

1. ``parse`` checks the whole message is valid JSON before any record is handed out, so a
   truncated push never yields a partial batch; a record whose fields are unusable
   (wrong types, ids too long, bad decimals) raises ParseError from ``next_record`` and
   ends the batch.  A push's first item (most pushes carry one) is read by that same
   pass when the channel came before ``result``, as the venue sends it, rather than
   scanned once to validate and again to read; only the items after it are scanned twice.
2. Every byte read is preceded by a remaining-length check (jsonscan.h).
3. Field types as the venue sends them, and the other spelling too: ids as strings or
   integers (``spot.usertrades`` ``id`` is an integer, REST trade ids strings),
   millisecond times as integers (REST, order API) or strings (``spot.orders``), with a
   fractional part (``spot.usertrades`` ``create_time_ms`` "1605176741123.456": whole
   milliseconds kept).
4. An order's state comes from ``status`` / ``event`` + ``finish_as`` + ``filled_amount`` /
   ``left`` together, never from ``status`` alone (a ``cancelled`` order may be partly or
   wholly filled): open (``status`` open, ``event`` put/update) is NEW, or PARTIALLY_FILLED
   once something filled; ended, ``finish_as`` says how: ``filled`` FILLED; ``cancelled``,
   ``liquidate_cancelled``, ``stp`` and ``poc`` (a post-only order that would have taken)
   CANCELLED; ``ioc``, ``fok``, ``depth_not_enough``, ``trader_not_enough`` and ``small``
   (the venue ended the rest) EXPIRED; without a known ``finish_as``, ``status`` closed is
   FILLED and cancelled CANCELLED.  An ended order with nothing ``left`` and something
   filled is FILLED whatever those words say.
5. Fills are counted from ``spot.usertrades`` only (each once, by trade id); an order
   record never carries fills to the store.  So an *answer* (not a push) that ends an order
   with some fills (a cancelled or IOC order partly filled) is ``MSG_ORDER_RECEIVED``: its
   end is told by the order's ``finish`` push, after the trades that filled it.  An answer
   that names the order without its state (``action_mode`` ACK) is an ack too.
"""

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_CheckExact
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int64_t
from libc.stdint cimport uint32_t
from libc.stdint cimport uint8_t
from libc.stdint cimport uint64_t
from libc.string cimport memcmp
from libc.string cimport memcpy
from libc.string cimport memset

from engine._enums cimport BUY
from engine._enums cimport CANCELLED
from engine._enums cimport EXPIRED
from engine._enums cimport FILLED
from engine._enums cimport FOK
from engine._enums cimport GTC
from engine._enums cimport IOC
from engine._enums cimport LIMIT
from engine._enums cimport MARKET
from engine._enums cimport NEW
from engine._enums cimport PARTIALLY_FILLED
from engine._enums cimport POST_ONLY
from engine._enums cimport SELL
from engine._exec_record cimport EXEC_ASSET_CAP
from engine._exec_record cimport EXEC_ID_CAP
from engine._exec_record cimport EXEC_MSG_CAP
from engine._exec_record cimport EXEC_SYMBOL_CAP
from engine._exec_record cimport EXEC_VENUE_ID_CAP
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport F_AVG_PRICE
from engine._exec_record cimport F_CLIENT_ID
from engine._exec_record cimport F_COMMISSION
from engine._exec_record cimport F_COMMISSION_ASSET
from engine._exec_record cimport F_CUM_QTY
from engine._exec_record cimport F_CUM_QUOTE
from engine._exec_record cimport F_ERROR_CODE
from engine._exec_record cimport F_ERROR_MSG
from engine._exec_record cimport F_EVENT_TIME
from engine._exec_record cimport F_EXEC_ID
from engine._exec_record cimport F_IS_MAKER
from engine._exec_record cimport F_LAST_PRICE
from engine._exec_record cimport F_LAST_QTY
from engine._exec_record cimport F_LEAVES_QTY
from engine._exec_record cimport F_ORDER_STATE
from engine._exec_record cimport F_ORDER_TYPE
from engine._exec_record cimport F_PRICE
from engine._exec_record cimport F_QTY
from engine._exec_record cimport F_SIDE
from engine._exec_record cimport F_SYMBOL
from engine._exec_record cimport F_TIME_IN_FORCE
from engine._exec_record cimport F_TRANSACT_TIME
from engine._exec_record cimport F_VENUE_ORDER_ID
from engine._exec_record cimport MSG_ERROR
from engine._exec_record cimport MSG_ORDER_STATE
from engine._exec_record cimport MSG_ORDER_RECEIVED
from engine._exec_record cimport MSG_TRADE
from engine._exec_record cimport MSG_NONE
from engine._exec_record cimport MSG_OTHER
from engine._exec_record cimport REC_UNKNOWN_ENUM
from engine._exec_record cimport record_has
from engine._jsonscan cimport JS_ABSENT
from engine._jsonscan cimport JS_E_NUMBER
from engine._jsonscan cimport JS_E_TOOLONG
from engine._jsonscan cimport JS_E_TYPE
from engine._jsonscan cimport JS_LIT_TRUE
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport JS_READ
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_decode_key
from engine._jsonscan cimport js_enter
from engine._jsonscan cimport js_finish
from engine._jsonscan cimport js_key_is
from engine._jsonscan cimport js_literal
from engine._jsonscan cimport js_next_elem
from engine._jsonscan cimport js_next_key
from engine._jsonscan cimport js_number
from engine._jsonscan cimport js_parse_int64
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_read_int
from engine._jsonscan cimport js_scalar_text
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
    CH_NONE = 0                  # no "channel" member (an answer)
    CH_ORDERS = 1                # spot.orders (and spot.orders_v2: the same fields, fees left out)
    CH_TRADES = 2                # spot.usertrades (and spot.usertrades_v2)
    CH_OTHER = 3
    # order `status`, item `event`, `finish_as`
    ST_NONE = 0
    ST_OPEN = 1
    ST_CLOSED = 2
    ST_CANCELLED = 3
    ST_UNKNOWN = 4
    EV_NONE = 0
    EV_OPEN = 1                  # put / update
    EV_FINISH = 2
    EV_UNKNOWN = 3
    FIN_NONE = 0
    FIN_OPEN = 1
    FIN_FILLED = 2
    FIN_CANCELLED = 3
    FIN_EXPIRED = 4
    FIN_UNKNOWN = 5
    EN_SIDE = 1
    EN_TYPE = 2
    EN_TIF = 3


ctypedef struct OrdCtx:
    int status                   # ST_*
    int event                    # EV_*
    int finish                   # FIN_*


ctypedef struct GateCtx:
    int channel                  # CH_*
    bint has_array               # "result" was an array (a push)
    const char *array_at         # where that array starts
    bint ack                     # "ack": true (the order API's first answer)
    bint failed                  # an error object (channel "error", order API "errs", REST "label")
    bint header_status           # the order API header carried a status
    int64_t status               # that status
    bint saw_label               # error_msg holds a label (a message does not replace it)
    bint order_fields            # an order member was read (top level, or the order API's data.result)
    OrdCtx o
    bint item1                   # the push's first item was read into the side record while validating
    int item1_status             # JS_OK, or why that item is unusable (valid JSON, bad fields)
    const char *item1_at         # where reading it failed
    const char *after_item1      # the cursor after it, for the items that follow


cdef inline bint _is(const js_span *v, const char *word, size_t n) noexcept nogil:
    return v.n == n and memcmp(v.s, word, n) == 0


cdef int _rd_enum(js_cur *c, ExecRecord *r, int which) noexcept nogil:
    """side / type / time_in_force: the word into its field, unknown words flagged and left 0."""
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int value = -1
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK or is_null:
        return st
    if which == EN_SIDE:
        if _is(&v, b"buy", 3):
            value = BUY
        elif _is(&v, b"sell", 4):
            value = SELL
    elif which == EN_TYPE:
        if _is(&v, b"limit", 5):
            value = LIMIT
        elif _is(&v, b"market", 6):
            value = MARKET
    else:
        if _is(&v, b"gtc", 3):
            value = GTC
        elif _is(&v, b"ioc", 3):
            value = IOC
        elif _is(&v, b"poc", 3):
            value = POST_ONLY
        elif _is(&v, b"fok", 3):
            value = FOK
    if value < 0:
        r.flags |= REC_UNKNOWN_ENUM
        value = 0
    if which == EN_SIDE:
        r.side = <uint8_t>value
        mark(r, F_SIDE)
    elif which == EN_TYPE:
        r.order_type = <uint8_t>value
        mark(r, F_ORDER_TYPE)
    else:
        r.time_in_force = <uint8_t>value
        mark(r, F_TIME_IN_FORCE)
    return JS_OK


cdef int _rd_status(js_cur *c, ExecRecord *r, OrdCtx *o, int which) noexcept nogil:
    """status (0), event (1) or finish_as (2) into the order context."""
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK or is_null:
        return st
    if which == 0:
        if _is(&v, b"open", 4):
            o.status = ST_OPEN
        elif _is(&v, b"closed", 6):
            o.status = ST_CLOSED
        elif _is(&v, b"cancelled", 9):
            o.status = ST_CANCELLED
        else:
            o.status = ST_UNKNOWN
            r.flags |= REC_UNKNOWN_ENUM
    elif which == 1:
        if _is(&v, b"put", 3) or _is(&v, b"update", 6):
            o.event = EV_OPEN
        elif _is(&v, b"finish", 6):
            o.event = EV_FINISH
        else:
            o.event = EV_UNKNOWN
            r.flags |= REC_UNKNOWN_ENUM
    else:
        if _is(&v, b"open", 4):
            o.finish = FIN_OPEN
        elif _is(&v, b"filled", 6):
            o.finish = FIN_FILLED
        elif (_is(&v, b"cancelled", 9) or _is(&v, b"poc", 3) or _is(&v, b"stp", 3)
                or _is(&v, b"liquidate_cancelled", 19)):
            o.finish = FIN_CANCELLED
        elif (_is(&v, b"ioc", 3) or _is(&v, b"fok", 3) or _is(&v, b"small", 5)
                or _is(&v, b"depth_not_enough", 16) or _is(&v, b"trader_not_enough", 17)):
            o.finish = FIN_EXPIRED
        elif _is(&v, b"unknown", 7):
            o.finish = FIN_UNKNOWN
        else:
            o.finish = FIN_UNKNOWN
            r.flags |= REC_UNKNOWN_ENUM
    return JS_OK


cdef int _rd_id(js_cur *c, ExecRecord *r, char *dst, size_t cap, uint8_t *length, int bit) noexcept nogil:
    """An id as a string (any text up to ``cap`` bytes) or a non-negative JSON integer (its digits)."""
    cdef js_span sp
    cdef size_t i
    cdef int ch = js_peek(c)
    cdef int st
    if ch < b'0' or ch > b'9':
        return rd_text8(c, r, dst, cap, length, bit, False)     # a string or null; anything else a type error
    st = js_number(c, &sp)
    if st != JS_OK:
        return st
    for i in range(sp.n):
        if sp.s[i] < b'0' or sp.s[i] > b'9':
            return JS_E_NUMBER
    if sp.n > cap:
        return JS_E_TOOLONG
    memcpy(dst, sp.s, sp.n)
    length[0] = <uint8_t>sp.n
    mark(r, bit)
    return JS_OK


cdef int _rd_ms(js_cur *c, ExecRecord *r, int64_t *dst, int bit) noexcept nogil:
    """Milliseconds: an integer or a string of digits, with an optional fractional part (dropped)."""
    cdef js_span sp
    cdef char scratch[RD_SCRATCH]
    cdef size_t i = 0
    cdef int64_t v = 0
    cdef int st = js_scalar_text(c, &sp, scratch)
    if st < 0:
        return st
    if st == JS_ABSENT or sp.n == 0:
        return JS_OK
    while i < sp.n and sp.s[i] >= b'0' and sp.s[i] <= b'9':
        i += 1
    if i > 0 and js_parse_int64(sp.s, i, &v) != JS_OK:
        return JS_E_NUMBER
    if i == 0:
        return JS_E_NUMBER
    if i < sp.n:
        if sp.s[i] != b'.' or i + 1 == sp.n:
            return JS_E_NUMBER
        i += 1
        while i < sp.n:
            if sp.s[i] < b'0' or sp.s[i] > b'9':
                return JS_E_NUMBER
            i += 1
    dst[0] = v
    mark(r, bit)
    return JS_OK


cdef int _rd_role(js_cur *c, ExecRecord *r) noexcept nogil:
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK or is_null:
        return st
    if _is(&v, b"maker", 5):
        r.is_maker = 1
    elif _is(&v, b"taker", 5):
        r.is_maker = 0
    else:
        r.flags |= REC_UNKNOWN_ENUM
        return JS_OK
    mark(r, F_IS_MAKER)
    return JS_OK


cdef int _order_member(js_cur *c, ExecRecord *r, const js_span *k, OrdCtx *o, bint *known) noexcept nogil:
    """One member of an Order (REST, order API result, `spot.orders` item); ``known``: it was one."""
    cdef size_t n = k.n
    known[0] = True
    if n == 2:
        if js_key_is(k, b"id", 2):
            return _rd_id(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID)
    elif n == 3:
        if js_key_is(k, b"fee", 3):
            return rd_decimal(c, r, &r.commission_raw, F_COMMISSION)
    elif n == 4:
        if js_key_is(k, b"text", 4):
            return rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, False)
        if js_key_is(k, b"side", 4):
            return _rd_enum(c, r, EN_SIDE)
        if js_key_is(k, b"type", 4):
            return _rd_enum(c, r, EN_TYPE)
        if js_key_is(k, b"left", 4):
            return rd_decimal(c, r, &r.leaves_qty_raw, F_LEAVES_QTY)
    elif n == 5:
        if js_key_is(k, b"price", 5):
            return rd_decimal(c, r, &r.price_raw, F_PRICE)
        if js_key_is(k, b"event", 5):
            return _rd_status(c, r, o, 1)
    elif n == 6:
        if js_key_is(k, b"amount", 6):
            return rd_decimal(c, r, &r.qty_raw, F_QTY)
        if js_key_is(k, b"status", 6):
            return _rd_status(c, r, o, 0)
    elif n == 9:
        if js_key_is(k, b"finish_as", 9):
            return _rd_status(c, r, o, 2)
    elif n == 12:
        if js_key_is(k, b"fee_currency", 12):
            return rd_text8(c, r, r.commission_asset, EXEC_ASSET_CAP, &r.commission_asset_len,
                            F_COMMISSION_ASSET, False)
        if js_key_is(k, b"filled_total", 12):
            return rd_decimal(c, r, &r.cum_quote_raw, F_CUM_QUOTE)
    elif n == 13:
        if js_key_is(k, b"currency_pair", 13):
            return rd_text8(c, r, r.symbol, EXEC_SYMBOL_CAP, &r.symbol_len, F_SYMBOL, False)
        if js_key_is(k, b"time_in_force", 13):
            return _rd_enum(c, r, EN_TIF)
        if js_key_is(k, b"filled_amount", 13):
            return rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
    elif n == 14:
        if js_key_is(k, b"avg_deal_price", 14):
            return rd_decimal(c, r, &r.avg_price_raw, F_AVG_PRICE)
        if js_key_is(k, b"update_time_ms", 14):
            return _rd_ms(c, r, &r.ts_transact_ms, F_TRANSACT_TIME)
    known[0] = False
    return js_skip(c)


cdef int _trade_member(js_cur *c, ExecRecord *r, const js_span *k) noexcept nogil:
    """One member of a trade (`spot.usertrades` item, REST my_trades row)."""
    cdef size_t n = k.n
    if n == 2:
        if js_key_is(k, b"id", 2):
            return _rd_id(c, r, r.exec_id, EXEC_VENUE_ID_CAP, &r.exec_id_len, F_EXEC_ID)
    elif n == 3:
        if js_key_is(k, b"fee", 3):
            return rd_decimal(c, r, &r.commission_raw, F_COMMISSION)
    elif n == 4:
        if js_key_is(k, b"text", 4):
            return rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, False)
        if js_key_is(k, b"side", 4):
            return _rd_enum(c, r, EN_SIDE)
        if js_key_is(k, b"role", 4):
            return _rd_role(c, r)
    elif n == 5:
        if js_key_is(k, b"price", 5):
            return rd_decimal(c, r, &r.last_price_raw, F_LAST_PRICE)
    elif n == 6:
        if js_key_is(k, b"amount", 6):
            return rd_decimal(c, r, &r.last_qty_raw, F_LAST_QTY)
    elif n == 8:
        if js_key_is(k, b"order_id", 8):
            return _rd_id(c, r, r.venue_order_id, EXEC_VENUE_ID_CAP, &r.venue_order_id_len, F_VENUE_ORDER_ID)
    elif n == 12:
        if js_key_is(k, b"fee_currency", 12):
            return rd_text8(c, r, r.commission_asset, EXEC_ASSET_CAP, &r.commission_asset_len,
                            F_COMMISSION_ASSET, False)
    elif n == 13:
        if js_key_is(k, b"currency_pair", 13):
            return rd_text8(c, r, r.symbol, EXEC_SYMBOL_CAP, &r.symbol_len, F_SYMBOL, False)
    elif n == 14:
        if js_key_is(k, b"create_time_ms", 14):
            return _rd_ms(c, r, &r.ts_transact_ms, F_TRANSACT_TIME)
    return js_skip(c)


cdef void _order_state(ExecRecord *r, const OrdCtx *o) noexcept nogil:
    """The order's state from status / event + finish_as + filled_amount / left (module docstring, rule 4)."""
    cdef int state
    cdef int64_t filled = r.cum_qty_raw if record_has(r, F_CUM_QTY) else 0
    cdef bint ended = (o.status == ST_CLOSED or o.status == ST_CANCELLED or o.event == EV_FINISH
                       or o.finish == FIN_FILLED or o.finish == FIN_CANCELLED or o.finish == FIN_EXPIRED)
    if not ended:
        if o.status != ST_OPEN and o.event != EV_OPEN and o.finish != FIN_OPEN:
            return                       # nothing (or only unknown words) says where the order is
        state = PARTIALLY_FILLED if filled > 0 else NEW
    elif o.finish == FIN_FILLED:
        state = FILLED
    elif o.finish == FIN_CANCELLED:
        state = CANCELLED
    elif o.finish == FIN_EXPIRED:
        state = EXPIRED
    elif o.status == ST_CLOSED:
        state = FILLED
    else:
        state = CANCELLED
    if ((state == CANCELLED or state == EXPIRED) and filled > 0 and record_has(r, F_LEAVES_QTY)
            and r.leaves_qty_raw == 0):
        state = FILLED                   # nothing left and something filled: it filled, whatever the words
    r.order_state = <uint8_t>state
    mark(r, F_ORDER_STATE)


cdef int _item(js_cur *c, ExecRecord *r, int kind) noexcept nogil:
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef OrdCtx o
    cdef bint known
    cdef int st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    memset(&o, 0, sizeof(OrdCtx))
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            if st == 0 and kind == MSG_ORDER_STATE:
                _order_state(r, &o)
            return st
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        if kind == MSG_ORDER_STATE:
            st = _order_member(c, r, &k, &o, &known)
        else:
            st = _trade_member(c, r, &k)
        if st != JS_OK:
            return st


cdef int _result_array(js_cur *c, GateCtx *x, ExecRecord *item1) noexcept nogil:
    """A push's ``result`` array at ``c`` (its channel known): read the first item into ``item1`` and
    validate the rest.  An item with unusable fields but valid JSON is skipped again from its start and
    its error kept for ``next_record``; invalid JSON fails here, as the plain skip would."""
    cdef int first = 1
    cdef const char *start
    cdef int st = js_enter(c, b'[')
    if st != JS_OK:
        return st
    st = js_next_elem(c, &first)
    if st <= 0:
        return st                        # an error, or an empty array (no record: the plain path says so)
    start = c.p
    memset(item1, 0, sizeof(ExecRecord))
    item1.kind = MSG_ORDER_STATE if x.channel == CH_ORDERS else MSG_TRADE
    st = _item(c, item1, item1.kind)
    x.item1_status = st
    if st != JS_OK:
        x.item1_at = c.p
        c.p = start
        st = js_skip(c)
        if st != JS_OK:
            return st
    x.after_item1 = c.p
    x.item1 = True
    while True:
        st = js_next_elem(c, &first)
        if st <= 0:
            return st
        st = js_skip(c)
        if st != JS_OK:
            return st


cdef int _error_text(js_cur *c, ExecRecord *r, GateCtx *x, bint is_label) noexcept nogil:
    """A label (kept) or a message (kept only while no label was read) into error_msg; null changes nothing."""
    cdef size_t n = 0
    cdef uint64_t before = r.present
    cdef int st
    if x.saw_label and not is_label:
        return js_skip(c)
    r.present &= ~((<uint64_t>1) << F_ERROR_MSG)
    st = rd_text(c, r, r.error_msg, EXEC_MSG_CAP, &n, F_ERROR_MSG, True)
    if st != JS_OK:
        return st
    if record_has(r, F_ERROR_MSG):
        r.error_msg_len = <unsigned short>n
        if is_label:
            x.saw_label = True
    else:
        r.present = before               # null: what an earlier member said stands
    return JS_OK


cdef int _error_object(js_cur *c, ExecRecord *r, GateCtx *x) noexcept nogil:
    """A channel's ``error {code, message}`` or the order API's ``errs {label, message}`` (null: none)."""
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int64_t code = 0
    cdef int st
    if js_peek(c) != b'{':
        return js_skip(c)                # null (no error), or something we do not read
    st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    x.failed = True
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            return st
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        if js_key_is(&k, b"label", 5):
            st = _error_text(c, r, x, True)
        elif js_key_is(&k, b"message", 7):
            st = _error_text(c, r, x, False)
        elif js_key_is(&k, b"code", 4):
            st = rd_int(c, r, &code, F_ERROR_CODE)
            if st == JS_OK and record_has(r, F_ERROR_CODE):
                if code < -2147483648 or code > 2147483647:
                    return JS_E_NUMBER
                r.error_code = <int>code
        else:
            st = js_skip(c)
        if st != JS_OK:
            return st


cdef int _header(js_cur *c, GateCtx *x) noexcept nogil:
    """The order API's ``header``: its ``status`` ("200", a string; a number is read too)."""
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int st
    if js_peek(c) != b'{':
        return js_skip(c)
    st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            return st
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        if js_key_is(&k, b"status", 6):
            st = js_read_int(c, &x.status)
            if st == JS_READ:
                x.header_status = True
            st = st if st < 0 else JS_OK
        else:
            st = js_skip(c)
        if st != JS_OK:
            return st


cdef int _data(js_cur *c, ExecRecord *r, GateCtx *x) noexcept nogil:
    """The order API's ``data``: ``result`` (an Order object: read; anything else skipped) and ``errs``."""
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int first_r
    cdef bint known
    cdef int st
    if js_peek(c) != b'{':
        return js_skip(c)
    st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            return st
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        if js_key_is(&k, b"errs", 4):
            st = _error_object(c, r, x)
        elif js_key_is(&k, b"result", 6) and js_peek(c) == b'{':
            st = js_enter(c, b'{')
            first_r = 1
            while st == JS_OK:
                st = js_next_key(c, &first_r, &k)
                if st <= 0:
                    break
                js_decode_key(&k, key_buf, KEY_SCRATCH)
                st = _order_member(c, r, &k, &x.o, &known)
                x.order_fields |= known
        else:
            st = js_skip(c)
        if st != JS_OK:
            return st


cdef int _rd_channel(js_cur *c, GateCtx *x) noexcept nogil:
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK:
        return st
    x.channel = CH_OTHER
    if is_null:
        return JS_OK
    if _is(&v, b"spot.orders", 11) or _is(&v, b"spot.orders_v2", 14):
        x.channel = CH_ORDERS
    elif _is(&v, b"spot.usertrades", 15) or _is(&v, b"spot.usertrades_v2", 18):
        x.channel = CH_TRADES
    return JS_OK


cdef int _envelope(js_cur *c, ExecRecord *r, GateCtx *x, ExecRecord *item1) noexcept nogil:
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int lit
    cdef bint known
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
        if js_key_is(&k, b"channel", 7):
            st = _rd_channel(c, x)
        elif js_key_is(&k, b"result", 6):
            x.item1 = False
            if js_peek(c) == b'[':
                x.has_array = True
                x.array_at = c.p
                if x.channel == CH_ORDERS or x.channel == CH_TRADES:
                    st = _result_array(c, x, item1)
                else:
                    st = js_skip(c)
            else:
                st = js_skip(c)
        elif js_key_is(&k, b"time_ms", 7):
            st = rd_int(c, r, &r.ts_event_ms, F_EVENT_TIME)
        elif js_key_is(&k, b"time", 4) or js_key_is(&k, b"request_id", 10):
            st = js_skip(c)
        elif js_key_is(&k, b"error", 5):
            st = _error_object(c, r, x)
        elif js_key_is(&k, b"header", 6):
            st = _header(c, x)
        elif js_key_is(&k, b"data", 4):
            st = _data(c, r, x)
        elif js_key_is(&k, b"ack", 3):
            if js_peek(c) == b't' or js_peek(c) == b'f' or js_peek(c) == b'n':
                lit = js_literal(c)
                st = lit if lit < 0 else JS_OK
                x.ack |= lit == JS_LIT_TRUE
            else:
                st = js_skip(c)
        elif js_key_is(&k, b"label", 5):
            x.failed = True
            st = _error_text(c, r, x, True)
        elif js_key_is(&k, b"message", 7) or js_key_is(&k, b"detail", 6):
            st = _error_text(c, r, x, False)
        else:
            # a REST answer is the Order object itself; a push's other top-level members (id, event,
            # conn_id, payload, ...) are set aside below once its channel is known
            st = _order_member(c, r, &k, &x.o, &known)
            x.order_fields |= known
        if st != JS_OK:
            return st


cdef inline void _keep_envelope(ExecRecord *r) noexcept nogil:
    """Forget order members a push's envelope happened to carry (its ``id``, ``event``): keep the time."""
    cdef int64_t ts = r.ts_event_ms
    cdef bint has_ts = record_has(r, F_EVENT_TIME)
    cdef int kind = r.kind
    memset(r, 0, sizeof(ExecRecord))
    r.kind = kind
    if has_ts:
        r.ts_event_ms = ts
        mark(r, F_EVENT_TIME)


cdef class GateParser(RecordParser):
    """Parse Gate.io spot order messages into one reusable record, allocation-free.

    Usage: ``kind = p.parse(data)``; for pushes (``ORDER_STATE`` / ``TRADE`` with
    ``records_pending``) call ``p.next_record()`` until it returns False, applying the
    record after each True; an answer holds its one order after ``parse`` (``next_record``
    hands it out once, as for every venue parser).

    .. DANGER::
        The parser borrows the message: Cython callers of ``parse_c`` must keep the buffer
        alive and unchanged until ``next_record_c`` returns 0 (the Python ``parse`` keeps a
        reference itself).  One parser per connection.
    """

    def __cinit__(self):
        memset(&self.rec, 0, sizeof(ExecRecord))
        self._pending = False
        self._data = None

    cdef int _fail(self, int status, const char *at) except -1:
        self.rec.kind = MSG_NONE
        self.rec.present = 0
        self._pending = False
        self._item1_ready = False
        self._records_left = 0
        self._data = None
        self.error_offset = at - self._base
        raise_parse_error(status, at - self._base, self._size)

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1:
        """Validate buf[0:size] and read it; return the MsgKind or raise ParseError."""
        cdef js_cur c
        cdef GateCtx x
        cdef int st, kind
        cdef int64_t filled
        memset(&self.rec, 0, sizeof(ExecRecord))
        memset(&x, 0, sizeof(GateCtx))
        self._base = buf
        self._size = size
        self._pending = False
        self._item1_ready = False
        self._records_left = 0
        c.p = buf
        c.end = buf + size
        st = _envelope(&c, &self.rec, &x, &self._item1)
        if st != JS_OK:
            return self._fail(st, c.p)
        self.error_offset = -1
        if x.failed or (x.header_status and (x.status < 200 or x.status > 299)):
            if x.header_status and not record_has(&self.rec, F_ERROR_CODE):
                self.rec.error_code = <int>x.status if -2147483648 <= x.status <= 2147483647 else -1
                mark(&self.rec, F_ERROR_CODE)
            kind = MSG_ERROR
        elif x.ack:
            kind = MSG_OTHER
        elif x.channel != CH_NONE:
            kind = MSG_OTHER
            if x.has_array and x.channel == CH_ORDERS:
                kind = MSG_ORDER_STATE
            elif x.has_array and x.channel == CH_TRADES:
                kind = MSG_TRADE
            self.rec.kind = kind
            _keep_envelope(&self.rec)
            if kind != MSG_OTHER:
                self._rc.end = buf + size
                if x.item1 and <uint32_t>kind == self._item1.kind:
                    self._item1_ready = True
                    self._item1_status = x.item1_status
                    self._item1_at = x.item1_at
                    self._rc.p = x.after_item1       # the items after the first (validated above)
                    self._first = 0
                else:
                    self._rc.p = x.array_at + 1      # past '[' (validated by js_skip above)
                    self._first = 1
                self._pending = True
            return kind
        elif x.order_fields:
            _order_state(&self.rec, &x.o)
            filled = self.rec.cum_qty_raw if record_has(&self.rec, F_CUM_QTY) else 0
            if not record_has(&self.rec, F_ORDER_STATE):
                kind = MSG_ORDER_RECEIVED if record_has(&self.rec, F_VENUE_ORDER_ID) else MSG_OTHER
            elif filled > 0 and (self.rec.order_state == CANCELLED or self.rec.order_state == EXPIRED):
                kind = MSG_ORDER_RECEIVED       # rule 5: its end comes with the trades, on the stream
            else:
                kind = MSG_ORDER_STATE
            if kind != MSG_OTHER:
                self._records_left = 1
        else:
            kind = MSG_OTHER
        self.rec.kind = kind
        return kind

    cdef int next_record_c(self) except -1:
        """Fill the record from the next push item (1), or hand out an answer's order once; 0 when done."""
        cdef int st
        cdef uint8_t kind = self.rec.kind
        cdef int64_t ts_event = self.rec.ts_event_ms
        cdef bint has_event = record_has(&self.rec, F_EVENT_TIME)
        if not self._pending:
            return RecordParser.next_record_c(self)
        if self._item1_ready:
            self._item1_ready = False
            if self._item1_status != JS_OK:
                return self._fail(self._item1_status, self._item1_at)
            memcpy(&self.rec, &self._item1, sizeof(ExecRecord))
            self.rec.kind = kind
            if has_event:
                self.rec.ts_event_ms = ts_event
                mark(&self.rec, F_EVENT_TIME)
            return 1
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
        st = _item(&self._rc, &self.rec, kind)
        if st != JS_OK:
            return self._fail(st, self._rc.p)
        return 1

    def parse(self, data):
        """Parse one message (validating all of it) and read its envelope, or the order of an answer.

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
        """Fill the record from the next item of a push (or hand out an answer's order, once).

        Returns
        -------
        bool
            True when one more record was filled, False when the message is done.

        Raises
        ------
        ParseError
            The item is unusable; the batch ends there.
        """
        return self.next_record_c() == 1

    @property
    def records_pending(self):
        """Whether next_record may fill another push record."""
        return self._pending
