"""Bybit V5 personality: ``/v5`` REST routing and request frame (API key, signature, time
window, rate limit), public market data (instruments, order book, time), and the payloads
of the private ``order``/``execution``/``position``/``wallet`` topics.

The handlers live by idea: orders in :mod:`engine.sim.bybit_orders` (TP/SL attached on
create in :mod:`engine.sim.bybit_tpsl`), positions, wallet, leverage and disconnection
protection in :mod:`engine.sim.bybit_account`; what they share in
:mod:`engine.sim.bybit_common`.

Business errors come back with HTTP 200 and a non-zero ``retCode``; order create,
amend and cancel are acknowledgements only, outcomes arrive on the private stream.
Signing: lowercase hex HMAC-SHA256 of ``timestamp + apiKey + recvWindow + payload``.
"""

from __future__ import annotations

import json

from engine.sim.auth import bybit_signature_ok, bybit_time_ok
from engine.sim.bybit_account import disconnected_cancel_all, positions_route, set_leverage, wallet_route, position_row, wallet_row
from engine.sim.bybit_common import MARKETS, BybitError, category_of, inst_of, envelope
from engine.sim.bybit_orders import executions_route, list_orders, amend, cancel, cancel_all, create, exec_row, order_row
from engine.sim.core import CONDITIONAL_TYPES, now_ms
from engine.sim.decimals import plain

__all__ = ["BybitError", "rest_handler", "create", "amend", "cancel", "format_event", "order_row"]


def _instruments(sim, q: dict) -> dict:
    cat = category_of(q)
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
    cat = category_of(q)
    inst = inst_of(sim, cat, q.get("symbol"))
    book = sim.core.books[(MARKETS[cat], inst.symbol)]
    n = int(q.get("limit") or 25)
    return {"s": inst.symbol, "b": [[plain(p), plain(s)] for p, s in book.depth("BUY", n)],
            "a": [[plain(p), plain(s)] for p, s in book.depth("SELL", n)], "ts": now_ms(), "u": book._seq,
            "seq": book._seq, "cts": now_ms()}


PRIVATE_POST = {"order/create": create, "order/amend": amend, "order/cancel": cancel,
                "order/cancel-all": cancel_all, "position/set-leverage": set_leverage,
                "order/disconnected-cancel-all": disconnected_cancel_all}
PRIVATE_GET = {"order/realtime": lambda s, a, q: list_orders(s, a, q, open_only=True),
               "order/history": lambda s, a, q: list_orders(s, a, q, open_only=False),
               "execution/list": executions_route, "position/list": positions_route, "account/wallet-balance": wallet_route}
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
