# The record a hot-message parser fills and the order store / OMS applies.
# Declaration-only: cimporting it costs no import at run time.
#
# Units: every *_raw field is fixed-point int64 with 8 decimals (1.5 -> 150_000_000);
# ts_*_ms are venue milliseconds since the epoch; text fields are bytes with a
# length (no NUL terminator) in fixed arrays, so a record never owns Python objects.
# A field is meaningful only when its FieldBit is set in `present`.
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.stdint cimport uint16_t
from libc.stdint cimport uint32_t
from libc.stdint cimport uint64_t
from libc.string cimport memcmp


cdef enum:
    EXEC_SYMBOL_CAP = 32         # bytes kept for a symbol
    EXEC_ID_CAP = 64             # client order ids (venues allow 36)
    EXEC_VENUE_ID_CAP = 48       # string order / execution ids (Bybit UUIDs are 36)
    EXEC_ASSET_CAP = 16          # commission asset
    EXEC_REASON_CAP = 64         # reject reason (truncated, REC_TRUNCATED, when longer)
    EXEC_MSG_CAP = 128           # venue error message (truncated likewise)


cdef enum MsgKind:
    MSG_NONE = 0                 # nothing parsed yet
    MSG_OTHER = 1                # well-formed, but not an order message (balances, acks of subscribe, ...)
    MSG_EXECUTION_REPORT = 2     # Binance spot executionReport
    MSG_ORDER_TRADE_UPDATE = 3   # Binance USD-M ORDER_TRADE_UPDATE
    MSG_ALGO_UPDATE = 4          # Binance USD-M ALGO_UPDATE
    MSG_ORDER_RESPONSE = 5       # Binance order REST / WS-API result (ACK, RESULT, FULL, cancel)
    MSG_ERROR = 6                # Binance {code,msg} or Bybit retCode != 0: error_code / error_msg
    # the kinds below are venue-neutral: every venue's parser states what its record says with
    # them, so a new venue adds none (nor a line to the applier)
    MSG_ORDER_STATE = 7          # an order's state only (new, amended, cancelled, expired, rejected, or a
                                 # fill count the venue also reports as trades): Bybit `order`, TopstepX
                                 # GatewayUserOrder, Gate.io spot.orders and order answers
    MSG_TRADE = 8                # one fill told apart by its trade id (exec_id text, else the integer
                                 # trade_id): Bybit `execution`, TopstepX GatewayUserTrade, Gate.io
                                 # spot.usertrades
    MSG_ORDER_RECEIVED = 9       # an answer saying only that the venue received the order (its state
                                 # comes on the stream): Bybit REST / WS-trade success, Gate.io ACK answers
    MSG_ORDER_ACCEPTED = 10      # an answer saying the venue took the order (NEW): TopstepX Order/place


cdef enum Category:
    CAT_NONE = 0
    CAT_SPOT = 1
    CAT_LINEAR = 2
    CAT_INVERSE = 3
    CAT_OPTION = 4


cdef enum RecordFlag:
    REC_ROUNDED = 1              # a decimal had more than 8 decimals: rounded half-even
    REC_UNKNOWN_ENUM = 2         # an enum string outside our tables: that field left 0
    REC_TRUNCATED = 4            # reject reason or error message cut to its buffer
    REC_MIXED_ASSETS = 8         # FULL fills paid commission in several assets: commission_raw mixes them
    REC_NOT_TRIGGERED = 16       # ended before its trigger (Bybit "Deactivated"): a cancel, never an expiry
    REC_NO_AMEND = 32            # the venue never amends in place (MEXC): a NEW state with another quantity
                                 # or price than the store's is not an amendment


cdef enum FieldBit:
    F_EVENT_TIME = 0             # ts_event_ms
    F_TRANSACT_TIME = 1          # ts_transact_ms
    F_SYMBOL = 2
    F_CLIENT_ID = 3
    F_ORIG_CLIENT_ID = 4
    F_ORDER_ID = 5               # order_id (integer ids: Binance)
    F_VENUE_ORDER_ID = 6         # venue_order_id (string ids: Bybit)
    F_SIDE = 7
    F_ORDER_TYPE = 8
    F_TIME_IN_FORCE = 9
    F_EXEC_TYPE = 10
    F_ORDER_STATE = 11
    F_QTY = 12
    F_PRICE = 13
    F_STOP_PRICE = 14
    F_LAST_QTY = 15
    F_LAST_PRICE = 16
    F_CUM_QTY = 17
    F_CUM_QUOTE = 18
    F_AVG_PRICE = 19
    F_LEAVES_QTY = 20
    F_COMMISSION = 21
    F_COMMISSION_ASSET = 22
    F_TRADE_ID = 23
    F_EXEC_ID = 24               # exec_id (string execution ids: Bybit)
    F_REJECT_REASON = 25
    F_REDUCE_ONLY = 26
    F_POSITION_SIDE = 27
    F_REALIZED_PNL = 28
    F_FILLS = 29                 # fill_count (Binance FULL response)
    F_ERROR_CODE = 30
    F_ERROR_MSG = 31
    F_CATEGORY = 32
    F_IS_MAKER = 33
    F_LAST_QUOTE = 34            # quote value of the last fill (Binance Y, Bybit execValue)
    F_LINKED_ORDER_ID = 35       # Binance ALGO_UPDATE `ai`: the order the algo order became
    F_FIELD_COUNT = 36


ctypedef struct ExecRecord:
    uint32_t kind                # MsgKind
    uint32_t flags               # RecordFlag bits
    uint64_t present             # 1 << FieldBit for each field the message carried
    int64_t ts_event_ms          # event time (Binance E, Bybit creationTime)
    int64_t ts_transact_ms       # transaction / trade / update time (Binance T, Bybit execTime/updatedTime)
    int64_t order_id             # Binance orderId (ALGO_UPDATE: algoId)
    int64_t linked_order_id      # ALGO_UPDATE: id of the order created on trigger
    int64_t trade_id             # Binance trade id (-1 on the wire when no trade)
    int64_t qty_raw              # order quantity
    int64_t price_raw            # limit price
    int64_t stop_price_raw       # stop / trigger price
    int64_t last_qty_raw         # qty of this fill (FULL response: sum over fills)
    int64_t last_price_raw       # price of this fill (FULL response: the last fill's)
    int64_t last_quote_raw       # quote value of this fill
    int64_t cum_qty_raw          # cumulative filled qty
    int64_t cum_quote_raw        # cumulative quote qty
    int64_t avg_price_raw        # average fill price, when the venue sends one
    int64_t leaves_qty_raw       # open qty left (Bybit)
    int64_t commission_raw       # commission of this fill (FULL: sum; Bybit order: cumExecFee)
    int64_t realized_pnl_raw     # realized PnL (futures rp, Bybit closedPnl / execPnl)
    int32_t fill_count           # FULL response: number of fills
    int32_t error_code           # Binance code / Bybit retCode
    uint8_t side                 # engine._enums.Side (0 unknown)
    uint8_t order_type           # engine._enums.OrderType
    uint8_t time_in_force        # engine._enums.TimeInForce
    uint8_t exec_type            # engine._enums.ExecType
    uint8_t order_state          # engine._enums.OrderState
    uint8_t position_side        # engine._enums.PositionSide
    uint8_t reduce_only          # 0 / 1
    uint8_t is_maker             # 0 / 1
    uint8_t category             # Category (Bybit)
    uint8_t symbol_len
    uint8_t client_id_len
    uint8_t orig_client_id_len
    uint8_t venue_order_id_len
    uint8_t exec_id_len
    uint8_t commission_asset_len
    uint8_t reject_reason_len
    uint16_t error_msg_len
    char symbol[EXEC_SYMBOL_CAP]
    char client_id[EXEC_ID_CAP]              # Binance c / caid, Bybit orderLinkId
    char orig_client_id[EXEC_ID_CAP]         # Binance C / origClientOrderId (cancels)
    char venue_order_id[EXEC_VENUE_ID_CAP]   # Bybit orderId (UUID text)
    char exec_id[EXEC_VENUE_ID_CAP]          # Bybit execId
    char commission_asset[EXEC_ASSET_CAP]
    char reject_reason[EXEC_REASON_CAP]
    char error_msg[EXEC_MSG_CAP]


cdef inline bint record_has(const ExecRecord *r, int bit) noexcept nogil:
    """Whether the message carried field `bit` (a FieldBit)."""
    return (r.present >> bit) & 1


cdef inline bint record_names_client(const ExecRecord *r, const char *p, Py_ssize_t n) noexcept nogil:
    """Whether the record names client order id p[0:n] (its client id, or the original one of a cancel)."""
    if n <= 0 or n > EXEC_ID_CAP:
        return False
    if (record_has(r, F_ORIG_CLIENT_ID) and r.orig_client_id_len == n
            and memcmp(r.orig_client_id, p, <size_t>n) == 0):
        return True
    return record_has(r, F_CLIENT_ID) and r.client_id_len == n and memcmp(r.client_id, p, <size_t>n) == 0
