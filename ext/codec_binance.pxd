# Binance spot and USD-M futures order encoder: signed query strings in an owned buffer.
from libc.stdint cimport int64_t

from engine._codec_buffer cimport WireBuffer
from engine._codec_wire cimport CODEC_E_CALLBACK
from engine._codec_wire cimport CODEC_E_POSITION
from engine._codec_wire cimport CODEC_E_PRICE
from engine._codec_wire cimport CODEC_E_PRICE_FORBIDDEN
from engine._codec_wire cimport CODEC_E_QTY
from engine._codec_wire cimport CODEC_E_SIDE
from engine._codec_wire cimport CODEC_E_STOP
from engine._codec_wire cimport CODEC_E_STOP_FORBIDDEN
from engine._codec_wire cimport CODEC_E_TIF
from engine._codec_wire cimport CODEC_E_TYPE
from engine._codec_wire cimport wire_t
from engine._enums cimport BOTH
from engine._enums cimport BUY
from engine._enums cimport FOK
from engine._enums cimport GTC
from engine._enums cimport IOC
from engine._enums cimport LIMIT
from engine._enums cimport LIMIT_MAKER
from engine._enums cimport LONG
from engine._enums cimport MARKET
from engine._enums cimport POST_ONLY
from engine._enums cimport SELL
from engine._enums cimport SHORT
from engine._enums cimport STOP_LOSS
from engine._enums cimport STOP_LOSS_LIMIT
from engine._enums cimport TAKE_PROFIT
from engine._enums cimport TAKE_PROFIT_LIMIT
from engine._enums cimport TIF_NONE
from engine._enums cimport TRAILING_STOP
from engine._order_spec cimport OrderSpec
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
    ENDPOINT_SPOT_CANCEL_REPLACE = 8        # POST /api/v3/order/cancelReplace
    ENDPOINT_SPOT_AMEND_KEEP_PRIORITY = 9   # PUT /api/v3/order/amend/keepPriority


# WireBuffer holds buf, capacity, length (bytes of the last request) and the buffer view.
cdef class BinanceOrderEncoder(WireBuffer):
    cdef RequestSigner signer
    cdef readonly bint futures          # USD-M futures (/fapi) instead of spot (/api/v3)
    cdef readonly int endpoint          # ENDPOINT_* of the last request

    cdef Py_ssize_t _finish(self, wire_t *w, int64_t timestamp_ms, int64_t recv_window_ms,
                            int endpoint) noexcept nogil
    cdef int _check_common(self, const char *symbol, size_t symbol_len, const char *client_id,
                           size_t client_id_len, int64_t timestamp_ms, int64_t recv_window_ms) noexcept nogil
    cdef str _venue(self)
    cpdef bytes spec_request(self, OrderSpec spec, bytes client_id, int64_t timestamp_ms, int64_t recv_window_ms)

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
    cdef Py_ssize_t cancel_replace_c(self, const char *symbol, size_t symbol_len, int side, int order_type,
                                     int tif, int64_t qty_raw, int64_t price_raw, int64_t stop_raw,
                                     const char *old_client_id, size_t old_client_id_len,
                                     const char *client_id, size_t client_id_len, int64_t timestamp_ms,
                                     int64_t recv_window_ms) noexcept nogil
    cdef Py_ssize_t amend_keep_priority_c(self, const char *symbol, size_t symbol_len, const char *client_id,
                                          size_t client_id_len, int64_t qty_raw, int64_t timestamp_ms,
                                          int64_t recv_window_ms) noexcept nogil


ctypedef struct order_shape_t:
    const char *side_name
    const char *type_name               # Binance order type name
    const char *tif_name                # NULL: no timeInForce parameter
    bint need_price
    bint need_stop                      # stopPrice (spot) / triggerPrice (futures)
    bint algo                           # USD-M conditional: the Algo Service endpoint


cdef inline const char *side_name_of(int side) noexcept nogil:
    if side == BUY:
        return b"BUY"
    if side == SELL:
        return b"SELL"
    return NULL


cdef inline const char *tif_name_of(int tif, bint futures) noexcept nogil:
    if tif == GTC:
        return b"GTC"
    if tif == IOC:
        return b"IOC"
    if tif == FOK:
        return b"FOK"
    if tif == POST_ONLY and futures:
        return b"GTX"
    return NULL


cdef inline int order_shape(bint futures, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                            int64_t stop_raw, int position_side, bint reduce_only, int64_t callback_rate_raw,
                            order_shape_t *shape) noexcept nogil:
    """How an order is expressed on Binance (type name, time in force, which prices), or a CODEC_E_* status."""
    cdef const char *side_name = side_name_of(side)
    cdef const char *type_name = NULL
    cdef const char *tif_name = NULL
    cdef bint need_price = False, need_stop = False, algo = False
    if side_name == NULL:
        return CODEC_E_SIDE
    if qty_raw <= 0:
        return CODEC_E_QTY
    if price_raw < 0:
        return CODEC_E_PRICE
    if stop_raw < 0:
        return CODEC_E_STOP

    # Order type -> Binance type, which prices it needs, and its time in force.
    if order_type == MARKET:
        type_name = b"MARKET"
        if tif != TIF_NONE:
            return CODEC_E_TIF
    elif order_type == LIMIT or order_type == LIMIT_MAKER:
        need_price = True
        if order_type == LIMIT_MAKER and tif != TIF_NONE and tif != POST_ONLY:
            return CODEC_E_TIF
        if order_type == LIMIT_MAKER or tif == POST_ONLY:
            # Spot has no GTX: post-only is the LIMIT_MAKER type (no timeInForce).
            type_name = <const char *>b"LIMIT" if futures else <const char *>b"LIMIT_MAKER"
            tif_name = <const char *>b"GTX" if futures else NULL
        else:
            type_name = b"LIMIT"
            tif_name = tif_name_of(tif, futures)
            if tif_name == NULL:
                return CODEC_E_TIF
    elif order_type == STOP_LOSS or order_type == TAKE_PROFIT:
        need_stop = True
        if tif != TIF_NONE:
            return CODEC_E_TIF
        if futures:
            algo = True
            type_name = <const char *>b"STOP_MARKET" if order_type == STOP_LOSS else <const char *>b"TAKE_PROFIT_MARKET"
        else:
            type_name = <const char *>b"STOP_LOSS" if order_type == STOP_LOSS else <const char *>b"TAKE_PROFIT"
    elif order_type == STOP_LOSS_LIMIT or order_type == TAKE_PROFIT_LIMIT:
        need_stop = True
        need_price = True
        tif_name = tif_name_of(tif, futures)
        if tif_name == NULL:
            return CODEC_E_TIF
        if futures:
            algo = True
            type_name = <const char *>b"STOP" if order_type == STOP_LOSS_LIMIT else <const char *>b"TAKE_PROFIT"
        else:
            type_name = <const char *>b"STOP_LOSS_LIMIT" if order_type == STOP_LOSS_LIMIT else <const char *>b"TAKE_PROFIT_LIMIT"
    elif order_type == TRAILING_STOP and futures:
        algo = True
        type_name = b"TRAILING_STOP_MARKET"
        if tif != TIF_NONE:
            return CODEC_E_TIF
        if callback_rate_raw <= 0:
            return CODEC_E_CALLBACK
    else:
        return CODEC_E_TYPE

    if need_price and price_raw == 0:
        return CODEC_E_PRICE
    if not need_price and price_raw != 0:
        return CODEC_E_PRICE_FORBIDDEN
    if need_stop and stop_raw == 0:
        return CODEC_E_STOP
    if not need_stop and stop_raw != 0 and order_type != TRAILING_STOP:
        return CODEC_E_STOP_FORBIDDEN
    if order_type != TRAILING_STOP and callback_rate_raw != 0:
        return CODEC_E_CALLBACK
    if position_side != BOTH and position_side != LONG and position_side != SHORT:
        return CODEC_E_POSITION
    if not futures and (position_side != BOTH or reduce_only):
        return CODEC_E_POSITION
    if reduce_only and position_side != BOTH:
        return CODEC_E_POSITION            # hedge mode forbids reduceOnly
    shape.side_name = side_name
    shape.type_name = type_name
    shape.tif_name = tif_name
    shape.need_price = need_price
    shape.need_stop = need_stop
    shape.algo = algo
    return 0
