"""The server side of the SignalR JSON hub protocol, as the ProjectX hubs speak it (aiohttp WebSocket).

Wire facts (Microsoft's HubProtocol.md; shared/venues/topstepx-projectx.md §7):

1. ``GET /hubs/<name>?access_token=JWT`` upgrades to a WebSocket (``skipNegotiation``); the
   negotiate POST ``/hubs/<name>/negotiate`` is answered too, for clients that negotiate
   (version 1: a connection token, the WebSockets transport).  The token may also come as
   ``Authorization: Bearer`` on the upgrade (peer code).  No valid token: HTTP 401.
2. The client's first record is the handshake ``{"protocol":"json","version":1}``; the hub
   answers ``{}`` (or ``{"error":...}`` for another protocol).  Every record ends with 0x1E;
   several records may share a frame, and a record may be cut across frames.
3. Invocations (type 1) with an ``invocationId`` get a completion (type 3, ``result`` or
   ``error``); without one, none.  Method names are case-insensitive.
4. The hub pings (type 6) every ``ping_interval`` seconds while it has sent nothing else,
   and closes a client silent for ``client_timeout`` seconds with a close message (type 7).
5. Server events are invocations without an id: ``{"type":1,"target":...,"arguments":[...]}``.
   Nothing is replayed to a connection that comes back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Awaitable, Callable

from aiohttp import WSMsgType, web

__all__ = ["HubServer", "HubClient", "RS", "record"]

log = logging.getLogger("engine.sim.topstepx.hub")

RS = "\x1e"


def record(msg: dict) -> str:
    return json.dumps(msg, separators=(",", ":")) + RS


Method = Callable[["HubClient", list], Awaitable[Any] | Any]


class HubClient:
    """One connected client of a hub: what it subscribed to, and a writer in record order."""

    def __init__(self, hub: "HubServer", ws: web.WebSocketResponse, identity: Any):
        self.hub = hub
        self.ws = ws
        self.identity = identity           # whatever the hub's token check returned (the account login)
        self.subscriptions: set[tuple[str, Any]] = set()
        self.stream = None                 # the ordered event writer with stream faults (HubServer.streams)
        self.sent = 0
        self.closed = False
        self._last_sent = asyncio.get_running_loop().time()

    def __repr__(self) -> str:
        return f"HubClient({self.hub.name}, subscriptions={len(self.subscriptions)})"

    async def send_text(self, text: str) -> None:
        if self.closed or self.ws.closed:
            return
        try:
            await self.ws.send_str(text)
        except (ConnectionResetError, RuntimeError):
            self.closed = True
            return
        self.sent += 1
        self._last_sent = asyncio.get_running_loop().time()

    async def event(self, target: str, *args: Any) -> None:
        await self.send_text(record({"type": 1, "target": target, "arguments": list(args)}))

    async def close(self, error: str | None = None, allow_reconnect: bool = True) -> None:
        msg: dict[str, Any] = {"type": 7}
        if error:
            msg["error"] = error
        if allow_reconnect:
            msg["allowReconnect"] = True
        await self.send_text(record(msg))
        self.closed = True
        await self.ws.close()

    def drop(self) -> None:
        """Cut the connection without a close message (a network drop)."""
        self.closed = True
        transport = self.ws._req.transport if self.ws._req is not None else None
        if transport is not None:
            transport.abort()


class HubServer:
    """One hub (``user`` or ``market``): its methods, its clients, its pings (module docstring).

    ``authenticate(token)`` returns the identity the token stands for, or None (HTTP 401).
    ``methods`` maps a lower-cased method name to ``fn(client, arguments)`` (sync or async).
    """

    def __init__(self, name: str, authenticate: Callable[[str], Any], methods: dict[str, Method], *,
                 ping_interval: float = 15.0, client_timeout: float = 30.0, streams=None,
                 released=None):
        self.name = name
        # streams(ws) -> engine.sim.streams.StreamConn: events then go through its queue and stream faults
        self.streams = streams
        self.released = released           # released(stream): the connection ended
        self.authenticate = authenticate
        self.methods = {k.lower(): v for k, v in methods.items()}
        self.ping_interval = ping_interval
        self.client_timeout = client_timeout
        self.clients: set[HubClient] = set()
        self.connections = 0
        self.refused = 0

    def __repr__(self) -> str:
        return f"HubServer({self.name}, clients={len(self.clients)})"

    # -- HTTP -----------------------------------------------------------------------------------
    async def negotiate(self, request: web.Request) -> web.Response:
        if self._identity(request) is None:
            self.refused += 1
            return web.Response(status=401)
        body = {"negotiateVersion": 1, "connectionId": uuid.uuid4().hex, "connectionToken": uuid.uuid4().hex,
                "availableTransports": [{"transport": "WebSockets", "transferFormats": ["Text", "Binary"]}]}
        return web.json_response(body)

    def _identity(self, request: web.Request):
        token = request.query.get("access_token")
        if not token:
            auth = request.headers.get("Authorization", "")
            if auth.lower().startswith("bearer "):
                token = auth[7:].strip()
        return self.authenticate(token) if token else None

    async def serve(self, request: web.Request) -> web.StreamResponse:
        identity = self._identity(request)
        if identity is None:
            self.refused += 1
            return web.Response(status=401)
        ws = web.WebSocketResponse(autoping=True, max_msg_size=1 << 20)
        await ws.prepare(request)
        client = HubClient(self, ws, identity)
        if self.streams is not None:
            client.stream = self.streams(ws)
        self.clients.add(client)
        self.connections += 1
        pinger = asyncio.get_running_loop().create_task(self._pings(client))
        try:
            await self._read(client)
        finally:
            pinger.cancel()
            self.clients.discard(client)
            client.closed = True
            if client.stream is not None:
                await client.stream.aclose()
                if self.released is not None:
                    self.released(client.stream)
        return ws

    # -- the protocol ------------------------------------------------------------------------------
    async def _read(self, client: HubClient) -> None:
        ws = client.ws
        buffer = ""
        shaken = False
        while True:
            try:
                msg = await ws.receive(timeout=self.client_timeout)
            except asyncio.TimeoutError:
                await client.close("Server timeout elapsed without receiving a message from the client.")
                return
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return
            if msg.type == WSMsgType.BINARY:
                data = msg.data.decode("utf-8", "replace")
            elif msg.type == WSMsgType.TEXT:
                data = msg.data
            else:
                continue
            buffer += data
            while RS in buffer:
                text, buffer = buffer.split(RS, 1)
                try:
                    message = json.loads(text)
                except ValueError:
                    await client.close("Error reading a message: invalid JSON.", allow_reconnect=False)
                    return
                if not shaken:
                    if not isinstance(message, dict) or message.get("protocol") != "json":
                        await client.send_text(record({"error": "Requested protocol is not available."}))
                        await ws.close()
                        return
                    shaken = True
                    await client.send_text(record({}))
                    continue
                await self._dispatch(client, message)

    async def _dispatch(self, client: HubClient, message: Any) -> None:
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == 6:
            return
        if kind == 7:
            await client.ws.close()
            return
        if kind != 1:
            return
        inv_id = message.get("invocationId")
        target = str(message.get("target") or "")
        fn = self.methods.get(target.lower())
        if fn is None:
            if inv_id is not None:
                await client.send_text(record({"type": 3, "invocationId": inv_id,
                                               "error": f"Unknown hub method '{target}'"}))
            return
        try:
            result = fn(client, list(message.get("arguments") or []))
            if asyncio.iscoroutine(result):
                result = await result
        except Exception as exc:            # the hub answers the invocation with an error, as ASP.NET does
            log.info("hub %s: %s failed: %s", self.name, target, exc)
            if inv_id is not None:
                await client.send_text(record({"type": 3, "invocationId": inv_id,
                                               "error": f"An unexpected error occurred invoking '{target}' on "
                                                        "the server."}))
            return
        if inv_id is not None:
            await client.send_text(record({"type": 3, "invocationId": inv_id, "result": result}))

    async def _pings(self, client: HubClient) -> None:
        loop = asyncio.get_running_loop()
        while not client.closed:
            wait = client._last_sent + self.ping_interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            await client.send_text(record({"type": 6}))

    # -- events to subscribers -------------------------------------------------------------------------
    async def publish(self, topic: tuple[str, Any], target: str, *args: Any) -> int:
        """Send an event to every client subscribed to ``topic``; returns how many got it."""
        n = 0
        for client in list(self.clients):
            if topic in client.subscriptions:
                await client.event(target, *args)
                n += 1
        return n

    def push(self, topic: tuple[str, Any], target: str, *args: Any) -> int:
        """Queue an event for every client subscribed to ``topic`` (from synchronous code: the core's
        watchers); through each client's stream, in order, with stream faults.  Returns how many."""
        text = record({"type": 1, "target": target, "arguments": list(args)})
        n = 0
        for client in list(self.clients):
            if topic in client.subscriptions and not client.closed:
                if client.stream is not None:
                    client.stream.event(text)
                else:
                    asyncio.get_running_loop().create_task(client.send_text(text))
                n += 1
        return n

    def drop_all(self) -> int:
        """Cut every connection (a hub outage); returns how many."""
        clients = list(self.clients)
        for c in clients:
            c.drop()
        return len(clients)
