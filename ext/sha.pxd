# Declarations of the SHA-256/SHA-512/HMAC C core (ext/sha.h, compiled into
# engine._signer from ext/signer_sha256.c and ext/signer_sha512.c).
# Declaration-only: cimport the types from here; call the functions only from
# engine._signer, the module that links the C units.
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.stdint cimport uint32_t
from libc.stdint cimport uint64_t


cdef extern from "sha.h" nogil:
    enum:
        SHA256_BLOCK                    # bytes per SHA-256 block (64)
        SHA256_DIGEST                   # 32
        SHA256_HEX                      # 64 hex characters
        SHA512_BLOCK                    # 128
        SHA512_DIGEST                   # 64
        SHA512_HEX                      # 128 hex characters

    ctypedef void (*sha256_blocks_fn)(uint32_t *state, const uint8_t *data, size_t nblocks) noexcept nogil

    ctypedef struct sha256_ctx:
        pass

    ctypedef struct sha512_ctx:
        pass

    ctypedef struct hmac256_key:
        sha256_blocks_fn blocks         # compression function chosen at set-up

    ctypedef struct hmac512_key:
        pass

    int sha256_have_shani()
    sha256_blocks_fn sha256_select(int force_portable)

    void sha256_init(sha256_ctx *c, sha256_blocks_fn blocks)
    void sha256_update(sha256_ctx *c, const void *data, size_t n)
    void sha256_final(sha256_ctx *c, uint8_t *out)
    void sha512_init(sha512_ctx *c)
    void sha512_update(sha512_ctx *c, const void *data, size_t n)
    void sha512_final(sha512_ctx *c, uint8_t *out)

    void hmac256_setkey(hmac256_key *k, const uint8_t *key, size_t n, int force_portable)
    void hmac512_setkey(hmac512_key *k, const uint8_t *key, size_t n)
    void hmac256_begin(const hmac256_key *k, sha256_ctx *c)
    void hmac256_finish(const hmac256_key *k, sha256_ctx *c, uint8_t *out)
    void hmac512_begin(const hmac512_key *k, sha512_ctx *c)
    void hmac512_finish(const hmac512_key *k, sha512_ctx *c, uint8_t *out)

    enum:
        HMAC256_SEP_MAX                 # longest separator hmac256_hex_dec takes (32 bytes)

    # One-shot HMAC-SHA256 to 64 hex characters.  prepare* lay the message out (the
    # padded tail copied, whole blocks borrowed from msg, no key involved); sign_hex
    # hashes a prepared message; hex/hex_dec do both: of msg, and of msg || sep || decimal(v).
    ctypedef struct hmac256_msg:
        pass
    void hmac256_sign_hex(const hmac256_key *k, const hmac256_msg *m, char *out)
    void hmac256_hex(const hmac256_key *k, const void *msg, size_t n, char *out)
    void hmac256_hex_dec(const hmac256_key *k, const void *msg, size_t n, const char *sep, size_t nsep,
                         int64_t v, char *out)
    size_t sha_fmt_i64(int64_t v, char *out)  # decimal v into out (20 bytes); returns the length

    void sha_hex(const uint8_t *data, size_t n, char *out)
    void sha_wipe(void *p, size_t n)


cdef extern from "sha_msg.h" nogil:
    # Inline: lay out msg (or msg || sep || decimal(v)) for hmac256_sign_hex.
    void hmac256_prepare(hmac256_msg *m, const void *msg, size_t n)
    void hmac256_prepare_dec(hmac256_msg *m, const void *msg, size_t n, const char *sep, size_t nsep, int64_t v)
