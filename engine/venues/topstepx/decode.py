"""TopstepX JSON into the neutral records (cold path: queries, reconciliation, adoption, account events).

Wire facts: shared/venues/topstepx-projectx.md §4 (OrderModel, PositionModel, HalfTradeModel,
enums) and §7 (hub events, bare or ``{action, data}``).  Numbers are JSON numbers with up to
9 decimals, read through ``str`` into fixed point (never float arithmetic).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding
from engine._fixedpoint import parse as fp_parse
from engine.venues.base import Fill, ForeignOrder, VenueOrder, VenuePosition, VenueTrade
from engine.venues.topstepx.instruments import MARGIN_ASSET, ContractBook

__all__ = ["raw", "venue_order", "fills", "venue_position", "hub_argument", "AccountMessages", "STATES", "TYPES",
           "SIDES", "foreign_from_order"]

log = logging.getLogger("engine.venues.topstepx.decode")

SIDES = {0: Side.BUY, 1: Side.SELL}
TYPES = {1: OrderType.LIMIT, 2: OrderType.MARKET, 3: OrderType.STOP_LOSS_LIMIT, 4: OrderType.STOP_LOSS,
         5: OrderType.TRAILING_STOP, 6: OrderType.JOIN_BID, 7: OrderType.JOIN_ASK}
# orders that rest until cancelled (the Gateway has no time in force)
_RESTING = frozenset({OrderType.LIMIT, OrderType.JOIN_BID, OrderType.JOIN_ASK})
# 6 Pending and 8 Suspended (a bracket child waiting for its entry) are not working yet; 7 PendingCancellation is
STATES = {1: OrderState.NEW, 2: OrderState.FILLED, 3: OrderState.CANCELLED, 4: OrderState.EXPIRED,
          5: OrderState.REJECTED, 6: OrderState.PENDING, 7: OrderState.NEW, 8: OrderState.PENDING}


def raw(value: Any, rounding: int = Rounding.HALF_EVEN) -> int:
    """A JSON number (or null) as raw fixed point (0 for null)."""
    if value is None or value == "":
        return 0
    if isinstance(value, float):
        value = repr(value)          # json.loads made it a float: its shortest repr is the wire's text
    return fp_parse(str(value), rounding)


def _lots(value: Any) -> int:
    return raw(value)


def venue_order(d: dict, book: ContractBook) -> VenueOrder:
    """An Order row (search, searchOpen, searchById, a hub event) as a :class:`VenueOrder`."""
    state = STATES.get(d.get("status"), 0)
    qty = _lots(d.get("size"))
    filled = _lots(d.get("fillVolume"))
    if state == OrderState.NEW and 0 < filled < qty:
        state = OrderState.PARTIALLY_FILLED
    otype = TYPES.get(d.get("type"), 0)
    return VenueOrder(
        symbol=book.symbol_of(str(d.get("contractId"))) or str(d.get("contractId")),
        client_id=str(d.get("customTag") or ""), exchange_id=int(d["id"]), side=SIDES.get(d.get("side"), 0),
        order_type=otype, tif=TimeInForce.GTC if otype in _RESTING else TimeInForce.TIF_NONE,
        state=int(state), qty_raw=qty, price_raw=raw(d.get("limitPrice")), stop_raw=raw(d.get("stopPrice")),
        filled_raw=filled, avg_price_raw=raw(d.get("filledPrice")), time_ms=time_ms(d.get("creationTimestamp")))


def time_ms(text) -> int:
    """An ISO-8601 timestamp of the Gateway (``2025-07-21T14:30:00.1234567+00:00`` or ``...Z``) in ms, else 0."""
    from datetime import datetime, timezone
    if not text:
        return 0
    t = str(text).replace("Z", "+00:00")
    head, dot, rest = t.partition(".")
    if dot:                                  # fromisoformat takes at most 6 fraction digits
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits):]
        t = f"{head}.{digits[:6]:0<6}{zone}"
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        return 0
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def venue_trade(t: dict, book: ContractBook) -> VenueTrade:
    """A Trade/search row (one half-turn fill; fees in USD; no maker flag) as a :class:`VenueTrade`."""
    return VenueTrade(symbol=book.symbol_of(str(t.get("contractId"))) or str(t.get("contractId")),
                      trade_id=str(t["id"]), exchange_order_id=int(t["orderId"]) if t.get("orderId") else None,
                      client_id="", side=SIDES.get(t.get("side"), 0), qty_raw=_lots(t.get("size")),
                      price_raw=raw(t.get("price")), fee_raw=raw(t.get("fees")), fee_asset=MARGIN_ASSET,
                      is_maker=None, time_ms=time_ms(t.get("creationTimestamp")))


def fills(trades: list[dict], order_id: int) -> list[Fill]:
    """An order's fills from Trade/search rows, oldest first (voided ones left out)."""
    out = [t for t in trades if str(t.get("orderId")) == str(order_id) and not t.get("voided")]
    out.sort(key=lambda t: (str(t.get("creationTimestamp") or ""), int(t.get("id") or 0)))
    return [Fill(str(t["id"]), _lots(t.get("size")), raw(t.get("price")), raw(t.get("fees")), "") for t in out]


def venue_position(p: dict, book: ContractBook) -> VenuePosition | None:
    """A Position row (``type`` 1 long, 2 short; ``size`` unsigned) as a signed :class:`VenuePosition`."""
    symbol = book.symbol_of(str(p.get("contractId")))
    if symbol is None:
        return None
    size = _lots(p.get("size"))
    if p.get("type") == 2:
        size = -size
    elif p.get("type") != 1:
        size = 0
    return VenuePosition(symbol, size, raw(p.get("averagePrice")) if size else 0)


def hub_argument(payload: bytes) -> tuple[str, Any]:
    """(target, its one argument unwrapped from ``{action, data}``) of a hub record."""
    msg = json.loads(payload.rstrip(b"\x1e"))
    args = msg.get("arguments") or [None]
    arg = args[0] if len(args) == 1 else args
    if isinstance(arg, dict) and "data" in arg and "action" in arg and isinstance(arg["data"], dict):
        arg = arg["data"]
    return str(msg.get("target") or ""), arg


def foreign_from_order(d: dict, book: ContractBook) -> ForeignOrder | None:
    """An order the engine did not place, as the venue reports it (placed by hand, by another program)."""
    symbol = book.symbol_of(str(d.get("contractId")))
    if symbol is None or d.get("id") is None:
        return None
    vo = venue_order(d, book)
    tag = vo.client_id
    return ForeignOrder(symbol=symbol, store_client_id=tag or f"tsx-{vo.exchange_id}", venue_client_id=tag,
                        exchange_id=vo.exchange_id, side=vo.side, order_type=vo.order_type, tif=vo.tif,
                        qty_raw=vo.qty_raw, price_raw=vo.price_raw, stop_raw=vo.stop_raw)


class AccountMessages:
    """The user hub's account events, and the market hub's quotes, into an
    :class:`~engine.venues.base.AccountSink`.

    A ``GatewayQuote`` (``(contractId, fields that changed)``) is merged into ``quotes``
    (:class:`.market_stream.QuoteBook`); the traded contract's reference price (the last
    trade, else the middle of the best bid and ask) goes to ``sink.reference_price`` and,
    as the mark of its position, to ``sink.position_mark``.
    """

    def __init__(self, account_id: int, contracts: ContractBook | None = None, quotes=None) -> None:
        self.account_id = account_id
        self.contracts = contracts
        self.quotes = quotes
        self.bad_quotes = 0
        self.logouts = 0

    def read(self, payload: bytes, sink) -> None:
        try:
            target, arg = hub_argument(payload)
        except (ValueError, AttributeError, TypeError):
            sink.unreadable("topstepx: unreadable hub record")
            return
        low = target.lower()
        if low == "gatewayuseraccount" and isinstance(arg, dict):
            if arg.get("id") not in (None, self.account_id):
                return
            try:
                balance = raw(arg.get("balance"))
            except ValueError:
                sink.unreadable("topstepx: account event with an unreadable balance")
                return
            sink.futures_balance(MARGIN_ASSET, balance, balance)
            sink.changed([MARGIN_ASSET])
        elif low == "gatewayusertrade" and isinstance(arg, dict) and arg.get("voided"):
            # a busted fill: the store cannot take a fill back, the venue's word replaces ours
            sink.unreadable(f"topstepx: trade {arg.get('id')} voided by the venue")
        elif low == "gatewayquote":
            self._quote(arg, sink)
        elif low == "gatewaylogout":
            self.logouts += 1
            log.error("topstepx: the venue ended this session (GatewayLogout: the same login in use elsewhere?)")

    def _quote(self, arg, sink) -> None:
        if self.quotes is None or self.contracts is None:
            return
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict)):
            self.bad_quotes += 1
            log.warning("topstepx: quote event of an unexpected shape ignored (%d bad so far)", self.bad_quotes)
            return
        contract_id, fields = arg
        try:
            values = {k: raw(fields[k]) for k in ("lastPrice", "bestBid", "bestAsk") if fields.get(k) is not None}
        except (ValueError, TypeError):
            self.bad_quotes += 1
            log.warning("topstepx: quote of %s with an unreadable price ignored", contract_id)
            return
        q = self.quotes.merge(contract_id, values)
        symbol = self.contracts.symbol_of(contract_id)
        ref = self.quotes.reference(q)
        if symbol is not None and ref > 0:
            sink.reference_price(symbol, ref)
            sink.position_mark(symbol, ref)
