"""Bybit V5 ``position`` pushes: each position's mark price into the balance parser's ``BalanceEvent``.

``{"id","topic":"position","creationTime","data":[{"symbol","markPrice",...}]}`` (also the
categorised ``position.linear`` / ``position.inverse`` topics; bybit-v5.md s7).  Each data item
with a symbol is a row: asset = ``symbol``, first = ``markPrice`` (``ROW_FIRST`` clear when it is
null or ""), kind ``BAL_BYBIT_POSITION``; ``creationTime`` is the event time.  The rest of
:class:`~engine._parse_balances.BalanceParser` holds as it is: the whole message is validated
first (ParseError otherwise), a mark with more than 8 decimals is rounded half-even
(``BAL_ROUNDED``), ``parse`` returns the row count, or -1 for any other message and for one over
capacity (``BAL_OVERFLOW``: more than ``BAL_MAX_ROWS`` rows or a symbol longer than
``BAL_ASSET_CAP`` bytes), read then on the general path.  Every byte read is preceded by a
remaining-length check (jsonscan.h).
"""

from libc.stdint cimport int64_t
from libc.string cimport memcmp

from engine._jsonscan cimport JS_ABSENT
from engine._jsonscan cimport JS_E_TOOLONG
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
from engine._parse_balances cimport BAL_BYBIT_POSITION
from engine._parse_balances cimport BAL_MAX_ROWS
from engine._parse_balances cimport BAL_OVERFLOW
from engine._parse_balances cimport BAL_ROUNDED
from engine._parse_balances cimport BalanceEvent
from engine._parse_balances cimport BalanceParser
from engine._parse_balances cimport BalanceRow
from engine._parse_balances cimport ROW_FIRST
from engine._parse_balances cimport row_start

cdef enum:
    KEY_SCRATCH = 32             # escaped keys decode here; longer ones match nothing we know


cdef int _row(js_cur *c, BalanceEvent *ev) noexcept nogil:
    """One position object; kept (while there is room) when it names its symbol, validated in any case."""
    cdef BalanceRow spill
    cdef BalanceRow *row
    cdef js_span k
    cdef char key_buf[KEY_SCRATCH]
    cdef int first = 1
    cdef int st
    cdef int64_t v = 0
    cdef size_t n = 0
    cdef bint has_symbol = False
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
        if k.n == 6 and js_key_is(&k, b"symbol", 6):
            n = 0
            st = js_read_text(c, row.asset, BAL_ASSET_CAP, &n, 0)
            if st == JS_E_TOOLONG:
                ev.flags |= BAL_OVERFLOW     # the cursor is past the (valid) string: go on validating
                st = JS_OK
            has_symbol = st > 0 and n > 0    # null or "": a row that names nothing (skipped)
            row.asset_len = <unsigned char>n if has_symbol else 0
        elif k.n == 9 and js_key_is(&k, b"markPrice", 9):
            st = js_read_decimal(c, &v)
            if st == JS_ABSENT:
                row.present &= ~ROW_FIRST
                row.first_raw = 0
            elif st > 0:
                row.present |= ROW_FIRST
                row.first_raw = v
                if st == JS_READ_ADJUSTED:
                    ev.flags |= BAL_ROUNDED
        else:
            st = js_skip(c)
        if st < 0:
            return st
    if has_symbol and ev.count <= BAL_MAX_ROWS:
        ev.count += 1                    # stops at BAL_MAX_ROWS + 1: "over capacity"
    return JS_OK


cdef inline bint _is_position(const js_span *v) noexcept nogil:
    """"position", or a categorised "position.<category>"."""
    return v.n >= 8 and memcmp(v.s, b"position", 8) == 0 and (v.n == 8 or v.s[8] == b'.')


cdef int _parse(js_cur *c, BalanceEvent *ev) noexcept nogil:
    """The envelope (validated whole), then the rows of a position push."""
    cdef js_span k, v
    cdef char key_buf[KEY_SCRATCH]
    cdef char scratch[JS_SCRATCH]
    cdef int first = 1
    cdef bint positions = False
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
        if k.n == 5 and js_key_is(&k, b"topic", 5):
            st = js_read_word(c, &v, scratch)
            if st == JS_E_TOOLONG:
                st = JS_OK                   # a long escaped name: not ours
            elif st > 0:
                positions = _is_position(&v)
        elif k.n == 4 and js_key_is(&k, b"data", 4):
            if js_peek(c) == b'[':
                rows_at = c.p
            st = js_skip(c)
        elif k.n == 12 and js_key_is(&k, b"creationTime", 12):
            st = js_read_int(c, &ts)
            if st > 0:
                ev.ts_event_ms = ts
        else:
            st = js_skip(c)
        if st < 0:
            return st
    st = js_finish(c)
    if st != JS_OK or not positions or rows_at == NULL:
        return st
    ev.kind = BAL_BYBIT_POSITION
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


cdef class BybitMarkParser(BalanceParser):
    """The parser of Bybit ``position`` pushes (module docstring); the accessors are
    :class:`~engine._parse_balances.BalanceParser`'s (``asset`` the symbol, ``first_raw`` the mark
    price, ``present`` its ``ROW_FIRST`` bit)."""

    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -2:
        """Parse buf[0:size]: the row count, -1 (not a position push / over capacity), or ParseError."""
        return self.read_event(buf, size, _parse)
