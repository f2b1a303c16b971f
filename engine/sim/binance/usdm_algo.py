"""Binance USD-M Algo Service conditional orders on ``/fapi/v1/algoOrder``: STOP,
TAKE_PROFIT (limit and market) and TRAILING_STOP_MARKET with ``triggerPrice`` and
``clientAlgoId``; new, cancel, cancel all, query, open and all algo orders, and their JSON
shape.  When one fires, the core spawns the child order (:mod:`engine.sim.triggers`).
"""

from __future__ import annotations

from engine.sim.binance.errors import BinanceError, mandatory
from engine.sim.binance.rest import Ctx, Params
from engine.sim.binance.usdm_common import (ALGO_TYPES, INSTRUMENTS, MARKET, TIFS, check_price, check_qty, client_id_of,
                                            common_params, instrument_of, notional_of, number, price_text, qty_text,
                                            reject_error)
from engine.sim.core_types import Reject
from engine.sim.decimals import ZERO, parse_number
from engine.sim.matching import Order

__all__ = ["new_algo", "cancel_algo", "cancel_all_algo", "query_algo", "open_algos", "all_algos", "algo_json",
           "ALGO_STATUS"]


def new_algo(ctx: Ctx, p: Params):
    algo_type = p.need("algoType")
    if algo_type != "CONDITIONAL":
        raise BinanceError(-1130, "Data sent for parameter 'algoType' is not valid.")
    type_ = p.need("type")
    if type_ not in ALGO_TYPES:
        raise BinanceError(-1116, "Invalid orderType.")
    inst, side, reduce_only = common_params(ctx, p)
    close_pos = p.boolean("closePosition")
    qty = number(p, "quantity", inst, "qty", required=not close_pos)
    price = number(p, "price", inst, "price")
    trigger = number(p, "triggerPrice", inst, "price", required=type_ != "TRAILING_STOP_MARKET")
    working = p.get("workingType", "CONTRACT_PRICE")
    if working not in ("MARK_PRICE", "CONTRACT_PRICE"):
        raise BinanceError(-1130, "Data sent for parameter 'workingType' is not valid.")
    tif = p.enum("timeInForce", TIFS, -1115, "Invalid timeInForce.", required=False) or "GTC"
    if type_ in ("STOP", "TAKE_PROFIT") and price is None:
        raise mandatory("price")
    if close_pos and (qty is not None or reduce_only):
        raise BinanceError(-4137 if qty is not None else -4138,
                           "Quantity must be zero with closePosition equals true." if qty is not None
                           else "Reduce only must be true with closePosition equals true.")  # wire text unconfirmed
    check_price(inst, price)
    check_price(inst, trigger)
    if qty is not None:
        check_qty(inst, qty, price is None)
    core = ctx.sim.core
    activate = callback = None
    if type_ == "TRAILING_STOP_MARKET":
        callback = number(p, "callbackRate", required=True)
        if callback < parse_number("0.1") or callback > 10:
            raise BinanceError(-4136, "Invalid callBack rate.")   # wire text unconfirmed
        activate = number(p, "activatePrice", inst, "price")
    ref = price or trigger or core.last[(MARKET, inst.symbol)]
    if qty is not None:
        notional_of(inst, ref, qty, reduce_only or close_pos)
    cid = client_id_of(ctx, p, "clientAlgoId", inst.symbol, algo=True)
    if type_ in ("STOP", "STOP_MARKET"):
        direction = "UP" if side == "BUY" else "DOWN"
    else:
        direction = "DOWN" if side == "BUY" else "UP"
    o = Order(oid=core.new_oid(), market=MARKET, symbol=inst.symbol, account=ctx.account, client_id=cid,
              side=side, type=type_, tif=tif, price=price, qty=qty if qty is not None else ZERO,
              stop_price=trigger, reduce_only=reduce_only, close_position=close_pos, working_type=working,
              trigger_dir=direction, activate_price=activate, callback_rate=callback, algo=True)
    try:
        core.place(o)
    except Reject as exc:
        raise reject_error(exc) from None
    return algo_json(o)


ALGO_STATUS = {"NEW": "NEW", "CANCELED": "CANCELED", "TRIGGERED": "TRIGGERED", "FINISHED": "FINISHED",
               "REJECTED": "REJECTED", "EXPIRED": "EXPIRED"}


def algo_json(o: Order) -> dict:
    inst = INSTRUMENTS[o.symbol]
    child = o.extra.get("child")
    return {
        "algoId": o.oid, "clientAlgoId": o.client_id, "algoType": "CONDITIONAL", "orderType": o.type,
        "symbol": o.symbol, "side": o.side, "positionSide": "BOTH", "timeInForce": o.tif,
        "quantity": qty_text(inst, o.qty), "algoStatus": ALGO_STATUS.get(o.status, o.status),
        "actualOrderId": str(child.oid) if child else "", "actualPrice": price_text(inst, child.avg_price) if child else "0",
        "triggerPrice": price_text(inst, o.stop_price), "price": price_text(inst, o.price), "icebergQuantity": None,
        "tpTriggerPrice": "0", "tpPrice": "0", "slTriggerPrice": "0", "slPrice": "0", "tpOrderType": "",
        "selfTradePreventionMode": "NONE", "workingType": o.working_type, "priceMatch": "NONE",
        "closePosition": o.close_position, "priceProtect": False, "reduceOnly": o.reduce_only,
        "activatePrice": price_text(inst, o.activate_price) if o.activate_price is not None else "",
        "callbackRate": str(o.callback_rate) if o.callback_rate is not None else "",
        "createTime": o.created_ms, "updateTime": o.updated_ms,
        "triggerTime": o.updated_ms if o.triggered else 0, "goodTillDate": 0,
    }


def _algo_lookup(ctx: Ctx, p: Params) -> Order:
    aid = p.int_("algoId")
    cid = p.get("clientAlgoId")
    if aid is None and cid is None:
        raise BinanceError(-1102, "Param 'clientAlgoId' or 'algoId' must be sent, but both were empty/null!")
    core = ctx.sim.core
    o = core.find(MARKET, ctx.account, aid) if aid is not None else core.find_client(MARKET, ctx.account, cid, algo=True)
    if o is None or not o.algo:
        raise BinanceError(-2011, "Unknown order sent.")
    return o


def cancel_algo(ctx: Ctx, p: Params):
    o = _algo_lookup(ctx, p)
    if o.status != "NEW":
        raise BinanceError(-2011, "Unknown order sent.")
    ctx.sim.core.cancel(o)
    return {"algoId": o.oid, "clientAlgoId": o.client_id, "code": "200", "msg": "success"}


def cancel_all_algo(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol):
        if o.algo and o.status == "NEW":
            ctx.sim.core.cancel(o)
    return {"code": 200, "msg": "The operation of cancel all open order is done."}


def query_algo(ctx: Ctx, p: Params):
    return algo_json(_algo_lookup(ctx, p))


def open_algos(ctx: Ctx, p: Params):
    symbol = p.get("symbol")
    return [algo_json(o) for o in ctx.sim.core.account_orders(MARKET, ctx.account, symbol)
            if o.algo and o.status == "NEW"]


def all_algos(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    return [algo_json(o) for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol) if o.algo]
