"""Binance spot personality: ``/api/v3`` REST handlers, response shapes, and the
executionReport / outboundAccountPosition payloads of its user-data stream.

The same handlers serve the WebSocket API (``order.place`` is ``POST /api/v3/order``);
see :mod:`engine.sim.ws_api`.
"""

from __future__ import annotations

import re

from engine.sim.binance_common import BinanceError, Ctx, Params, Route, mandatory
from engine.sim.core import CONDITIONAL_TYPES, Reject, now_ms
from engine.sim.decimals import ZERO, fixed
from engine.sim.matching import Order
from engine.sim import order_lists

__all__ = ["ROUTES", "format_event", "order_query_json", "exchange_info"]

MARKET = "bspot"
WALLET = "binance-spot"
SIDES = ("BUY", "SELL")
TYPES = ("LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER")
TIFS = ("GTC", "IOC", "FOK")
CLIENT_ID = re.compile(r"^[a-zA-Z0-9-_]{1,36}$")
STP_MODES = ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"]


def f8(v) -> str:
    return fixed(v if v is not None else ZERO, 8)


# -- market data --------------------------------------------------------------------
def ping(ctx: Ctx, p: Params):
    return {}


def server_time(ctx: Ctx, p: Params):
    return {"serverTime": now_ms()}


def exchange_info(ctx: Ctx, p: Params):
    core = ctx.sim.core
    wanted = None
    if p.get("symbol"):
        wanted = {p.get("symbol")}
    elif p.get("symbols"):
        import json
        try:
            wanted = set(json.loads(p.get("symbols")))
        except ValueError:
            raise BinanceError(-1100, "Illegal characters found in parameter 'symbols'.") from None
    symbols = []
    for (market, symbol), inst in core.instruments.items():
        if market != MARKET or (wanted and symbol not in wanted):
            continue
        symbols.append({
            "symbol": symbol, "status": "TRADING", "baseAsset": inst.base, "baseAssetPrecision": 8,
            "quoteAsset": inst.quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
            "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8, "orderTypes": list(TYPES),
            "icebergAllowed": True, "ocoAllowed": False, "otoAllowed": False, "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": False, "cancelReplaceAllowed": True, "amendAllowed": True,
            "pegInstructionsAllowed": False, "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": f8(inst.min_price), "maxPrice": f8(inst.max_price),
                 "tickSize": f8(inst.tick)},
                {"filterType": "LOT_SIZE", "minQty": f8(inst.min_qty), "maxQty": f8(inst.max_qty),
                 "stepSize": f8(inst.step)},
                {"filterType": "MARKET_LOT_SIZE", "minQty": f8(ZERO), "maxQty": f8(inst.market_max_qty),
                 "stepSize": f8(ZERO)},
                {"filterType": "NOTIONAL", "minNotional": f8(inst.min_notional), "applyMinToMarket": True,
                 "maxNotional": f8(9000000), "applyMaxToMarket": False, "avgPriceMins": 5},
                {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
                {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
            ],
            "permissions": [], "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "NONE", "allowedSelfTradePreventionModes": ["NONE"],
        })
    if wanted and not symbols:
        raise BinanceError(-1121, "Invalid symbol.")
    lim = ctx.sim.spot_limiter
    return {
        "timezone": "UTC", "serverTime": now_ms(),
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": lim.weight_limit},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": lim.limits.spot_orders_10s},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": lim.limits.spot_orders_1d},
            {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300000},
        ],
        "exchangeFilters": [], "symbols": symbols,
    }


def depth(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    limit = p.int_("limit") or 100
    book = ctx.sim.core.books[(MARKET, inst.symbol)]
    return {"lastUpdateId": ctx.sim.core.events_emitted + book._seq,
            "bids": [[f8(px), f8(q)] for px, q in book.depth("BUY", limit)],
            "asks": [[f8(px), f8(q)] for px, q in book.depth("SELL", limit)]}


def ticker_price(ctx: Ctx, p: Params):
    core = ctx.sim.core
    if p.get("symbol"):
        inst = instrument_of(ctx, p)
        return {"symbol": inst.symbol, "price": f8(core.last[(MARKET, inst.symbol)])}
    return [{"symbol": s, "price": f8(core.last[(m, s)])} for (m, s) in core.instruments if m == MARKET]


# -- helpers ----------------------------------------------------------------------------
def instrument_of(ctx: Ctx, p: Params):
    symbol = p.need("symbol")
    inst = ctx.sim.core.instrument(MARKET, symbol)
    if inst is None:
        raise BinanceError(-1121, "Invalid symbol.")
    return inst


def trigger_dir(type_: str, side: str) -> str:
    if type_.startswith("STOP_LOSS"):
        return "UP" if side == "BUY" else "DOWN"
    return "DOWN" if side == "BUY" else "UP"


def filters_of(inst, type_: str, price, qty, last) -> None:
    if price is not None:
        if price < inst.min_price or price > inst.max_price or (price - inst.min_price) % inst.tick != 0:
            raise BinanceError(-1013, "Filter failure: PRICE_FILTER")
    if qty is not None:
        if type_ == "MARKET":
            if qty > inst.market_max_qty or qty <= 0:
                raise BinanceError(-1013, "Filter failure: MARKET_LOT_SIZE")
        if qty < inst.min_qty or qty > inst.max_qty or (qty - inst.min_qty) % inst.step != 0:
            raise BinanceError(-1013, "Filter failure: LOT_SIZE")
        ref = price if price is not None else last
        if ref is not None and ref * qty < inst.min_notional:
            raise BinanceError(-1013, "Filter failure: NOTIONAL")


REJECT_MSG = {
    "insufficient_balance": "Account has insufficient balance for requested action.",
    "would_take": "Order would immediately match and take.",
    "would_trigger": "Order would trigger immediately.",
}


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


def place_order(ctx: Ctx, order: Order) -> Order:
    try:
        return ctx.sim.core.place(order)
    except Reject as exc:
        raise BinanceError(-2010, REJECT_MSG.get(exc.reason, "Unsupported order combination")) from None


def new_order(ctx: Ctx, p: Params):
    order, resp = build_order(ctx, p)
    place_order(ctx, order)
    return order_response(order, resp)


def test_order(ctx: Ctx, p: Params):
    build_order(ctx, p)
    return {}


def list_id(o: Order) -> int:
    """``orderListId``: the order list an order belongs to, -1 for a plain order."""
    lst = o.extra.get("list")
    return -1 if lst is None else lst.list_id


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


def cancel_json(o: Order) -> dict:
    return {
        "symbol": o.symbol, "origClientOrderId": o.client_id, "orderId": o.oid, "orderListId": list_id(o),
        "clientOrderId": o.extra.get("cancel_client_id", o.client_id), "transactTime": o.updated_ms,
        "price": f8(o.price), "origQty": f8(o.qty), "executedQty": f8(o.filled),
        "origQuoteOrderQty": f8(o.quote_qty), "cummulativeQuoteQty": f8(o.cum_quote), "status": o.status,
        "timeInForce": o.tif, "type": o.type, "side": o.side, "selfTradePreventionMode": "NONE",
    }


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
    order.client_id = new_cid or orig_cid
    if new_cid:
        ctx.sim.core.by_client.setdefault((MARKET, ctx.account.key, new_cid), []).append(order)
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


def my_trades(ctx: Ctx, p: Params):
    inst = instrument_of(ctx, p)
    oid = p.int_("orderId")
    out = []
    for o in ctx.sim.core.account_orders(MARKET, ctx.account, inst.symbol):
        if oid is not None and o.oid != oid:
            continue
        for fill, fee, asset, maker in o.fills:
            out.append({"symbol": o.symbol, "id": fill.trade_id, "orderId": o.oid, "orderListId": -1,
                        "price": f8(fill.price), "qty": f8(fill.qty), "quoteQty": f8(fill.price * fill.qty),
                        "commission": f8(fee), "commissionAsset": asset, "time": o.last_exec_ms,
                        "isBuyer": o.side == "BUY", "isMaker": maker, "isBestMatch": True})
    out.sort(key=lambda t: t["id"])
    return out[: min(p.int_("limit") or 500, 1000)]


def account_info(ctx: Ctx, p: Params):
    acct = ctx.account
    omit = p.boolean("omitZeroBalances")
    balances = [{"asset": a, "free": f8(b.free), "locked": f8(b.locked)}
                for a, b in sorted(acct.wallets[WALLET].items()) if not (omit and b.total == 0)]
    return {
        "makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0,
        "commissionRates": {"maker": "0.00100000", "taker": "0.00100000", "buyer": "0.00000000",
                            "seller": "0.00000000"},
        "canTrade": True, "canWithdraw": True, "canDeposit": True, "brokered": False,
        "requireSelfTradePrevention": False, "preventSor": False, "updateTime": now_ms(),
        "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"], "uid": acct.uid,
    }


def rate_limit_order(ctx: Ctx, p: Params):
    lim = ctx.sim.spot_limiter
    out = []
    for window, limit, _, interval, num in lim.order_windows():
        out.append({"rateLimitType": "ORDERS", "interval": interval, "intervalNum": num, "limit": limit,
                    "count": lim.windows.used(("o", ctx.account.key), window, now_ms() / 1000)})
    return out


ROUTES = {
    ("GET", "/api/v3/ping"): Route(ping, "NONE", 1),
    ("GET", "/api/v3/time"): Route(server_time, "NONE", 1),
    ("GET", "/api/v3/exchangeInfo"): Route(exchange_info, "NONE", 20),
    ("GET", "/api/v3/depth"): Route(depth, "NONE", 5),
    ("GET", "/api/v3/ticker/price"): Route(ticker_price, "NONE", 2),
    ("POST", "/api/v3/order"): Route(new_order, "SIGNED", 1, is_order=True),
    ("POST", "/api/v3/order/test"): Route(test_order, "SIGNED", 1),
    ("DELETE", "/api/v3/order"): Route(cancel_order, "SIGNED", 1, is_order=True),
    ("DELETE", "/api/v3/openOrders"): Route(cancel_all, "SIGNED", 1, is_order=True),
    ("POST", "/api/v3/order/cancelReplace"): Route(cancel_replace, "SIGNED", 1, is_order=True),
    ("PUT", "/api/v3/order/amend/keepPriority"): Route(amend_keep_priority, "SIGNED", 4),
    ("GET", "/api/v3/order"): Route(query_order, "SIGNED", 4),
    ("GET", "/api/v3/openOrders"): Route(open_orders, "SIGNED", 6),
    ("GET", "/api/v3/allOrders"): Route(all_orders, "SIGNED", 20),
    ("GET", "/api/v3/myTrades"): Route(my_trades, "SIGNED", 20),
    ("GET", "/api/v3/account"): Route(account_info, "SIGNED", 20),
    ("GET", "/api/v3/rateLimit/order"): Route(rate_limit_order, "SIGNED", 40),
    ("POST", "/api/v3/orderList/otoco"): Route(order_lists.place_otoco, "SIGNED", 1, is_order=True),
    ("DELETE", "/api/v3/orderList"): Route(order_lists.cancel_list_route, "SIGNED", 1, is_order=True),
    ("GET", "/api/v3/orderList"): Route(order_lists.query_list, "SIGNED", 4),
    ("GET", "/api/v3/openOrderList"): Route(order_lists.open_lists, "SIGNED", 6),
}


# -- user-data stream payloads --------------------------------------------------------------
def format_event(ev) -> list[dict]:
    """executionReport / outboundAccountPosition payloads for one core event (unwrapped)."""
    if ev.kind == "order":
        o, fill = ev.order, ev.fill
        x = ev.exec_type
        if x == "TRIGGERED":
            return []
        status = o.status
        last_qty = last_px = ZERO
        fee, fee_asset, maker, trade_id = ZERO, None, False, -1
        cum, cum_quote = o.filled, o.cum_quote
        if fill is not None:
            last_qty, last_px, trade_id = fill.qty, fill.price, fill.trade_id
            maker = fill.maker is o
            for f, fe, asset, mk in o.fills:
                if f is fill:
                    fee, fee_asset = fe, asset
        elif x == "NEW":
            status = "PENDING_NEW" if o.status == "PENDING_NEW" else "NEW"
            cum = cum_quote = ZERO
        cancel = x == "CANCELED"
        body = {
            "e": "executionReport", "E": ev.ts, "s": o.symbol,
            "c": o.extra.get("cancel_client_id", o.client_id) if cancel else o.client_id,
            "S": o.side, "o": o.type, "f": o.tif, "q": f8(o.qty), "p": f8(o.price), "P": f8(o.stop_price),
            "F": f8(ZERO), "g": list_id(o), "C": o.client_id if cancel else "", "x": x, "X": status,
            "r": "NONE", "i": o.oid, "l": f8(last_qty), "z": f8(cum), "L": f8(last_px), "n": f8(fee),
            "N": fee_asset, "T": ev.ts, "t": trade_id, "I": ev.ts, "w": status in ("NEW", "PARTIALLY_FILLED")
            and o.type not in CONDITIONAL_TYPES or o.triggered and status in ("NEW", "PARTIALLY_FILLED"),
            "m": maker, "M": False, "O": o.created_ms, "Z": f8(cum_quote), "Y": f8(last_qty * last_px),
            "Q": f8(o.quote_qty), "V": "NONE",
        }
        if o.working_ms:
            body["W"] = o.working_ms
        if x == "EXPIRED" and o.expiry_reason:
            body["eR"] = o.expiry_reason.upper()
        return [body]
    if ev.kind == "list":
        return [order_lists.list_event_json(ev)]
    if ev.kind == "balance":
        wallet = ev.account.wallets[WALLET]
        return [{"e": "outboundAccountPosition", "E": ev.ts, "u": ev.ts,
                 "B": [{"a": a, "f": f8(wallet[a].free), "l": f8(wallet[a].locked)} for a in ev.assets]}]
    return []
