"""Native brackets on Bybit linear: TP/SL attached to the entry on ``/v5/order/create``.

Wire facts (bybit-exchange/docs v5/order/create-order.mdx, v5/enum.mdx,
v5/websocket/private/order.mdx, v5/order/open-order.mdx):

1. ``takeProfit``/``stopLoss`` with ``tpslMode``, ``tpOrderType``/``slOrderType``,
   ``tpLimitPrice``/``slLimitPrice``, ``tpTriggerBy``/``slTriggerBy`` on the entry.
2. Mode chosen: ``Partial``.  In Partial mode the venue "will create tp/sl orders with the
   qty you actually fill", so every exit is sized to an actual entry fill and the engine can
   track each exactly; Full mode sizes them to the whole position (other orders' fills
   included) and allows Market exits only.  The take-profit is a Limit exit at the
   take-profit price (as the engine-managed bracket's), the stop-loss a Market exit;
   both trigger on LastPrice.
3. The exits are orders the venue creates (``stopOrderType`` PartialTakeProfit /
   PartialStopLoss, ``createType`` CreateByPartialTakeProfit / CreateByPartialStopLoss,
   ``parentOrderLinkId`` = our entry's ``orderLinkId``) with no client id of ours; they are
   adopted into the order store under their venue ``orderId`` (used as their client id,
   and as their venue id so the compiled applier finds them), then queried, cancelled and
   reconciled by ``orderId``.
4. When one exit triggers the venue cancels the other (cancelType
   CancelByOCOSlCanceledByTpTriggered / CancelByOCOTpCanceledBySlTriggered).

Spot is not native here: Bybit spot's attached TP/SL is a single "BidirectionalTpslOrder"
carrying both triggers, without ``parentOrderLinkId`` (docs: "Supported for futures and
options"), so the engine could not tie it to its entry.
"""

from __future__ import annotations

import json
import logging

from engine._enums import OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding
from engine._fixedpoint import format as fp_format
from engine._fixedpoint import parse as fp_parse
from engine._parse_bybit import BybitParser
from engine.venues.base import OrderSpec, VenueOrder
from engine.venues.errors import OrderNotOpen, UnknownOrder

__all__ = ["BybitTpsl", "EXIT_ROLES"]

log = logging.getLogger("engine.venues.bybit.tpsl")

# stopOrderType of a venue-created exit -> its role in the bracket
EXIT_ROLES = {"PartialTakeProfit": "take", "TakeProfit": "take", "PartialStopLoss": "stop", "StopLoss": "stop"}


def _raw(text, rounding: int = Rounding.EXACT) -> int:
    return fp_parse(str(text), rounding) if text not in (None, "") else 0


class BybitTpsl:
    """Places entries with attached TP/SL and adopts the exits Bybit creates (one linear adapter)."""

    kind = "bybit-tpsl"
    exits_known_up_front = False       # the venue creates the exits when the entry fills

    def __init__(self, adapter) -> None:
        if adapter.category != "linear":
            raise ValueError("native brackets on Bybit are linear only (spot TP/SL has no parent link)")
        self.adapter = adapter
        self.rest = adapter.rest
        self.category = adapter.category
        self._parser = BybitParser()
        self._waiting: dict[str, object] = {}       # entry client id -> its NativeBracket
        self._engine = None

    @staticmethod
    def accepts(entry_type: int) -> bool:
        return entry_type in (OrderType.LIMIT, OrderType.MARKET)

    @staticmethod
    def exit_types(entry_side: int) -> tuple[int, int]:
        """(take-profit type, stop-loss type) as the store records the venue's exits."""
        return OrderType.TAKE_PROFIT_LIMIT, OrderType.STOP_LOSS

    # -- placement -----------------------------------------------------------------------------
    def params(self, entry: OrderSpec, stop_raw: int, take_raw: int) -> dict:
        from engine.venues.bybit.adapter import order_params
        p = order_params(entry, self.category)
        p.update({"takeProfit": fp_format(take_raw), "stopLoss": fp_format(stop_raw), "tpslMode": "Partial",
                  "tpOrderType": "Limit", "tpLimitPrice": fp_format(take_raw), "slOrderType": "Market",
                  "tpTriggerBy": "LastPrice", "slTriggerBy": "LastPrice"})
        return p

    def expect(self, bracket, entry: OrderSpec) -> None:
        """Exits whose ``parentOrderLinkId`` is ``entry``'s client id belong to ``bracket``."""
        self._waiting[entry.client_id] = bracket
        eng = bracket.eng
        if self._engine is None:
            self._engine = eng
            eng.stream.foreign_hook = self.on_foreign    # exits first seen on the stream
            eng.venue_order_adopter = self.adopt_found   # exits first seen by reconciliation

    async def place(self, entry: OrderSpec, stop_raw: int, take_raw: int):
        """POST the entry with its TP/SL (general REST path); returns the ack parser."""
        result = await self.rest.place_order(self.params(entry, stop_raw, take_raw))
        p = self._parser
        p.parse(json.dumps({"retCode": 0, "retMsg": "OK", "result": result}).encode())
        return p

    # -- adopting the venue's exits ----------------------------------------------------------------
    def on_foreign(self, payload: bytes) -> None:
        """A stream message with orders the store does not know: adopt the exits of our brackets."""
        try:
            doc = json.loads(payload)
        except ValueError:
            return
        if not isinstance(doc, dict) or not str(doc.get("topic", "")).startswith("order"):
            return
        adopted = []
        for row in doc.get("data") or ():
            if isinstance(row, dict) and self._adopt_row(row) >= 0:
                adopted.append(row)
        if adopted:   # now known: apply them as the stream said
            self._engine.stream.reapply(json.dumps({"topic": doc["topic"], "data": adopted}).encode())

    def _adopt_row(self, row: dict) -> int:
        role = EXIT_ROLES.get(row.get("stopOrderType", ""))
        bracket = self._waiting.get(row.get("parentOrderLinkId", ""))
        if role is None or bracket is None or row.get("orderLinkId") or not row.get("orderId"):
            return -1
        eng = self._engine
        oid = str(row["orderId"])
        if eng.store.find_client_id(oid) >= 0 or eng.store.find_exchange_id(oid) >= 0:
            return -1
        inst = eng.instruments.ids.get(row.get("symbol"))
        if inst is None:
            return -1
        side = Side.BUY if row.get("side") == "Buy" else Side.SELL
        limit = row.get("orderType") == "Limit"
        if role == "take":
            otype = OrderType.TAKE_PROFIT_LIMIT if limit else OrderType.TAKE_PROFIT
        else:
            otype = OrderType.STOP_LOSS_LIMIT if limit else OrderType.STOP_LOSS
        qty, price, stop = _raw(row.get("qty")), _raw(row.get("price")) if limit else 0, _raw(row.get("triggerPrice"))
        tif = TimeInForce.GTC if limit else TimeInForce.TIF_NONE
        reduce_only = row.get("reduceOnly", True) is not False     # the venue's exits close the position
        slot = eng.tracker.adopt(oid, inst, row["symbol"], side, otype, tif, qty, price, stop, reduce_only,
                                 exchange_id=oid, leg=self)
        eng.metrics.placed += 1                 # placed for us by the venue: counted with ours
        bracket.add_exit(slot, role)
        log.info("bracket %s: adopted the venue's %s exit %s", bracket.entry.client_order_id, role, oid)
        return slot

    async def adopt_found(self, vo: VenueOrder) -> int:
        """Reconciliation found an open order without a client id: adopt it if it is one of our exits."""
        if vo.exchange_id is None or not self._waiting:
            return -1
        try:
            rows = (await self.rest.call("GET", "/v5/order/realtime",
                                         {"category": self.category, "symbol": vo.symbol,
                                          "orderId": str(vo.exchange_id)})).get("list", [])
        except (UnknownOrder, OrderNotOpen):
            return -1
        for row in rows:
            slot = self._adopt_row(row)
            if slot >= 0:
                return slot
        return -1

    # -- what the engine asks of an adopted exit (by venue order id) ---------------------------------
    async def cancel_leg(self, spec: OrderSpec):
        result = await self.rest.cancel_order(self.category, spec.symbol, order_id=spec.client_id)
        p = self._parser
        p.parse(json.dumps({"retCode": 0, "retMsg": "OK", "result": result}).encode())
        return p

    async def query_leg(self, spec: OrderSpec) -> VenueOrder | None:
        from engine.venues.bybit.adapter import venue_order
        try:
            d = await self.rest.get_order(self.category, spec.symbol, order_id=spec.client_id)
        except (UnknownOrder, OrderNotOpen):
            return None
        return None if d is None else venue_order(d)

    async def fills_leg(self, symbol: str, order_id: str) -> list[tuple[str, int, int, int, str]]:
        res = await self.rest.call("GET", "/v5/execution/list", {"category": self.category, "symbol": symbol,
                                                                "orderId": order_id, "limit": 100})
        rows = [r for r in res.get("list", []) if r.get("execType", "Trade") == "Trade" and r.get("orderId") == order_id]
        rows.sort(key=lambda r: int(r.get("execTime", "0")))
        return [(r["execId"], _raw(r["execQty"]), _raw(r["execPrice"]), _raw(r.get("execFee", "0"), Rounding.HALF_EVEN),
                 r.get("feeCurrency") or "") for r in rows]

    def forget(self, entry_client_id: str) -> None:
        self._waiting.pop(entry_client_id, None)
