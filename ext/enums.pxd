# Order vocabulary shared by encoders, parsers, the order store and the OMS.
# User-visible, so cpdef: Python sees them as IntEnum classes of engine._enums.
# Values are stable: they are stored in numpy arrays and must never be renumbered.

cpdef enum Side:
    BUY = 1
    SELL = 2

cpdef enum OrderType:
    MARKET = 1
    LIMIT = 2
    LIMIT_MAKER = 3          # post-only limit (Binance LIMIT_MAKER, Bybit PostOnly, Gate poc)
    STOP_LOSS = 4            # stop market
    STOP_LOSS_LIMIT = 5
    TAKE_PROFIT = 6          # take-profit market
    TAKE_PROFIT_LIMIT = 7
    TRAILING_STOP = 8        # futures trailing stop (Binance TRAILING_STOP_MARKET)
    CONDITIONAL = 9          # Bybit conditional (triggerPrice) order
    JOIN_BID = 10            # rests at the venue's best bid, priced by the venue (TopstepX JoinBid)
    JOIN_ASK = 11            # rests at the venue's best ask, priced by the venue (TopstepX JoinAsk)

cpdef enum TimeInForce:
    TIF_NONE = 0             # market orders
    GTC = 1
    IOC = 2
    FOK = 3
    POST_ONLY = 4            # GTX on Binance futures, PostOnly on Bybit, poc on Gate

cpdef enum OrderState:
    PENDING = 1              # created locally, not yet sent or not yet answered
    NEW = 2                  # acknowledged by the venue, resting
    PARTIALLY_FILLED = 3
    FILLED = 4
    CANCELLED = 5
    REJECTED = 6
    EXPIRED = 7
    UNKNOWN = 8              # sent, answer lost: resolved later, never treated as rejected
    NOT_PLACED = 9           # was UNKNOWN; the venue confirmed after the request could no longer be
                             # accepted (timestamp + recvWindow passed) that it never had it

cpdef enum PositionSide:
    BOTH = 0                 # one-way mode
    LONG = 1
    SHORT = 2

cpdef enum ExecType:
    EXEC_NONE = 0
    EXEC_NEW = 1
    EXEC_TRADE = 2
    EXEC_CANCELED = 3
    EXEC_REJECTED = 4
    EXEC_EXPIRED = 5
    EXEC_AMENDMENT = 6       # price/quantity changed in place
    EXEC_REPLACED = 7
    EXEC_TRIGGERED = 8       # conditional order triggered
