"""Binance spot order lists in the simulator: OTOCO (``POST /api/v3/orderList/otoco``).

An OTOCO is three orders (rest-api.md, "New Order list - OTOCO"): a working order
(``LIMIT`` or ``LIMIT_MAKER``) that goes on the book at once, and two pending orders,
above and below, that form an OCO pair.  Rules kept here:

1. The pending orders are ``PENDING_NEW`` until the working order is **fully** filled;
   then both are placed (executionReport ``x=NEW``) and the list reports an update.
2. When one order of the OCO pair fills (a limit leg) or triggers (a stop leg), the other
   expires (``EXPIRED``, expiry reason ``OCO_TRIGGER``, user-data-stream.md).
3. Cancelling any order of the list cancels the whole list ("Canceling an individual
   order from an order list will cancel the entire order list", DELETE /api/v3/orderList).
4. Every change of the list is a ``listStatus`` event (``EXEC_STARTED``/``EXECUTING``
   while it runs, ``ALL_DONE`` when no order of it is left open).

The legs are ordinary core orders carrying ``extra["list"]``; the list watches the core's
order events (:attr:`engine.sim.core.Core.watchers`).
"""

from __future__ import annotations

from itertools import count

from engine.sim.binance.errors import BinanceError, mandatory
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.spot_common import CLIENT_ID, MARKET, SIDES, filters_of, instrument_of, place_order, trigger_dir
from engine.sim.binance.spot_shapes import cancel_json, order_response
from engine.sim.core_types import Event, Reject, now_ms
from engine.sim.matching import Order
from engine.sim.binance.state import state_of

__all__ = ["OrderList", "place_otoco", "cancel_list", "list_json", "query_list", "open_lists", "cancel_list_route"]

WORKING_TYPES = ("LIMIT", "LIMIT_MAKER")
ABOVE_TYPES = ("STOP_LOSS_LIMIT", "STOP_LOSS", "LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
BELOW_TYPES = ("STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
_list_ids = count(1)


class OrderList:
    """One OTOCO: the working order and the pending pair (above, below)."""

    __slots__ = ("list_id", "client_id", "symbol", "account", "working", "above", "below", "status",
                 "contingency", "created_ms", "updated_ms", "placing")

    def __init__(self, client_id: str, symbol: str, account, working: Order, above: Order, below: Order) -> None:
        self.list_id = next(_list_ids)
        self.client_id = client_id
        self.symbol = symbol
        self.account = account
        self.working, self.above, self.below = working, above, below
        self.status = "EXECUTING"
        # The docs' OTOCO response example says "OTO" (rest-api.md); enums.md lists only OCO and OTO.
        self.contingency = "OTO"
        self.created_ms = self.updated_ms = now_ms()
        self.placing = True       # until the placement answer is built: activation waits for it

    @property
    def orders(self) -> tuple[Order, Order, Order]:
        return self.working, self.above, self.below

    @property
    def done(self) -> bool:
        return not any(o.is_open or o.status == "PENDING_NEW" for o in self.orders)


# -- placement -------------------------------------------------------------------------------------
def _leg(ctx: Ctx, p: Params, prefix: str, type_: str, side: str, qty, inst, core) -> Order:
    price = p.dec(prefix + "Price")
    stop = p.dec(prefix + "StopPrice")
    tif = p.get(prefix + "TimeInForce")
    needs_price = type_ in ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
    needs_stop = type_ in ("STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
    if needs_price and price is None:
        raise mandatory(prefix + "Price")
    if needs_stop and stop is None:
        raise mandatory(prefix + "StopPrice")
    if type_ in ("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT") and tif is None:
        raise mandatory(prefix + "TimeInForce")
    if tif is not None and tif not in ("GTC", "IOC", "FOK"):
        raise BinanceError(-1115, "Invalid timeInForce.")
    if not needs_price and price is not None:
        raise BinanceError(-1106, f"Parameter '{prefix}Price' sent when not required.")
    if not needs_stop and stop is not None:
        raise BinanceError(-1106, f"Parameter '{prefix}StopPrice' sent when not required.")
    cid = p.get(prefix + "ClientOrderId")
    if cid is not None and not CLIENT_ID.match(cid):
        raise BinanceError(-1100, f"Illegal characters found in parameter '{prefix}ClientOrderId'; "
                                  "legal range is '^[a-zA-Z0-9-_]{1,36}$'.")
    last = core.last.get((MARKET, inst.symbol))
    filters_of(inst, "MARKET" if type_ in ("STOP_LOSS", "TAKE_PROFIT") else type_, price, qty, last)
    if stop is not None:
        filters_of(inst, type_, stop, None, last)
    if cid is None:
        cid = ctx.sim.gen_client_id("web_")
    else:
        dup = core.find_client(MARKET, ctx.account, cid, inst.symbol)
        if dup is not None and (dup.is_open or dup.status == "PENDING_NEW"):
            raise BinanceError(-2010, "Duplicate order sent.")
    o = Order(oid=core.new_oid(), market=MARKET, symbol=inst.symbol, account=ctx.account, client_id=cid,
              side=side, type=type_, tif=tif or "GTC", price=price, qty=qty, stop_price=stop,
              post_only=type_ == "LIMIT_MAKER")
    if needs_stop:
        o.trigger_dir = trigger_dir(type_, side)
    return o


def _check_pair(side: str, above: Order, below: Order) -> None:
    """OCO price rules (rest-api.md, "New Order list - OCO"): the above leg's price above the below leg's."""
    hi = above.price if above.type == "LIMIT_MAKER" else above.stop_price
    lo = below.stop_price
    if hi is None or lo is None or hi <= lo:
        raise BinanceError(-2010, "The relationship of the prices for the orders is not correct.")
    limit_above = above.type in ("LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
    stop_below = below.type in ("STOP_LOSS", "STOP_LOSS_LIMIT")
    if side == "SELL":
        if not limit_above:
            raise BinanceError(-1166, "A limit order in a sell OCO must be above.")
        if not stop_below:
            raise BinanceError(-1197, "A stop loss order in a sell OCO must be below.")
    else:
        if above.type not in ("STOP_LOSS", "STOP_LOSS_LIMIT"):
            raise BinanceError(-1196, "A stop loss order in a buy OCO must be above.")
        if below.type not in ("TAKE_PROFIT", "TAKE_PROFIT_LIMIT"):
            raise BinanceError(-1198, "A take profit order in a buy OCO must be below.")


def place_otoco(ctx: Ctx, p: Params):
    core = ctx.sim.core
    inst = instrument_of(ctx, p)
    wtype = p.enum("workingType", WORKING_TYPES, -1116, "Invalid orderType.")
    wside = p.enum("workingSide", SIDES, -1117, "Invalid side.")
    pside = p.enum("pendingSide", SIDES, -1117, "Invalid side.")
    wqty = p.dec("workingQuantity", required=True)
    pqty = p.dec("pendingQuantity", required=True)
    atype = p.need("pendingAboveType")
    if atype not in ABOVE_TYPES:
        raise BinanceError(-1158, "Order type not supported in OCO.")
    btype = p.get("pendingBelowType")
    if btype is None:
        raise mandatory("pendingBelowType")      # wire text unconfirmed: the table marks it optional
    if btype not in BELOW_TYPES:
        raise BinanceError(-1158, "Order type not supported in OCO.")
    resp = p.get("newOrderRespType") or "ACK"   # wire text unconfirmed: the default for lists
    if resp not in ("ACK", "RESULT", "FULL"):
        raise BinanceError(-1136, "Invalid newOrderRespType.")
    list_cid = p.get("listClientOrderId")
    if list_cid is not None and not CLIENT_ID.match(list_cid):
        raise BinanceError(-1100, "Illegal characters found in parameter 'listClientOrderId'; "
                                  "legal range is '^[a-zA-Z0-9-_]{1,36}$'.")
    lists = state_of(ctx.sim).order_lists
    if list_cid is not None and any(lst.client_id == list_cid and lst.account is ctx.account and not lst.done
                                    for lst in lists.values()):
        raise BinanceError(-2010, "Duplicate order sent.")   # wire text unconfirmed for lists
    working = _leg(ctx, p, "working", wtype, wside, wqty, inst, core)
    above = _leg(ctx, p, "pendingAbove", atype, pside, pqty, inst, core)
    below = _leg(ctx, p, "pendingBelow", btype, pside, pqty, inst, core)
    if len({working.client_id, above.client_id, below.client_id}) < 3:
        raise BinanceError(-2010, "Duplicate order sent.")
    _check_pair(pside, above, below)
    lst = OrderList(list_cid or ctx.sim.gen_client_id(""), inst.symbol, ctx.account, working, above, below)
    for o in (working, above, below):
        o.extra["list"] = lst
    _watch(core)
    ts = now_ms()
    for o in (above, below):                   # pending: known to queries and the stream, not on the book
        o.status = "PENDING_NEW"
        o.created_ms = o.updated_ms = ts
        core.register(o)
    try:
        place_order(ctx, working)                   # raises BinanceError (-2010 ...) if refused
    except BinanceError:
        for o in (above, below):
            o.status = "REJECTED"
        raise
    lists[lst.list_id] = lst
    for o in (above, below):
        core._order_event(o, "NEW")            # executionReport x=NEW X=PENDING_NEW
    _list_event(core, lst)
    # "if the working order gets immediately fully filled, the placement response will show the
    # working order as FILLED but the pending order will still appear as PENDING_NEW"
    answer = list_json(lst, resp)
    lst.placing = False
    if working.status == "FILLED":
        _activate(core, lst)
    return answer


# -- the list's life -------------------------------------------------------------------------------
def _watch(core) -> None:
    if getattr(core, "_order_lists_watched", False):
        return
    core._order_lists_watched = True

    def on_order_event(order: Order, exec_type: str, fill) -> None:
        lst = order.extra.get("list")
        if lst is not None:
            _step(core, lst, order, exec_type)

    core.watchers.append(on_order_event)


def _step(core, lst: OrderList, order: Order, exec_type: str) -> None:
    if order is lst.working:
        if order.status == "FILLED" and lst.above.status == "PENDING_NEW" and not lst.placing:
            _activate(core, lst)
        elif order.status in ("CANCELED", "EXPIRED", "REJECTED"):
            for leg in (lst.above, lst.below):
                if leg.status == "PENDING_NEW":
                    leg.status = "EXPIRED"
                    leg.expiry_reason = "oto_phase_one_expired"   # wire text unconfirmed for a user cancel
                    leg.updated_ms = now_ms()
                    core._order_event(leg, "EXPIRED")
            _list_event(core, lst)
        return
    twin = lst.below if order is lst.above else lst.above
    fired = exec_type == "TRADE" or exec_type == "TRIGGERED"
    if fired and twin.is_open:
        twin.expiry_reason = "oco_trigger"
        core.cancel(twin, status="EXPIRED")
    elif exec_type == "CANCELED" and twin.is_open:
        twin.extra["cancel_client_id"] = order.extra.get("cancel_client_id")
        core.cancel(twin)
    if lst.done and lst.status != "ALL_DONE":
        _list_event(core, lst)


def _activate(core, lst: OrderList) -> None:
    """The working order is fully filled: the OCO pair goes to work."""
    for leg in (lst.above, lst.below):
        if leg.status != "PENDING_NEW":
            continue
        leg.status = None
        try:
            core.place(leg)
        except Reject as exc:
            leg.status = "EXPIRED"
            leg.expiry_reason = "rejected"     # user-data-stream.md: expiry reason REJECTED
            leg.reject_reason = exc.reason
            leg.updated_ms = now_ms()
            core._order_event(leg, "EXPIRED")
    _list_event(core, lst)


def _list_event(core, lst: OrderList) -> None:
    lst.updated_ms = now_ms()
    if lst.done:
        lst.status = "ALL_DONE"
    core.emit(Event("list", MARKET, lst.account, symbol=lst.symbol, detail=lst))


def cancel_list(ctx: Ctx, lst: OrderList, new_cid: str | None) -> dict:
    """Cancel every order of the list that is still open or pending."""
    core = ctx.sim.core
    cid = new_cid or ctx.sim.gen_client_id("")
    for o in lst.orders:            # pending ones first: the working order's end would expire them
        if o.status == "PENDING_NEW":
            o.extra["cancel_client_id"] = cid
            o.status = "CANCELED"
            o.updated_ms = now_ms()
            core._order_event(o, "CANCELED")
    for o in lst.orders:
        if o.is_open:
            o.extra["cancel_client_id"] = cid
            core.cancel(o)
    if lst.status != "ALL_DONE":
        _list_event(core, lst)
    return list_json(lst, "RESULT", cancelled=True)


# -- shapes and queries ---------------------------------------------------------------------------
def list_status_type(lst: OrderList) -> str:
    return "ALL_DONE" if lst.status == "ALL_DONE" else "EXEC_STARTED"


def list_json(lst: OrderList, resp: str = "ACK", *, cancelled: bool = False, reports: bool = True) -> dict:
    out = {"orderListId": lst.list_id, "contingencyType": lst.contingency,
           "listStatusType": list_status_type(lst), "listOrderStatus": lst.status,
           "listClientOrderId": lst.client_id, "transactionTime": lst.updated_ms, "symbol": lst.symbol,
           "orders": [{"symbol": o.symbol, "orderId": o.oid, "clientOrderId": o.client_id} for o in lst.orders]}
    if reports:
        out["orderReports"] = [cancel_json(o) if cancelled else order_response(o, resp) for o in lst.orders]
    return out


def list_event_json(ev) -> dict:
    lst = ev.detail
    return {"e": "listStatus", "E": ev.ts, "s": lst.symbol, "g": lst.list_id, "c": lst.contingency,
            "l": list_status_type(lst), "L": lst.status, "r": "NONE", "C": lst.client_id, "T": ev.ts,
            "O": [{"s": o.symbol, "i": o.oid, "c": o.client_id} for o in lst.orders]}


def _find_list(ctx: Ctx, p: Params, cid_param: str) -> OrderList:
    lid = p.int_("orderListId")
    cid = p.get(cid_param)
    if lid is None and cid is None:
        raise BinanceError(-1102, f"Param 'orderListId' or '{cid_param}' must be sent, but both were empty/null!")
    lists = state_of(ctx.sim).order_lists
    found = None
    if lid is not None:
        found = lists.get(lid)
        if found is not None and cid is not None and found.client_id != cid:
            found = None
    else:
        for lst in reversed(list(lists.values())):
            if lst.client_id == cid and lst.account is ctx.account:
                found = lst
                break
    if found is None or found.account is not ctx.account:
        # wire text unconfirmed: the docs name no error for an unknown list; cancels answer like an
        # unknown order (-2011), queries like a missing order (-2013)
        if cid_param == "listClientOrderId":
            raise BinanceError(-2011, "Unknown order sent.")
        raise BinanceError(-2013, "Order list does not exist.")
    return found


def cancel_list_route(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    lst = _find_list(ctx, p, "listClientOrderId")
    if lst.symbol != inst.symbol or lst.done:
        raise BinanceError(-2011, "Unknown order sent.")
    return cancel_list(ctx, lst, p.get("newClientOrderId"))


def query_list(ctx: Ctx, p: Params):
    return list_json(_find_list(ctx, p, "origClientOrderId"), reports=False)


def open_lists(ctx: Ctx, p: Params):
    lists = state_of(ctx.sim).order_lists
    return [list_json(lst, reports=False) for lst in lists.values() if lst.account is ctx.account and not lst.done]
