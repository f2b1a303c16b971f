"""Binance USD-M listen keys and the user-data stream served on them.

``POST /fapi/v1/listenKey`` returns the account's active key (extended) or a new one;
``PUT`` extends it by the TTL (60 min on the venue); ``DELETE`` closes it.  Streams are
served at ``/ws/<listenKey>`` and the routed ``/private/ws?listenKey=<key>``.  A key that
lapses sends ``{"e":"listenKeyExpired","E":..,"listenKey":..}`` and its streams close.
"""

from __future__ import annotations

import asyncio
import secrets
import time

from aiohttp import WSMsgType, web

from engine.sim.binance.errors import BinanceError
from engine.sim.binance.usdm_events import format_event
from engine.sim.core_types import now_ms
from engine.sim.streams import StreamConn
from engine.sim.binance.state import state_of

__all__ = ["listen_key_request", "serve", "expire_due", "expire"]


def _active_key(sim, account):
    for key, rec in state_of(sim).listen_keys.items():
        if rec["account"] is account:
            return key
    return None


def listen_key_request(sim, account, method: str) -> dict:
    key = _active_key(sim, account)
    if method == "POST":
        if key is None:
            key = secrets.token_hex(32)
            state_of(sim).listen_keys[key] = {"account": account, "expires": 0.0, "conns": set()}
        state_of(sim).listen_keys[key]["expires"] = time.monotonic() + sim.listen_key_ttl
        return {"listenKey": key}
    if key is None:
        raise BinanceError(-1125, "This listenKey does not exist.")
    if method == "PUT":
        state_of(sim).listen_keys[key]["expires"] = time.monotonic() + sim.listen_key_ttl
        return {"listenKey": key}
    _close_key(sim, key, expired=False)
    return {}


def _close_key(sim, key: str, *, expired: bool) -> None:
    rec = state_of(sim).listen_keys.pop(key, None)
    if rec is None:
        return
    for conn in list(rec["conns"]):
        if expired:
            conn.send({"e": "listenKeyExpired", "E": now_ms(), "listenKey": key})
        conn.close_soon()


def expire(sim, key: str) -> None:
    """Expire ``key`` now (fault injection and TTL)."""
    _close_key(sim, key, expired=True)


def expire_due(sim) -> None:
    now = time.monotonic()
    for key, rec in list(state_of(sim).listen_keys.items()):
        if rec["expires"] <= now:
            expire(sim, key)


async def serve(sim, request: web.Request) -> web.StreamResponse:
    path = request.path
    key = request.query.get("listenKey") if path.startswith("/private") else path[len("/ws/"):]
    rec = state_of(sim).listen_keys.get(key or "")
    if rec is None:
        return web.json_response({"code": -1125, "msg": "This listenKey does not exist."}, status=400)
    ws = web.WebSocketResponse(heartbeat=180.0, autoping=True)
    await ws.prepare(request)
    conn = StreamConn(sim, ws, "binance-usdm")
    conn.on_expire = lambda: expire(sim, key)
    rec["conns"].add(conn)
    sim.track_conn(conn)
    account = rec["account"]

    def on_event(ev):
        for body in format_event(ev):
            conn.event(body)

    sim.core.listen(account.key, "binance-usdm", on_event)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.ERROR:
                break
    finally:
        sim.core.unlisten(account.key, "binance-usdm", on_event)
        rec["conns"].discard(conn)
        conn.close_soon()
        await asyncio.sleep(0)
        sim.untrack_conn(conn)
    return ws
