from decimal import Decimal
from typing import Any

from engine._enums import OrderState, OrderType, Side, TimeInForce

class Order:
    client_order_id: str
    exchange_order_id: int | str | None
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    state: OrderState
    fee_asset: str | None
    reduce_only: bool
    reject_code: int
    slot: int
    @property
    def quantity(self) -> Decimal: ...
    @property
    def price(self) -> Decimal | None: ...
    @property
    def stop_price(self) -> Decimal | None: ...
    @property
    def filled(self) -> Decimal: ...
    @property
    def average_price(self) -> Decimal | None: ...
    @property
    def fee(self) -> Decimal: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def remaining(self) -> Decimal: ...

def order_view(store: Any, instruments: Any, slot: int) -> Order: ...
def order_of_raws(client_id: str, exchange_id: int | str | None, symbol: str, side: int, order_type: int, tif: int,
                  state: int, qty_raw: int, price_raw: int, stop_raw: int, filled_raw: int, cum_quote_raw: int,
                  fee_raw: int, fee_asset: str | None, reduce_only: bool, reject_code: int, slot: int,
                  avg_price_raw: int = -1) -> Order: ...
