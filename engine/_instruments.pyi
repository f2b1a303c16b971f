from enum import IntEnum

class ContractType(IntEnum):
    SPOT = 1
    LINEAR_PERPETUAL = 2
    LINEAR_FUTURE = 3

class RuleViolation(IntEnum):
    RULE_OK = 0
    RULE_UNKNOWN_INSTRUMENT = 1
    RULE_NOT_TRADING = 2
    RULE_PRICE_BELOW_MIN = 3
    RULE_PRICE_ABOVE_MAX = 4
    RULE_PRICE_NOT_TICK = 5
    RULE_QTY_BELOW_MIN = 6
    RULE_QTY_ABOVE_MAX = 7
    RULE_QTY_NOT_STEP = 8
    RULE_NOTIONAL_BELOW_MIN = 9
    RULE_NOTIONAL_ABOVE_MAX = 10
    RULE_PRICE_OUTSIDE_BAND = 11
    RULE_OVERFLOW = 12
    RULE_BAD_VALUE = 13

class InstrumentRuleError(ValueError):
    code: int
    def __init__(self, message: str, code: int) -> None: ...

class UnknownInstrumentError(KeyError): ...

class Instruments:
    capacity: int
    count: int
    arrays: dict
    asset_ids: dict[str, int]
    asset_names: list[str]
    ids: dict[str, int]
    symbols: list[str]
    def __init__(self, capacity: int = ...) -> None: ...
    def asset_id(self, name: str) -> int: ...
    def add(self, symbol: str, base: str, quote: str, contract_type: int, trading: bool = ..., **rules) -> int: ...
    def id(self, symbol: str | bytes) -> int: ...
    def find(self, symbol: bytes) -> int: ...
    def symbol(self, inst: int) -> str: ...
    def rules(self, inst: int) -> dict: ...
    def check_order(self, inst: int, side: int, order_type: int, qty_raw: int, price_raw: int = ...,
                    ref_price_raw: int = ..., reduce_only: bool = ...) -> int: ...
    def validate(self, inst: int, side: int, order_type: int, qty_raw: int, price_raw: int = ...,
                 ref_price_raw: int = ..., reduce_only: bool = ...) -> None: ...
    def round_price(self, inst: int, price_raw: int, rounding: int = ...) -> int: ...
    def round_qty(self, inst: int, qty_raw: int, rounding: int = ..., market: bool = ...) -> int: ...
    def __len__(self) -> int: ...
