"""BinanceWsApi (spot WebSocket API) against engine.sim: order entry, user-data events, faults."""

import asyncio
import json

import pytest
import uvloop

from engine.config import VenueConfig
from engine.sim import SimExchange
from engine.transport.errors import ConnectionLost, RequestTimeout
from engine.venues import errors as E
from engine.venues.binance.rest import BinanceRest
from engine.venues.binance.ws_orders import BinanceWsApi

KEY, SECRET = "ws-key-0001", "ws-secret-0001-never-shown"
LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
         "price": "30000"}


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


async def connect(sim, **kw):
    cfg = VenueConfig.local("binance-spot", sim.url, KEY, SECRET)
    rest = BinanceRest(cfg)
    await rest.start()
    events = []
    ws = BinanceWsApi(cfg, rest.clock, on_event=events.append, **kw)
    await ws.start()
    return rest, ws, events


async def until(pred, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def test_place_status_cancel_and_events():
    async def main():
        async with SimExchange(seed=5, accounts=[(KEY, SECRET)]) as sim:
            rest, ws, events = await connect(sim)
            try:
                assert ws.subscription_id is not None
                placed = await ws.order_place({**LIMIT, "newClientOrderId": "ws-1"})
                assert placed["status"] == "NEW" and placed["clientOrderId"] == "ws-1"
                status = await ws.order_status("BTCUSDT", client_order_id="ws-1")
                assert status["orderId"] == placed["orderId"]
                assert [o["clientOrderId"] for o in await ws.open_orders("BTCUSDT")] == ["ws-1"]
                cancelled = await ws.order_cancel("BTCUSDT", order_id=placed["orderId"])
                assert cancelled["status"] == "CANCELED"
                with pytest.raises(E.UnknownOrder):
                    await ws.order_cancel("BTCUSDT", client_order_id="ws-1")
                with pytest.raises(E.PostOnlyWouldTake):
                    await ws.order_place({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT_MAKER",
                                          "quantity": "0.01", "price": "999999"})
                await until(lambda: sum(b'"executionReport"' in e for e in events) >= 2)
                reports = [json.loads(e)["event"] for e in events if b'"executionReport"' in e]
                assert [r["x"] for r in reports[:2]] == ["NEW", "CANCELED"]
                assert reports[0]["c"] == "ws-1" and reports[1]["C"] == "ws-1"
                assert ws.rate_limits and ws.rate_limits[0]["rateLimitType"]
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_answer_lost_after_processing_is_unknown_then_resolved():
    async def main():
        async with SimExchange(seed=5, accounts=[(KEY, SECRET)], faults=["order.place:after_process_drop:nth=1"]) as sim:
            reconnected = []

            async def on_reconnected():
                reconnected.append(1)

            rest, ws, events = await connect(sim, on_reconnected=on_reconnected)
            try:
                with pytest.raises(ConnectionLost) as err:
                    await ws.order_place({**LIMIT, "newClientOrderId": "lost-1"})
                assert err.value.outcome_unknown
                await until(lambda: ws.ws.connected and reconnected)
                # the order exists: resolved by its client id, not by sending it again
                found = await ws.order_status("BTCUSDT", client_order_id="lost-1")
                assert found["status"] == "NEW"
                assert ws.subscription_id is not None  # re-subscribed after the reconnect
                await ws.order_cancel("BTCUSDT", client_order_id="lost-1")
                await until(lambda: any(b'"CANCELED"' in e for e in events))
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_slow_answer_times_out_with_unknown_outcome():
    async def main():
        async with SimExchange(seed=5, accounts=[(KEY, SECRET)], faults=["order.place:latency:ms=600,times=1"]) as sim:
            rest, ws, _ = await connect(sim, request_timeout=0.2)
            try:
                with pytest.raises(RequestTimeout) as err:
                    await ws.order_place({**LIMIT, "newClientOrderId": "slow-1"})
                assert err.value.sent
                await asyncio.sleep(0.6)  # the late answer arrives and is ignored
                assert (await ws.order_status("BTCUSDT", client_order_id="slow-1"))["status"] == "NEW"
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_bad_signature_is_an_authentication_error():
    async def main():
        async with SimExchange(seed=5, accounts=[(KEY, SECRET)]) as sim:
            cfg = VenueConfig.local("binance-spot", sim.url, KEY, "not-the-secret")
            rest = BinanceRest(cfg)
            await rest.start()
            ws = BinanceWsApi(cfg, rest.clock, subscribe_user_data=False)
            await ws.start()
            try:
                with pytest.raises(E.AuthenticationError):
                    await ws.order_place(LIMIT)
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_signature_payload_is_sorted_raw_utf8():
    class Clock:
        def now_ms(self):
            return 1645423376532

    cfg = VenueConfig.local("binance-spot", "http://127.0.0.1:1",
                            "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
                            "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j", recv_window_ms=100)
    ws = BinanceWsApi(cfg, Clock())
    p = ws.signed_params({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
                          "quantity": "0.01000000", "price": "52000.00"})
    # official WS API test vector (shared/venues/binance-spot.md §3 #3)
    assert p["signature"] == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"


def test_raw_path_frames_and_answers():
    from engine._enums import OrderState
    from engine._parse_binance import BinanceParser

    async def main():
        async with SimExchange(seed=5, accounts=[(KEY, SECRET)]) as sim:
            rest, ws, events = await connect(sim)
            try:
                p = BinanceParser()
                p.parse(await ws.send_raw("order.place", {**LIMIT, "newClientOrderId": "raw-1"}))
                assert p.order_state == OrderState.NEW and p.to_dict()["client_id"] == "raw-1"
                with pytest.raises(E.DuplicateClientOrderId):
                    await ws.send_raw("order.place", {**LIMIT, "newClientOrderId": "raw-1"})
                p.parse(await ws.send_raw("order.cancel", {"symbol": "BTCUSDT", "origClientOrderId": "raw-1"}))
                assert p.order_state == OrderState.CANCELLED
                assert not ws.inflight.pending
            finally:
                await ws.stop()
                await rest.close()

    run(main())


def test_compiled_frames_place_and_cancel_against_the_simulator():
    from engine._codec_binance_ws import RESP_ACK
    from engine._codec_errors import EncodeError
    from engine._enums import OrderState, OrderType, Side, TimeInForce
    from engine._parse_binance import BinanceParser

    async def main():
        async with SimExchange(seed=6, accounts=[(KEY, SECRET)]) as sim:
            rest, ws, events = await connect(sim)
            try:
                p = BinanceParser()
                p.parse(await ws.place_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 1_000_000,
                                             30_000 * 10**8, 0, b"cf-1"))
                assert p.order_state == OrderState.NEW and p.to_dict()["client_id"] == "cf-1"
                oid = p.order_id
                assert sim.core.by_client[("bspot", KEY, "cf-1")]
                with pytest.raises(E.DuplicateClientOrderId):
                    await ws.place_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 1_000_000,
                                         30_000 * 10**8, 0, b"cf-1", RESP_ACK)
                with pytest.raises(EncodeError):   # refused before anything is sent
                    ws.place_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 0, 30_000 * 10**8)
                p.parse(await ws.cancel_order(b"BTCUSDT", order_id=oid))
                assert p.order_state == OrderState.CANCELLED
                with pytest.raises(E.UnknownOrder):
                    await ws.cancel_order(b"BTCUSDT", client_id=b"never-placed")
                p.parse(await ws.place_order(b"BTCUSDT", Side.SELL, OrderType.MARKET, TimeInForce.TIF_NONE,
                                             1_000_000, client_id=b"cf-2"))
                assert p.order_state == OrderState.FILLED
                assert len(ws.inflight) == 0
            finally:
                await ws.stop()
                await rest.close()

    run(main())
