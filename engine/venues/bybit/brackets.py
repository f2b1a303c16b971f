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
   ``parentOrderLinkId`` = our entry's ``orderLinkId``) with no client id of ours.
   :mod:`.decode` describes them (origin "exit", their role, the entry) and the engine
   adopts them into the order store under their venue ``orderId`` (used as their client
   id, and as their venue id so the compiled applier finds them); they are then queried,
   cancelled and reconciled by ``orderId`` through this object (their ``leg``).
4. When one exit triggers the venue cancels the other (cancelType
   CancelByOCOSlCanceledByTpTriggered / CancelByOCOTpCanceledBySlTriggered).

Spot is not native here (its brackets are engine-managed, :mod:`engine.oms.bracket`): Bybit
spot's attached TP/SL is a single "BidirectionalTpslOrder" carrying both triggers, without
``parentOrderLinkId`` (docs: "Supported for futures and options"), so the engine could not
tie it to its entry.
"""

from __future__ import annotations

import json
import logging

from engine._enums import OrderType
from engine._fixedpoint import format as fp_format
from engine._parse_bybit import BybitParser
from engine.venues.base import Fill, OrderSpec, VenueOrder
from engine.venues.bybit.decode import fills, venue_order
from engine.venues.errors import OrderNotOpen, UnknownOrder

__all__ = ["BybitTpsl"]

log = logging.getLogger("engine.venues.bybit.brackets")



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

    async def place(self, entry: OrderSpec, stop_raw: int, take_raw: int):
        """POST the entry with its TP/SL (general REST path); returns the ack parser."""
        result = await self.rest.place_order(self.params(entry, stop_raw, take_raw))
        p = self._parser
        p.parse(json.dumps({"retCode": 0, "retMsg": "OK", "result": result}).encode())
        return p

    # -- what the engine asks of an adopted exit (by venue order id) ---------------------------------
    async def cancel_leg(self, spec: OrderSpec):
        result = await self.rest.cancel_order(self.category, spec.symbol, order_id=spec.client_id)
        p = self._parser
        p.parse(json.dumps({"retCode": 0, "retMsg": "OK", "result": result}).encode())
        return p

    async def query_leg(self, spec: OrderSpec) -> VenueOrder | None:
        try:
            d = await self.rest.get_order(self.category, spec.symbol, order_id=spec.client_id)
        except (UnknownOrder, OrderNotOpen):
            return None
        return None if d is None else venue_order(d)

    async def fills_leg(self, symbol: str, order_id: str) -> list[Fill]:
        res = await self.rest.call("GET", "/v5/execution/list", {"category": self.category, "symbol": symbol,
                                                                "orderId": order_id, "limit": 100})
        return fills(res.get("list", []), "orderId", order_id)
