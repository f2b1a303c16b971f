# Bybit V5 order encoder: JSON bodies in an owned buffer plus their X-BAPI-SIGN.
from libc.stdint cimport int64_t

from engine._codec_buffer cimport WireBuffer
from engine._codec_wire cimport wire_t
from engine._signer cimport RequestSigner


# WireBuffer holds buf (the body at [0, length)), capacity, length (body bytes) and the buffer view.
cdef class BybitOrderEncoder(WireBuffer):
    cdef RequestSigner signer
    cdef bytes api_key                  # X-BAPI-API-KEY (signed, not secret)
    cdef readonly bytes category        # b"spot", b"linear" or b"inverse"
    cdef bint spot
    cdef const char *_key_p             # borrowed from api_key / category (kept alive by them)
    cdef size_t _key_n
    cdef const char *_cat_p
    cdef size_t _cat_n
    cdef char sig[64]                   # X-BAPI-SIGN of the last body, lowercase hex
    cdef readonly int endpoint          # 1 create, 2 cancel, 3 amend
    cdef object _sig_view

    cdef Py_ssize_t _finish(self, wire_t *w, int64_t timestamp_ms, int64_t recv_window_ms, int endpoint) noexcept nogil
    cdef int _start(self, wire_t *w, const char *symbol, size_t symbol_len, const char *client_id,
                    size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil
    cdef Py_ssize_t new_order_c(self, const char *symbol, size_t symbol_len, int side, int order_type, int tif,
                                int64_t qty_raw, int64_t price_raw, int64_t stop_raw, const char *client_id,
                                size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms,
                                int position_side, bint reduce_only) noexcept nogil
    cdef Py_ssize_t cancel_order_c(self, const char *symbol, size_t symbol_len, const char *order_id,
                                   size_t order_id_len, const char *client_id, size_t client_id_len,
                                   int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil
    cdef Py_ssize_t amend_order_c(self, const char *symbol, size_t symbol_len, const char *order_id,
                                  size_t order_id_len, const char *client_id, size_t client_id_len,
                                  int64_t qty_raw, int64_t price_raw, int64_t timestamp_ms,
                                  int64_t recv_window_ms) noexcept nogil
