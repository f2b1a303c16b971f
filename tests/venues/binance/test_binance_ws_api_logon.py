"""BinanceWsApi with an Ed25519 key: session.logon on connect, unsigned requests, events, re-logon after a drop."""

import asyncio
import json

import pytest
import uvloop
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from engine.config import VenueConfig
from engine.sim import SimExchange
from engine.transport.errors import ConnectionLost
from engine.venues import errors as E
from engine.venues.binance.rest import BinanceRest
from engine.venues.binance.ws_orders import BinanceWsApi

ED_KEY = "ed-client-key-0001"
# VenueConfig wants a secret; an Ed25519 key has none, and after logon nothing is HMAC-signed.
UNUSED_SECRET = "no-hmac-secret-for-an-ed25519-key"
HMAC_KEY, HMAC_SECRET = "hmac-client-key", "hmac-client-secret"
LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
         "price": "30000"}


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


async def until(pred, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class Spy:
    """Every frame the client sends, decoded (wraps the socket's send)."""

    def __init__(self, ws: BinanceWsApi):
        self.sent: list[dict] = []
        inner = ws.ws.send

        def send(payload, text=True):
            self.sent.append(json.loads(bytes(payload)))
            return inner(payload, text)

        ws.ws.send = send

    def methods(self) -> list[str]:
        return [m["method"] for m in self.sent]


async def connect(sim, private_key, key=ED_KEY, secret=UNUSED_SECRET, **kw):
    cfg = VenueConfig.local("binance-spot", sim.url, key, secret)
    rest = BinanceRest(cfg)
    await rest.start()
    events: list[bytes] = []
    ws = BinanceWsApi(cfg, rest.clock, on_event=events.append, ed25519_private_key=private_key, **kw)
    spy = Spy(ws)
    await ws.start()
    return rest, ws, events, spy


def reports(events, **match):
    out = []
    for e in events:
        ev = json.loads(e)["event"]
        if ev.get("e") == "executionReport" and all(ev.get(k) == v for k, v in match.items()):
            out.append(ev)
    return out


def test_logged_on_session_places_queries_cancels_and_streams():
    async def main():
        private = Ed25519PrivateKey.generate()
        async with SimExchange(seed=11, accounts=[(HMAC_KEY, HMAC_SECRET)],
                               ed25519_keys={ED_KEY: private.public_key()}) as sim:
            rest, ws, events, spy = await connect(sim, private)
            try:
                assert ws.logged_on and ws.subscription_id == 0
                assert spy.methods()[:2] == ["session.logon", "userDataStream.subscribe"]
                placed = await ws.order_place({**LIMIT, "newClientOrderId": "ed-1"})
                assert placed["status"] == "NEW" and placed["clientOrderId"] == "ed-1"
                assert sim.balance(ED_KEY, "USDT")[1] == 300          # the Ed25519 account's order
                status = await ws.order_status("BTCUSDT", client_order_id="ed-1")
                assert status["orderId"] == placed["orderId"]
                assert [o["clientOrderId"] for o in await ws.open_orders("BTCUSDT")] == ["ed-1"]
                cancelled = await ws.order_cancel("BTCUSDT", order_id=placed["orderId"])
                assert cancelled["status"] == "CANCELED"
                with pytest.raises(E.UnknownOrder):
                    await ws.order_cancel("BTCUSDT", client_order_id="ed-1")
                # the compiled frames of the lean path go unsigned on a logged-on session too
                from engine._enums import OrderState, OrderType, Side, TimeInForce
                from engine._parse_binance import BinanceParser
                p = BinanceParser()
                p.parse(await ws.place_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 1_000_000,
                                             30_000 * 10**8, 0, b"ed-2"))
                assert p.order_state == OrderState.NEW and sim.balance(ED_KEY, "USDT")[1] == 300
                p.parse(await ws.cancel_order(b"BTCUSDT", client_id=b"ed-2"))
                assert p.order_state == OrderState.CANCELLED
                # after logon no request carries apiKey or signature, every one a timestamp
                for frame in spy.sent[2:]:
                    assert "apiKey" not in frame["params"] and "signature" not in frame["params"]
                    assert "timestamp" in frame["params"]
                await until(lambda: len(reports(events, c="ed-1")) >= 1 and len(reports(events, C="ed-1")) >= 1)
                assert reports(events, c="ed-1")[0]["x"] == "NEW"
                assert reports(events, C="ed-1")[0]["x"] == "CANCELED"
                assert all(json.loads(e)["subscriptionId"] == 0 for e in events)
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_forced_reconnect_logs_on_again_and_resubscribes():
    async def main():
        private = Ed25519PrivateKey.generate()
        async with SimExchange(seed=11, ed25519_keys={ED_KEY: private.public_key()}) as sim:
            reconnected = []

            async def on_reconnected():
                reconnected.append(ws.logged_on)

            rest, ws, events, spy = await connect(sim, private, on_reconnected=on_reconnected)
            try:
                await ws.order_place({**LIMIT, "newClientOrderId": "before-drop"})
                ws.ws.drop()
                await until(lambda: ws.ws.connected and reconnected)
                assert reconnected == [True]                        # logged on before reconciliation runs
                assert spy.methods().count("session.logon") == 2
                assert spy.methods().count("userDataStream.subscribe") == 2
                assert ws.logged_on and ws.subscription_id == 0
                placed = await ws.order_place({**LIMIT, "newClientOrderId": "after-drop"})
                assert placed["status"] == "NEW"
                assert "signature" not in spy.sent[-1]["params"]
                await until(lambda: reports(events, c="after-drop"))
                st = await ws.order_status("BTCUSDT", client_order_id="before-drop")
                assert st["status"] == "NEW"
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_answer_lost_after_processing_is_unknown_then_resolved_on_the_new_session():
    async def main():
        private = Ed25519PrivateKey.generate()
        async with SimExchange(seed=11, ed25519_keys={ED_KEY: private.public_key()},
                               faults=["order.place:after_process_drop:nth=1"]) as sim:
            reconnected = []

            async def on_reconnected():
                reconnected.append(1)

            rest, ws, events, spy = await connect(sim, private, on_reconnected=on_reconnected)
            try:
                with pytest.raises(ConnectionLost) as err:
                    await ws.order_place({**LIMIT, "newClientOrderId": "lost-1"})
                assert err.value.outcome_unknown
                await until(lambda: ws.ws.connected and reconnected)
                assert (await ws.order_status("BTCUSDT", client_order_id="lost-1"))["status"] == "NEW"
                assert spy.methods().count("order.place") == 1       # never resent
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_logged_on_requests_keep_the_configured_recv_window():
    async def main():
        private = Ed25519PrivateKey.generate()
        async with SimExchange(seed=11, ed25519_keys={ED_KEY: private.public_key()}) as sim:
            cfg = VenueConfig.local("binance-spot", sim.url, ED_KEY, UNUSED_SECRET, recv_window_ms=7000)
            rest = BinanceRest(cfg)
            await rest.start()
            ws = BinanceWsApi(cfg, rest.clock, ed25519_private_key=private, subscribe_user_data=False)
            spy = Spy(ws)
            await ws.start()
            try:
                await ws.open_orders("BTCUSDT")
                assert spy.sent[0]["method"] == "session.logon" and spy.sent[0]["params"]["recvWindow"] == 7000
                assert spy.sent[-1]["params"]["recvWindow"] == 7000
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_a_key_the_venue_does_not_accept_never_becomes_ready():
    async def main():
        wrong = Ed25519PrivateKey.generate()
        async with SimExchange(seed=11, accounts=[(HMAC_KEY, HMAC_SECRET)],
                               ed25519_keys={ED_KEY: Ed25519PrivateKey.generate().public_key()}) as sim:
            for key, secret in ((ED_KEY, UNUSED_SECRET), (HMAC_KEY, HMAC_SECRET)):
                cfg = VenueConfig.local("binance-spot", sim.url, key, secret)
                rest = BinanceRest(cfg)
                await rest.start()
                ws = BinanceWsApi(cfg, rest.clock, ed25519_private_key=wrong)
                try:
                    with pytest.raises(E.AuthenticationError):
                        await ws.start(timeout=2.0)
                    assert not ws.logged_on
                finally:
                    await ws.stop()
                    await rest.close()

    run(main())


def test_logon_refusals_map_to_authentication_and_timestamp_resyncs_once():
    from engine.venues.binance.errors import error_for

    class Clock:
        def __init__(self):
            self.syncs = 0

        def now_ms(self):
            return 1_700_000_000_000

        async def sync(self):
            self.syncs += 1

    async def main():
        cfg = VenueConfig.local("binance-spot", "http://127.0.0.1:1", ED_KEY, UNUSED_SECRET)
        clock = Clock()
        ws = BinanceWsApi(cfg, clock, ed25519_private_key=Ed25519PrivateKey.generate())
        answers = []

        async def direct(method, params):
            answers.append(params)
            raise answers_to_give.pop(0)

        ws._direct = direct
        answers_to_give = [error_for("binance-spot", 400, -4056, "HMAC_SHA256 API key is not supported.")]
        with pytest.raises(E.AuthenticationError) as err:
            await ws._logon()
        assert err.value.code == -4056 and not ws.logged_on
        stale = "Timestamp for this request is outside of the recvWindow."
        answers_to_give = [error_for("binance-spot", 400, -1021, stale)] * 2
        answers.clear()
        with pytest.raises(E.TimestampError):
            await ws._logon()
        assert clock.syncs == 1 and len(answers) == 2          # one resync, one retry, then give up
        assert set(answers[0]) == {"apiKey", "recvWindow", "timestamp", "signature"}

    run(main())
