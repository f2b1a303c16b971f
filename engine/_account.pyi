from enum import IntEnum

from engine._instruments import Instruments
from engine._positions import PositionBook

class AccountCheck(IntEnum):
    ACC_OK = 0
    ACC_UNKNOWN_INSTRUMENT = 1
    ACC_UNKNOWN_ASSET = 2
    ACC_INSUFFICIENT_BALANCE = 3
    ACC_INSUFFICIENT_MARGIN = 4
    ACC_REDUCE_ONLY_WOULD_INCREASE = 5
    ACC_NO_PRICE = 6
    ACC_OVERFLOW = 7
    ACC_BAD_VALUE = 8

class AccountError(ValueError): ...

class Account:
    instruments: Instruments
    positions: PositionBook
    n_assets: int
    arrays: dict
    order_margin_raw: int
    unrealized_raw: int
    position_margin_raw: int
    maint_margin_raw: int
    margin_asset: int
    margin_call_ratio_raw: int
    wallet_balance_raw: int
    margin_balance_raw: int
    available_balance_raw: int
    def __init__(self, instruments: Instruments, positions: PositionBook, n_assets: int = ...,
                 margin_asset: str | None = ..., margin_call_ratio: str = ...) -> None: ...
    def can_place_order(self, inst: int, side: int, qty_raw: int, price_raw: int = ..., reduce_only: bool = ...) -> int: ...
    def reserve(self, inst: int, side: int, qty_raw: int, price_raw: int) -> None: ...
    def release(self, inst: int, side: int, qty_raw: int, price_raw: int) -> None: ...
    def apply_balance(self, asset: int, free_raw: int, locked_raw: int) -> None: ...
    def apply_balance_delta(self, asset: int, delta_raw: int) -> None: ...
    def apply_futures_balance(self, asset: int, wallet_raw: int, cross_wallet_raw: int = ...) -> None: ...
    def refresh_margin(self) -> None: ...
    def balance(self, asset: int) -> tuple[int, int, int]: ...
    def margin_ratio_raw(self) -> int: ...
    def is_margin_call(self) -> bool: ...
