"""Bybit V5 WebSocket trade (``/v5/trade``): after ``auth`` it takes
``order.create|amend|cancel`` with a ``header`` holding ``X-BAPI-TIMESTAMP`` and answers
with the ack envelope; outcomes come on the private stream.  Faults apply per op, as on
REST (:mod:`engine.sim.faults`).
"""

from __future__ import annotations

import uuid

from engine.sim.bybit.auth import bybit_time_ok, ws_auth
from engine.sim.bybit.errors import BybitError
from engine.sim.bybit.fault_answers import ws_answer
from engine.sim.bybit.orders import amend, cancel, create
from engine.sim.core_types import now_ms
from engine.sim.frames import answer_ws_request
from engine.sim.bybit.state import state_of

__all__ = ["message", "TRADE_OPS"]

TRADE_OPS = {"order.create": create, "order.amend": amend, "order.cancel": cancel}


async def message(sim, conn, ws, state, req, op, conn_id) -> bool:
    """Answer one trade-socket message; True when the connection was dropped by a fault."""
    if op == "ping":
        conn.send({"op": "pong", "args": [str(now_ms())], "connId": conn_id,
                   **({"req_id": req["req_id"]} if "req_id" in req else {})})
        return False
    if op == "auth":
        if state["account"] is not None:
            conn.send({"retCode": 20001, "retMsg": "Repeat auth", "op": "auth", "connId": conn_id})
            return False
        account, err = ws_auth(sim, req.get("args"))
        if account is None:
            conn.send({"retCode": 10004 if "Signature" in err else 10001, "retMsg": err, "op": "auth",
                       "connId": conn_id})
            return False
        state["account"] = account
        conn.send({"retCode": 0, "retMsg": "OK", "op": "auth", "connId": conn_id})
        return False
    base = {"reqId": req.get("reqId"), "retCode": 0, "retMsg": "OK", "op": op, "data": {}, "retExtInfo": {},
            "header": {}, "connId": conn_id}
    return await answer_ws_request(sim, (str(op), "v5/trade", "*"), lambda: _trade_op(sim, state, req, op, dict(base)),
                                   conn.send, ws.close, lambda fault, real: ws_answer(fault, base, real))


def _trade_op(sim, state, req, op, answer: dict) -> dict:
    """Process one order op and return its answer envelope (``answer`` filled in)."""
    req_id = req.get("reqId")
    try:
        if state["account"] is None:
            raise BybitError(10003, "Request not authorized")   # wire text unconfirmed
        if op not in TRADE_OPS:
            raise BybitError(10404, "op not found")
        if req_id is not None:
            if req_id in state["reqs"]:
                raise BybitError(20006, "reqId is duplicate")
            state["reqs"].add(req_id)
        header = req.get("header") or {}
        ts = str(header.get("X-BAPI-TIMESTAMP", ""))
        recv = str(header.get("X-BAPI-RECV-WINDOW", "5000"))
        if not ts.isdigit():
            raise BybitError(10001, "params error: X-BAPI-TIMESTAMP is required")
        if not recv.isdigit() or not bybit_time_ok(int(ts), int(recv), now_ms()):
            raise BybitError(10002, "The request time exceeds the time window range.")
        args = req.get("args")
        if not isinstance(args, list) or len(args) != 1 or not isinstance(args[0], dict):
            raise BybitError(10001, "params error: args must hold exactly one order")
        endpoint = "order/" + op.split(".")[1]
        ok, limit, remaining, reset = state_of(sim).limiter.hit(state["account"].uid,
                                                            f"{endpoint}:{args[0].get('category', '')}")
        answer["header"] = {"X-Bapi-Limit": str(limit), "X-Bapi-Limit-Status": str(remaining),
                            "X-Bapi-Limit-Reset-Timestamp": str(reset), "Traceid": uuid.uuid4().hex,
                            "Timenow": str(now_ms())}
        if not ok:
            raise BybitError(10006, "Too many visits!")
        item = {k: (str(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in args[0].items()}
        answer["data"] = TRADE_OPS[op](sim, state["account"], item)
    except BybitError as exc:
        answer["retCode"], answer["retMsg"] = exc.code, exc.msg
    return answer
