from enum import IntEnum

class ParseError(ValueError):
    status: int
    offset: int
    def __init__(self, message: str, status: int = ..., offset: int = ...) -> None: ...

class MessageKind(IntEnum):
    NONE = 0
    OTHER = 1
    EXECUTION_REPORT = 2
    ORDER_TRADE_UPDATE = 3
    ALGO_UPDATE = 4
    ORDER_RESPONSE = 5
    ERROR = 6
    BYBIT_ORDER = 7
    BYBIT_EXECUTION = 8
    BYBIT_ORDER_ACK = 9

class RecordFlag(IntEnum):
    ROUNDED = 1
    UNKNOWN_ENUM = 2
    TRUNCATED = 4
    MIXED_ASSETS = 8

def scan_skip(data: bytes) -> int: ...
def scan_string(data: bytes, cap: int = ...) -> bytes: ...
