# Declarations of the bounds-checked Protocol Buffers wire reader (ext/pbwire.h) the
# MEXC stream reader uses.  Declaration-only: cimporting these costs no import.
from libc.stdint cimport int64_t
from libc.stdint cimport uint32_t
from libc.stdint cimport uint64_t


cdef extern from "pbwire.h" nogil:
    enum pb_status:
        PB_OK
        PB_E_EOF
        PB_E_VARINT
        PB_E_WIRE
        PB_E_UTF8
        PB_E_VALUE
        PB_E_SHAPE

    enum pb_wire_type:
        PB_WT_VARINT
        PB_WT_I64
        PB_WT_LEN
        PB_WT_I32

    ctypedef struct pb_cur:
        const unsigned char *p          # next unread byte
        const unsigned char *end        # one past the last byte of the message being read
        const unsigned char *limit      # one past the last byte of the whole buffer (wide loads stop there)

    int pb_varint(pb_cur *c, uint64_t *out)
    int pb_tag(pb_cur *c, uint32_t *field, int *wire)
    int pb_tag_raw(pb_cur *c, uint32_t *tag)         # the tag as field << 3 | wire
    int pb_bytes(pb_cur *c, const unsigned char **s, size_t *n)
    int pb_string(pb_cur *c, const unsigned char **s, size_t *n)
    int pb_utf8_ok(const unsigned char *s, size_t n)
    void pb_copy_short(void *dst, const unsigned char *src, size_t n)   # n <= 64
    void pb_clear(void *p, size_t n)                 # zero a small record without `rep stos`
    int pb_skip(pb_cur *c, int wire)
    int pb_decimal_fast(const unsigned char *s, size_t n, const unsigned char *limit, int64_t *raw)   # 1: read; 0: use the general parser
    int pb_walk(const unsigned char *s, size_t n)   # PB_OK: well-formed fields, contents not read
