"""The MEXC user-data stream on ``/ws?listenKey=<key>`` (mexc-spot.md §7).

One socket, three kinds of frame: binary protobuf pushes (:mod:`.events`), JSON text control
answers (one ``{"id":0,"code":0,"msg":"<channel>"}`` per channel subscribed, ``PONG`` for
``{"method":"PING"}``) and the plain text ``Invalid listen key`` for a key that expired, was closed
or never existed (then the connection closes).  A connection that has not subscribed within
``no_subscription_s`` (30 s) or has sent nothing for ``idle_s`` (60 s) is closed; at most 5
connections per key.  The answer to an unknown method and to a sixth connection are not documented
(a JSON error text, then the close, here: unconfirmed).  Stream faults act on the pushes
(``stream.mexc``); ``listenkey_expire`` expires the connection's key.
"""

from __future__ import annotations

import asyncio
import json
import time

from aiohttp import WSMsgType, web

from engine.sim.mexc.errors import INVALID_KEY_TEXT
from engine.sim.mexc.events import AccountPushes, order_pushes
from engine.sim.mexc.instruments import WALLET
from engine.sim.mexc.listen_keys import close_key
from engine.sim.mexc.proto import CHANNELS
from engine.sim.mexc.state import MAX_CONNS_PER_KEY, state_of
from engine.sim.streams import StreamConn
from engine.sim.wire import dumps

__all__ = ["serve"]


async def _refuse(request: web.Request, text: str) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str(text)
    await ws.close()
    return ws


async def serve(sim, request: web.Request) -> web.StreamResponse:
    state = state_of(sim)
    key = request.query.get("listenKey", "")
    rec = state.listen_keys.get(key)
    if rec is None:
        return await _refuse(request, INVALID_KEY_TEXT)
    if len(rec["conns"]) >= MAX_CONNS_PER_KEY:
        return await _refuse(request, dumps({"id": 0, "code": 1, "msg": "too many connections for this listen key"}))
    ws = web.WebSocketResponse(autoping=True)
    await ws.prepare(request)
    conn = StreamConn(sim, ws, "mexc")
    conn.on_expire = lambda: close_key(state, key, invalid=True)
    rec["conns"].add(conn)
    sim.track_conn(conn)
    account = rec["account"]
    subscribed: set[str] = set()
    balances = AccountPushes(account)

    def on_event(ev):
        if ev.kind == "order" and ev.order is not None:
            balances.order_seen(ev.exec_type)
            pairs = order_pushes(ev)
        elif ev.kind == "balance":
            pairs = balances.pushes(ev)
        else:
            return
        for channel, frame in pairs:
            if channel in subscribed:
                conn.event(frame)

    sim.core.listen(account.key, WALLET, on_event)
    opened = time.monotonic()
    try:
        while True:
            timeout = state.idle_s if subscribed else max(0.0, state.no_subscription_s - (time.monotonic() - opened))
            try:
                msg = await ws.receive(timeout=timeout)
            except asyncio.TimeoutError:
                break                       # silent too long, or never subscribed
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                break
            if msg.type != WSMsgType.TEXT:
                continue
            _control(conn, msg.data, subscribed, state.pongs)
    finally:
        sim.core.unlisten(account.key, WALLET, on_event)
        rec["conns"].discard(conn)
        conn.close_soon()
        await asyncio.sleep(0)
        sim.untrack_conn(conn)
    return ws


def _control(conn: StreamConn, text: str, subscribed: set[str], pongs: bool) -> None:
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    method = doc.get("method") if isinstance(doc, dict) else None
    if method == "PING":
        if pongs:
            conn.send({"id": 0, "code": 0, "msg": "PONG"})
        return
    if method in ("SUBSCRIPTION", "UNSUBSCRIPTION") and isinstance(doc.get("params"), list):
        for channel in doc["params"]:
            channel = str(channel)
            if method == "SUBSCRIPTION":
                # a channel without ".pb" is acknowledged and never pushed (ccxt/ccxt#26577)
                if channel in CHANNELS:
                    subscribed.add(channel)
            else:
                subscribed.discard(channel)
            conn.send({"id": 0, "code": 0, "msg": channel})
        return
    conn.send({"id": 0, "code": 1, "msg": f"unknown method: {str(method)[:40]}"})
