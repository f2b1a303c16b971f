"""Bybit V5 WebSockets: one connection loop for the private stream (``/v5/private``,
:mod:`engine.sim.bybit.user_stream`) and WebSocket trade (``/v5/trade``,
:mod:`engine.sim.bybit.ws_orders`).

Both authenticate with ``{"op":"auth","args":[apiKey, expires, signature]}`` where the
signature is lowercase hex HMAC-SHA256 of ``"GET/realtime" + expires``
(:func:`engine.sim.bybit.auth.ws_auth`).
"""

from __future__ import annotations

import asyncio
import json
import uuid

from aiohttp import WSMsgType, web

from engine.sim.bybit import user_stream, ws_orders
from engine.sim.bybit.account import dcp_stream_closed
from engine.sim.streams import StreamConn

__all__ = ["serve"]


async def serve(sim, request: web.Request, kind: str) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(autoping=True)
    await ws.prepare(request)
    conn = StreamConn(sim, ws, "bybit")
    sim.track_conn(conn)
    conn_id = str(uuid.uuid4())
    state = {"account": None, "topics": set(), "reqs": set(), "cb": None}

    on_event = user_stream.forwarder(sim, conn, state)
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
                await user_stream.message(sim, conn, state, req, op, conn_id, on_event)
            else:
                if await ws_orders.message(sim, conn, ws, state, req, op, conn_id):
                    break
    finally:
        if state["account"] is not None and state["cb"] is not None:
            sim.core.unlisten(state["account"].key, "bybit", state["cb"])
        if kind == "private" and state["account"] is not None:
            dcp_stream_closed(sim, state["account"])
        conn.close_soon()
        await asyncio.sleep(0)
        sim.untrack_conn(conn)
    return ws
