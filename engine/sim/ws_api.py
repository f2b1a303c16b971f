"""Binance spot WebSocket API (``/ws-api/v3``): order entry and the user-data
subscription, in the venue's request/response envelopes.

Requests ``{"id","method","params"}`` are answered ``{"id","status","result"|"error",
"rateLimits"}``.  Signed methods carry ``apiKey``, ``timestamp`` and ``signature``
(HMAC-SHA256 over the params sorted by name, raw UTF-8).  The user-data stream is
``userDataStream.subscribe.signature``; events arrive as
``{"subscriptionId": N, "event": {...}}``.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import WSMsgType, web

from engine.sim import binance_spot
from engine.sim.auth import ws_api_payload
from engine.sim.binance_common import BAN_MSG, TOO_MUCH_WEIGHT, BinanceError, Ctx, Params, check_signed
from engine.sim.core import now_ms
from engine.sim.streams import StreamConn

__all__ = ["serve_ws_api"]

log = logging.getLogger("engine.sim.ws_api")

# WS method -> (HTTP method, REST path) of the handler it shares.
METHODS = {
    "ping": ("GET", "/api/v3/ping"),
    "time": ("GET", "/api/v3/time"),
    "exchangeInfo": ("GET", "/api/v3/exchangeInfo"),
    "depth": ("GET", "/api/v3/depth"),
    "order.place": ("POST", "/api/v3/order"),
    "order.test": ("POST", "/api/v3/order/test"),
    "order.status": ("GET", "/api/v3/order"),
    "order.cancel": ("DELETE", "/api/v3/order"),
    "order.cancelReplace": ("POST", "/api/v3/order/cancelReplace"),
    "order.amend.keepPriority": ("PUT", "/api/v3/order/amend/keepPriority"),
    "openOrders.status": ("GET", "/api/v3/openOrders"),
    "openOrders.cancelAll": ("DELETE", "/api/v3/openOrders"),
    "allOrders": ("GET", "/api/v3/allOrders"),
    "myTrades": ("GET", "/api/v3/myTrades"),
    "account.status": ("GET", "/api/v3/account"),
    "account.rateLimits.orders": ("GET", "/api/v3/rateLimit/order"),
}


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class WsApiSession:
    def __init__(self, sim, conn: StreamConn, ip: str) -> None:
        self.sim = sim
        self.conn = conn
        self.ip = ip
        self.subs: dict[int, tuple] = {}     # subscriptionId -> (account, callback)
        self.next_sub = 0
        self.logon = None
        self.connected_ms = now_ms()

    def answer(self, rid, status: int, result=None, error=None, account=None) -> dict:
        out = {"id": rid, "status": status}
        if error is not None:
            out["error"] = error
        else:
            out["result"] = result
        out["rateLimits"] = self.sim.spot_limiter.rate_limits_field(self.ip, account.key if account else None)
        return out

    def handle(self, rid, method: str, params: dict) -> dict | None:
        lim = self.sim.spot_limiter
        account = None
        try:
            if method.startswith("v3/"):
                method = method[3:]
            gate = lim.gate(self.ip, 2 if method.startswith("userDataStream") else 1)
            if gate is not None:
                code, retry = gate
                until = now_ms() + retry * 1000
                msg = BAN_MSG.format(until=until) if code == 418 else TOO_MUCH_WEIGHT.format(limit=lim.weight_limit)
                raise BinanceError(-1003, msg, http=code, data={"serverTime": now_ms(), "retryAfter": until})
            sparams = {k: _text(v) for k, v in params.items()}
            if method in ("userDataStream.subscribe.signature",):
                account = self._signed(sparams)
                return self.answer(rid, 200, self.subscribe(account), account=account)
            if method == "userDataStream.subscribe":
                if self.logon is None:
                    raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", http=401)
                return self.answer(rid, 200, self.subscribe(self.logon), account=self.logon)
            if method == "userDataStream.unsubscribe":
                sid = params.get("subscriptionId")
                if sid is None:
                    for s in list(self.subs):
                        self.unsubscribe(s)
                elif sid not in self.subs:
                    raise BinanceError(-2036, "User Data Stream subscription not active.")
                else:
                    self.unsubscribe(sid)
                return self.answer(rid, 200, {})
            if method == "session.subscriptions":
                return self.answer(rid, 200, [{"subscriptionId": s} for s in sorted(self.subs)])
            if method == "session.status":
                return self.answer(rid, 200, {
                    "apiKey": self.logon.key if self.logon else None, "authorizedSince": None,
                    "connectedSince": self.connected_ms, "returnRateLimits": True, "serverTime": now_ms(),
                    "userDataStream": bool(self.subs)})
            if method == "session.logon":
                # Only Ed25519 keys may log a session on; this simulator issues HMAC keys.
                account = self._signed(sparams)
                raise BinanceError(-4056, "HMAC_SHA256 API key is not supported.")   # wire code/text unconfirmed
            if method not in METHODS:
                raise BinanceError(-1102 if not method else -1020, "This operation is not supported." if method
                                   else "Mandatory parameter 'method' was not sent, was empty/null, or malformed.")
            route = binance_spot.ROUTES[METHODS[method]]
            if route.security != "NONE":
                if self.logon is not None and "signature" not in sparams:
                    account = self.logon
                else:
                    account = self._signed(sparams)
            if route.is_order and METHODS[method][0] == "POST":
                over = lim.order_gate(account.key)
                if over is not None:
                    limit, interval, retry = over
                    raise BinanceError(-1015, f"Too many new orders; current limit is {limit} orders per {interval}.",
                                       http=429)
            ctx = Ctx(self.sim, account, self.ip, "ws", "spot")
            result = route.handler(ctx, Params({k: v for k, v in sparams.items()
                                                if k not in ("apiKey", "signature")}))
            if route.is_order:
                lim.refund(self.ip, 1)
            return self.answer(rid, 200, result, account=account)
        except BinanceError as exc:
            return self.answer(rid, exc.http, error=exc.body(), account=account)

    def _signed(self, sparams: dict):
        payload = ws_api_payload(sparams)
        return check_signed(self.sim, sparams.get("apiKey"), sparams, payload, sparams.get("signature"))

    def subscribe(self, account) -> dict:
        for sid, (acct, _) in self.subs.items():
            if acct is account:
                raise BinanceError(-2035, "User Data Stream subscription already active.")
        if len(self.subs) >= 1000:
            raise BinanceError(-2042, "Maximum subscription ID reached for this connection.")
        sid = self.next_sub
        self.next_sub += 1
        conn = self.conn

        def on_event(ev, sid=sid):
            for body in binance_spot.format_event(ev):
                conn.event({"subscriptionId": sid, "event": body})

        self.subs[sid] = (account, on_event)
        self.sim.core.listen(account.key, "binance-spot", on_event)
        return {"subscriptionId": sid}

    def unsubscribe(self, sid: int) -> None:
        account, cb = self.subs.pop(sid)
        self.sim.core.unlisten(account.key, "binance-spot", cb)
        self.conn.send({"subscriptionId": sid, "event": {"e": "eventStreamTerminated", "E": now_ms()}})

    def close(self) -> None:
        for sid, (account, cb) in list(self.subs.items()):
            self.sim.core.unlisten(account.key, "binance-spot", cb)
        self.subs.clear()


async def serve_ws_api(sim, request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=20.0, autoping=True)
    await ws.prepare(request)
    conn = StreamConn(sim, ws, "binance-spot")
    sim.track_conn(conn)
    session = WsApiSession(sim, conn, request.remote or "127.0.0.1")
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                req = json.loads(msg.data, parse_float=str)
                if not isinstance(req, dict):
                    raise ValueError
                rid, method, params = req.get("id"), req.get("method"), req.get("params") or {}
                if not isinstance(params, dict) or not isinstance(method, str):
                    raise ValueError
            except ValueError:
                conn.send({"id": None, "status": 400,
                           "error": {"code": -1102, "msg": "Mandatory parameter 'method' was not sent, was empty/null, or malformed."}})
                continue
            names = (method, "ws-api/v3", "*")
            fired = {f.action: f for f in sim.faults.fire(names)}
            if "latency" in fired:
                await asyncio.sleep(fired["latency"].ms / 1000)
            if "before_process_drop" in fired:
                await ws.close()
                break
            if any(a in fired for a in ("http500", "http502", "http503")):
                conn.send({"id": rid, "status": 500, "error": {
                    "code": -1001, "msg": "Internal error; unable to process your request. Please try again."}})
                continue
            if "http429" in fired or "http418" in fired:
                status = 418 if "http418" in fired else 429
                until = now_ms() + 120000
                conn.send({"id": rid, "status": status, "error": {
                    "code": -1003, "msg": BAN_MSG.format(until=until) if status == 418 else
                    TOO_MUCH_WEIGHT.format(limit=sim.spot_limiter.weight_limit),
                    "data": {"serverTime": now_ms(), "retryAfter": until}}})
                continue
            answer = session.handle(rid, method, params)
            if "after_process_drop" in fired:
                await asyncio.sleep(0)
                await ws.close()
                break
            conn.send(answer)
    finally:
        session.close()
        conn.close_soon()
        await asyncio.sleep(0)
        sim.untrack_conn(conn)
    return ws
