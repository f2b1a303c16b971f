# Account: spot balances per asset, futures wallet/margin, reservations by open orders,
# and the pre-trade balance/margin check.  Declarations only.
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t

from engine._instruments cimport Instruments
from engine._positions cimport PositionBook


cpdef enum AccountCheck:
    ACC_OK = 0
    ACC_UNKNOWN_INSTRUMENT = 1
    ACC_UNKNOWN_ASSET = 2
    ACC_INSUFFICIENT_BALANCE = 3     # spot: free minus reserved does not cover the order
    ACC_INSUFFICIENT_MARGIN = 4      # futures: available balance does not cover the initial margin
    ACC_REDUCE_ONLY_WOULD_INCREASE = 5
    ACC_NO_PRICE = 6                 # market order and no mark price known
    ACC_OVERFLOW = 7
    ACC_BAD_VALUE = 8


cdef class Account:
    """Balances and margin, checked before an order is sent."""
    cdef readonly Instruments instruments       # rules, base/quote asset ids, contract types
    cdef readonly PositionBook positions        # sizes, marks, leverage, maintenance tiers
    cdef readonly int32_t n_assets              # asset ids 0..n_assets-1
    cdef readonly object arrays                 # dict name -> numpy array
    cdef int64_t[::1] free_raw                  # spot free balance per asset
    cdef int64_t[::1] locked_raw                # spot locked balance per asset (venue's view)
    cdef uint8_t[::1] reported                  # 1 once the venue reported the asset's spot balance
    cdef int64_t[::1] reserved_raw              # reserved by our open spot orders not yet reflected in locked
    cdef int64_t[::1] wallet_raw                # futures wallet balance per margin asset
    cdef int64_t[::1] cross_wallet_raw          # futures cross wallet balance per margin asset
    cdef int64_t[::1] available_raw             # futures available balance per asset, as the venue reports it
    cdef uint8_t[::1] futures_reported          # 1 once the venue reported the asset's futures balance
    cdef readonly int64_t order_margin_raw      # initial margin reserved by open futures orders (margin asset)
    cdef readonly int64_t unrealized_raw        # sum of unrealized PnL of the positions (last refresh)
    cdef readonly int64_t position_margin_raw   # initial margin of the positions: |size| * mark / leverage
    cdef readonly int64_t maint_margin_raw      # maintenance margin of the positions (last refresh)
    cdef readonly int32_t margin_asset          # asset id of the futures margin asset (e.g. USDT), -1 none
    cdef readonly int64_t margin_call_ratio_raw # maint / margin balance at or above which is_margin_call is true

    cdef int can_place_order_c(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw,
                               bint reduce_only) noexcept nogil
    cdef int reserve_c(self, int32_t inst, int side, int64_t qty_raw, int64_t price_raw, int sign) noexcept nogil
    cdef int apply_balance_c(self, int32_t asset, int64_t free_raw, int64_t locked_raw) noexcept nogil
    cdef int apply_balance_delta_c(self, int32_t asset, int64_t delta_raw) noexcept nogil
    cdef int apply_futures_balance_c(self, int32_t asset, int64_t wallet_raw, int64_t cross_wallet_raw) noexcept nogil
    cdef int apply_futures_available_c(self, int32_t asset, int64_t wallet_raw, int64_t cross_wallet_raw,
                                       int64_t available_raw) noexcept nogil
    cdef int refresh_margin_c(self) noexcept nogil
    cdef int64_t margin_balance_c(self) noexcept nogil
