# Declarations of the encoders' shared byte writers (ext/codec_wire.h).
# Declaration-only: cimporting these costs no import at run time.
from libc.stdint cimport int64_t


cdef extern from "codec_wire.h" nogil:
    enum codec_status:
        CODEC_E_SIDE
        CODEC_E_TYPE
        CODEC_E_TIF
        CODEC_E_QTY
        CODEC_E_PRICE
        CODEC_E_PRICE_FORBIDDEN
        CODEC_E_STOP
        CODEC_E_STOP_FORBIDDEN
        CODEC_E_CLIENT_ID
        CODEC_E_SYMBOL
        CODEC_E_OVERFLOW
        CODEC_E_ORDER_REF
        CODEC_E_POSITION
        CODEC_E_TIMESTAMP
        CODEC_E_RECV_WINDOW
        CODEC_E_CALLBACK
        CODEC_E_QUOTE_QTY
        CODEC_E_NOTHING

    ctypedef struct wire_t:
        char *buf
        size_t cap
        size_t len                      # bytes written so far
        int overflow                    # sticky: a write did not fit

    void wire_start(wire_t *w, char *buf, size_t cap)
    void wire_bytes(wire_t *w, const char *s, size_t n)
    void wire_str(wire_t *w, const char *s)
    void wire_char(wire_t *w, char c)
    void wire_i64(wire_t *w, int64_t v)
    void wire_fp(wire_t *w, int64_t raw)
    void wire_pct(wire_t *w, const char *s, size_t n)
    int wire_id_ok(const char *s, size_t n, size_t maxlen, const char *extra)
    int wire_symbol_ok(const char *s, size_t n, size_t maxlen, const char *extra, int allow_utf8)
