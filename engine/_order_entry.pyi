from decimal import Decimal
from typing import Any, Awaitable

from engine._enums import Side, TimeInForce
from engine._order_spec import OrderSpec
from engine._order_view import Order
from engine._order_writer import OrderWriter

class OrderEntry:
    writer: OrderWriter
    places: int
    cancels: int
    def __init__(self, engine: Any, writer: OrderWriter) -> None: ...
    def place_limit(self, symbol: str, side: Side | str, qty: str | Decimal | int, price: str | Decimal | int,
                    tif: str | TimeInForce, post_only: bool, reduce_only: bool,
                    t_call: int) -> Awaitable[Order] | None: ...
    def place_market(self, symbol: str, side: Side | str, qty: str | Decimal | int, reduce_only: bool,
                     t_call: int) -> Awaitable[Order] | None: ...
    def cancel(self, order: Order | str) -> Awaitable[Order] | None: ...
    def submit(self, spec: OrderSpec, inst: int, t_call: int) -> bool: ...
