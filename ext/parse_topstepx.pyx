"""TopstepX (ProjectX Gateway) hot-message parser: wire bytes straight into an ``ExecRecord``.

Reads (shared/venues/topstepx-projectx.md §4, §7):

1. user-hub records, one SignalR JSON hub message each (a trailing 0x1E record separator
   is accepted): ``{"type":1,"target":"GatewayUserOrder","arguments":[{...}]}`` and
   ``GatewayUserTrade``; the one argument is the bare object (the documented form) or
   the ``{"action":n,"data":{...}}`` wrapper seen in production, both read the same.
   An order event is ``MSG_ORDER_STATE`` (its state; its fills come as trades), a trade
   ``MSG_TRADE`` (one half-turn fill, its ``id`` the trade id).  A voided trade, the
   account and position events, pings, completions and anything else well-formed are
   ``MSG_OTHER`` (the adapter reads them on the cold path);
2. Order/* REST answers ``{"orderId":n?,"success":b,"errorCode":n,"errorMessage":s?}``:
   ``MSG_ORDER_ACCEPTED`` for a successful place (``orderId``; the client id is the
   request's, set by :meth:`TopstepxParser.parse_ack`), ``MSG_OTHER`` for another
   success, ``MSG_ERROR`` (code and message) for ``success: false``.

Invariants:

1. ``parse`` checks that the whole message is valid JSON before the record is filled;
   keys may come in any order (the argument is read after the envelope, so a
   ``target`` after ``arguments`` is understood).
2. Every byte read is preceded by a remaining-length check (jsonscan.h).
3. Enums are integers on the wire; a value outside the sheet's tables sets
   ``REC_UNKNOWN_ENUM`` and leaves the field 0.  Sizes and prices are JSON numbers with up
   to 9 decimals: read exactly, rounded half-even past 8 (``REC_ROUNDED``).
4. Status 6 Pending and 8 Suspended (a bracket child waiting for its parent) read as
   PENDING, which the engine applies to nothing; 7 PendingCancellation is still open (NEW).
"""

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_CheckExact
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.string cimport memcpy
from libc.string cimport memset

from engine._enums cimport BUY
from engine._enums cimport CANCELLED
from engine._enums cimport EXPIRED
from engine._enums cimport FILLED
from engine._enums cimport JOIN_ASK
from engine._enums cimport JOIN_BID
from engine._enums cimport LIMIT
from engine._enums cimport MARKET
from engine._enums cimport NEW
from engine._enums cimport PENDING
from engine._enums cimport REJECTED
from engine._enums cimport SELL
from engine._enums cimport STOP_LOSS
from engine._enums cimport STOP_LOSS_LIMIT
from engine._enums cimport TRAILING_STOP
from engine._exec_record cimport EXEC_ID_CAP
from engine._exec_record cimport EXEC_MSG_CAP
from engine._exec_record cimport EXEC_SYMBOL_CAP
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport F_AVG_PRICE
from engine._exec_record cimport F_CLIENT_ID
from engine._exec_record cimport F_COMMISSION
from engine._exec_record cimport F_CUM_QTY
from engine._exec_record cimport F_ERROR_CODE
from engine._exec_record cimport F_ERROR_MSG
from engine._exec_record cimport F_LAST_PRICE
from engine._exec_record cimport F_LAST_QTY
from engine._exec_record cimport F_ORDER_ID
from engine._exec_record cimport F_ORDER_STATE
from engine._exec_record cimport F_ORDER_TYPE
from engine._exec_record cimport F_PRICE
from engine._exec_record cimport F_QTY
from engine._exec_record cimport F_REALIZED_PNL
from engine._exec_record cimport F_SIDE
from engine._exec_record cimport F_STOP_PRICE
from engine._exec_record cimport F_SYMBOL
from engine._exec_record cimport F_TRADE_ID
from engine._exec_record cimport MSG_ERROR
from engine._exec_record cimport MSG_NONE
from engine._exec_record cimport MSG_OTHER
from engine._exec_record cimport MSG_ORDER_STATE
from engine._exec_record cimport MSG_ORDER_ACCEPTED
from engine._exec_record cimport MSG_TRADE
from engine._exec_record cimport REC_UNKNOWN_ENUM
from engine._exec_record cimport record_has
from engine._jsonscan cimport JS_E_EOF
from engine._jsonscan cimport JS_E_NUMBER
from engine._jsonscan cimport JS_E_TYPE
from engine._jsonscan cimport JS_LIT_NULL
from engine._jsonscan cimport JS_E_TOOLONG
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_decode_key
from engine._jsonscan cimport js_enter
from engine._jsonscan cimport js_finish
from engine._jsonscan cimport js_key_is
from engine._jsonscan cimport js_literal
from engine._jsonscan cimport js_next_elem
from engine._jsonscan cimport js_next_key
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_read_int
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


cdef enum Target:
    TGT_NONE = 0
    TGT_ORDER = 1                # GatewayUserOrder
    TGT_TRADE = 2                # GatewayUserTrade
    TGT_ACCOUNT = 3              # GatewayUserAccount
    TGT_POSITION = 4             # GatewayUserPosition
    TGT_OTHER = 5


cdef enum:
    KEY_SCRATCH = 32             # escaped keys decode here; longer ones match nothing we know
    HUB_INVOCATION = 1           # SignalR message type of a server event
    WRAP_DEPTH = 1               # {action, data} wrappers read (one level, as seen in production)
    RS = 0x1E                    # SignalR record separator


ctypedef struct TxCtx:
    int64_t hub_type             # SignalR "type" (-1: absent, a REST answer)
    int target
    const char *args_at          # start of the "arguments" array (NULL: none)
    int success                  # -1 absent, 0 false, 1 true
    bint voided                  # a trade the venue voided


cdef inline bint _ieq(const js_span *v, const char *word, size_t n) noexcept nogil:
    """ASCII case-insensitive equality (SignalR targets are case-insensitive)."""
    cdef size_t i
    cdef unsigned char a, b
    if v.n != n:
        return False
    for i in range(n):
        a = <unsigned char>v.s[i]
        b = <unsigned char>word[i]
        if a >= 65 and a <= 90:
            a += 32
        if b >= 65 and b <= 90:
            b += 32
        if a != b:
            return False
    return True


cdef inline int _rd_int(js_cur *c, int64_t *out, bint *present) noexcept nogil:
    """An integer (null: not present) into a local."""
    cdef int st = js_read_int(c, out)
    if st < 0:
        return st
    present[0] = st > 0
    return JS_OK


cdef inline int _rd_flag(js_cur *c, int *out) noexcept nogil:
    """true / false into out (1 / 0); null leaves it."""
    cdef int ch = js_peek(c)
    cdef int st
    if ch != b't' and ch != b'f' and ch != b'n':
        return JS_E_EOF if ch < 0 else JS_E_TYPE
    st = js_literal(c)
    if st < 0:
        return st
    if st != JS_LIT_NULL:
        out[0] = st
    return JS_OK


cdef int _rd_target(js_cur *c, TxCtx *x) noexcept nogil:
    cdef js_span v
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_text_span(c, &v, scratch, &is_null)
    if st != JS_OK:
        return st
    x.target = TGT_OTHER
    if is_null:
        return JS_OK
    if _ieq(&v, b"GatewayUserOrder", 16):
        x.target = TGT_ORDER
    elif _ieq(&v, b"GatewayUserTrade", 16):
        x.target = TGT_TRADE
    elif _ieq(&v, b"GatewayUserAccount", 18):
        x.target = TGT_ACCOUNT
    elif _ieq(&v, b"GatewayUserPosition", 19):
        x.target = TGT_POSITION
    return JS_OK


cdef int _rd_enum(js_cur *c, ExecRecord *r, int which) noexcept nogil:
    """An integer enum of the sheet's tables (§4) into the record; unknown values flag REC_UNKNOWN_ENUM."""
    cdef int64_t v = -1
    cdef int value = -1
    cdef int bit
    cdef bint present = False
    cdef int st = _rd_int(c, &v, &present)
    if st != JS_OK or not present:
        return st                    # null: absent
    if which == F_SIDE:                             # OrderSide: 0 Bid (buy), 1 Ask (sell)
        value = BUY if v == 0 else (SELL if v == 1 else -1)
    elif which == F_ORDER_TYPE:                     # OrderType 1..7
        if v == 1:
            value = LIMIT
        elif v == 6:                                # JoinBid / JoinAsk: rest at the touch, priced by the venue
            value = JOIN_BID
        elif v == 7:
            value = JOIN_ASK
        elif v == 2:
            value = MARKET
        elif v == 3:
            value = STOP_LOSS_LIMIT
        elif v == 4:
            value = STOP_LOSS
        elif v == 5:
            value = TRAILING_STOP
    else:                                           # OrderStatus 0..8
        if v == 1 or v == 7:                        # Open, PendingCancellation (still open)
            value = NEW
        elif v == 2:
            value = FILLED
        elif v == 3:
            value = CANCELLED
        elif v == 4:
            value = EXPIRED
        elif v == 5:
            value = REJECTED
        elif v == 6 or v == 8:                      # Pending, Suspended (bracket child)
            value = PENDING
    if value < 0:
        r.flags |= REC_UNKNOWN_ENUM
        value = 0
    if which == F_SIDE:
        r.side = <uint8_t>value
        bit = F_SIDE
    elif which == F_ORDER_TYPE:
        r.order_type = <uint8_t>value
        bit = F_ORDER_TYPE
    else:
        r.order_state = <uint8_t>value
        bit = F_ORDER_STATE
    mark(r, bit)
    return JS_OK


cdef int _order_member(js_cur *c, ExecRecord *r, const js_span *k) noexcept nogil:
    """One member of a GatewayUserOrder object (swagger OrderModel)."""
    cdef size_t n = k.n
    if n == 2 and js_key_is(k, b"id", 2):
        return rd_int(c, r, &r.order_id, F_ORDER_ID)
    if n == 4:
        if js_key_is(k, b"size", 4):
            return rd_decimal(c, r, &r.qty_raw, F_QTY)
        if js_key_is(k, b"side", 4):
            return _rd_enum(c, r, F_SIDE)
        if js_key_is(k, b"type", 4):
            return _rd_enum(c, r, F_ORDER_TYPE)
    elif n == 6 and js_key_is(k, b"status", 6):
        return _rd_enum(c, r, F_ORDER_STATE)
    elif n == 9:
        if js_key_is(k, b"stopPrice", 9):
            return rd_decimal(c, r, &r.stop_price_raw, F_STOP_PRICE)
        if js_key_is(k, b"customTag", 9):
            # someone else's long tag is cut (it can never equal one of ours, at most 36 bytes)
            return rd_text8(c, r, r.client_id, EXEC_ID_CAP, &r.client_id_len, F_CLIENT_ID, True)
    elif n == 10:
        if js_key_is(k, b"limitPrice", 10):
            return rd_decimal(c, r, &r.price_raw, F_PRICE)
        if js_key_is(k, b"contractId", 10):
            return rd_text8(c, r, r.symbol, EXEC_SYMBOL_CAP, &r.symbol_len, F_SYMBOL, False)
        if js_key_is(k, b"fillVolume", 10):
            return rd_decimal(c, r, &r.cum_qty_raw, F_CUM_QTY)
    elif n == 11 and js_key_is(k, b"filledPrice", 11):
        return rd_decimal(c, r, &r.avg_price_raw, F_AVG_PRICE)
    return js_skip(c)


cdef int _trade_member(js_cur *c, ExecRecord *r, const js_span *k, TxCtx *x) noexcept nogil:
    """One member of a GatewayUserTrade object (swagger HalfTradeModel)."""
    cdef size_t n = k.n
    cdef int voided = 0
    cdef int st
    if n == 2 and js_key_is(k, b"id", 2):
        return rd_int(c, r, &r.trade_id, F_TRADE_ID)
    if n == 4:
        if js_key_is(k, b"size", 4):
            return rd_decimal(c, r, &r.last_qty_raw, F_LAST_QTY)
        if js_key_is(k, b"side", 4):
            return _rd_enum(c, r, F_SIDE)
        if js_key_is(k, b"fees", 4):
            return rd_decimal(c, r, &r.commission_raw, F_COMMISSION)
    elif n == 5 and js_key_is(k, b"price", 5):
        return rd_decimal(c, r, &r.last_price_raw, F_LAST_PRICE)
    elif n == 6 and js_key_is(k, b"voided", 6):
        st = _rd_flag(c, &voided)
        x.voided = voided != 0
        return st
    elif n == 7 and js_key_is(k, b"orderId", 7):
        return rd_int(c, r, &r.order_id, F_ORDER_ID)
    elif n == 10 and js_key_is(k, b"contractId", 10):
        return rd_text8(c, r, r.symbol, EXEC_SYMBOL_CAP, &r.symbol_len, F_SYMBOL, False)
    elif n == 13 and js_key_is(k, b"profitAndLoss", 13):
        return rd_decimal(c, r, &r.realized_pnl_raw, F_REALIZED_PNL)
    return js_skip(c)


cdef int _item(js_cur *c, ExecRecord *r, TxCtx *x, int depth) noexcept nogil:
    """The event object: its members, or those of its ``data`` wrapper."""
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
        if depth < WRAP_DEPTH and k.n == 4 and js_key_is(&k, b"data", 4) and js_peek(c) == b'{':
            st = _item(c, r, x, depth + 1)
        elif x.target == TGT_ORDER:
            st = _order_member(c, r, &k)
        else:
            st = _trade_member(c, r, &k, x)
        if st != JS_OK:
            return st


cdef int _envelope(js_cur *c, ExecRecord *r, TxCtx *x) noexcept nogil:
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int64_t v = 0
    cdef int flag = -1
    cdef bint present = False
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
        if js_key_is(&k, b"type", 4):
            st = _rd_int(c, &v, &present)
            if st == JS_OK and present:
                x.hub_type = v
        elif js_key_is(&k, b"target", 6):
            st = _rd_target(c, x)
        elif js_key_is(&k, b"arguments", 9) and js_peek(c) == b'[':
            x.args_at = c.p
            st = js_skip(c)
        elif js_key_is(&k, b"success", 7):
            flag = -1
            st = _rd_flag(c, &flag)
            if st == JS_OK and flag >= 0:
                x.success = flag
        elif js_key_is(&k, b"orderId", 7):
            st = rd_int(c, r, &r.order_id, F_ORDER_ID)
        elif js_key_is(&k, b"errorCode", 9):
            st = _rd_int(c, &v, &present)
            if st == JS_OK and present:
                if v < -2147483648 or v > 2147483647:
                    return JS_E_NUMBER
                r.error_code = <int>v
                mark(r, F_ERROR_CODE)
        elif js_key_is(&k, b"errorMessage", 12):
            st = rd_text(c, r, r.error_msg, EXEC_MSG_CAP, &n, F_ERROR_MSG, True)
            r.error_msg_len = <unsigned short>n
        else:
            st = js_skip(c)
        if st != JS_OK:
            return st


cdef class TopstepxParser(RecordParser):
    """Parse TopstepX user-hub records and order answers into one reusable record, allocation-free.

    Usage: ``kind = p.parse(record)``; for ``ORDER_STATE`` / ``TRADE`` call
    ``p.next_record()`` (True once) and apply the record.  Answers are complete after
    ``parse`` (``parse_ack`` for a place answer, naming the order's client id).

    .. DANGER::
        One parser per connection; the record is overwritten by the next parse.
    """

    def __cinit__(self):
        memset(&self.rec, 0, sizeof(ExecRecord))
        self._target = TGT_NONE
        self._hub_type = -1

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -1:
        """Validate buf[0:size] (one record, an optional trailing 0x1E) and fill the record; the MsgKind."""
        cdef js_cur c
        cdef TxCtx x
        cdef int st
        cdef int first = 1
        memset(&self.rec, 0, sizeof(ExecRecord))
        memset(&x, 0, sizeof(TxCtx))
        x.hub_type = -1
        x.success = -1
        self._records_left = 0
        if size > 0 and <unsigned char>buf[size - 1] == RS:
            size -= 1
        c.p = buf
        c.end = buf + size
        st = _envelope(&c, &self.rec, &x)
        if st == JS_OK and x.hub_type == HUB_INVOCATION and x.args_at != NULL and (
                x.target == TGT_ORDER or x.target == TGT_TRADE):
            c.p = x.args_at + 1                  # past '[' (validated by js_skip above)
            st = js_next_elem(&c, &first)
            if st == 1:
                self.rec.order_id = 0
                self.rec.present = 0
                st = _item(&c, &self.rec, &x, 0)
            elif st == 0:
                x.target = TGT_OTHER             # no argument: nothing to read
        if st != JS_OK:
            self.rec.kind = MSG_NONE
            self.rec.present = 0
            self.error_offset = c.p - buf
            raise_parse_error(st, c.p - buf, size)
        self.error_offset = -1
        self._hub_type = <int>x.hub_type if x.hub_type >= -1 and x.hub_type < 256 else 0
        self._target = x.target
        if x.hub_type == HUB_INVOCATION and x.target == TGT_ORDER:
            self.rec.kind = MSG_ORDER_STATE
        elif x.hub_type == HUB_INVOCATION and x.target == TGT_TRADE and not x.voided:
            self.rec.kind = MSG_TRADE
        elif x.hub_type >= 0:
            self.rec.kind = MSG_OTHER
        elif x.success == 0 or (x.success < 0 and record_has(&self.rec, F_ERROR_CODE) and self.rec.error_code != 0):
            self.rec.kind = MSG_ERROR
        elif x.success == 1 and record_has(&self.rec, F_ORDER_ID):
            self.rec.kind = MSG_ORDER_ACCEPTED
        else:
            self.rec.kind = MSG_OTHER
        if self.rec.kind == MSG_ORDER_STATE or self.rec.kind == MSG_TRADE:
            self._records_left = 1
        return self.rec.kind

    cdef int set_client_c(self, const char *p, Py_ssize_t n) except -1:
        """Name the order an answer is about (a place answer carries only the venue's id)."""
        if n <= 0 or n > EXEC_ID_CAP:
            raise_parse_error(JS_E_TOOLONG, 0, n)
        memcpy(self.rec.client_id, p, <size_t>n)
        self.rec.client_id_len = <uint8_t>n
        mark(&self.rec, F_CLIENT_ID)
        return 0

    def parse(self, data):
        """Parse one hub record or REST answer.

        Parameters
        ----------
        data : bytes or bytes-like
            One complete JSON message; a trailing 0x1E is accepted.

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
        return self.parse_c(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))

    def parse_ack(self, bytes data not None, bytes client_id not None):
        """Parse an Order/place answer and name the order it is for (``client_id``, our customTag).

        Returns the MessageKind (``ORDER_ACCEPTED`` on success, ``ERROR`` on a refusal).
        """
        kind = self.parse_c(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        self.set_client_c(PyBytes_AS_STRING(client_id), PyBytes_GET_SIZE(client_id))
        return kind

    @property
    def target(self):
        """The hub target of the last record: 0 none/REST, 1 order, 2 trade, 3 account, 4 position, 5 other."""
        return self._target

    @property
    def hub_type(self):
        """The SignalR message type of the last record (1 invocation, 3 completion, 6 ping, 7 close; -1 REST)."""
        return self._hub_type

    @property
    def error_code(self):
        """The answer's errorCode (0 when absent)."""
        return self.rec.error_code

    @property
    def error_message(self):
        """The answer's errorMessage ('' when null or absent; cold path)."""
        return self.rec.error_msg[:self.rec.error_msg_len].decode("utf-8", "replace")
