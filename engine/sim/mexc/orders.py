"""MEXC spot orders on ``/api/v3`` (mexc-spot.md §4): new (and test), batch, cancel, cancel all,
query, open orders, all orders.

Rules followed: IOC, FOK and post-only are order types (``IMMEDIATE_OR_CANCEL``, ``FILL_OR_KILL``,
``LIMIT_MAKER``), a ``timeInForce`` parameter is tolerated and ignored; LIMIT types need quantity
and price; a MARKET BUY spends ``quoteOrderQty``, a MARKET SELL sells ``quantity`` (the sheet's
stricter rule); ``stpMode`` is checked and echoed but never acts (it needs an STP strategy group,
which no simulated account has); order ids are opaque strings; the new-order answer is a receipt.

Unconfirmed, and so switchable (:mod:`.state`): the cancel answer's ``status``, the -2013 window
after a create, duplicate client ids.  Unconfirmed and fixed here: a price off the tick or a
quantity off the step answers 33333 (param error); a post-only order that would take, an IOC that
cannot fill and an FOK that cannot fill whole are recorded and cancelled (status CANCELED).
"""

from __future__ import annotations

import json

from engine.sim.core_types import Reject, now_ms
from engine.sim.matching import Order
from engine.sim.mexc.errors import NO_ORDER, UNKNOWN_ORDER, MexcError, mandatory
from engine.sim.mexc.instruments import MARKET
from engine.sim.mexc.rest import Ctx, Params, order_id_of
from engine.sim.mexc.shapes import cancel_row, order_row, receipt, trade_row, wire_status
from engine.sim.mexc.state import state_of

__all__ = ["new_order", "test_order", "batch_orders", "cancel_order", "cancel_all", "query_order", "open_orders",
           "all_orders", "my_trades"]

SIDES = ("BUY", "SELL")
TYPES = ("LIMIT", "MARKET", "LIMIT_MAKER", "IMMEDIATE_OR_CANCEL", "FILL_OR_KILL")
STP = ("", "cancel_maker", "cancel_taker", "cancel_both")
_TIF = {"IMMEDIATE_OR_CANCEL": "IOC", "FILL_OR_KILL": "FOK"}
DAY_MS = 24 * 3600 * 1000


def build_order(ctx: Ctx, p: Params, *, batch: bool = False) -> Order:
    """Validate a new-order request as MEXC does; the order is not placed."""
    inst = p.symbol(ctx, api=True)
    side = p.enum("side", SIDES)
    raw_type = p.need("type")
    type_ = "LIMIT" if batch and raw_type == "LIMIT_ORDER" else raw_type    # the batch doc example's spelling
    if type_ not in TYPES:
        raise MexcError(33333, "param error: type")
    stp = p.get("stpMode", "")
    if stp not in STP:
        raise MexcError(33333, "param error: stpMode")
    qty, quote_qty, price = p.dec("quantity"), p.dec("quoteOrderQty"), p.dec("price")
    if type_ == "MARKET":
        if side == "BUY" and quote_qty is None:
            raise mandatory("quoteOrderQty")
        if side == "SELL" and qty is None:
            raise mandatory("quantity")
        price = None
    else:
        if qty is None:
            raise mandatory("quantity")
        if price is None:
            raise mandatory("price")
        if (price - inst.min_price) % inst.tick != 0 or price < inst.min_price or price > inst.max_price:
            raise MexcError(33333, "param error: price")
    if qty is not None:
        if (qty - inst.min_qty) % inst.step != 0 or qty < inst.min_qty:
            raise MexcError(33333, "param error: quantity")
        if qty > inst.max_qty:
            raise MexcError(30003, f"The maximum transaction volume cannot be greater than:{inst.max_qty}")
    core = ctx.sim.core
    ref = price if price is not None else core.last.get((MARKET, inst.symbol))
    value = quote_qty if quote_qty is not None else (ref * qty if ref is not None else None)
    if value is not None and value < inst.min_notional:
        raise MexcError(30002, f"The minimum transaction volume cannot be less than:{inst.min_notional}USDT")
    cid = p.get("newClientOrderId", "")
    state = state_of(ctx.sim)
    if cid and state.duplicate_client_id is not None and core.find_client(MARKET, ctx.account, cid) is not None:
        code, msg = state.duplicate_client_id
        raise MexcError(code, msg)
    order = Order(oid=core.new_oid(), market=MARKET, symbol=inst.symbol, account=ctx.account, client_id=cid,
                  side=side, type="MARKET" if type_ == "MARKET" else "LIMIT", tif=_TIF.get(type_, "GTC"),
                  price=price, qty=qty, quote_qty=quote_qty if type_ == "MARKET" else None,
                  post_only=type_ == "LIMIT_MAKER")
    order.extra["stp"] = stp
    if quote_qty is not None and type_ == "MARKET":
        order.extra["quote_qty"] = quote_qty
        order.extra["orig_qty"] = "0"
    return order


def _place(ctx: Ctx, order: Order) -> Order:
    try:
        return ctx.sim.core.place(order)
    except Reject as exc:
        if exc.reason == "insufficient_balance":
            if order.side == "SELL":
                raise MexcError(30004, "Insufficient position") from None
            raise MexcError(10101, "Insufficient balance") from None
        raise MexcError(30041, "current order type can not place order") from None


def new_order(ctx: Ctx, p: Params):
    return receipt(_place(ctx, build_order(ctx, p)))


def test_order(ctx: Ctx, p: Params):
    build_order(ctx, p)
    return {}


def batch_orders(ctx: Ctx, p: Params):
    """``batchOrders``: a JSON list of up to 20 orders of one symbol; one answer per order."""
    try:
        items = json.loads(p.need("batchOrders"))
    except ValueError:
        raise MexcError(33333, "param error: batchOrders") from None
    if not isinstance(items, list) or not 1 <= len(items) <= 20 or not all(isinstance(i, dict) for i in items):
        raise MexcError(33333, "param error: batchOrders")
    if len({str(i.get("symbol")) for i in items}) != 1:
        raise MexcError(33333, "param error: batchOrders (one symbol per batch)")
    out = []
    for item in items:
        ip = Params({str(k): str(v) for k, v in item.items()})
        try:
            o = _place(ctx, build_order(ctx, ip, batch=True))
            out.append({"symbol": o.symbol, "orderId": receipt(o)["orderId"], "orderListId": -1,
                        "newClientOrderId": o.client_id})
        except MexcError as exc:
            out.append({"newClientOrderId": ip.get("newClientOrderId", ""), "code": exc.code, "msg": exc.msg})
    return out


def _lookup(ctx: Ctx, p: Params, inst, missing: MexcError) -> Order:
    oid = order_id_of(p.get("orderId"))
    cid = p.get("origClientOrderId")
    if oid is None and cid is None:
        raise MexcError(700004, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null")
    core = ctx.sim.core
    order = core.find(MARKET, ctx.account, oid, inst.symbol) if oid is not None else \
        core.find_client(MARKET, ctx.account, cid, inst.symbol)
    if order is None or (oid is not None and cid is not None and order.client_id != cid):
        raise missing
    return order


def cancel_order(ctx: Ctx, p: Params):
    inst = p.symbol(ctx)
    order = _lookup(ctx, p, inst, UNKNOWN_ORDER())
    if not order.is_open:
        raise UNKNOWN_ORDER()
    before = wire_status(order)
    ctx.sim.core.cancel(order)
    status = before if state_of(ctx.sim).cancel_status == "pre" else wire_status(order)
    return cancel_row(order, status, p.get("origClientOrderId"))


def cancel_all(ctx: Ctx, p: Params):
    """``DELETE /api/v3/openOrders``: up to 5 symbols, comma-separated; the orders as cancelled."""
    symbols = p.need("symbol").split(",")
    if len(symbols) > 5:
        raise MexcError(33333, "param error: symbol (at most 5)")
    out = []
    for symbol in symbols:
        inst = Params({"symbol": symbol}).symbol(ctx)
        for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol):
            if o.is_open:
                ctx.sim.core.cancel(o)
                out.append(cancel_row(o, wire_status(o), None))
    return out


def query_order(ctx: Ctx, p: Params):
    inst = p.symbol(ctx)
    order = _lookup(ctx, p, inst, NO_ORDER())
    window = state_of(ctx.sim).read_after_write_ms
    if window and now_ms() - order.created_ms < window:
        state_of(ctx.sim).unseen_answers += 1
        raise NO_ORDER()         # the read-after-write gap (ccxt/ccxt#21614)
    return order_row(order)


def open_orders(ctx: Ctx, p: Params):
    inst = p.symbol(ctx)
    return [order_row(o) for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol) if o.is_open]


def _window(p: Params, default_ms: int, max_ms: int) -> tuple[int, int]:
    end = p.int_("endTime") or now_ms()
    start = p.int_("startTime") or end - default_ms
    if end - start > max_ms:
        raise MexcError(33333, "param error: startTime/endTime")
    return start, end


def all_orders(ctx: Ctx, p: Params):
    inst = p.symbol(ctx)
    start, end = _window(p, DAY_MS, 7 * DAY_MS)
    limit = min(p.int_("limit") or 500, 1000)
    rows = [o for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol) if start <= o.created_ms <= end]
    return [order_row(o) for o in rows[-limit:]]


def my_trades(ctx: Ctx, p: Params):
    inst = p.symbol(ctx)
    oid = order_id_of(p.get("orderId"))
    start, end = _window(p, 30 * DAY_MS, 30 * DAY_MS)
    limit = min(p.int_("limit") or 100, 100)
    rows = []
    for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol):
        if oid is not None and o.oid != oid:
            continue
        for fill, fee, asset, maker in o.fills:
            row = trade_row(o, fill, fee, asset, maker)
            if start <= row["time"] <= end:
                rows.append(row)
    rows.sort(key=lambda r: r["time"])
    return rows[-limit:]
