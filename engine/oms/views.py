"""The Order a bot sees: a snapshot of a store slot with decimals and names."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import to_decimal

__all__ = ["Order", "Position", "make_order"]

_TERMINAL = {OrderState.FILLED, OrderState.CANCELLED, OrderState.REJECTED, OrderState.EXPIRED}


@dataclass(frozen=True, slots=True)
class Order:
    """An order as the engine knows it when this view was made (it does not update itself)."""

    client_order_id: str
    exchange_order_id: int | str | None
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    state: OrderState
    quantity: Decimal
    price: Decimal | None
    stop_price: Decimal | None
    filled: Decimal
    average_price: Decimal | None
    fee: Decimal
    fee_asset: str | None
    reduce_only: bool
    reject_code: int
    slot: int

    @property
    def is_open(self) -> bool:
        return self.state not in _TERMINAL

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled


@dataclass(frozen=True, slots=True)
class Position:
    symbol: str
    size: Decimal            # signed: long > 0
    entry_price: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    fees: Decimal
    leverage: int


_SIDE = {int(v): v for v in Side}
_TYPE = {int(v): v for v in OrderType}
_TIF = {int(v): v for v in TimeInForce}
_STATE = {int(v): v for v in OrderState}


def make_order(store, instruments, slot: int) -> Order:
    o = store.order(slot)
    avg = None
    if o.filled_raw:
        avg = to_decimal(o.cum_quote_raw * 100_000_000 // o.filled_raw)
    names = instruments.asset_names
    return Order(
        client_order_id=o.client_id, exchange_order_id=o.exchange_id, symbol=instruments.symbol(o.instrument),
        side=_SIDE[o.side], order_type=_TYPE[o.order_type], time_in_force=_TIF[o.tif],
        state=_STATE[o.state], quantity=to_decimal(o.qty_raw),
        price=to_decimal(o.price_raw) if o.price_raw else None,
        stop_price=to_decimal(o.stop_price_raw) if o.stop_price_raw else None,
        filled=to_decimal(o.filled_raw), average_price=avg, fee=to_decimal(o.fee_raw),
        fee_asset=names[o.fee_asset] if 0 <= o.fee_asset < len(names) else None,
        reduce_only=bool(o.reduce_only), reject_code=o.reject_code, slot=slot)
