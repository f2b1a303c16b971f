/* Byte-writing helpers shared by the order encoders (ext/codec_*.pyx).
 *
 * A wire_t is a bounded cursor over an encoder's own buffer.  Writers never write
 * past the capacity: the first write that would is dropped and sets a sticky
 * overflow flag, which the encoder checks once at the end (CODEC_E_OVERFLOW).
 * Everything is static inline, allocation-free and safe without the GIL.  */
#ifndef ENGINE_CODEC_WIRE_H
#define ENGINE_CODEC_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fixedpoint.h"

/* Status codes of the encoders' C entry points (a length >= 0 means success). */
enum codec_status {
    CODEC_E_SIDE = -1,          /* side not BUY/SELL */
    CODEC_E_TYPE = -2,          /* order type unknown or not offered by the venue */
    CODEC_E_TIF = -3,           /* time in force unknown or not valid for this type */
    CODEC_E_QTY = -4,           /* quantity missing, zero or negative */
    CODEC_E_PRICE = -5,         /* price required (limit) but missing, or negative */
    CODEC_E_PRICE_FORBIDDEN = -6,
    CODEC_E_STOP = -7,          /* trigger price required but missing, or negative */
    CODEC_E_STOP_FORBIDDEN = -8,
    CODEC_E_CLIENT_ID = -9,     /* too long or illegal characters for the venue */
    CODEC_E_SYMBOL = -10,       /* empty, too long or illegal characters */
    CODEC_E_OVERFLOW = -11,     /* request does not fit the encoder's buffer */
    CODEC_E_ORDER_REF = -12,    /* cancel/amend needs exactly one of exchange id / client id */
    CODEC_E_POSITION = -13,     /* position side / reduce-only not valid here */
    CODEC_E_TIMESTAMP = -14,    /* timestamp <= 0 */
    CODEC_E_RECV_WINDOW = -15,  /* recvWindow outside the venue's range */
    CODEC_E_CALLBACK = -16,     /* trailing callback rate missing or forbidden */
    CODEC_E_QUOTE_QTY = -17,    /* quote quantity required / forbidden (MEXC market orders) */
    CODEC_E_NOTHING = -18       /* amend changes nothing */
};

typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    int overflow;
} wire_t;

static inline void wire_start(wire_t *w, char *buf, size_t cap)
{
    w->buf = buf; w->cap = cap; w->len = 0; w->overflow = 0;
}

static inline void wire_bytes(wire_t *w, const char *s, size_t n)
{
    if (w->overflow || n > w->cap - w->len) { w->overflow = 1; return; }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* A NUL-terminated constant (parameter names, enum values). */
static inline void wire_str(wire_t *w, const char *s) { wire_bytes(w, s, strlen(s)); }

static inline void wire_char(wire_t *w, char c) { wire_bytes(w, &c, 1); }

static inline void wire_i64(wire_t *w, int64_t v)
{
    char tmp[20], out[21];
    size_t k = 0, n = 0;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0) out[n++] = '-';
    do { tmp[k++] = (char)('0' + m % 10); m /= 10; } while (m);
    while (k) out[n++] = tmp[--k];
    wire_bytes(w, out, n);
}

/* Fixed-point raw value as its shortest decimal string ("0.1", "9000"): never float. */
static inline void wire_fp(wire_t *w, int64_t raw)
{
    char tmp[FP_FORMAT_MAX];
    wire_bytes(w, tmp, fp_format(raw, tmp));
}

static inline int wire_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
}

/* Percent-encode (uppercase hex, UTF-8 bytes) everything but RFC 3986 unreserved
 * characters, as Binance REST requires before signing and as urllib's quote does. */
static inline void wire_pct(wire_t *w, const char *s, size_t n)
{
    static const char HEXU[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (wire_unreserved(c)) {
            wire_char(w, (char)c);
        } else {
            char e[3] = {'%', HEXU[c >> 4], HEXU[c & 15]};
            wire_bytes(w, e, 3);
        }
    }
}

/* 1 when 1 <= n <= maxlen and every byte is [A-Za-z0-9] or one of `extra`. */
static inline int wire_id_ok(const char *s, size_t n, size_t maxlen, const char *extra)
{
    if (n == 0 || n > maxlen) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!ok && (c == 0 || strchr(extra, c) == NULL)) return 0;
    }
    return 1;
}

/* 1 when 1 <= n <= maxlen and every byte is non-ASCII UTF-8 or [A-Za-z0-9] or in `extra`
 * (Binance lists symbols with Chinese characters; they are percent-encoded on REST). */
static inline int wire_symbol_ok(const char *s, size_t n, size_t maxlen, const char *extra, int allow_utf8)
{
    if (n == 0 || n > maxlen) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 && allow_utf8) continue;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!ok && (c == 0 || strchr(extra, c) == NULL)) return 0;
    }
    return 1;
}

#endif
