"""The JSON shapes of Binance spot orders: the placement answer (ACK, RESULT, FULL), the
query row and the cancel answer.
"""

from __future__ import annotations

from engine.sim.binance.spot_common import f8, list_id
from engine.sim.core_types import CONDITIONAL_TYPES
from engine.sim.decimals import ZERO
from engine.sim.matching import Order

__all__ = ["order_response", "order_query_json", "cancel_json"]


def order_response(o: Order, resp: str) -> dict:
    out = {"symbol": o.symbol, "orderId": o.oid, "orderListId": list_id(o), "clientOrderId": o.client_id,
           "transactTime": o.created_ms}
    if resp == "ACK":
        return out
    out.update({
        "price": f8(o.price), "origQty": f8(o.qty), "executedQty": f8(o.filled),
        "origQuoteOrderQty": f8(o.quote_qty), "cummulativeQuoteQty": f8(o.cum_quote),
        "status": o.status, "timeInForce": o.tif, "type": o.type, "side": o.side,
    })
    if o.working_ms:
        out["workingTime"] = o.working_ms
    if o.stop_price is not None:
        out["stopPrice"] = f8(o.stop_price)
    out["selfTradePreventionMode"] = "NONE"
    if o.status == "EXPIRED" and o.expiry_reason:
        out["expiryReason"] = o.expiry_reason.upper()
    if resp == "FULL":
        out["fills"] = [{"price": f8(fill.price), "qty": f8(fill.qty), "commission": f8(fee),
                         "commissionAsset": asset, "tradeId": fill.trade_id}
                        for fill, fee, asset, maker in o.fills if fill.taker is o]
    return out


def order_query_json(o: Order) -> dict:
    return {
        "symbol": o.symbol, "orderId": o.oid, "orderListId": list_id(o), "clientOrderId": o.client_id,
        "price": f8(o.price), "origQty": f8(o.qty), "executedQty": f8(o.filled),
        "cummulativeQuoteQty": f8(o.cum_quote), "status": o.status, "timeInForce": o.tif, "type": o.type,
        "side": o.side, "stopPrice": f8(o.stop_price), "icebergQty": f8(ZERO), "time": o.created_ms,
        "updateTime": o.updated_ms, "isWorking": o.working_ms is not None and o.type not in CONDITIONAL_TYPES
        or (o.type in CONDITIONAL_TYPES and o.triggered),
        "workingTime": o.working_ms if o.working_ms else -1, "origQuoteOrderQty": f8(o.quote_qty),
        "selfTradePreventionMode": "NONE",
    }


def cancel_json(o: Order) -> dict:
    return {
        "symbol": o.symbol, "origClientOrderId": o.client_id, "orderId": o.oid, "orderListId": list_id(o),
        "clientOrderId": o.extra.get("cancel_client_id", o.client_id), "transactTime": o.updated_ms,
        "price": f8(o.price), "origQty": f8(o.qty), "executedQty": f8(o.filled),
        "origQuoteOrderQty": f8(o.quote_qty), "cummulativeQuoteQty": f8(o.cum_quote), "status": o.status,
        "timeInForce": o.tif, "type": o.type, "side": o.side, "selfTradePreventionMode": "NONE",
    }
