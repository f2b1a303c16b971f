"""Binance USD-M futures personality: ``/fapi`` REST handlers (orders, Algo Service
conditional orders, positions, account, leverage, listen keys) and the
ORDER_TRADE_UPDATE / ACCOUNT_UPDATE / ALGO_UPDATE payloads.

Since 2025-12-09 STOP/TAKE_PROFIT/TRAILING types on ``/fapi/v1/order`` answer -4120;
they live at ``/fapi/v1/algoOrder`` (``triggerPrice``, ``clientAlgoId``).
"""

from __future__ import annotations

import re

from engine.sim.binance_common import BinanceError, Ctx, Params, Route, mandatory
from engine.sim.core import Reject, now_ms
from engine.sim.decimals import ZERO, decimals_of, fixed, parse_number
from engine.sim.matching import Order

__all__ = ["ROUTES", "format_event"]

MARKET = "busdm"
WALLET = "binance-usdm"
CLIENT_ID = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")
ALGO_TYPES = ("STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET")
TIFS = ("GTC", "IOC", "FOK", "GTX")


def _px(inst, v) -> str:
    return fixed(v if v is not None else ZERO, inst.price_precision)


def _qty(inst, v) -> str:
    return fixed(v if v is not None else ZERO, inst.qty_precision)


def _instrument(ctx: Ctx, p: Params):
    inst = ctx.sim.core.instrument(MARKET, p.need("symbol"))
    if inst is None:
        raise BinanceError(-1121, "Invalid symbol.")
    return inst


def _num(p: Params, name: str, inst=None, kind: str = "price", required: bool = False):
    raw = p.need(name) if required else p.get(name)
    if raw is None:
        return None
    val = parse_number(raw)
    if val is None:
        raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '^([0-9]{{1,20}})(\\.[0-9]{{1,20}})?$'.")
    if inst is not None:
        limit = inst.price_precision if kind == "price" else inst.qty_precision
        if decimals_of(val) > limit:
            raise BinanceError(-1111, "Precision is over the maximum defined for this asset.")
    return val


def _check_price(inst, price) -> None:
    if price is None:
        return
    if price < inst.min_price:
        raise BinanceError(-4013, "Price less than min price.")
    if price > inst.max_price:
        raise BinanceError(-4016, "Limit price can't be higher than %s." % inst.max_price)
    if (price - inst.min_price) % inst.tick != 0:
        raise BinanceError(-4014, "Price not increased by tick size.")


def _check_qty(inst, qty, market: bool = False) -> None:
    if qty <= 0:
        raise BinanceError(-4003, "Quantity less than or equal to zero.")
    if qty < inst.min_qty:
        raise BinanceError(-4004, "Quantity less than min qty.")
    if qty > (inst.market_max_qty if market else inst.max_qty):
        raise BinanceError(-4005, "Quantity greater than max qty.")
    if (qty - inst.min_qty) % inst.step != 0:
        raise BinanceError(-4023, "Quantity not increased by step size.")


def _notional(inst, price, qty, reduce_only: bool) -> None:
    if not reduce_only and price * qty < inst.min_notional:
        raise BinanceError(-4164, f"Order's notional must be no smaller than {inst.min_notional} "
                                  "(unless you choose reduce only).")


REJECT = {
    "margin": (-2019, "Margin is insufficient."),
    "insufficient_balance": (-2019, "Margin is insufficient."),
    "reduce_only": (-2022, "ReduceOnly Order is rejected."),
    "would_take": (-5022, "Due to the order could not be executed as maker, the Post Only order will be rejected. "
                          "The order will not be recorded in the order history"),
    "fok": (-5021, "Due to the order could not be filled immediately, the FOK order has been rejected. "
                   "The order will not be recorded in the order history"),
    "would_trigger": (-2021, "Order would immediately trigger."),
    "bad_activation": (-4135, "Invalid activation price."),
}


def _reject(exc: Reject) -> BinanceError:
    code, msg = REJECT.get(exc.reason, (-2010, "New order rejected."))
    return BinanceError(code, msg)


def _common(ctx: Ctx, p: Params):
    inst = _instrument(ctx, p)
    side = p.enum("side", ("BUY", "SELL"), -1117, "Invalid side.")
    ps = p.get("positionSide", "BOTH")
    if ps not in ("BOTH", "LONG", "SHORT"):
        raise BinanceError(-4006, "Invalid position side.")   # wire text unconfirmed
    if ps != "BOTH":
        raise BinanceError(-4061, "Order's position side does not match user's setting.")
    reduce_only = p.boolean("reduceOnly")
    return inst, side, reduce_only


# -- orders ---------------------------------------------------------------------------
def new_order(ctx: Ctx, p: Params):
    type_ = p.need("type")
    if type_ in ALGO_TYPES:
        raise BinanceError(-4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.")
    if type_ not in ("LIMIT", "MARKET"):
        raise BinanceError(-1116, "Invalid orderType.")
    inst, side, reduce_only = _common(ctx, p)
    qty = _num(p, "quantity", inst, "qty", required=True)
    price = _num(p, "price", inst, "price")
    tif = p.enum("timeInForce", TIFS, -1115, "Invalid timeInForce.", required=type_ == "LIMIT")
    if type_ == "LIMIT" and price is None:
        raise mandatory("price")
    if type_ == "MARKET" and price is not None:
        raise BinanceError(-1106, "Parameter 'price' sent when not required.")
    resp = p.get("newOrderRespType", "ACK")
    if resp not in ("ACK", "RESULT"):
        raise BinanceError(-1136, "Invalid newOrderRespType.")
    _check_price(inst, price)
    _check_qty(inst, qty, type_ == "MARKET")
    core = ctx.sim.core
    _notional(inst, price if price is not None else core.last[(MARKET, inst.symbol)], qty, reduce_only)
    cid = _client_id(ctx, p, "newClientOrderId", inst.symbol)
    order = Order(oid=core.new_oid(), market=MARKET, symbol=inst.symbol, account=ctx.account, client_id=cid,
                  side=side, type=type_, tif=tif or "GTC", price=price, qty=qty, reduce_only=reduce_only,
                  post_only=tif == "GTX", working_type="CONTRACT_PRICE")
    try:
        core.place(order)
    except Reject as exc:
        raise _reject(exc) from None
    return order_json(order)


def _client_id(ctx: Ctx, p: Params, name: str, symbol: str, *, algo: bool = False) -> str:
    cid = p.get(name)
    if cid is None:
        return ctx.sim.gen_client_id("")
    if not CLIENT_ID.match(cid):
        raise BinanceError(-4015, "Client order id length should not be more than 36 chars")
    dup = ctx.sim.core.find_client(MARKET, ctx.account, cid, symbol, algo=algo)
    if dup is not None and (dup.is_open or (algo and dup.status == "NEW")):
        raise BinanceError(-4116, "ClientOrderId is duplicated.")
    return cid


def order_json(o: Order, *, query: bool = False) -> dict:
    from engine.sim.core import Core  # noqa: F401  (type context only)
    inst = _INST[o.symbol]
    out = {
        "orderId": o.oid, "symbol": o.symbol, "status": o.status, "clientOrderId": o.client_id,
        "price": _px(inst, o.price), "avgPrice": fixed(o.avg_price, inst.price_precision + 3),
        "origQty": _qty(inst, o.qty), "executedQty": _qty(inst, o.filled), "cumQty": _qty(inst, o.filled),
        "cumQuote": fixed(o.cum_quote, inst.price_precision + inst.qty_precision),
        "timeInForce": o.tif, "type": o.type, "reduceOnly": o.reduce_only,
        "closePosition": o.close_position, "side": o.side, "positionSide": "BOTH",
        "stopPrice": _px(inst, o.extra.get("stop_price")), "workingType": o.working_type or "CONTRACT_PRICE",
        "priceProtect": False, "origType": o.extra.get("orig_type", o.type), "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE", "goodTillDate": 0, "updateTime": o.updated_ms,
    }
    if query:
        out["time"] = o.created_ms
    return out


_INST: dict = {}


def _lookup(ctx: Ctx, p: Params, unknown: BinanceError) -> Order:
    inst = _instrument(ctx, p)
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
    inst = _INST[o.symbol]
    side = p.enum("side", ("BUY", "SELL"), -1117, "Invalid side.")
    qty = _num(p, "quantity", inst, "qty", required=True)
    price = _num(p, "price", inst, "price", required=True)
    if not o.is_open:
        raise BinanceError(-2013, "Order does not exist.")
    if o.type != "LIMIT":
        raise BinanceError(-5025, "Only limit order is supported.")
    if side != o.side:
        raise BinanceError(-4061, "Order's side does not match.")   # wire text unconfirmed
    _check_price(inst, price)
    _check_qty(inst, qty)
    if qty == o.qty and price == o.price:
        raise BinanceError(-5027, "No need to modify the order.")
    core = ctx.sim.core
    if qty <= o.filled:
        core.cancel(o)
        return order_json(o)
    try:
        core.amend(o, qty=qty, price=price, keep_priority=False, exec_type="AMENDMENT")
    except Reject as exc:
        raise _reject(exc) from None
    return order_json(o)


def cancel_all(ctx: Ctx, p: Params):
    inst = _instrument(ctx, p)
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
        _instrument(ctx, p)
    return [order_json(o, query=True) for o in ctx.sim.core.account_orders(MARKET, ctx.account, symbol)
            if o.is_open and not o.algo]


def all_orders(ctx: Ctx, p: Params):
    inst = _instrument(ctx, p)
    limit = min(p.int_("limit") or 500, 1000)
    return [order_json(o, query=True) for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol)
            if not o.algo][:limit]


# -- algo (conditional) orders ------------------------------------------------------------
def new_algo(ctx: Ctx, p: Params):
    algo_type = p.need("algoType")
    if algo_type != "CONDITIONAL":
        raise BinanceError(-1130, "Data sent for parameter 'algoType' is not valid.")
    type_ = p.need("type")
    if type_ not in ALGO_TYPES:
        raise BinanceError(-1116, "Invalid orderType.")
    inst, side, reduce_only = _common(ctx, p)
    close_pos = p.boolean("closePosition")
    qty = _num(p, "quantity", inst, "qty", required=not close_pos)
    price = _num(p, "price", inst, "price")
    trigger = _num(p, "triggerPrice", inst, "price", required=type_ != "TRAILING_STOP_MARKET")
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
    _check_price(inst, price)
    _check_price(inst, trigger)
    if qty is not None:
        _check_qty(inst, qty, price is None)
    core = ctx.sim.core
    activate = callback = None
    if type_ == "TRAILING_STOP_MARKET":
        callback = _num(p, "callbackRate", required=True)
        if callback < parse_number("0.1") or callback > 10:
            raise BinanceError(-4136, "Invalid callBack rate.")   # wire text unconfirmed
        activate = _num(p, "activatePrice", inst, "price")
    ref = price or trigger or core.last[(MARKET, inst.symbol)]
    if qty is not None:
        _notional(inst, ref, qty, reduce_only or close_pos)
    cid = _client_id(ctx, p, "clientAlgoId", inst.symbol, algo=True)
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
        raise _reject(exc) from None
    return algo_json(o)


ALGO_STATUS = {"NEW": "NEW", "CANCELED": "CANCELED", "TRIGGERED": "TRIGGERED", "FINISHED": "FINISHED",
               "REJECTED": "REJECTED", "EXPIRED": "EXPIRED"}


def algo_json(o: Order) -> dict:
    inst = _INST[o.symbol]
    child = o.extra.get("child")
    return {
        "algoId": o.oid, "clientAlgoId": o.client_id, "algoType": "CONDITIONAL", "orderType": o.type,
        "symbol": o.symbol, "side": o.side, "positionSide": "BOTH", "timeInForce": o.tif,
        "quantity": _qty(inst, o.qty), "algoStatus": ALGO_STATUS.get(o.status, o.status),
        "actualOrderId": str(child.oid) if child else "", "actualPrice": _px(inst, child.avg_price) if child else "0",
        "triggerPrice": _px(inst, o.stop_price), "price": _px(inst, o.price), "icebergQuantity": None,
        "tpTriggerPrice": "0", "tpPrice": "0", "slTriggerPrice": "0", "slPrice": "0", "tpOrderType": "",
        "selfTradePreventionMode": "NONE", "workingType": o.working_type, "priceMatch": "NONE",
        "closePosition": o.close_position, "priceProtect": False, "reduceOnly": o.reduce_only,
        "activatePrice": _px(inst, o.activate_price) if o.activate_price is not None else "",
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
    inst = _instrument(ctx, p)
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
    inst = _instrument(ctx, p)
    return [algo_json(o) for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol) if o.algo]


# -- account, positions --------------------------------------------------------------------
def _position_rows(ctx: Ctx, symbol: str | None, *, all_rows: bool):
    core, acct = ctx.sim.core, ctx.account
    rows = []
    for (m, sym), inst in core.instruments.items():
        if m != MARKET or (symbol and sym != symbol):
            continue
        pos = acct.position(WALLET, sym)
        if pos.amount == 0 and not all_rows:
            continue
        mark = core.mark.get(sym) or core.last[(MARKET, sym)]
        lev = acct.lev(WALLET, sym)
        notional = mark * pos.amount
        rows.append({
            "symbol": sym, "positionSide": "BOTH", "positionAmt": _qty(inst, pos.amount),
            "entryPrice": fixed(pos.entry, 8), "breakEvenPrice": fixed(pos.entry, 8),
            "markPrice": fixed(mark, 8), "unRealizedProfit": fixed(pos.unrealized(mark), 8),
            "liquidationPrice": "0", "isolatedMargin": "0", "notional": fixed(notional, 8), "marginAsset": "USDT",
            "isolatedWallet": "0", "initialMargin": fixed(abs(notional) / lev, 8),
            "maintMargin": fixed(abs(notional) * parse_number("0.004"), 8),
            "positionInitialMargin": fixed(abs(notional) / lev, 8), "openOrderInitialMargin": "0", "adl": 0,
            "bidNotional": "0", "askNotional": "0", "updateTime": pos.update_ms, "leverage": str(lev),
            "marginType": "cross",
        })
    return rows


def position_risk(ctx: Ctx, p: Params):
    symbol = p.get("symbol")
    if symbol is not None:
        _instrument(ctx, p)
    return _position_rows(ctx, symbol, all_rows=False)


def position_risk_v2(ctx: Ctx, p: Params):
    symbol = p.get("symbol")
    if symbol is not None:
        _instrument(ctx, p)
    return _position_rows(ctx, symbol, all_rows=True)


def _balance_numbers(ctx: Ctx):
    core, acct = ctx.sim.core, ctx.account
    wallet = acct.wallets[WALLET]["USDT"].total
    upnl = ZERO
    for (w, sym), pos in acct.positions.items():
        if w == WALLET and pos.amount != 0:
            upnl += pos.unrealized(core.mark.get(sym) or core.last[(MARKET, sym)])
    avail = core.available_margin(acct, WALLET)
    return wallet, upnl, avail


def balance(ctx: Ctx, p: Params):
    wallet, upnl, avail = _balance_numbers(ctx)
    return [{"accountAlias": "SgsR", "asset": "USDT", "balance": fixed(wallet, 8),
             "crossWalletBalance": fixed(wallet, 8), "crossUnPnl": fixed(upnl, 8),
             "availableBalance": fixed(avail, 8), "maxWithdrawAmount": fixed(max(avail, ZERO), 8),
             "marginAvailable": True, "updateTime": now_ms()}]


def account(ctx: Ctx, p: Params):
    wallet, upnl, avail = _balance_numbers(ctx)
    asset = {"asset": "USDT", "walletBalance": fixed(wallet, 8), "unrealizedProfit": fixed(upnl, 8),
             "marginBalance": fixed(wallet + upnl, 8), "maintMargin": "0", "initialMargin": "0",
             "positionInitialMargin": "0", "openOrderInitialMargin": "0", "crossWalletBalance": fixed(wallet, 8),
             "crossUnPnl": fixed(upnl, 8), "availableBalance": fixed(avail, 8),
             "maxWithdrawAmount": fixed(max(avail, ZERO), 8), "updateTime": now_ms()}
    return {
        "totalInitialMargin": "0", "totalMaintMargin": "0", "totalWalletBalance": fixed(wallet, 8),
        "totalUnrealizedProfit": fixed(upnl, 8), "totalMarginBalance": fixed(wallet + upnl, 8),
        "totalPositionInitialMargin": "0", "totalOpenOrderInitialMargin": "0",
        "totalCrossWalletBalance": fixed(wallet, 8), "totalCrossUnPnl": fixed(upnl, 8),
        "availableBalance": fixed(avail, 8), "maxWithdrawAmount": fixed(max(avail, ZERO), 8),
        "assets": [asset], "positions": [
            {"symbol": r["symbol"], "positionSide": "BOTH", "positionAmt": r["positionAmt"],
             "unrealizedProfit": r["unRealizedProfit"], "isolatedMargin": "0", "notional": r["notional"],
             "isolatedWallet": "0", "initialMargin": r["initialMargin"], "maintMargin": r["maintMargin"],
             "updateTime": r["updateTime"]} for r in _position_rows(ctx, None, all_rows=False)],
    }


def set_leverage(ctx: Ctx, p: Params):
    inst = _instrument(ctx, p)
    lev = p.int_("leverage", required=True)
    if not 1 <= lev <= inst.max_leverage:
        raise BinanceError(-4028, f"Leverage {lev} is not valid")   # wire text unconfirmed
    ctx.account.leverage[(WALLET, inst.symbol)] = lev
    return {"leverage": lev, "maxNotionalValue": "1000000", "symbol": inst.symbol}


def countdown_cancel_all(ctx: Ctx, p: Params):
    """Dead-man switch: cancel every open order of the symbol unless renewed within countdownTime ms (0: off)."""
    import asyncio

    from engine.sim.decimals import sim_decimal_context

    inst = _instrument(ctx, p)
    ms = p.int_("countdownTime", required=True)
    if ms < 0:
        raise BinanceError(-1102, "Mandatory parameter 'countdownTime' was not sent, was empty/null, or malformed.")
    sim, account, symbol = ctx.sim, ctx.account, inst.symbol
    timers = sim.countdowns
    old = timers.pop((account.key, symbol), None)
    if old is not None:
        old.cancel()
    if ms > 0:
        def fire():
            timers.pop((account.key, symbol), None)
            with sim_decimal_context():
                for o in sim.core.account_orders(MARKET, account, symbol):
                    if o.is_open:
                        sim.core.cancel(o)
        timers[(account.key, symbol)] = asyncio.get_running_loop().call_later(ms / 1000.0, fire)
    return {"symbol": symbol, "countdownTime": str(ms)}


# -- market data -----------------------------------------------------------------------------
def ping(ctx, p):
    return {}


def server_time(ctx, p):
    return {"serverTime": now_ms()}


def exchange_info(ctx: Ctx, p: Params):
    lim = ctx.sim.usdm_limiter
    symbols = []
    for (m, sym), inst in ctx.sim.core.instruments.items():
        if m != MARKET:
            continue
        symbols.append({
            "symbol": sym, "pair": sym, "contractType": "PERPETUAL", "deliveryDate": 4133404800000,
            "onboardDate": 1569398400000, "status": "TRADING", "maintMarginPercent": "2.5000",
            "requiredMarginPercent": "5.0000", "baseAsset": inst.base, "quoteAsset": "USDT", "marginAsset": "USDT",
            "pricePrecision": inst.price_precision, "quantityPrecision": inst.qty_precision,
            "baseAssetPrecision": 8, "quotePrecision": 8, "underlyingType": "COIN", "underlyingSubType": [],
            "triggerProtect": "0.0500", "liquidationFee": "0.012500", "marketTakeBound": "0.05",
            "maxMoveOrderLimit": 10000,
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": str(inst.min_price), "maxPrice": str(inst.max_price),
                 "tickSize": str(inst.tick)},
                {"filterType": "LOT_SIZE", "minQty": str(inst.min_qty), "maxQty": str(inst.max_qty),
                 "stepSize": str(inst.step)},
                {"filterType": "MARKET_LOT_SIZE", "minQty": str(inst.min_qty), "maxQty": str(inst.market_max_qty),
                 "stepSize": str(inst.step)},
                {"filterType": "MAX_NUM_ORDERS", "limit": 200},
                {"filterType": "MIN_NOTIONAL", "notional": str(inst.min_notional)},
                {"filterType": "PERCENT_PRICE", "multiplierUp": "1.0500", "multiplierDown": "0.9500",
                 "multiplierDecimal": "4"},
            ],
            "orderTypes": ["LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET",
                           "TRAILING_STOP_MARKET"],
            "timeInForce": list(TIFS),
        })
    return {"timezone": "UTC", "serverTime": now_ms(), "futuresType": "U_MARGINED",
            "rateLimits": [
                {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": lim.weight_limit},
                {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": lim.limits.usdm_orders_1m},
                {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": lim.limits.usdm_orders_10s},
            ],
            "exchangeFilters": [], "assets": [{"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"}],
            "symbols": symbols}


def depth(ctx: Ctx, p: Params):
    inst = _instrument(ctx, p)
    book = ctx.sim.core.books[(MARKET, inst.symbol)]
    limit = p.int_("limit") or 20
    return {"lastUpdateId": book._seq, "E": now_ms(), "T": now_ms(),
            "bids": [[_px(inst, a), _qty(inst, b)] for a, b in book.depth("BUY", limit)],
            "asks": [[_px(inst, a), _qty(inst, b)] for a, b in book.depth("SELL", limit)]}


def rate_limit_order(ctx: Ctx, p: Params):
    lim = ctx.sim.usdm_limiter
    return [{"rateLimitType": "ORDERS", "interval": interval, "intervalNum": num, "limit": limit}
            for window, limit, _, interval, num in lim.order_windows()]


def _listen_key(method: str):
    def handler(ctx: Ctx, p: Params):
        from engine.sim import usdm_stream
        return usdm_stream.listen_key_request(ctx.sim, ctx.account, method)
    return handler


ROUTES = {
    ("GET", "/fapi/v1/ping"): Route(ping, "NONE", 1),
    ("GET", "/fapi/v1/time"): Route(server_time, "NONE", 1),
    ("GET", "/fapi/v1/exchangeInfo"): Route(exchange_info, "NONE", 1),
    ("GET", "/fapi/v1/depth"): Route(depth, "NONE", 2),
    ("POST", "/fapi/v1/order"): Route(new_order, "SIGNED", 1, is_order=True),
    ("PUT", "/fapi/v1/order"): Route(modify_order, "SIGNED", 1, is_order=True),
    ("DELETE", "/fapi/v1/order"): Route(cancel_order, "SIGNED", 1, is_order=True),
    ("DELETE", "/fapi/v1/allOpenOrders"): Route(cancel_all, "SIGNED", 1, is_order=True),
    ("GET", "/fapi/v1/order"): Route(query_order, "SIGNED", 1),
    ("GET", "/fapi/v1/openOrder"): Route(open_order, "SIGNED", 1),
    ("GET", "/fapi/v1/openOrders"): Route(open_orders, "SIGNED", 1),
    ("GET", "/fapi/v1/allOrders"): Route(all_orders, "SIGNED", 5),
    ("POST", "/fapi/v1/algoOrder"): Route(new_algo, "SIGNED", 1, is_order=True),
    ("DELETE", "/fapi/v1/algoOrder"): Route(cancel_algo, "SIGNED", 1, is_order=True),
    ("DELETE", "/fapi/v1/algoOpenOrders"): Route(cancel_all_algo, "SIGNED", 1, is_order=True),
    ("GET", "/fapi/v1/algoOrder"): Route(query_algo, "SIGNED", 1),
    ("GET", "/fapi/v1/openAlgoOrders"): Route(open_algos, "SIGNED", 1),
    ("GET", "/fapi/v1/allAlgoOrders"): Route(all_algos, "SIGNED", 5),
    ("GET", "/fapi/v3/positionRisk"): Route(position_risk, "SIGNED", 5),
    ("GET", "/fapi/v2/positionRisk"): Route(position_risk_v2, "SIGNED", 5),
    ("GET", "/fapi/v3/account"): Route(account, "SIGNED", 5),
    ("GET", "/fapi/v2/account"): Route(account, "SIGNED", 5),
    ("GET", "/fapi/v3/balance"): Route(balance, "SIGNED", 5),
    ("GET", "/fapi/v2/balance"): Route(balance, "SIGNED", 5),
    ("POST", "/fapi/v1/leverage"): Route(set_leverage, "SIGNED", 1),
    ("POST", "/fapi/v1/countdownCancelAll"): Route(countdown_cancel_all, "SIGNED", 10),
    ("GET", "/fapi/v1/rateLimit/order"): Route(rate_limit_order, "SIGNED", 1),
    ("POST", "/fapi/v1/listenKey"): Route(_listen_key("POST"), "USER_STREAM", 1),
    ("PUT", "/fapi/v1/listenKey"): Route(_listen_key("PUT"), "USER_STREAM", 1),
    ("DELETE", "/fapi/v1/listenKey"): Route(_listen_key("DELETE"), "USER_STREAM", 1),
}


def bind_instruments(core) -> None:
    for (m, sym), inst in core.instruments.items():
        if m == MARKET:
            _INST[sym] = inst


# -- stream payloads ------------------------------------------------------------------------------
def format_event(ev) -> list[dict]:
    core_ts = ev.ts
    if ev.kind == "order":
        o, fill = ev.order, ev.fill
        inst = _INST[o.symbol]
        x = ev.exec_type
        if x == "TRIGGERED":
            return []
        status = o.status if x not in ("NEW",) else "NEW"
        if x == "AMENDMENT":
            status = o.status
        last_q = last_p = fee = ZERO
        maker, tid, rp = False, 0, ZERO
        if fill is not None:
            last_q, last_p, tid = fill.qty, fill.price, fill.trade_id
            maker = fill.maker is o
            for f, fe, asset, mk in o.fills:
                if f is fill:
                    fee = fe
        body = {
            "s": o.symbol, "c": o.client_id, "S": o.side, "o": o.type, "f": o.tif, "q": _qty(inst, o.qty),
            "p": _px(inst, o.price), "ap": fixed(o.avg_price, inst.price_precision + 3),
            "sp": _px(inst, o.extra.get("stop_price")), "x": x, "X": status, "i": o.oid,
            "l": _qty(inst, last_q), "z": _qty(inst, o.filled if x != "NEW" else ZERO), "L": _px(inst, last_p),
            "n": fixed(fee, 8), "T": core_ts, "t": tid, "b": "0", "a": "0", "m": maker, "R": o.reduce_only,
            "wt": o.working_type or "CONTRACT_PRICE", "ot": o.extra.get("orig_type", o.type), "ps": "BOTH",
            "cp": o.close_position, "rp": fixed(o.realized if fill is not None else rp, 8), "pP": False,
            "si": 0, "ss": 0, "V": "NONE", "pm": "NONE", "gtd": 0,
        }
        if fill is not None:
            body["N"] = "USDT"
        return [{"e": "ORDER_TRADE_UPDATE", "E": core_ts, "T": core_ts, "o": body}]
    if ev.kind == "position":
        inst = _INST[ev.symbol]
        acct = ev.account
        pos = acct.position(WALLET, ev.symbol)
        bal = acct.wallets[WALLET]["USDT"].total
        mark = ev.fill.price
        return [{"e": "ACCOUNT_UPDATE", "E": core_ts, "T": core_ts, "a": {
            "m": "ORDER",
            "B": [{"a": "USDT", "wb": fixed(bal, 8), "cw": fixed(bal, 8), "bc": "0"}],
            "P": [{"s": ev.symbol, "pa": _qty(inst, pos.amount), "ep": fixed(pos.entry, 8),
                   "bep": fixed(pos.entry, 8), "cr": fixed(pos.realized, 8), "up": fixed(pos.unrealized(mark), 8),
                   "mt": "cross", "iw": "0", "ps": "BOTH"}]}}]
    if ev.kind == "algo":
        o = ev.order
        inst = _INST[o.symbol]
        child = o.extra.get("child")
        return [{"e": "ALGO_UPDATE", "T": core_ts, "E": core_ts, "o": {
            "caid": o.client_id, "aid": o.oid, "at": "CONDITIONAL", "o": o.type, "s": o.symbol, "S": o.side,
            "ps": "BOTH", "f": o.tif, "q": _qty(inst, o.qty), "X": ALGO_STATUS.get(o.status, o.status),
            "ai": str(child.oid) if child else "", "ap": _px(inst, child.avg_price) if child else "0",
            "aq": _qty(inst, child.filled) if child else "0", "act": child.type if child else "",
            "tp": _px(inst, o.stop_price), "p": _px(inst, o.price), "V": "NONE", "wt": o.working_type,
            "pm": "NONE", "cp": o.close_position, "pP": False, "R": o.reduce_only,
            "tt": o.updated_ms if o.triggered else 0, "gtd": 0, "rm": o.reject_reason or ""}}]
    return []
