from engine._codec_buffer import WireBuffer
from engine._signer import RequestSigner

ENDPOINTS: dict[int, bytes]

class BybitOrderEncoder(WireBuffer):
    category: bytes
    endpoint: int
    def __init__(
        self, signer: RequestSigner, api_key: bytes | str, category: bytes | str = ..., *, capacity: int = ...
    ) -> None: ...
    @property
    def signature(self) -> memoryview: ...
    @property
    def path(self) -> bytes: ...
    def request(self) -> tuple[bytes, bytes]: ...
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
    ) -> int: ...
    def cancel_order(
        self,
        symbol: bytes | str,
        order_id: bytes | str | None,
        client_id: bytes | str | None,
        timestamp_ms: int,
        recv_window_ms: int = ...,
    ) -> int: ...
    def amend_order(
        self,
        symbol: bytes | str,
        order_id: bytes | str | None,
        client_id: bytes | str | None,
        qty_raw: int,
        price_raw: int,
        timestamp_ms: int,
        recv_window_ms: int = ...,
    ) -> int: ...
