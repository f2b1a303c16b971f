"""Balance-event parser: user-data balance pushes straight into one ``BalanceEvent``.

Owns one preallocated ``BalanceEvent`` (up to ``BAL_MAX_ROWS`` rows) per parser and
fills it from:

1. Binance spot ``outboundAccountPosition`` ``{"e","E","u","B":[{"a","f","l"}]}``,
   bare or wrapped as the WS-API user-data subscription sends it
   (``{"subscriptionId":N,"event":{...}}``): rows (asset, free, locked);
2. Binance USD-M ``ACCOUNT_UPDATE`` ``{"e","E","T","a":{"m","B":[{"a","wb","cw","bc"}],"P":[...]}}``:
   rows (asset, wallet, cross wallet, balance change) and the reason ``a.m``.  The
   positions ``a.P`` are validated and skipped: positions come from the order stream
   and reconciliation, not from this parser;
3. Bybit V5 private ``wallet`` topic ``{"id","topic":"wallet","creationTime","data":[
   {"accountType",...,"coin":[{"coin","walletBalance","locked",...}]}]}``: rows
   (coin, walletBalance, locked) flattened over the ``data`` items, each row keeping
   its item's accountType (UNIFIED or other, bybit-v5.md s4/s7), and the coin's
   available balance (``available_raw``: walletBalance + unrealisedPnl - totalPositionIM
   - totalOrderIM - locked, what is had rounded FLOOR and what is held CEILING, the same
   figure as ``engine.venues.bybit.decode.coin_available``; one that does not fit int64
   leaves ``ROW_AVAILABLE`` clear and flags ``BAL_AVAILABLE_OVERFLOW``).

``parse`` returns the number of rows, or -1 when the message is not one of these
(or does not fit: see 4), so the caller can take its general path.  Invariants:

1. The whole message is validated as JSON (RFC 8259, jsonscan.h) whatever its kind;
   malformed, truncated or hostile input raises ParseError, and the event is then
   empty (kind ``BAL_NONE``, count 0).
2. Keys may come in any order.  Members that depend on the event type ("E", "u", "T",
   "B", "a", "creationTime", "data") are read at once when "e" / "topic" came first
   (the venues' order), otherwise their positions are noted, the values validated
   as JSON, and read after the object once the type is known.  "e" / "topic" that
   disagree (two different event types) are a shape error.  Which copy of a repeated
   member wins is unspecified beyond "one of them, or ParseError".
3. Decimals go through the same exact reader as the order parsers (jsonscan.h
   ``js_read_decimal``): strings or JSON numbers, more than 8 decimals rounded half-even
   and flagged ``BAL_ROUNDED``; null or "" leave a value absent (its RowField bit clear).
   A row without its asset is a shape error; a null asset a type error.
4. Capacity: more than ``BAL_MAX_ROWS`` rows, or an asset name longer than
   ``BAL_ASSET_CAP`` bytes, is not an error: the message is still validated to its
   end, then ``parse`` returns -1 with ``kind`` set and ``BAL_OVERFLOW`` in ``flags``,
   and no rows, so the caller's general path handles it whole (never a partial set).
5. Every byte read is preceded by a remaining-length check (jsonscan.h); nesting is
   entered only at the known containers, at fixed depths; all else is skipped
   iteratively.
"""

cimport cython
from cpython.buffer cimport PyBUF_SIMPLE
from cpython.buffer cimport PyBuffer_Release
from cpython.buffer cimport PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_CheckExact
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.string cimport memcmp
from libc.string cimport memset

from engine._account cimport Account
from engine._fixedpoint cimport FP_CEILING
from engine._fixedpoint cimport FP_EXACT
from engine._fixedpoint cimport FP_FLOOR
from engine._fixedpoint cimport FP_HALF_EVEN
from engine._fixedpoint cimport FP_INEXACT
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport fp_add
from engine._fixedpoint cimport fp_parse
from engine._fixedpoint cimport fp_sub
from engine._jsonscan cimport JS_ABSENT
from engine._jsonscan cimport JS_E_DECIMAL
from engine._jsonscan cimport JS_READ
from engine._jsonscan cimport JS_E_SHAPE
from engine._jsonscan cimport JS_E_TOOLONG
from engine._jsonscan cimport JS_E_TYPE
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport JS_READ_ADJUSTED
from engine._jsonscan cimport JS_SCRATCH
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_decimal_string_fast
from engine._jsonscan cimport js_enter
from engine._jsonscan cimport js_finish
from engine._jsonscan cimport js_key_is
from engine._jsonscan cimport js_next_elem
from engine._jsonscan cimport js_next_key
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_read_decimal
from engine._jsonscan cimport js_read_int
from engine._jsonscan cimport js_read_text
from engine._jsonscan cimport js_read_word
from engine._jsonscan cimport js_scalar_text
from engine._jsonscan cimport js_skip
from engine._jsonscan cimport js_span
from engine._jsonscan cimport js_decode_key
from engine._parse_common cimport raise_parse_error

from engine._parse_common import ParseError

MAX_ROWS = BAL_MAX_ROWS
ASSET_CAP = BAL_ASSET_CAP
REASON_CAP = BAL_REASON_CAP


cdef enum:
    CLS_UNKNOWN = 0              # no "e" / "topic" seen yet
    CLS_SPOT = 1                 # == BAL_BINANCE_SPOT
    CLS_USDM = 2                 # == BAL_BINANCE_USDM
    CLS_BYBIT = 3                # == BAL_BYBIT_WALLET
    CLS_OTHER = 4                # some other event / topic: everything is skipped
    KEY_SCRATCH = 32             # escaped keys decode here; longer ones match nothing we know
    # members whose meaning depends on the event type (positions noted until it is known)
    S_E = 0                      # "E": event time (Binance)
    S_U = 1                      # "u": last account update time (spot)
    S_T = 2                      # "T": transaction time (USD-M)
    S_B = 3                      # "B": balance rows (spot)
    S_A = 4                      # "a": account object (USD-M)
    S_CT = 5                     # "creationTime" (Bybit)
    S_DATA = 6                   # "data": account items (Bybit)
    N_SLOTS = 7
    # the slots each kind reads (bit per slot)
    SLOTS_SPOT = (1 << S_E) | (1 << S_U) | (1 << S_B)
    SLOTS_USDM = (1 << S_E) | (1 << S_T) | (1 << S_A)
    SLOTS_BYBIT = (1 << S_CT) | (1 << S_DATA)
    # row members
    RF_SKIP = 0
    RF_ASSET = 1
    RF_FIRST = 2
    RF_SECOND = 3
    RF_THIRD = 4
    RF_UPNL = 5                  # Bybit unrealisedPnl (had: FLOOR)
    RF_POSITION_IM = 6           # Bybit totalPositionIM (held: CEILING)
    RF_ORDER_IM = 7              # Bybit totalOrderIM (held: CEILING)


ctypedef struct BalCtx:
    int cls                      # CLS_*
    const char *pos[N_SLOTS]     # value positions noted before the event type was known


cdef inline int _slots_of(int cls) noexcept nogil:
    if cls == CLS_SPOT:
        return SLOTS_SPOT
    if cls == CLS_USDM:
        return SLOTS_USDM
    if cls == CLS_BYBIT:
        return SLOTS_BYBIT
    return 0


cdef inline bint _is(const js_span *v, const char *word, size_t n) noexcept nogil:
    return v.n == n and memcmp(v.s, word, n) == 0




cdef int _rd_word(js_cur *c, js_span *v, char *scratch, bint *matched_nothing) noexcept nogil:
    """An enum-like word (string, escapes decoded) or null; null and words too long to
    decode into scratch match nothing."""
    cdef int st = js_read_word(c, v, scratch)
    matched_nothing[0] = False
    if st == JS_E_TOOLONG or st == JS_ABSENT:
        matched_nothing[0] = True        # TOOLONG: js_read_word left the cursor past the string
        return JS_OK
    return st if st < 0 else JS_OK


# ---------------------------------------------------------------- rows


cdef inline int _row_field(const js_span *k, int cls) noexcept nogil:
    """Which value of a row member `k` is (RF_*), per venue vocabulary."""
    cdef size_t n = k.n
    if cls == CLS_BYBIT:
        if n == 4 and js_key_is(k, b"coin", 4):
            return RF_ASSET
        if n == 13 and js_key_is(k, b"walletBalance", 13):
            return RF_FIRST
        if n == 6 and js_key_is(k, b"locked", 6):
            return RF_SECOND
        if n == 13 and js_key_is(k, b"unrealisedPnl", 13):
            return RF_UPNL
        if n == 15 and js_key_is(k, b"totalPositionIM", 15):
            return RF_POSITION_IM
        if n == 12 and js_key_is(k, b"totalOrderIM", 12):
            return RF_ORDER_IM
        return RF_SKIP
    if n == 1:
        if k.s[0] == b'a':
            return RF_ASSET
        if cls == CLS_SPOT:
            if k.s[0] == b'f':
                return RF_FIRST
            if k.s[0] == b'l':
                return RF_SECOND
    elif n == 2 and cls == CLS_USDM:
        if k.s[0] == b'w' and k.s[1] == b'b':
            return RF_FIRST
        if k.s[0] == b'c' and k.s[1] == b'w':
            return RF_SECOND
        if k.s[0] == b'b' and k.s[1] == b'c':
            return RF_THIRD
    return RF_SKIP


cdef int _rd_decimal2(js_cur *c, int64_t *even, int64_t *cautious, int mode) noexcept nogil:
    """A decimal rounded two ways: half-even (the row's value, as ``js_read_decimal``) and by
    ``mode`` (the available figure's rounding); JS_READ_ADJUSTED when either rounded, JS_ABSENT
    for null or "" (both 0)."""
    cdef js_span sp
    cdef char scratch[JS_SCRATCH]
    cdef int st
    if js_peek(c) == b'"' and js_decimal_string_fast(c, even):
        cautious[0] = even[0]
        return JS_READ
    st = js_scalar_text(c, &sp, scratch)
    if st != JS_READ or sp.n == 0:
        even[0] = 0
        cautious[0] = 0
        return st if st < 0 else JS_ABSENT
    st = fp_parse(sp.s, sp.n, FP_EXACT, even)
    if st == FP_OK:
        cautious[0] = even[0]
        return JS_READ
    if st != FP_INEXACT:
        return JS_E_DECIMAL
    if fp_parse(sp.s, sp.n, FP_HALF_EVEN, even) != FP_OK or fp_parse(sp.s, sp.n, mode, cautious) != FP_OK:
        return JS_E_DECIMAL
    return JS_READ_ADJUSTED


cdef inline bint _available(int64_t wallet, int64_t upnl, int64_t position_im, int64_t order_im, int64_t locked,
                            int64_t *out) noexcept nogil:
    """wallet + upnl - position_im - order_im - locked; False when a step overflows int64."""
    cdef int64_t v
    if fp_add(wallet, upnl, &v) != FP_OK or fp_sub(v, position_im, &v) != FP_OK:
        return False
    if fp_sub(v, order_im, &v) != FP_OK or fp_sub(v, locked, &v) != FP_OK:
        return False
    out[0] = v
    return True


cdef int _row(js_cur *c, BalanceEvent *ev, int cls) noexcept nogil:
    """One balance row object; stored while there is room, validated in any case."""
    cdef BalanceRow spill
    cdef BalanceRow *row
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int st, which, bit
    cdef int64_t v = 0
    cdef int64_t cautious = 0
    cdef int64_t had_wallet = 0, upnl = 0, position_im = 0, order_im = 0, held_locked = 0
    cdef size_t n = 0
    cdef bint has_asset = False
    row = row_start(ev, &spill)          # past capacity: the spill row, read to validate, not kept
    st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st < 0:
            return st
        if st == 0:
            break
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        which = _row_field(&k, cls)
        if which == RF_ASSET:
            st = js_read_text(c, row.asset, BAL_ASSET_CAP, &n, 0)
            if st == JS_E_TOOLONG:
                ev.flags |= BAL_OVERFLOW     # cursor is past the (valid) string: carry on validating
                n = 0
            elif st < 0:
                return st
            elif st == JS_ABSENT:
                return JS_E_TYPE             # null asset: the row is unusable
            row.asset_len = <unsigned char>n
            has_asset = True
        elif which == RF_SKIP:
            st = js_skip(c)
            if st != JS_OK:
                return st
        elif which >= RF_UPNL:
            st = _rd_decimal2(c, &v, &cautious, FP_FLOOR if which == RF_UPNL else FP_CEILING)
            if st < 0:
                return st
            if st == JS_READ_ADJUSTED:
                ev.flags |= BAL_ROUNDED
            if which == RF_UPNL:
                upnl = cautious
            elif which == RF_POSITION_IM:
                position_im = cautious
            else:
                order_im = cautious
        else:
            if cls == CLS_BYBIT:         # walletBalance and locked count in the available figure too
                st = _rd_decimal2(c, &v, &cautious, FP_FLOOR if which == RF_FIRST else FP_CEILING)
                if which == RF_FIRST:
                    had_wallet = cautious
                else:
                    held_locked = cautious
            else:
                st = js_read_decimal(c, &v)
            if st < 0:
                return st
            if which == RF_FIRST:
                bit = ROW_FIRST
            elif which == RF_SECOND:
                bit = ROW_SECOND
            else:
                bit = ROW_THIRD
            if st == JS_ABSENT:
                v = 0
                row.present &= ~bit
            else:
                row.present |= bit
                if st == JS_READ_ADJUSTED:
                    ev.flags |= BAL_ROUNDED
            if which == RF_FIRST:
                row.first_raw = v
            elif which == RF_SECOND:
                row.second_raw = v
            else:
                row.third_raw = v
    if not has_asset:
        return JS_E_SHAPE
    if cls == CLS_BYBIT:
        if _available(had_wallet, upnl, position_im, order_im, held_locked, &row.available_raw):
            row.present |= ROW_AVAILABLE
        else:
            row.available_raw = 0
            ev.flags |= BAL_AVAILABLE_OVERFLOW
    if ev.count <= BAL_MAX_ROWS:
        ev.count += 1                    # stops at BAL_MAX_ROWS + 1: "over capacity", whatever the length
    return JS_OK


cdef int _rows(js_cur *c, BalanceEvent *ev, int cls) noexcept nogil:
    """An array of row objects, appended to the event's rows."""
    cdef int first = 1
    cdef int st = js_enter(c, b'[')
    if st != JS_OK:
        return st
    while True:
        st = js_next_elem(c, &first)
        if st <= 0:
            return st
        st = _row(c, ev, cls)
        if st != JS_OK:
            return st


# ---------------------------------------------------------------- containers


cdef int _usdm_account(js_cur *c, BalanceEvent *ev) noexcept nogil:
    """ACCOUNT_UPDATE "a": reason m and balances B; positions P (and the rest) skipped."""
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef size_t n = 0
    cdef int st = js_enter(c, b'{')
    ev.count = 0
    ev.reason_len = 0
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            return st
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        if k.n == 1 and k.s[0] == b'B':
            ev.count = 0
            st = _rows(c, ev, CLS_USDM)
        elif k.n == 1 and k.s[0] == b'm':
            n = 0
            st = js_read_text(c, ev.reason, BAL_REASON_CAP, &n, 1)
            if st == JS_READ_ADJUSTED:
                ev.flags |= BAL_TRUNCATED
            ev.reason_len = <unsigned char>n if st > 0 else 0
            st = st if st < 0 else JS_OK
        else:
            st = js_skip(c)              # "P" positions: not read here
        if st != JS_OK:
            return st


cdef int _bybit_account(js_cur *c, BalanceEvent *ev) noexcept nogil:
    """One Bybit wallet data item: its coin rows and accountType (which may come after them)."""
    cdef js_span k, v
    cdef char key_buf[KEY_SCRATCH]
    cdef char scratch[JS_SCRATCH]
    cdef int first = 1
    cdef int start = ev.count
    cdef int account = ACCT_OTHER
    cdef int i, last
    cdef bint nothing
    cdef int st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st < 0:
            return st
        if st == 0:
            break
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        if k.n == 4 and js_key_is(&k, b"coin", 4):
            ev.count = start
            st = _rows(c, ev, CLS_BYBIT)
        elif k.n == 11 and js_key_is(&k, b"accountType", 11):
            st = _rd_word(c, &v, scratch, &nothing)
            account = ACCT_UNIFIED if not nothing and _is(&v, b"UNIFIED", 7) else ACCT_OTHER
        else:
            st = js_skip(c)
        if st != JS_OK:
            return st
    if account != ACCT_UNIFIED:
        ev.flags |= BAL_NOT_UNIFIED
    last = ev.count if ev.count < BAL_MAX_ROWS else BAL_MAX_ROWS
    for i in range(start, last):
        ev.rows[i].account = <unsigned char>account
    return JS_OK


cdef int _bybit_data(js_cur *c, BalanceEvent *ev) noexcept nogil:
    cdef int first = 1
    cdef int st = js_enter(c, b'[')
    ev.count = 0
    if st != JS_OK:
        return st
    while True:
        st = js_next_elem(c, &first)
        if st <= 0:
            return st
        st = _bybit_account(c, ev)
        if st != JS_OK:
            return st


cdef int _read_slot(js_cur *c, BalanceEvent *ev, int slot) noexcept nogil:
    """Read the value of a type-dependent member, the event type now known."""
    cdef int64_t v = 0
    cdef int st
    if slot == S_B:
        ev.count = 0
        return _rows(c, ev, CLS_SPOT)
    if slot == S_A:
        return _usdm_account(c, ev)
    if slot == S_DATA:
        return _bybit_data(c, ev)
    st = js_read_int(c, &v)
    if st < 0:
        return st
    if st == JS_ABSENT:
        v = 0
    if slot == S_E or slot == S_CT:
        ev.ts_event_ms = v
    else:
        ev.ts_update_ms = v
    return JS_OK


# ---------------------------------------------------------------- event level


cdef int _rd_class(js_cur *c, BalCtx *x, bint is_topic) noexcept nogil:
    """Which kind of message this is, from "e" (Binance event type) or "topic" (Bybit)."""
    cdef js_span v
    cdef char scratch[JS_SCRATCH]
    cdef bint nothing
    cdef int cls = CLS_OTHER
    cdef int st = _rd_word(c, &v, scratch, &nothing)
    if st != JS_OK:
        return st
    if not nothing:
        if is_topic:
            if _is(&v, b"wallet", 6):
                cls = CLS_BYBIT
        elif _is(&v, b"outboundAccountPosition", 23):
            cls = CLS_SPOT
        elif _is(&v, b"ACCOUNT_UPDATE", 14):
            cls = CLS_USDM
    if x.cls != CLS_UNKNOWN and x.cls != cls:
        return JS_E_SHAPE                # two event types in one message
    x.cls = cls
    return JS_OK


cdef int _object(js_cur *c, BalanceEvent *ev, BalCtx *x, int depth) noexcept nogil:
    """The event object (depth 0), or the WS-API wrapper's "event" object (depth 1)."""
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int slot
    cdef char ch
    cdef int st = js_enter(c, b'{')
    if st != JS_OK:
        return st
    while True:
        st = js_next_key(c, &first, &k)
        if st <= 0:
            return st
        js_decode_key(&k, key_buf, KEY_SCRATCH)
        slot = -1
        if k.n == 1:
            ch = k.s[0]
            if ch == b'e':
                st = _rd_class(c, x, False)
            elif ch == b'E':
                slot = S_E
            elif ch == b'u':
                slot = S_U
            elif ch == b'T':
                slot = S_T
            elif ch == b'B':
                slot = S_B
            elif ch == b'a':
                slot = S_A
            else:
                st = js_skip(c)
        elif k.n == 4 and js_key_is(&k, b"data", 4):
            slot = S_DATA
        elif k.n == 5 and js_key_is(&k, b"topic", 5):
            st = _rd_class(c, x, True)
        elif k.n == 5 and js_key_is(&k, b"event", 5) and depth == 0 and js_peek(c) == b'{':
            st = _object(c, ev, x, 1)
        elif k.n == 12 and js_key_is(&k, b"creationTime", 12):
            slot = S_CT
        else:
            st = js_skip(c)
        if slot >= 0:
            if x.cls == CLS_UNKNOWN:
                x.pos[slot] = c.p        # read once the event type is known
                st = js_skip(c)
            elif _slots_of(x.cls) & (1 << slot):
                x.pos[slot] = NULL       # this copy comes later than any noted one
                st = _read_slot(c, ev, slot)
            else:
                st = js_skip(c)
        if st != JS_OK:
            return st


cdef int _parse(js_cur *c, BalanceEvent *ev) noexcept nogil:
    """Validate and read the message; on error c.p is where it stopped."""
    cdef BalCtx x
    cdef int st, slot, slots
    cdef const char *end = c.end
    memset(&x, 0, sizeof(BalCtx))
    st = _object(c, ev, &x, 0)
    if st != JS_OK:
        return st
    st = js_finish(c)
    if st != JS_OK:
        return st
    slots = _slots_of(x.cls)
    if slots == 0:
        ev.count = 0                     # not a balance event: nothing was read
        return JS_OK
    for slot in range(N_SLOTS):
        if x.pos[slot] != NULL and slots & (1 << slot):
            c.p = x.pos[slot]
            c.end = end
            st = _read_slot(c, ev, slot)
            if st != JS_OK:
                return st
    ev.kind = <unsigned char>x.cls       # CLS_SPOT/USDM/BYBIT are the BalanceKind values
    if ev.count > BAL_MAX_ROWS:
        ev.flags |= BAL_OVERFLOW
    return JS_OK


# ---------------------------------------------------------------- Python face


cdef int32_t _asset_id(list names, const BalanceRow *row) except -2:
    """Id of the row's asset in ``names`` (-1: not there); a scan of the few assets an account trades."""
    cdef Py_ssize_t i, n
    cdef const char *p
    for i in range(len(names)):
        p = PyUnicode_AsUTF8AndSize(names[i], &n)
        if n == row.asset_len and memcmp(p, row.asset, n) == 0:
            return <int32_t>i
    return -1


cdef class BalanceParser:
    """Parse balance events into one reusable ``BalanceEvent``, allocation-free.

    Usage: ``n = p.parse(data)``; ``n >= 0`` rows were read (``p.kind`` says which
    venue vocabulary, see :class:`BalanceKind`), ``n == -1``: not a balance event, or
    one over capacity (``p.flags & BAL_OVERFLOW``): take the general path.  Row ``i``
    is read with ``asset(i)``, ``first_raw(i)``, ``second_raw(i)``, ``third_raw(i)``,
    ``present(i)`` and ``account_type(i)``; Cython callers use ``event_c()``.

    .. DANGER::
        Rows live in the parser and are overwritten by the next ``parse``.  Not
        thread-safe: one parser per connection.
    """

    def __cinit__(self):
        self.ev.kind = BAL_NONE
        self.ev.count = 0
        self.ev.flags = 0
        self.ev.ts_event_ms = 0
        self.ev.ts_update_ms = 0
        self.ev.reason_len = 0
        self.error_offset = -1

    cdef const BalanceEvent *event_c(self) noexcept:
        return &self.ev

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -2:
        """Parse buf[0:size]: the row count, -1 (not a balance event / over capacity), or ParseError."""
        return self.read_event(buf, size, _parse)

    cdef int read_event(self, const char *buf, Py_ssize_t size, event_reader read) except -2:
        """``read`` (a module's whole-message reader) over buf[0:size] into the event, as every balance
        parser's ``parse_c`` does: the row count, -1 (not such a message / over capacity), or ParseError."""
        cdef js_cur c
        cdef int st
        cdef BalanceEvent *ev = &self.ev
        ev.kind = BAL_NONE
        ev.count = 0
        ev.flags = 0
        ev.ts_event_ms = 0
        ev.ts_update_ms = 0
        ev.reason_len = 0
        c.p = buf
        c.end = buf + size
        st = read(&c, ev)
        if st != JS_OK:
            ev.kind = BAL_NONE
            ev.count = 0
            self.error_offset = c.p - buf
            raise_parse_error(st, c.p - buf, size)
        self.error_offset = -1
        if ev.kind == BAL_NONE:
            ev.count = 0
            return -1
        if ev.flags & BAL_OVERFLOW or ev.count > BAL_MAX_ROWS:
            ev.flags |= BAL_OVERFLOW
            ev.count = 0
            return -1
        return ev.count

    @cython.always_allow_keywords(False)
    def parse(self, data):
        """Parse one message (METH_O: one positional argument, no keyword parsing).

        Parameters
        ----------
        data : bytes or bytes-like
            One complete JSON message (read in place through the buffer protocol).

        Returns
        -------
        int
            Number of balance rows read (0 for an empty list), or -1 when the message
            is not a balance event, or is one over capacity (``BAL_OVERFLOW``).

        Raises
        ------
        ParseError
            Malformed, truncated or unexpected input; the event is then empty.
        """
        cdef Py_buffer view
        if PyBytes_CheckExact(data):
            return self.parse_c(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
        try:
            return self.parse_c(<const char *>view.buf, view.len)
        finally:
            PyBuffer_Release(&view)

    cdef const BalanceRow *_row_at(self, Py_ssize_t i) except NULL:
        if i < 0 or i >= self.ev.count:
            raise IndexError(f"balance row {i} out of range (count {self.ev.count})")
        return &self.ev.rows[i]

    @property
    def kind(self):
        """BalanceKind of the last parse (int; BAL_NONE when it returned -1 for another message or raised)."""
        return self.ev.kind

    @property
    def count(self):
        """Rows of the last parse (0 unless it returned a count)."""
        return self.ev.count

    @property
    def flags(self):
        """BalanceFlag bits of the last parse."""
        return self.ev.flags

    @property
    def ts_event_ms(self):
        """Event time in ms (Binance E, Bybit creationTime); 0 when absent."""
        return self.ev.ts_event_ms

    @property
    def ts_update_ms(self):
        """Spot u (last account update) or USD-M T (transaction time) in ms; 0 when absent."""
        return self.ev.ts_update_ms

    @property
    def reason(self):
        """USD-M update reason a.m (ORDER, FUNDING_FEE, ...); "" otherwise (allocates a str)."""
        return (<const char *>self.ev.reason)[:self.ev.reason_len].decode("utf-8", "replace")

    @cython.always_allow_keywords(False)
    def asset(self, Py_ssize_t i):
        """Asset / coin name of row ``i`` (allocates a str)."""
        cdef const BalanceRow *row = self._row_at(i)
        return (<const char *>row.asset)[:row.asset_len].decode("utf-8")

    def apply_spot(self, Account account not None, list asset_names not None):
        """The spot balances of the last parse written to ``account`` in one call (no Python object made):
        free and locked per row (Binance spot ``f``/``l``; Bybit ``walletBalance - locked``/``locked``).

        ``asset_names`` are the registry's asset names by id.  Returns the rows applied, or -1 with
        nothing applied when the parse holds no spot rows or names an asset the registry does not
        have yet (the caller reads that message row by row, registering the asset).
        """
        return self.apply_spot_c(account, asset_names)

    cdef int apply_spot_c(self, Account account, list asset_names) except -2:
        cdef int kind = self.ev.kind, n = self.ev.count, i
        cdef int32_t ids[BAL_MAX_ROWS]
        cdef const BalanceRow *row
        cdef int64_t free_raw
        if (kind != BAL_BINANCE_SPOT and kind != BAL_BYBIT_WALLET) or n < 0 or n > BAL_MAX_ROWS:
            return -1
        for i in range(n):
            ids[i] = _asset_id(asset_names, &self.ev.rows[i])
            if ids[i] < 0 or ids[i] >= account.n_assets:
                return -1
        for i in range(n):
            row = &self.ev.rows[i]
            free_raw = row.first_raw if kind == BAL_BINANCE_SPOT else row.first_raw - row.second_raw
            account.apply_balance_c(ids[i], free_raw, row.second_raw)
        return n

    def apply_futures(self, Account account not None, list asset_names not None):
        """A Bybit linear (unified) account's wallet rows of the last parse written to ``account`` in one
        call (no Python object made): per coin its wallet balance (walletBalance, as the cross wallet too)
        and its available balance (``available_raw``).

        Returns the rows applied, or -1 with nothing applied when the parse holds no Bybit wallet rows,
        a row's available balance did not fit (``BAL_AVAILABLE_OVERFLOW``), or a row names an asset the
        registry does not have yet (the caller then reads the message row by row).
        """
        return self.apply_futures_c(account, asset_names)

    cdef int apply_futures_c(self, Account account, list asset_names) except -2:
        cdef int n = self.ev.count, i
        cdef int32_t ids[BAL_MAX_ROWS]
        cdef const BalanceRow *row
        if self.ev.kind != BAL_BYBIT_WALLET or n < 0 or n > BAL_MAX_ROWS:
            return -1
        for i in range(n):
            if not self.ev.rows[i].present & ROW_AVAILABLE:
                return -1
            ids[i] = _asset_id(asset_names, &self.ev.rows[i])
            if ids[i] < 0 or ids[i] >= account.n_assets:
                return -1
        for i in range(n):
            row = &self.ev.rows[i]
            account.apply_futures_available_c(ids[i], row.first_raw, row.first_raw, row.available_raw)
        return n

    @cython.always_allow_keywords(False)
    def available_raw(self, Py_ssize_t i):
        """Row ``i``: a Bybit coin's available balance (module docstring, 3), None when it did not fit."""
        cdef const BalanceRow *row = self._row_at(i)
        return row.available_raw if row.present & ROW_AVAILABLE else None

    cdef int read_c(self, object payload, Account account, list asset_names, bint futures) except -2:
        """Parse + :meth:`apply_spot` (or, ``futures``, :meth:`apply_futures`) of one message for the compiled
        stream loop: the rows applied, or -1 with nothing applied (not such a balance message, an unknown
        asset, or unreadable: the caller reads it the general way, which reports what is wrong)."""
        cdef int n
        if not PyBytes_CheckExact(payload):
            return -1
        try:
            n = self.parse_c(PyBytes_AS_STRING(payload), PyBytes_GET_SIZE(payload))
        except ParseError:
            return -1
        if n < 0:
            return -1
        n = self.apply_futures_c(account, asset_names) if futures else self.apply_spot_c(account, asset_names)
        if n >= 0:
            self.loop_reads += 1
        return n

    @cython.always_allow_keywords(False)
    def first_raw(self, Py_ssize_t i):
        """Row ``i``: spot free, USD-M wallet balance wb, Bybit walletBalance (8-decimal raw; 0 when absent)."""
        return self._row_at(i).first_raw

    @cython.always_allow_keywords(False)
    def second_raw(self, Py_ssize_t i):
        """Row ``i``: spot locked, USD-M cross wallet cw, Bybit locked (8-decimal raw; 0 when absent)."""
        return self._row_at(i).second_raw

    @cython.always_allow_keywords(False)
    def third_raw(self, Py_ssize_t i):
        """Row ``i``: USD-M balance change bc (8-decimal raw; 0 when absent or another kind)."""
        return self._row_at(i).third_raw

    @cython.always_allow_keywords(False)
    def present(self, Py_ssize_t i):
        """Row ``i``: RowField bits of the values it carried."""
        return self._row_at(i).present

    @cython.always_allow_keywords(False)
    def account_type(self, Py_ssize_t i):
        """Row ``i``: AccountType (Bybit UNIFIED / other; ACCT_NONE on Binance)."""
        return self._row_at(i).account

    def rows(self):
        """All rows as ``(asset, first_raw, second_raw, third_raw)`` tuples, None for absent values (cold path).

        Returns
        -------
        list of tuple
        """
        cdef list out = []
        cdef int i
        cdef const BalanceRow *row
        for i in range(self.ev.count):
            row = &self.ev.rows[i]
            out.append((
                (<const char *>row.asset)[:row.asset_len].decode("utf-8"),
                row.first_raw if row.present & ROW_FIRST else None,
                row.second_raw if row.present & ROW_SECOND else None,
                row.third_raw if row.present & ROW_THIRD else None,
            ))
        return out
