# MEXC spot V3 order encoder: signed query strings (lowercase hex HMAC-SHA256) in an owned buffer.
from libc.stdint cimport int64_t

from engine._codec_buffer cimport WireBuffer
from engine._codec_wire cimport wire_t
from engine._signer cimport RequestSigner


# WireBuffer holds buf (the query, then the form body when mixed), capacity, length (query + body
# bytes of the last request) and the buffer view.
cdef class MexcOrderEncoder(WireBuffer):
    cdef RequestSigner signer
    cdef readonly bint mixed            # symbol/side/type in the URL query, the rest in a form body (doc example 3)
    cdef readonly Py_ssize_t query_length   # buffer[:query_length] is the URL query, the rest the form body
    cdef readonly int endpoint          # 1 POST /api/v3/order, 2 DELETE /api/v3/order (0 before the first)

    cdef int _check_common(self, const char *symbol, size_t symbol_len, const char *client_id,
                           size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil
    cdef Py_ssize_t _finish(self, wire_t *w, size_t query_len, int64_t timestamp_ms, int64_t recv_window_ms,
                            int endpoint) noexcept nogil

    # Return the request length, or a negative CODEC_E_* status (nothing usable written).
    # qty_raw is the base quantity (0 = absent); quote_qty_raw the quote amount a MARKET BUY spends.
    cdef Py_ssize_t new_order_c(self, const char *symbol, size_t symbol_len, int side, int order_type, int tif,
                                int64_t qty_raw, int64_t quote_qty_raw, int64_t price_raw,
                                const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                int64_t recv_window_ms) noexcept nogil
    cdef Py_ssize_t cancel_order_c(self, const char *symbol, size_t symbol_len, const char *order_id,
                                   size_t order_id_len, const char *client_id, size_t client_id_len,
                                   int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil
