"""Bybit V5 private stream (``/v5/private``): after ``auth`` it takes ``subscribe`` for
``order``, ``execution``, ``position``, ``wallet`` (or ``<topic>.<category>``), answers
``ping`` with a ``pong`` carrying server time, and forwards the core's events on the topics
subscribed (payloads in :mod:`engine.sim.bybit.events`).
"""

from __future__ import annotations

import uuid

from engine.sim.bybit.account import dcp_stream_opened
from engine.sim.bybit.auth import ws_auth
from engine.sim.bybit.events import format_event
from engine.sim.core_types import now_ms

__all__ = ["forwarder", "message", "TOPICS"]

TOPICS = {"order", "execution", "position", "wallet"}


def forwarder(sim, conn, state: dict):
    """The core listener of one connection: its subscribed topics' events, in the stream's envelope."""
    def on_event(ev):
        for topic, cat, data in format_event(sim, ev):
            if topic in state["topics"] or f"{topic}.{cat}" in state["topics"]:
                conn.event({"id": str(uuid.uuid4()), "topic": topic, "creationTime": now_ms(), "data": data})
    return on_event


async def message(sim, conn, state, req, op, conn_id, on_event) -> None:
    rid = req.get("req_id")
    base = {"req_id": rid} if rid is not None else {}
    if op == "ping":
        conn.send({**base, "op": "pong", "args": [str(now_ms())], "conn_id": conn_id})
        return
    if op == "auth":
        if state["account"] is not None:
            conn.send({**base, "success": False, "ret_msg": "Repeat auth", "op": "auth", "conn_id": conn_id})
            return
        account, err = ws_auth(sim, req.get("args"))
        if account is None:
            conn.send({**base, "success": False, "ret_msg": err, "op": "auth", "conn_id": conn_id})
            return
        state["account"] = account
        state["cb"] = on_event
        sim.core.listen(account.key, "bybit", on_event)
        dcp_stream_opened(sim, account)
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
