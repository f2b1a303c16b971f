"""Bybit V5 orders: create, amend, cancel and cancel all (shared by REST and the WebSocket
trade stream; acknowledgements only, outcomes arrive on the private stream), the open and
history order lists, executions, and the order and execution rows.
"""

from __future__ import annotations

import re
import uuid

from engine.sim.bybit import tpsl
from engine.sim.bybit.common import MARKETS, bybit_order_id, category_of, inst_of, number, parse_order_id
from engine.sim.bybit.errors import BybitError
from engine.sim.core_types import CONDITIONAL_TYPES, MARKET_LIKE, Reject
from engine.sim.decimals import ZERO, decimals_of, floor_to, plain
from engine.sim.matching import Order

__all__ = ["create", "amend", "cancel", "cancel_all", "status_of", "order_row", "exec_row"]

LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
STATUS = {"NEW": "New", "PARTIALLY_FILLED": "PartiallyFilled", "FILLED": "Filled", "CANCELED": "Cancelled",
          "EXPIRED": "Cancelled", "REJECTED": "Rejected", "TRIGGERED": "Triggered"}
REJECT_REASON = {"post_only": "EC_PostOnlyWillTakeLiquidity", "fok": "EC_NoEnoughQtyToFill",
                 "ioc": "EC_NoImmediateQtyToFill", "no_liquidity": "EC_NoImmediateQtyToFill"}


# -- order entry (shared by REST and WebSocket trade) ------------------------------------------
def create(sim, account, args: dict) -> dict:
    cat = category_of(args)
    market = MARKETS[cat]
    inst = inst_of(sim, cat, args.get("symbol"))
    side = args.get("side")
    if side not in ("Buy", "Sell"):
        raise BybitError(10001, "params error: side invalid")
    otype = args.get("orderType")
    if otype not in ("Market", "Limit"):
        raise BybitError(10001, "params error: orderType invalid")
    qty = number(args, "qty", required=True)
    price = number(args, "price")
    trigger = number(args, "triggerPrice")
    tif = args.get("timeInForce") or ("IOC" if otype == "Market" else "GTC")
    if tif not in ("GTC", "IOC", "FOK", "PostOnly"):
        raise BybitError(10001, "params error: timeInForce invalid")
    if otype == "Market":
        tif = "IOC"
    if otype == "Limit" and price is None:
        raise BybitError(10001, "params error: price is empty")
    link = args.get("orderLinkId") or None
    if link is not None and not LINK_ID.match(str(link)):
        raise BybitError(10001, "params error: orderLinkId invalid")
    reduce_only = bool(args.get("reduceOnly")) and str(args.get("reduceOnly")).lower() != "false"
    core = sim.core
    last = core.last[(market, inst.symbol)]
    if cat == "spot":
        if price is not None and decimals_of(price) > inst.price_precision:
            raise BybitError(170134, "Order price decimal too long.")
        if decimals_of(qty) > inst.qty_precision:
            raise BybitError(170137, "Order quantity has too many decimals.")
        if qty < inst.min_qty:
            raise BybitError(170136, "Order quantity below the lower limit.")
        if (price or last) * qty < inst.min_notional:
            raise BybitError(170140, "Order value exceeded lower limit.")
    else:
        if price is not None and (price % inst.tick != 0):
            raise BybitError(10001, "params error: price invalid")
        qty = floor_to(qty, inst.step)
        if qty == 0:
            raise BybitError(110017, "orderQty will be truncated to zero.")
        if qty > inst.max_qty:
            raise BybitError(10001, "params error: qty invalid")
        if not reduce_only and (price or last) * qty < inst.min_notional:
            raise BybitError(110094, f"Order does not meet minimum order value {plain(inst.min_notional)}USDT")
    if link is not None and core.find_client(market, account, link) is not None:
        raise BybitError(170141 if cat == "spot" else 110072,
                         "Duplicate clientOrderId" if cat == "spot" else "OrderLinkedID is duplicate")
    if cat == "spot" and side == "Buy" and otype == "Market" and args.get("marketUnit", "quoteCoin") != "baseCoin":
        quote_qty, base_qty = qty, None      # spot market Buy: qty is a quote amount by default
    else:
        quote_qty, base_qty = None, qty
    itype = "LIMIT" if otype == "Limit" else "MARKET"
    direction = None
    if trigger is not None:
        itype = "CONDITIONAL_LIMIT" if otype == "Limit" else "CONDITIONAL_MARKET"
        td = args.get("triggerDirection")
        if cat == "linear" and td is None:
            raise BybitError(10001, "params error: triggerDirection is empty")
        if td is None:
            td = 1 if trigger > last else 2
        try:
            td = int(td)
        except (TypeError, ValueError):
            raise BybitError(10001, "params error: triggerDirection invalid") from None
        if td == 1 and trigger <= last:
            raise BybitError(110092, f"expect Rising, but trigger_price[{plain(trigger)}] <= current[{plain(last)}]")
        if td == 2 and trigger >= last:
            raise BybitError(110093, f"expect Falling, but trigger_price[{plain(trigger)}] >= current[{plain(last)}]")
        direction = "UP" if td == 1 else "DOWN"
        if quote_qty is not None:
            raise BybitError(10001, "params error: conditional market buy needs marketUnit=baseCoin")
    o = Order(oid=core.new_oid(), market=market, symbol=inst.symbol, account=account,
              client_id=link or "", side=side.upper(), type=itype, tif=tif if tif != "PostOnly" else "GTC",
              price=price if otype == "Limit" else None, qty=base_qty, quote_qty=quote_qty, stop_price=trigger,
              reduce_only=reduce_only, post_only=tif == "PostOnly", trigger_dir=direction)
    o.extra["bybit_tif"] = tif
    o.extra["bybit_type"] = otype
    tpsl.attach(sim, o, args, cat, last)
    try:
        core.place(o)
    except Reject as exc:
        if exc.reason == "insufficient_balance":
            raise BybitError(170131, "Insufficient balance.") from None
        if exc.reason == "margin":
            raise BybitError(110007, "ab not enough for new order") from None
        if exc.reason == "reduce_only":
            raise BybitError(110017, "Reduce-only order has same side with current position") from None
        raise BybitError(10001, f"params error: {exc.reason}") from None
    return {"orderId": bybit_order_id(o), "orderLinkId": o.client_id}


def _find(sim, account, args: dict, cat: str, inst) -> Order:
    market = MARKETS[cat]
    oid, link = args.get("orderId"), args.get("orderLinkId")
    if not oid and not link:
        raise BybitError(10001, "params error: orderId or orderLinkId is required")
    o = None
    if oid:
        n = parse_order_id(str(oid))
        o = sim.core.find(market, account, n, inst.symbol) if n is not None else None
    else:
        o = sim.core.find_client(market, account, str(link), inst.symbol)
    if o is None or not o.is_open:
        raise BybitError(170213 if cat == "spot" else 110001,
                         "Order does not exist." if cat == "spot" else "order not exists or too late to cancel")
    return o


def cancel(sim, account, args: dict) -> dict:
    cat = category_of(args)
    inst = inst_of(sim, cat, args.get("symbol"))
    o = _find(sim, account, args, cat, inst)
    o.cancel_type = "CancelByUser"
    sim.core.cancel(o)
    return {"orderId": bybit_order_id(o), "orderLinkId": o.client_id}


def amend(sim, account, args: dict) -> dict:
    cat = category_of(args)
    inst = inst_of(sim, cat, args.get("symbol"))
    o = _find(sim, account, args, cat, inst)
    qty, price, trigger = number(args, "qty"), number(args, "price"), number(args, "triggerPrice")
    if qty is None and price is None and trigger is None:
        raise BybitError(10001, "params error: nothing to amend")   # wire text unconfirmed
    if price is not None and price % inst.tick != 0:
        raise BybitError(10001, "params error: price invalid")
    if qty is not None and (qty % inst.step != 0 or qty <= 0):
        raise BybitError(10001, "params error: qty invalid")
    try:
        sim.core.amend(o, qty=qty, price=price, stop_price=trigger,
                       keep_priority=price is None and (qty is None or qty < o.qty), exec_type="AMENDMENT")
    except Reject:
        raise BybitError(170131 if cat == "spot" else 110007,
                         "Insufficient balance." if cat == "spot" else "ab not enough for new order") from None
    return {"orderId": bybit_order_id(o), "orderLinkId": o.client_id}


def cancel_all(sim, account, args: dict) -> dict:
    cat = category_of(args)
    market = MARKETS[cat]
    symbol = args.get("symbol")
    if symbol:
        inst_of(sim, cat, symbol)
    out = []
    for o in sim.core.account_orders(market, account, symbol or None):
        if o.is_open:
            o.cancel_type = "CancelByUser"
            sim.core.cancel(o)
            out.append({"orderId": bybit_order_id(o), "orderLinkId": o.client_id})
    return {"list": out, "success": "1"}


# -- shapes -------------------------------------------------------------------------------------
def type_of(o: Order) -> str:
    """``orderType``: as the request said, else from the core's type (an order placed from the web UI)."""
    return o.extra.get("bybit_type") or ("Market" if o.type in MARKET_LIKE else "Limit")


def tif_of(o: Order) -> str:
    return o.extra.get("bybit_tif") or ("IOC" if o.type in MARKET_LIKE else o.tif)


def status_of(o: Order) -> str:
    if o.type in CONDITIONAL_TYPES and not o.triggered and o.status == "NEW":
        return "Untriggered"
    if o.status in ("CANCELED", "EXPIRED") and o.market == "yspot" and o.filled > 0:
        return "PartiallyFilledCanceled"
    if o.status == "EXPIRED" and o.type in CONDITIONAL_TYPES and not o.triggered:
        return "Deactivated"
    return STATUS.get(o.status, o.status)


def order_row(o: Order, *, category: bool = False) -> dict:
    row = {
        "orderId": bybit_order_id(o), "orderLinkId": o.client_id, "parentOrderLinkId": "", "blockTradeId": "",
        "symbol": o.symbol,
        "price": plain(o.price), "qty": plain(o.qty), "side": o.side.capitalize(), "isLeverage": "",
        "positionIdx": 0, "orderStatus": status_of(o), "createType": "CreateByUser",
        "cancelType": o.cancel_type or "UNKNOWN",
        "rejectReason": REJECT_REASON.get(o.reject_reason or "", "EC_NoError"),
        "avgPrice": plain(o.avg_price) if o.filled else "", "leavesQty": plain(o.remaining if o.is_open else ZERO),
        "leavesValue": plain((o.price or ZERO) * o.remaining if o.is_open else ZERO),
        "cumExecQty": plain(o.filled), "cumExecValue": plain(o.cum_quote), "cumExecFee": plain(o.commission),
        "timeInForce": tif_of(o), "orderType": type_of(o),
        "stopOrderType": "Stop" if o.type in CONDITIONAL_TYPES else "", "orderIv": "",
        "marketUnit": "quoteCoin" if o.quote_qty is not None else "", "triggerPrice": plain(o.stop_price),
        "takeProfit": "", "stopLoss": "", "tpslMode": "", "ocoTriggerBy": "", "tpLimitPrice": "",
        "slLimitPrice": "", "tpTriggerBy": "", "slTriggerBy": "",
        "triggerDirection": {"UP": 1, "DOWN": 2}.get(o.trigger_dir or "", 0),
        "triggerBy": "LastPrice" if o.stop_price is not None else "",
        "lastPriceOnCreated": plain(o.price_at_create), "reduceOnly": o.reduce_only, "closeOnTrigger": False,
        "placeType": "", "smpType": "None", "smpGroup": 0, "smpOrderId": "",
        "createdTime": str(o.created_ms), "updatedTime": str(o.updated_ms),
    }
    row.update(tpsl.row_fields(o))
    if category:
        row["category"] = "spot" if o.market == "yspot" else "linear"
        row["feeCurrency"] = o.commission_asset or ""
        row["closedPnl"] = plain(o.realized)
    return row


ORDER_FILTERS = ("Order", "StopOrder", "tpslOrder", "OcoOrder", "BidirectionalTpslOrder")


def _kind(o: Order) -> str:
    """The ``orderFilter`` an order answers to: a conditional order not yet triggered (TP/SL exits of a
    linear position among them) is a StopOrder; the rest are Orders.  Spot TP/SL, OCO and
    bidirectional TP/SL orders are not simulated, so their filters list nothing."""
    return "StopOrder" if o.type in CONDITIONAL_TYPES and not o.triggered else "Order"


def list_orders(sim, account, q: dict, *, open_only: bool) -> dict:
    """``order/realtime`` (open orders) and ``order/history`` (closed ones); ``orderFilter`` narrows them to
    one kind, every kind by default (a unified account's default)."""
    cat = category_of(q)
    market = MARKETS[cat]
    symbol = q.get("symbol") or None
    if symbol:
        inst_of(sim, cat, symbol)
    wanted = q.get("orderFilter") or None
    if wanted is not None and wanted not in ORDER_FILTERS:
        raise BybitError(10001, "params error: orderFilter invalid")
    rows = []
    for o in reversed(sim.core.account_orders(market, account, symbol)):
        if wanted is not None and _kind(o) != wanted:
            continue
        if open_only and not (o.is_open or (q.get("openOnly") == "1")):
            continue
        if not open_only and o.is_open:
            continue
        if q.get("orderId") and bybit_order_id(o) != q.get("orderId"):
            continue
        if q.get("orderLinkId") and o.client_id != q.get("orderLinkId"):
            continue
        rows.append(order_row(o))
    limit = int(q.get("limit") or 20)
    return {"category": cat, "nextPageCursor": "", "list": rows[:limit]}


def executions_route(sim, account, q: dict) -> dict:
    cat = category_of(q)
    market = MARKETS[cat]
    rows = []
    want_id, want_link = q.get("orderId") or None, q.get("orderLinkId") or None
    for o in sim.core.account_orders(market, account, q.get("symbol") or None):
        if (want_id and bybit_order_id(o) != want_id) or (want_link and o.client_id != want_link):
            continue
        for fill, fee, asset, maker in o.fills:
            rows.append(exec_row(sim, o, fill, fee, maker))
    rows.reverse()
    return {"category": cat, "nextPageCursor": "", "list": rows[: int(q.get("limit") or 50)]}


def exec_row(sim, o: Order, fill, fee, maker: bool) -> dict:
    """One execution; ``feeRate`` is the rate charged, the instrument's maker or taker rate."""
    inst = sim.core.instruments[(o.market, o.symbol)]
    inst_rate = plain(inst.maker_fee if maker else inst.taker_fee)
    return {
        "symbol": o.symbol, "orderId": bybit_order_id(o), "orderLinkId": o.client_id, "side": o.side.capitalize(),
        "orderPrice": plain(o.price), "orderQty": plain(o.qty), "leavesQty": plain(o.remaining),
        "createType": o.extra.get("create_type", "CreateByUser"), "orderType": type_of(o),
        "stopOrderType": o.extra.get("stop_order_type", ""), "execFee": plain(fee), "execId": str(uuid.UUID(int=fill.trade_id)),
        "execPrice": plain(fill.price), "execQty": plain(fill.qty), "execType": "Trade",
        "execValue": plain(fill.price * fill.qty), "execTime": str(fill.ts), "feeCurrency": o.commission_asset,
        "isMaker": maker, "feeRate": inst_rate, "tradeIv": "", "markIv": "", "markPrice": plain(fill.price),
        "indexPrice": "", "underlyingPrice": "", "blockTradeId": "", "closedSize": "0", "seq": fill.trade_id,
        "extraFees": "",
    }
