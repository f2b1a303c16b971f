from engine._codec_buffer import WireBuffer
from engine._signer import RequestSigner

RESP_NONE: int
RESP_ACK: int
RESP_RESULT: int
RESP_FULL: int

class BinanceWsEncoder(WireBuffer):
    def __init__(self, signer: RequestSigner, api_key: bytes | str, *, capacity: int = ...) -> None: ...
    def frame(self) -> bytes: ...
    def order_place(
        self,
        request_id: int,
        symbol: bytes | str,
        side: int,
        order_type: int,
        tif: int,
        qty_raw: int,
        price_raw: int,
        stop_raw: int,
        client_id: bytes | str | None,
        resp_type: int,
        timestamp_ms: int,
        recv_window_ms: int = ...,
        signed: bool = ...,
    ) -> int: ...
    def order_cancel(
        self,
        request_id: int,
        symbol: bytes | str,
        order_id: int,
        client_id: bytes | str | None,
        timestamp_ms: int,
        recv_window_ms: int = ...,
        signed: bool = ...,
    ) -> int: ...
    def order_cancel_replace(
        self, request_id: int, symbol: bytes | str, side: int, order_type: int, tif: int, qty_raw: int,
        price_raw: int, stop_raw: int, old_client_id: bytes | str, client_id: bytes | str, timestamp_ms: int,
        recv_window_ms: int = ..., signed: bool = ...,
    ) -> int: ...
    def order_amend_keep_priority(
        self, request_id: int, symbol: bytes | str, client_id: bytes | str, qty_raw: int, timestamp_ms: int,
        recv_window_ms: int = ..., signed: bool = ...,
    ) -> int: ...
