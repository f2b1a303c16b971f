"""Gate.io ``spot.balances`` pushes into the balance parser's ``BalanceEvent`` (no Python objects).

``{"time","time_ms","channel":"spot.balances","event":"update","result":[{"timestamp",
"timestamp_ms","user","currency","change","total","available","freeze","freeze_change",
"change_type"}]}`` (shared/venues/gateio-spot.md §7: ``timestamp``/``timestamp_ms`` and
``user`` are strings there).  Each result item is a row: ``currency``, first = ``available``,
second = ``freeze``, third = ``total`` (kind ``BAL_GATE_SPOT``); ``time_ms`` is the event
time.  The rest of :class:`~engine._parse_balances.BalanceParser` holds as it is: the
whole message is validated first (ParseError otherwise), ``parse`` returns the row count,
or -1 for any other message and for one over capacity (``BAL_OVERFLOW``: more than
``BAL_MAX_ROWS`` rows or a currency longer than ``BAL_ASSET_CAP`` bytes), read then on the
general path.  Every byte read is preceded by a remaining-length check (jsonscan.h).
"""

from libc.stdint cimport int64_t
from libc.string cimport memcmp

from engine._jsonscan cimport JS_ABSENT
from engine._jsonscan cimport JS_E_SHAPE
from engine._jsonscan cimport JS_E_TOOLONG
from engine._jsonscan cimport JS_E_TYPE
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport JS_READ_ADJUSTED
from engine._jsonscan cimport JS_SCRATCH
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_decode_key
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
from engine._jsonscan cimport js_skip
from engine._jsonscan cimport js_span
from engine._parse_balances cimport BAL_ASSET_CAP
from engine._parse_balances cimport BAL_GATE_SPOT
from engine._parse_balances cimport BAL_MAX_ROWS
from engine._parse_balances cimport BAL_OVERFLOW
from engine._parse_balances cimport BAL_ROUNDED
from engine._parse_balances cimport BalanceEvent
from engine._parse_balances cimport BalanceParser
from engine._parse_balances cimport BalanceRow
from engine._parse_balances cimport ROW_FIRST
from engine._parse_balances cimport ROW_SECOND
from engine._parse_balances cimport ROW_THIRD
from engine._parse_balances cimport row_start

cdef enum:
    KEY_SCRATCH = 32             # escaped keys decode here; longer ones match nothing we know


cdef int _value(js_cur *c, BalanceEvent *ev, BalanceRow *row, int bit) noexcept nogil:
    """One decimal of a row into first / second / third (null or "": absent, its bit clear)."""
    cdef int64_t v = 0
    cdef int st = js_read_decimal(c, &v)
    if st < 0:
        return st
    if st == JS_ABSENT:
        v = 0
        row.present &= ~bit
    else:
        row.present |= bit
        if st == JS_READ_ADJUSTED:
            ev.flags |= BAL_ROUNDED
    if bit == ROW_FIRST:
        row.first_raw = v
    elif bit == ROW_SECOND:
        row.second_raw = v
    else:
        row.third_raw = v
    return JS_OK


cdef int _row(js_cur *c, BalanceEvent *ev) noexcept nogil:
    """One result item; stored while there is room, validated in any case."""
    cdef BalanceRow spill
    cdef BalanceRow *row
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int st
    cdef size_t n = 0
    cdef bint has_asset = False
    row = row_start(ev, &spill)          # past capacity: the spill row, validated, not kept
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
        if js_key_is(&k, b"currency", 8):
            st = js_read_text(c, row.asset, BAL_ASSET_CAP, &n, 0)
            if st == JS_E_TOOLONG:
                ev.flags |= BAL_OVERFLOW     # the cursor is past the (valid) string: go on validating
                n = 0
                st = JS_OK
            elif st == JS_ABSENT:
                return JS_E_TYPE             # a null currency: the row is unusable
            row.asset_len = <unsigned char>n
            has_asset = True
        elif js_key_is(&k, b"available", 9):
            st = _value(c, ev, row, ROW_FIRST)
        elif js_key_is(&k, b"freeze", 6):
            st = _value(c, ev, row, ROW_SECOND)
        elif js_key_is(&k, b"total", 5):
            st = _value(c, ev, row, ROW_THIRD)
        else:
            st = js_skip(c)
        if st < 0:
            return st
    if not has_asset:
        return JS_E_SHAPE
    if ev.count <= BAL_MAX_ROWS:
        ev.count += 1                    # stops at BAL_MAX_ROWS + 1: "over capacity"
    return JS_OK


cdef int _parse(js_cur *c, BalanceEvent *ev) noexcept nogil:
    """The envelope (validated whole), then the rows of a spot.balances push."""
    cdef js_span k, v
    cdef char key_buf[KEY_SCRATCH]
    cdef char scratch[JS_SCRATCH]
    cdef int first = 1
    cdef bint balances = False
    cdef const char *rows_at = NULL
    cdef js_cur rc
    cdef int64_t ts = 0
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
        if js_key_is(&k, b"channel", 7):
            st = js_read_word(c, &v, scratch)
            if st == JS_E_TOOLONG:
                st = JS_OK                   # a long escaped name: not ours
            elif st > 0:
                balances = v.n == 13 and memcmp(v.s, b"spot.balances", 13) == 0
        elif js_key_is(&k, b"result", 6):
            if js_peek(c) == b'[':
                rows_at = c.p
            st = js_skip(c)
        elif js_key_is(&k, b"time_ms", 7):
            st = js_read_int(c, &ts)
            if st > 0:
                ev.ts_event_ms = ts
        else:
            st = js_skip(c)
        if st < 0:
            return st
    st = js_finish(c)
    if st != JS_OK or not balances or rows_at == NULL:
        return st
    ev.kind = BAL_GATE_SPOT
    rc.p = rows_at
    rc.end = c.end
    first = 1
    st = js_enter(&rc, b'[')
    while st == JS_OK:
        st = js_next_elem(&rc, &first)
        if st <= 0:
            break
        st = _row(&rc, ev)
    if st < 0:
        c.p = rc.p                           # the error's offset is where the row went wrong
    return st


cdef class GateBalanceParser(BalanceParser):
    """The balance parser for Gate.io ``spot.balances`` pushes (module docstring); the accessors are
    :class:`~engine._parse_balances.BalanceParser`'s (``first_raw`` available, ``second_raw`` freeze,
    ``third_raw`` total)."""

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -2:
        """Parse buf[0:size]: the row count, -1 (not spot.balances / over capacity), or ParseError."""
        return self.read_event(buf, size, _parse)
