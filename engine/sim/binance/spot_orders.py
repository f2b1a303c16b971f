"""Binance spot orders on ``/api/v3``: new (and test), cancel, cancel all, cancel-replace,
amend keeping priority, query, open and all orders.  Cancelling one order of an order list
cancels the whole list (:mod:`engine.sim.binance.order_lists`).
"""

from __future__ import annotations

from engine.sim.binance import order_lists
from engine.sim.binance.errors import BinanceError, mandatory
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.spot_common import (CLIENT_ID, MARKET, SIDES, TIFS, TYPES, filters_of, f8, instrument_of,
                                            place_order, trigger_dir)
from engine.sim.binance.spot_shapes import cancel_json, order_query_json, order_response
from engine.sim.core_types import CONDITIONAL_TYPES
from engine.sim.decimals import ZERO
from engine.sim.matching import Order

__all__ = ["build_order", "new_order", "test_order", "cancel_order", "cancel_all", "cancel_replace",
           "amend_keep_priority", "query_order", "open_orders", "all_orders"]


def build_order(ctx: Ctx, p: Params) -> tuple[Order, str]:
    """Validate a new-order request the way Binance does; returns (order, respType)."""
    inst = instrument_of(ctx, p)
    side = p.enum("side", SIDES, -1117, "Invalid side.")
    type_ = p.enum("type", TYPES, -1116, "Invalid orderType.")
    tif = p.enum("timeInForce", TIFS, -1115, "Invalid timeInForce.", required=False)
    qty = p.dec("quantity")
    quote_qty = p.dec("quoteOrderQty")
    price = p.dec("price")
    stop = p.dec("stopPrice")
    needs_tif = type_ in ("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
    needs_price = type_ in ("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER")
    if needs_tif and tif is None:
        raise mandatory("timeInForce")
    if not needs_tif and tif is not None and type_ != "LIMIT_MAKER":
        raise BinanceError(-1106, "Parameter 'timeInForce' sent when not required.")
    if type_ == "MARKET":
        if qty is None and quote_qty is None:
            raise BinanceError(-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!")
        if qty is not None and quote_qty is not None:
            raise BinanceError(-1106, "Parameter 'quoteOrderQty' sent when not required.")
    elif qty is None:
        raise mandatory("quantity")
    if needs_price and price is None:
        raise mandatory("price")
    if not needs_price and price is not None:
        raise BinanceError(-1106, "Parameter 'price' sent when not required.")
    if type_ in CONDITIONAL_TYPES and stop is None:
        raise mandatory("stopPrice")
    if type_ not in CONDITIONAL_TYPES and stop is not None:
        raise BinanceError(-1106, "Parameter 'stopPrice' sent when not required.")
    resp = p.get("newOrderRespType")
    if resp is None:
        resp = "FULL" if type_ in ("MARKET", "LIMIT") else "ACK"
    elif resp not in ("ACK", "RESULT", "FULL"):
        raise BinanceError(-1136, "Invalid newOrderRespType.")
    cid = p.get("newClientOrderId")
    if cid is not None and not CLIENT_ID.match(cid):
        raise BinanceError(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.")
    core = ctx.sim.core
    last = core.last.get((MARKET, inst.symbol))
    filters_of(inst, "MARKET" if type_ in ("MARKET", "STOP_LOSS", "TAKE_PROFIT") else type_, price, qty, last)
    if stop is not None:
        filters_of(inst, type_, stop, None, last)
    if quote_qty is not None and quote_qty < inst.min_notional:
        raise BinanceError(-1013, "Filter failure: NOTIONAL")
    if cid is None:
        cid = ctx.sim.gen_client_id("web_")
    else:
        dup = core.find_client(MARKET, ctx.account, cid, inst.symbol)
        if dup is not None and dup.is_open:
            raise BinanceError(-2010, "Duplicate order sent.")
    order = Order(
        oid=core.new_oid(), market=MARKET, symbol=inst.symbol, account=ctx.account, client_id=cid,
        side=side, type=type_, tif=tif or "GTC", price=price, qty=qty, quote_qty=quote_qty, stop_price=stop,
        post_only=type_ == "LIMIT_MAKER",
    )
    if type_ in CONDITIONAL_TYPES:
        order.trigger_dir = trigger_dir(type_, side)
    return order, resp


def new_order(ctx: Ctx, p: Params):
    order, resp = build_order(ctx, p)
    place_order(ctx, order)
    return order_response(order, resp)


def test_order(ctx: Ctx, p: Params):
    build_order(ctx, p)
    return {}


def _lookup(ctx: Ctx, p: Params, inst, *, unknown: BinanceError, prefix: str = "") -> Order:
    oid = p.int_(prefix + ("orderId" if not prefix else "OrderId"))
    cid = p.get(prefix + ("origClientOrderId" if not prefix else "OrigClientOrderId"))
    if oid is None and cid is None:
        if prefix:
            raise BinanceError(-1102, "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be sent, but both were empty/null!")
        raise BinanceError(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
    core = ctx.sim.core
    order = core.find(MARKET, ctx.account, oid, inst.symbol) if oid is not None else \
        core.find_client(MARKET, ctx.account, cid, inst.symbol)
    if order is None:
        raise unknown
    if oid is not None and cid is not None and order.client_id != cid:
        raise unknown
    return order


def _cancel_one(ctx: Ctx, p: Params, inst, order: Order, new_cid: str | None) -> dict:
    lst = order.extra.get("list")
    if lst is not None and not lst.done and p.get("cancelRestrictions") is None:
        # "Canceling an individual order from an order list will cancel the entire order list."
        order_lists.cancel_list(ctx, lst, new_cid)
        return cancel_json(order)
    if not order.is_open:
        raise BinanceError(-2011, "Unknown order sent.")
    restrict = p.get("cancelRestrictions")
    if restrict is not None:
        if restrict not in ("ONLY_NEW", "ONLY_PARTIALLY_FILLED"):
            raise BinanceError(-1145, "Invalid cancelRestrictions")
        if order.status != ("NEW" if restrict == "ONLY_NEW" else "PARTIALLY_FILLED"):
            raise BinanceError(-2011, "Order was not canceled due to cancel restrictions.")
    order.extra["cancel_client_id"] = new_cid or ctx.sim.gen_client_id("")
    ctx.sim.core.cancel(order)
    return cancel_json(order)


def cancel_order(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    order = _lookup(ctx, p, inst, unknown=BinanceError(-2011, "Unknown order sent."))
    return _cancel_one(ctx, p, inst, order, p.get("newClientOrderId"))


def cancel_all(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    open_ = [o for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol)
             if o.is_open or o.status == "PENDING_NEW"]
    if not open_:
        raise BinanceError(-2011, "Unknown order sent.")
    out, lists = [], []
    for o in open_:
        lst = o.extra.get("list")
        if lst is None:
            out.append(_cancel_one(ctx, p, inst, o, None))
        elif lst not in lists:      # an order list is answered as one entry ("orderReports" inside)
            lists.append(lst)
            out.append(order_lists.cancel_list(ctx, lst, None))
    return out


def cancel_replace(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    mode = p.enum("cancelReplaceMode", ("STOP_ON_FAILURE", "ALLOW_FAILURE"), -1130,
                  "Data sent for parameter 'cancelReplaceMode' is not valid.")
    cancel_resp = new_resp = None
    cancel_ok = new_ok = False
    try:
        order = _lookup(ctx, p, inst, unknown=BinanceError(-2011, "Unknown order sent."), prefix="cancel")
        cancel_resp = _cancel_one(ctx, p, inst, order, p.get("cancelNewClientOrderId"))
        cancel_ok = True
    except BinanceError as exc:
        if exc.code in (-1102, -1100, -1121):
            raise
        cancel_resp = exc.body()
    if cancel_ok or mode == "ALLOW_FAILURE":
        try:
            neworder, resp = build_order(ctx, p)
            place_order(ctx, neworder)
            new_resp = order_response(neworder, resp)
            new_ok = True
        except BinanceError as exc:
            new_resp = exc.body()
    data = {"cancelResult": "SUCCESS" if cancel_ok else "FAILURE",
            "newOrderResult": "SUCCESS" if new_ok else ("FAILURE" if new_resp else "NOT_ATTEMPTED"),
            "cancelResponse": cancel_resp, "newOrderResponse": new_resp}
    if cancel_ok and new_ok:
        return data
    if cancel_ok or new_ok:
        raise BinanceError(-2021, "Order cancel-replace partially failed.", http=409, data=data)
    raise BinanceError(-2022, "Order cancel-replace failed.", http=400, data=data)


def amend_keep_priority(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    new_qty = p.dec("newQty", required=True)
    order = _lookup(ctx, p, inst, unknown=BinanceError(-2013, "Order does not exist."))
    if not order.is_open:
        raise BinanceError(-2013, "Order does not exist.")
    if new_qty > order.qty:
        raise BinanceError(-2038, "Order amend (quantity increase) is not supported.")
    if new_qty == order.qty:
        raise BinanceError(-2038, "The requested action would change no state; rejecting")
    if new_qty <= 0 or (new_qty - inst.min_qty) % inst.step != 0:
        raise BinanceError(-1013, "Filter failure: LOT_SIZE")
    new_cid = p.get("newClientOrderId")
    if new_cid is not None and not CLIENT_ID.match(new_cid):
        raise BinanceError(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.")
    orig_cid = order.client_id
    new_cid = new_cid or ctx.sim.gen_client_id()     # (none sent: the venue draws one; the same one: it is kept)
    if new_cid != orig_cid:
        held = ctx.sim.core.by_client.setdefault((MARKET, ctx.account.key, new_cid), [])
        if any(o.is_open and o is not order for o in held):
            # (unconfirmed: the docs do not say what keepPriority answers to an id another open order holds;
            # answered as a new order with that id is, -2010)
            raise BinanceError(-2010, "Duplicate order sent.")
        if not any(o is order for o in held):   # (an id it had before, given back)
            held.append(order)
    order.client_id = new_cid
    ctx.sim.core.amend(order, qty=new_qty, keep_priority=True, exec_type="REPLACED")
    return {
        "transactTime": order.updated_ms, "executionId": ctx.sim.core.events_emitted,
        "amendedOrder": {
            "symbol": order.symbol, "orderId": order.oid, "orderListId": -1, "origClientOrderId": orig_cid,
            "clientOrderId": order.client_id, "price": f8(order.price), "qty": f8(order.qty),
            "executedQty": f8(order.filled), "preventedQty": f8(ZERO), "quoteOrderQty": f8(ZERO),
            "cumulativeQuoteQty": f8(order.cum_quote), "status": order.status, "timeInForce": order.tif,
            "type": order.type, "side": order.side, "workingTime": order.working_ms or -1,
            "selfTradePreventionMode": "NONE",
        },
    }


def query_order(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    return order_query_json(_lookup(ctx, p, inst, unknown=BinanceError(-2013, "Order does not exist.")))


def open_orders(ctx: Ctx, p: Params):
    symbol = p.get("symbol")
    if symbol is not None:
        instrument_of(ctx, p)
    # PENDING_NEW legs of an order list are listed with the open orders (wire text unconfirmed)
    return [order_query_json(o) for o in ctx.sim.core.account_orders(MARKET, ctx.account, symbol)
            if o.is_open or o.status == "PENDING_NEW"]


def all_orders(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    limit = min(p.int_("limit") or 500, 1000)
    from_id = p.int_("orderId")
    rows = [o for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol)
            if from_id is None or o.oid >= from_id]
    return [order_query_json(o) for o in rows[:limit]]
