/* Laying a message out for the one-shot HMAC-SHA256 of sha.h (hmac256_sign_hex):
 * inline, so a caller with a constant separator gets the copies specialised.
 *
 * Plain C, no Python, no allocation, no key material: the signer may run it with or
 * without the GIL.  SSE2 moves where the target has them (every x86-64), plain
 * memcpy/memset otherwise.  */
#ifndef ENGINE_SHA_MSG_H
#define ENGINE_SHA_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sha.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline void sha_store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static inline void sha_store_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    memcpy(p, &v, 8);
}

static inline void sha_store_be64(uint8_t *p, uint64_t v)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
#else
    sha_store_be32(p, (uint32_t)(v >> 32));
    sha_store_be32(p + 4, (uint32_t)v);
#endif
}

/* Eight ASCII digits of x < 10^8, most significant first in memory order, computed
 * in one 64-bit register (split 4+4, then 2+2, then 1+1 with reciprocal multiplies
 * that are exact in these ranges: v*10486>>20 == v/100 for v < 10^4, v*103>>10 ==
 * v/10 for v < 100).  */
static inline uint64_t sha_digits8(uint32_t x)
{
    uint64_t merged = (uint64_t)(x / 10000u) | ((uint64_t)(x % 10000u) << 32);
    uint64_t top = ((merged * 10486u) >> 20) & ((0x7FULL << 32) | 0x7FULL);
    uint64_t hundreds = ((merged - 100u * top) << 16) + top;
    uint64_t tens = ((hundreds * 103u) >> 10) & 0x000F000F000F000FULL;
    tens += (hundreds - 10u * tens) << 8;
    return tens + 0x3030303030303030ULL;
}

/* Leading '0' characters of a sha_digits8() value, at most 7 (so zero keeps one digit). */
static inline unsigned sha_digits8_lead(uint64_t d)
{
    uint64_t raw = d - 0x3030303030303030ULL;
    return raw ? (unsigned)__builtin_ctzll(raw) >> 3 : 7u;
}

/* Decimal v ('-' first when negative) at dst, returns its length (at most 20).  May
 * store zeros in the 8 bytes after the digits, so dst needs 24 writable bytes.  */
static inline size_t sha_fmt_i64_pad(int64_t v, uint8_t *dst)
{
    size_t n = 0;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t d;
    unsigned lead;
    if (v < 0) dst[n++] = '-';
    if (m < 100000000u) {
        d = sha_digits8((uint32_t)m);
        lead = sha_digits8_lead(d);
        sha_store_le64(dst + n, d >> (8 * lead));
        return n + 8 - lead;
    }
    uint64_t hi = m / 100000000u;
    uint32_t lo = (uint32_t)(m - hi * 100000000u);
    if (hi < 100000000u) {
        d = sha_digits8((uint32_t)hi);
        lead = sha_digits8_lead(d);
        sha_store_le64(dst + n, d >> (8 * lead));
        n += 8 - lead;
    } else {
        uint64_t top = hi / 100000000u;           /* < 1845: at most four digits */
        uint32_t mid = (uint32_t)(hi - top * 100000000u);
        d = sha_digits8((uint32_t)top);
        lead = sha_digits8_lead(d);
        sha_store_le64(dst + n, d >> (8 * lead));
        n += 8 - lead;
        sha_store_le64(dst + n, sha_digits8(mid));
        n += 8;
    }
    sha_store_le64(dst + n, sha_digits8(lo));
    return n + 8;
}

/* Copy n < 64 bytes with fixed-size moves (two overlapping ones per size class):
 * no library call, nothing read or written outside [s, s+n) and [d, d+n).  */
static inline void sha_copy_lt64(uint8_t *d, const uint8_t *s, size_t n)
{
    if (n >= 16) {
#if defined(__SSE2__)
        if (n >= 32) {
            __m128i a = _mm_loadu_si128((const __m128i *)s);
            __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
            __m128i c = _mm_loadu_si128((const __m128i *)(s + n - 32));
            __m128i e = _mm_loadu_si128((const __m128i *)(s + n - 16));
            _mm_storeu_si128((__m128i *)d, a);
            _mm_storeu_si128((__m128i *)(d + 16), b);
            _mm_storeu_si128((__m128i *)(d + n - 32), c);
            _mm_storeu_si128((__m128i *)(d + n - 16), e);
        } else {
            __m128i a = _mm_loadu_si128((const __m128i *)s);
            __m128i b = _mm_loadu_si128((const __m128i *)(s + n - 16));
            _mm_storeu_si128((__m128i *)d, a);
            _mm_storeu_si128((__m128i *)(d + n - 16), b);
        }
#else
        memcpy(d, s, n);
#endif
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n) {
        d[0] = s[0];
        d[n >> 1] = s[n >> 1];
        d[n - 1] = s[n - 1];
    }
}

#define SHA_TAIL_CAP (2 * SHA256_BLOCK)

/* Zero the first `blocks` blocks of the 16-byte aligned tail buffer with plain vector
 * stores (a memset of a fixed 128 bytes becomes `rep stos` at -O3, which costs more
 * than the copying).  */
static inline void sha_zero_tail(uint8_t p[SHA_TAIL_CAP], int blocks)
{
#if defined(__SSE2__)
    const __m128i z = _mm_setzero_si128();
    _mm_store_si128((__m128i *)(p + 0), z);
    _mm_store_si128((__m128i *)(p + 16), z);
    _mm_store_si128((__m128i *)(p + 32), z);
    _mm_store_si128((__m128i *)(p + 48), z);
    if (blocks > 1) {
        _mm_store_si128((__m128i *)(p + 64), z);
        _mm_store_si128((__m128i *)(p + 80), z);
        _mm_store_si128((__m128i *)(p + 96), z);
        _mm_store_si128((__m128i *)(p + 112), z);
    }
#else
    memset(p, 0, (size_t)blocks * SHA256_BLOCK);
#endif
}

/* Tail of msg || sep || (with_v ? decimal(v) : ""), nsep <= HMAC256_SEP_MAX: < 64
 * message bytes + <= 32 + <= 20, then 0x80 and the 8-byte length, so at most 124
 * bytes, two blocks.  */
static inline void hmac256_prepare_parts(hmac256_msg *m, const uint8_t *msg, size_t n,
                                         const char *sep, size_t nsep, int with_v, int64_t v)
{
    uint8_t *tail = m->tail;
    size_t nfull = n / SHA256_BLOCK, t = n % SHA256_BLOCK;
    /* Zero the blocks the tail can reach (decimal at most 20 bytes, then 0x80 and the
     * length): usually one, so that the fewest stores are waiting when the caller
     * releases the GIL right after.  */
    sha_zero_tail(tail, t + nsep + (with_v ? 20 : 0) + 9 <= SHA256_BLOCK ? 1 : 2);
    sha_copy_lt64(tail, msg + nfull * SHA256_BLOCK, t);
    sha_copy_lt64(tail + t, (const uint8_t *)sep, nsep);
    t += nsep;
    if (with_v) t += sha_fmt_i64_pad(v, tail + t);
    tail[t] = 0x80;
    m->ntail = t + 9 > SHA256_BLOCK ? 2 : 1;
    /* the inner hash has absorbed one key block before the message */
    sha_store_be64(tail + m->ntail * SHA256_BLOCK - 8, ((uint64_t)SHA256_BLOCK * (nfull + 1) + t) * 8);
    m->msg = msg;
    m->nfull = nfull;
}

static inline void hmac256_prepare(hmac256_msg *m, const void *msg, size_t n)
{
    hmac256_prepare_parts(m, (const uint8_t *)msg, n, "", 0, 0, 0);
}

static inline void hmac256_prepare_dec(hmac256_msg *m, const void *msg, size_t n, const char *sep, size_t nsep, int64_t v)
{
    hmac256_prepare_parts(m, (const uint8_t *)msg, n, sep, nsep, 1, v);
}

#endif
