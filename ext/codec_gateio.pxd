# Gate.io APIv4 spot order encoder: JSON bodies and request targets in owned buffers, plus the
# KEY / Timestamp / SIGN header values (hex HMAC-SHA512, timestamp in seconds).
from libc.stdint cimport int64_t

from engine._codec_buffer cimport WireBuffer
from engine._codec_wire cimport wire_t
from engine._signer cimport RequestSigner


cdef enum:
    GATE_TARGET_CAP = 512               # bytes of the request target (path + "?" + query)
    GATE_SIGN_HEX = 128                 # SIGN: lowercase hex HMAC-SHA512
    GATE_TIMESTAMP_CAP = 24             # Timestamp: decimal seconds
    GATE_METHOD_CAP = 8                 # "DELETE" is the longest


# What a transport sends besides the body: read straight from C after a successful call.
ctypedef struct gate_auth_t:
    char method[GATE_METHOD_CAP]        # NUL-terminated HTTP method
    char sign[GATE_SIGN_HEX]            # SIGN header value (not NUL-terminated)
    char timestamp[GATE_TIMESTAMP_CAP]  # Timestamp header value, timestamp_len digits (seconds)
    size_t timestamp_len


# WireBuffer holds buf (the JSON body at [0, length)), capacity, length (body bytes of the last
# request; 0: none, or a bodiless one) and the buffer view.
cdef class GateOrderEncoder(WireBuffer):
    cdef RequestSigner signer
    cdef readonly bytes api_key         # KEY header (not secret, but never shown in a repr)
    cdef readonly bytes account         # b"spot", b"margin", b"cross_margin" or b"unified"
    cdef bint spot_account              # account == b"spot": no account parameter on cancel/amend
    cdef readonly bint signs            # False: bodies only (the WebSocket order API after spot.login)
    cdef const char *_acct_p            # borrowed from account (kept alive by it)
    cdef size_t _acct_n
    cdef char target_buf[GATE_TARGET_CAP]   # request target: path (signed, with /api/v4), then "?" + query
    cdef gate_auth_t auth               # method and the Timestamp / SIGN header values
    cdef readonly Py_ssize_t target_length  # bytes of target (0 before the first request / after an error)
    cdef readonly Py_ssize_t path_length    # target[:path_length] is the path; the query follows a "?"
    cdef readonly int64_t timestamp         # seconds, as sent in Timestamp and signed
    cdef readonly int endpoint              # 1 create, 2 cancel, 3 amend, 4 any other signed request
    cdef object _sig_view

    cdef void _clear(self) noexcept
    cdef int _start_target(self, wire_t *t, const char *pair, size_t pair_len, const char *ref,
                           size_t ref_len) noexcept nogil
    cdef Py_ssize_t _finish(self, wire_t *body, wire_t *t, size_t path_len, const char *method,
                            int64_t timestamp_s, int endpoint) noexcept nogil

    # Return the body length (>= 0), or a negative CODEC_E_* status (nothing usable written).
    # qty_raw is the base amount; quote_qty_raw the quote amount a market BUY spends.
    cdef Py_ssize_t new_order_c(self, const char *pair, size_t pair_len, int side, int order_type, int tif,
                                int64_t qty_raw, int64_t quote_qty_raw, int64_t price_raw, const char *text,
                                size_t text_len, int64_t timestamp_s) noexcept nogil
    cdef Py_ssize_t cancel_order_c(self, const char *pair, size_t pair_len, const char *order_id,
                                   size_t order_id_len, const char *text, size_t text_len,
                                   int64_t timestamp_s) noexcept nogil
    cdef Py_ssize_t amend_order_c(self, const char *pair, size_t pair_len, const char *order_id,
                                  size_t order_id_len, const char *text, size_t text_len, int64_t qty_raw,
                                  int64_t price_raw, int64_t timestamp_s) noexcept nogil
    # The order API's cancel / amend req_param (endpoint 2 / 3): the body length or a status.
    cdef Py_ssize_t ws_ref_param_c(self, const char *pair, size_t pair_len, const char *order_id,
                                   size_t order_id_len, const char *text, size_t text_len, int64_t qty_raw,
                                   int64_t price_raw, int endpoint) noexcept nogil
    # ws_frame from C: the buffer's req_param in an order API request frame (one bytes object)
    cdef bytes ws_frame_c(self, const char *channel, Py_ssize_t cn, const char *req_id, Py_ssize_t rn,
                          int64_t ts_ms, int64_t exptime_ms)
    # cancel_order / amend_order and (ws) ws_cancel_param / ws_amend_param, written once
    cdef Py_ssize_t _ref(self, currency_pair, order_id, client_id, int64_t qty_raw, int64_t price_raw,
                         int endpoint, bint ws, int64_t timestamp_s) except -1
    cdef Py_ssize_t sign_request_c(self, const char *method, size_t method_len, const char *path, size_t path_len,
                                   const char *query, size_t query_len, const char *body, size_t body_len,
                                   int64_t timestamp_s) noexcept nogil
