/* A small, strict, bounds-checked reader of the Protocol Buffers wire format (proto3).
 *
 * Nothing here builds a message: a reader walks a message field by field, looks at
 * each tag, and either reads the value straight into a fixed-size record or skips it.
 * Every read checks the bytes left first (the cursor invariant is  p <= end); every
 * function returns a pb_status (PB_OK == 0, errors negative) and never touches
 * Python, so all of it is safe without the GIL.
 *
 * Wire rules kept (protobuf.dev/programming-guides/encoding):
 * 1. A varint is at most 10 bytes; bits past the 64th are dropped, as the reference
 *    decoders do.  A tag is a varint of at most 32 bits; field number 0 is invalid.
 * 2. Wire types 0 (varint), 1 (8 bytes), 2 (length-delimited) and 5 (4 bytes) are
 *    skipped when not wanted; groups (3, 4) and the unused types 6 and 7 are errors
 *    (no message we read has groups, and nothing sends them).
 * 3. A length-delimited field never runs past the end of the bytes that hold it.
 * 4. proto3 strings are valid UTF-8 (no overlong forms, no surrogates, nothing above
 *    U+10FFFF): a string field that is not is an error, as the reference decoders make it.
 */
#ifndef ENGINE_PBWIRE_H
#define ENGINE_PBWIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "jsonscan.h" /* js_utf8_len, the SWAR helpers */

#if defined(__SSE2__) && defined(__GNUC__)
#define PB_SSE2 1
#include <emmintrin.h>
#else
#define PB_SSE2 0
#endif

enum pb_status {
    PB_OK = 0,
    PB_E_EOF = -1,     /* a varint, length or fixed-size value runs past the end */
    PB_E_VARINT = -2,  /* a varint longer than 10 bytes */
    PB_E_WIRE = -3,    /* a group, wire type 6 or 7, field number 0, or a tag over 32 bits */
    PB_E_UTF8 = -4,    /* a string field that is not valid UTF-8 */
    PB_E_VALUE = -5,   /* a known field whose value the reader cannot use (decimal, length, enum) */
    PB_E_SHAPE = -6    /* a well-formed message that lacks what the reader needs */
};

enum pb_wire_type {
    PB_WT_VARINT = 0,
    PB_WT_I64 = 1,
    PB_WT_LEN = 2,
    PB_WT_SGROUP = 3,
    PB_WT_EGROUP = 4,
    PB_WT_I32 = 5
};

typedef struct {
    const unsigned char *p;     /* next unread byte */
    const unsigned char *end;   /* one past the last byte of the message being read */
    const unsigned char *limit; /* one past the last byte of the whole buffer (>= end): wide loads
                                 * may read up to it, never past */
} pb_cur;

#if defined(__GNUC__)
#define PB_NOINLINE __attribute__((noinline))
#define PB_INLINE static inline __attribute__((always_inline))   /* the per-field steps */
#else
#define PB_NOINLINE
#define PB_INLINE static inline
#endif

/* The byte loop of a varint at p (before end): its end in *next.  The slow paths take the cursor's
 * values, not the cursor, so that an inlined reader's cursor can stay in registers. */
static PB_NOINLINE int pb_varint_slow(const unsigned char *p, const unsigned char *end,
                                      const unsigned char **next, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) {
        if (p >= end) return PB_E_EOF;
        unsigned char b = *p++;
        v |= (uint64_t)(b & 0x7F) << (7 * i);   /* i == 9: only the lowest bit lands in range */
        if (!(b & 0x80)) {
            *next = p;
            *out = v;
            return PB_OK;
        }
    }
    return PB_E_VARINT;
}

/* One varint (rule 1).  With 8 bytes readable before `limit`, a varint of up to 8 bytes (a
 * millisecond timestamp takes 6) is read in one load: its last byte is the first without the
 * continuation bit, and its 7-bit groups are packed together in three steps. */
PB_INLINE int pb_varint(pb_cur *c, uint64_t *out)
{
    if (c->p < c->end && !(*c->p & 0x80)) {   /* one byte: field values below 128, most tags */
        *out = *c->p++;
        return PB_OK;
    }
#if JS_SWAR
    if (c->limit - c->p >= 8) {
        uint64_t w = js_load8(c->p), x;
        uint64_t last = ~w & JS_HIGH;          /* bytes without the continuation bit */
        if (last) {
            unsigned k = js_swar_first(last) + 1;
            if (k > (size_t)(c->end - c->p)) return PB_E_EOF;   /* it ends past the message */
            x = (k == 8 ? w : (w & ((1ULL << (8 * k)) - 1))) & 0x7F7F7F7F7F7F7F7FULL;
            x = ((x & 0x7F007F007F007F00ULL) >> 1) | (x & 0x007F007F007F007FULL);
            x = ((x & 0x3FFF00003FFF0000ULL) >> 2) | (x & 0x00003FFF00003FFFULL);
            x = ((x & 0x0FFFFFFF00000000ULL) >> 4) | (x & 0x000000000FFFFFFFULL);
            c->p += k;
            *out = x;
            return PB_OK;
        }
    }
#endif
    {
        const unsigned char *next;
        int st = pb_varint_slow(c->p, c->end, &next, out);
        if (st == PB_OK) c->p = next;
        return st;
    }
}

/* One tag: *field (1 .. 2^29 - 1) and *wire (rule 1).  A tag is at most 5 bytes. */
static inline int pb_tag(pb_cur *c, uint32_t *field, int *wire)
{
    uint64_t v = 0;
    const unsigned char *p = c->p;
    int i;
    for (i = 0; i < 5; i++) {
        if (p >= c->end) return PB_E_EOF;
        unsigned char b = *p++;
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) break;
    }
    if (i == 5 || v > 0xFFFFFFFFULL || (v >> 3) == 0) return PB_E_WIRE;
    c->p = p;
    *field = (uint32_t)(v >> 3);
    *wire = (int)(v & 7);
    return PB_OK;
}

static PB_NOINLINE int pb_tag_slow(const unsigned char *p, const unsigned char *end,
                                   const unsigned char **next, uint32_t *tag)
{
    pb_cur c = {p, end, end};
    uint32_t field;
    int wire;
    int st = pb_tag(&c, &field, &wire);
    if (st == PB_OK) {
        *tag = (field << 3) | (uint32_t)wire;
        *next = c.p;
    }
    return st;
}

/* One tag as its raw value, field << 3 | wire (rule 1), so that a reader dispatches on field
 * and wire type at once.  One- and two-byte tags (fields 1 .. 2047) are read inline. */
PB_INLINE int pb_tag_raw(pb_cur *c, uint32_t *tag)
{
    const unsigned char *p = c->p;
    if (p < c->end && p[0] >= 8 && p[0] < 0x80) {       /* field 1 .. 15 */
        *tag = p[0];
        c->p = p + 1;
        return PB_OK;
    }
    if (c->end - p >= 2 && (p[0] & 0x80) && p[1] != 0 && p[1] < 0x80) {   /* field 16 .. 2047 */
        *tag = (uint32_t)(p[0] & 0x7F) | ((uint32_t)p[1] << 7);
        c->p = p + 2;
        return PB_OK;
    }
    {                                                    /* longer, overlong, field 0, or the end */
        const unsigned char *next;
        int st = pb_tag_slow(p, c->end, &next, tag);
        if (st == PB_OK) c->p = next;
        return st;
    }
}

/* A length-delimited value: its bytes as [*s, *s + *n) (rule 3). */
PB_INLINE int pb_bytes(pb_cur *c, const unsigned char **s, size_t *n)
{
    uint64_t len;
    int st = pb_varint(c, &len);
    if (st != PB_OK) return st;
    if (len > (uint64_t)(c->end - c->p)) return PB_E_EOF;
    *s = c->p;
    *n = (size_t)len;
    c->p += len;
    return PB_OK;
}

/* Whether s[0:n] is valid UTF-8 (rule 4): eight ASCII bytes at a time, js_utf8_len otherwise. */
static inline int pb_utf8_ok(const unsigned char *s, size_t n)
{
    const unsigned char *p = s, *end = s + n;
    uint64_t w;
    while ((size_t)(end - p) >= 8) {
        memcpy(&w, p, 8);
        if (w & 0x8080808080808080ULL) break;
        p += 8;
    }
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t k = js_utf8_len(p, end);
        if (k == 0) return 0;
        p += k;
    }
    return 1;
}

/* Whether s[0:n] is valid UTF-8, where the bytes up to `limit` may be read: ASCII (the
 * strings MEXC sends) is told by OR-ing whole words, the last one overlapping or masked;
 * anything else gets the full check. */
PB_INLINE int pb_utf8_ok_within(const unsigned char *s, size_t n, const unsigned char *limit)
{
#if JS_SWAR
    uint64_t acc = 0;
    size_t i;
    if (n >= 8) {
        for (i = 0; i + 8 <= n; i += 8) acc |= js_load8(s + i);
        acc |= js_load8(s + n - 8);
    } else if (limit - s >= 8) {
        acc = js_load8(s) & ((1ULL << (8 * n)) - 1);   /* n < 8: the bytes past n masked off */
    } else {
        return pb_utf8_ok(s, n);
    }
    if (!(acc & JS_HIGH)) return 1;
#else
    (void)limit;
#endif
    return pb_utf8_ok(s, n);
}

/* A string value: its bytes, checked to be UTF-8. */
PB_INLINE int pb_string(pb_cur *c, const unsigned char **s, size_t *n)
{
    int st = pb_bytes(c, s, n);
    if (st != PB_OK) return st;
    return pb_utf8_ok_within(*s, *n, c->limit) ? PB_OK : PB_E_UTF8;
}

/* Copy n bytes (n <= 64) into dst, a buffer of at least n: fixed-size moves, overlapping
 * where n is not a multiple of their size, instead of a call for a few bytes. */
PB_INLINE void pb_copy_short(void *dst, const unsigned char *src, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    if (n >= 16) {
        memcpy(d, src, 16);
        if (n > 32) {
            memcpy(d + 16, src + 16, 16);
            if (n > 48) memcpy(d + 32, src + 32, 16);
        }
        if (n > 16) memcpy(d + n - 16, src + n - 16, 16);   /* the rest, overlapping what is copied */
    } else if (n >= 8) {
        memcpy(d, src, 8);
        memcpy(d + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, src, 4);
        memcpy(d + n - 4, src + n - 4, 4);
    } else if (n) {
        d[0] = src[0];
        d[n >> 1] = src[n >> 1];
        d[n - 1] = src[n - 1];
    }
}

/* Zero n bytes at p (n known when compiled): 16-byte stores, not the `rep stos` a compiler
 * may choose for a record this size, whose start-up costs more than the stores. */
PB_INLINE void pb_clear(void *p, size_t n)
{
#if PB_SSE2
    unsigned char *q = (unsigned char *)p;
    const __m128i z = _mm_setzero_si128();
    size_t i;
    if (n < 16) {
        memset(p, 0, n);
        return;
    }
    for (i = 0; i + 16 <= n; i += 16) {
        _mm_storeu_si128((__m128i *)(q + i), z);
        __asm__("" : : : "memory");   /* keeps the compiler from turning the loop back into memset */
    }
    if (i < n) _mm_storeu_si128((__m128i *)(q + n - 16), z);
#else
    memset(p, 0, n);
#endif
}

/* Skip one value of wire type `wire` (rule 2). */
static inline int pb_skip(pb_cur *c, int wire)
{
    uint64_t v;
    const unsigned char *s;
    size_t n;
    switch (wire) {
    case PB_WT_VARINT:
        return pb_varint(c, &v);
    case PB_WT_I64:
        if (c->end - c->p < 8) return PB_E_EOF;
        c->p += 8;
        return PB_OK;
    case PB_WT_LEN:
        return pb_bytes(c, &s, &n);
    case PB_WT_I32:
        if (c->end - c->p < 4) return PB_E_EOF;
        c->p += 4;
        return PB_OK;
    default:
        return PB_E_WIRE;
    }
}

static const uint64_t pb_scale8[9] = {100000000ULL, 10000000ULL, 1000000ULL, 100000ULL, 10000ULL,
                                      1000ULL, 100ULL, 10ULL, 1ULL};

/* The byte-at-a-time reader of  [0-9]{1,10}(\.[0-9]+)?  (the sign already taken): 1 read
 * exactly, 2 read and rounded (more than 8 decimals: the magnitude rounded half-even at the
 * eighth, as fp_parse does with FP_HALF_EVEN; a fee comes with up to 19), 0 anything else. */
static PB_NOINLINE int pb_decimal_loop(const unsigned char *p, const unsigned char *end, int neg, int64_t *raw)
{
    const unsigned char *digits = p;
    uint64_t ip = 0, fr = 0;
    unsigned first = 0, sticky = 0, d;
    int nf = 0;
    while (p < end && (unsigned)(*p - '0') < 10u) {
        ip = ip * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (p == digits || p - digits > 10) return 0;
    if (p < end) {
        if (*p != '.') return 0;
        p++;
        while (p < end && nf < 8 && (unsigned)(*p - '0') < 10u) {
            fr = fr * 10 + (uint64_t)(*p - '0');
            p++;
            nf++;
        }
        if (nf == 0) return 0;
        if (p != end) {
            if (nf < 8 || (first = (unsigned)(*p - '0')) > 9) return 0;
            for (p++; p < end; p++) {
                d = (unsigned)(*p - '0');
                if (d > 9) return 0;
                sticky |= d;
            }
        }
    }
    ip = ip * 100000000ULL + fr * pb_scale8[nf];   /* < 10^18: no overflow */
    if (first > 5 || (first == 5 && (sticky || (ip & 1)))) ip++;   /* half-even: past half, or a tie to odd */
    *raw = neg ? -(int64_t)ip : (int64_t)ip;
    return (first | sticky) ? 2 : 1;
}

/* A decimal with more than 8 decimals (a fee comes with up to 19): the integer part (1 .. 6
 * digits) and the first 8 decimals by words, the rest only looked at (digits; the ninth and
 * whether any after it is not 0 decide the half-even rounding).  Returns as pb_decimal_loop,
 * which takes every other spelling. */
static PB_NOINLINE int pb_decimal_long(const unsigned char *p, const unsigned char *end, const unsigned char *limit,
                                       int neg, int64_t *raw)
{
#if JS_SWAR
    size_t m = (size_t)(end - p);
    if (m > 9 + 1 && limit - p >= 16) {
        uint64_t w1 = js_load8(p), nd = js_swar_nondigit(w1), fw, ip;
        unsigned k = nd ? js_swar_first(nd) : 8, first, sticky = 0, d;
        const unsigned char *t;
        if (k >= 1 && k <= 6 && p[k] == '.' && m > k + 9) {
            fw = js_load8(p + k + 1);                  /* k + 9 <= 15: inside the 16 bytes checked */
            if (!js_swar_nondigit(fw)) {
                t = p + k + 9;                         /* the ninth decimal, then the rest */
                first = (unsigned)(*t - '0');
                for (d = first; t < end; t++) {
                    d = (unsigned)(*t - '0');
                    if (d > 9) return 0;
                    if (t > p + k + 9) sticky |= d;
                }
                ip = js_swar_digits(w1, k) * 100000000ULL + js_swar_digits(fw, 8);
                if (first > 5 || (first == 5 && (sticky || (ip & 1)))) ip++;
                *raw = neg ? -(int64_t)ip : (int64_t)ip;
                return (first | sticky) ? 2 : 1;
            }
        }
    }
#else
    (void)limit;
#endif
    return pb_decimal_loop(p, end, neg, raw);
}

/* A decimal string as proto3 carries them (MEXC prices and quantities), in its common
 * spelling  -?[0-9]{1,10}(\.[0-9]{1,8})?  read straight into 8-decimal fixed point:
 * 1 with *raw set, 2 with *raw set and rounded (more than 8 decimals, rounded half-even), or
 * 0 when the caller must take the general parser (more digits, anything else), which then
 * decides.  Reads s[0:n], and loads whole words where
 * they stay before `limit` (one for up to 8 bytes, two for up to 16; the bytes past n are
 * masked off); the digits on both sides of the point are converted together when they
 * are 8 or fewer.  */
PB_INLINE int pb_decimal_fast(const unsigned char *s, size_t n, const unsigned char *limit, int64_t *raw)
{
    const unsigned char *p = s, *end = s + n;
    int neg = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
#if JS_SWAR
    {
        size_t m = (size_t)(end - p), room = (size_t)(limit - p);
        uint64_t w1, w2, fw, nd, ip;
        unsigned k, f;
        if (m == 1 && (unsigned)(*p - '0') < 10u) {   /* "0", "1": common quantities */
            ip = (uint64_t)(*p - '0') * 100000000ULL;
            *raw = neg ? -(int64_t)ip : (int64_t)ip;
            return 1;
        }
        if (m >= 1 && ((m <= 8 && room >= 8) || (m <= 16 && room >= 16))) {
            w1 = js_load8(p);
            w2 = m > 8 ? js_load8(p + 8) : 0;
            nd = js_swar_nondigit(w1);
            k = nd ? js_swar_first(nd) : 8;
            if (k >= m && m <= 8) {                   /* all digits */
                ip = js_swar_digits(w1, (unsigned)m) * 100000000ULL;
                *raw = neg ? -(int64_t)ip : (int64_t)ip;
                return 1;
            }
            if (k >= 1 && k < 7 && k < m && p[k] == '.') {
                f = (unsigned)(m - k - 1);
                if (f >= 1 && f <= 8) {
                    /* the bytes after the point: k + 1 <= 7 here, so neither shift is by 64 */
                    fw = (w1 >> (8 * (k + 1))) | (w2 << (64 - 8 * (k + 1)));
                    nd = js_swar_nondigit(fw);
                    if ((nd ? js_swar_first(nd) : 8) >= f) {
                        if (k + f <= 8)               /* the point taken out: one conversion */
                            ip = js_swar_digits((w1 & ((1ULL << (8 * k)) - 1)) | (fw << (8 * k)), k + f)
                                 * pb_scale8[f];
                        else
                            ip = js_swar_digits(w1, k) * 100000000ULL + js_swar_digits(fw, f) * pb_scale8[f];
                        *raw = neg ? -(int64_t)ip : (int64_t)ip;
                        return 1;
                    }
                }
            }
        }
    }
#else
    (void)limit;
#endif
    return pb_decimal_long(p, end, limit, neg, raw);
}

/* ---- a table-driven field finder ------------------------------------------------------------
 *
 * pb_scan walks one message and, for each field its table names, keeps the value: a varint as
 * its 64 bits, a string as its span in the buffer (borrowed: valid as long as the buffer).
 * The reader converts what it kept once the message is whole, so a field repeated costs
 * nothing but its last value's conversion, and the walk itself is one tight loop: a tag, a
 * table entry, one of four small steps.  The table is indexed by the whole tag (field << 3 |
 * wire), so fields 1 .. 31 fit in 256 entries and a known field of another wire type reads
 * as unknown (skipped, as the reference decoders skip it). */

enum pb_keep {
    PB_K_NONE = 0,     /* not kept: skipped by its wire type */
    PB_K_VARINT = 1,   /* a varint (int32, int64, bool): val */
    PB_K_STRING = 2,   /* a string checked to be UTF-8 now: span */
    PB_K_LAZY = 3,     /* a string whose reader checks its syntax (a decimal: digits, '-', '.' are UTF-8):
                        * span; a value it replaces is checked for UTF-8 here */
    PB_K_SKIP = 4      /* a string not kept: checked to be UTF-8 */
};

#define PB_SLOTS 16
#define PB_ENTRY(kind, slot) ((uint8_t)(((kind) << 4) | (slot)))   /* a table entry: slot < PB_SLOTS */

typedef struct {
    const unsigned char *s;
    size_t n;
} pb_span;

typedef union {
    pb_span span;                  /* PB_K_STRING, PB_K_LAZY */
    uint64_t val;                  /* PB_K_VARINT */
} pb_value;

typedef struct {
    uint32_t seen;                 /* 1 << slot for each slot that holds a field */
    pb_value slot[PB_SLOTS];       /* only the slots in `seen` are set */
} pb_fields;

/* The lowest slot set in a non-zero `seen` mask (walking only the slots a message filled). */
PB_INLINE unsigned pb_lowest(uint32_t seen)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(seen);
#else
    unsigned i = 0;
    while (!(seen & 1u)) {
        seen >>= 1;
        i++;
    }
    return i;
#endif
}

/* One message's fields into f (merged with what f holds: the last occurrence wins).  The
 * cursor's fields are read one by one: a caller that has just stored them separately would
 * make a whole-struct load wait (a store is not forwarded to a wider load). */
static int pb_scan(pb_cur *c, const uint8_t *table, pb_fields *f)
{
    pb_cur cur;
    cur.p = c->p;
    cur.end = c->end;
    cur.limit = c->limit;
    uint32_t tag, seen = f->seen;
    const unsigned char *s;
    size_t n;
    uint64_t v;
    int st = PB_OK;
    while (cur.p < cur.end) {
        st = pb_tag_raw(&cur, &tag);
        if (st != PB_OK) break;
        unsigned e = tag < 256 ? table[tag] : 0, k = e >> 4, i = e & (PB_SLOTS - 1);
        if (k == PB_K_VARINT) {
            st = pb_varint(&cur, &v);
            if (st != PB_OK) break;
            f->slot[i].val = v;
            seen |= 1u << i;
        } else if (k != PB_K_NONE) {
            st = pb_bytes(&cur, &s, &n);
            if (st != PB_OK) break;
            if (k == PB_K_LAZY) {
                if (((seen >> i) & 1) && !pb_utf8_ok(f->slot[i].span.s, f->slot[i].span.n)) {
                    st = PB_E_UTF8;
                    break;
                }
            } else if (!pb_utf8_ok_within(s, n, cur.limit)) {
                st = PB_E_UTF8;
                break;
            }
            if (k != PB_K_SKIP) {
                f->slot[i].span.s = s;
                f->slot[i].span.n = n;
                seen |= 1u << i;
            }
        } else {
            st = pb_skip(&cur, (int)(tag & 7));
            if (st != PB_OK) break;
        }
    }
    f->seen = seen;
    c->p = cur.p;
    return st;
}

/* Walk every field of the message in [s, s + n) without interpreting it: PB_OK when its
 * tags and lengths are well formed (a body the reader has no schema for). */
static inline int pb_walk(const unsigned char *s, size_t n)
{
    pb_cur c = {s, s + n, s + n};
    uint32_t field;
    int wire, st;
    while (c.p < c.end) {
        st = pb_tag(&c, &field, &wire);
        if (st == PB_OK) st = pb_skip(&c, wire);
        if (st != PB_OK) return st;
    }
    return PB_OK;
}

#endif /* ENGINE_PBWIRE_H */
