"""MEXC spot JSON and protobuf into the venue-neutral records of :mod:`engine.venues.base` (cold path).

- :func:`venue_order`: ``GET /api/v3/order``, ``openOrders`` and ``allOrders`` rows as
  :class:`VenueOrder`.  ``PARTIALLY_CANCELED`` is terminal (CANCELLED with its fill kept;
  peers map it to open: hummingbot#7129); an IOC, FOK or market order the venue ended is
  EXPIRED, as the stream reader reads it (ext/parse_mexc_stream.pyx rule 4).
- :func:`fills`: ``GET /api/v3/myTrades`` rows as :class:`Fill` (the stream's deals carry no
  cumulative quantity, so reconciliation applies missing fills by trade id; that the
  REST ``id`` and the stream's ``tradeId`` are the same id is unconfirmed: the sheet's
  examples come from different eras).
- :func:`foreign_order`: an ``orders`` push of an order the engine did not place (made on
  the web site, by another program).  A ``deals`` push carries no order quantity, so an
  order is adopted from its ``orders`` push (the venue sends it first, §3's example
  timestamps), not from a deal.  MEXC client ids are not known to be unique, so the order
  goes into the store as ``<clientId>#<orderId>`` (or its order id alone when it has no
  client id), found there by its order id.
- :class:`AccountMessages`: ``account`` pushes (protobuf, read by the compiled reader):
  ``balanceAmount`` is what is available, ``frozenAmount`` what orders hold.
"""

from __future__ import annotations

import logging

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding
from engine._fixedpoint import parse as fp_parse
from engine._parse_common import MessageKind, ParseError
from engine._parse_mexc_stream import MexcStreamParser
from engine.venues.base import AccountSink, Fill, ForeignOrder, VenueOrder, VenueTrade

__all__ = ["STATES", "TYPES", "venue_order", "venue_trade", "fills", "foreign_order", "found_order", "AccountMessages"]

log = logging.getLogger("engine.venues.mexc.decode")

STATES = {"NEW": OrderState.NEW, "PARTIALLY_FILLED": OrderState.PARTIALLY_FILLED, "FILLED": OrderState.FILLED,
          "CANCELED": OrderState.CANCELLED, "PARTIALLY_CANCELED": OrderState.CANCELLED}
# type -> (order type, time in force): time in force is part of the type on MEXC spot
TYPES = {"LIMIT": (OrderType.LIMIT, TimeInForce.GTC), "MARKET": (OrderType.MARKET, TimeInForce.TIF_NONE),
         "LIMIT_MAKER": (OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY),
         "IMMEDIATE_OR_CANCEL": (OrderType.LIMIT, TimeInForce.IOC),
         "FILL_OR_KILL": (OrderType.LIMIT, TimeInForce.FOK)}
_NEVER_RESTS = (TimeInForce.IOC, TimeInForce.FOK)
_ORDER, _ORDERS = int(MessageKind.ORDER_STATE), 304
_ACCOUNT = 307


def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


def order_state(status: str, order_type: int, tif: int) -> int:
    state = STATES.get(status, OrderState.UNKNOWN)
    if state == OrderState.CANCELLED and (tif in _NEVER_RESTS or order_type == OrderType.MARKET):
        return OrderState.EXPIRED
    return state


def venue_order(d: dict) -> VenueOrder:
    """One MEXC order row (query, open orders, all orders) as a VenueOrder."""
    otype, tif = TYPES.get(d.get("type") or "", (0, 0))
    filled = _raw(d.get("executedQty"))
    quote = _raw(d.get("cummulativeQuoteQty"), Rounding.HALF_EVEN)
    avg = quote * 100_000_000 // filled if filled else 0
    qty = d.get("origQty") or d.get("Qty")       # the docs' query example names it Qty
    return VenueOrder(symbol=d["symbol"], client_id=d.get("clientOrderId") or "",
                      exchange_id=str(d["orderId"]) if d.get("orderId") is not None else None,
                      side=Side.BUY if d.get("side") == "BUY" else Side.SELL, order_type=otype, tif=tif,
                      state=order_state(d.get("status", ""), otype, tif), qty_raw=_raw(qty),
                      price_raw=_raw(d.get("price")), stop_raw=_raw(d.get("stopPrice")), filled_raw=filled,
                      avg_price_raw=avg, cum_quote_raw=quote)


def fills(rows: list, order_id: str) -> list[Fill]:
    """The ``myTrades`` rows of venue order ``order_id``, oldest first."""
    mine = [r for r in rows if str(r.get("orderId")) == order_id]
    mine.sort(key=lambda r: int(r.get("time") or 0))
    return [Fill(str(r["id"]), _raw(r["qty"]), _raw(r["price"]), _raw(r.get("commission"), Rounding.HALF_EVEN),
                 r.get("commissionAsset") or "") for r in mine]


def venue_trade(r: dict) -> VenueTrade:
    """One ``myTrades`` row (``isBuyer``/``isMaker``; ``clientOrderId`` where the row carries it)."""
    maker = r.get("isMaker")
    return VenueTrade(symbol=r["symbol"], trade_id=str(r["id"]), exchange_order_id=r.get("orderId"),
                      client_id=r.get("clientOrderId") or "", side=Side.BUY if r.get("isBuyer") else Side.SELL,
                      qty_raw=_raw(r["qty"]), price_raw=_raw(r["price"]),
                      fee_raw=_raw(r.get("commission"), Rounding.HALF_EVEN), fee_asset=r.get("commissionAsset") or "",
                      is_maker=None if maker is None else bool(maker), time_ms=int(r.get("time") or 0))


def _store_id(cid: str, oid: str) -> str:
    return f"{cid[:47 - len(oid)]}#{oid}" if cid else oid


def foreign_order(parser) -> ForeignOrder | None:
    """The order an ``orders`` push names, the engine did not place, for adoption (None: not one to adopt)."""
    d = parser.to_dict()
    if d.get("kind") != _ORDER:
        return None                      # a deal: its order's own push adopts it (module docstring)
    oid, cid = d.get("venue_order_id") or "", d.get("client_id") or ""
    if not oid or not d.get("symbol"):
        return None
    otype = d.get("order_type") or OrderType.LIMIT
    tif = d.get("time_in_force", TimeInForce.GTC) if otype != OrderType.MARKET else TimeInForce.TIF_NONE
    qty = d.get("qty_raw") or d.get("cum_qty_raw") or 0      # a market buy by quote amount: what it bought
    return ForeignOrder(symbol=d["symbol"], store_client_id=_store_id(cid, oid), venue_client_id=cid,
                        exchange_id=oid, side=d.get("side") or Side.SELL, order_type=otype, tif=tif, qty_raw=qty,
                        price_raw=d.get("price_raw", 0) if otype != OrderType.MARKET else 0,
                        stop_raw=d.get("stop_price_raw", 0))


def found_order(vo: VenueOrder) -> ForeignOrder | None:
    """An open order reconciliation found that the engine does not know (placed elsewhere)."""
    if vo.exchange_id is None:
        return None
    oid = str(vo.exchange_id)
    return ForeignOrder(symbol=vo.symbol, store_client_id=_store_id(vo.client_id, oid), venue_client_id=vo.client_id,
                        exchange_id=oid, side=vo.side, order_type=vo.order_type or OrderType.LIMIT,
                        tif=vo.tif, qty_raw=vo.qty_raw, price_raw=vo.price_raw, stop_raw=vo.stop_raw)


class AccountMessages:
    """Account pushes of the MEXC private stream (protobuf), into an :class:`AccountSink`.

    ``stream`` is the user stream's own parser: the order manager hands every push to it first and
    this reader second, so a push it holds is not parsed again (:meth:`MexcStreamParser.holds`).  The
    balance goes to the compiled account in one call (``sink.spot_parsed``: the asset found by its
    bytes, no str made or hashed); an asset the registry does not have yet goes by name.
    """

    def __init__(self, stream: MexcStreamParser | None = None) -> None:
        self.parser = MexcStreamParser()
        self.stream = stream
        self.compiled = 0

    def read(self, payload: bytes, sink: AccountSink) -> None:
        p = self.stream
        if p is None or not p.holds(payload):
            p = self.parser
            try:
                p.parse(payload)
            except ParseError as exc:
                sink.unreadable(f"unreadable account push ({len(payload)} bytes): {exc}")
                return
        if p.body != _ACCOUNT:
            return                       # a public push or an empty frame: nothing for the account
        self.compiled += 1
        if sink.spot_parsed(p):
            return
        asset = p.account_asset
        sink.spot_balance(asset, p.account_free_raw, p.account_locked_raw)
        sink.changed([asset])
