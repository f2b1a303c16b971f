# Binance spot and USD-M futures order encoder: signed query strings in an owned buffer.
from libc.stdint cimport int64_t

from engine._codec_wire cimport wire_t
from engine._signer cimport RequestSigner


cpdef enum BinanceEndpoint:
    ENDPOINT_NONE = 0
    ENDPOINT_SPOT_ORDER = 1                 # POST /api/v3/order
    ENDPOINT_SPOT_CANCEL = 2                # DELETE /api/v3/order
    ENDPOINT_FUTURES_ORDER = 3              # POST /fapi/v1/order
    ENDPOINT_FUTURES_ALGO_ORDER = 4         # POST /fapi/v1/algoOrder
    ENDPOINT_FUTURES_CANCEL = 5             # DELETE /fapi/v1/order
    ENDPOINT_FUTURES_ALGO_CANCEL = 6        # DELETE /fapi/v1/algoOrder
    ENDPOINT_FUTURES_MODIFY = 7             # PUT /fapi/v1/order


cdef class BinanceOrderEncoder:
    cdef RequestSigner signer
    cdef readonly bint futures          # USD-M futures (/fapi) instead of spot (/api/v3)
    cdef char *buf                      # owned, capacity bytes, reused by every request
    cdef size_t capacity
    cdef readonly Py_ssize_t length     # bytes of the last request (0 before the first)
    cdef readonly int endpoint          # ENDPOINT_* of the last request
    cdef object _view                   # read-only memoryview over buf[:capacity]

    cdef Py_ssize_t _finish(self, wire_t *w, int64_t timestamp_ms, int64_t recv_window_ms,
                            int endpoint) noexcept nogil
    cdef int _check_common(self, const char *symbol, size_t symbol_len, const char *client_id,
                           size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil
    cdef str _venue(self)

    # Returns the request length, or a negative CODEC_E_* status (nothing usable written).
    cdef Py_ssize_t new_order_c(self, const char *symbol, size_t symbol_len, int side, int order_type,
                                int tif, int64_t qty_raw, int64_t price_raw, int64_t stop_raw,
                                const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                int64_t recv_window_ms, int position_side, bint reduce_only,
                                int64_t callback_rate_raw) noexcept nogil
    cdef Py_ssize_t cancel_order_c(self, const char *symbol, size_t symbol_len, int64_t order_id,
                                   const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                   int64_t recv_window_ms, bint algo) noexcept nogil
    cdef Py_ssize_t modify_order_c(self, const char *symbol, size_t symbol_len, int side, int64_t order_id,
                                   const char *client_id, size_t client_id_len, int64_t qty_raw,
                                   int64_t price_raw, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil
