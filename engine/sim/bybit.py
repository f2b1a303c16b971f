"""Bybit V5 personality: ``/v5`` REST (orders, positions, wallet, instruments, time)
and the payloads of the private ``order``/``execution``/``position``/``wallet`` topics.

Business errors come back with HTTP 200 and a non-zero ``retCode``; order create,
amend and cancel are acknowledgements only, outcomes arrive on the private stream.
Signing: lowercase hex HMAC-SHA256 of ``timestamp + apiKey + recvWindow + payload``.
"""

from __future__ import annotations

import json
import re
import uuid

from engine.sim.auth import bybit_signature_ok, bybit_time_ok
from engine.sim.core import CONDITIONAL_TYPES, Reject, now_ms
from engine.sim.decimals import ZERO, decimals_of, floor_to, parse_number, plain
from engine.sim.matching import Order
from engine.sim import bybit_tpsl

__all__ = ["BybitError", "rest_handler", "create", "amend", "cancel", "format_event", "order_row"]

WALLET = "bybit"
MARKETS = {"spot": "yspot", "linear": "ylinear"}
LINK_ID = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
STATUS = {"NEW": "New", "PARTIALLY_FILLED": "PartiallyFilled", "FILLED": "Filled", "CANCELED": "Cancelled",
          "EXPIRED": "Cancelled", "REJECTED": "Rejected", "TRIGGERED": "Triggered"}
REJECT_REASON = {"post_only": "EC_PostOnlyWillTakeLiquidity", "fok": "EC_NoEnoughQtyToFill",
                 "ioc": "EC_NoImmediateQtyToFill", "no_liquidity": "EC_NoImmediateQtyToFill"}


class BybitError(Exception):
    def __init__(self, code: int, msg: str, http: int = 200) -> None:
        super().__init__(code, msg)
        self.code, self.msg, self.http = code, msg, http


def envelope(code: int = 0, msg: str = "OK", result=None) -> dict:
    return {"retCode": code, "retMsg": msg, "result": result if result is not None else {},
            "retExtInfo": {}, "time": now_ms()}


def bybit_order_id(o: Order) -> str:
    return str(o.oid) if o.market == "yspot" else str(uuid.UUID(int=o.oid))


def _parse_order_id(text: str) -> int | None:
    try:
        return int(text) if text.isdigit() else uuid.UUID(text).int
    except (ValueError, AttributeError):
        return None


def _category(args: dict, allowed=("spot", "linear")) -> str:
    cat = args.get("category")
    if cat is None or cat == "":
        raise BybitError(10001, "params error: category is empty")
    if cat not in allowed:
        raise BybitError(10001, "Illegal category")
    return cat


def _inst(sim, cat: str, symbol):
    inst = sim.core.instrument(MARKETS[cat], symbol or "")
    if inst is None:
        raise BybitError(170121 if cat == "spot" else 10001,
                         "Invalid symbol." if cat == "spot" else "params error: symbol invalid")
    return inst


def _num(args: dict, name: str, required: bool = False):
    raw = args.get(name)
    if raw is None or raw == "":
        if required:
            raise BybitError(10001, f"params error: {name} is empty")
        return None
    val = parse_number(str(raw))
    if val is None or val < 0:
        raise BybitError(10001, f"params error: {name} invalid")
    return val


# -- order entry (shared by REST and WebSocket trade) ------------------------------------------
def create(sim, account, args: dict) -> dict:
    cat = _category(args)
    market = MARKETS[cat]
    inst = _inst(sim, cat, args.get("symbol"))
    side = args.get("side")
    if side not in ("Buy", "Sell"):
        raise BybitError(10001, "params error: side invalid")
    otype = args.get("orderType")
    if otype not in ("Market", "Limit"):
        raise BybitError(10001, "params error: orderType invalid")
    qty = _num(args, "qty", required=True)
    price = _num(args, "price")
    trigger = _num(args, "triggerPrice")
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
    bybit_tpsl.attach(sim, o, args, cat, last)
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
        n = _parse_order_id(str(oid))
        o = sim.core.find(market, account, n, inst.symbol) if n is not None else None
    else:
        o = sim.core.find_client(market, account, str(link), inst.symbol)
    if o is None or not o.is_open:
        raise BybitError(170213 if cat == "spot" else 110001,
                         "Order does not exist." if cat == "spot" else "order not exists or too late to cancel")
    return o


def cancel(sim, account, args: dict) -> dict:
    cat = _category(args)
    inst = _inst(sim, cat, args.get("symbol"))
    o = _find(sim, account, args, cat, inst)
    o.cancel_type = "CancelByUser"
    sim.core.cancel(o)
    return {"orderId": bybit_order_id(o), "orderLinkId": o.client_id}


def amend(sim, account, args: dict) -> dict:
    cat = _category(args)
    inst = _inst(sim, cat, args.get("symbol"))
    o = _find(sim, account, args, cat, inst)
    qty, price, trigger = _num(args, "qty"), _num(args, "price"), _num(args, "triggerPrice")
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
    cat = _category(args)
    market = MARKETS[cat]
    symbol = args.get("symbol")
    if symbol:
        _inst(sim, cat, symbol)
    out = []
    for o in sim.core.account_orders(market, account, symbol or None):
        if o.is_open:
            o.cancel_type = "CancelByUser"
            sim.core.cancel(o)
            out.append({"orderId": bybit_order_id(o), "orderLinkId": o.client_id})
    return {"list": out, "success": "1"}


# -- shapes -------------------------------------------------------------------------------------
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
        "timeInForce": o.extra.get("bybit_tif", o.tif), "orderType": o.extra.get("bybit_type", "Limit"),
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
    row.update(bybit_tpsl.row_fields(o))
    if category:
        row["category"] = "spot" if o.market == "yspot" else "linear"
        row["feeCurrency"] = o.commission_asset or ""
        row["closedPnl"] = plain(o.realized)
    return row


def _list_orders(sim, account, q: dict, *, open_only: bool) -> dict:
    cat = _category(q)
    market = MARKETS[cat]
    symbol = q.get("symbol") or None
    if symbol:
        _inst(sim, cat, symbol)
    rows = []
    for o in reversed(sim.core.account_orders(market, account, symbol)):
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


def _executions(sim, account, q: dict) -> dict:
    cat = _category(q)
    market = MARKETS[cat]
    rows = []
    want_id, want_link = q.get("orderId") or None, q.get("orderLinkId") or None
    for o in sim.core.account_orders(market, account, q.get("symbol") or None):
        if (want_id and bybit_order_id(o) != want_id) or (want_link and o.client_id != want_link):
            continue
        for fill, fee, asset, maker in o.fills:
            rows.append(exec_row(o, fill, fee, maker))
    rows.reverse()
    return {"category": cat, "nextPageCursor": "", "list": rows[: int(q.get("limit") or 50)]}


def exec_row(o: Order, fill, fee, maker: bool) -> dict:
    inst_rate = "0.001"
    return {
        "symbol": o.symbol, "orderId": bybit_order_id(o), "orderLinkId": o.client_id, "side": o.side.capitalize(),
        "orderPrice": plain(o.price), "orderQty": plain(o.qty), "leavesQty": plain(o.remaining),
        "createType": o.extra.get("create_type", "CreateByUser"), "orderType": o.extra.get("bybit_type", "Limit"),
        "stopOrderType": o.extra.get("stop_order_type", ""), "execFee": plain(fee), "execId": str(uuid.UUID(int=fill.trade_id)),
        "execPrice": plain(fill.price), "execQty": plain(fill.qty), "execType": "Trade",
        "execValue": plain(fill.price * fill.qty), "execTime": str(o.last_exec_ms), "feeCurrency": o.commission_asset,
        "isMaker": maker, "feeRate": inst_rate, "tradeIv": "", "markIv": "", "markPrice": plain(fill.price),
        "indexPrice": "", "underlyingPrice": "", "blockTradeId": "", "closedSize": "0", "seq": fill.trade_id,
        "extraFees": "",
    }


def position_row(sim, account, symbol: str) -> dict:
    core = sim.core
    pos = account.position(WALLET, symbol)
    mark = core.mark.get(symbol) or core.last[("ylinear", symbol)]
    lev = account.lev(WALLET, symbol)
    side = "" if pos.amount == 0 else ("Buy" if pos.amount > 0 else "Sell")
    return {
        "positionIdx": 0, "riskId": 1, "riskLimitValue": "2000000", "symbol": symbol, "side": side,
        "size": plain(abs(pos.amount)), "avgPrice": plain(pos.entry), "positionValue": plain(abs(pos.cost)),
        "tradeMode": 0, "autoAddMargin": 0, "positionStatus": "Normal", "leverage": str(lev),
        "markPrice": plain(mark), "liqPrice": "", "bustPrice": "", "positionIM": plain(abs(pos.cost) / lev),
        "positionMM": "0", "positionBalance": "0", "takeProfit": "0", "stopLoss": "0", "trailingStop": "0",
        "sessionAvgPrice": "", "unrealisedPnl": plain(pos.unrealized(mark)), "curRealisedPnl": plain(pos.realized),
        "cumRealisedPnl": plain(pos.realized), "adlRankIndicator": 0, "createdTime": str(pos.update_ms),
        "updatedTime": str(pos.update_ms), "seq": pos.update_ms, "isReduceOnly": False, "tpslMode": "Full",
        "breakEvenPrice": plain(pos.entry),
    }


def _positions(sim, account, q: dict) -> dict:
    cat = _category(q, ("linear",))
    symbol = q.get("symbol")
    if not symbol and not q.get("settleCoin"):
        raise BybitError(10001, "params error: symbol or settleCoin is required")
    rows = []
    for (m, sym) in sim.core.instruments:
        if m != "ylinear" or (symbol and sym != symbol):
            continue
        pos = account.position(WALLET, sym)
        if symbol or pos.amount != 0:
            rows.append(position_row(sim, account, sym))
    return {"category": cat, "nextPageCursor": "", "list": rows}


def wallet_row(sim, account, coins=None) -> dict:
    core = sim.core
    upnl = ZERO
    for (w, sym), pos in account.positions.items():
        if w == WALLET and pos.amount != 0:
            upnl += pos.unrealized(core.mark.get(sym) or core.last[("ylinear", sym)])
    rows, total = [], ZERO
    for coin, bal in sorted(account.wallets[WALLET].items()):
        if coins and coin not in coins:
            continue
        px = 1 if coin == "USDT" else core.mark.get(coin + "USDT", ZERO)
        coin_upnl = upnl if coin == "USDT" else ZERO
        usd = (bal.total + coin_upnl) * px
        total += usd
        rows.append({"coin": coin, "equity": plain(bal.total + coin_upnl), "usdValue": plain(usd),
                     "walletBalance": plain(bal.total), "free": plain(bal.free), "locked": plain(bal.locked),
                     "spotHedgingQty": "0", "borrowAmount": "0", "availableToWithdraw": plain(bal.free),
                     "availableToBorrow": "", "accruedInterest": "0", "totalOrderIM": "0", "totalPositionIM": "0",
                     "totalPositionMM": "0", "unrealisedPnl": plain(coin_upnl), "cumRealisedPnl": "0",
                     "bonus": "0", "marginCollateral": True, "collateralSwitch": True})
    return {"accountType": "UNIFIED", "accountIMRate": "0", "accountMMRate": "0", "totalEquity": plain(total),
            "totalWalletBalance": plain(total - upnl), "totalMarginBalance": plain(total),
            "totalAvailableBalance": plain(total), "totalPerpUPL": plain(upnl), "totalInitialMargin": "0",
            "totalMaintenanceMargin": "0", "accountLTV": "0", "coin": rows}


def _wallet(sim, account, q: dict) -> dict:
    if q.get("accountType") != "UNIFIED":
        raise BybitError(10001, "accountType only support UNIFIED.")
    coins = set(q["coin"].split(",")) if q.get("coin") else None
    return {"list": [wallet_row(sim, account, coins)]}


def _set_leverage(sim, account, args: dict) -> dict:
    _category(args, ("linear",))
    inst = _inst(sim, "linear", args.get("symbol"))
    buy, sell = _num(args, "buyLeverage", True), _num(args, "sellLeverage", True)
    if buy != sell or buy != int(buy) or not 1 <= buy <= inst.max_leverage:
        raise BybitError(10001, "params error: leverage invalid")
    key = (WALLET, inst.symbol)
    if account.leverage.get(key, 20) == int(buy):
        raise BybitError(110043, "leverage not modified")
    account.leverage[key] = int(buy)
    return {}


def _instruments(sim, q: dict) -> dict:
    cat = _category(q)
    market = MARKETS[cat]
    rows = []
    for (m, sym), inst in sim.core.instruments.items():
        if m != market or (q.get("symbol") and sym != q.get("symbol")):
            continue
        if cat == "spot":
            rows.append({"symbol": sym, "baseCoin": inst.base, "quoteCoin": "USDT", "innovation": "0",
                         "status": "Trading", "marginTrading": "none", "stTag": "0",
                         "lotSizeFilter": {"basePrecision": plain(inst.step), "quotePrecision": "0.00000001",
                                           "minOrderQty": plain(inst.min_qty), "maxOrderQty": plain(inst.max_qty),
                                           "minOrderAmt": plain(inst.min_notional), "maxOrderAmt": "2000000",
                                           "maxLimitOrderQty": plain(inst.max_qty),
                                           "maxMarketOrderQty": plain(inst.market_max_qty)},
                         "priceFilter": {"tickSize": plain(inst.tick)},
                         "riskParameters": {"priceLimitRatioX": "0.05", "priceLimitRatioY": "0.05"}})
        else:
            rows.append({"symbol": sym, "contractType": "LinearPerpetual", "status": "Trading",
                         "baseCoin": inst.base, "quoteCoin": "USDT", "settleCoin": "USDT", "launchTime": "1585526400000",
                         "deliveryTime": "0", "deliveryFeeRate": "", "priceScale": str(inst.price_precision),
                         "leverageFilter": {"minLeverage": "1", "maxLeverage": f"{inst.max_leverage}.00",
                                            "leverageStep": "0.01"},
                         "priceFilter": {"minPrice": plain(inst.min_price), "maxPrice": plain(inst.max_price),
                                         "tickSize": plain(inst.tick)},
                         "lotSizeFilter": {"maxOrderQty": plain(inst.max_qty), "minOrderQty": plain(inst.min_qty),
                                           "qtyStep": plain(inst.step), "maxMktOrderQty": plain(inst.market_max_qty),
                                           "minNotionalValue": plain(inst.min_notional),
                                           "postOnlyMaxOrderQty": plain(inst.max_qty)},
                         "unifiedMarginTrade": True, "fundingInterval": 480, "settleCoin_": "USDT",
                         "copyTrading": "both", "upperFundingRate": "0.00375", "lowerFundingRate": "-0.00375"})
    return {"category": cat, "list": rows, "nextPageCursor": ""}


def _orderbook(sim, q: dict) -> dict:
    cat = _category(q)
    inst = _inst(sim, cat, q.get("symbol"))
    book = sim.core.books[(MARKETS[cat], inst.symbol)]
    n = int(q.get("limit") or 25)
    return {"s": inst.symbol, "b": [[plain(p), plain(s)] for p, s in book.depth("BUY", n)],
            "a": [[plain(p), plain(s)] for p, s in book.depth("SELL", n)], "ts": now_ms(), "u": book._seq,
            "seq": book._seq, "cts": now_ms()}


def _disconnected_cancel_all(sim, account, body: dict) -> dict:
    """Disconnection protection: orders are cancelled when every private stream of the account has been
    closed for ``timeWindow`` seconds (3..300)."""
    try:
        window = int(body.get("timeWindow", 10))
    except (TypeError, ValueError):
        raise BybitError(10001, "timeWindow invalid") from None
    if not 3 <= window <= 300:
        raise BybitError(10001, "timeWindow must be in [3, 300]")   # wire text unconfirmed
    sim.dcp_windows[account.key] = window
    return {}


def dcp_stream_closed(sim, account) -> None:
    """Called when an authenticated private stream of ``account`` closes."""
    import asyncio

    from engine.sim.decimals import sim_decimal_context

    left = sim.private_conns.get(account.key, 1) - 1
    sim.private_conns[account.key] = left
    window = sim.dcp_windows.get(account.key)
    if window is None or left > 0:
        return

    def fire():
        sim.dcp_timers.pop(account.key, None)
        with sim_decimal_context():
            for market in ("ylinear", "yspot"):
                for o in sim.core.account_orders(market, account):
                    if o.is_open:
                        sim.core.cancel(o)

    old = sim.dcp_timers.pop(account.key, None)
    if old is not None:
        old.cancel()
    sim.dcp_timers[account.key] = asyncio.get_running_loop().call_later(window, fire)


def dcp_stream_opened(sim, account) -> None:
    sim.private_conns[account.key] = sim.private_conns.get(account.key, 0) + 1
    timer = sim.dcp_timers.pop(account.key, None)
    if timer is not None:
        timer.cancel()


PRIVATE_POST = {"order/create": create, "order/amend": amend, "order/cancel": cancel,
                "order/cancel-all": cancel_all, "position/set-leverage": _set_leverage,
                "order/disconnected-cancel-all": _disconnected_cancel_all}
PRIVATE_GET = {"order/realtime": lambda s, a, q: _list_orders(s, a, q, open_only=True),
               "order/history": lambda s, a, q: _list_orders(s, a, q, open_only=False),
               "execution/list": _executions, "position/list": _positions, "account/wallet-balance": _wallet}
PUBLIC_GET = {"market/time": None, "market/instruments-info": _instruments, "market/orderbook": _orderbook}


async def rest_handler(sim, request, path: str):
    endpoint = path[len("/v5/"):]
    method = request.method
    headers: dict[str, str] = {}
    if method == "GET" and endpoint in PUBLIC_GET:
        if endpoint == "market/time":
            t = now_ms()
            return 200, {"retCode": 0, "retMsg": "OK", "result": {"timeSecond": str(t // 1000),
                         "timeNano": str(t * 1_000_000)}, "retExtInfo": {}, "time": t}, headers
        try:
            return 200, envelope(result=PUBLIC_GET[endpoint](sim, dict(request.query))), headers
        except BybitError as exc:
            return exc.http, envelope(exc.code, exc.msg), headers
    table = PRIVATE_POST if method == "POST" else PRIVATE_GET if method == "GET" else {}
    if endpoint not in table:
        return 404, envelope(10017, "route not found"), headers
    try:
        key = request.headers.get("X-BAPI-API-KEY")
        ts = request.headers.get("X-BAPI-TIMESTAMP")
        sign = request.headers.get("X-BAPI-SIGN")
        recv = request.headers.get("X-BAPI-RECV-WINDOW", "5000")
        if not key or not ts or not sign:
            raise BybitError(10003, "API key is invalid.", http=401)
        account = sim.account_for(key)
        if account is None:
            raise BybitError(10003, "API key is invalid.", http=401)
        if method == "GET":
            payload = request.rel_url.raw_query_string
            body_bytes = await request.read()   # cached by the server frame; b"" without a body
            if body_bytes.strip() in (b"{}",):
                return 403, envelope(10005, "Forbidden"), headers
        else:
            payload = (await request.read()).decode("utf-8", "replace")
        if not bybit_signature_ok(account.secret, ts, key, recv, payload, sign):
            raise BybitError(10004, "error sign! origin_string[" + ts + key + recv + payload + "]")
        if not ts.isdigit() or not recv.isdigit() or not bybit_time_ok(int(ts), int(recv), now_ms()):
            raise BybitError(10002, "The request time exceeds the time window range.")
        cat = request.query.get("category", "") if method == "GET" else _peek_category(payload)
        ok, limit, remaining, reset = sim.bybit_limiter.hit(account.uid, f"{endpoint}:{cat}")
        headers.update({"X-Bapi-Limit": str(limit), "X-Bapi-Limit-Status": str(remaining),
                        "X-Bapi-Limit-Reset-Timestamp": str(reset)})
        if not ok:
            raise BybitError(10006, "Too many visits!")
        if method == "GET":
            args = dict(request.query)
        else:
            try:
                args = json.loads(payload or "{}", parse_float=str)
            except ValueError:
                raise BybitError(10001, "params error: invalid JSON body") from None
            if not isinstance(args, dict):
                raise BybitError(10001, "params error: body must be a JSON object")
            args = {k: (str(v) if isinstance(v, (int,)) and not isinstance(v, bool) else v) for k, v in args.items()}
        return 200, envelope(result=table[endpoint](sim, account, args)), headers
    except BybitError as exc:
        return exc.http, envelope(exc.code, exc.msg), headers


def _peek_category(payload: str) -> str:
    try:
        return str(json.loads(payload).get("category", ""))
    except (ValueError, AttributeError):
        return ""


# -- private stream payloads ---------------------------------------------------------------------------
def format_event(sim, ev) -> list[tuple[str, str, list]]:
    """(topic, category, data) tuples for one core event."""
    cat = "spot" if ev.market == "yspot" else "linear"
    if ev.kind == "order":
        o = ev.order
        out = []
        if ev.exec_type in ("TRADE",) and ev.fill is not None:
            for fill, fee, asset, maker in o.fills:
                if fill is ev.fill:
                    row = exec_row(o, fill, fee, maker)
                    row.update({"category": cat, "isLeverage": "0", "execPnl": plain(o.realized)})
                    out.append(("execution", cat, [row]))
        row = order_row(o, category=True)
        if ev.exec_type == "TRIGGERED":
            row["orderStatus"] = "Triggered"
        elif ev.exec_type == "NEW" and o.status != "NEW":
            row["orderStatus"] = "New" if o.type not in CONDITIONAL_TYPES else "Untriggered"
        out.append(("order", cat, [row]))
        return out
    if ev.kind == "position":
        row = position_row(sim, ev.account, ev.symbol)
        row["category"] = "linear"
        return [("position", "linear", [row])]
    if ev.kind == "balance":
        return [("wallet", cat, [wallet_row(sim, ev.account)])]
    return []
