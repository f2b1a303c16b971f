from enum import IntEnum
from engine._account import Account

MAX_ROWS: int
ASSET_CAP: int
REASON_CAP: int

class BalanceKind(IntEnum):
    BAL_NONE = 0
    BAL_BINANCE_SPOT = 1
    BAL_BINANCE_USDM = 2
    BAL_BYBIT_WALLET = 3
    BAL_GATE_SPOT = 4
    BAL_BYBIT_POSITION = 5

class BalanceFlag(IntEnum):
    BAL_ROUNDED = 1
    BAL_OVERFLOW = 2
    BAL_TRUNCATED = 4
    BAL_NOT_UNIFIED = 8
    BAL_AVAILABLE_OVERFLOW = 16

class RowField(IntEnum):
    ROW_FIRST = 1
    ROW_SECOND = 2
    ROW_THIRD = 4
    ROW_AVAILABLE = 8

class AccountType(IntEnum):
    ACCT_NONE = 0
    ACCT_UNIFIED = 1
    ACCT_OTHER = 2

class BalanceParser:
    error_offset: int
    loop_reads: int
    def __init__(self) -> None: ...
    def parse(self, data: bytes | bytearray | memoryview, /) -> int: ...
    @property
    def kind(self) -> int: ...
    @property
    def count(self) -> int: ...
    @property
    def flags(self) -> int: ...
    @property
    def ts_event_ms(self) -> int: ...
    @property
    def ts_update_ms(self) -> int: ...
    @property
    def reason(self) -> str: ...
    def asset(self, i: int, /) -> str: ...
    def first_raw(self, i: int, /) -> int: ...
    def second_raw(self, i: int, /) -> int: ...
    def third_raw(self, i: int, /) -> int: ...
    def available_raw(self, i: int, /) -> int | None: ...
    def apply_futures(self, account: Account, asset_names: list[str]) -> int: ...
    def present(self, i: int, /) -> int: ...
    def account_type(self, i: int, /) -> int: ...
    def rows(self) -> list[tuple[str, int | None, int | None, int | None]]: ...
