# Readers that take one JSON value at the cursor straight into an ExecRecord field
# (decimal -> fixed-point raw, integer, bool, bounded text).  Declaration-only
# inline helpers shared by the venue parsers; every one returns a js_status
# (JS_OK or a negative error), never raises, and is safe without the GIL.
# A JSON null (and, for decimals, an empty string as Bybit sends for avgPrice)
# leaves the field absent: its FieldBit stays clear.
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.stdint cimport uint64_t

from engine._exec_record cimport ExecRecord
from engine._exec_record cimport REC_ROUNDED
from engine._exec_record cimport REC_TRUNCATED
from engine._fixedpoint cimport FP_EXACT
from engine._fixedpoint cimport FP_HALF_EVEN
from engine._fixedpoint cimport FP_INEXACT
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport fp_parse
from engine._jsonscan cimport JS_E_DECIMAL
from engine._jsonscan cimport JS_E_EOF
from engine._jsonscan cimport JS_E_TOOLONG
from engine._jsonscan cimport JS_E_TYPE
from engine._jsonscan cimport JS_LIT_NULL
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_literal
from engine._jsonscan cimport js_number
from engine._jsonscan cimport js_parse_int64
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_plain_numeric_string
from engine._jsonscan cimport js_span
from engine._jsonscan cimport js_string
from engine._jsonscan cimport js_unescape


cdef enum:
    RD_SCRATCH = 64              # decoded escaped numbers / enum words longer than this are invalid anyway


cdef inline void mark(ExecRecord *r, int bit) noexcept nogil:
    r.present |= (<uint64_t>1) << bit


cdef inline int rd_text_span(js_cur *c, js_span *sp, char *scratch, bint *is_null) noexcept nogil:
    """A string (escapes decoded into scratch[RD_SCRATCH]) or null at the cursor."""
    cdef int ch = js_peek(c)
    cdef int st
    cdef size_t n = 0
    is_null[0] = False
    if ch == b'"':
        st = js_string(c, sp)
        if st != JS_OK:
            return st
        if sp.escaped:
            st = js_unescape(sp, scratch, RD_SCRATCH, &n)
            if st != JS_OK:
                return st
            sp.s = scratch
            sp.n = n
            sp.escaped = 0
        return JS_OK
    if ch == b'n':
        st = js_literal(c)
        if st < 0:
            return st
        if st == JS_LIT_NULL:
            is_null[0] = True
            return JS_OK
        return JS_E_TYPE
    return JS_E_EOF if ch < 0 else JS_E_TYPE


cdef inline int rd_scalar_span(js_cur *c, js_span *sp, char *scratch, bint *is_null) noexcept nogil:
    """A number, a string (decoded) or null at the cursor, as text."""
    cdef int ch = js_peek(c)
    is_null[0] = False
    if ch == b'"' and js_plain_numeric_string(c, sp):
        return JS_OK
    if ch == b'-' or (ch >= b'0' and ch <= b'9'):
        return js_number(c, sp)
    return rd_text_span(c, sp, scratch, is_null)


cdef inline int rd_decimal(js_cur *c, ExecRecord *r, int64_t *dst, int bit) noexcept nogil:
    """Decimal (JSON number or string) -> fixed-point raw, exactly; >8 decimals round half-even (REC_ROUNDED)."""
    cdef js_span sp
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_scalar_span(c, &sp, scratch, &is_null)
    if st != JS_OK:
        return st
    if is_null or sp.n == 0:
        return JS_OK
    st = fp_parse(sp.s, sp.n, FP_EXACT, dst)
    if st == FP_INEXACT:
        st = fp_parse(sp.s, sp.n, FP_HALF_EVEN, dst)
        r.flags |= REC_ROUNDED
    if st != FP_OK:
        return JS_E_DECIMAL
    mark(r, bit)
    return JS_OK


cdef inline int rd_int(js_cur *c, ExecRecord *r, int64_t *dst, int bit) noexcept nogil:
    """Integer (JSON number or digit string) -> int64; fractions and overflow are errors."""
    cdef js_span sp
    cdef char scratch[RD_SCRATCH]
    cdef bint is_null
    cdef int st = rd_scalar_span(c, &sp, scratch, &is_null)
    if st != JS_OK:
        return st
    if is_null or sp.n == 0:
        return JS_OK
    st = js_parse_int64(sp.s, sp.n, dst)
    if st != JS_OK:
        return st
    mark(r, bit)
    return JS_OK


cdef inline int rd_bool(js_cur *c, ExecRecord *r, uint8_t *dst, int bit) noexcept nogil:
    """true / false (null: absent)."""
    cdef int ch = js_peek(c)
    cdef int st
    if ch != b't' and ch != b'f' and ch != b'n':
        return JS_E_EOF if ch < 0 else JS_E_TYPE
    st = js_literal(c)
    if st < 0:
        return st
    if st == JS_LIT_NULL:
        return JS_OK
    dst[0] = <uint8_t>st
    mark(r, bit)
    return JS_OK


cdef inline int rd_text(js_cur *c, ExecRecord *r, char *dst, size_t cap, size_t *length,
                        int bit, bint may_truncate) noexcept nogil:
    """String -> dst[0:cap] with its length.  Too long: error for identifiers, cut (REC_TRUNCATED) otherwise."""
    cdef js_span sp
    cdef size_t n = 0
    cdef int ch = js_peek(c)
    cdef int st
    if ch == b'n':
        st = js_literal(c)
        if st < 0:
            return st
        return JS_OK if st == JS_LIT_NULL else JS_E_TYPE
    if ch != b'"':
        return JS_E_EOF if ch < 0 else JS_E_TYPE
    st = js_string(c, &sp)
    if st != JS_OK:
        return st
    st = js_unescape(&sp, dst, cap, &n)
    if st == JS_E_TOOLONG and may_truncate:
        r.flags |= REC_TRUNCATED
        st = JS_OK
    if st != JS_OK:
        return st
    length[0] = n
    mark(r, bit)
    return JS_OK


cdef inline int rd_text8(js_cur *c, ExecRecord *r, char *dst, size_t cap, uint8_t *length,
                         int bit, bint may_truncate) noexcept nogil:
    """rd_text for the fields whose length is a uint8_t (cap <= 255)."""
    cdef size_t n = length[0]
    cdef int st = rd_text(c, r, dst, cap, &n, bit, may_truncate)
    length[0] = <uint8_t>n
    return st
