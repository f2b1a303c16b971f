"""The SignalR hub layer (engine.venues.topstepx.signalr) against the simulator's hub server, over real loopback
sockets: handshake, invocations and completions, records batched and cut across frames, keep-alive pings,
a close that reconnects and subscribes again; the sheet's framing bytes; and pysignalr, a stock client,
receiving GatewayUserOrder events from the same hub."""

import asyncio
import logging

import pytest
from aiohttp import web

from engine.sim.topstepx.hub import HubServer, record
from engine.venues.topstepx.signalr import (HANDSHAKE, PING, HubConnection, HubError, invocation, redact,
                                            split_records)

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl"
ORDER = {"id": 9056, "accountId": 465, "contractId": "CON.F.US.EP.M25", "status": 1, "type": 1, "side": 0,
         "size": 1, "limitPrice": 5100.25, "customTag": "strat1-000017"}


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


# -- the sheet's bytes (§3, computed from Microsoft's spec) ------------------------------------------------
def test_framing_bytes_are_the_sheets():
    assert HANDSHAKE.hex() == "7b2270726f746f636f6c223a226a736f6e222c2276657273696f6e223a317d1e"
    assert PING.hex() == "7b2274797065223a367d1e"
    assert record({}).encode().hex() == "7b7d1e"
    assert invocation("SubscribeOrders", [465], "1") == \
        b'{"type":1,"invocationId":"1","target":"SubscribeOrders","arguments":[465]}\x1e'


def test_records_are_split_and_a_cut_record_waits_for_its_end():
    buf = bytearray()
    one = b'{"type":6}\x1e'
    assert split_records(buf, one) == [one] and not buf
    assert split_records(buf, b'{"type":1}\x1e{"type":6}\x1e{"ty') == [b'{"type":1}\x1e', b'{"type":6}\x1e']
    assert bytes(buf) == b'{"ty'
    assert split_records(buf, b'pe":3}\x1e') == [b'{"type":3}\x1e'] and not buf
    assert split_records(buf, b'{"partial"') == [] and bytes(buf) == b'{"partial"'


def test_tokens_are_redacted_from_log_text():
    text = f"GET /hubs/user?access_token={TOKEN} HTTP/1.1\r\nAuthorization: Bearer {TOKEN}"
    assert TOKEN not in redact(text) and "access_token=<redacted>" in redact(text)


# -- over loopback ---------------------------------------------------------------------------------------------
class Hub:
    """The simulator's hub server on a loopback port, with SubscribeOrders and a close on demand."""

    def __init__(self, **kw):
        self.server = HubServer("user", lambda t: "acct" if t == TOKEN else None,
                                {"SubscribeOrders": self.subscribe}, **kw)
        self.subscribes = 0

    def subscribe(self, client, args):
        client.subscriptions.add(("orders", args[0]))
        self.subscribes += 1

    async def __aenter__(self):
        app = web.Application()
        app.router.add_get("/hubs/user", self.server.serve)
        app.router.add_post("/hubs/user/negotiate", self.server.negotiate)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.drop_all()          # a client that went away without a close leaves no handler waiting
        await self.runner.cleanup()

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/hubs/user"

    async def wait_subscribed(self, n=1):
        for _ in range(300):
            if self.subscribes >= n and self.server.clients:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("never subscribed")


async def wait_for(cond, what):
    for _ in range(500):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(what)


def test_handshake_subscribe_events_batched_and_cut_then_a_close_reconnects_and_subscribes_again():
    async def main():
        async with Hub() as hub:
            got, ready = [], []

            async def on_ready(h):
                ready.append(await h.invoke("SubscribeOrders", 465))

            conn = HubConnection(lambda: f"{hub.url}?access_token={TOKEN}", got.append, name="t-user-hub",
                                 on_ready=on_ready)
            await conn.start()
            await hub.wait_subscribed()
            assert ready == [None]
            client = next(iter(hub.server.clients))
            ev = record({"type": 1, "target": "GatewayUserOrder", "arguments": [ORDER]})
            await client.send_text(ev + ev)                            # two records in one frame
            await client.send_text(ev[:40])                            # one record cut across two frames
            await client.send_text(ev[40:])
            await wait_for(lambda: len(got) == 3, "three events")
            assert all(r == ev.encode() for r in got)
            with pytest.raises(HubError, match="Unknown hub method"):
                await conn.invoke("NoSuchMethod")
            await client.close("Server is shutting down.")             # type 7: reconnect, subscribe again
            await hub.wait_subscribed(2)
            await wait_for(lambda: len(ready) == 2 and conn.connected, "a second subscription")
            assert conn.closes == 1 and conn.ws.connects == 2
            await conn.stop()

    run(main())


def test_the_client_pings_when_quiet_and_drops_a_silent_hub():
    async def main():
        async with Hub(ping_interval=60.0) as hub:               # a hub that sends nothing, not even pings
            conn = HubConnection(lambda: f"{hub.url}?access_token={TOKEN}", lambda r: None, name="t-quiet-hub",
                                 keepalive=0.1, server_timeout=0.3)
            await conn.start()
            client = next(iter(hub.server.clients))
            seen = []
            orig = hub.server._dispatch

            async def spy(c, message):
                seen.append(message)
                await orig(c, message)

            hub.server._dispatch = spy
            await wait_for(lambda: any(m == {"type": 6} for m in seen), "a keep-alive ping")
            await wait_for(lambda: conn.ws.connects >= 2, "a reconnect after the hub went silent")
            assert client.closed or client not in hub.server.clients
            await conn.stop()

    run(main())


def test_a_bad_token_is_refused_with_401():
    async def main():
        async with Hub() as hub:
            conn = HubConnection(lambda: f"{hub.url}?access_token=nope", lambda r: None, name="t-bad-hub")
            with pytest.raises(asyncio.TimeoutError):
                await conn.start(timeout=0.5)
            assert hub.server.refused >= 1 and not hub.server.clients
            await conn.stop()

    run(main())


def test_the_token_never_reaches_a_log_line(caplog):
    async def main():
        async with Hub() as hub:
            conn = HubConnection(lambda: f"{hub.url}?access_token={TOKEN}", lambda r: None, name="t-log-hub")
            await conn.start()
            await conn.stop()

    with caplog.at_level(1):
        logging.getLogger("engine.t-log-hub").setLevel(1)
        run(main())
    assert "t-log-hub" in caplog.text                # the connection was logged, without its token
    assert TOKEN not in caplog.text


# -- a stock client ----------------------------------------------------------------------------------------------
def test_pysignalr_receives_gateway_user_order_events_from_the_hub():
    pysignalr = pytest.importorskip("pysignalr.client")

    async def main():
        async with Hub() as hub:
            got = []
            client = pysignalr.SignalRClient(f"http://127.0.0.1:{hub.port}/hubs/user?access_token={TOKEN}")

            async def on_order(args):
                got.append(args[0])

            async def on_open():
                await client.send("SubscribeOrders", [465])

            client.on("GatewayUserOrder", on_order)
            client.on_open(on_open)
            task = asyncio.get_running_loop().create_task(client.run())
            try:
                await hub.wait_subscribed()
                await hub.server.publish(("orders", 465), "GatewayUserOrder", ORDER)
                await hub.server.publish(("orders", 465), "GatewayUserOrder", {"action": 1, "data": ORDER})
                await wait_for(lambda: len(got) == 2, "two GatewayUserOrder events")
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            assert got[0] == ORDER and got[1] == {"action": 1, "data": ORDER}

    run(main())
