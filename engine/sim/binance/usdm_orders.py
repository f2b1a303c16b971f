"""Binance USD-M regular orders on ``/fapi/v1/order``: new (LIMIT/MARKET), modify, cancel,
cancel all, query, open and all orders, and their JSON shape.

Since 2025-12-09 STOP/TAKE_PROFIT/TRAILING types sent here answer -4120; they live at
``/fapi/v1/algoOrder`` (:mod:`engine.sim.binance.usdm_algo`).
"""

from __future__ import annotations

from engine.sim.binance.errors import BinanceError, mandatory
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.usdm_common import (ALGO_TYPES, INSTRUMENTS, MARKET, TIFS, check_price, check_qty, client_id_of,
                                            common_params, instrument_of, notional_of, number, price_text, qty_text,
                                            reject_error)
from engine.sim.core_types import Reject
from engine.sim.decimals import fixed
from engine.sim.matching import Order

__all__ = ["new_order", "modify_order", "cancel_order", "cancel_all", "query_order", "open_order", "open_orders",
           "all_orders", "order_json"]


def new_order(ctx: Ctx, p: Params):
    type_ = p.need("type")
    if type_ in ALGO_TYPES:
        raise BinanceError(-4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.")
    if type_ not in ("LIMIT", "MARKET"):
        raise BinanceError(-1116, "Invalid orderType.")
    inst, side, reduce_only = common_params(ctx, p)
    qty = number(p, "quantity", inst, "qty", required=True)
    price = number(p, "price", inst, "price")
    tif = p.enum("timeInForce", TIFS, -1115, "Invalid timeInForce.", required=type_ == "LIMIT")
    if type_ == "LIMIT" and price is None:
        raise mandatory("price")
    if type_ == "MARKET" and price is not None:
        raise BinanceError(-1106, "Parameter 'price' sent when not required.")
    resp = p.get("newOrderRespType", "ACK")
    if resp not in ("ACK", "RESULT"):
        raise BinanceError(-1136, "Invalid newOrderRespType.")
    check_price(inst, price)
    check_qty(inst, qty, type_ == "MARKET")
    core = ctx.sim.core
    notional_of(inst, price if price is not None else core.last[(MARKET, inst.symbol)], qty, reduce_only)
    cid = client_id_of(ctx, p, "newClientOrderId", inst.symbol)
    order = Order(oid=core.new_oid(), market=MARKET, symbol=inst.symbol, account=ctx.account, client_id=cid,
                  side=side, type=type_, tif=tif or "GTC", price=price, qty=qty, reduce_only=reduce_only,
                  post_only=tif == "GTX", working_type="CONTRACT_PRICE")
    try:
        core.place(order)
    except Reject as exc:
        raise reject_error(exc) from None
    return order_json(order)


def order_json(o: Order, *, query: bool = False) -> dict:
    inst = INSTRUMENTS[o.symbol]
    out = {
        "orderId": o.oid, "symbol": o.symbol, "status": o.status, "clientOrderId": o.client_id,
        "price": price_text(inst, o.price), "avgPrice": fixed(o.avg_price, inst.price_precision + 3),
        "origQty": qty_text(inst, o.qty), "executedQty": qty_text(inst, o.filled), "cumQty": qty_text(inst, o.filled),
        "cumQuote": fixed(o.cum_quote, inst.price_precision + inst.qty_precision),
        "timeInForce": o.tif, "type": o.type, "reduceOnly": o.reduce_only,
        "closePosition": o.close_position, "side": o.side, "positionSide": "BOTH",
        "stopPrice": price_text(inst, o.extra.get("stop_price")), "workingType": o.working_type or "CONTRACT_PRICE",
        "priceProtect": False, "origType": o.extra.get("orig_type", o.type), "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE", "goodTillDate": 0, "updateTime": o.updated_ms,
    }
    if query:
        out["time"] = o.created_ms
    return out


def _lookup(ctx: Ctx, p: Params, unknown: BinanceError) -> Order:
    inst = instrument_of(ctx, p)
    oid = p.int_("orderId")
    cid = p.get("origClientOrderId")
    if oid is None and cid is None:
        raise BinanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
    core = ctx.sim.core
    o = core.find(MARKET, ctx.account, oid, inst.symbol) if oid is not None else \
        core.find_client(MARKET, ctx.account, cid, inst.symbol, algo=False)
    if o is None or o.algo:
        raise unknown
    return o


def cancel_order(ctx: Ctx, p: Params):
    o = _lookup(ctx, p, BinanceError(-2011, "Unknown order sent."))
    if not o.is_open:
        raise BinanceError(-2011, "Unknown order sent.")
    ctx.sim.core.cancel(o)
    return order_json(o)


def modify_order(ctx: Ctx, p: Params):
    o = _lookup(ctx, p, BinanceError(-2013, "Order does not exist."))
    inst = INSTRUMENTS[o.symbol]
    side = p.enum("side", ("BUY", "SELL"), -1117, "Invalid side.")
    qty = number(p, "quantity", inst, "qty", required=True)
    price = number(p, "price", inst, "price", required=True)
    if not o.is_open:
        raise BinanceError(-2013, "Order does not exist.")
    if o.type != "LIMIT":
        raise BinanceError(-5025, "Only limit order is supported.")
    if side != o.side:
        raise BinanceError(-4061, "Order's side does not match.")   # wire text unconfirmed
    check_price(inst, price)
    check_qty(inst, qty)
    if qty == o.qty and price == o.price:
        raise BinanceError(-5027, "No need to modify the order.")
    core = ctx.sim.core
    if qty <= o.filled:
        core.cancel(o)
        return order_json(o)
    try:
        core.amend(o, qty=qty, price=price, keep_priority=False, exec_type="AMENDMENT")
    except Reject as exc:
        raise reject_error(exc) from None
    return order_json(o)


def cancel_all(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    core = ctx.sim.core
    for o in core.account_orders(MARKET, ctx.account, inst.symbol):
        if o.is_open and not o.algo:
            core.cancel(o)
    return {"code": 200, "msg": "The operation of cancel all open order is done."}


def query_order(ctx: Ctx, p: Params):
    return order_json(_lookup(ctx, p, BinanceError(-2013, "Order does not exist.")), query=True)


def open_order(ctx: Ctx, p: Params):
    o = _lookup(ctx, p, BinanceError(-2013, "Order does not exist."))
    if not o.is_open:
        raise BinanceError(-2013, "Order does not exist.")
    return order_json(o, query=True)


def open_orders(ctx: Ctx, p: Params):
    symbol = p.get("symbol")
    if symbol is not None:
        instrument_of(ctx, p)
    return [order_json(o, query=True) for o in ctx.sim.core.account_orders(MARKET, ctx.account, symbol)
            if o.is_open and not o.algo]


def all_orders(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    limit = min(p.int_("limit") or 500, 1000)
    return [order_json(o, query=True) for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol)
            if not o.algo][:limit]
