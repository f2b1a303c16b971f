# Positions: one per instrument id, signed size, average entry, realized/unrealized PnL,
# fees, leverage and maintenance-margin brackets.  Declarations only.
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t


cdef extern from "positions_math.h" nogil:
    int pos_wavg(int64_t qa, int64_t pa, int64_t qb, int64_t pb, int mode, int64_t *out)
    int pos_liquidation_price(int64_t wb, int64_t tmm1, int64_t upnl1, int64_t cum, int side,
                              int64_t q_abs, int64_t ep, int64_t mmr, int64_t *out)


cdef enum:
    MAX_BRACKETS = 16             # maintenance-margin tiers kept per instrument

# How a fill's fee is charged.
cpdef enum FeeKind:
    FEE_QUOTE = 0                 # in the quote / margin asset: added to fees_raw
    FEE_BASE = 1                  # in the base asset: reduces the holding, valued at the fill price in fees_raw
    FEE_OTHER = 2                 # in a third asset (e.g. BNB): added to fee_other_raw of that asset

# Result codes of the C-level updates (the Python wrappers raise on them).
cpdef enum PositionResult:
    POS_OK = 0
    POS_UNKNOWN_INSTRUMENT = 1    # instrument id outside the book
    POS_OVERFLOW = 2              # a fixed-point result would not fit int64: nothing changed
    POS_BAD_VALUE = 3             # side not BUY/SELL, quantity <= 0, price <= 0, fee < 0
    POS_FEE_ASSET_DROPPED = 4     # the fill applied, but its fee was in a second third asset (not summed)


cdef class PositionBook:
    """Positions by instrument id over preallocated numpy columns."""
    cdef readonly int32_t capacity          # instruments the book can hold
    cdef readonly object arrays             # dict name -> numpy array (inspection, tests)
    cdef readonly int64_t n_overflows       # fills refused because a result would overflow
    cdef readonly int64_t n_unknown         # updates for instrument ids outside the book
    cdef readonly int64_t n_fee_assets_dropped  # third-asset fees not summed (a second third asset)
    cdef int64_t[::1] size_raw              # signed position size, base units (long > 0)
    cdef int64_t[::1] entry_raw             # average entry price, 0 when flat
    cdef int64_t[::1] realized_raw          # realized PnL in quote, before fees (times the multiplier)
    cdef int64_t[::1] fees_raw              # fees paid, in quote (base-asset fees valued at the fill price)
    cdef int64_t[::1] fee_other_raw         # fees paid in a third asset
    cdef int32_t[::1] fee_other_asset       # asset id of fee_other_raw, -1 if none
    cdef int64_t[::1] mark_raw              # last mark price, 0 if unknown
    cdef int64_t[::1] unrealized_raw        # size * (mark - entry) * multiplier, 0 without a mark
    cdef int64_t[::1] multiplier_raw        # quote value of one unit of size per unit of price (1: crypto
                                            # contracts; a future's point value, e.g. MNQ 2)
    cdef int32_t[::1] leverage              # leverage set on the venue (1..125)
    cdef uint8_t[::1] isolated              # 1 isolated margin, 0 cross
    cdef int64_t[::1] isolated_wallet_raw   # isolated wallet balance of the position (quote)
    cdef int32_t[::1] n_brackets            # maintenance tiers set for the instrument
    cdef int64_t[:, ::1] br_floor_raw       # tier lower notional bound (quote)
    cdef int64_t[:, ::1] br_cap_raw         # tier upper notional bound (quote)
    cdef int64_t[:, ::1] br_mmr_raw         # maintenance margin rate (raw, 0.004 = 400000)
    cdef int64_t[:, ::1] br_cum_raw         # maintenance amount ("cum", quote)
    cdef int64_t[:, ::1] br_max_leverage    # initial leverage cap of the tier

    cdef int value_c(self, int32_t inst, int64_t qty_raw, int64_t diff_raw, int64_t *out) noexcept nogil
    cdef int update_from_fill_c(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw,
                                int64_t fee_raw, int fee_kind, int32_t fee_asset) noexcept nogil
    cdef int set_mark_c(self, int32_t inst, int64_t mark_raw) noexcept nogil
    cdef int bracket_c(self, int32_t inst, int64_t notional_raw) noexcept nogil
    cdef int maint_margin_c(self, int32_t inst, int64_t *out) noexcept nogil
    cdef int liquidation_price_c(self, int32_t inst, int64_t wallet_raw, int64_t other_maint_raw,
                                 int64_t other_upnl_raw, int64_t *out) noexcept nogil
