from engine._codec_buffer import WireBuffer
from engine._signer import RequestSigner

ENDPOINTS: dict[int, tuple[bytes, bytes]]
ACCOUNTS: tuple[bytes, ...]

class GateOrderEncoder(WireBuffer):
    api_key: bytes
    account: bytes
    target_length: int
    path_length: int
    timestamp: int
    endpoint: int
    signs: bool
    def __init__(
        self,
        signer: RequestSigner,
        api_key: bytes | str,
        *,
        account: bytes | str = ...,
        capacity: int = ...,
        signs: bool = ...,
    ) -> None: ...
    @property
    def signature(self) -> memoryview: ...
    @property
    def timestamp_header(self) -> bytes: ...
    @property
    def method(self) -> bytes: ...
    @property
    def target(self) -> bytes: ...
    @property
    def path(self) -> bytes: ...
    @property
    def query(self) -> bytes: ...
    def headers(self) -> dict[str, str]: ...
    def request(self) -> tuple[bytes, bytes, bytes, bytes]: ...
    def new_order(
        self,
        currency_pair: bytes | str,
        side: int,
        order_type: int,
        tif: int,
        qty_raw: int,
        price_raw: int,
        client_id: bytes | str | None,
        timestamp_s: int,
        *,
        quote_qty_raw: int = ...,
    ) -> int: ...
    def cancel_order(
        self,
        currency_pair: bytes | str,
        order_id: bytes | str | None,
        client_id: bytes | str | None,
        timestamp_s: int,
    ) -> int: ...
    def amend_order(
        self,
        currency_pair: bytes | str,
        order_id: bytes | str | None,
        client_id: bytes | str | None,
        qty_raw: int,
        price_raw: int,
        timestamp_s: int,
    ) -> int: ...
    def framed_request(self, exptime_ms: int) -> bytes: ...
    def new_order_request(
        self,
        currency_pair: bytes | str,
        side: int,
        order_type: int,
        tif: int,
        qty_raw: int,
        price_raw: int,
        client_id: bytes | str | None,
        ts_ms: int,
        recv_window_ms: int,
    ) -> bytes: ...
    def cancel_request(
        self,
        currency_pair: bytes | str,
        order_id: bytes | str | None,
        client_id: bytes | str | None,
        ts_ms: int,
        recv_window_ms: int,
    ) -> bytes: ...
    def ws_cancel_param(
        self, currency_pair: bytes | str, order_id: bytes | str | None, client_id: bytes | str | None
    ) -> int: ...
    def ws_amend_param(
        self,
        currency_pair: bytes | str,
        order_id: bytes | str | None,
        client_id: bytes | str | None,
        qty_raw: int,
        price_raw: int,
    ) -> int: ...
    def ws_frame(self, channel: bytes, req_id: bytes, ts_ms: int, exptime_ms: int) -> bytes: ...
    def sign_request(
        self,
        method: bytes | str,
        path: bytes | str,
        query: bytes | str | None,
        body: bytes | str | None,
        timestamp_s: int,
    ) -> int: ...

def repeat_new_order(
    enc: GateOrderEncoder,
    currency_pair: bytes,
    side: int,
    order_type: int,
    tif: int,
    qty_raw: int,
    price_raw: int,
    client_id: bytes,
    timestamp_s: int,
    iterations: int,
) -> None: ...
