from enum import IntEnum

from engine._codec_buffer import WireBuffer
from engine._order_spec import OrderSpec
from engine._signer import RequestSigner

class BinanceEndpoint(IntEnum):
    ENDPOINT_NONE = 0
    ENDPOINT_SPOT_ORDER = 1
    ENDPOINT_SPOT_CANCEL = 2
    ENDPOINT_FUTURES_ORDER = 3
    ENDPOINT_FUTURES_ALGO_ORDER = 4
    ENDPOINT_FUTURES_CANCEL = 5
    ENDPOINT_FUTURES_ALGO_CANCEL = 6
    ENDPOINT_FUTURES_MODIFY = 7
    ENDPOINT_SPOT_CANCEL_REPLACE = 8
    ENDPOINT_SPOT_AMEND_KEEP_PRIORITY = 9

ENDPOINTS: dict[int, tuple[bytes, bytes]]

class BinanceOrderEncoder(WireBuffer):
    futures: bool
    endpoint: int
    def __init__(self, signer: RequestSigner, *, futures: bool = ..., capacity: int = ...) -> None: ...
    @property
    def method(self) -> bytes: ...
    @property
    def path(self) -> bytes: ...
    def request(self) -> bytes: ...
    def new_order(
        self,
        symbol: bytes | str,
        side: int,
        order_type: int,
        tif: int,
        qty_raw: int,
        price_raw: int,
        stop_raw: int,
        client_id: bytes | str | None,
        timestamp_ms: int,
        recv_window_ms: int = ...,
        *,
        position_side: int = ...,
        reduce_only: bool = ...,
        callback_rate_raw: int = ...,
    ) -> int: ...
    def cancel_order(
        self,
        symbol: bytes | str,
        order_id: int,
        client_id: bytes | str | None,
        timestamp_ms: int,
        recv_window_ms: int = ...,
        *,
        algo: bool = ...,
    ) -> int: ...
    def modify_order(
        self,
        symbol: bytes | str,
        side: int,
        order_id: int,
        client_id: bytes | str | None,
        qty_raw: int,
        price_raw: int,
        timestamp_ms: int,
        recv_window_ms: int = ...,
    ) -> int: ...
    def cancel_replace(
        self, symbol: bytes | str, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
        stop_raw: int, old_client_id: bytes | str, client_id: bytes | str, timestamp_ms: int,
        recv_window_ms: int = ...,
    ) -> int: ...
    def new_order_request(
        self, symbol: bytes | str, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
        stop_raw: int, client_id: bytes | str | None, timestamp_ms: int, recv_window_ms: int,
        position_side: int, reduce_only: bool, callback_rate_raw: int,
    ) -> bytes: ...
    def cancel_request(
        self, symbol: bytes | str, order_id: int, client_id: bytes | str | None, timestamp_ms: int,
        recv_window_ms: int, algo: bool,
    ) -> bytes: ...
    def modify_request(
        self, symbol: bytes | str, side: int, order_id: int, client_id: bytes | str | None, qty_raw: int,
        price_raw: int, timestamp_ms: int, recv_window_ms: int,
    ) -> bytes: ...
    def spec_request(self, spec: OrderSpec, client_id: bytes, timestamp_ms: int, recv_window_ms: int) -> bytes: ...
    def amend_keep_priority(
        self, symbol: bytes | str, client_id: bytes | str, qty_raw: int, timestamp_ms: int, recv_window_ms: int = ...,
    ) -> int: ...
    def amend_keep_priority_request(
        self, symbol: bytes | str, client_id: bytes | str, qty_raw: int, timestamp_ms: int, recv_window_ms: int,
    ) -> bytes: ...
    def cancel_replace_request(
        self, symbol: bytes | str, side: int, order_type: int, tif: int, qty_raw: int, price_raw: int,
        stop_raw: int, old_client_id: bytes | str, client_id: bytes | str, timestamp_ms: int,
        recv_window_ms: int,
    ) -> bytes: ...

def repeat_new_order(
    enc: BinanceOrderEncoder,
    symbol: bytes,
    side: int,
    order_type: int,
    tif: int,
    qty_raw: int,
    price_raw: int,
    client_id: bytes,
    timestamp_ms: int,
    iterations: int,
) -> None: ...
