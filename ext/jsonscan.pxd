# Declarations of the bounds-checked JSON scanner (ext/jsonscan.h) shared by the
# hot-message parsers.  Declaration-only: cimporting these costs no import.
from libc.stdint cimport int64_t


cdef extern from "jsonscan.h" nogil:
    const int JS_MAX_DEPTH              # nesting levels js_skip accepts

    enum js_status:
        JS_OK
        JS_E_EOF
        JS_E_SYNTAX
        JS_E_ESCAPE
        JS_E_UTF8
        JS_E_DEPTH
        JS_E_NUMBER
        JS_E_TYPE
        JS_E_TOOLONG
        JS_E_DECIMAL
        JS_E_TRAILING
        JS_E_SHAPE

    const int JS_LIT_FALSE
    const int JS_LIT_TRUE
    const int JS_LIT_NULL

    ctypedef struct js_cur:
        const char *p                   # next unread byte
        const char *end                 # one past the last byte

    ctypedef struct js_span:
        const char *s                   # first byte (strings: after the quote)
        size_t n                        # length in bytes, escapes not decoded
        int escaped                     # string holds a backslash escape

    # Readers (JS_ABSENT == JS_OK: null, field stays absent; JS_READ; JS_READ_ADJUSTED:
    # decimal rounded half-even / text cut to cap; negative: js_status error).
    const int JS_ABSENT
    const int JS_READ
    const int JS_READ_ADJUSTED
    const int JS_SCRATCH                # bytes of decode scratch js_read_word needs
    int js_read_decimal(js_cur *c, int64_t *raw)
    int js_read_int(js_cur *c, int64_t *out)
    int js_read_text(js_cur *c, char *dst, size_t cap, size_t *length, int may_truncate)
    int js_read_word(js_cur *c, js_span *sp, char *scratch)
    int js_scalar_text(js_cur *c, js_span *sp, char *scratch)   # number, string or null as text (JS_READ / JS_ABSENT)

    int js_peek(js_cur *c)
    int js_string(js_cur *c, js_span *out)
    int js_plain_numeric_string(js_cur *c, js_span *out)
    int js_decimal_string_fast(js_cur *c, int64_t *raw)   # 1: read exactly; 0: take the general path
    int js_int_fast(js_cur *c, int64_t *out)              # likewise for a bare integer
    int js_unescape(const js_span *sp, char *dst, size_t cap, size_t *outn)
    void js_decode_key(js_span *k, char *buf, size_t cap)   # escaped key decoded into buf, else empty
    int js_number(js_cur *c, js_span *out)
    int js_literal(js_cur *c)
    int js_next_key(js_cur *c, int *first, js_span *key)
    int js_at_member1(const js_cur *c, char k)   # cursor at ,"k": (value right after)
    int js_p_at_member1(const char *p, const char *end, char k)
    # Pointer-in, pointer-out fast paths: the position after the value, or NULL for
    # "take the general reader from here".
    const char *js_p_decimal_string(const char *q, const char *end, int64_t *raw)
    const char *js_p_int(const char *p, const char *end, int64_t *out)
    const char *js_p_plain_string(const char *q, const char *end, const char **s, size_t *n)
    const char *js_p_literal(const char *p, const char *end, int *lit)
    const char *js_p_skip_scalar(const char *p, const char *end)
    int js_member1(js_cur *c, char k)            # that, and step to the value
    # One-letter members in an expected order: from the ',' of  ,"k":v  to after v when
    # v is in the common spelling, else NULL with nothing written (general loop from p).
    const char *js_m1_decimal(const char *p, const char *end, char k, int64_t *raw)
    const char *js_m1_int(const char *p, const char *end, char k, int64_t *out)
    const char *js_m1_word(const char *p, const char *end, char k, const char **s, size_t *n)
    const char *js_m1_text(const char *p, const char *end, char k, char *dst, size_t cap, size_t *n)
    const char *js_m1_literal(const char *p, const char *end, char k, int *lit)
    const char *js_m1_skip(const char *p, const char *end, char k)
    const char *js_p_skip_int(const char *p, const char *end)
    int js_next_elem(js_cur *c, int *first)
    int js_enter(js_cur *c, char open)
    int js_skip(js_cur *c)
    int js_finish(js_cur *c)
    int js_parse_int64(const char *s, size_t n, int64_t *out)
    int js_key_is(const js_span *k, const char *lit, size_t n)
