"""The vocabulary the core and its mixins share: the order-type sets, the venue-neutral
:class:`Reject`, the :class:`Event` published to stream listeners, and the millisecond clock.
"""

from __future__ import annotations

import time

__all__ = ["Reject", "Event", "now_ms", "CONDITIONAL_TYPES", "MARKET_LIKE"]

CONDITIONAL_TYPES = {
    "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT",     # Binance spot
    "STOP", "STOP_MARKET", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET",    # Binance USD-M algo
    "CONDITIONAL_MARKET", "CONDITIONAL_LIMIT",                              # Bybit triggerPrice orders
}
MARKET_LIKE = {"MARKET", "STOP_LOSS", "TAKE_PROFIT", "STOP_MARKET", "TAKE_PROFIT_MARKET",
               "TRAILING_STOP_MARKET", "CONDITIONAL_MARKET"}


class Reject(Exception):
    """An order the venue refuses; ``reason`` is venue-neutral, personalities map it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


class Event:
    __slots__ = ("kind", "market", "account", "order", "fill", "exec_type", "assets", "symbol", "ts", "algo",
                 "detail")

    def __init__(self, kind, market, account, *, order=None, fill=None, exec_type=None, assets=None,
                 symbol=None, ts=0, algo=None, detail=None) -> None:
        self.kind = kind          # "order" | "balance" | "position" | "algo" | "list"
        self.market = market
        self.account = account
        self.order = order
        self.fill = fill
        self.exec_type = exec_type
        self.assets = assets
        self.symbol = symbol
        self.ts = ts
        self.algo = algo
        self.detail = detail      # kind "list": the order list (engine.sim.binance.order_lists.OrderList)


def now_ms() -> int:
    return time.time_ns() // 1_000_000
