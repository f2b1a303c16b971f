"""engine.sim Bybit V5 personality: REST auth/errors, async order outcomes on the private
stream, conditional orders, positions, wallet, WebSocket trade."""

import asyncio

import pytest

from tests.support.sim_fixtures import Limits, Bybit, bybit_auth_args, now_ms, recv_until, run, sim_and_session

pytestmark = pytest.mark.timeout(60)


async def private_ws(sim, s, topics=("order", "execution", "position", "wallet")):
    ws = await s.ws_connect(sim.ws_url + "/v5/private")
    await ws.send_json({"op": "auth", "args": bybit_auth_args()})
    assert (await ws.receive_json())["success"] is True
    await ws.send_json({"req_id": "s1", "op": "subscribe", "args": list(topics)})
    assert (await ws.receive_json())["success"] is True
    return ws


async def drain(ws, t=0.4):
    out = []
    while True:
        try:
            out.append(await asyncio.wait_for(ws.receive_json(), t))
        except asyncio.TimeoutError:
            return out


def test_auth_and_param_errors():
    async def go():
        async with sim_and_session(limits=Limits(bybit_per_second={"order/create": 100})) as (sim, s):
            y = Bybit(sim, s)
            order = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit",
                     "qty": "0.01", "price": "40000"}
            st, b, _ = await y.call("POST", "order/create", order, sign_with="bad")
            assert (st, b["retCode"]) == (200, 10004)
            st, b, _ = await y.call("POST", "order/create", order, key="nokey")
            assert (st, b["retCode"]) == (401, 10003)
            st, b, _ = await y.call("POST", "order/create", order, ts_offset=-20000)
            assert b["retCode"] == 10002
            for change, code in [({"side": "buy"}, 10001), ({"category": "option"}, 10001),
                                 ({"qty": "0.0001"}, 110017), ({"qty": "0.001"}, 110094),
                                 ({"price": "40000.05"}, 10001), ({"qty": "100"}, 110007)]:
                st, b, _ = await y.call("POST", "order/create", {**order, **change})
                assert st == 200 and b["retCode"] == code, (change, b)
            spot = {"category": "spot", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.01",
                    "price": "40000"}
            for change, code in [({"symbol": "XYZ"}, 170121), ({"price": "40000.001"}, 170134),
                                 ({"qty": "0.000001"}, 170137), ({"qty": "0.00001"}, 170140),
                                 ({"qty": "5"}, 170131)]:
                st, b, _ = await y.call("POST", "order/create", {**spot, **change})
                assert b["retCode"] == code, (change, b)
            st, b, h = await y.call("POST", "order/create", {**order, "orderLinkId": "L1"})
            assert b["retCode"] == 0 and b["result"]["orderLinkId"] == "L1" and h["X-Bapi-Limit"] == "100"
            st, b, _ = await y.call("POST", "order/create", {**order, "orderLinkId": "L1"})
            assert b["retCode"] == 110072
            st, b, _ = await y.call("POST", "order/create", {**spot, "orderLinkId": "S1"})
            st, b, _ = await y.call("POST", "order/create", {**spot, "orderLinkId": "S1"})
            assert b["retCode"] == 170141
            st, b, _ = await y.call("POST", "order/cancel", {"category": "linear", "symbol": "BTCUSDT",
                                                              "orderLinkId": "L1"})
            assert b["retCode"] == 0
            st, b, _ = await y.call("POST", "order/cancel", {"category": "linear", "symbol": "BTCUSDT",
                                                              "orderLinkId": "L1"})
            assert b["retCode"] == 110001
            st, b, _ = await y.call("POST", "order/create", {**order, "orderLinkId": "L1"})
            assert b["retCode"] == 110072     # Bybit ids are unique for ever, not only while open
            st, t, _ = await y.call("GET", "market/time")
            assert int(t["result"]["timeSecond"]) > 0
            st, ins, _ = await y.call("GET", "market/instruments-info", {"category": "linear"})
            assert {r["symbol"] for r in ins["result"]["list"]} == {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"}
    run(go())


def test_orders_stream_positions_wallet():
    async def go():
        async with sim_and_session() as (sim, s):
            y = Bybit(sim, s)
            ws = await private_ws(sim, s)
            await ws.send_json({"req_id": "p", "op": "ping"})
            pong, _ = await recv_until(ws, lambda m: m.get("op") == "pong")
            assert pong["req_id"] == "p" and pong["args"][0].isdigit()
            # post-only that would take: accepted, then cancelled on the stream
            st, b, _ = await y.call("POST", "order/create", {"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
                                                              "orderType": "Limit", "qty": "0.01", "price": "51000",
                                                              "timeInForce": "PostOnly", "orderLinkId": "po"})
            assert b["retCode"] == 0
            msgs = await drain(ws)
            rows = [d for m in msgs if m.get("topic") == "order" for d in m["data"]]
            assert rows[-1]["orderStatus"] == "Cancelled"
            assert rows[-1]["rejectReason"] == "EC_PostOnlyWillTakeLiquidity"
            # market buy, then a conditional reduce-only stop that fires when price falls
            st, b, _ = await y.call("POST", "order/create", {"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
                                                              "orderType": "Market", "qty": "0.1"})
            msgs = await drain(ws)
            topics = {m.get("topic") for m in msgs}
            assert {"order", "execution", "position", "wallet"} <= topics
            ex = [d for m in msgs if m.get("topic") == "execution" for d in m["data"]]
            assert ex[0]["execPrice"] == "50010" and ex[0]["execType"] == "Trade" and ex[0]["isMaker"] is False
            st, b, _ = await y.call("POST", "order/create", {"category": "linear", "symbol": "BTCUSDT", "side": "Sell",
                                                              "orderType": "Market", "qty": "0.1", "triggerPrice": "51000",
                                                              "triggerDirection": 2, "reduceOnly": True})
            assert b["retCode"] == 110093
            st, b, _ = await y.call("POST", "order/create", {"category": "linear", "symbol": "BTCUSDT", "side": "Sell",
                                                              "orderType": "Market", "qty": "0.1", "triggerPrice": "49000",
                                                              "triggerDirection": 2, "reduceOnly": True,
                                                              "orderLinkId": "stop1"})
            assert b["retCode"] == 0
            st, rt, _ = await y.call("GET", "order/realtime", {"category": "linear", "orderLinkId": "stop1"})
            assert rt["result"]["list"][0]["orderStatus"] == "Untriggered"
            await drain(ws, 0.2)
            sim.set_price("BTCUSDT", "48800")
            msgs = await drain(ws)
            states = [d["orderStatus"] for m in msgs if m.get("topic") == "order" for d in m["data"]
                      if d["orderLinkId"] == "stop1"]
            assert states[0] == "Triggered" and states[-1] == "Filled"
            st, pos, _ = await y.call("GET", "position/list", {"category": "linear", "symbol": "BTCUSDT"})
            assert pos["result"]["list"][0]["size"] == "0"
            st, hist, _ = await y.call("GET", "order/history", {"category": "linear"})
            assert len(hist["result"]["list"]) == 3
            st, w, _ = await y.call("GET", "account/wallet-balance", {"accountType": "UNIFIED", "coin": "USDT"})
            usdt = w["result"]["list"][0]["coin"][0]
            assert float(usdt["walletBalance"]) < 100000
            st, ex, _ = await y.call("GET", "execution/list", {"category": "linear"})
            assert len(ex["result"]["list"]) == 2
            # spot: market buy by quote amount, amend, cancel-all
            st, b, _ = await y.call("POST", "order/create", {"category": "spot", "symbol": "ETHUSDT", "side": "Buy",
                                                              "orderType": "Market", "qty": "1000"})
            st, b, _ = await y.call("POST", "order/create", {"category": "spot", "symbol": "ETHUSDT", "side": "Sell",
                                                              "orderType": "Limit", "qty": "0.5", "price": "3500"})
            oid = b["result"]["orderId"]
            st, a, _ = await y.call("POST", "order/amend", {"category": "spot", "symbol": "ETHUSDT", "orderId": oid,
                                                             "price": "3400"})
            assert a["retCode"] == 0
            st, rt, _ = await y.call("GET", "order/realtime", {"category": "spot", "symbol": "ETHUSDT"})
            assert rt["result"]["list"][0]["price"] == "3400"
            st, ca, _ = await y.call("POST", "order/cancel-all", {"category": "spot", "symbol": "ETHUSDT"})
            assert ca["result"]["success"] == "1" and len(ca["result"]["list"]) == 1
            assert sim.totals() == sim.initial_totals
            await ws.close()
    run(go())


def test_ws_trade():
    async def go():
        async with sim_and_session() as (sim, s):
            ws = await s.ws_connect(sim.ws_url + "/v5/trade")
            await ws.send_json({"op": "auth", "args": bybit_auth_args(secret="wrong")})
            assert (await ws.receive_json())["retCode"] == 10004
            await ws.send_json({"op": "auth", "args": bybit_auth_args()})
            assert (await ws.receive_json())["retCode"] == 0
            pws = await private_ws(sim, s, ("order",))
            hdr = lambda: {"X-BAPI-TIMESTAMP": str(now_ms()), "X-BAPI-RECV-WINDOW": "5000"}
            await ws.send_json({"reqId": "r1", "header": hdr(), "op": "order.create", "args": [
                {"category": "linear", "symbol": "ETHUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.1",
                 "price": "2900", "orderLinkId": "t1"}]})
            r = await ws.receive_json()
            assert r["retCode"] == 0 and r["data"]["orderLinkId"] == "t1" and r["header"]["X-Bapi-Limit"] == "10"
            await ws.send_json({"reqId": "r1", "header": hdr(), "op": "order.cancel", "args": [
                {"category": "linear", "symbol": "ETHUSDT", "orderLinkId": "t1"}]})
            assert (await ws.receive_json())["retCode"] == 20006
            await ws.send_json({"reqId": "r2", "header": hdr(), "op": "order.amend", "args": [
                {"category": "linear", "symbol": "ETHUSDT", "orderLinkId": "t1", "qty": "0.2"}]})
            assert (await ws.receive_json())["retCode"] == 0
            await ws.send_json({"reqId": "r3", "header": {"X-BAPI-TIMESTAMP": str(now_ms() - 60000)},
                                "op": "order.cancel", "args": [{"category": "linear", "symbol": "ETHUSDT",
                                                                "orderLinkId": "t1"}]})
            assert (await ws.receive_json())["retCode"] == 10002
            await ws.send_json({"reqId": "r4", "header": hdr(), "op": "order.cancel", "args": [
                {"category": "linear", "symbol": "ETHUSDT", "orderLinkId": "t1"}]})
            assert (await ws.receive_json())["retCode"] == 0
            msgs = await drain(pws)
            states = [d["orderStatus"] for m in msgs for d in m.get("data", [])]
            assert states == ["New", "New", "Cancelled"]
            qtys = [d["qty"] for m in msgs for d in m.get("data", [])]
            assert qtys[1] == "0.2"
            await ws.close()
            await pws.close()
    run(go())


def test_execution_list_filters_by_order():
    import asyncio

    from engine.config import VenueConfig
    from engine.sim import SimExchange
    from engine.venues.bybit.rest import BybitRest

    async def main():
        async with SimExchange(seed=2, accounts=[("fk", "fs")]) as sim:
            rest = BybitRest(VenueConfig.local("bybit", sim.url, "fk", "fs"))
            await rest.start()
            for link in ("x-1", "x-2"):
                await rest.place_order({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
                                        "orderType": "Market", "qty": "0.01", "orderLinkId": link})
            rows = (await rest.call("GET", "/v5/execution/list", {"category": "linear", "symbol": "BTCUSDT",
                                                                   "orderLinkId": "x-2"}))["list"]
            assert rows and {r["orderLinkId"] for r in rows} == {"x-2"}
            await rest.close()

    asyncio.run(main())
