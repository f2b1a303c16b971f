"""Binance JSON into the venue-neutral records of :mod:`engine.venues.base` (cold path).

- :func:`venue_order`, :func:`algo_venue_order`: query and open-order answers (plain orders;
  USD-M conditional orders from the Algo Service) as :class:`VenueOrder`.
- :func:`foreign_order`: the record of an order the engine did not place (an
  ``executionReport`` / ``ORDER_TRADE_UPDATE`` the applier matched to nothing) as a
  :class:`ForeignOrder`, with its origin from the client id (user-data-stream docs:
  ``autoclose-`` liquidation, ``adl_autoclose`` ADL, ``settlement_autoclose-``
  settlement).  Binance client ids are unique among *open* orders only, and every ADL
  close is ``adl_autoclose``: such an order goes into the store as
  ``<clientOrderId>#<orderId>``, found there by its order id.  A USD-M conditional order
  the engine did not place is not adopted itself; its child is, when it triggers.
- :class:`AccountMessages`: ``outboundAccountPosition`` (spot) and ``ACCOUNT_UPDATE``
  (USD-M) balances, read by the compiled balance parser, json for what it leaves (list
  statuses and other events are ignored here: the legs' own reports carry their states).
"""

from __future__ import annotations

import json
import logging

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding
from engine._fixedpoint import parse as fp_parse
from engine._parse_balances import BalanceKind, BalanceParser, RowField
from engine._parse_common import MessageKind, ParseError
from engine.venues.base import AccountSink, ForeignOrder, VenueOrder, VenueTrade

__all__ = ["STATES", "TYPES", "TIFS", "ALGO_TYPES", "venue_order", "venue_trade", "algo_venue_order", "foreign_order",
           "found_order", "origin_of", "AccountMessages"]

log = logging.getLogger("engine.venues.binance.decode")

STATES = {"NEW": OrderState.NEW, "PARTIALLY_FILLED": OrderState.PARTIALLY_FILLED, "FILLED": OrderState.FILLED,
          "CANCELED": OrderState.CANCELLED, "PENDING_CANCEL": OrderState.NEW, "REJECTED": OrderState.REJECTED,
          "EXPIRED": OrderState.EXPIRED, "EXPIRED_IN_MATCH": OrderState.EXPIRED, "PENDING_NEW": OrderState.PENDING}
TYPES = {"MARKET": OrderType.MARKET, "LIMIT": OrderType.LIMIT, "LIMIT_MAKER": OrderType.LIMIT_MAKER,
         "STOP_LOSS": OrderType.STOP_LOSS, "STOP_LOSS_LIMIT": OrderType.STOP_LOSS_LIMIT,
         "TAKE_PROFIT": OrderType.TAKE_PROFIT, "TAKE_PROFIT_LIMIT": OrderType.TAKE_PROFIT_LIMIT,
         "STOP_MARKET": OrderType.STOP_LOSS, "STOP": OrderType.STOP_LOSS_LIMIT,
         "TAKE_PROFIT_MARKET": OrderType.TAKE_PROFIT, "TRAILING_STOP_MARKET": OrderType.TRAILING_STOP}
TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK, "GTX": TimeInForce.POST_ONLY}
# USD-M conditional orders live on the algo endpoints (their answers are not plain orders)
ALGO_TYPES = frozenset({OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
                        OrderType.TAKE_PROFIT_LIMIT, OrderType.TRAILING_STOP})
# algoStatus -> our state.  TRIGGERED: the order it created carries the fills (adopted and linked by
# ``actualOrderId``/``ai``); FINISHED: that order ended.  Whether FINISHED also covers a child that was
# cancelled unfilled is not documented (unconfirmed): without an actualOrderId it reads as cancelled.
ALGO_STATES = {"NEW": OrderState.NEW, "TRIGGERED": OrderState.NEW, "CANCELED": OrderState.CANCELLED,
               "EXPIRED": OrderState.EXPIRED, "REJECTED": OrderState.REJECTED}
_SPOT, _USDM = int(BalanceKind.BAL_BINANCE_SPOT), int(BalanceKind.BAL_BINANCE_USDM)
_SECOND = int(RowField.ROW_SECOND)


def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


def venue_order(d: dict) -> VenueOrder:
    """A Binance order JSON (query, open orders) as a VenueOrder."""
    filled = _raw(d.get("executedQty", "0"))
    quote = _raw(d.get("cummulativeQuoteQty", d.get("cumQuote", "0")), Rounding.HALF_EVEN)
    avg = _raw(d.get("avgPrice", "0"), Rounding.HALF_EVEN)
    if not avg and filled:
        avg = quote * 100_000_000 // filled
    return VenueOrder(
        symbol=d["symbol"], client_id=d.get("clientOrderId", ""), exchange_id=d.get("orderId"),
        side=Side.BUY if d["side"] == "BUY" else Side.SELL, order_type=TYPES.get(d.get("type", ""), 0),
        tif=TIFS.get(d.get("timeInForce", ""), 0), state=STATES.get(d["status"], OrderState.UNKNOWN),
        qty_raw=_raw(d.get("origQty", "0")), price_raw=_raw(d.get("price", "0")),
        stop_raw=_raw(d.get("stopPrice", "0")), filled_raw=filled, avg_price_raw=avg, cum_quote_raw=quote,
        time_ms=int(d.get("time") or d.get("transactTime") or 0), reduce_only=bool(d.get("reduceOnly", False)))


def venue_trade(d: dict) -> VenueTrade:
    """A row of ``myTrades`` (spot: ``isBuyer``/``isMaker``) or ``userTrades`` (USD-M: ``side``/``maker``)."""
    if "side" in d:
        side = Side.BUY if d["side"] == "BUY" else Side.SELL
    else:
        side = Side.BUY if d.get("isBuyer") else Side.SELL
    maker = d.get("isMaker", d.get("maker"))
    return VenueTrade(symbol=d["symbol"], trade_id=str(d["id"]), exchange_order_id=d.get("orderId"), client_id="",
                      side=side, qty_raw=_raw(d["qty"]), price_raw=_raw(d["price"]),
                      fee_raw=_raw(d.get("commission", "0"), Rounding.HALF_EVEN),
                      fee_asset=d.get("commissionAsset") or "", is_maker=None if maker is None else bool(maker),
                      time_ms=int(d.get("time", 0)))


def algo_venue_order(d: dict) -> VenueOrder:
    """A USD-M algo order JSON (``/fapi/v1/algoOrder``, ``openAlgoOrders``) as a VenueOrder."""
    qty = _raw(d.get("quantity", "0"))
    status = d.get("algoStatus", "")
    state = ALGO_STATES.get(status, OrderState.UNKNOWN)
    filled = avg = 0
    if status == "FINISHED":
        state = OrderState.FILLED if d.get("actualOrderId") else OrderState.CANCELLED
        if d.get("actualOrderId"):
            filled, avg = qty, _raw(d.get("actualPrice", "0"), Rounding.HALF_EVEN)
    return VenueOrder(
        symbol=d["symbol"], client_id=d.get("clientAlgoId", ""), exchange_id=d.get("algoId"),
        side=Side.BUY if d["side"] == "BUY" else Side.SELL, order_type=TYPES.get(d.get("orderType", ""), 0),
        tif=TIFS.get(d.get("timeInForce", ""), 0), state=state, qty_raw=qty, price_raw=_raw(d.get("price", "0")),
        stop_raw=_raw(d.get("triggerPrice", "0")), filled_raw=filled, avg_price_raw=avg,
        cum_quote_raw=filled * avg // 100_000_000)


def origin_of(client_id: str) -> str:
    """What created an order, from its client id (venue-reserved prefixes)."""
    if client_id.startswith("autoclose-"):
        return "liquidation"
    if client_id.startswith("adl_autoclose"):
        return "adl"
    if client_id.startswith("settlement_autoclose"):
        return "settlement"
    return "external"


def foreign_order(parser, payload: bytes) -> ForeignOrder | None:
    """The order the parser's record names, the engine did not place, for adoption (None: not one to adopt)."""
    d = parser.to_dict()
    if d.get("kind") == MessageKind.ALGO_UPDATE:
        return None                     # a conditional order we did not place: its child is adopted
    oid = d.get("order_id")
    if not d.get("symbol") or not oid:
        return None
    cid = d.get("orig_client_id") or d.get("client_id") or ""     # a cancel's report: C is the order's id
    otype = d.get("order_type") or OrderType.MARKET                  # LIQUIDATION and the like: market
    tif = TimeInForce.TIF_NONE if otype == OrderType.MARKET else (d.get("time_in_force") or TimeInForce.GTC)
    qty = d.get("qty_raw") or d.get("cum_qty_raw") or 0
    store_cid = f"{cid[:47 - len(str(oid))]}#{oid}"
    return ForeignOrder(symbol=d["symbol"], store_client_id=store_cid, venue_client_id=cid, exchange_id=oid,
                        side=d.get("side") or Side.SELL, order_type=otype, tif=tif, qty_raw=qty,
                        price_raw=d.get("price_raw", 0), stop_raw=d.get("stop_price_raw", 0),
                        reduce_only=bool(d.get("reduce_only", False)), origin=origin_of(cid))


def found_order(vo: VenueOrder) -> ForeignOrder | None:
    """An open order reconciliation found that the engine does not know (adopted under its client id)."""
    if not vo.client_id or vo.exchange_id is None:
        return None
    return ForeignOrder(symbol=vo.symbol, store_client_id=vo.client_id, venue_client_id=vo.client_id,
                        exchange_id=vo.exchange_id, side=vo.side, order_type=vo.order_type or OrderType.LIMIT,
                        tif=vo.tif, qty_raw=vo.qty_raw, price_raw=vo.price_raw, stop_raw=vo.stop_raw,
                        origin=origin_of(vo.client_id))


class AccountMessages:
    """Balance messages of a Binance account's user-data stream, into an :class:`AccountSink`."""

    def __init__(self) -> None:
        self.parser = BalanceParser()
        self._compiled = 0
        self.general = 0       # messages read with json

    @property
    def compiled(self) -> int:
        """Messages read by the compiled parser (here, or whole by the order manager's stream loop)."""
        return self._compiled + self.parser.loop_reads

    def read(self, payload: bytes, sink: AccountSink) -> None:
        p = self.parser
        try:
            n = p.parse(payload)
        except ParseError as exc:
            sink.unreadable(f"unreadable account event ({len(payload)} bytes): {exc}")
            return
        if n < 0:
            self.general += 1
            self.read_json(payload, sink)
            return
        self._compiled += 1
        kind = p.kind
        if kind == _SPOT and sink.spot_parsed(p):      # every row in one C call
            return
        assets = []
        for i in range(n):
            asset, first, second = p.asset(i), p.first_raw(i), p.second_raw(i)
            if kind == _SPOT:                               # free, locked
                sink.spot_balance(asset, first, second)
            elif kind == _USDM:                             # wallet, cross wallet (absent: the wallet)
                sink.futures_balance(asset, first, None, second if p.present(i) & _SECOND else None)
            else:
                continue
            assets.append(asset)
        sink.changed(assets)

    def read_json(self, payload: bytes, sink: AccountSink) -> None:
        """The cold path: messages the compiled parser leaves to json (oversized ones)."""
        try:
            doc = json.loads(payload)
        except ValueError:
            sink.unreadable(f"account event is not JSON ({len(payload)} bytes)")
            return
        if isinstance(doc, dict) and isinstance(doc.get("event"), dict):
            doc = doc["event"]          # the WebSocket API subscription envelope
        if not isinstance(doc, dict):
            return
        assets = []
        try:
            e = doc.get("e")
            if e == "outboundAccountPosition":
                for b in doc.get("B", []):
                    sink.spot_balance(b["a"], _raw(b["f"]), _raw(b["l"]))
                    assets.append(b["a"])
            elif e == "ACCOUNT_UPDATE":
                for b in doc.get("a", {}).get("B", []):
                    sink.futures_balance(b["a"], _raw(b.get("wb")), None, _raw(b.get("cw", b.get("wb"))))
                    assets.append(b["a"])
        except (KeyError, TypeError, ValueError) as exc:
            sink.unreadable(f"unreadable account event: {type(exc).__name__}: {exc}")
            return
        sink.changed(assets)
