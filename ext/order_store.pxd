# The order store: every live order is a slot index into preallocated numpy arrays.
# Declarations only; the logic is in order_store.pyx.
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.stdint cimport uint32_t
from libc.stdint cimport uint64_t

from engine._enums cimport CANCELLED
from engine._enums cimport EXPIRED
from engine._enums cimport FILLED
from engine._enums cimport NOT_PLACED
from engine._enums cimport REJECTED


cdef extern from "order_store_index.h" nogil:
    ctypedef struct ix_int_t:
        int64_t count
    ctypedef struct ix_str_t:
        int64_t count
    int ix_int_init(ix_int_t *t, int64_t max_keys)
    void ix_int_free(ix_int_t *t)
    int32_t ix_int_find(const ix_int_t *t, int64_t key)
    int ix_int_insert(ix_int_t *t, int64_t key, int32_t slot, int32_t *existing)
    int ix_int_remove(ix_int_t *t, int64_t key, int32_t slot)
    int ix_str_init(ix_str_t *t, int64_t max_keys, const char *key_base, const uint8_t *key_len, size_t stride)
    void ix_str_free(ix_str_t *t)
    int32_t ix_str_find(const ix_str_t *t, const char *p, size_t n)
    int ix_str_insert(ix_str_t *t, int32_t slot, int32_t *existing)
    int ix_str_remove(ix_str_t *t, int32_t slot)


cdef enum:
    SLOT_FREE = 0              # state value of an unused slot (OrderState values start at 1)
    CLIENT_ID_MAX = 48         # bytes kept per client order id
    EXCHANGE_ID_MAX = 64       # bytes kept per string exchange order id (UUIDs, "C02__...")
    TRADE_IDS_KEPT = 4         # recent trade ids remembered per order for duplicate detection
    SESSION_CHARS = 13         # base62 session prefix: 30 bits time, 22 bits pid, 25 bits random
    SLOT_CHARS = 4             # base62 slot number (62**4 = 14,776,336 slots at most)
    GEN_CHARS = 4              # base62 slot generation, wraps at 62**4
    GEN_MODULUS = 14776336     # 62**4

cdef enum:
    ORDER_FLAG_REDUCE_ONLY = 1
    ORDER_FLAG_CLOSE_ON_TRIGGER = 2

# Outcome of applying an update to an order (the OMS turns non-zero codes into counters/logs).
cpdef enum UpdateResult:
    APPLIED = 0                # the order changed
    DUPLICATE = 1              # same trade / same state seen before: nothing changed
    STALE = 2                  # older than what the store holds (NEW after PARTIALLY_FILLED): nothing changed
    ILLEGAL = 3                # transition not in the table: nothing changed
    UNKNOWN_ORDER = 4          # slot not live (released or never created)
    OVERFLOW = 5               # a fixed-point sum would overflow int64: nothing changed
    OVERFILL = 6               # filled quantity would exceed the order quantity: nothing changed
    BAD_VALUE = 7              # negative / zero quantity on a trade, bad price: nothing changed


cdef class ClientIdCodec:
    """Makes and reads client order ids: [required prefix][order tag-][tag][session][slot][generation]."""
    cdef readonly str venue          # venue rule name, e.g. "binance-spot"
    cdef readonly int max_length     # longest id the venue accepts, counting the required prefix
    cdef char head[CLIENT_ID_MAX]    # prefix + tag + session, copied into every id
    cdef readonly int head_length    # bytes in head
    cdef readonly int id_length      # bytes in every id this codec makes (head + slot + generation)
    cdef readonly int prefix_length  # bytes of the venue's required prefix at the start of head
    cdef readonly str charset        # characters the venue allows in a client id (a regex class body)
    cdef int format_c(self, int32_t slot, uint32_t gen, char *out) noexcept nogil
    cdef int decode_c(self, const char *p, Py_ssize_t n, int32_t *slot, uint32_t *gen) noexcept nogil


cdef class OrderStore:
    """Preallocated order slots with O(1) lookup by slot, client order id and exchange order id."""
    cdef readonly int32_t capacity           # slots (orders that can be live or retained at once)
    cdef readonly int64_t retention_ns       # how long a terminal order stays queryable before its slot is reused
    cdef readonly int64_t ack_timeout_ns     # PENDING/UNKNOWN older than this are listed as stale
    cdef readonly ClientIdCodec codec        # client-id rule of the venue this store serves
    cdef readonly int32_t live               # slots in use (including retained terminal orders)

    # counters of updates that changed nothing (read by the OMS and by tests)
    cdef readonly int64_t n_duplicates       # same trade id / cumulative quantity / state again
    cdef readonly int64_t n_stale            # updates older than the stored state
    cdef readonly int64_t n_illegal          # transitions outside the table, overfills, bad values
    cdef readonly int64_t n_overflows        # fixed-point sums that would overflow
    cdef readonly int64_t n_unknown          # updates for slots that are not live
    cdef readonly int64_t n_gaps             # cumulative quantity jumped past the fill we were told about
    cdef readonly int64_t n_late_fills       # fills applied to orders already cancelled/expired
    cdef readonly int64_t n_unexpected_fills # fills of orders taken as REJECTED or NOT_PLACED (they existed)
    cdef readonly int64_t n_capacity_rejects # creations refused because every slot was in use
    cdef readonly int64_t n_fee_assets_dropped  # fills charging a third fee asset on one order (not summed)

    # per-slot columns (numpy arrays kept alive by these references; memoryviews below)
    cdef readonly object arrays              # dict name -> numpy array, for inspection and tests
    cdef int32_t[::1] instrument             # instrument id
    cdef uint8_t[::1] side                   # Side
    cdef uint8_t[::1] order_type             # OrderType
    cdef uint8_t[::1] tif                    # TimeInForce
    cdef uint8_t[::1] state                  # OrderState, SLOT_FREE when unused
    cdef uint8_t[::1] flags                  # ORDER_FLAG_* bits
    cdef uint8_t[::1] position_side          # PositionSide
    cdef int64_t[::1] qty_raw                # order quantity (base units, fixed point)
    cdef int64_t[::1] price_raw              # limit price (fixed point), 0 for market
    cdef int64_t[::1] stop_price_raw         # stop / trigger price (fixed point), 0 if none
    cdef int64_t[::1] trailing_delta_raw     # trailing delta / callback (fixed point, venue's unit), 0 if none
    cdef int64_t[::1] filled_raw             # cumulative filled quantity (fixed point)
    cdef int64_t[::1] cum_quote_raw          # cumulative quote amount, sum of fill qty * price (fixed point)
    cdef int64_t[::1] fee_raw                # fees charged in fee_asset (fixed point)
    cdef int32_t[::1] fee_asset              # asset id of fee_raw, -1 if none yet
    cdef int64_t[::1] fee2_raw               # fees charged in a second asset (fixed point)
    cdef int32_t[::1] fee2_asset             # asset id of fee2_raw, -1 if none
    cdef int64_t[::1] ts_created             # ns, local clock
    cdef int64_t[::1] ts_acked               # ns, first acknowledgement or fill, 0 if none
    cdef int64_t[::1] ts_updated             # ns, last applied update
    cdef int64_t[::1] ts_terminal            # ns, when the order reached a terminal state, 0 if not
    cdef int32_t[::1] reject_code            # venue/engine reject reason code, 0 if none
    cdef uint32_t[::1] gen                   # slot generation, bumped on every allocation
    cdef int64_t[:, ::1] trade_ids           # last TRADE_IDS_KEPT trade ids per slot, -1 empty
    cdef uint8_t[::1] trade_pos              # next ring position in trade_ids
    cdef int64_t[::1] exch_id_int            # integer exchange order id, valid when exch_kind == 1
    cdef uint8_t[::1] exch_kind              # 0 none, 1 integer, 2 string
    cdef uint8_t[:, ::1] exch_id_str         # string exchange order id bytes
    cdef uint8_t[::1] exch_id_len            # its length
    cdef uint8_t[:, ::1] client_id_buf       # client order id bytes of the slot
    cdef uint8_t[::1] client_id_len          # its length
    cdef uint8_t[::1] client_id_adopted      # 1 when the id was not made by our codec (indexed by hash)

    # free-slot stack and the FIFO of terminal slots waiting out their retention
    cdef int32_t[::1] free_stack
    cdef int32_t free_top
    cdef readonly int32_t slots_used         # every slot ever taken is below this: the peak held at once
    cdef int32_t[::1] term_slot
    cdef uint32_t[::1] term_gen
    cdef int32_t term_head
    cdef int32_t term_count

    cdef ix_int_t ix_exch_int                # integer exchange id -> slot
    cdef ix_str_t ix_exch_str                # string exchange id -> slot
    cdef ix_str_t ix_client                  # adopted (foreign) client ids -> slot
    cdef bint ix_ready

    cdef int64_t warm_next_c(self) noexcept nogil
    cdef int32_t create_c(self, int32_t instrument, int side, int order_type, int tif, int64_t qty_raw,
                          int64_t price_raw, int64_t stop_price_raw, int64_t trailing_delta_raw,
                          int flags, int position_side, int64_t ts_ns) noexcept nogil
    cdef int32_t find_client_id_c(self, const char *p, Py_ssize_t n) noexcept nogil
    cdef int32_t find_exchange_int_c(self, int64_t exchange_id) noexcept nogil
    cdef int32_t find_exchange_str_c(self, const char *p, Py_ssize_t n) noexcept nogil
    cdef int set_exchange_int_c(self, int32_t slot, int64_t exchange_id) noexcept nogil
    cdef int set_exchange_str_c(self, int32_t slot, const char *p, Py_ssize_t n) noexcept nogil
    cdef int apply_c(self, int32_t slot, int exec_type, int new_state, int64_t last_qty_raw,
                     int64_t last_price_raw, int64_t cum_qty_raw, int64_t trade_id, int64_t fee_raw,
                     int32_t fee_asset_id, int64_t ts_ns) noexcept nogil
    cdef int amend_c(self, int32_t slot, int64_t qty_raw, int64_t price_raw, int64_t ts_ns) noexcept nogil
    cdef int reject_c(self, int32_t slot, int32_t reason_code, int64_t ts_ns) noexcept nogil
    cdef int release_c(self, int32_t slot) noexcept nogil
    cdef bint is_live_c(self, int32_t slot) noexcept nogil
    cdef void reclaim_c(self, int64_t now_ns, int max_slots) noexcept nogil
    cdef void on_terminal_c(self, int32_t slot, int64_t ts_ns) noexcept nogil
    cdef void unindex_c(self, int32_t slot) noexcept nogil
    cdef int _create_failed(self, int32_t slot, int32_t instrument, int side, int order_type, int tif,
                            int64_t qty_raw, int64_t price_raw, int64_t stop_price_raw,
                            int position_side) except -1


cdef inline bint is_terminal(int state) noexcept nogil:
    """An order that has ended: FILLED, CANCELLED, REJECTED, EXPIRED or NOT_PLACED."""
    return state == FILLED or state == CANCELLED or state == REJECTED or state == EXPIRED or state == NOT_PLACED
