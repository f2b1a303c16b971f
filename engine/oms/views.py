"""What a bot sees: snapshots with decimals and names (an Order of the store, a Position of the book), and
the records live queries answer with (:class:`Trade`, :class:`Balance`, :class:`PositionSnapshot`,
:class:`Withdrawal`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine._enums import TERMINAL_STATES, OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import to_decimal
from engine.venues.wallet import FINAL_WITHDRAWAL_STATES, WithdrawalStatus

__all__ = ["Order", "Position", "Trade", "Balance", "PositionSnapshot", "Withdrawal", "make_order", "venue_order_view"]

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


@dataclass(frozen=True, slots=True)
class Trade:
    """One execution of the account, as the venue lists it (``Engine.fetch_trades``)."""

    symbol: str
    trade_id: str
    exchange_order_id: int | str | None
    client_order_id: str | None      # None when the venue's trade list does not carry it
    side: Side
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str | None
    is_maker: bool | None            # None when the venue does not say
    time_ms: int                     # venue time of the execution (ms since the epoch)


@dataclass(frozen=True, slots=True)
class Balance:
    """One asset of the account as the venue reports it (``Engine.fetch_balances``).

    Spot: ``free`` and ``locked`` (in open orders).  Derivatives accounts: ``free`` is the
    available margin and ``total`` the wallet balance (``locked`` what margin holds).
    """

    asset: str
    free: Decimal
    locked: Decimal

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


@dataclass(frozen=True, slots=True)
class PositionSnapshot:
    """A position as the venue reports it (``Engine.fetch_positions``)."""

    symbol: str
    size: Decimal                    # signed: long > 0
    entry_price: Decimal
    mark_price: Decimal | None
    leverage: int | None


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A withdrawal as the engine knows it when this view was made (``Engine.withdraw``, ``withdrawal_status``).

    ``address`` is shortened (its first 6 and last 4 characters): views are printed and logged.
    ``withdrawal_id`` is None until the venue has named it (an answer lost); ``fee`` None when
    neither the venue's record nor its coin configuration gave it; ``reason`` the venue's (or the
    engine's) words on a failure.
    """

    withdrawal_id: str | None
    client_id: str
    status: WithdrawalStatus
    asset: str
    amount: Decimal
    fee: Decimal | None
    network: str
    address: str
    tx_id: str = ""
    time_ms: int = 0
    reason: str = ""

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_WITHDRAWAL_STATES


_SIDE = {int(v): v for v in Side}
_TYPE = {int(v): v for v in OrderType}
_TIF = {int(v): v for v in TimeInForce}
_STATE = {int(v): v for v in OrderState}


_ZERO = to_decimal(0)      # Decimals are immutable: the views of unfilled, fee-less orders share this one


def make_order(store, instruments, slot: int) -> Order:
    (client_id, exchange_id, inst, side, order_type, tif, state, qty, price, stop, filled, cum_quote, fee,
     fee_asset, reduce_only, reject_code) = store.view_row(slot)
    names = instruments.asset_names
    return Order(
        client_id, exchange_id, instruments.symbol(inst), _SIDE[side], _TYPE[order_type], _TIF[tif], _STATE[state],
        to_decimal(qty), to_decimal(price) if price else None, to_decimal(stop) if stop else None,
        to_decimal(filled) if filled else _ZERO,
        to_decimal(cum_quote * 100_000_000 // filled) if filled else None, to_decimal(fee) if fee else _ZERO,
        names[fee_asset] if 0 <= fee_asset < len(names) else None, reduce_only, reject_code, slot)


def venue_order_view(vo, slot: int = -1) -> Order:
    """An Order from the venue's own report of it (a live query): the venue's state and fills; its fees are
    not in an order report (``Engine.fetch_trades`` has them), so ``fee`` is 0 and ``fee_asset`` None."""
    return Order(
        client_order_id=vo.client_id, exchange_order_id=vo.exchange_id, symbol=vo.symbol,
        side=_SIDE.get(vo.side, Side.BUY), order_type=_TYPE.get(vo.order_type, OrderType.LIMIT),
        time_in_force=_TIF.get(vo.tif, TimeInForce.TIF_NONE), state=_STATE.get(vo.state, OrderState.UNKNOWN),
        quantity=to_decimal(vo.qty_raw), price=to_decimal(vo.price_raw) if vo.price_raw else None,
        stop_price=to_decimal(vo.stop_raw) if vo.stop_raw else None, filled=to_decimal(vo.filled_raw),
        average_price=to_decimal(vo.avg_price_raw) if vo.filled_raw and vo.avg_price_raw else None,
        fee=Decimal(0), fee_asset=None, reduce_only=vo.reduce_only, reject_code=0, slot=slot)
