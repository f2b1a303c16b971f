"""Gate.io WebSocket v4 (``/ws/v4/``): one socket for the private channels and the order API
(gateio-spot.md §7, §8).

* ``spot.ping`` -> ``spot.pong`` (protocol pings are answered too).
* ``subscribe``/``unsubscribe`` of ``spot.orders`` and ``spot.usertrades`` (pairs or
  ``["!all"]``) and ``spot.balances``, each with its own ``auth`` (SIGN over
  ``channel=..&event=..&time=..``, ``time`` within 60 s); errors as
  ``{"code","message"}``: 1 unreadable request, 2 invalid argument, 4 authentication.
* ``"event":"api"`` frames go to the order API (:mod:`.ws_api`).
* :meth:`~engine.sim.gateio.sockets.GateSockets.upgrade` pushes the ``upgrade`` notice on
  every open socket and closes them a moment later, as the venue does before a restart.
"""

from __future__ import annotations

import asyncio
import json
import uuid

from aiohttp import WSMsgType, web

from engine.sim.core_types import now_ms
from engine.sim.gateio import ws_api
from engine.sim.gateio.auth import WINDOW_S, channel_signature_ok
from engine.sim.gateio.events import Pushes
from engine.sim.gateio.instruments import WALLET
from engine.sim.gateio.state import state_of
from engine.sim.streams import StreamConn

__all__ = ["serve", "CHANNELS"]

CHANNELS = ("spot.orders", "spot.usertrades", "spot.balances")
_ERRORS = {1: "invalid request body format", 2: "invalid argument provided", 4: "authentication fail"}


def _answer(req: dict, conn_id: str, error=None, result=None) -> dict:
    t = now_ms()
    return {"time": t // 1000, "time_ms": t, "id": req.get("id"), "conn_id": conn_id, "trace_id": uuid.uuid4().hex,
            "channel": req.get("channel", ""), "event": req.get("event", ""), "payload": req.get("payload"),
            "error": None if error is None else {"code": error, "message": _ERRORS[error]}, "result": result}


class _Conn:
    """One socket's state: its channels, the account its channels prove, its logged-in account."""

    def __init__(self, sim, stream: StreamConn) -> None:
        self.sim = sim
        self.stream = stream
        self.conn_id = uuid.uuid4().hex[:16]
        self.channels: dict[str, set] = {}        # channel -> pairs ("!all" for every pair)
        self.account = None                       # the account of its private channels
        self.api_account = None                   # logged in with spot.login
        self.pushes: Pushes | None = None
        self.listening = False

    def on_event(self, ev) -> None:
        for channel, pair, items in self.pushes.format(ev):
            pairs = self.channels.get(channel)
            if pairs is None or not items or (pair and "!all" not in pairs and pair not in pairs):
                continue
            t = now_ms()
            self.stream.event({"time": t // 1000, "time_ms": t, "channel": channel, "event": "update",
                               "result": items})

    def subscribe(self, req: dict) -> None:
        channel, event = req.get("channel"), req.get("event")
        if channel not in CHANNELS:
            self.stream.send(_answer(req, self.conn_id, error=2))
            return
        auth = req.get("auth")
        t = req.get("time")
        account = self.sim.account_for(str(auth.get("KEY"))) if isinstance(auth, dict) else None
        if account is None or not isinstance(t, int) or abs(t * 1000 - now_ms()) > WINDOW_S * 1000 \
                or not channel_signature_ok(account.secret, channel, event, t, auth.get("SIGN")) \
                or (self.account is not None and account is not self.account):
            self.stream.send(_answer(req, self.conn_id, error=4))
            return
        payload = req.get("payload")
        if channel != "spot.balances" and (not isinstance(payload, list) or not payload
                                           or not all(isinstance(p, str) for p in payload)):
            self.stream.send(_answer(req, self.conn_id, error=2))
            return
        self.account = account
        if not self.listening:
            self.pushes = Pushes(account)
            self.pushes.prime()
            self.sim.core.listen(account.key, WALLET, self.on_event)
            self.listening = True
        if event == "subscribe":
            self.channels.setdefault(channel, set()).update(payload or ["!all"])
        else:
            self.channels.pop(channel, None)
        self.stream.send(_answer(req, self.conn_id, result={"status": "success"}))

    def close(self) -> None:
        if self.listening:
            self.sim.core.unlisten(self.account.key, WALLET, self.on_event)
            self.listening = False


async def serve(sim, request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(autoping=True)
    await ws.prepare(request)
    stream = StreamConn(sim, ws, "gateio")
    sim.track_conn(stream)
    sockets = state_of(sim).sockets
    sockets.open.add(stream)
    conn = _Conn(sim, stream)
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                req = json.loads(msg.data, parse_float=str)
                if not isinstance(req, dict):
                    raise ValueError
            except ValueError:
                stream.send(_answer({}, conn.conn_id, error=1))
                continue
            channel, event = req.get("channel"), req.get("event")
            if channel == "spot.ping":
                if not state_of(sim).pongs:
                    continue
                t = now_ms()
                stream.send({"time": t // 1000, "time_ms": t, "conn_id": conn.conn_id, "channel": "spot.pong",
                             "event": "", "result": None})
            elif event in ("subscribe", "unsubscribe"):
                conn.subscribe(req)
            elif event == "api":
                if await ws_api.message(sim, conn, ws, req):
                    break
            else:
                stream.send(_answer(req, conn.conn_id, error=2))
    finally:
        conn.close()
        sockets.open.discard(stream)
        stream.close_soon()
        await asyncio.sleep(0)
        sim.untrack_conn(stream)
    return ws
