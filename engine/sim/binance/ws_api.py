"""Binance spot WebSocket API (``/ws-api/v3``): order entry and the user-data
subscription, in the venue's request/response envelopes.

Requests ``{"id","method","params"}`` are answered ``{"id","status","result"|"error",
"rateLimits"}`` (``rateLimits`` left out when the connection URL or the request says
``returnRateLimits=false``).  Signed methods carry ``apiKey``, ``timestamp`` and
``signature`` over the params sorted by name, raw UTF-8: HMAC-SHA256 hex, or base64
Ed25519 for an Ed25519 key.

Session authentication (Ed25519 keys only): ``session.logon`` (apiKey, timestamp,
recvWindow?, signature) makes the connection act for that key; later requests may then
leave out ``apiKey`` and ``signature`` but still carry ``timestamp`` (checked against
``recvWindow`` as usual), and a request that does carry its own ``apiKey`` and
``signature`` is authorised by those instead.  ``session.status`` reports the logged-on
key, ``session.logout`` forgets it and ends the subscriptions made with
``userDataStream.subscribe`` (not those made with ``.subscribe.signature``).  An HMAC
key's logon is refused with -4056 "HMAC_SHA256 API key is not supported." (the text
clients report from the venue; errors.md does not list the code).

User data: ``userDataStream.subscribe`` (after logon) or
``userDataStream.subscribe.signature`` (any key type); events arrive as
``{"subscriptionId": N, "event": {...}}``.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import WSMsgType, web

from engine.sim.binance.auth import ws_api_payload
from engine.sim.binance.errors import BAN_MSG, TOO_MUCH_WEIGHT, BinanceError, mandatory
from engine.sim.binance.fault_answers import ws_answer
from engine.sim.binance.rest import Ctx, Params, check_signed, check_time, check_timestamp
from engine.sim.binance.spot import ROUTES
from engine.sim.binance.spot_events import format_event
from engine.sim.core_types import now_ms
from engine.sim.frames import answer_ws_request
from engine.sim.streams import StreamConn
from engine.sim.binance.state import state_of

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
    "orderList.place.otoco": ("POST", "/api/v3/orderList/otoco"),
    "orderList.cancel": ("DELETE", "/api/v3/orderList"),
    "orderList.status": ("GET", "/api/v3/orderList"),
    "openOrderLists.status": ("GET", "/api/v3/openOrderList"),
}


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class WsApiSession:
    """One connection's state: the logged-on key (if any) and the user-data subscriptions."""

    def __init__(self, sim, conn: StreamConn, ip: str, return_rate_limits: bool = True) -> None:
        self.sim = sim
        self.conn = conn
        self.ip = ip
        self.subs: dict[int, tuple] = {}     # subscriptionId -> (account, callback)
        self.logon_subs: set[int] = set()    # those made by userDataStream.subscribe (end at logout)
        self.next_sub = 0
        self.logon = None                    # the Account of session.logon, else None
        self.authorized_ms: int | None = None
        self.connected_ms = now_ms()
        self.return_rate_limits = return_rate_limits
        self._rate_limits = return_rate_limits   # for the answer being built

    def answer(self, rid, status: int, result=None, error=None, account=None) -> dict:
        out = {"id": rid, "status": status}
        if error is not None:
            out["error"] = error
        else:
            out["result"] = result
        if self._rate_limits:
            out["rateLimits"] = state_of(self.sim).spot_limiter.rate_limits_field(self.ip, account.key if account else None)
        return out

    def session_result(self) -> dict:
        """The result body shared by session.logon, session.status and session.logout."""
        return {"apiKey": self.logon.key if self.logon is not None else None,
                "authorizedSince": self.authorized_ms if self.logon is not None else None,
                "connectedSince": self.connected_ms, "returnRateLimits": self.return_rate_limits,
                "serverTime": now_ms(), "userDataStream": bool(self.subs)}

    def _logged_on(self, sparams: dict):
        """The account for a request relying on session.logon, or None when it signs itself."""
        if self.logon is None or "signature" in sparams:
            return None
        key = sparams.get("apiKey")
        if key not in (None, "") and key != self.logon.key:
            return None   # another key without its signature: refused as an unsigned request
        timestamp, recv = check_timestamp(sparams)   # timestamp stays mandatory after logon
        check_time(timestamp, recv)
        return self.logon

    def handle(self, rid, method: str, params: dict) -> dict | None:
        lim = state_of(self.sim).spot_limiter
        account = None
        try:
            if method.startswith("v3/"):
                method = method[3:]
            rl = params.get("returnRateLimits")
            self._rate_limits = (str(rl).lower() != "false") if rl is not None else self.return_rate_limits
            gate = lim.gate(self.ip, 2 if method.startswith(("userDataStream", "session.")) else 1)
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
                    # The venue needs an Ed25519 session.logon first; its exact error is
                    # undocumented, this is its generic refusal for a missing authorisation.
                    raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", http=401)
                result = self.subscribe(self.logon)
                self.logon_subs.add(result["subscriptionId"])
                return self.answer(rid, 200, result, account=self.logon)
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
                return self.answer(rid, 200, self.session_result(), account=self.logon)
            if method == "session.logon":
                for name in ("apiKey", "signature"):
                    if not sparams.get(name):
                        raise mandatory(name)
                account = self._signed(sparams)
                if account.ed25519 is None:
                    raise BinanceError(-4056, "HMAC_SHA256 API key is not supported.")
                # A second logon replaces the key the connection acts for.
                self.logon, self.authorized_ms = account, now_ms()
                return self.answer(rid, 200, self.session_result(), account=account)
            if method == "session.logout":
                for sid in sorted(self.logon_subs):
                    if sid in self.subs:
                        self.unsubscribe(sid)
                self.logon, self.authorized_ms = None, None
                return self.answer(rid, 200, self.session_result())
            if method not in METHODS:
                raise BinanceError(-1102 if not method else -1020, "This operation is not supported." if method
                                   else "Mandatory parameter 'method' was not sent, was empty/null, or malformed.")
            route = ROUTES[METHODS[method]]
            if route.security != "NONE":
                account = self._logged_on(sparams) or self._signed(sparams)
            if route.is_order and METHODS[method][0] == "POST":
                over = lim.order_gate(account.key)
                if over is not None:
                    limit, interval, retry = over
                    raise BinanceError(-1015, f"Too many new orders; current limit is {limit} orders per {interval}.",
                                       http=429)
            ctx = Ctx(self.sim, account, self.ip, "ws", "spot")
            result = route.handler(ctx, Params({k: v for k, v in sparams.items()
                                                if k not in ("apiKey", "signature", "returnRateLimits")}))
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
            for body in format_event(ev):
                conn.event({"subscriptionId": sid, "event": body})

        self.subs[sid] = (account, on_event)
        self.sim.core.listen(account.key, "binance-spot", on_event)
        return {"subscriptionId": sid}

    def unsubscribe(self, sid: int) -> None:
        self.logon_subs.discard(sid)
        account, cb = self.subs.pop(sid)
        self.sim.core.unlisten(account.key, "binance-spot", cb)
        self.conn.send({"subscriptionId": sid, "event": {"e": "eventStreamTerminated", "E": now_ms()}})

    def close(self) -> None:
        for sid, (account, cb) in list(self.subs.items()):
            self.sim.core.unlisten(account.key, "binance-spot", cb)
        self.subs.clear()
        self.logon_subs.clear()


async def _answer(sim, ws, conn: StreamConn, session: WsApiSession, rid, method: str, params: dict) -> bool:
    """Answer one request, faults applied; True when a fault closed the connection.  A request the
    venue processes later runs on this same session: its logon and subscriptions as they are then."""
    limiter = state_of(sim).spot_limiter
    return await answer_ws_request(sim, (method, "ws-api/v3", "*"), lambda: session.handle(rid, method, params),
                                   conn.send, ws.close, lambda fault, real: ws_answer(limiter, fault, rid, real),
                                   status_of=lambda answer: answer["status"])


async def serve_ws_api(sim, request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=20.0, autoping=True)
    await ws.prepare(request)
    conn = StreamConn(sim, ws, "binance-spot")
    sim.track_conn(conn)
    session = WsApiSession(sim, conn, request.remote or "127.0.0.1",
                           request.query.get("returnRateLimits", "true").lower() != "false")
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
            if await _answer(sim, ws, conn, session, rid, method, params):
                break
    finally:
        session.close()
        conn.close_soon()
        await asyncio.sleep(0)
        sim.untrack_conn(conn)
    return ws
