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
from engine._jsonscan cimport JS_ABSENT
from engine._jsonscan cimport JS_E_EOF
from engine._jsonscan cimport JS_E_TYPE
from engine._jsonscan cimport JS_LIT_NULL
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport JS_READ_ADJUSTED
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_literal
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_read_decimal
from engine._jsonscan cimport js_read_int
from engine._jsonscan cimport js_read_text
from engine._jsonscan cimport js_read_word
from engine._jsonscan cimport js_span


cdef enum:
    RD_SCRATCH = 64              # == JS_SCRATCH: decoded escaped numbers / enum words longer than this are invalid anyway


cdef inline void mark(ExecRecord *r, int bit) noexcept nogil:
    r.present |= (<uint64_t>1) << bit


cdef inline int rd_text_span(js_cur *c, js_span *sp, char *scratch, bint *is_null) noexcept nogil:
    """A string (escapes decoded into scratch[RD_SCRATCH]) or null at the cursor."""
    cdef int st = js_read_word(c, sp, scratch)
    is_null[0] = st == JS_ABSENT
    return st if st < 0 else JS_OK


cdef inline int rd_decimal(js_cur *c, ExecRecord *r, int64_t *dst, int bit) noexcept nogil:
    """Decimal (JSON number or string) -> fixed-point raw, exactly; >8 decimals round half-even (REC_ROUNDED)."""
    cdef int st = js_read_decimal(c, dst)
    if st <= 0:
        return st                        # JS_ABSENT is JS_OK: null or "" leaves the field absent
    if st == JS_READ_ADJUSTED:
        r.flags |= REC_ROUNDED
    mark(r, bit)
    return JS_OK


cdef inline int rd_int(js_cur *c, ExecRecord *r, int64_t *dst, int bit) noexcept nogil:
    """Integer (JSON number or digit string) -> int64; fractions and overflow are errors."""
    cdef int st = js_read_int(c, dst)
    if st <= 0:
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
    cdef int st = js_read_text(c, dst, cap, length, may_truncate)
    if st <= 0:
        return st
    if st == JS_READ_ADJUSTED:
        r.flags |= REC_TRUNCATED
    mark(r, bit)
    return JS_OK


cdef inline int rd_text8(js_cur *c, ExecRecord *r, char *dst, size_t cap, uint8_t *length,
                         int bit, bint may_truncate) noexcept nogil:
    """rd_text for the fields whose length is a uint8_t (cap <= 255)."""
    cdef size_t n = length[0]
    cdef int st = rd_text(c, r, dst, cap, &n, bit, may_truncate)
    length[0] = <uint8_t>n
    return st
