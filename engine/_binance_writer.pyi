from typing import Any

from engine._order_writer import OrderWriter

REST: int
REST_ALGO: int
WS_API: int

class BinanceWriter(OrderWriter):
    def __init__(self, adapter: Any) -> None: ...
