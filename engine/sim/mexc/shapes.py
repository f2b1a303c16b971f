"""MEXC JSON rows (mexc-spot.md §4): the new-order receipt, the cancel answer, order rows (query,
open orders, all orders, cancel all) and trade rows (``myTrades``).  Order ids are opaque strings;
decimals are plain strings.
"""

from __future__ import annotations

from engine.sim.decimals import ZERO, plain
from engine.sim.matching import Order
from engine.sim.mexc.rest import wire_order_id

__all__ = ["STATUS", "wire_type", "wire_status", "receipt", "order_row", "cancel_row", "trade_id",
           "trade_row"]

STATUS = ("NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "PARTIALLY_CANCELED")


def wire_type(o: Order) -> str:
    """The order type as MEXC names it: time in force and post-only are order types there."""
    if o.type == "MARKET":
        return "MARKET"
    if o.post_only:
        return "LIMIT_MAKER"
    return {"IOC": "IMMEDIATE_OR_CANCEL", "FOK": "FILL_OR_KILL"}.get(o.tif, "LIMIT")


def wire_status(o: Order) -> str:
    """The core's status in MEXC's words: an order ended with part of it filled is PARTIALLY_CANCELED."""
    if o.status in ("CANCELED", "EXPIRED", "REJECTED"):
        return "PARTIALLY_CANCELED" if o.filled > 0 else "CANCELED"
    return o.status


def _qty(o: Order) -> str:
    return plain(o.qty) if o.qty else "0"


def receipt(o: Order) -> dict:
    """``POST /api/v3/order``: no status and no client id (learn those from the stream or a query)."""
    return {"symbol": o.symbol, "orderId": wire_order_id(o.oid), "orderListId": -1,
            "price": plain(o.price) if o.price is not None else "0", "origQty": o.extra.get("orig_qty", _qty(o)),
            "type": wire_type(o), "side": o.side, "stpMode": o.extra.get("stp", ""), "transactTime": o.created_ms}


def order_row(o: Order) -> dict:
    return {"symbol": o.symbol, "orderId": wire_order_id(o.oid), "orderListId": -1, "clientOrderId": o.client_id,
            "price": plain(o.price) if o.price is not None else "0", "origQty": o.extra.get("orig_qty", _qty(o)),
            "executedQty": plain(o.filled), "cummulativeQuoteQty": plain(o.cum_quote), "status": wire_status(o),
            "timeInForce": "", "type": wire_type(o), "side": o.side, "stopPrice": "", "icebergQty": "",
            "time": o.created_ms, "updateTime": o.updated_ms, "isWorking": o.is_open,
            "origQuoteOrderQty": plain(o.extra.get("quote_qty") or ZERO), "stpMode": o.extra.get("stp", "")}


def cancel_row(o: Order, status: str, orig_client_id: str | None) -> dict:
    return {"symbol": o.symbol, "origClientOrderId": orig_client_id or o.client_id, "orderId": wire_order_id(o.oid),
            "clientOrderId": o.client_id, "price": plain(o.price) if o.price is not None else "0",
            "origQty": o.extra.get("orig_qty", _qty(o)), "executedQty": plain(o.filled),
            "cummulativeQuoteQty": plain(o.cum_quote), "status": status, "timeInForce": "", "type": wire_type(o),
            "side": o.side}


def trade_id(fill) -> str:
    """One trade's id, the same in ``myTrades`` and in the stream's deals."""
    return f"{fill.trade_id}X1"


def trade_row(o: Order, fill, fee, fee_asset: str, maker: bool) -> dict:
    return {"symbol": o.symbol, "id": trade_id(fill), "orderId": wire_order_id(o.oid), "orderListId": -1,
            "price": plain(fill.price), "qty": plain(fill.qty), "quoteQty": plain(fill.price * fill.qty),
            "commission": plain(fee), "commissionAsset": fee_asset, "time": o.last_exec_ms or o.updated_ms,
            "isBuyer": o.side == "BUY", "isMaker": maker, "isBestMatch": True,
            "isSelfTrade": fill.maker.account is fill.taker.account, "clientOrderId": o.client_id}
