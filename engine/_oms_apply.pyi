from enum import IntEnum

from engine._instruments import Instruments
from engine._order_store import OrderStore
from engine._parse_common import RecordParser
from engine._positions import PositionBook

class OrderEvent(IntEnum):
    EV_NONE = 0
    EV_ACCEPTED = 1
    EV_PARTIALLY_FILLED = 2
    EV_FILLED = 3
    EV_CANCELLED = 4
    EV_REJECTED = 5
    EV_EXPIRED = 6
    EV_AMENDED = 7
    EV_TRIGGERED = 8

class ApplyStatus(IntEnum):
    AP_APPLIED = 0
    AP_IGNORED = 1
    AP_FOREIGN = 2
    AP_REFUSED = 3
    AP_DEFERRED = 4
    AP_NOT_ORDER = 5
    AP_CONFLICT = 6

def exec_id_hash(exec_id: str | bytes) -> int: ...

class RecordApplier:
    slot: int
    status: int
    prev_state: int
    store_result: int
    event: int
    fill_qty_raw: int
    fill_price_raw: int
    n_applied: int
    n_ignored: int
    n_foreign: int
    n_refused: int
    n_position_errors: int
    n_conflicts: int
    n_resized: int
    n_short: int
    short: bool
    def __init__(self, store: OrderStore, instruments: Instruments, positions: PositionBook | None = ...) -> None: ...
    def refresh_assets(self) -> None: ...
    def apply(self, parser: RecordParser, ts_ns: int = ...) -> int: ...
    def counters(self) -> dict[str, int]: ...
