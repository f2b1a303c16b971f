/* SHA-256 (FIPS 180-4) with a portable compression function and one using the
 * x86 SHA extensions, plus HMAC-SHA256 (RFC 2104) over a precomputed key schedule.
 * The SHA-NI function is compiled with a target attribute, so this file needs no
 * special flags; it is only called after cpuid says the CPU has the instructions. */
#include <string.h>

#include "sha.h"
#include "sha_msg.h"

#if defined(__x86_64__) || defined(__i386__)
#define SHA_X86 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define SHA_X86 0
#endif

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static const uint32_t IV256[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static inline uint32_t ror32(uint32_t x, unsigned r) { return (x >> r) | (x << (32 - r)); }

static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}


void sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
    uint32_t w[64];
    while (nblocks--) {
        for (int t = 0; t < 16; t++) w[t] = load_be32(data + 4 * t);
        for (int t = 16; t < 64; t++) {
            uint32_t s0 = ror32(w[t - 15], 7) ^ ror32(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint32_t s1 = ror32(w[t - 2], 17) ^ ror32(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int t = 0; t < 64; t++) {
            uint32_t S1 = ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25);
            uint32_t ch = (e & f) ^ (~e & g);
            uint32_t t1 = h + S1 + ch + K256[t] + w[t];
            uint32_t S0 = ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22);
            uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
            uint32_t t2 = S0 + maj;
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
        data += SHA256_BLOCK;
    }
}

#if SHA_X86
#define SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3")))
#define SHANI_INLINE SHANI_TARGET static inline __attribute__((always_inline))

/* The SHA-NI round instruction works on the state split as ABEF / CDGH (lane 3
 * holds A and C); the message schedule runs four words at a time with
 * sha256msg1/msg2 (W[t-16] + s0(W[t-15]), then + W[t-7] and s1(W[t-2])).
 * The 32 dependent sha256rnds2 are the whole critical path of a block; the
 * schedule and the K additions run beside them.  */
SHANI_INLINE void shani_compress(__m128i *abef, __m128i *cdgh, __m128i w0, __m128i w1, __m128i w2, __m128i w3)
{
    __m128i s0 = *abef, s1 = *cdgh;
    __m128i w[4] = {w0, w1, w2, w3};
#pragma GCC unroll 16
    for (int g = 0; g < 16; g++) {
        __m128i cur;
        if (g < 4) {
            cur = w[g];
        } else {
            __m128i t = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
            t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
            cur = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
            w[g & 3] = cur;
        }
        __m128i wk = _mm_add_epi32(cur, _mm_loadu_si128((const __m128i *)&K256[4 * g]));
        s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
        s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk, 0x0E));
    }
    *abef = _mm_add_epi32(*abef, s0);
    *cdgh = _mm_add_epi32(*cdgh, s1);
}

SHANI_INLINE __m128i shani_bswap_mask(void)
{
    return _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
}

/* One 64-byte block from memory (big-endian words). */
SHANI_INLINE void shani_block(__m128i *abef, __m128i *cdgh, const uint8_t *p)
{
    const __m128i bswap = shani_bswap_mask();
    shani_compress(abef, cdgh,
                   _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap),
                   _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap),
                   _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap),
                   _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap));
}

/* H0..H7 in lane order (abcd, efgh) <-> the ABEF / CDGH register layout. */
SHANI_INLINE void shani_split(__m128i abcd, __m128i efgh, __m128i *abef, __m128i *cdgh)
{
    __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);
    __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);
    *abef = _mm_alignr_epi8(badc, hgfe, 8);
    *cdgh = _mm_blend_epi16(hgfe, badc, 0xF0);
}

SHANI_INLINE void shani_join(__m128i abef, __m128i cdgh, __m128i *abcd, __m128i *efgh)
{
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    *abcd = _mm_blend_epi16(feba, dchg, 0xF0);
    *efgh = _mm_alignr_epi8(dchg, feba, 8);
}

SHANI_TARGET
void sha256_blocks_shani(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
    __m128i abef, cdgh, abcd, efgh;
    shani_split(_mm_loadu_si128((const __m128i *)&state[0]), _mm_loadu_si128((const __m128i *)&state[4]),
                &abef, &cdgh);
    while (nblocks--) {
        shani_block(&abef, &cdgh, data);
        data += SHA256_BLOCK;
    }
    shani_join(abef, cdgh, &abcd, &efgh);
    _mm_storeu_si128((__m128i *)&state[0], abcd);
    _mm_storeu_si128((__m128i *)&state[4], efgh);
}

/* 16 digest bytes (already in byte order) as 32 lowercase hex characters. */
SHANI_INLINE void shani_hex16(__m128i bytes, char *out)
{
    const __m128i digits = _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7',
                                         '8', '9', 'a', 'b', 'c', 'd', 'e', 'f');
    const __m128i low4 = _mm_set1_epi8(0x0f);
    __m128i hi = _mm_shuffle_epi8(digits, _mm_and_si128(_mm_srli_epi16(bytes, 4), low4));
    __m128i lo = _mm_shuffle_epi8(digits, _mm_and_si128(bytes, low4));
    _mm_storeu_si128((__m128i *)out, _mm_unpacklo_epi8(hi, lo));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_unpackhi_epi8(hi, lo));
}

/* Whole HMAC in registers: the inner state runs over nfull blocks of msg and the
 * ntail prepared blocks of tail; its digest words are the outer block's W0..W7 as
 * they are (the digest is the big-endian bytes of H0..H7, and the schedule loads
 * big-endian words), then the outer state runs one block and is written as hex.  */
SHANI_TARGET
static void hmac256_hex_shani(const hmac256_key *k, const uint8_t *msg, size_t nfull,
                              const uint8_t *tail, size_t ntail, char out[SHA256_HEX])
{
    __m128i abef, cdgh, abcd, efgh, oabef, ocdgh;
    shani_split(_mm_loadu_si128((const __m128i *)&k->inner[0]), _mm_loadu_si128((const __m128i *)&k->inner[4]),
                &abef, &cdgh);
    shani_split(_mm_loadu_si128((const __m128i *)&k->outer[0]), _mm_loadu_si128((const __m128i *)&k->outer[4]),
                &oabef, &ocdgh);
    for (; nfull; nfull--, msg += SHA256_BLOCK)
        shani_block(&abef, &cdgh, msg);
    for (; ntail; ntail--, tail += SHA256_BLOCK)
        shani_block(&abef, &cdgh, tail);
    shani_join(abef, cdgh, &abcd, &efgh);
    shani_compress(&oabef, &ocdgh, abcd, efgh, _mm_setr_epi32((int)0x80000000u, 0, 0, 0),
                   _mm_setr_epi32(0, 0, 0, (SHA256_BLOCK + SHA256_DIGEST) * 8));
    shani_join(oabef, ocdgh, &abcd, &efgh);
    const __m128i bswap = shani_bswap_mask();
    shani_hex16(_mm_shuffle_epi8(abcd, bswap), out);
    shani_hex16(_mm_shuffle_epi8(efgh, bswap), out + 32);
}

int sha256_have_shani(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return ssse3 && sse41 && ((b >> 29) & 1);
}
#else
void sha256_blocks_shani(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
    sha256_blocks_portable(state, data, nblocks);
}

static void hmac256_hex_shani(const hmac256_key *k, const uint8_t *msg, size_t nfull,
                              const uint8_t *tail, size_t ntail, char out[SHA256_HEX])
{
    (void)k; (void)msg; (void)nfull; (void)tail; (void)ntail; (void)out;
}

int sha256_have_shani(void) { return 0; }
#endif

sha256_blocks_fn sha256_select(int force_portable)
{
    static int have = -1; /* racing first calls compute the same answer */
    if (force_portable) return sha256_blocks_portable;
    if (have < 0) have = sha256_have_shani();
    return have ? sha256_blocks_shani : sha256_blocks_portable;
}

void sha256_init(sha256_ctx *c, sha256_blocks_fn blocks)
{
    memcpy(c->h, IV256, sizeof IV256);
    c->total = 0;
    c->fill = 0;
    c->blocks = blocks;
}

void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
    const uint8_t *p = (const uint8_t *)data;
    c->total += n;
    if (c->fill) {
        size_t take = SHA256_BLOCK - c->fill;
        if (take > n) take = n;
        memcpy(c->buf + c->fill, p, take);
        c->fill += take; p += take; n -= take;
        if (c->fill < SHA256_BLOCK) return;
        c->blocks(c->h, c->buf, 1);
        c->fill = 0;
    }
    if (n >= SHA256_BLOCK) {
        size_t nb = n / SHA256_BLOCK;
        c->blocks(c->h, p, nb);
        p += nb * SHA256_BLOCK; n -= nb * SHA256_BLOCK;
    }
    if (n) { memcpy(c->buf, p, n); c->fill = n; }
}

void sha256_final(sha256_ctx *c, uint8_t out[SHA256_DIGEST])
{
    uint64_t bits = c->total * 8;
    size_t f = c->fill;
    c->buf[f++] = 0x80;
    if (f > SHA256_BLOCK - 8) {
        memset(c->buf + f, 0, SHA256_BLOCK - f);
        c->blocks(c->h, c->buf, 1);
        f = 0;
    }
    memset(c->buf + f, 0, SHA256_BLOCK - 8 - f);
    for (int i = 0; i < 8; i++) c->buf[SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
    c->blocks(c->h, c->buf, 1);
    for (int i = 0; i < 8; i++) sha_store_be32(out + 4 * i, c->h[i]);
}

void hmac256_setkey(hmac256_key *k, const uint8_t *key, size_t n, int force_portable)
{
    uint8_t block[SHA256_BLOCK];
    sha256_ctx c;
    k->blocks = sha256_select(force_portable);
    memset(block, 0, sizeof block);
    if (n > SHA256_BLOCK) {
        sha256_init(&c, k->blocks);
        sha256_update(&c, key, n);
        sha256_final(&c, block);
    } else if (n) {
        memcpy(block, key, n);
    }
    for (int i = 0; i < SHA256_BLOCK; i++) block[i] ^= 0x36;
    memcpy(k->inner, IV256, sizeof IV256);
    k->blocks(k->inner, block, 1);
    for (int i = 0; i < SHA256_BLOCK; i++) block[i] ^= 0x36 ^ 0x5c;
    memcpy(k->outer, IV256, sizeof IV256);
    k->blocks(k->outer, block, 1);
    sha_wipe(block, sizeof block);
    sha_wipe(&c, sizeof c);
}

void hmac256_begin(const hmac256_key *k, sha256_ctx *c)
{
    memcpy(c->h, k->inner, sizeof c->h);
    c->total = SHA256_BLOCK;
    c->fill = 0;
    c->blocks = k->blocks;
}

/* The outer hash absorbs one key block (already in k->outer) and the 32-byte inner
 * digest, so its last block is always digest || 0x80 || zeros || bit length 768:
 * built directly, one compression, no buffering.  */
void hmac256_finish(const hmac256_key *k, sha256_ctx *c, uint8_t out[SHA256_DIGEST])
{
    uint8_t block[SHA256_BLOCK];
    uint32_t h[8];
    sha256_final(c, block);
    block[SHA256_DIGEST] = 0x80;
    memset(block + SHA256_DIGEST + 1, 0, SHA256_BLOCK - SHA256_DIGEST - 1 - 2);
    block[SHA256_BLOCK - 2] = (uint8_t)(((SHA256_BLOCK + SHA256_DIGEST) * 8) >> 8);
    block[SHA256_BLOCK - 1] = (uint8_t)((SHA256_BLOCK + SHA256_DIGEST) * 8);
    memcpy(h, k->outer, sizeof h);
    k->blocks(h, block, 1);
    for (int i = 0; i < 8; i++) sha_store_be32(out + 4 * i, h[i]);
}

/* Two lowercase hex characters per byte value, so each byte costs one 2-byte copy. */
static const char HEX_PAIRS[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void sha_hex(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) memcpy(out + 2 * i, HEX_PAIRS + 2 * in[i], 2);
}

void sha_wipe(void *p, size_t n)
{
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--) *v++ = 0;
}

/* ---- one-shot HMAC-SHA256: the signer's hot path --------------------------------
 *
 * The streaming API above copies every byte through ctx.buf and compresses one call
 * at a time.  The one-shot form compresses the message's whole blocks in place,
 * builds only the padded tail (the last partial block, an optional separator and
 * decimal number, 0x80, the bit length) in one zeroed stack buffer, and with SHA-NI
 * runs inner hash, outer block and hex conversion in registers in one call.  */

size_t sha_fmt_i64(int64_t v, char *out)
{
    uint8_t tmp[24];
    size_t n = sha_fmt_i64_pad(v, tmp);
    memcpy(out, tmp, n);
    return n;
}

/* Portable twin of hmac256_hex_shani, through the key's compression function. */
static void hmac256_hex_blocks(const hmac256_key *k, const uint8_t *msg, size_t nfull,
                               const uint8_t *tail, size_t ntail, char out[SHA256_HEX])
{
    uint32_t h[8];
    uint8_t block[SHA256_BLOCK];
    memcpy(h, k->inner, sizeof h);
    if (nfull) k->blocks(h, msg, nfull);
    k->blocks(h, tail, ntail);
    for (int i = 0; i < 8; i++) sha_store_be32(block + 4 * i, h[i]);
    memset(block + SHA256_DIGEST, 0, SHA256_BLOCK - SHA256_DIGEST);
    block[SHA256_DIGEST] = 0x80;
    sha_store_be64(block + SHA256_BLOCK - 8, (SHA256_BLOCK + SHA256_DIGEST) * 8);
    memcpy(h, k->outer, sizeof h);
    k->blocks(h, block, 1);
    for (int i = 0; i < 8; i++) sha_store_be32(block + 4 * i, h[i]);
    sha_hex(block, SHA256_DIGEST, out);
}

void hmac256_sign_hex(const hmac256_key *k, const hmac256_msg *m, char out[SHA256_HEX])
{
    if (SHA_X86 && k->blocks == sha256_blocks_shani)
        hmac256_hex_shani(k, m->msg, m->nfull, m->tail, m->ntail, out);
    else
        hmac256_hex_blocks(k, m->msg, m->nfull, m->tail, m->ntail, out);
}

void hmac256_hex(const hmac256_key *k, const void *msg, size_t n, char out[SHA256_HEX])
{
    hmac256_msg m;
    hmac256_prepare(&m, msg, n);
    hmac256_sign_hex(k, &m, out);
}

void hmac256_hex_dec(const hmac256_key *k, const void *msg, size_t n, const char *sep, size_t nsep,
                     int64_t v, char out[SHA256_HEX])
{
    hmac256_msg m;
    hmac256_prepare_dec(&m, msg, n, sep, nsep, v);
    hmac256_sign_hex(k, &m, out);
}
