# Applies a parsed venue record (ExecRecord) to the order store and the position book,
# in C, without Python objects: the step between the hot-message parsers and the OMS.
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t

from engine._exec_record cimport ExecRecord
from engine._instruments cimport Instruments
from engine._order_store cimport OrderStore
from engine._positions cimport PositionBook


cpdef enum OrderEvent:
    EV_NONE = 0                  # nothing changed (duplicate, stale, foreign order, deferred)
    EV_ACCEPTED = 1              # the venue acknowledged the order (NEW)
    EV_PARTIALLY_FILLED = 2      # a fill, order still open
    EV_FILLED = 3                # a fill that completed the order
    EV_CANCELLED = 4
    EV_REJECTED = 5
    EV_EXPIRED = 6
    EV_AMENDED = 7               # price / quantity changed in place
    EV_TRIGGERED = 8             # a conditional order triggered


cpdef enum ApplyStatus:
    AP_APPLIED = 0               # the store changed (see event)
    AP_IGNORED = 1               # duplicate / stale: counted by the store, nothing changed
    AP_FOREIGN = 2               # no order of ours matches the record's ids
    AP_REFUSED = 3               # illegal transition, overfill, overflow, bad value: counted
    AP_DEFERRED = 4              # Bybit `order` fill state: the fills come from `execution`
    AP_NOT_ORDER = 5             # the record is not an order message (balances, errors, ...)
    AP_CONFLICT = 6              # our client id on another venue order than ours: a second order (never
                                 # folded into ours; the engine adopts it and raises the alarm)


cdef class RecordApplier:
    cdef OrderStore store
    cdef PositionBook positions              # None for spot accounts (balances come from account events)
    cdef Instruments instruments
    cdef char *asset_names                   # n_assets x ASSET_NAME_CAP bytes, for fee assets
    cdef unsigned char *asset_lens
    cdef int32_t n_assets
    cdef readonly int32_t slot               # slot of the last record (-1 when none matched)
    cdef readonly int status                 # ApplyStatus of the last record
    cdef readonly int prev_state             # the order's state before the last record (0: none matched)
    cdef readonly int store_result           # the store's UpdateResult of the last record
    cdef readonly int event                  # OrderEvent of the last record
    cdef readonly int64_t fill_qty_raw       # quantity the last record filled (0 if none)
    cdef readonly int64_t fill_price_raw     # its price
    cdef readonly int64_t n_applied          # records that changed an order
    cdef readonly int64_t n_ignored          # duplicates and stale updates
    cdef readonly int64_t n_foreign          # records for orders we do not know (reconciliation adopts them)
    cdef readonly int64_t n_refused          # records the store refused (counted there too)
    cdef readonly int64_t n_position_errors  # fills the position book refused
    cdef readonly int64_t n_conflicts        # records of a second venue order under one of our client ids
    cdef readonly int64_t n_resized          # fills beyond the order's quantity as held: the venue's quantity taken
    cdef readonly int64_t n_short            # last fills that left our fills short of the order: one missing
    cdef readonly bint short                 # the last record was one (the caller asks the venue)

    cdef int apply_c(self, const ExecRecord *r, int64_t ts_ns) noexcept nogil
    cdef int apply_response_c(self, int32_t slot, const ExecRecord *r, int64_t ts_ns) noexcept nogil
    cdef void _resize_c(self, int32_t slot, const ExecRecord *r, int64_t filled, int64_t ts_ns) noexcept nogil
    cdef void _venue_price_c(self, int32_t slot, const ExecRecord *r) noexcept nogil
    cdef int _finish_c(self, int32_t slot, int res, int exec_type, int64_t price, int64_t before, int64_t fee,
                       int32_t fee_asset) noexcept nogil
    cdef int32_t find_slot_c(self, const ExecRecord *r) noexcept nogil
    cdef int32_t fee_asset_c(self, const ExecRecord *r) noexcept nogil

