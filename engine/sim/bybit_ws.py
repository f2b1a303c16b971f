"""Bybit V5 WebSockets: the private stream (``/v5/private``) and WebSocket trade
(``/v5/trade``).

Both authenticate with ``{"op":"auth","args":[apiKey, expires, signature]}`` where the
signature is lowercase hex HMAC-SHA256 of ``"GET/realtime" + expires``.  The private
stream then takes ``subscribe`` for ``order``, ``execution``, ``position``, ``wallet``
(or ``<topic>.<category>``) and answers ``ping`` with a ``pong`` carrying server time.
WebSocket trade takes ``order.create|amend|cancel`` with a ``header`` holding
``X-BAPI-TIMESTAMP`` and answers with the ack envelope; outcomes come on the stream.
"""

from __future__ import annotations

import asyncio
import json
import uuid

from aiohttp import WSMsgType, web

from engine.sim import bybit, bybit_account
from engine.sim.auth import bybit_time_ok, bybit_ws_auth_ok
from engine.sim.core import now_ms
from engine.sim.fault_answers import bybit_ws_answer
from engine.sim.streams import StreamConn

__all__ = ["serve"]

TOPICS = {"order", "execution", "position", "wallet"}
TRADE_OPS = {"order.create": bybit.create, "order.amend": bybit.amend, "order.cancel": bybit.cancel}


def _auth(sim, args) -> tuple[object | None, str]:
    if not isinstance(args, list) or len(args) != 3:
        return None, "Params Error"
    key, expires, sig = args
    account = sim.account_for(str(key))
    if account is None:
        return None, "Invalid apikey"
    try:
        exp = int(expires)
    except (TypeError, ValueError):
        return None, "Params Error"
    if exp <= now_ms():
        return None, "Request expired"
    if not bybit_ws_auth_ok(account.secret, expires, sig):
        return None, "Signature verification failed"
    return account, ""


async def serve(sim, request: web.Request, kind: str) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(autoping=True)
    await ws.prepare(request)
    conn = StreamConn(sim, ws, "bybit")
    sim.track_conn(conn)
    conn_id = str(uuid.uuid4())
    state = {"account": None, "topics": set(), "reqs": set(), "cb": None}

    def on_event(ev):
        for topic, cat, data in bybit.format_event(sim, ev):
            if topic in state["topics"] or f"{topic}.{cat}" in state["topics"]:
                conn.event({"id": str(uuid.uuid4()), "topic": topic, "creationTime": now_ms(), "data": data})

    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                req = json.loads(msg.data, parse_float=str)
                if not isinstance(req, dict):
                    raise ValueError
            except ValueError:
                conn.send({"success": False, "ret_msg": "Params Error", "op": "", "conn_id": conn_id})
                continue
            op = req.get("op")
            if kind == "private":
                await _private(sim, conn, state, req, op, conn_id, on_event)
            else:
                if await _trade(sim, conn, ws, state, req, op, conn_id):
                    break
    finally:
        if state["account"] is not None and state["cb"] is not None:
            sim.core.unlisten(state["account"].key, "bybit", state["cb"])
        if kind == "private" and state["account"] is not None:
            bybit_account.dcp_stream_closed(sim, state["account"])
        conn.close_soon()
        await asyncio.sleep(0)
        sim.untrack_conn(conn)
    return ws


async def _private(sim, conn, state, req, op, conn_id, on_event) -> None:
    rid = req.get("req_id")
    base = {"req_id": rid} if rid is not None else {}
    if op == "ping":
        conn.send({**base, "op": "pong", "args": [str(now_ms())], "conn_id": conn_id})
        return
    if op == "auth":
        if state["account"] is not None:
            conn.send({**base, "success": False, "ret_msg": "Repeat auth", "op": "auth", "conn_id": conn_id})
            return
        account, err = _auth(sim, req.get("args"))
        if account is None:
            conn.send({**base, "success": False, "ret_msg": err, "op": "auth", "conn_id": conn_id})
            return
        state["account"] = account
        state["cb"] = on_event
        sim.core.listen(account.key, "bybit", on_event)
        bybit_account.dcp_stream_opened(sim, account)
        conn.send({**base, "success": True, "ret_msg": "", "op": "auth", "conn_id": conn_id})
        return
    if op in ("subscribe", "unsubscribe"):
        args = req.get("args")
        if state["account"] is None:
            conn.send({**base, "success": False, "ret_msg": "Request not authorized", "op": op, "conn_id": conn_id})
            return
        bad = [t for t in (args or []) if not isinstance(t, str) or t.split(".")[0] not in TOPICS
               or (t.count(".") == 1 and t.split(".")[1] not in ("spot", "linear", "inverse", "option"))]
        if not isinstance(args, list) or not args or bad:
            conn.send({**base, "success": False, "ret_msg": f"Invalid topic: {bad or args}", "op": op,
                       "conn_id": conn_id})
            return
        for t in args:
            (state["topics"].add if op == "subscribe" else state["topics"].discard)(t)
        conn.send({**base, "success": True, "ret_msg": "", "op": op, "conn_id": conn_id})
        return
    conn.send({**base, "success": False, "ret_msg": f"Invalid op: {op}", "op": op or "", "conn_id": conn_id})


async def _trade(sim, conn, ws, state, req, op, conn_id) -> bool:
    """Answer one trade-socket message; True when the connection was dropped by a fault."""
    if op == "ping":
        conn.send({"op": "pong", "args": [str(now_ms())], "connId": conn_id,
                   **({"req_id": req["req_id"]} if "req_id" in req else {})})
        return False
    if op == "auth":
        if state["account"] is not None:
            conn.send({"retCode": 20001, "retMsg": "Repeat auth", "op": "auth", "connId": conn_id})
            return False
        account, err = _auth(sim, req.get("args"))
        if account is None:
            conn.send({"retCode": 10004 if "Signature" in err else 10001, "retMsg": err, "op": "auth",
                       "connId": conn_id})
            return False
        state["account"] = account
        conn.send({"retCode": 0, "retMsg": "OK", "op": "auth", "connId": conn_id})
        return False
    req_id = req.get("reqId")
    base = {"reqId": req_id, "retCode": 0, "retMsg": "OK", "op": op, "data": {}, "retExtInfo": {},
            "header": {}, "connId": conn_id}
    faults = sim.faults.for_request((str(op), "v5/trade", "*"), ws=True)
    if faults.latency is not None:
        await asyncio.sleep(faults.latency.ms / 1000)
    fault = faults.answer
    if fault is None:
        conn.send(_trade_op(sim, state, req, op, dict(base)))
        return False
    real = None
    if fault.process == "first":
        real = _trade_op(sim, state, req, op, dict(base))
        faults.record.processed_ms, faults.record.unheard = now_ms(), (200, real)
    elif fault.process == "later":
        # Run later on this connection's state (its authentication, its reqIds), as the
        # venue's trade service would when the request finally reaches it.
        sim.deferred.schedule(fault.delay_ms, lambda: (200, _trade_op(sim, state, req, op, dict(base))),
                              faults.record)
    if fault.verb == "drop":
        await ws.close()
        return True
    conn.send(bybit_ws_answer(fault, base, real))
    return False


def _trade_op(sim, state, req, op, answer: dict) -> dict:
    """Process one order op and return its answer envelope (``answer`` filled in)."""
    req_id = req.get("reqId")
    try:
        if state["account"] is None:
            raise bybit.BybitError(10003, "Request not authorized")   # wire text unconfirmed
        if op not in TRADE_OPS:
            raise bybit.BybitError(10404, "op not found")
        if req_id is not None:
            if req_id in state["reqs"]:
                raise bybit.BybitError(20006, "reqId is duplicate")
            state["reqs"].add(req_id)
        header = req.get("header") or {}
        ts = str(header.get("X-BAPI-TIMESTAMP", ""))
        recv = str(header.get("X-BAPI-RECV-WINDOW", "5000"))
        if not ts.isdigit():
            raise bybit.BybitError(10001, "params error: X-BAPI-TIMESTAMP is required")
        if not recv.isdigit() or not bybit_time_ok(int(ts), int(recv), now_ms()):
            raise bybit.BybitError(10002, "The request time exceeds the time window range.")
        args = req.get("args")
        if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
            raise bybit.BybitError(10001, "params error: args must hold exactly one order")
        endpoint = "order/" + op.split(".")[1]
        ok, limit, remaining, reset = sim.bybit_limiter.hit(state["account"].uid,
                                                            f"{endpoint}:{args[0].get('category', '')}")
        answer["header"] = {"X-Bapi-Limit": str(limit), "X-Bapi-Limit-Status": str(remaining),
                            "X-Bapi-Limit-Reset-Timestamp": str(reset), "Traceid": uuid.uuid4().hex,
                            "Timenow": str(now_ms())}
        if not ok:
            raise bybit.BybitError(10006, "Too many visits!")
        item = {k: (str(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in args[0].items()}
        answer["data"] = TRADE_OPS[op](sim, state["account"], item)
    except bybit.BybitError as exc:
        answer["retCode"], answer["retMsg"] = exc.code, exc.msg
    return answer
