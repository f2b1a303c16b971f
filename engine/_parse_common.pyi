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
    ORDER_STATE = 7
    TRADE = 8
    ORDER_RECEIVED = 9
    ORDER_ACCEPTED = 10

class RecordFlag(IntEnum):
    ROUNDED = 1
    UNKNOWN_ENUM = 2
    TRUNCATED = 4
    MIXED_ASSETS = 8
    NO_AMEND = 32

def scan_skip(data: bytes) -> int: ...
def scan_string(data: bytes, cap: int = ...) -> bytes: ...
