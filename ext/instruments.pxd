# Instrument registry: venue symbol <-> small integer id, with each instrument's trading
# rules as fixed-point columns.  Declarations only.
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t



cdef extern from "order_store_index.h" nogil:
    ctypedef struct ix_str_t:
        int64_t count
    int ix_str_init(ix_str_t *t, int64_t max_keys, const char *key_base, const uint8_t *key_len, size_t stride)
    void ix_str_free(ix_str_t *t)
    int32_t ix_str_find(const ix_str_t *t, const char *p, size_t n)
    int ix_str_insert(ix_str_t *t, int32_t slot, int32_t *existing)


cdef enum:
    SYMBOL_MAX = 32                  # bytes kept per venue symbol

cpdef enum ContractType:
    SPOT = 1
    LINEAR_PERPETUAL = 2             # USD-M / USDT perpetual
    LINEAR_FUTURE = 3                # dated linear future

# Why an order breaks an instrument's rules (0: it does not).
cpdef enum RuleViolation:
    RULE_OK = 0
    RULE_UNKNOWN_INSTRUMENT = 1
    RULE_NOT_TRADING = 2
    RULE_PRICE_BELOW_MIN = 3
    RULE_PRICE_ABOVE_MAX = 4
    RULE_PRICE_NOT_TICK = 5
    RULE_QTY_BELOW_MIN = 6
    RULE_QTY_ABOVE_MAX = 7
    RULE_QTY_NOT_STEP = 8
    RULE_NOTIONAL_BELOW_MIN = 9
    RULE_NOTIONAL_ABOVE_MAX = 10
    RULE_PRICE_OUTSIDE_BAND = 11
    RULE_OVERFLOW = 12
    RULE_BAD_VALUE = 13              # quantity <= 0, negative price, limit order without price


cdef class Instruments:
    """Symbols and trading rules by instrument id; all prices/quantities raw fixed point."""
    cdef readonly int32_t capacity         # instruments the registry can hold
    cdef readonly int32_t count            # instruments registered (ids 0..count-1)
    cdef readonly object arrays            # dict name -> numpy array
    cdef readonly dict asset_ids           # asset name -> asset id (cold path)
    cdef readonly list asset_names         # asset id -> name
    cdef readonly dict ids                 # symbol -> instrument id (cold path)
    cdef readonly list symbols             # instrument id -> symbol (str)
    cdef uint8_t[:, ::1] symbol_buf        # symbol bytes per id
    cdef uint8_t[::1] symbol_len
    cdef ix_str_t ix_symbol                # symbol bytes -> id, for parsers (no dict)
    cdef bint ix_ready
    cdef uint8_t[::1] contract_type        # ContractType
    cdef uint8_t[::1] trading              # 1 when the venue status allows trading
    cdef int32_t[::1] base_asset           # asset id
    cdef int32_t[::1] quote_asset          # asset id (the margin asset for linear contracts)
    cdef int64_t[::1] tick_raw             # price step; 0 = no tick rule
    cdef int64_t[::1] min_price_raw        # 0 = no minimum
    cdef int64_t[::1] max_price_raw        # 0 = no maximum
    cdef int64_t[::1] price_origin_raw     # ticks are counted from here (Binance: minPrice; Bybit: 0)
    cdef int64_t[::1] step_raw             # quantity step of limit orders; 0 = none
    cdef int64_t[::1] min_qty_raw
    cdef int64_t[::1] max_qty_raw          # 0 = no maximum
    cdef int64_t[::1] qty_origin_raw       # steps counted from here (Binance: minQty; Bybit: 0)
    cdef int64_t[::1] mkt_step_raw         # market-order lot size (0 = use the limit rule)
    cdef int64_t[::1] mkt_min_qty_raw
    cdef int64_t[::1] mkt_max_qty_raw
    cdef int64_t[::1] min_notional_raw     # 0 = none
    cdef int64_t[::1] max_notional_raw     # 0 = none
    cdef uint8_t[::1] notional_market      # 1 when the notional rules apply to market orders
    cdef int64_t[::1] bid_up_raw           # percent-price band multipliers (raw, 1.05 = 105000000), 0 = none
    cdef int64_t[::1] bid_down_raw
    cdef int64_t[::1] ask_up_raw
    cdef int64_t[::1] ask_down_raw
    cdef int32_t[::1] max_orders           # open orders allowed per symbol, 0 = unknown
    cdef int64_t[::1] multiplier_raw       # quote value of one unit of quantity per unit of price (1 = crypto)

    cdef int32_t find_c(self, const char *p, Py_ssize_t n) noexcept nogil
    cdef int check_order_c(self, int32_t inst, int side, int order_type, int64_t qty_raw, int64_t price_raw,
                           int64_t ref_price_raw, bint reduce_only) noexcept nogil
    cdef int round_price_c(self, int32_t inst, int64_t price_raw, int mode, int64_t *out) noexcept nogil
    cdef int round_qty_c(self, int32_t inst, int64_t qty_raw, int mode, bint market, int64_t *out) noexcept nogil
