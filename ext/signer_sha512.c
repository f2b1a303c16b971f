/* SHA-512 (FIPS 180-4) in portable C and HMAC-SHA512 (RFC 2104) over a precomputed
 * key schedule, for Gate.io's request signatures and body hashes.
 *
 * The compression function is OpenSSL's when the process has libcrypto loaded (CPython's hashlib
 * links it) and it exports SHA512_Transform: its assembly (AVX2 / AVX where the CPU has them) takes
 * about two thirds of the time per block of the portable C here.  sha512_use_openssl() looks it up
 * once, at import, without loading anything new (RTLD_NOLOAD), and keeps it only if it gives the
 * portable results on a self-test; otherwise, or on a platform without dlopen, the portable C runs.  */
#include <string.h>

#include "sha.h"

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define SHA512_CAN_BORROW 1
#endif

static const uint64_t K512[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
    0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
    0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
    0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
    0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
    0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
    0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
    0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
    0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
    0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
    0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
    0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
    0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
    0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
    0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
    0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
    0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL};

static const uint64_t IV512[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(v);
#elif defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return v;
#else
    v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
#endif
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}

/* The compression function, written for the compiler rather than for the reader of FIPS 180-4:
 * eight rounds per step with the working variables renamed instead of shifted (no moves between
 * rounds), the message schedule kept as a rolling 16-word window and computed beside the rounds
 * that use it, Ch as g ^ (e & (f ^ g)) and Maj as b ^ ((a ^ b) & (b ^ c)) (one operation fewer
 * each).  About a quarter faster per block than the round-by-round form at -O3 on x86-64.  */
#define ROR64(x, r) (((x) >> (r)) | ((x) << (64 - (r))))
#define BSIG0(a) (ROR64(a, 28) ^ ROR64(a, 34) ^ ROR64(a, 39))
#define BSIG1(e) (ROR64(e, 14) ^ ROR64(e, 18) ^ ROR64(e, 41))
#define SSIG0(x) (ROR64(x, 1) ^ ROR64(x, 8) ^ ((x) >> 7))
#define SSIG1(x) (ROR64(x, 19) ^ ROR64(x, 61) ^ ((x) >> 6))
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) ((b) ^ (((a) ^ (b)) & ((b) ^ (c))))
/* One round: h becomes the new a, d the new e; the caller rotates the names.  */
#define ROUND(a, b, c, d, e, f, g, h, t, wt) do {                      \
        uint64_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + K512[t] + (wt); \
        (d) += t1_;                                                   \
        (h) = t1_ + BSIG0(a) + MAJ(a, b, c);                          \
    } while (0)
#define WIN(t) w[(t) & 15]
/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], written over W[t-16] in the window.  */
#define SCHEDULE(t) (WIN(t) += SSIG1(WIN((t) - 2)) + WIN((t) - 7) + SSIG0(WIN((t) - 15)))
#define EIGHT(t, W) do {                                \
        ROUND(a, b, c, d, e, f, g, h, (t) + 0, W((t) + 0)); \
        ROUND(h, a, b, c, d, e, f, g, (t) + 1, W((t) + 1)); \
        ROUND(g, h, a, b, c, d, e, f, (t) + 2, W((t) + 2)); \
        ROUND(f, g, h, a, b, c, d, e, (t) + 3, W((t) + 3)); \
        ROUND(e, f, g, h, a, b, c, d, (t) + 4, W((t) + 4)); \
        ROUND(d, e, f, g, h, a, b, c, (t) + 5, W((t) + 5)); \
        ROUND(c, d, e, f, g, h, a, b, (t) + 6, W((t) + 6)); \
        ROUND(b, c, d, e, f, g, h, a, (t) + 7, W((t) + 7)); \
    } while (0)

static void sha512_blocks_portable(uint64_t state[8], const uint8_t *data, size_t nblocks)
{
    uint64_t w[16];
    while (nblocks--) {
        uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int t = 0; t < 16; t++) w[t] = load_be64(data + 8 * t);
        for (int t = 0; t < 16; t += 8) EIGHT(t, WIN);
        for (int t = 16; t < 80; t += 8) EIGHT(t, SCHEDULE);
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
        data += SHA512_BLOCK;
    }
}

/* OpenSSL's SHA512_CTX as its public header lays it out (stable since 0.9.8): SHA512_Transform reads and
 * writes the state h and, for unaligned input on some platforms, copies the block into u.  */
typedef struct {
    uint64_t h[8];
    uint64_t Nl, Nh;
    union { uint64_t d[16]; uint8_t p[SHA512_BLOCK]; } u;
    unsigned int num, md_len;
} ossl_sha512_ctx;

typedef void (*ossl_transform_fn)(ossl_sha512_ctx *c, const uint8_t *data);
static ossl_transform_fn ossl_transform = NULL;     /* in use (NULL: the portable C) */
static ossl_transform_fn ossl_found = NULL;         /* found and self-tested at import */

void sha512_blocks(uint64_t state[8], const uint8_t *data, size_t nblocks)
{
    ossl_transform_fn f = ossl_transform;
    if (f != NULL) {
        ossl_sha512_ctx c;
        memcpy(c.h, state, sizeof c.h);
        while (nblocks--) {
            f(&c, data);
            data += SHA512_BLOCK;
        }
        memcpy(state, c.h, sizeof c.h);
        return;
    }
    sha512_blocks_portable(state, data, nblocks);
}

int sha512_use_openssl(void)
{
#ifdef SHA512_CAN_BORROW
    static const char *names[] = {"libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.3.dylib", "libcrypto.dylib",
                                  "libcrypto.so", NULL};
    ossl_transform_fn f = NULL;
    for (int i = 0; names[i] != NULL && f == NULL; i++) {
        void *lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
        if (lib != NULL)
            f = (ossl_transform_fn)dlsym(lib, "SHA512_Transform");
    }
    if (f == NULL)
        return 0;
    /* self-test: three blocks of a pattern, both ways, from the IV and from a state after them */
    uint8_t data[3 * SHA512_BLOCK];
    uint64_t a[8], b[8];
    for (int i = 0; i < (int)sizeof data; i++) data[i] = (uint8_t)(i * 131 + 7);
    memcpy(a, IV512, sizeof a);
    memcpy(b, IV512, sizeof b);
    for (int round = 0; round < 2; round++) {
        ossl_sha512_ctx c;
        sha512_blocks_portable(a, data, 3);
        memcpy(c.h, b, sizeof c.h);
        for (int k = 0; k < 3; k++) f(&c, data + k * SHA512_BLOCK);
        memcpy(b, c.h, sizeof b);
        if (memcmp(a, b, sizeof a) != 0)
            return 0;
    }
    ossl_transform = ossl_found = f;
    return 1;
#else
    return 0;
#endif
}

int sha512_set_openssl(int on)
{
    /* tests run every SHA-512 check on both compressions; returns whether OpenSSL's is now in use */
    ossl_transform = on ? ossl_found : NULL;
    return ossl_transform != NULL;
}

void sha512_init(sha512_ctx *c)
{
    memcpy(c->h, IV512, sizeof IV512);
    c->total = 0;
    c->fill = 0;
}

void sha512_update(sha512_ctx *c, const void *data, size_t n)
{
    const uint8_t *p = (const uint8_t *)data;
    c->total += n;
    if (c->fill) {
        size_t take = SHA512_BLOCK - c->fill;
        if (take > n) take = n;
        memcpy(c->buf + c->fill, p, take);
        c->fill += take; p += take; n -= take;
        if (c->fill < SHA512_BLOCK) return;
        sha512_blocks(c->h, c->buf, 1);
        c->fill = 0;
    }
    if (n >= SHA512_BLOCK) {
        size_t nb = n / SHA512_BLOCK;
        sha512_blocks(c->h, p, nb);
        p += nb * SHA512_BLOCK; n -= nb * SHA512_BLOCK;
    }
    if (n) { memcpy(c->buf, p, n); c->fill = n; }
}

/* The length field is 128 bits; messages here are far below 2^61 bytes, so the
 * upper 64 bits are zero.  */
void sha512_final(sha512_ctx *c, uint8_t out[SHA512_DIGEST])
{
    uint64_t bits = c->total * 8;
    size_t f = c->fill;
    c->buf[f++] = 0x80;
    if (f > SHA512_BLOCK - 16) {
        memset(c->buf + f, 0, SHA512_BLOCK - f);
        sha512_blocks(c->h, c->buf, 1);
        f = 0;
    }
    memset(c->buf + f, 0, SHA512_BLOCK - 8 - f);
    store_be64(c->buf + SHA512_BLOCK - 8, bits);
    sha512_blocks(c->h, c->buf, 1);
    for (int i = 0; i < 8; i++) store_be64(out + 8 * i, c->h[i]);
}

void hmac512_setkey(hmac512_key *k, const uint8_t *key, size_t n)
{
    uint8_t block[SHA512_BLOCK];
    sha512_ctx c;
    memset(block, 0, sizeof block);
    if (n > SHA512_BLOCK) {
        sha512_init(&c);
        sha512_update(&c, key, n);
        sha512_final(&c, block);
    } else if (n) {
        memcpy(block, key, n);
    }
    for (int i = 0; i < SHA512_BLOCK; i++) block[i] ^= 0x36;
    memcpy(k->inner, IV512, sizeof IV512);
    sha512_blocks(k->inner, block, 1);
    for (int i = 0; i < SHA512_BLOCK; i++) block[i] ^= 0x36 ^ 0x5c;
    memcpy(k->outer, IV512, sizeof IV512);
    sha512_blocks(k->outer, block, 1);
    sha_wipe(block, sizeof block);
    sha_wipe(&c, sizeof c);
}

void hmac512_begin(const hmac512_key *k, sha512_ctx *c)
{
    memcpy(c->h, k->inner, sizeof c->h);
    c->total = SHA512_BLOCK;
    c->fill = 0;
}

/* As for SHA-256: the outer block is digest || 0x80 || zeros || bit length 1536. */
void hmac512_finish(const hmac512_key *k, sha512_ctx *c, uint8_t out[SHA512_DIGEST])
{
    uint8_t block[SHA512_BLOCK];
    uint64_t h[8];
    sha512_final(c, block);
    block[SHA512_DIGEST] = 0x80;
    memset(block + SHA512_DIGEST + 1, 0, SHA512_BLOCK - SHA512_DIGEST - 1 - 2);
    block[SHA512_BLOCK - 2] = (uint8_t)(((SHA512_BLOCK + SHA512_DIGEST) * 8) >> 8);
    block[SHA512_BLOCK - 1] = (uint8_t)((SHA512_BLOCK + SHA512_DIGEST) * 8);
    memcpy(h, k->outer, sizeof h);
    sha512_blocks(h, block, 1);
    for (int i = 0; i < 8; i++) store_be64(out + 8 * i, h[i]);
}
