from enum import IntEnum

def venue_client_id_rule(venue: str) -> tuple[str, int, str]: ...

class UpdateResult(IntEnum):
    APPLIED = 0
    DUPLICATE = 1
    STALE = 2
    ILLEGAL = 3
    UNKNOWN_ORDER = 4
    OVERFLOW = 5
    OVERFILL = 6
    BAD_VALUE = 7

class OrderStoreError(Exception): ...
class CapacityError(OrderStoreError): ...

def transition_allowed(from_state: int, to_state: int) -> bool: ...
def make_session_prefix(seconds: int | None = ..., pid: int | None = ..., random_bits: int | None = ...) -> str: ...

class ClientIdCodec:
    venue: str
    max_length: int
    head_length: int
    id_length: int
    def __init__(self, venue: str = ..., tag: str = ..., session: str | None = ...) -> None: ...
    @property
    def prefix(self) -> str: ...
    def format(self, slot: int, gen: int) -> str: ...
    def decode(self, text: str | bytes) -> tuple[int, int] | None: ...

class Order:
    slot: int
    generation: int
    client_id: str
    exchange_id: int | str | None
    instrument: int
    side: int
    order_type: int
    tif: int
    state: int
    qty_raw: int
    price_raw: int
    stop_price_raw: int
    trailing_delta_raw: int
    reduce_only: bool
    close_on_trigger: bool
    position_side: int
    filled_raw: int
    cum_quote_raw: int
    avg_price_raw: int
    fee_raw: int
    fee_asset: int
    fee2_raw: int
    fee2_asset: int
    ts_created: int
    ts_acked: int
    ts_updated: int
    reject_code: int

class OrderStore:
    capacity: int
    retention_ns: int
    ack_timeout_ns: int
    codec: ClientIdCodec
    live: int
    slots_used: int
    n_duplicates: int
    n_stale: int
    n_illegal: int
    n_overflows: int
    n_unknown: int
    n_gaps: int
    n_late_fills: int
    n_unexpected_fills: int
    n_capacity_rejects: int
    n_fee_assets_dropped: int
    arrays: dict
    def __init__(self, capacity: int = ..., venue: str = ..., tag: str = ..., retention_ns: int = ...,
                 ack_timeout_ns: int = ..., session: str | None = ...) -> None: ...
    def create(self, instrument: int, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int = ...,
               stop_price_raw: int = ..., trailing_delta_raw: int = ..., reduce_only: bool = ...,
               close_on_trigger: bool = ..., position_side: int = ..., ts_ns: int = ...) -> int: ...
    def create_limit(self, instrument: int, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
                     ts_ns: int = ...) -> int: ...
    def release(self, slot: int) -> None: ...
    def client_id(self, slot: int) -> str: ...
    def client_id_bytes(self, slot: int) -> bytes: ...
    def find_client_id(self, text: str | bytes) -> int: ...
    def set_exchange_id(self, slot: int, exchange_id: int | str | bytes) -> int: ...
    def find_exchange_id(self, exchange_id: int | str | bytes) -> int: ...
    def apply(self, slot: int, exec_type: int, new_state: int, last_qty_raw: int, last_price_raw: int,
              cum_qty_raw: int, trade_id: int, fee_raw: int, fee_asset_id: int, ts_ns: int) -> int: ...
    def amend(self, slot: int, qty_raw: int = ..., price_raw: int = ..., ts_ns: int = ...) -> int: ...
    def reject(self, slot: int, reason_code: int, ts_ns: int = ...) -> int: ...
    def mark_unknown(self, slot: int, ts_ns: int = ...) -> int: ...
    def state_of(self, slot: int) -> int: ...
    def stale(self, now_ns: int) -> list[int]: ...
    def warm_next(self) -> int: ...
    def reclaim(self, now_ns: int) -> int: ...
    def adopt(self, client_id: str | bytes, instrument: int, side: int, order_type: int, tif: int, qty_raw: int,
              price_raw: int = ..., ts_ns: int = ...) -> int: ...
    def order(self, slot: int) -> Order: ...
    def counters(self) -> dict[str, int]: ...
