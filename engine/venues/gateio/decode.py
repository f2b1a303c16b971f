"""Gate.io JSON into the venue-neutral records of :mod:`engine.venues.base` (cold path).

- :func:`order_state`: an Order's state from ``status`` + ``finish_as`` + ``filled_amount`` /
  ``left`` together (the compiled parser's rule 4, ext/parse_gateio.pyx, written again here for
  REST rows): never from ``status`` alone, since a ``cancelled`` order may be partly or
  wholly filled.
- :func:`venue_order`: an Order (REST ``/spot/orders``) as a :class:`VenueOrder`.
- :func:`fills`: ``/spot/my_trades`` rows as :class:`Fill` (the stream's trades carry no
  cumulative quantity, so reconciliation applies the missing ones by trade id).
- :func:`foreign_order`: an order the engine did not place (web UI, another program), from
  its ``spot.orders`` record.  Gate reuses client ids (``text`` is ``apiv4``, ``web``, ... when
  not set, and a ``t-`` text may be given to several orders), so it is kept in the store under
  its venue order id; its ``text`` is the id the venue knows it by.  A trade of such an order
  arriving before the order's own record is left for that record (every order of the account
  is on ``spot.orders``) and for reconciliation.
- :class:`AccountMessages`: ``spot.balances`` pushes (compiled balance parser) into the sink.
"""

from __future__ import annotations

import json
import logging

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding
from engine._fixedpoint import parse as fp_parse
from engine._parse_balances import BalanceKind
from engine._parse_common import MessageKind, ParseError
from engine._parse_gateio_balances import GateBalanceParser
from engine.venues.base import AccountSink, Fill, ForeignOrder, VenueOrder, VenueTrade

__all__ = ["order_state", "venue_order", "fills", "foreign_order", "describe", "client_text", "AccountMessages"]

log = logging.getLogger("engine.venues.gateio.decode")

TIFS = {"gtc": TimeInForce.GTC, "ioc": TimeInForce.IOC, "fok": TimeInForce.FOK, "poc": TimeInForce.POST_ONLY}
_CANCELLED = {"cancelled", "liquidate_cancelled", "stp", "poc"}
_EXPIRED = {"ioc", "fok", "small", "depth_not_enough", "trader_not_enough"}
_ORDER_STATE = int(MessageKind.ORDER_STATE)
_GATE_SPOT = int(BalanceKind.BAL_GATE_SPOT)


def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


def client_text(text) -> str:
    """The order's ``text`` when it is a client id (``t-...``); the venue's own marks (``apiv4``, ``web``,
    ``101``...) are not."""
    return text if isinstance(text, str) and text.startswith("t-") else ""


def order_state(d: dict) -> int:
    """The state of one Order (module docstring)."""
    status, finish = d.get("status"), d.get("finish_as")
    filled = _raw(d.get("filled_amount"))
    ended = status in ("closed", "cancelled") or d.get("event") == "finish" or finish in _CANCELLED | _EXPIRED \
        or finish == "filled"
    if not ended:
        if status != "open" and d.get("event") not in ("put", "update") and finish != "open":
            return OrderState.UNKNOWN
        return OrderState.PARTIALLY_FILLED if filled > 0 else OrderState.NEW
    if finish == "filled":
        state = OrderState.FILLED
    elif finish in _CANCELLED:
        state = OrderState.CANCELLED
    elif finish in _EXPIRED:
        state = OrderState.EXPIRED
    else:
        state = OrderState.FILLED if status == "closed" else OrderState.CANCELLED
    if state in (OrderState.CANCELLED, OrderState.EXPIRED) and filled > 0 and d.get("left") not in (None, "") \
            and _raw(d["left"]) == 0:
        state = OrderState.FILLED
    return state


def _type_and_tif(d: dict) -> tuple[int, int]:
    tif = TIFS.get(d.get("time_in_force", ""), TimeInForce.GTC)
    if d.get("type") == "market":
        return OrderType.MARKET, TimeInForce.TIF_NONE
    if tif == TimeInForce.POST_ONLY:
        return OrderType.LIMIT_MAKER, tif
    return OrderType.LIMIT, tif


def _qty(d: dict) -> int:
    """The order's quantity in base units: a market BUY's ``amount`` is what it spends in the quote
    currency, so its quantity is what it bought (``filled_amount``)."""
    if d.get("type") == "market" and d.get("side") == "buy":
        return _raw(d.get("filled_amount"))
    return _raw(d.get("amount"))


def venue_order(d: dict) -> VenueOrder:
    otype, tif = _type_and_tif(d)
    return VenueOrder(symbol=d["currency_pair"], client_id=client_text(d.get("text")), exchange_id=str(d["id"]),
                      side=Side.BUY if d.get("side") == "buy" else Side.SELL, order_type=otype, tif=tif,
                      state=order_state(d), qty_raw=_qty(d), price_raw=_raw(d.get("price")) if otype != OrderType.MARKET
                      else 0, stop_raw=0, filled_raw=_raw(d.get("filled_amount")),
                      avg_price_raw=_raw(d.get("avg_deal_price"), Rounding.HALF_EVEN),
                      cum_quote_raw=_raw(d.get("filled_total"), Rounding.HALF_EVEN), time_ms=time_ms(d))


def time_ms(d: dict) -> int:
    """``create_time_ms`` (an integer in REST answers, a string with a fraction in stream rows), else 0."""
    try:
        return int(float(d.get("create_time_ms") or 0))
    except (TypeError, ValueError):
        return 0


def venue_trade(r: dict) -> VenueTrade:
    """A ``GET /spot/my_trades`` row as a :class:`VenueTrade`."""
    return VenueTrade(symbol=r["currency_pair"], trade_id=str(r["id"]), exchange_order_id=str(r.get("order_id")),
                      client_id=client_text(r.get("text")), side=Side.BUY if r.get("side") == "buy" else Side.SELL,
                      qty_raw=_raw(r["amount"]), price_raw=_raw(r["price"]),
                      fee_raw=_raw(r.get("fee") or "0", Rounding.HALF_EVEN), fee_asset=r.get("fee_currency") or "",
                      is_maker=r.get("role") == "maker" if r.get("role") in ("maker", "taker") else None,
                      time_ms=time_ms(r))


def fills(rows: list, order_id: str | None = None, text: str | None = None) -> list[Fill]:
    """Trades among ``rows`` of the order ``order_id`` (or, without it, of the order with ``text``), oldest first."""
    if order_id is not None:
        rows = [r for r in rows if str(r.get("order_id")) == order_id]
    elif text is not None:
        rows = [r for r in rows if r.get("text") == text]
    rows = sorted(rows, key=lambda r: float(r.get("create_time_ms") or 0))
    return [Fill(str(r["id"]), _raw(r["amount"]), _raw(r["price"]), _raw(r.get("fee", "0"), Rounding.HALF_EVEN),
                 r.get("fee_currency") or "") for r in rows]


def describe(d: dict) -> ForeignOrder | None:
    """An Order row of an order the engine did not place, for adoption (module docstring)."""
    oid = str(d.get("id") or "")
    if not oid or not d.get("currency_pair"):
        return None
    otype, tif = _type_and_tif(d)
    return ForeignOrder(symbol=d["currency_pair"], store_client_id=oid, venue_client_id=client_text(d.get("text")),
                        exchange_id=oid, side=Side.BUY if d.get("side") == "buy" else Side.SELL, order_type=otype,
                        tif=tif, qty_raw=_qty(d), price_raw=_raw(d.get("price")) if otype != OrderType.MARKET else 0,
                        origin="external")


def foreign_order(parser, payload: bytes) -> ForeignOrder | None:
    """The order the parser's current record names, when it is an order record (trades: None, see above)."""
    if parser.kind != _ORDER_STATE:
        return None
    oid = parser.to_dict().get("venue_order_id")
    if not oid:
        return None
    try:
        doc = json.loads(payload)
    except ValueError:
        return None
    rows = doc.get("result") if isinstance(doc, dict) else None
    if isinstance(rows, dict):
        rows = [rows]
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, dict) and str(row.get("id") or "") == oid:
            return describe(row)
    return None


class AccountMessages:
    """Account messages of the Gate.io private stream (``spot.balances``) into an :class:`AccountSink`."""

    def __init__(self) -> None:
        self.parser = GateBalanceParser()
        self.compiled = 0
        self.general = 0

    def read(self, payload: bytes, sink: AccountSink) -> None:
        p = self.parser
        try:
            n = p.parse(payload)
        except ParseError as exc:
            sink.unreadable(f"unreadable account event ({len(payload)} bytes): {exc}")
            return
        if n < 0:
            if p.kind == _GATE_SPOT:          # over the compiled parser's capacity: json
                self.general += 1
                self.read_json(payload, sink)
            return
        self.compiled += 1
        assets = []
        for i in range(n):
            asset = p.asset(i)
            sink.spot_balance(asset, p.first_raw(i), p.second_raw(i))      # available, freeze
            assets.append(asset)
        sink.changed(assets)

    def read_json(self, payload: bytes, sink: AccountSink) -> None:
        try:
            doc = json.loads(payload)
            assets = []
            for row in doc.get("result") or []:
                sink.spot_balance(row["currency"], _raw(row.get("available")), _raw(row.get("freeze")))
                assets.append(row["currency"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            sink.unreadable(f"unreadable account event: {type(exc).__name__}: {exc}")
            return
        sink.changed(assets)
