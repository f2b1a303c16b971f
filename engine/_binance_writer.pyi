from asyncio import Future
from typing import Any

from engine._order_spec import OrderSpec

from engine._order_writer import OrderWriter

REST: int
REST_ALGO: int
WS_API: int

def cancel_replace_legs(body: bytes, client_id: bytes | None = ..., wrapped: bool = ...) -> tuple[bytes, bytes]: ...

def amended_order(body: bytes, client_id: bytes | None = ..., wrapped: bool = ...) -> bytes: ...

class BinanceWriter(OrderWriter):
    def __init__(self, adapter: Any) -> None: ...
    def read_amended(self, kind: int, cid: bytes, raw: Any) -> Any: ...
    def ws_write(self, spec: OrderSpec, cid: bytes) -> Future[bytes] | None: ...
    def ws_read(self, cid: bytes | None, raw: bytes) -> Any: ...
