from engine._codec_buffer import WireBuffer
from engine._signer import RequestSigner

ENDPOINTS: dict[int, tuple[bytes, bytes]]

class MexcOrderEncoder(WireBuffer):
    mixed: bool
    query_length: int
    endpoint: int
    def __init__(self, signer: RequestSigner, *, mixed: bool = ..., capacity: int = ...) -> None: ...
    @property
    def method(self) -> bytes: ...
    @property
    def path(self) -> bytes: ...
    def request(self) -> bytes: ...
    def query(self) -> bytes: ...
    def body(self) -> bytes: ...
    def new_order(
        self,
        symbol: bytes | str,
        side: int,
        order_type: int,
        tif: int,
        qty_raw: int,
        price_raw: int,
        client_id: bytes | str | None,
        timestamp_ms: int,
        recv_window_ms: int = ...,
        *,
        quote_qty_raw: int = ...,
    ) -> int: ...
    def cancel_order(
        self,
        symbol: bytes | str,
        order_id: bytes | str | None,
        client_id: bytes | str | None,
        timestamp_ms: int,
        recv_window_ms: int = ...,
    ) -> int: ...
    def new_order_request(
        self,
        symbol: bytes | str,
        side: int,
        order_type: int,
        tif: int,
        qty_raw: int,
        price_raw: int,
        client_id: bytes | str | None,
        timestamp_ms: int,
        recv_window_ms: int,
        quote_qty_raw: int,
    ) -> bytes: ...
    def cancel_request(
        self,
        symbol: bytes | str,
        order_id: bytes | str | None,
        client_id: bytes | str | None,
        timestamp_ms: int,
        recv_window_ms: int,
    ) -> bytes: ...

def repeat_new_order(
    enc: MexcOrderEncoder,
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
