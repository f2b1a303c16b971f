from enum import IntEnum

class Side(IntEnum):
    BUY = 1
    SELL = 2

class OrderType(IntEnum):
    MARKET = 1
    LIMIT = 2
    LIMIT_MAKER = 3
    STOP_LOSS = 4
    STOP_LOSS_LIMIT = 5
    TAKE_PROFIT = 6
    TAKE_PROFIT_LIMIT = 7
    TRAILING_STOP = 8
    CONDITIONAL = 9
    JOIN_BID = 10
    JOIN_ASK = 11

class TimeInForce(IntEnum):
    TIF_NONE = 0
    GTC = 1
    IOC = 2
    FOK = 3
    POST_ONLY = 4

class OrderState(IntEnum):
    PENDING = 1
    NEW = 2
    PARTIALLY_FILLED = 3
    FILLED = 4
    CANCELLED = 5
    REJECTED = 6
    EXPIRED = 7
    UNKNOWN = 8
    NOT_PLACED = 9

class PositionSide(IntEnum):
    BOTH = 0
    LONG = 1
    SHORT = 2

class ExecType(IntEnum):
    EXEC_NONE = 0
    EXEC_NEW = 1
    EXEC_TRADE = 2
    EXEC_CANCELED = 3
    EXEC_REJECTED = 4
    EXEC_EXPIRED = 5
    EXEC_AMENDMENT = 6
    EXEC_REPLACED = 7
    EXEC_TRIGGERED = 8

TERMINAL_STATES: frozenset[OrderState]
