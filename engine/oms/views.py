"""The Order a bot sees: a snapshot of a store slot with decimals and names."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine._enums import TERMINAL_STATES, OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import to_decimal

__all__ = ["Order", "Position", "make_order"]

_TERMINAL = TERMINAL_STATES      # FILLED, CANCELLED, REJECTED, EXPIRED, NOT_PLACED


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
    (client_id, exchange_id, inst, side, order_type, tif, state, qty, price, stop, filled, cum_quote, fee,
     fee_asset, reduce_only, reject_code) = store.view_row(slot)
    names = instruments.asset_names
    return Order(
        client_order_id=client_id, exchange_order_id=exchange_id, symbol=instruments.symbol(inst),
        side=_SIDE[side], order_type=_TYPE[order_type], time_in_force=_TIF[tif], state=_STATE[state],
        quantity=to_decimal(qty), price=to_decimal(price) if price else None,
        stop_price=to_decimal(stop) if stop else None, filled=to_decimal(filled),
        average_price=to_decimal(cum_quote * 100_000_000 // filled) if filled else None, fee=to_decimal(fee),
        fee_asset=names[fee_asset] if 0 <= fee_asset < len(names) else None,
        reduce_only=reduce_only, reject_code=reject_code, slot=slot)
