/* A small, strict, bounds-checked JSON scanner for the hot-message parsers.
 *
 * Nothing here builds a value: the parsers walk an object member by member,
 * look at each key, and either read the value straight into a fixed-size
 * record or skip it.  Every read checks the remaining length first (the cursor
 * invariant is  p <= end); every function returns a js_status (JS_OK == 0,
 * errors negative) and never touches Python, so all of it is safe without the
 * GIL.  Grammar is RFC 8259: strings must be valid UTF-8 with valid escapes,
 * numbers follow the JSON number grammar, nesting is limited to JS_MAX_DEPTH.
 */
#ifndef ENGINE_JSONSCAN_H
#define ENGINE_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fixedpoint.h"

/* Rare paths (escapes, non-ASCII, containers, errors) live out of line so the
 * common path of every reader stays small: a parse runs between Python calls,
 * with caches and predictors shared with the interpreter.  */
#if defined(__GNUC__)
#define JS_NOINLINE __attribute__((noinline))
#define JS_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define JS_NOINLINE
#define JS_ALWAYS_INLINE inline
#endif

#define JS_MAX_DEPTH 64 /* nesting levels js_skip accepts (one bit each in a uint64) */

enum js_status {
    JS_OK = 0,
    JS_E_EOF = -1,      /* input ended inside a value */
    JS_E_SYNTAX = -2,   /* a byte that JSON does not allow here */
    JS_E_ESCAPE = -3,   /* bad backslash escape or \u sequence (lone surrogate) */
    JS_E_UTF8 = -4,     /* string bytes are not valid UTF-8 */
    JS_E_DEPTH = -5,    /* nested deeper than JS_MAX_DEPTH */
    JS_E_NUMBER = -6,   /* malformed number or integer out of int64 range */
    JS_E_TYPE = -7,     /* a known field holds the wrong JSON type */
    JS_E_TOOLONG = -8,  /* an identifier does not fit its fixed buffer */
    JS_E_DECIMAL = -9,  /* decimal not representable as 8-decimal int64 */
    JS_E_TRAILING = -10,/* bytes after the top-level value */
    JS_E_SHAPE = -11    /* valid JSON but not the message the parser expects */
};

typedef struct {
    const char *p;   /* next unread byte */
    const char *end; /* one past the last byte */
} js_cur;

typedef struct {
    const char *s;   /* first byte (strings: after the opening quote) */
    size_t n;        /* length in bytes (strings: raw, escapes not decoded) */
    int escaped;     /* string contains at least one backslash escape */
} js_span;

static inline int js_is_ws(unsigned char ch) { return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t'; }
static inline int js_is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }

/* Skip whitespace; return the next byte (0..255) or -1 at the end of input. */
static inline int js_peek(js_cur *c)
{
    while (c->p < c->end && js_is_ws((unsigned char)*c->p)) c->p++;
    return c->p < c->end ? (unsigned char)*c->p : -1;
}

static inline int js_hex(unsigned char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* One UTF-8 sequence starting at p (first byte >= 0x80): its length, or 0 if
 * invalid (overlong, surrogate, above U+10FFFF, truncated).  Reads < end only. */
static inline size_t js_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char b0 = p[0];
    size_t avail = (size_t)(end - p);
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (b0 == 0xE0 && p[1] < 0xA0) return 0; /* overlong */
        if (b0 == 0xED && p[1] > 0x9F) return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (b0 == 0xF0 && p[1] < 0x90) return 0; /* overlong */
        if (b0 == 0xF4 && p[1] > 0x8F) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

/* Bytes a string scan must stop at: '"', '\\', control characters, non-ASCII. */
static const unsigned char js_str_stop[256] = {
    [0 ... 0x1F] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xFF] = 1};

/* ---- eight bytes at a time (SWAR) ---------------------------------------------
 *
 * The word helpers read 8 bytes only where 8 bytes remain before the end (callers
 * check), and need little-endian byte order (byte i of the input is bits 8i..8i+7);
 * elsewhere JS_SWAR is 0 and the byte loops do all the work.  Each mask marks the
 * matching bytes with their top bit; only the lowest marked byte is exact (borrows
 * can mark bytes above a true match, never below one), and that is all the callers
 * use: ctz(mask) / 8 is the index of the first match.  */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define JS_SWAR 1
#else
#define JS_SWAR 0
#endif

#define JS_ONES 0x0101010101010101ULL
#define JS_HIGH 0x8080808080808080ULL

static inline uint64_t js_load8(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Zero bytes of x, and bytes of v below 0x20 (those with the top bit clear). */
static inline uint64_t js_swar_zero(uint64_t x) { return (x - JS_ONES) & ~x & JS_HIGH; }
static inline uint64_t js_swar_ctl(uint64_t v) { return (v - JS_ONES * 0x20) & ~v & JS_HIGH; }

/* Bytes that end a plain string run: '"', '\\', controls < 0x20, non-ASCII. */
static inline uint64_t js_swar_str_stop(uint64_t v)
{
    return js_swar_zero(v ^ (JS_ONES * '"')) | js_swar_zero(v ^ (JS_ONES * '\\')) | js_swar_ctl(v) |
           (v & JS_HIGH);
}

/* Bytes that are not ASCII digits (nonzero bytes, not just top bits). */
static inline uint64_t js_swar_nondigit(uint64_t v)
{
    return ((v & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL) |
           (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL);
}

/* Index of the first marked byte of a nonzero mask. */
static inline unsigned js_swar_first(uint64_t mask) { return (unsigned)__builtin_ctzll(mask) >> 3; }

/* Value of the first k (1..8) bytes of v, all ASCII digits: the word is shifted so
 * the digits end at the top (the vacated low bytes read as leading zeros), then
 * pairs, quads and octets are combined with three multiplies.  */
static inline uint64_t js_swar_digits(uint64_t v, unsigned k)
{
    v = ((v & 0x0F0F0F0F0F0F0F0FULL) << (8 * (8 - k)));
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFULL;
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;
    return (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;
}

/* End of the run of plain string bytes at p: the first byte that is '"', '\\', a
 * control character or non-ASCII, or end. */
static inline const unsigned char *js_str_run(const unsigned char *p, const unsigned char *end)
{
#if JS_SWAR
    while (end - p >= 8) {
        uint64_t m = js_swar_str_stop(js_load8(p));
        if (m) return p + js_swar_first(m);
        p += 8;
    }
#endif
    while (p < end && !js_str_stop[*p]) p++;
    return p;
}

/* Rest of a string after its first stop byte p (not the closing quote): escapes,
 * UTF-8 sequences and errors, then plain runs again.  */
static JS_NOINLINE int js_string_rest(js_cur *c, const unsigned char *start, const unsigned char *p,
                                      js_span *out)
{
    const unsigned char *end = (const unsigned char *)c->end;
    int escaped = 0;
    for (;;) {
        unsigned char ch;
        if (p >= end) return JS_E_EOF;
        ch = *p;
        if (ch == '"') {
            out->s = (const char *)start;
            out->n = (size_t)(p - start);
            out->escaped = escaped;
            c->p = (const char *)(p + 1);
            return JS_OK;
        }
        if (ch == '\\') {
            escaped = 1;
            if (end - p < 2) return JS_E_EOF;
            ch = p[1];
            if (ch == 'u') {
                if (end - p < 6) return JS_E_EOF;
                if (js_hex(p[2]) < 0 || js_hex(p[3]) < 0 || js_hex(p[4]) < 0 || js_hex(p[5]) < 0)
                    return JS_E_ESCAPE;
                p += 6;
            } else if (ch == '"' || ch == '\\' || ch == '/' || ch == 'b' || ch == 'f' || ch == 'n' ||
                       ch == 'r' || ch == 't') {
                p += 2;
            } else {
                return JS_E_ESCAPE;
            }
        } else if (ch < 0x20) {
            return JS_E_SYNTAX; /* raw control characters are not allowed in strings */
        } else {
            size_t k = js_utf8_len(p, end);
            if (k == 0) return JS_E_UTF8;
            p += k;
        }
        p = js_str_run(p, end);
    }
}

/* String at c->p (which must be a '"'): validate it, return its raw span and
 * move past the closing quote.  Escapes are checked, not decoded.  RFC 8259
 * strictness is kept without a per-byte table walk: plain ASCII runs go 8 bytes
 * at a time, and only the bytes that stop a run (quote, backslash, control,
 * non-ASCII) get the full check.  */
static inline int js_string(js_cur *c, js_span *out)
{
    const unsigned char *start = (const unsigned char *)c->p + 1, *p;
    const unsigned char *end = (const unsigned char *)c->end;
    if (c->p >= c->end || *c->p != '"') return c->p >= c->end ? JS_E_EOF : JS_E_TYPE;
    p = js_str_run(start, end);
    if (p < end && *p == '"') {
        out->s = (const char *)start;
        out->n = (size_t)(p - start);
        out->escaped = 0;
        c->p = (const char *)(p + 1);
        return JS_OK;
    }
    return js_string_rest(c, start, p, out);
}

/* Fast path for the common plain string of number characters ("0.01000000",
 * "1700000000100"): if the string at c->p holds only [0-9.-] up to its closing
 * quote, return 1 with its contents in *out and the cursor past it; otherwise
 * return 0 and leave the cursor alone (the caller takes the general path). */
static inline int js_plain_numeric_string(js_cur *c, js_span *out)
{
    const char *p = c->p + 1, *end = c->end;
    if (c->p >= end || *c->p != '"') return 0;
    while (p < end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == '-')) p++;
    if (p >= end || *p != '"') return 0;
    out->s = c->p + 1;
    out->n = (size_t)(p - (c->p + 1));
    out->escaped = 0;
    c->p = p + 1;
    return 1;
}

/* ---- pointer-in, pointer-out fast paths --------------------------------------------
 *
 * Each takes the position of a value and returns the position just after it, or
 * NULL when the value is not in the common spelling (or too near the end of input
 * to read with word loads): the caller then runs the general reader from the same
 * position, which gives the same value or the error.  Working on a plain pointer
 * (not through a js_cur in memory) lets a caller keep its cursor in a register
 * across a run of members.  */

/* A decimal string such as "50000.00" or "-0.01000000":  "-?[0-9]{1,8}(\.[0-9]{1,8})?"
 * with its quote at q and 20 bytes readable from q; the exact 8-decimal fixed-point
 * value in *raw.  */
static inline const char *js_p_decimal_string(const char *q, const char *end, int64_t *raw)
{
#if JS_SWAR
    static const uint64_t scale[9] = {0, 10000000ULL, 1000000ULL, 100000ULL, 10000ULL,
                                      1000ULL, 100ULL, 10ULL, 1ULL};
    const char *p = q + 1;
    uint64_t w, w2, m, fw, ip, fr = 0;
    unsigned k, f, pos;
    int neg = 0;
    if (end - q < 20 || *q != '"') return NULL;
    if (*p == '-') {                        /* a branch, not a data dependency: the loads */
        neg = 1;                            /* below do not wait for this byte */
        p++;
    }
    /* reads below stay within q + 19: p <= q + 2, at most p[17] (pos <= 17) */
    w = js_load8(p);
    w2 = js_load8(p + 8);
    m = js_swar_nondigit(w);
    if (m) {
        /* up to 7 integer digits: the decimals are cut out of the two words already
         * loaded (a funnel shift), not loaded again from a position still being
         * computed */
        k = js_swar_first(m);
        if (k == 0) return NULL;
        ip = js_swar_digits(w, k);
        if (((w >> (8 * k)) & 0xFF) == '.') {
            fw = ((w >> 8) >> (8 * k)) | (w2 << (56 - 8 * k));   /* bytes k+1 .. k+8 */
            m = js_swar_nondigit(fw);
            f = m ? js_swar_first(m) : 8;
            if (f == 0) return NULL;
            fr = js_swar_digits(fw, f) * scale[f];
            pos = k + 1 + f;
        } else {
            pos = k;
        }
    } else {
        /* eight integer digits */
        k = 8;
        ip = js_swar_digits(w, 8);
        if ((w2 & 0xFF) == '.') {
            fw = js_load8(p + 9);
            m = js_swar_nondigit(fw);
            f = m ? js_swar_first(m) : 8;
            if (f == 0) return NULL;
            fr = js_swar_digits(fw, f) * scale[f];
            pos = 9 + f;
        } else {
            pos = 8;
        }
    }
    /* a ninth digit on either side is not the closing quote: general path */
    if (p[pos] != '"') return NULL;
    ip = ip * 100000000ULL + fr;
    *raw = neg ? -(int64_t)ip : (int64_t)ip;
    return p + pos + 1;
#else
    (void)q; (void)end; (void)raw;
    return NULL;
#endif
}

/* A JSON integer such as 1700000000100 or -1:  -?(0|[1-9][0-9]{0,15})  not followed
 * by '.', 'e' or 'E', with 18 bytes readable from p.  */
static inline const char *js_p_int(const char *p, const char *end, int64_t *out)
{
#if JS_SWAR
    static const uint64_t pow10[9] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
                                      1000000ULL, 10000000ULL, 100000000ULL};
    uint64_t w, m, v;
    unsigned k;
    int neg;
    if (end - p < 18) return NULL;
    neg = 0;
    if (*p == '-') {                       /* a branch: the loads do not wait for it */
        neg = 1;
        p++;
    }
    w = js_load8(p);
    m = js_swar_nondigit(w);
    if (m) {
        k = js_swar_first(m);
        if (k == 0) return NULL;
        v = js_swar_digits(w, k);
    } else {
        uint64_t w2 = js_load8(p + 8);
        uint64_t m2 = js_swar_nondigit(w2);
        unsigned k2;
        if (!m2) return NULL;              /* 16 or more digits: general path */
        k2 = js_swar_first(m2);
        v = js_swar_digits(w, 8) * pow10[k2] + (k2 ? js_swar_digits(w2, k2) : 0);
        k = 8 + k2;
    }
    if (*p == '0' && k > 1) return NULL;   /* leading zero: the general path rejects it */
    p += k;
    if (*p == '.' || *p == 'e' || *p == 'E') return NULL;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return p;
#else
    (void)p; (void)end; (void)out;
    return NULL;
#endif
}

/* A string with its quote at q and nothing to check or decode inside (no escape,
 * no control or non-ASCII byte): its contents in *s / *n.  */
static inline const char *js_p_plain_string(const char *q, const char *end, const char **s, size_t *n)
{
    const unsigned char *b, *p;
    if (q >= end || *q != '"') return NULL;
    b = (const unsigned char *)q + 1;
    p = js_str_run(b, (const unsigned char *)end);
    if (p >= (const unsigned char *)end || *p != '"') return NULL;
    *s = (const char *)b;
    *n = (size_t)(p - b);
    return (const char *)p + 1;
}

/* true / false / null with 5 bytes readable: the literal's value in *lit. */
static inline const char *js_p_literal(const char *p, const char *end, int *lit)
{
    uint32_t w;
    if (end - p < 5) return NULL;
    memcpy(&w, p, 4);
    if (w == 0x65757274u) { *lit = 1; return p + 4; }                      /* true */
    if (w == 0x736c6166u && p[4] == 'e') { *lit = 0; return p + 5; }       /* false */
    if (w == 0x6c6c756eu) { *lit = 2; return p + 4; }                      /* null */
    return NULL;
}

/* Skip a scalar in its common spelling: plain string, integer, literal. */
static inline const char *js_p_skip_scalar(const char *p, const char *end)
{
    const char *s;
    size_t n;
    int64_t v;
    int lit;
    if (p >= end) return NULL;
    if (*p == '"') return js_p_plain_string(p, end, &s, &n);
    if (*p == '-' || js_is_digit((unsigned char)*p)) return js_p_int(p, end, &v);
    return js_p_literal(p, end, &lit);
}

/* The same fast paths on a js_cur: 1 with the cursor moved, or 0 with it untouched. */
static inline int js_decimal_string_fast(js_cur *c, int64_t *raw)
{
    const char *q = js_p_decimal_string(c->p, c->end, raw);
    if (!q) return 0;
    c->p = q;
    return 1;
}

static inline int js_int_fast(js_cur *c, int64_t *out)
{
    const char *q = js_p_int(c->p, c->end, out);
    if (!q) return 0;
    c->p = q;
    return 1;
}

static inline size_t js_put_utf8(uint32_t cp, char *o)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static inline uint32_t js_hex4(const char *p)
{
    return (uint32_t)((js_hex((unsigned char)p[0]) << 12) | (js_hex((unsigned char)p[1]) << 8) |
                      (js_hex((unsigned char)p[2]) << 4) | js_hex((unsigned char)p[3]));
}

/* Decode a string span (validated by js_string) into dst[0:cap].  Surrogate
 * pairs become one code point; a lone surrogate is JS_E_ESCAPE.  JS_E_TOOLONG
 * when the decoded text needs more than cap bytes (dst then holds a prefix). */
static inline int js_unescape(const js_span *sp, char *dst, size_t cap, size_t *outn)
{
    const char *p = sp->s, *end = sp->s + sp->n;
    size_t n = 0;
    char tmp[4];
    *outn = 0;
    if (!sp->escaped) {
        if (sp->n > cap) { memcpy(dst, sp->s, cap); *outn = cap; return JS_E_TOOLONG; }
        memcpy(dst, sp->s, sp->n);
        *outn = sp->n;
        return JS_OK;
    }
    while (p < end) {
        size_t k = 1;
        if (*p != '\\') {
            tmp[0] = *p++;
        } else {
            /* js_string guaranteed the escape is complete and well-formed */
            char e = p[1];
            p += 2;
            switch (e) {
            case 'b': tmp[0] = '\b'; break;
            case 'f': tmp[0] = '\f'; break;
            case 'n': tmp[0] = '\n'; break;
            case 'r': tmp[0] = '\r'; break;
            case 't': tmp[0] = '\t'; break;
            case 'u': {
                uint32_t cp = js_hex4(p);
                p += 4;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return JS_E_ESCAPE;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return JS_E_ESCAPE;
                    lo = js_hex4(p + 2);
                    if (lo < 0xDC00 || lo > 0xDFFF) return JS_E_ESCAPE;
                    p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                k = js_put_utf8(cp, tmp);
                break;
            }
            default: tmp[0] = e; break; /* '"', '\\', '/' */
            }
        }
        if (n + k > cap) { *outn = n; return JS_E_TOOLONG; }
        memcpy(dst + n, tmp, k);
        n += k;
    }
    *outn = n;
    return JS_OK;
}

/* End of the run of ASCII digits at p (p itself when none). */
/* An object key as the parsers compare it: an escaped key is decoded into buf (cap bytes);
 * one that does not decode or does not fit becomes empty, so it matches no known key. */
static inline void js_decode_key(js_span *k, char *buf, size_t cap)
{
    size_t n = 0;
    if (!k->escaped)
        return;
    if (js_unescape(k, buf, cap, &n) == JS_OK) {
        k->s = buf;
        k->n = n;
    } else {
        k->n = 0;
    }
    k->escaped = 0;
}

static inline const char *js_digit_run(const char *p, const char *end)
{
#if JS_SWAR
    while (end - p >= 8) {
        uint64_t m = js_swar_nondigit(js_load8(p));
        if (m) return p + js_swar_first(m);
        p += 8;
    }
#endif
    while (p < end && js_is_digit((unsigned char)*p)) p++;
    return p;
}

/* Number at c->p per the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static inline int js_number(js_cur *c, js_span *out)
{
    const char *p = c->p, *end = c->end;
    if (p < end && *p == '-') p++;
    if (p >= end) return JS_E_EOF;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') p = js_digit_run(p + 1, end);
    else return JS_E_SYNTAX;
    if (p < end && *p == '.') {
        p++;
        if (p >= end) return JS_E_EOF;
        if (!js_is_digit((unsigned char)*p)) return JS_E_SYNTAX;
        p = js_digit_run(p + 1, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end) return JS_E_EOF;
        if (!js_is_digit((unsigned char)*p)) return JS_E_SYNTAX;
        while (p < end && js_is_digit((unsigned char)*p)) p++;
    }
    out->s = c->p;
    out->n = (size_t)(p - c->p);
    out->escaped = 0;
    c->p = p;
    return JS_OK;
}

/* true / false / null at c->p: 1, 0 or 2 (JS_LIT_NULL); errors negative. */
#define JS_LIT_FALSE 0
#define JS_LIT_TRUE 1
#define JS_LIT_NULL 2
static inline int js_literal(js_cur *c)
{
    size_t avail = (size_t)(c->end - c->p);
    if (avail >= 5) {                      /* the whole word is readable: word compares */
        uint32_t w;
        memcpy(&w, c->p, 4);
        if (w == 0x65757274u) { c->p += 4; return JS_LIT_TRUE; }                          /* "true" */
        if (w == 0x6c6c756eu) { c->p += 4; return JS_LIT_NULL; }                          /* "null" */
        if (w == 0x736c6166u && c->p[4] == 'e') { c->p += 5; return JS_LIT_FALSE; }       /* "false" */
    }
    const char *word;
    size_t n;
    int value;
    switch (avail ? *c->p : 0) {
    case 't': word = "true"; n = 4; value = JS_LIT_TRUE; break;
    case 'f': word = "false"; n = 5; value = JS_LIT_FALSE; break;
    case 'n': word = "null"; n = 4; value = JS_LIT_NULL; break;
    default: return avail ? JS_E_SYNTAX : JS_E_EOF;
    }
    if (avail < n) return memcmp(c->p, word, avail) == 0 ? JS_E_EOF : JS_E_SYNTAX;
    if (memcmp(c->p, word, n) != 0) return JS_E_SYNTAX;
    c->p += n;
    return value;
}

/* Object member iteration.  Call with *first = 1 right after the '{' was
 * consumed.  Returns 1 with the key span and the ':' consumed (cursor at the
 * value), 0 when the closing '}' was consumed, negative on error. */
static inline int js_key1_ok(unsigned k) { return k >= 0x20 && k < 0x80 && k != '"' && k != '\\'; }

static inline int js_next_key(js_cur *c, int *first, js_span *key)
{
    int ch, st;
#if JS_SWAR
    /* Compact one-letter members, most of every Binance event:  ,"k":v  (or "k":v
     * first) checked with one 8-byte load and one compare.  */
    if (c->end - c->p >= 8) {
        uint64_t w = js_load8(c->p);
        unsigned k, v;
        size_t skip;
        if (!*first && (w & 0x000000FFFF00FFFFULL) == 0x0000003A2200222CULL) {
            k = (unsigned)(w >> 16) & 0xFF;
            v = (unsigned)(w >> 40) & 0xFF;
            skip = 5;
        } else if (*first && (w & 0xFFFF00FFULL) == 0x3A220022ULL) {
            k = (unsigned)(w >> 8) & 0xFF;
            v = (unsigned)(w >> 32) & 0xFF;
            skip = 4;
        } else {
            goto general;
        }
        if (js_key1_ok(k)) {
            *first = 0;
            key->s = c->p + skip - 3;
            key->n = 1;
            key->escaped = 0;
            c->p += skip;
            if (v > ' ') return 1;         /* the value starts right here (no whitespace) */
            return js_peek(c) < 0 ? JS_E_EOF : 1;
        }
    }
general:
#endif
    ch = js_peek(c);
    if (ch < 0) return JS_E_EOF;
    if (*first) {
        *first = 0;
        if (ch == '}') { c->p++; return 0; }
    } else {
        if (ch == '}') { c->p++; return 0; }
        if (ch != ',') return JS_E_SYNTAX;
        c->p++;
        ch = js_peek(c);
        if (ch < 0) return JS_E_EOF;
    }
    if (ch != '"') return JS_E_SYNTAX;
    /* Fast path for the one-letter keys that make up most Binance events: "k": */
    if (c->end - c->p >= 4 && c->p[2] == '"' && c->p[3] == ':' && !js_str_stop[(unsigned char)c->p[1]]) {
        key->s = c->p + 1;
        key->n = 1;
        key->escaped = 0;
        c->p += 4;
        ch = js_peek(c);
        return ch < 0 ? JS_E_EOF : 1;
    }
    st = js_string(c, key);
    if (st != JS_OK) return st;
    ch = js_peek(c);
    if (ch < 0) return JS_E_EOF;
    if (ch != ':') return JS_E_SYNTAX;
    c->p++;
    ch = js_peek(c);
    return ch < 0 ? JS_E_EOF : 1;
}

/* Whether the cursor is at  ,"k":  with the one-letter key k, its value right
 * after the colon (8 bytes readable): the check the ordered fast paths make
 * before reading a member whose position they expect.  */
static inline int js_p_at_member1(const char *p, const char *end, char k)
{
#if JS_SWAR
    uint64_t w;
    if (end - p < 8) return 0;
    w = js_load8(p);
    return (w & 0xFFFFFFFFFFULL) == (0x3A2200222CULL | ((uint64_t)(unsigned char)k << 16)) &&
           ((w >> 40) & 0xFF) > ' ';
#else
    (void)p; (void)end; (void)k;
    return 0;
#endif
}

static inline int js_at_member1(const js_cur *c, char k)
{
#if JS_SWAR
    uint64_t w;
    if (c->end - c->p < 8) return 0;
    w = js_load8(c->p);
    return (w & 0xFFFFFFFFFFULL) == (0x3A2200222CULL | ((uint64_t)(unsigned char)k << 16)) &&
           ((w >> 40) & 0xFF) > ' ';
#else
    (void)c; (void)k;
    return 0;
#endif
}

/* js_at_member1, then step over  ,"k":  to the value. */
static inline int js_member1(js_cur *c, char k)
{
    if (!js_at_member1(c, k)) return 0;
    c->p += 5;
    return 1;
}

/* Array element iteration, same contract: 1 with the cursor at the next
 * element, 0 when ']' was consumed. */
static inline int js_next_elem(js_cur *c, int *first)
{
    int ch = js_peek(c);
    if (ch < 0) return JS_E_EOF;
    if (*first) {
        *first = 0;
        if (ch == ']') { c->p++; return 0; }
        return 1;
    }
    if (ch == ']') { c->p++; return 0; }
    if (ch != ',') return JS_E_SYNTAX;
    c->p++;
    ch = js_peek(c);
    if (ch < 0) return JS_E_EOF;
    if (ch == ']') return JS_E_SYNTAX; /* no trailing commas */
    return 1;
}

/* Enter an object at the cursor: 0 when it is '{' (consumed), JS_E_TYPE otherwise. */
static inline int js_enter(js_cur *c, char open)
{
    int ch = js_peek(c);
    if (ch < 0) return JS_E_EOF;
    if (ch != open) return JS_E_TYPE;
    c->p++;
    return JS_OK;
}

/* Skip one complete value of any type at the cursor, iteratively (a bit per
 * level records object vs array), so hostile nesting cannot blow the C stack. */
static JS_NOINLINE int js_skip_any(js_cur *c)
{
    uint64_t is_obj = 0;
    int depth = 0, ch, st;
    js_span sp;
    for (;;) {
        /* expecting a value */
        ch = js_peek(c);
        if (ch < 0) return JS_E_EOF;
        if (ch == '{' || ch == '[') {
            if (depth >= JS_MAX_DEPTH) return JS_E_DEPTH;
            c->p++;
            if (ch == '{') is_obj |= (uint64_t)1 << depth; else is_obj &= ~((uint64_t)1 << depth);
            depth++;
            ch = js_peek(c);
            if (ch < 0) return JS_E_EOF;
            if (ch == (((is_obj >> (depth - 1)) & 1) ? '}' : ']')) {
                c->p++; /* empty container */
                depth--;
            } else if ((is_obj >> (depth - 1)) & 1) {
                if (ch != '"') return JS_E_SYNTAX;
                if ((st = js_string(c, &sp)) != JS_OK) return st;
                if (js_peek(c) != ':') return c->p >= c->end ? JS_E_EOF : JS_E_SYNTAX;
                c->p++;
                continue;
            } else {
                continue;
            }
        } else if (ch == '"') {
            if ((st = js_string(c, &sp)) != JS_OK) return st;
        } else if (ch == 't' || ch == 'f' || ch == 'n') {
            if ((st = js_literal(c)) < 0) return st;
        } else {
            if ((st = js_number(c, &sp)) != JS_OK) return st;
        }
        /* after a value: close containers or move to the next member */
        for (;;) {
            int obj;
            if (depth == 0) return JS_OK;
            obj = (int)((is_obj >> (depth - 1)) & 1);
            ch = js_peek(c);
            if (ch < 0) return JS_E_EOF;
            if (ch == (obj ? '}' : ']')) { c->p++; depth--; continue; }
            if (ch != ',') return JS_E_SYNTAX;
            c->p++;
            if (obj) {
                ch = js_peek(c);
                if (ch < 0) return JS_E_EOF;
                if (ch != '"') return JS_E_SYNTAX;
                if ((st = js_string(c, &sp)) != JS_OK) return st;
                ch = js_peek(c);
                if (ch < 0) return JS_E_EOF;
                if (ch != ':') return JS_E_SYNTAX;
                c->p++;
            }
            break;
        }
    }
}

/* js_skip_any with the scalars (what unknown members almost always hold) inline. */
static inline int js_skip(js_cur *c)
{
    js_span sp;
    int ch = js_peek(c), st;
    if (ch == '"') return js_string(c, &sp);
    if (ch == '-' || (ch >= '0' && ch <= '9')) return js_number(c, &sp);
    if (ch == 't' || ch == 'f' || ch == 'n') {
        st = js_literal(c);
        return st < 0 ? st : JS_OK;
    }
    return js_skip_any(c);
}

/* After the top-level value: only whitespace may follow. */
static inline int js_finish(js_cur *c)
{
    return js_peek(c) < 0 ? JS_OK : JS_E_TRAILING;
}

/* Strict integer -?[0-9]+ (no fraction or exponent) into int64. */
static inline int js_parse_int64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    uint64_t v = 0, limit;
    if (n > 0 && s[0] == '-') { neg = 1; i = 1; }
    if (i >= n) return JS_E_NUMBER;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (n - i <= 18) { /* at most 18 digits cannot overflow: no per-digit check */
        for (; i < n; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            if (d > 9) return JS_E_NUMBER;
            v = v * 10 + d;
        }
    } else {
        for (; i < n; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            if (d > 9) return JS_E_NUMBER;
            if (v > (limit - d) / 10) return JS_E_NUMBER;
            v = v * 10 + d;
        }
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return JS_OK;
}

/* Exact key comparison against a C string literal of known length. */
static inline int js_key_is(const js_span *k, const char *lit, size_t n)
{
    return k->n == n && memcmp(k->s, lit, n) == 0;
}

/* ---- readers: one value at the cursor into a C field ------------------------------
 *
 * Each returns JS_ABSENT (null, or "" for numbers: the field stays absent),
 * JS_READ, JS_READ_ADJUSTED (a decimal rounded half-even because it had more than 8
 * decimals, or a text cut to its buffer where the caller allows it), or a negative
 * js_status.  The inline part takes the common spelling in one pass; anything else
 * goes to the out-of-line general part, which starts again from the same cursor, so
 * values, errors and error offsets do not depend on which part ran.  */
#define JS_ABSENT 0
#define JS_READ 1
#define JS_READ_ADJUSTED 2
#define JS_SCRATCH 64   /* decoded escaped numbers / words longer than this are invalid anyway */

/* A number, a string (escapes decoded into scratch) or null at the cursor, as text;
 * JS_ABSENT for null.  */
static inline int js_scalar_text(js_cur *c, js_span *sp, char scratch[JS_SCRATCH])
{
    int ch = js_peek(c), st;
    size_t n = 0;
    if (ch == '"') {
        if (js_plain_numeric_string(c, sp)) return JS_READ;
        st = js_string(c, sp);
        if (st != JS_OK) return st;
        if (sp->escaped) {
            st = js_unescape(sp, scratch, JS_SCRATCH, &n);
            if (st != JS_OK) return st;
            sp->s = scratch;
            sp->n = n;
            sp->escaped = 0;
        }
        return JS_READ;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
        st = js_number(c, sp);
        return st != JS_OK ? st : JS_READ;
    }
    if (ch == 'n') {
        st = js_literal(c);
        if (st < 0) return st;
        return st == JS_LIT_NULL ? JS_ABSENT : JS_E_TYPE;
    }
    return ch < 0 ? JS_E_EOF : JS_E_TYPE;
}

static JS_NOINLINE int js_read_decimal_slow(js_cur *c, int64_t *raw)
{
    js_span sp;
    char scratch[JS_SCRATCH];
    int st = js_scalar_text(c, &sp, scratch);
    if (st != JS_READ || sp.n == 0) return st < 0 ? st : JS_ABSENT;
    st = fp_parse(sp.s, sp.n, FP_EXACT, raw);
    if (st == FP_INEXACT) return fp_parse(sp.s, sp.n, FP_HALF_EVEN, raw) == FP_OK ? JS_READ_ADJUSTED : JS_E_DECIMAL;
    return st == FP_OK ? JS_READ : JS_E_DECIMAL;
}

/* Decimal (JSON number or string) -> 8-decimal fixed point, exactly (more decimals:
 * rounded half-even, JS_READ_ADJUSTED).  */
static inline int js_read_decimal(js_cur *c, int64_t *raw)
{
    if (js_peek(c) == '"' && js_decimal_string_fast(c, raw)) return JS_READ;
    return js_read_decimal_slow(c, raw);
}

static JS_NOINLINE int js_read_int_slow(js_cur *c, int64_t *out)
{
    js_span sp;
    char scratch[JS_SCRATCH];
    int st = js_scalar_text(c, &sp, scratch);
    if (st != JS_READ || sp.n == 0) return st < 0 ? st : JS_ABSENT;
    st = js_parse_int64(sp.s, sp.n, out);
    return st != JS_OK ? st : JS_READ;
}

/* Integer (JSON number or digit string) -> int64; fractions and overflow are errors. */
static inline int js_read_int(js_cur *c, int64_t *out)
{
    int ch = js_peek(c);
    if ((ch == '-' || (ch >= '0' && ch <= '9')) && js_int_fast(c, out)) return JS_READ;
    return js_read_int_slow(c, out);
}

/* Copy n <= 64 bytes with a few fixed-size moves (two overlapping ones per size
 * class) instead of a library call; nothing outside [s, s+n) or [d, d+n).  */
static inline void js_copy_small(char *d, const char *s, size_t n)
{
    uint64_t a, b;
    if (n >= 8) {
        if (n > 16) {
            memcpy(d, s, n);
            return;
        }
        memcpy(&a, s, 8); memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8); memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, s, 4); memcpy(&y, s + n - 4, 4);
        memcpy(d, &x, 4); memcpy(d + n - 4, &y, 4);
    } else if (n) {
        d[0] = s[0]; d[n >> 1] = s[n >> 1]; d[n - 1] = s[n - 1];
    }
}

static JS_NOINLINE int js_read_text_slow(js_cur *c, char *dst, size_t cap, size_t *len, int may_truncate)
{
    js_span sp;
    size_t n = 0;
    int ch = js_peek(c), st;
    if (ch == 'n') {
        st = js_literal(c);
        if (st < 0) return st;
        return st == JS_LIT_NULL ? JS_ABSENT : JS_E_TYPE;
    }
    if (ch != '"') return ch < 0 ? JS_E_EOF : JS_E_TYPE;
    st = js_string(c, &sp);
    if (st != JS_OK) return st;
    st = js_unescape(&sp, dst, cap, &n);
    if (st == JS_E_TOOLONG && may_truncate) {
        *len = n;
        return JS_READ_ADJUSTED;
    }
    if (st != JS_OK) return st;
    *len = n;
    return JS_READ;
}

/* String (escapes decoded) -> dst[0:cap] and its length; null: JS_ABSENT.  Too long:
 * JS_E_TOOLONG, or cut to cap with JS_READ_ADJUSTED when may_truncate.  */
static inline int js_read_text(js_cur *c, char *dst, size_t cap, size_t *len, int may_truncate)
{
    if (js_peek(c) == '"') {
        const unsigned char *s = (const unsigned char *)c->p + 1, *end = (const unsigned char *)c->end;
        const unsigned char *p = js_str_run(s, end);
        size_t n = (size_t)(p - s);
        if (p < end && *p == '"' && n <= cap) {
            js_copy_small(dst, (const char *)s, n);
            *len = n;
            c->p = (const char *)(p + 1);
            return JS_READ;
        }
    }
    return js_read_text_slow(c, dst, cap, len, may_truncate);
}

static JS_NOINLINE int js_read_word_slow(js_cur *c, js_span *sp, char scratch[JS_SCRATCH])
{
    size_t n = 0;
    int ch = js_peek(c), st;
    if (ch == '"') {
        st = js_string(c, sp);
        if (st != JS_OK) return st;
        if (sp->escaped) {
            st = js_unescape(sp, scratch, JS_SCRATCH, &n);
            if (st != JS_OK) return st;
            sp->s = scratch;
            sp->n = n;
            sp->escaped = 0;
        }
        return JS_READ;
    }
    if (ch == 'n') {
        st = js_literal(c);
        if (st < 0) return st;
        return st == JS_LIT_NULL ? JS_ABSENT : JS_E_TYPE;
    }
    return ch < 0 ? JS_E_EOF : JS_E_TYPE;
}

/* A string (escapes decoded into scratch when it has any) or null: the span of an
 * enum word or event name.  */
static inline int js_read_word(js_cur *c, js_span *sp, char scratch[JS_SCRATCH])
{
    if (js_peek(c) == '"') {
        const unsigned char *s = (const unsigned char *)c->p + 1, *end = (const unsigned char *)c->end;
        const unsigned char *p = js_str_run(s, end);
        if (p < end && *p == '"') {
            sp->s = (const char *)s;
            sp->n = (size_t)(p - s);
            sp->escaped = 0;
            c->p = (const char *)(p + 1);
            return JS_READ;
        }
    }
    return js_read_word_slow(c, sp, scratch);
}

/* ---- one-letter members in an expected order ------------------------------------
 *
 * For messages whose members come in a documented order (Binance events): each
 * takes the position p of a member's ',' and, when the member there is  ,"k":  with
 * its value right after the colon in the common spelling, reads the value and
 * returns the position just after it.  Otherwise it returns NULL having written
 * nothing, and the caller hands the member (and the rest) to its general member
 * loop from p, which gives the same value or the error.  All are forced inline so
 * a run of them keeps the position in a register and costs no call per member.  */

/* The value position after  ,"k":  at p (8 bytes readable), or NULL. */
static JS_ALWAYS_INLINE const char *js_m1_at(const char *p, const char *end, char k)
{
#if JS_SWAR
    if (end - p < 8) return NULL;
    return (js_load8(p) & 0xFFFFFFFFFFULL) == (0x3A2200222CULL | ((uint64_t)(unsigned char)k << 16)) ? p + 5
                                                                                                     : NULL;
#else
    (void)p; (void)end; (void)k;
    return NULL;
#endif
}

/* A decimal string (js_p_decimal_string's spelling) -> *raw. */
static JS_ALWAYS_INLINE const char *js_m1_decimal(const char *p, const char *end, char k, int64_t *raw)
{
    const char *v = js_m1_at(p, end, k);
    return v ? js_p_decimal_string(v, end, raw) : NULL;
}

/* An integer (js_p_int's spelling) -> *out. */
static JS_ALWAYS_INLINE const char *js_m1_int(const char *p, const char *end, char k, int64_t *out)
{
    const char *v = js_m1_at(p, end, k);
    return v ? js_p_int(v, end, out) : NULL;
}

/* A plain string (no escape, control or non-ASCII byte): its contents in *s / *n. */
static JS_ALWAYS_INLINE const char *js_m1_word(const char *p, const char *end, char k, const char **s, size_t *n)
{
    const char *v = js_m1_at(p, end, k);
    return v ? js_p_plain_string(v, end, s, n) : NULL;
}

/* A plain string of at most cap (<= 64) bytes copied to dst, its length in *n. */
static JS_ALWAYS_INLINE const char *js_m1_text(const char *p, const char *end, char k, char *dst, size_t cap,
                                               size_t *n)
{
    const char *s, *q = js_m1_word(p, end, k, &s, n);
    if (!q || *n > cap) return NULL;
    js_copy_small(dst, s, *n);
    return q;
}

/* true / false / null: 1, 0 or 2 (JS_LIT_NULL) in *lit. */
static JS_ALWAYS_INLINE const char *js_m1_literal(const char *p, const char *end, char k, int *lit)
{
    const char *v = js_m1_at(p, end, k);
    return v ? js_p_literal(v, end, lit) : NULL;
}

/* Skip an integer without computing it: -?(0|[1-9][0-9]*) not followed by '.', 'e',
 * 'E' or a digit (a leading zero: the general path rejects it), and not at the end
 * of input (inside an object something must follow).  */
static inline const char *js_p_skip_int(const char *p, const char *end)
{
    if (p < end && *p == '-') p++;
    if (p >= end) return NULL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') p = js_digit_run(p + 1, end);
    else return NULL;
    if (p >= end || *p == '.' || *p == 'e' || *p == 'E' || js_is_digit((unsigned char)*p)) return NULL;
    return p;
}

/* Skip a value in its common spelling: plain string, integer, true / false / null. */
static JS_ALWAYS_INLINE const char *js_m1_skip(const char *p, const char *end, char k)
{
    const char *s;
    size_t n;
    int lit;
    const char *v = js_m1_at(p, end, k);
    if (!v) return NULL;
    if (*v == '"') return js_p_plain_string(v, end, &s, &n);
    if (*v == '-' || js_is_digit((unsigned char)*v)) return js_p_skip_int(v, end);
    return js_p_literal(v, end, &lit);
}

#endif
