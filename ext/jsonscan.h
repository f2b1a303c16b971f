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

/* String at c->p (which must be a '"'): validate it, return its raw span and
 * move past the closing quote.  Escapes are checked, not decoded. */
static inline int js_string(js_cur *c, js_span *out)
{
    const unsigned char *start = (const unsigned char *)c->p + 1;
    const unsigned char *p = start, *end = (const unsigned char *)c->end;
    int escaped = 0;
    if (c->p >= c->end || *c->p != '"') return c->p >= c->end ? JS_E_EOF : JS_E_TYPE;
    for (;;) {
        unsigned char ch;
        while (p < end && !js_str_stop[*p]) p++;
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
    }
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

/* Number at c->p per the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static inline int js_number(js_cur *c, js_span *out)
{
    const char *p = c->p, *end = c->end;
    if (p < end && *p == '-') p++;
    if (p >= end) return JS_E_EOF;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') { while (p < end && js_is_digit((unsigned char)*p)) p++; }
    else return JS_E_SYNTAX;
    if (p < end && *p == '.') {
        p++;
        if (p >= end) return JS_E_EOF;
        if (!js_is_digit((unsigned char)*p)) return JS_E_SYNTAX;
        while (p < end && js_is_digit((unsigned char)*p)) p++;
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
static inline int js_next_key(js_cur *c, int *first, js_span *key)
{
    int ch = js_peek(c), st;
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
static inline int js_skip(js_cur *c)
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

#endif
