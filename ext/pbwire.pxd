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

    enum pb_keep:
        PB_K_NONE
        PB_K_VARINT
        PB_K_STRING
        PB_K_LAZY
        PB_K_SKIP

    enum:
        PB_SLOTS                        # slots of a pb_fields (16)

    ctypedef struct pb_span:
        const unsigned char *s          # borrowed from the buffer read
        size_t n

    ctypedef union pb_value:
        pb_span span                    # a string kept
        uint64_t val                    # a varint kept

    ctypedef struct pb_fields:
        uint32_t seen                   # 1 << slot for each slot holding a field
        pb_value slot[16]               # PB_SLOTS

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
    int pb_decimal_fast(const unsigned char *s, size_t n, const unsigned char *limit, int64_t *raw)   # 1: read; 2: read, rounded; 0: use the general parser
    unsigned char PB_ENTRY(int kind, int slot)    # a pb_scan table entry
    int pb_scan(pb_cur *c, const unsigned char *table, pb_fields *f)   # the fields the table names, into f
    unsigned pb_lowest(uint32_t seen)               # the lowest slot of a non-zero mask
    int pb_walk(const unsigned char *s, size_t n)   # PB_OK: well-formed fields, contents not read
