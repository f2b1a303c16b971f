"""engine.sim wire tests for native brackets: Binance spot OTOCO order lists and Bybit linear TP/SL on
create, driven by plain clients (sim_fixtures) over loopback."""

import pytest

from tests.support.sim_fixtures import Binance, Bybit, recv_until, run, sim_and_session, ws_signed

pytestmark = pytest.mark.timeout(60)


def otoco(**over):
    p = {"symbol": "BTCUSDT", "workingType": "LIMIT", "workingSide": "BUY", "workingPrice": "49500",
         "workingQuantity": "0.01", "workingTimeInForce": "GTC", "pendingSide": "SELL", "pendingQuantity": "0.01",
         "pendingAboveType": "LIMIT_MAKER", "pendingAbovePrice": "51000", "pendingBelowType": "STOP_LOSS",
         "pendingBelowStopPrice": "48000", "listClientOrderId": "L1", "workingClientOrderId": "w1",
         "pendingAboveClientOrderId": "a1", "pendingBelowClientOrderId": "b1", "newOrderRespType": "RESULT"}
    p.update(over)
    return {k: v for k, v in p.items() if v is not None}


async def status(b, cid):
    _, body, _ = await b.call("GET", "/api/v3/order", symbol="BTCUSDT", origClientOrderId=cid)
    return body["status"]


def test_otoco_answer_shape_and_request_errors():
    async def main():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            cases = [
                (otoco(workingType="MARKET"), -1116),                      # working order: LIMIT or LIMIT_MAKER
                (otoco(pendingAboveType="MARKET"), -1158),                 # not an OCO order type
                (otoco(workingTimeInForce=None), -1102),                   # LIMIT working order needs its TIF
                (otoco(pendingAbovePrice=None), -1102),                    # LIMIT_MAKER needs its price
                (otoco(pendingBelowStopPrice=None), -1102),                # STOP_LOSS needs its stop price
                (otoco(pendingAbovePrice="47000"), -2010),                 # above below the below: bad prices
                (otoco(pendingAboveType="STOP_LOSS", pendingAbovePrice=None, pendingAboveStopPrice="52000"), -1166),
                (otoco(workingClientOrderId="bad id!"), -1100),
            ]
            for params, code in cases:
                st, body, _ = await b.call("POST", "/api/v3/orderList/otoco", **params)
                assert st == 400 and body["code"] == code, (params, body)
            st, body, _ = await b.call("POST", "/api/v3/orderList/otoco", **otoco())
            assert st == 200
            assert body["contingencyType"] == "OTO" and body["listStatusType"] == "EXEC_STARTED"
            assert body["listOrderStatus"] == "EXECUTING" and body["listClientOrderId"] == "L1"
            assert [o["clientOrderId"] for o in body["orders"]] == ["w1", "a1", "b1"]
            reports = {r["clientOrderId"]: r for r in body["orderReports"]}
            assert reports["w1"]["status"] == "NEW"
            assert reports["a1"]["status"] == reports["b1"]["status"] == "PENDING_NEW"
            assert {r["orderListId"] for r in reports.values()} == {body["orderListId"]}
            st, dup, _ = await b.call("POST", "/api/v3/orderList/otoco", **otoco(listClientOrderId="L2"))
            assert st == 400 and dup["code"] == -2010                  # the legs' client ids are in use
            st, q, _ = await b.call("GET", "/api/v3/orderList", origClientOrderId="L1")
            assert st == 200 and q["orderListId"] == body["orderListId"] and "orderReports" not in q
            st, q, _ = await b.call("GET", "/api/v3/openOrderList")
            assert [x["listClientOrderId"] for x in q] == ["L1"]
            st, q, _ = await b.call("GET", "/api/v3/orderList", origClientOrderId="nope")
            assert st == 400 and q["code"] == -2013

    run(main())


def test_otoco_stream_activation_oco_and_list_status():
    async def main():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            async with s.ws_connect(sim.ws_url + "/ws-api/v3") as ws:
                await ws.send_json({"id": 1, "method": "userDataStream.subscribe.signature", "params": ws_signed({})})
                await recv_until(ws, lambda m: m.get("id") == 1)
                st, body, _ = await b.call("POST", "/api/v3/orderList/otoco", **otoco())
                lid = body["orderListId"]
                ev = lambda m: m.get("event", {})  # noqa: E731
                m, seen = await recv_until(ws, lambda m: ev(m).get("e") == "listStatus")
                reports = [ev(x) for x in seen if ev(x).get("e") == "executionReport"]
                assert {(r["c"], r["x"], r["X"]) for r in reports} >= {("w1", "NEW", "NEW"), ("a1", "NEW", "PENDING_NEW"),
                                                                      ("b1", "NEW", "PENDING_NEW")}
                assert {r["g"] for r in reports} == {lid}
                assert ev(m)["g"] == lid and ev(m)["C"] == "L1" and ev(m)["l"] == "EXEC_STARTED"
                assert [o["c"] for o in ev(m)["O"]] == ["w1", "a1", "b1"]
                sim.set_price("BTCUSDT", "49400")             # the working order fills: the pair goes live
                m, seen = await recv_until(ws, lambda m: ev(m).get("e") == "executionReport"
                                           and ev(m)["c"] == "b1" and ev(m)["X"] == "NEW")
                assert await status(b, "a1") == "NEW" and await status(b, "w1") == "FILLED"
                sim.set_price("BTCUSDT", "51600")             # the take-profit fills: the stop expires
                m, seen = await recv_until(ws, lambda m: ev(m).get("e") == "listStatus" and ev(m)["L"] == "ALL_DONE")
                expired = [ev(x) for x in seen if ev(x).get("e") == "executionReport" and ev(x)["c"] == "b1"]
                assert expired and expired[-1]["X"] == "EXPIRED" and expired[-1]["eR"] == "OCO_TRIGGER"
                assert await status(b, "a1") == "FILLED"

    run(main())


def test_cancelling_one_leg_cancels_the_list():
    async def main():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            await b.call("POST", "/api/v3/orderList/otoco", **otoco())
            st, body, _ = await b.call("DELETE", "/api/v3/order", symbol="BTCUSDT", origClientOrderId="b1")
            assert st == 200 and body["status"] == "CANCELED" and body["orderListId"] > 0
            assert [await status(b, c) for c in ("w1", "a1", "b1")] == ["CANCELED", "CANCELED", "CANCELED"]
            _, opened, _ = await b.call("GET", "/api/v3/openOrders", symbol="BTCUSDT")
            assert opened == []
            st, body, _ = await b.call("DELETE", "/api/v3/orderList", symbol="BTCUSDT", listClientOrderId="L1")
            assert st == 400 and body["code"] == -2011
            # a second list, cancelled as a list; its working order first cancelled by cancel-all
            await b.call("POST", "/api/v3/orderList/otoco", **otoco(listClientOrderId="L2", workingClientOrderId="w2",
                                                                   pendingAboveClientOrderId="a2",
                                                                   pendingBelowClientOrderId="b2"))
            st, body, _ = await b.call("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")
            assert st == 200 and len(body) == 1 and body[0]["listOrderStatus"] == "ALL_DONE"
            assert [await status(b, c) for c in ("w2", "a2", "b2")] == ["CANCELED", "CANCELED", "CANCELED"]

    run(main())


def bybit_entry(**over):
    p = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.01",
         "price": "49500", "orderLinkId": "e1", "takeProfit": "51000", "stopLoss": "48000", "tpslMode": "Partial",
         "tpOrderType": "Limit", "tpLimitPrice": "51000", "slOrderType": "Market"}
    p.update(over)
    return {k: v for k, v in p.items() if v is not None}


def test_bybit_tpsl_request_errors_and_exit_rows():
    async def main():
        async with sim_and_session() as (sim, s):
            y = Bybit(sim, s)
            bad = [bybit_entry(orderLinkId="x1", tpslMode="Full"),          # Limit exits need Partial
                   bybit_entry(orderLinkId="x2", tpLimitPrice=None),        # Limit exit without its price
                   bybit_entry(orderLinkId="x3", takeProfit="49000"),       # a long's TP below the price
                   bybit_entry(orderLinkId="x4", stopLoss="50000"),         # a long's SL above the price
                   bybit_entry(orderLinkId="x5", tpslMode="Half"),
                   bybit_entry(orderLinkId="x6", reduceOnly=True)]
            for args in bad:
                _, body, _ = await y.call("POST", "order/create", args)
                assert body["retCode"] == 10001, (args, body)
            _, body, _ = await y.call("POST", "order/create", bybit_entry())
            assert body["retCode"] == 0
            _, rows, _ = await y.call("GET", "order/realtime", {"category": "linear", "symbol": "BTCUSDT"})
            (entry,) = rows["result"]["list"]
            assert entry["takeProfit"] == "51000" and entry["stopLoss"] == "48000" and entry["tpslMode"] == "Partial"
            sim.set_price("BTCUSDT", "49400")
            _, rows, _ = await y.call("GET", "order/realtime", {"category": "linear", "symbol": "BTCUSDT"})
            exits = {r["stopOrderType"]: r for r in rows["result"]["list"]}
            assert set(exits) == {"PartialTakeProfit", "PartialStopLoss"}
            for r in exits.values():
                assert r["orderLinkId"] == "" and r["parentOrderLinkId"] == "e1" and r["orderStatus"] == "Untriggered"
                assert r["side"] == "Sell" and r["qty"] == "0.01" and r["reduceOnly"] is True
            assert exits["PartialTakeProfit"]["createType"] == "CreateByPartialTakeProfit"
            assert exits["PartialTakeProfit"]["orderType"] == "Limit" and exits["PartialStopLoss"]["orderType"] == "Market"
            sim.set_price("BTCUSDT", "47500")                  # the stop triggers: the take-profit is cancelled
            _, hist, _ = await y.call("GET", "order/history", {"category": "linear", "symbol": "BTCUSDT"})
            done = {r["stopOrderType"]: r for r in hist["result"]["list"] if r["stopOrderType"]}
            assert done["PartialStopLoss"]["orderStatus"] == "Filled"
            assert done["PartialTakeProfit"]["orderStatus"] == "Cancelled"
            assert done["PartialTakeProfit"]["cancelType"] == "CancelByOCOTpCanceledBySlTriggered"
            _, pos, _ = await y.call("GET", "position/list", {"category": "linear", "symbol": "BTCUSDT"})
            assert pos["result"]["list"][0]["size"] == "0"
            # spot TP/SL on create is not simulated: refused, never silently dropped
            _, body, _ = await y.call("POST", "order/create", bybit_entry(category="spot", orderLinkId="s1",
                                                                          tpslMode=None))
            assert body["retCode"] == 10001

    run(main())


def test_otoco_over_the_websocket_api():
    async def main():
        async with sim_and_session() as (sim, s):
            async with s.ws_connect(sim.ws_url + "/ws-api/v3") as ws:
                await ws.send_json({"id": "p", "method": "orderList.place.otoco", "params": ws_signed(otoco())})
                r, _ = await recv_until(ws, lambda m: m.get("id") == "p")
                assert r["status"] == 200 and r["result"]["listClientOrderId"] == "L1"
                await ws.send_json({"id": "c", "method": "orderList.cancel",
                                    "params": ws_signed({"symbol": "BTCUSDT", "listClientOrderId": "L1"})})
                r, _ = await recv_until(ws, lambda m: m.get("id") == "c")
                assert r["status"] == 200 and r["result"]["listOrderStatus"] == "ALL_DONE"
                assert {o["status"] for o in r["result"]["orderReports"]} == {"CANCELED"}

    run(main())
