# TopstepX (ProjectX Gateway) order encoder: Order/place, Order/cancel, Order/modify JSON bodies
# in an owned buffer (JWT bearer auth: nothing is signed).
from libc.stdint cimport int64_t

from engine._codec_buffer cimport WireBuffer
from engine._codec_wire cimport wire_t


# WireBuffer holds buf (the body at [0, length)), capacity, length (body bytes) and the buffer view.
cdef class TopstepxOrderEncoder(WireBuffer):
    cdef readonly int64_t account_id    # every body's accountId
    cdef readonly int endpoint          # 1 place, 2 cancel, 3 modify (0 before the first)

    cdef void _start(self, wire_t *w) noexcept nogil
    cdef Py_ssize_t _finish(self, wire_t *w, int endpoint) noexcept nogil
    # Return the body length, or a negative CODEC_E_* status (nothing usable written).
    # Prices are raw fixed point (0 = absent, sent as null); bracket ticks are signed (0 = no bracket).
    cdef Py_ssize_t new_order_c(self, const char *contract, size_t contract_len, int side, int order_type,
                                int64_t qty_raw, int64_t price_raw, int64_t stop_raw, int64_t trail_raw,
                                const char *client_id, size_t client_id_len, int64_t stop_ticks, int stop_type,
                                int64_t take_ticks, int take_type) noexcept nogil
    cdef Py_ssize_t cancel_order_c(self, int64_t order_id) noexcept nogil
    cdef Py_ssize_t modify_order_c(self, int64_t order_id, int64_t qty_raw, int64_t price_raw,
                                   int64_t stop_raw, int64_t trail_raw) noexcept nogil
