from typing import Any

from engine._order_writer import OrderWriter

REST: int
WS_TRADE: int

class BybitWriter(OrderWriter):
    def __init__(self, adapter: Any) -> None: ...
