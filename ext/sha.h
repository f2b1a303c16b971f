/* SHA-256, SHA-512 and HMAC over them, written for the request signer.
 *
 * Everything here is plain C: no Python, no allocation, safe without the GIL.
 * SHA-256 has two compression functions, portable C and the x86 SHA extensions
 * (SHA-NI); which one a key uses is chosen once, when the key is set up, and kept
 * in the key, so two keys can use different paths in the same process (tests force
 * the portable one on machines that have SHA-NI).  The HMAC key schedule stores the
 * hash state after absorbing key^ipad and key^opad, so a signature costs the
 * message blocks plus one outer block, never the key blocks again.  */
#ifndef ENGINE_SHA_H
#define ENGINE_SHA_H

#include <stddef.h>
#include <stdint.h>

/* The C core is private to engine._signer: hidden symbols make the calls from the
 * Cython unit direct (no PLT) and keep them out of the module's export table.  */
#if defined(__GNUC__) && !defined(_WIN32)
#pragma GCC visibility push(hidden)
#define ENGINE_SHA_VISIBILITY_PUSHED 1
#endif

#define SHA256_BLOCK 64
#define SHA256_DIGEST 32
#define SHA256_HEX 64
#define SHA512_BLOCK 128
#define SHA512_DIGEST 64
#define SHA512_HEX 128

/* Compress nblocks consecutive 64-byte blocks into the state. */
typedef void (*sha256_blocks_fn)(uint32_t state[8], const uint8_t *data, size_t nblocks);

typedef struct {
    uint32_t h[8];
    uint64_t total;            /* bytes absorbed so far, including any HMAC key block */
    size_t fill;               /* bytes waiting in buf */
    sha256_blocks_fn blocks;
    uint8_t buf[SHA256_BLOCK];
} sha256_ctx;

typedef struct {
    uint64_t h[8];
    uint64_t total;
    size_t fill;
    uint8_t buf[SHA512_BLOCK];
} sha512_ctx;

/* HMAC key schedule: hash states after one block of key^ipad / key^opad.  Its
 * size is part of engine._signer's C ABI (RequestSigner embeds it; the codec
 * modules cimport RequestSigner), so it does not grow lightly.  */
typedef struct {
    uint32_t inner[8];
    uint32_t outer[8];
    sha256_blocks_fn blocks;
} hmac256_key;

typedef struct {
    uint64_t inner[8];
    uint64_t outer[8];
} hmac512_key;

/* 1 when this CPU has SHA-NI (with SSSE3 and SSE4.1), from cpuid. */
int sha256_have_shani(void);
/* The portable and the SHA-NI compression functions (the latter only if available). */
void sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t nblocks);
void sha256_blocks_shani(uint32_t state[8], const uint8_t *data, size_t nblocks);
/* The best compression function for this CPU, or the portable one when forced. */
sha256_blocks_fn sha256_select(int force_portable);

void sha256_init(sha256_ctx *c, sha256_blocks_fn blocks);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[SHA256_DIGEST]);

void sha512_blocks(uint64_t state[8], const uint8_t *data, size_t nblocks);
void sha512_init(sha512_ctx *c);
void sha512_update(sha512_ctx *c, const void *data, size_t n);
void sha512_final(sha512_ctx *c, uint8_t out[SHA512_DIGEST]);

/* Key schedules (keys longer than a block are hashed first, as RFC 2104 says). */
void hmac256_setkey(hmac256_key *k, const uint8_t *key, size_t n, int force_portable);
void hmac512_setkey(hmac512_key *k, const uint8_t *key, size_t n);

/* Streaming HMAC: begin, update any number of times, then finish. */
void hmac256_begin(const hmac256_key *k, sha256_ctx *c);
void hmac256_finish(const hmac256_key *k, sha256_ctx *c, uint8_t out[SHA256_DIGEST]);
void hmac512_begin(const hmac512_key *k, sha512_ctx *c);
void hmac512_finish(const hmac512_key *k, sha512_ctx *c, uint8_t out[SHA512_DIGEST]);

/* One-shot HMAC-SHA256 to 64 lowercase hex characters.  A message is prepared
 * first: its whole blocks stay where they are (borrowed: msg must outlive the
 * signing), only the padded tail (the last partial block, an optional separator
 * and decimal number, 0x80, the bit length) is built, in m->tail.  Preparing needs
 * no key; with SHA-NI, signing runs the inner hash, the outer block and the hex
 * conversion in registers.  sep is at most HMAC256_SEP_MAX bytes; v is written with
 * '-' when negative.  */
#define HMAC256_SEP_MAX 32
typedef struct {
    _Alignas(16) uint8_t tail[2 * SHA256_BLOCK];
    const uint8_t *msg;
    size_t nfull;               /* whole blocks at msg */
    size_t ntail;               /* 1 or 2 blocks in tail */
} hmac256_msg;
/* hmac256_prepare(m, msg, n) and hmac256_prepare_dec(m, msg, n, sep, nsep, v) are
 * inline, in sha_msg.h.  */
void hmac256_sign_hex(const hmac256_key *k, const hmac256_msg *m, char out[SHA256_HEX]);
/* Prepare and sign in one call: of msg, and of msg || sep || decimal(v). */
void hmac256_hex(const hmac256_key *k, const void *msg, size_t n, char out[SHA256_HEX]);
void hmac256_hex_dec(const hmac256_key *k, const void *msg, size_t n, const char *sep, size_t nsep,
                     int64_t v, char out[SHA256_HEX]);

/* Decimal v ('-' first when negative) into out (20 bytes suffice); returns the length. */
size_t sha_fmt_i64(int64_t v, char *out);

/* Lowercase hex of n bytes into 2n characters (MEXC accepts only lowercase). */
void sha_hex(const uint8_t *in, size_t n, char *out);

/* Overwrite memory in a way the compiler may not drop (key material). */
void sha_wipe(void *p, size_t n);

#ifdef ENGINE_SHA_VISIBILITY_PUSHED
#pragma GCC visibility pop
#undef ENGINE_SHA_VISIBILITY_PUSHED
#endif

#endif
