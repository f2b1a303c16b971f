# RequestSigner: HMAC key schedules kept for the object's life; C entry points for
# encoders and transports (raw pointers in, lowercase hex out, no GIL, no allocation).
from libc.stdint cimport int64_t

from engine._sha cimport hmac256_key
from engine._sha cimport hmac512_key


cdef class RequestSigner:
    cdef hmac256_key _k256  # HMAC-SHA256 inner/outer states after key^ipad / key^opad (Binance, Bybit, MEXC).
    cdef hmac512_key _k512  # HMAC-SHA512 inner/outer states (Gate.io).
    cdef readonly bint portable  # True when SHA-256 runs in portable C (forced, or the CPU has no SHA-NI).

    # out receives exactly 64 (SHA-256) or 128 (SHA-512) lowercase hex characters.
    cdef void hmac256_hex_c(self, const char *msg, size_t n, char *out) noexcept nogil
    cdef void hmac512_hex_c(self, const char *msg, size_t n, char *out) noexcept nogil
    cdef void sign_binance_c(self, const char *query, size_t n, int64_t timestamp, char *out) noexcept nogil
    cdef void sign_bybit_c(self, int64_t timestamp, const char *api_key, size_t key_len, int64_t recv_window,
                           const char *payload, size_t n, char *out) noexcept nogil
    cdef void sign_bybit_ws_c(self, int64_t expires, char *out) noexcept nogil
    cdef void sign_gateio_c(self, const char *method, size_t method_len, const char *path, size_t path_len,
                            const char *query, size_t query_len, const char *body, size_t body_len,
                            int64_t timestamp, char *out) noexcept nogil
