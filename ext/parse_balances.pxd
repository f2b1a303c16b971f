# Balance-event parser: Binance spot outboundAccountPosition (bare or WS-API wrapped),
# Binance USD-M ACCOUNT_UPDATE (balances only) and the Bybit V5 private `wallet` topic,
# read in place into one fixed-size BalanceEvent (no Python objects, no dicts).
#
# Units: *_raw are fixed-point int64 with 8 decimals (1.5 -> 150_000_000); ts_*_ms are
# venue milliseconds since the epoch (0 when the message did not carry them).  Asset
# names are UTF-8 bytes with a length (no NUL) in fixed arrays.
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t

from engine._account cimport Account
from engine._jsonscan cimport js_cur


cdef enum:
    BAL_MAX_ROWS = 64            # balance rows kept per message; more: parse returns -1 (BAL_OVERFLOW)
    BAL_ASSET_CAP = 16           # bytes of an asset name; longer: parse returns -1 (BAL_OVERFLOW)
    BAL_REASON_CAP = 32          # bytes of the USD-M reason a.m; longer: cut (BAL_TRUNCATED)


cpdef enum BalanceKind:
    BAL_NONE = 0                 # nothing parsed, not a balance event, or the last parse failed
    BAL_BINANCE_SPOT = 1         # outboundAccountPosition: first = free "f", second = locked "l"
    BAL_BINANCE_USDM = 2         # ACCOUNT_UPDATE a.B: first = wallet "wb", second = cross wallet "cw", third = change "bc"
    BAL_BYBIT_WALLET = 3         # wallet topic data[].coin[]: first = walletBalance, second = locked
    BAL_GATE_SPOT = 4            # Gate.io spot.balances result[] (engine._parse_gateio_balances): first = available,
                                 # second = freeze, third = total
    BAL_BYBIT_POSITION = 5       # Bybit position topic data[] (engine._parse_bybit_marks): asset = symbol,
                                 # first = markPrice


cpdef enum BalanceFlag:
    BAL_ROUNDED = 1              # a decimal had more than 8 decimals: rounded half-even
    BAL_OVERFLOW = 2             # more than BAL_MAX_ROWS rows or an asset over BAL_ASSET_CAP: parse returned -1
    BAL_TRUNCATED = 4            # the USD-M reason was cut to BAL_REASON_CAP
    BAL_NOT_UNIFIED = 8          # a Bybit data item whose accountType is not "UNIFIED" (or is missing)
    BAL_AVAILABLE_OVERFLOW = 16  # a Bybit coin's available balance does not fit int64 (ROW_AVAILABLE clear)


cpdef enum RowField:
    ROW_FIRST = 1                # first_raw was present (not absent, null or "")
    ROW_SECOND = 2               # second_raw likewise
    ROW_THIRD = 4                # third_raw likewise (USD-M "bc" only)
    ROW_AVAILABLE = 8            # available_raw was computed (Bybit wallet rows that fit int64)


cpdef enum AccountType:
    ACCT_NONE = 0                # Binance rows (no account type on the wire)
    ACCT_UNIFIED = 1             # Bybit accountType "UNIFIED"
    ACCT_OTHER = 2               # Bybit accountType anything else, null or missing (BAL_NOT_UNIFIED)


ctypedef struct BalanceRow:
    int64_t first_raw            # free / wallet balance / walletBalance (see BalanceKind); 0 when absent
    int64_t second_raw           # locked / cross wallet / locked; 0 when absent
    int64_t third_raw            # USD-M balance change bc; 0 when absent
    int64_t available_raw        # Bybit: walletBalance + unrealisedPnl - totalPositionIM - totalOrderIM - locked,
                                 # what is had rounded FLOOR, what is held CEILING (absent: 0); else 0
    uint8_t present              # RowField bits
    uint8_t account              # AccountType
    uint8_t asset_len
    char asset[BAL_ASSET_CAP]    # asset / coin name, UTF-8, escapes decoded


ctypedef struct BalanceEvent:
    int64_t ts_event_ms          # Binance E, Bybit creationTime
    int64_t ts_update_ms         # spot u (last account update), USD-M T (transaction time); Bybit: 0
    int count                    # rows read; BAL_MAX_ROWS + 1 while reading means over capacity (BAL_OVERFLOW)
    uint8_t kind                 # BalanceKind
    uint8_t flags                # BalanceFlag bits
    uint8_t reason_len
    char reason[BAL_REASON_CAP]  # USD-M a.m (ORDER, FUNDING_FEE, DEPOSIT, ...)
    BalanceRow rows[BAL_MAX_ROWS]


# a module's reader of one whole message into the event (JS_OK or a negative jsonscan status)
ctypedef int (*event_reader)(js_cur *c, BalanceEvent *ev) noexcept nogil


cdef class BalanceParser:
    cdef BalanceEvent ev                 # the last parse (kind BAL_NONE, count 0 after an error)
    cdef readonly Py_ssize_t error_offset  # byte offset of the last ParseError, -1 if none
    cdef readonly int64_t loop_reads       # messages the compiled stream loop read and applied in one call


    cdef int parse_c(self, const char *buf, Py_ssize_t size) except -2
    cdef int read_event(self, const char *buf, Py_ssize_t size, event_reader read) except -2
    cdef const BalanceEvent *event_c(self) noexcept
    cdef const BalanceRow *_row_at(self, Py_ssize_t i) except NULL
    cdef int apply_spot_c(self, Account account, list asset_names) except -2
    cdef int read_c(self, object payload, Account account, list asset_names, bint futures) except -2
    cdef int apply_futures_c(self, Account account, list asset_names) except -2


cdef inline BalanceRow *row_start(BalanceEvent *ev, BalanceRow *spill) noexcept nogil:
    """The event's next row, zeroed (``spill`` past capacity: a row read to validate, not kept)."""
    cdef BalanceRow *row = &ev.rows[ev.count] if ev.count < BAL_MAX_ROWS else spill
    row.first_raw = 0
    row.second_raw = 0
    row.third_raw = 0
    row.available_raw = 0
    row.present = 0
    row.account = ACCT_NONE
    row.asset_len = 0
    return row
