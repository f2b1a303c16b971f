from engine._codec_buffer import WireBuffer

ENDPOINTS: dict[int, bytes]

class TopstepxOrderEncoder(WireBuffer):
    account_id: int
    endpoint: int
    def __init__(self, account_id: int, *, capacity: int = ...) -> None: ...
    @property
    def path(self) -> bytes: ...
    def body(self) -> bytes: ...
    def new_order(
        self,
        contract_id: bytes | str,
        side: int,
        order_type: int,
        qty_raw: int,
        price_raw: int = ...,
        stop_raw: int = ...,
        client_id: bytes | str | None = ...,
        *,
        trail_raw: int = ...,
        stop_ticks: int = ...,
        stop_type: int = ...,
        take_ticks: int = ...,
        take_type: int = ...,
    ) -> int: ...
    def cancel_order(self, order_id: int) -> int: ...
    def modify_order(
        self, order_id: int, qty_raw: int = ..., price_raw: int = ..., stop_raw: int = ..., trail_raw: int = ...
    ) -> int: ...
