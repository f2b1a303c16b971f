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


# -- helpers every encoder uses (inline: no import, no call at run time) -------------------------
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_Check
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_Check

cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object s, Py_ssize_t *size) except NULL


cdef inline int borrow_text(object obj, const char **data, Py_ssize_t *size) except -1:
    """Point at the bytes of a ``bytes`` or ``str`` (UTF-8) argument without copying (None: empty)."""
    if PyBytes_Check(obj):
        data[0] = PyBytes_AS_STRING(obj)
        size[0] = PyBytes_GET_SIZE(obj)
    elif PyUnicode_Check(obj):
        data[0] = PyUnicode_AsUTF8AndSize(obj, size)
    elif obj is None:
        data[0] = b""
        size[0] = 0
    else:
        raise TypeError(f"expected bytes or str, got {type(obj).__name__}")
    return 0


cdef inline void json_key(wire_t *w, const char *name) noexcept nogil:
    """``,"name":`` (``{"name":`` for the first key of an object written from the start)."""
    wire_bytes(w, b"{" if w.len == 0 else b",", 1)
    wire_bytes(w, b"\"", 1)
    wire_str(w, name)
    wire_bytes(w, b"\":", 2)


cdef inline void json_str_field(wire_t *w, const char *name, const char *value, size_t n) noexcept nogil:
    json_key(w, name)
    wire_bytes(w, b"\"", 1)
    wire_bytes(w, value, n)
    wire_bytes(w, b"\"", 1)


cdef inline void json_fp_field(wire_t *w, const char *name, int64_t raw) noexcept nogil:
    """A fixed-point value as a JSON string (venues want numbers as strings)."""
    json_key(w, name)
    wire_bytes(w, b"\"", 1)
    wire_fp(w, raw)
    wire_bytes(w, b"\"", 1)
