"""ReconnectingWebSocket against a loopback aiohttp WebSocket server: messages, reconnect, silence."""

import asyncio
import json

import pytest
import uvloop
from aiohttp import WSMsgType, web

from engine.transport.ws import ReconnectingWebSocket


class Server:
    def __init__(self, *, answer_pings=True, json_pong=False):
        self.answer_pings = answer_pings
        self.json_pong = json_pong
        self.sockets = []
        self.received = []
        self.connections = 0

    async def handler(self, request):
        ws = web.WebSocketResponse(autoping=self.answer_pings and not self.json_pong)
        await ws.prepare(request)
        self.connections += 1
        self.sockets.append(ws)
        await ws.send_str(json.dumps({"hello": self.connections}))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                self.received.append(data)
                if data.get("op") == "ping" and self.json_pong:
                    await ws.send_str(json.dumps({"op": "pong"}))
                elif data.get("op") == "echo":
                    await ws.send_str(msg.data)
        return ws

    async def start(self):
        app = web.Application()
        app.router.add_get("/ws", self.handler)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"ws://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/ws"
        return self

    async def kick_all(self):
        for ws in self.sockets:
            await ws.close()
        self.sockets.clear()


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 20))


def test_messages_hooks_and_reconnect():
    async def main():
        srv = await Server().start()
        got, connected = [], []

        async def on_connected(ws):
            connected.append(ws.connects)
            ws.send(json.dumps({"op": "subscribe", "n": ws.connects}).encode())

        ws = ReconnectingWebSocket(srv.url, lambda p, t: got.append(json.loads(p)), name="t",
                                   on_connected=on_connected, backoff=(0.05, 0.2))
        await ws.start()
        ws.send(b'{"op":"echo","x":1}')
        for _ in range(100):
            if len(got) >= 2:
                break
            await asyncio.sleep(0.01)
        assert got[0] == {"hello": 1} and got[1] == {"op": "echo", "x": 1}
        await srv.kick_all()
        for _ in range(200):
            if ws.connects == 2 and ws.connected:
                break
            await asyncio.sleep(0.01)
        assert ws.connects == 2 and ws.disconnects == 1 and connected == [1, 2]
        # subscriptions re-sent after the reconnect
        await asyncio.sleep(0.05)
        assert [m["n"] for m in srv.received if m.get("op") == "subscribe"] == [1, 2]
        await ws.stop()
        await srv.runner.cleanup()

    run(main())


def test_silent_stream_counts_as_dropped():
    async def main():
        srv = await Server(answer_pings=False).start()
        ws = ReconnectingWebSocket(srv.url, lambda p, t: None, name="silent", idle_timeout=0.2,
                                   reply_timeout=0.2, backoff=(0.05, 0.1))
        await ws.start()
        for _ in range(300):
            if ws.disconnects >= 1 and ws.connects >= 2:
                break
            await asyncio.sleep(0.01)
        assert ws.disconnects >= 1 and ws.connects >= 2
        await ws.stop()
        await srv.runner.cleanup()

    run(main())


def test_venue_json_ping_keeps_the_stream_alive():
    async def main():
        srv = await Server(json_pong=True).start()
        ws = ReconnectingWebSocket(srv.url, lambda p, t: None, name="bybit-like", idle_timeout=0.15,
                                   reply_timeout=0.15, ping_periodically=True, user_ping=b'{"op":"ping"}',
                                   is_pong=lambda p: b'"pong"' in p, backoff=(0.05, 0.1))
        await ws.start()
        await asyncio.sleep(0.8)
        assert ws.disconnects == 0 and ws.connects == 1
        assert sum(1 for m in srv.received if m.get("op") == "ping") >= 3
        await ws.stop()
        await srv.runner.cleanup()

    run(main())


def test_timeouts_are_checked():
    with pytest.raises(ValueError):
        ReconnectingWebSocket("ws://127.0.0.1:1/ws", lambda p, t: None, idle_timeout=1, reply_timeout=2)


def test_handler_errors_are_counted_not_fatal():
    async def main():
        srv = await Server().start()
        seen = []

        def handler(payload, text):
            seen.append(payload)
            raise ValueError("bad")

        ws = ReconnectingWebSocket(srv.url, handler, name="err")
        await ws.start()
        ws.send(b'{"op":"echo"}')
        for _ in range(100):
            if len(seen) >= 2:
                break
            await asyncio.sleep(0.01)
        assert ws.handler_errors == 2 and ws.connected
        await ws.stop()
        await srv.runner.cleanup()

    run(main())


def test_connect_failures_back_off_and_retry():
    async def main():
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        ws = ReconnectingWebSocket(f"ws://127.0.0.1:{port}/ws", lambda p, t: None, name="down", backoff=(0.02, 0.05))
        with pytest.raises(asyncio.TimeoutError):
            await ws.start(timeout=0.3)
        assert ws.failed_connects >= 2
        await ws.stop()

    run(main())


@pytest.mark.parametrize("url", ["ws://example.com/ws", "ws://10.0.0.5:9443/ws", "WS://STREAM.BYBIT.COM/v5/private"])
def test_cleartext_to_a_remote_host_is_refused(url):
    from engine.errors import ConfigError

    with pytest.raises(ConfigError, match="plain ws"):
        ReconnectingWebSocket(url, lambda p, t: None)

    async def main():  # a URL made per connection is checked before the first attempt
        ws = ReconnectingWebSocket(lambda: url, lambda p, t: None, backoff=(0.01, 0.02))
        with pytest.raises(ConfigError, match="plain ws"):
            await ws.start(timeout=1)
        assert ws.connects == 0 and ws.failed_connects == 0

    uvloop.run(main())


def test_a_url_that_turns_cleartext_later_stops_the_stream_without_sending():
    async def main():
        # start() checks one URL, the first attempt fails to connect, the retry's URL is cleartext
        urls = iter(["wss://127.0.0.1:1/ws", "wss://127.0.0.1:1/ws", "ws://example.com/ws"])
        ws = ReconnectingWebSocket(lambda: next(urls), lambda p, t: None, backoff=(0.01, 0.02))
        await ws.start(wait=False)
        await asyncio.wait_for(ws._task, 5)  # the loop ended instead of retrying
        assert ws.failed_connects == 1 and ws.connects == 0

    uvloop.run(main())


@pytest.mark.parametrize("url", ["ws://127.0.0.1:1/ws", "ws://localhost:1/ws", "ws://[::1]:1/ws", "wss://example.com/ws"])
def test_loopback_cleartext_and_remote_tls_are_accepted(url):
    ReconnectingWebSocket(url, lambda p, t: None)


def test_a_socket_needs_a_handler_or_a_compiled_sink():
    from engine._ws_listener import FrameSink

    with pytest.raises(TypeError):
        ReconnectingWebSocket("ws://127.0.0.1:1/ws", None)
    ws = ReconnectingWebSocket("ws://127.0.0.1:1/ws", None, sink=FrameSink())
    assert ws.messages == 0 and ws.handler_errors == 0
