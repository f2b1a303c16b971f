"""Native brackets on Binance spot: one OTOCO order list (``POST /api/v3/orderList/otoco``).

Which brackets are native here, and why the others are engine-managed
(:mod:`engine.oms.bracket`):

- spot with a LIMIT (or LIMIT_MAKER) entry: native, one OTOCO list (rules below);
- spot with a market entry: engine-managed, an OTOCO's working order must be LIMIT or
  LIMIT_MAKER;
- USD-M: engine-managed.  There is no order list and no TP/SL attached to an order: its
  conditional orders are separate algo orders (``POST /fapi/v1/algoOrder``) that know
  nothing of each other, so the one-cancels-other has to be done by the engine.

Wire facts (binance-spot-api-docs, rest-api.md "New Order list - OTOCO", enums.md,
user-data-stream.md):

1. The working order (our entry) must be ``LIMIT`` or ``LIMIT_MAKER``: a market entry
   cannot be an OTOCO and stays engine-managed.
2. The pending above/below orders form an OCO pair of the opposite side, placed only
   when the working order is *fully* filled; until then they are ``PENDING_NEW``.
   Exits of a BUY entry are SELLs: above ``LIMIT_MAKER`` at the take-profit, below
   ``STOP_LOSS`` at the stop.  Exits of a SELL entry are BUYs: above ``STOP_LOSS`` at the
   stop, below ``TAKE_PROFIT`` at the take-profit (below only takes the stop/take types).
3. Every client id is ours (``listClientOrderId``, ``workingClientOrderId``,
   ``pendingAboveClientOrderId``, ``pendingBelowClientOrderId``), so the three legs live in
   the order store with their own slots from the start.
4. The answer is the list (``orderListId``, ``contingencyType``, ``listStatusType``,
   ``listOrderStatus``, ``orders[]``, ``orderReports[]``); each report has the shape of a
   plain order answer, so each is handed to the compiled parser on its own.
5. Cancelling any order of the list cancels the whole list (DELETE /api/v3/orderList notes).

The request is built in Python on the general REST path (a cold, rare call).
"""

from __future__ import annotations

import json

from engine._enums import OrderType, Side
from engine._fixedpoint import format as fp_format
from engine.venues.base import OrderSpec

__all__ = ["BinanceOtoco"]


class BinanceOtoco:
    """Places and manages OTOCO brackets for one :class:`~engine.venues.binance.adapter.BinanceAdapter` (spot)."""

    kind = "binance-otoco"
    exits_known_up_front = True        # the exits are ours from the start (PENDING until the entry fills)

    def __init__(self, adapter) -> None:
        if adapter.futures:
            raise ValueError("OTOCO order lists exist on Binance spot only")
        self.adapter = adapter
        self.rest = adapter.rest

    @staticmethod
    def accepts(entry_type: int) -> bool:
        """Whether an entry of this type can be the working order of an OTOCO."""
        return entry_type in (OrderType.LIMIT, OrderType.LIMIT_MAKER)

    @staticmethod
    def exit_types(entry_side: int) -> tuple[int, int]:
        """(take-profit type, stop-loss type) of the exits the list places."""
        if entry_side == Side.BUY:
            return OrderType.LIMIT_MAKER, OrderType.STOP_LOSS
        return OrderType.TAKE_PROFIT, OrderType.STOP_LOSS

    @staticmethod
    def params(entry: OrderSpec, take: OrderSpec, stop: OrderSpec, list_client_id: str) -> dict:
        buy = entry.side == Side.BUY
        p = {"symbol": entry.symbol, "listClientOrderId": list_client_id, "newOrderRespType": "FULL",
             "workingType": "LIMIT_MAKER" if entry.order_type == OrderType.LIMIT_MAKER else "LIMIT",
             "workingSide": "BUY" if buy else "SELL", "workingClientOrderId": entry.client_id,
             "workingPrice": fp_format(entry.price_raw), "workingQuantity": fp_format(entry.qty_raw),
             "pendingSide": "SELL" if buy else "BUY", "pendingQuantity": fp_format(take.qty_raw)}
        if entry.order_type == OrderType.LIMIT:
            p["workingTimeInForce"] = "GTC"
        above, below = (take, stop) if buy else (stop, take)
        for prefix, leg in (("pendingAbove", above), ("pendingBelow", below)):
            p[prefix + "Type"] = _TYPE_NAMES[leg.order_type]
            p[prefix + "ClientOrderId"] = leg.client_id
            if leg.order_type == OrderType.LIMIT_MAKER:
                p[prefix + "Price"] = fp_format(leg.price_raw)
            else:
                p[prefix + "StopPrice"] = fp_format(leg.stop_raw)
        return p

    async def place(self, entry: OrderSpec, take: OrderSpec, stop: OrderSpec, list_client_id: str) -> list[bytes]:
        """Send the list; returns each order report as JSON bytes (for the compiled parser)."""
        doc = await self.rest.place_otoco(self.params(entry, take, stop, list_client_id))
        return [json.dumps(r).encode() for r in doc.get("orderReports", [])]

    async def cancel(self, symbol: str, list_client_id: str) -> list[bytes]:
        doc = await self.rest.cancel_order_list(symbol, list_client_id=list_client_id)
        return [json.dumps(r).encode() for r in doc.get("orderReports", [])]

    async def known(self, list_client_id: str) -> bool:
        """Whether the venue has the list (resolves a placement whose answer was lost)."""
        from engine.venues.errors import UnknownOrder, VenueError
        try:
            await self.rest.get_order_list(list_client_id=list_client_id)
            return True
        except UnknownOrder:
            return False
        except VenueError as exc:
            if exc.code in (-2011, -2013, -2018):
                return False
            raise


_TYPE_NAMES = {OrderType.LIMIT_MAKER: "LIMIT_MAKER", OrderType.STOP_LOSS: "STOP_LOSS",
               OrderType.TAKE_PROFIT: "TAKE_PROFIT", OrderType.STOP_LOSS_LIMIT: "STOP_LOSS_LIMIT",
               OrderType.TAKE_PROFIT_LIMIT: "TAKE_PROFIT_LIMIT"}
