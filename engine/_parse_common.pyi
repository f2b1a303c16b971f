from enum import IntEnum
from typing import Any

class ParseError(ValueError):
    status: int
    offset: int
    def __init__(self, message: str, status: int = ..., offset: int = ...) -> None: ...

class RecordParser:
    error_offset: int
    @property
    def kind(self) -> int: ...
    @property
    def exec_type(self) -> int: ...
    @property
    def order_state(self) -> int: ...
    @property
    def order_id(self) -> int: ...
    @property
    def linked_order_id(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def next_record(self) -> bool: ...
    def names_client(self, client_id: bytes) -> bool: ...

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
    TSX_ORDER = 10
    TSX_TRADE = 11
    TSX_ORDER_ACK = 12
    GATE_ORDER = 13
    GATE_TRADE = 14
    GATE_ORDER_ACK = 15
    MEXC_ORDER = 16
    MEXC_DEAL = 17
    MEXC_ACK = 18

class RecordFlag(IntEnum):
    ROUNDED = 1
    UNKNOWN_ENUM = 2
    TRUNCATED = 4
    MIXED_ASSETS = 8

def scan_skip(data: bytes) -> int: ...
def scan_string(data: bytes, cap: int = ...) -> bytes: ...
