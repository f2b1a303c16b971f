"""Gate.io WebSocket order API (gateio-spot.md §8), on the ``/ws/v4/`` socket.

``spot.login`` (signature over ``api\\nspot.login\\n\\n<timestamp>``, :mod:`.auth`) once per
socket; then ``spot.order_place`` (an object, or an array for a batch), ``spot.order_cancel``,
``spot.order_cancel_ids``, ``spot.order_cancel_cp``, ``spot.order_amend``,
``spot.order_status`` and ``spot.order_list`` without signatures.  ``spot.order_place`` is
answered twice: an ack (``"ack":true``, echoing the request) and the result (no ``ack`` key);
the others once.  A result is ``{"request_id","header":{...,"status":"200"},"data":{"result"}}``,
a refusal ``header.status`` "4xx"/"5xx" (a string) and ``data.errs {label, message}``.
Placing and amending share each pair's 10 r/s with REST; the rest is not limited.
``req_header.x-gate-exptime`` (ms): a request processed later than that is ``REQUEST_EXPIRED``.
Requests before a login are refused 401 ``INVALID_KEY`` (the venue's words are unconfirmed).
Faults apply per channel name (:func:`engine.sim.frames.answer_ws_request`).
"""

from __future__ import annotations

import uuid

from engine.sim.core_types import now_ms
from engine.sim.frames import answer_ws_request
from engine.sim.gateio import orders
from engine.sim.gateio.account import batch_place
from engine.sim.gateio.auth import WINDOW_S, login_signature_ok
from engine.sim.gateio.errors import GateError
from engine.sim.gateio.fault_answers import error_frame, ws_answer
from engine.sim.gateio.state import state_of

__all__ = ["message", "API_CHANNELS"]

API_CHANNELS = ("spot.login", "spot.order_place", "spot.order_cancel", "spot.order_cancel_ids",
                "spot.order_cancel_cp", "spot.order_amend", "spot.order_status", "spot.order_list")
_LIMITED = ("spot.order_place", "spot.order_amend")


def _envelope(conn, req_id, channel: str) -> dict:
    t = now_ms()
    return {"request_id": req_id, "header": {
        "response_time": str(t), "status": "200", "channel": channel, "event": "api", "client_id": "127.0.0.1",
        "x_in_time": t * 1000, "x_out_time": t * 1000, "conn_id": conn.conn_id, "conn_trace_id": conn.conn_id,
        "trace_id": uuid.uuid4().hex}, "data": {"result": None}}


def _login(sim, conn, payload: dict, base: dict) -> dict:
    key, signature, ts = payload.get("api_key"), payload.get("signature"), str(payload.get("timestamp") or "")
    account = sim.account_for(str(key)) if key else None
    if account is None:
        return error_frame(base, 401, "INVALID_KEY", "Invalid key provided")
    if not ts.isdigit() or abs(int(ts) * 1000 - now_ms()) > WINDOW_S * 1000:
        return error_frame(base, 401, "REQUEST_EXPIRED", "Request timestamp out of the 60 s window")
    if not login_signature_ok(account.secret, "api", "spot.login", ts, signature):
        return error_frame(base, 401, "INVALID_SIGNATURE", "Signature mismatch")
    conn.api_account = account
    header = dict(base["header"])
    header["clientId"] = header.pop("client_id")       # the login answer spells it so (§8)
    return {**base, "header": header, "data": {"result": {"api_key": key, "uid": str(account.uid)}}}


def _pair_of(param) -> str:
    return str(param.get("currency_pair") or "") if isinstance(param, dict) else ""


def _run(sim, conn, channel: str, payload: dict, base: dict) -> dict:
    """Process one order API request; its result frame."""
    header = {}
    try:
        account = conn.api_account
        if account is None:
            raise GateError("INVALID_KEY", "Not logged in: spot.login first", 401)
        exptime = (payload.get("req_header") or {}).get("x-gate-exptime") \
            if isinstance(payload.get("req_header"), dict) else None
        if exptime not in (None, ""):
            if not str(exptime).isdigit():
                raise GateError("INVALID_PARAM_VALUE", "x-gate-exptime must be a time in ms")
            if now_ms() > int(exptime):
                raise GateError("REQUEST_EXPIRED", "Request expired: received after x-gate-exptime")
        param = payload.get("req_param")
        if channel in _LIMITED:
            items = param if isinstance(param, list) else [param]
            for pair in sorted({_pair_of(p) for p in items}):
                verdict = state_of(sim).limiter.place(account.uid, pair)
                header = verdict.ws_header
                if not verdict[0]:
                    raise GateError("TOO_MANY_REQUESTS", "Request Rate limit Exceeded (211)", 429)
        result = _operate(sim, account, channel, param)
    except GateError as exc:
        return error_frame(base, exc.status, exc.label, exc.message, header)
    return {**base, "header": {**base["header"], **header}, "data": {"result": result}}


def _operate(sim, account, channel: str, param):
    if channel == "spot.order_place":
        if isinstance(param, list):
            return batch_place(sim, account, param)
        if not isinstance(param, dict):
            raise GateError("INVALID_REQUEST_BODY", "req_param must be an order")
        o, mode = orders.create(sim, account, param)
        return orders.result_of(o, mode)
    if channel == "spot.order_list":
        return orders.list_orders(sim, account, param if isinstance(param, dict) else {})
    if channel == "spot.order_cancel_ids":
        if not isinstance(param, list):
            raise GateError("INVALID_REQUEST_BODY", "req_param must be a list")
        return [_cancel_one(sim, account, item) for item in param]
    if not isinstance(param, dict):
        raise GateError("INVALID_REQUEST_BODY", "req_param must be an object")
    if channel == "spot.order_cancel_cp":
        return orders.cancel_all(sim, account, param)
    oid = str(param.get("order_id") or "")
    if channel == "spot.order_cancel":
        return orders.cancel(sim, account, param, oid)
    if channel == "spot.order_amend":
        return orders.amend(sim, account, param, oid)
    return orders.get(sim, account, param, oid)          # spot.order_status


def _cancel_one(sim, account, item) -> dict:
    if not isinstance(item, dict):
        return {"succeeded": False, "label": "INVALID_REQUEST_BODY", "message": "each item is an object"}
    oid = str(item.get("id") or item.get("text") or "")
    try:
        row = orders.cancel(sim, account, item, oid)
    except GateError as exc:
        return {"currency_pair": _pair_of(item), "id": oid, "succeeded": False, "label": exc.label,
                "message": exc.message}
    return {"currency_pair": row["currency_pair"], "id": row["id"], "text": row["text"], "succeeded": True,
            "label": "", "message": "", "account": "spot"}


async def message(sim, conn, ws, req: dict) -> bool:
    """Answer one ``"event":"api"`` frame; True when a fault closed the socket."""
    channel = str(req.get("channel") or "")
    payload = req.get("payload") if isinstance(req.get("payload"), dict) else {}
    req_id = payload.get("req_id")
    base = _envelope(conn, req_id, channel)
    if channel not in API_CHANNELS:
        conn.stream.send(error_frame(base, 400, "INVALID_ARGUMENT", f"unknown channel {channel}"))
        return False
    if channel == "spot.login":
        conn.stream.send(_login(sim, conn, payload, base))
        return False

    def send(answer) -> None:
        if channel == "spot.order_place":
            ack = _envelope(conn, req_id, channel)
            ack["ack"] = True
            ack["data"] = {"result": {"req_id": req_id, "req_header": payload.get("req_header"),
                                      "req_param": payload.get("req_param"), "api_key": "", "timestamp": "",
                                      "signature": ""}}
            conn.stream.send({"request_id": req_id, "ack": True, **{k: v for k, v in ack.items()
                                                                     if k not in ("request_id", "ack")}})
        conn.stream.send(answer)

    return await answer_ws_request(sim, (channel, "ws/v4", "*"), lambda: _run(sim, conn, channel, payload, base),
                                   send, ws.close, lambda fault, real: ws_answer(fault, base, real),
                                   lambda answer: int(answer["header"]["status"]))


