"""Bybit V5 personality: ``/v5`` REST routing and the request frame (API key, signature,
time window, rate limit).

The handlers live by idea: public market data in :mod:`engine.sim.bybit.market_data`,
orders in :mod:`engine.sim.bybit.orders` (TP/SL attached on create in
:mod:`engine.sim.bybit.tpsl`), positions, wallet, leverage and disconnection protection in
:mod:`engine.sim.bybit.account`; what they share in :mod:`engine.sim.bybit.common`; the
private-stream payloads in :mod:`engine.sim.bybit.events`.

Business errors come back with HTTP 200 and a non-zero ``retCode``; order create,
amend and cancel are acknowledgements only, outcomes arrive on the private stream.
Signing: lowercase hex HMAC-SHA256 of ``timestamp + apiKey + recvWindow + payload``.
"""

from __future__ import annotations

import json

from engine.sim.bybit.account import disconnected_cancel_all, positions_route, set_leverage, wallet_route
from engine.sim.bybit.auth import bybit_signature_ok, bybit_time_ok
from engine.sim.bybit.errors import BybitError, envelope
from engine.sim.bybit.account_info import account_info, api_key_info, coin_info, fee_rate
from engine.sim.bybit.market_data import (funding_history, instruments_info, kline, orderbook, recent_trades,
                                          tickers)
from engine.sim.bybit.orders import amend, cancel, cancel_all, create, executions_route, list_orders
from engine.sim.core_types import now_ms
from engine.sim.bybit.state import state_of

__all__ = ["rest_handler", "PRIVATE_POST", "PRIVATE_GET", "PUBLIC_GET"]


PRIVATE_POST = {"order/create": create, "order/amend": amend, "order/cancel": cancel,
                "order/cancel-all": cancel_all, "position/set-leverage": set_leverage,
                "order/disconnected-cancel-all": disconnected_cancel_all}
PRIVATE_GET = {"order/realtime": lambda s, a, q: list_orders(s, a, q, open_only=True),
               "order/history": lambda s, a, q: list_orders(s, a, q, open_only=False),
               "execution/list": executions_route, "position/list": positions_route, "account/wallet-balance": wallet_route,
               "asset/coin/query-info": coin_info, "user/query-api": api_key_info, "account/info": account_info,
               "account/fee-rate": fee_rate}
PUBLIC_GET = {"market/time": None, "market/instruments-info": instruments_info, "market/orderbook": orderbook,
              "market/tickers": tickers, "market/kline": kline, "market/recent-trade": recent_trades,
              "market/funding/history": funding_history}


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
        ok, limit, remaining, reset = state_of(sim).limiter.hit(account.uid, f"{endpoint}:{cat}")
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
