"""Bybit V5 JSON into the venue-neutral records of :mod:`engine.venues.base` (cold path).

- :func:`venue_order`: ``/v5/order/realtime`` rows as :class:`VenueOrder`.
- :func:`fills`: ``/v5/execution/list`` rows as :class:`Fill` (the stream's execution rows
  carry no cumulative quantity, so reconciliation applies missing fills by ``execId``).
- :func:`foreign_order`: an ``order``/``execution`` row of an order the engine did not
  place.  Exits the venue attached to an entry of ours (``stopOrderType`` a TP/SL kind,
  ``parentOrderLinkId`` the entry, no ``orderLinkId``) are described as origin ``exit``
  with their role and the entry, queried and cancelled through the native-bracket object
  (their ``leg``); any other is adopted under its ``orderLinkId``, or its ``orderId`` when
  it has none (Bybit client ids are unique for good).  Origins from ``createType``:
  CreateByLiq / CreateByAdl / CreateBySettle (the first two unconfirmed: the enum page
  lists CreateBySettle and says "+ liquidation/ADL types" without naming them), else
  ``external``.
- :func:`coin_available`: what a unified-account coin leaves available: its equity
  (``walletBalance`` + ``unrealisedPnl``) less ``totalPositionIM`` and ``totalOrderIM``
  (the linear margin coin), less ``locked`` (spot orders).
- :class:`AccountMessages`: the ``wallet`` topic and ``position`` marks.  The wallet is read by
  the compiled balance parser: walletBalance and locked (a spot account), and the available
  balance :func:`coin_available` gives (a linear account: the parser reads the coin's margin
  fields with the same rounding), applied to the compiled account in one call when the sink
  takes it (``spot_parsed`` / ``futures_parsed``); the ``position`` topic's mark prices by the
  compiled mark parser; messages over either parser's capacity by json.
"""

from __future__ import annotations

import json
import logging

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding
from engine._fixedpoint import parse as fp_parse
from engine._parse_balances import BalanceFlag, BalanceKind, BalanceParser, RowField
from engine._parse_bybit_marks import BybitMarkParser
from engine._parse_common import ParseError
from engine.venues.base import AccountSink, Fill, ForeignOrder, VenueOrder, VenueTrade

__all__ = ["STATES", "EXIT_ROLES", "venue_order", "fills", "foreign_order", "exit_or_external", "coin_available",
           "AccountMessages"]

log = logging.getLogger("engine.venues.bybit.decode")

STATES = {"New": OrderState.NEW, "PartiallyFilled": OrderState.PARTIALLY_FILLED, "Untriggered": OrderState.NEW,
          "Triggered": OrderState.NEW, "Filled": OrderState.FILLED, "Cancelled": OrderState.CANCELLED,
          "PartiallyFilledCanceled": OrderState.CANCELLED, "Deactivated": OrderState.CANCELLED,
          "Rejected": OrderState.REJECTED}
TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK, "PostOnly": TimeInForce.POST_ONLY}
# stopOrderType of a venue-created exit -> its role in the bracket
EXIT_ROLES = {"PartialTakeProfit": "take", "TakeProfit": "take", "PartialStopLoss": "stop", "StopLoss": "stop"}
ORIGINS = {"CreateByLiq": "liquidation", "CreateByAdl": "adl", "CreateByAdlTrade": "adl",
           "CreateBySettle": "settlement", "CreateByDelivery": "settlement"}
_WALLET = int(BalanceKind.BAL_BYBIT_WALLET)
_AVAILABLE_OVERFLOW = int(BalanceFlag.BAL_AVAILABLE_OVERFLOW)
_MARK = int(RowField.ROW_FIRST)
_POSITION_TOPIC = b'"topic":"position'
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


def order_state(d: dict) -> int:
    """The order's state; an IOC/FOK order the venue ended ("Cancelled") is EXPIRED, as the stream parser
    reads it (``_venue_expiry`` in ext/parse_bybit.pyx)."""
    status = d.get("orderStatus", "")
    state = STATES.get(status, OrderState.UNKNOWN)
    if (state == OrderState.CANCELLED and status != "Deactivated" and d.get("timeInForce") in ("IOC", "FOK")
            and _raw(d.get("triggerPrice")) == 0):
        return OrderState.EXPIRED
    return state


def venue_order(d: dict) -> VenueOrder:
    stop = _raw(d.get("triggerPrice", "0"))
    if d.get("orderType") == "Limit":
        otype = OrderType.LIMIT if not stop else OrderType.STOP_LOSS_LIMIT
    else:
        otype = OrderType.MARKET if not stop else OrderType.STOP_LOSS
    return VenueOrder(symbol=d["symbol"], client_id=d.get("orderLinkId", ""), exchange_id=d.get("orderId"),
                      side=Side.BUY if d["side"] == "Buy" else Side.SELL, order_type=otype,
                      tif=TIFS.get(d.get("timeInForce", ""), 0),
                      state=order_state(d), qty_raw=_raw(d.get("qty")),
                      price_raw=_raw(d.get("price")), stop_raw=stop, filled_raw=_raw(d.get("cumExecQty")),
                      avg_price_raw=_raw(d.get("avgPrice"), Rounding.HALF_EVEN),
                      cum_quote_raw=_raw(d.get("cumExecValue"), Rounding.HALF_EVEN),
                      time_ms=int(d.get("createdTime") or 0), reduce_only=bool(d.get("reduceOnly", False)))


def venue_trade(r: dict, fee_asset: str = "") -> VenueTrade:
    """A trade row of ``/v5/execution/list``; ``fee_asset`` when the row does not name its fee currency
    (linear: the settle coin)."""
    maker = r.get("isMaker")
    return VenueTrade(symbol=r["symbol"], trade_id=r["execId"], exchange_order_id=r.get("orderId"),
                      client_id=r.get("orderLinkId") or "", side=Side.BUY if r["side"] == "Buy" else Side.SELL,
                      qty_raw=_raw(r["execQty"]), price_raw=_raw(r["execPrice"]),
                      fee_raw=_raw(r.get("execFee", "0"), Rounding.HALF_EVEN),
                      fee_asset=r.get("feeCurrency") or fee_asset, is_maker=None if maker is None else bool(maker),
                      time_ms=int(r.get("execTime") or 0))


def fills(rows: list, key: str, value: str) -> list[Fill]:
    """Trade executions among ``rows`` whose ``key`` (orderLinkId / orderId) is ``value``, oldest first."""
    rows = [r for r in rows if r.get("execType", "Trade") == "Trade" and r.get(key) == value]
    rows.sort(key=lambda r: int(r.get("execTime", "0")))
    return [Fill(r["execId"], _raw(r["execQty"]), _raw(r["execPrice"]), _raw(r.get("execFee", "0"), Rounding.HALF_EVEN),
                 r.get("feeCurrency") or "") for r in rows]


def coin_available(c: dict) -> int:
    """A unified-account coin's available balance (module docstring); the venue's figures carry more
    decimals than the engine's eight, so each is rounded the cautious way (what is had down, what is
    held up)."""
    down, up = Rounding.FLOOR, Rounding.CEILING
    return (_raw(c.get("walletBalance"), down) + _raw(c.get("unrealisedPnl"), down)
            - _raw(c.get("totalPositionIM"), up) - _raw(c.get("totalOrderIM"), up) - _raw(c.get("locked"), up))


def _row(payload: bytes, order_id: str) -> dict | None:
    """The ``data`` row of ``order_id`` in a stream message (cold path: json)."""
    try:
        doc = json.loads(payload)
    except ValueError:
        return None
    for row in (doc.get("data") or ()) if isinstance(doc, dict) else ():
        if isinstance(row, dict) and str(row.get("orderId") or "") == order_id:
            return row
    return None


def exit_or_external(row: dict, is_order: bool, brackets) -> ForeignOrder | None:
    """One venue order row (stream ``order``/``execution`` row, or an ``/v5/order/realtime`` row)."""
    oid, link = str(row.get("orderId") or ""), str(row.get("orderLinkId") or "")
    if not oid or not row.get("symbol"):
        return None
    limit = row.get("orderType") == "Limit"
    side = Side.BUY if row.get("side") == "Buy" else Side.SELL
    qty = _raw(row.get("qty") if is_order else row.get("orderQty"))
    price = _raw(row.get("price") if is_order else row.get("orderPrice")) if limit else 0
    stop = _raw(row.get("triggerPrice")) if is_order else 0
    role = EXIT_ROLES.get(row.get("stopOrderType", ""))
    parent = row.get("parentOrderLinkId") or None
    if role is not None and parent and not link and brackets is not None:
        if role == "take":
            otype = OrderType.TAKE_PROFIT_LIMIT if limit else OrderType.TAKE_PROFIT
        else:
            otype = OrderType.STOP_LOSS_LIMIT if limit else OrderType.STOP_LOSS
        return ForeignOrder(symbol=row["symbol"], store_client_id=oid, venue_client_id="", exchange_id=oid,
                            side=side, order_type=otype, tif=TimeInForce.GTC if limit else TimeInForce.TIF_NONE,
                            qty_raw=qty, price_raw=price, stop_raw=_raw(row.get("triggerPrice")),
                            reduce_only=row.get("reduceOnly", True) is not False,   # the venue's exits close
                            origin="exit", parent_client_id=parent, role=role, leg=brackets)
    if limit:
        otype = OrderType.STOP_LOSS_LIMIT if stop else OrderType.LIMIT
    else:
        otype = OrderType.STOP_LOSS if stop else OrderType.MARKET
    tif = TIFS.get(row.get("timeInForce", ""), TimeInForce.GTC) if limit else TimeInForce.TIF_NONE
    return ForeignOrder(symbol=row["symbol"], store_client_id=link or oid, venue_client_id=link, exchange_id=oid,
                        side=side, order_type=otype, tif=tif, qty_raw=qty, price_raw=price, stop_raw=stop,
                        reduce_only=row.get("reduceOnly") is True, origin=ORIGINS.get(row.get("createType", ""),
                                                                                      "external"))


def foreign_order(parser, payload: bytes, category: str, brackets) -> ForeignOrder | None:
    """The order the parser's current row names (the engine did not place it), for adoption."""
    d = parser.to_dict()
    oid = d.get("venue_order_id")
    if not oid:
        return None
    row = _row(payload, oid)
    if row is None or row.get("category", category) != category:
        return None
    is_order = "orderStatus" in row
    return exit_or_external(row, is_order, brackets)


class AccountMessages:
    """Account messages of a Bybit private stream (wallet, position), into an :class:`AccountSink`."""

    def __init__(self, futures: bool) -> None:
        self.futures = futures
        self.parser = BalanceParser()
        self.marks = BybitMarkParser()
        self._compiled = 0
        self.general = 0

    @property
    def compiled(self) -> int:
        """Messages read by the compiled parsers (here, or whole by the order manager's stream loop)."""
        return self._compiled + self.parser.loop_reads

    def read(self, payload: bytes, sink: AccountSink) -> None:
        if payload.find(_POSITION_TOPIC, 0, 96) >= 0:
            self._marks(payload, sink)
            return
        p = self.parser
        n = self._parsed(p, payload, sink, "account")
        if n < 0:
            return
        if p.kind != _WALLET:
            return
        if self.futures:
            if p.flags & _AVAILABLE_OVERFLOW:
                sink.unreadable(f"wallet event ({len(payload)} bytes): an available balance out of range")
                return
            if sink.futures_parsed(p):      # every coin in one C call
                return
        elif sink.spot_parsed(p):
            return
        assets = []
        for i in range(n):
            asset, wallet, locked = p.asset(i), p.first_raw(i), p.second_raw(i)   # walletBalance, locked (absent: 0)
            if self.futures:
                sink.futures_balance(asset, wallet, p.available_raw(i), None)
            else:
                sink.spot_balance(asset, wallet - locked, locked)
            assets.append(asset)
        sink.changed(assets)

    def _marks(self, payload: bytes, sink: AccountSink) -> None:
        """A position push: each position's mark price (the compiled mark parser; json over its capacity)."""
        m = self.marks
        n = self._parsed(m, payload, sink, "position")
        if n < 0:
            return
        for i in range(n):
            if m.present(i) & _MARK:
                sink.position_mark(m.asset(i), m.first_raw(i))
        sink.changed([])

    def _parsed(self, parser, payload: bytes, sink: AccountSink, what: str) -> int:
        """``parser.parse(payload)``: its row count, or -1 when the message was dealt with here (unreadable:
        reported and reconciled; over the parser's capacity: read with json)."""
        try:
            n = parser.parse(payload)
        except ParseError as exc:
            sink.unreadable(f"unreadable {what} event ({len(payload)} bytes): {exc}")
            return -1
        if n < 0:
            self.general += 1
            self.read_json(payload, sink)
            return -1
        self._compiled += 1
        return n

    def read_json(self, payload: bytes, sink: AccountSink) -> None:
        """The cold path: messages the compiled parser leaves to json (position marks, oversized ones)."""
        try:
            doc = json.loads(payload)
        except ValueError:
            sink.unreadable(f"account event is not JSON ({len(payload)} bytes)")
            return
        if not isinstance(doc, dict):
            return
        topic = str(doc.get("topic", ""))
        assets = []
        try:
            if topic.startswith("wallet"):
                for acct in doc.get("data", []):
                    for c in acct.get("coin", []):
                        # walletBalance rounded half-even, as the compiled parser reads it
                        wallet = _raw(c.get("walletBalance"), Rounding.HALF_EVEN)
                        if self.futures:
                            available = coin_available(c)
                            if not _INT64_MIN <= available <= _INT64_MAX:
                                raise ValueError("an available balance out of range")
                            sink.futures_balance(c["coin"], wallet, available, None)
                        else:
                            locked = _raw(c.get("locked", "0"), Rounding.HALF_EVEN)
                            sink.spot_balance(c["coin"], wallet - locked, locked)
                        assets.append(c["coin"])
            elif topic.startswith("position"):
                for row in doc.get("data", []):
                    if row.get("markPrice") and row.get("symbol"):     # (rounded as the compiled parser does)
                        sink.position_mark(row["symbol"], _raw(row["markPrice"], Rounding.HALF_EVEN))
        except (KeyError, TypeError, ValueError) as exc:
            sink.unreadable(f"unreadable account event: {type(exc).__name__}: {exc}")
            return
        sink.changed(assets)
