"""What a bot sees: snapshots with decimals and names (an Order of the store, a Position of the book), and
the records live queries answer with (:class:`Trade`, :class:`Balance`, :class:`PositionSnapshot`,
:class:`Withdrawal`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._order_view import Order, order_of_raws, order_view
from engine.venues.wallet import FINAL_WITHDRAWAL_STATES, WithdrawalStatus

__all__ = ["Order", "Position", "Trade", "Balance", "PositionSnapshot", "Withdrawal", "order_view", "venue_order_view"]


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


def _known(value, enum, default) -> int:
    """``value`` when ``enum`` has it, else ``default`` (a venue's report may carry what we have no name for)."""
    return value if value in enum._value2member_map_ else default


def venue_order_view(vo, slot: int = -1) -> Order:
    """An Order from the venue's own report of it (a live query): the venue's state and fills; its fees are
    not in an order report (``Engine.fetch_trades`` has them), so ``fee`` is 0 and ``fee_asset`` None."""
    return order_of_raws(vo.client_id, vo.exchange_id, vo.symbol, _known(vo.side, Side, Side.BUY),
                         _known(vo.order_type, OrderType, OrderType.LIMIT),
                         _known(vo.tif, TimeInForce, TimeInForce.TIF_NONE), _known(vo.state, OrderState, OrderState.UNKNOWN),
                         vo.qty_raw, vo.price_raw, vo.stop_raw, vo.filled_raw, 0, 0, None, vo.reduce_only, 0, slot,
                         vo.avg_price_raw or 0)
