"""engine.sim Binance spot personality over real sockets: auth, errors, orders, WS API."""


import pytest

from engine.sim.auth import hmac_hex
from engine.sim.binance.auth import binance_signature_ok, ws_api_payload
from tests.support.sim_fixtures import KEY, KEY2, SECRET2, Binance, recv_until, run, sim_and_session, ws_signed

pytestmark = pytest.mark.timeout(60)

O = "/api/v3/order"


def test_official_vectors_verify():
    secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    payload = b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
    assert binance_signature_ok(secret, payload, "C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71")
    assert not binance_signature_ok(secret, payload + b"0", "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
    key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    params = {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000",
              "price": "52000.00", "recvWindow": 100, "timestamp": 1645423376532, "apiKey": key, "signature": "x"}
    assert hmac_hex(secret, ws_api_payload(params)) == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"


def test_auth_errors():
    async def go():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            args = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="40000")
            st, body, _ = await b.call("POST", O, sign_with="wrong", **args)
            assert (st, body["code"], body["msg"]) == (400, -1022, "Signature for this request is not valid.")
            st, body, _ = await Binance(sim, s, key="nope").call("POST", O, **args)
            assert (st, body["code"]) == (401, -2015)
            st, body, _ = await Binance(sim, s, key=None).call("POST", O, **args)
            assert (st, body["code"]) == (401, -2014)
            st, body, _ = await b.call("POST", O, ts_offset=-10000, **args)
            assert (st, body["code"], body["msg"]) == (400, -1021, "Timestamp for this request is outside of the recvWindow.")
            st, body, _ = await b.call("POST", O, ts_offset=5000, **args)
            assert body["code"] == -1021 and "ahead" in body["msg"]
            st, body, _ = await b.call("POST", O, ts_offset=-10000, recvWindow=60000, **args)
            assert st == 200, body
            # signature in the body, params split between query and body
            st, body, _ = await b.call("POST", O, body=True, **args)
            assert st == 200 and body["status"] == "NEW"
            st, body, _ = await b.call("GET", "/api/v3/account", signed=False)
            assert body["code"] == -1102 and "'timestamp'" in body["msg"]
    run(go())


@pytest.mark.parametrize("change,code,fragment", [
    ({"symbol": "NOPE"}, -1121, "Invalid symbol."),
    ({"side": "UP"}, -1117, "Invalid side."),
    ({"type": "LIMITED"}, -1116, "Invalid orderType."),
    ({"timeInForce": "GTD"}, -1115, "Invalid timeInForce."),
    ({"price": None}, -1102, "'price'"),
    ({"quantity": "0.000000001"}, -1111, "too much precision"),
    ({"quantity": "1e-3"}, -1100, "Illegal characters"),
    ({"price": "40000.001"}, -1013, "Filter failure: PRICE_FILTER"),
    ({"quantity": "0.000015"}, -1013, "Filter failure: LOT_SIZE"),
    ({"quantity": "0.00001"}, -1013, "Filter failure: NOTIONAL"),
    ({"quantity": "5"}, -2010, "Account has insufficient balance for requested action."),
    ({"newClientOrderId": "bad id!"}, -1100, "newClientOrderId"),
])
def test_order_rejections(change, code, fragment):
    async def go():
        async with sim_and_session() as (sim, s):
            args = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="40000")
            for k, v in change.items():
                if v is None:
                    args.pop(k)
                else:
                    args[k] = v
            st, body, _ = await Binance(sim, s).call("POST", O, **args)
            assert st == 400 and body["code"] == code and fragment in body["msg"], body
            assert sim.totals() == sim.initial_totals
    run(go())


def test_duplicate_client_id_unknown_order_and_cancels():
    async def go():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            args = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="40000",
                        newClientOrderId="abc-1")
            st, body, h = await b.call("POST", O, **args)
            assert st == 200 and h["X-MBX-ORDER-COUNT-10S"] == "1" and "X-MBX-USED-WEIGHT-1M" in h
            st, dup, _ = await b.call("POST", O, **args)
            assert (dup["code"], dup["msg"]) == (-2010, "Duplicate order sent.")
            st, q, _ = await b.call("GET", O, symbol="BTCUSDT", origClientOrderId="abc-1")
            assert q["status"] == "NEW" and q["orderId"] == body["orderId"]
            st, c, _ = await b.call("DELETE", O, symbol="BTCUSDT", origClientOrderId="abc-1", newClientOrderId="cx")
            assert c["status"] == "CANCELED" and c["origClientOrderId"] == "abc-1" and c["clientOrderId"] == "cx"
            st, c2, _ = await b.call("DELETE", O, symbol="BTCUSDT", orderId=body["orderId"])
            assert (st, c2["code"], c2["msg"]) == (400, -2011, "Unknown order sent.")
            st, q2, _ = await b.call("GET", O, symbol="BTCUSDT", orderId=999999)
            assert (q2["code"], q2["msg"]) == (-2013, "Order does not exist.")
            st, again, _ = await b.call("POST", O, **args)      # the id is free again once closed
            assert st == 200
            await b.call("POST", O, **{**args, "newClientOrderId": "abc-2", "price": "41000"})
            st, cancelled, _ = await b.call("DELETE", "/api/v3/openOrders", symbol="BTCUSDT")
            assert st == 200 and {c["origClientOrderId"] for c in cancelled} == {"abc-1", "abc-2"}
            free, locked = sim.balance(KEY, "USDT")
            assert locked == 0 and free == 100000
    run(go())


def test_order_types_fill_behaviour():
    async def go():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            # book: asks 50010, 50020, ... 0.5 each; bids 49990, 49980, ...
            st, m, _ = await b.call("POST", O, symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.7")
            assert m["status"] == "FILLED" and [f["price"] for f in m["fills"]] == ["50010.00000000", "50020.00000000"]
            assert m["fills"][0]["commission"] == "0.00050000" and m["fills"][0]["commissionAsset"] == "BTC"
            st, mq, _ = await b.call("POST", O, symbol="BTCUSDT", side="BUY", type="MARKET", quoteOrderQty="1000")
            assert mq["status"] == "FILLED" and float(mq["cummulativeQuoteQty"]) <= 1000
            st, ioc, _ = await b.call("POST", O, symbol="BTCUSDT", side="SELL", type="LIMIT", timeInForce="IOC",
                                      quantity="0.8", price="49990")
            assert ioc["status"] == "EXPIRED" and ioc["executedQty"] == "0.50000000"
            st, fok, _ = await b.call("POST", O, symbol="BTCUSDT", side="SELL", type="LIMIT", timeInForce="FOK",
                                      quantity="5", price="49000")
            assert st == 200 and fok["status"] == "EXPIRED" and fok["executedQty"] == "0.00000000"
            st, mk, _ = await b.call("POST", O, symbol="BTCUSDT", side="BUY", type="LIMIT_MAKER", quantity="0.01",
                                     price="60000")
            assert (mk["code"], mk["msg"]) == (-2010, "Order would immediately match and take.")
            st, trig, _ = await b.call("POST", O, symbol="BTCUSDT", side="SELL", type="STOP_LOSS", quantity="0.01",
                                       stopPrice="60000")
            assert (trig["code"], trig["msg"]) == (-2010, "Order would trigger immediately.")
            # a resting limit buy fills when the market falls through it
            st, rest, _ = await b.call("POST", O, symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                                       quantity="0.01", price="49500")
            st, stop, _ = await b.call("POST", O, symbol="BTCUSDT", side="SELL", type="STOP_LOSS_LIMIT",
                                       timeInForce="GTC", quantity="0.01", stopPrice="49000", price="48000")
            st, tp, _ = await b.call("POST", O, symbol="BTCUSDT", side="SELL", type="TAKE_PROFIT", quantity="0.01",
                                     stopPrice="52000")
            sim.set_price("BTCUSDT", "49400")
            st, q, _ = await b.call("GET", O, symbol="BTCUSDT", orderId=rest["orderId"])
            assert q["status"] == "FILLED" and q["price"] == "49500.00000000"
            st, q, _ = await b.call("GET", O, symbol="BTCUSDT", orderId=stop["orderId"])
            assert q["status"] == "NEW" and q["isWorking"] is False
            sim.set_price("BTCUSDT", "48900")
            st, q, _ = await b.call("GET", O, symbol="BTCUSDT", orderId=stop["orderId"])
            assert q["status"] == "FILLED" and float(q["cummulativeQuoteQty"]) > 480
            sim.set_price("BTCUSDT", "52100")
            st, q, _ = await b.call("GET", O, symbol="BTCUSDT", orderId=tp["orderId"])
            assert q["status"] == "FILLED"
            st, trades, _ = await b.call("GET", "/api/v3/myTrades", symbol="BTCUSDT")
            assert len(trades) >= 6
            assert sim.totals() == sim.initial_totals
    run(go())


def test_cancel_replace_and_amend_keep_priority():
    async def go():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            st, o, _ = await b.call("POST", O, symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                                    quantity="0.02", price="45000", newClientOrderId="r1")
            st, a, _ = await b.call("PUT", "/api/v3/order/amend/keepPriority", symbol="BTCUSDT", orderId=o["orderId"],
                                    newQty="0.015")
            assert st == 200 and a["amendedOrder"]["qty"] == "0.01500000"
            drawn = a["amendedOrder"]["clientOrderId"]          # none sent: the venue draws a new one
            assert drawn != "r1" and a["amendedOrder"]["origClientOrderId"] == "r1"
            st, o2, _ = await b.call("POST", O, symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                                     quantity="0.01", price="44000", newClientOrderId="r2")
            st, dup, _ = await b.call("PUT", "/api/v3/order/amend/keepPriority", symbol="BTCUSDT",
                                      origClientOrderId=drawn, newClientOrderId="r2", newQty="0.012")
            assert dup["code"] == -2010                          # another open order holds that id
            st, a, _ = await b.call("PUT", "/api/v3/order/amend/keepPriority", symbol="BTCUSDT",
                                    origClientOrderId=drawn, newClientOrderId="r1", newQty="0.012")
            assert st == 200 and a["amendedOrder"]["clientOrderId"] == "r1"
            st, a, _ = await b.call("PUT", "/api/v3/order/amend/keepPriority", symbol="BTCUSDT",
                                    origClientOrderId="r1", newClientOrderId="r1", newQty="0.01")
            assert st == 200 and (a["amendedOrder"]["clientOrderId"], a["amendedOrder"]["orderId"]) == ("r1",
                                                                                                      o["orderId"])
            assert sim.client_order_count(KEY, "binance-spot", "r1") == 1     # the same id kept: one order
            await b.call("DELETE", O, symbol="BTCUSDT", origClientOrderId="r2")
            assert sim.balance(KEY, "USDT")[1] == 450
            st, bad, _ = await b.call("PUT", "/api/v3/order/amend/keepPriority", symbol="BTCUSDT", orderId=o["orderId"],
                                      newQty="0.05")
            assert bad["code"] == -2038
            st, cr, _ = await b.call("POST", "/api/v3/order/cancelReplace", symbol="BTCUSDT", side="BUY", type="LIMIT",
                                     timeInForce="GTC", quantity="0.01", price="46000", cancelReplaceMode="STOP_ON_FAILURE",
                                     cancelOrigClientOrderId="r1")
            assert st == 200 and cr["cancelResult"] == "SUCCESS" and cr["newOrderResponse"]["price"] == "46000.00000000"
            st, cr2, _ = await b.call("POST", "/api/v3/order/cancelReplace", symbol="BTCUSDT", side="BUY", type="LIMIT",
                                      timeInForce="GTC", quantity="0.01", price="46000",
                                      cancelReplaceMode="STOP_ON_FAILURE", cancelOrigClientOrderId="r1")
            assert st == 400 and cr2["code"] == -2022 and cr2["data"]["newOrderResult"] == "NOT_ATTEMPTED"
    run(go())


def test_ws_api_order_entry_and_user_stream():
    async def go():
        async with sim_and_session() as (sim, s):
            async with s.ws_connect(sim.ws_url + "/ws-api/v3") as ws:
                await ws.send_json({"id": 1, "method": "userDataStream.subscribe.signature", "params": ws_signed({})})
                r, _ = await recv_until(ws, lambda m: m.get("id") == 1)
                assert r["status"] == 200 and r["result"] == {"subscriptionId": 0} and r["rateLimits"]
                await ws.send_json({"id": 2, "method": "userDataStream.subscribe.signature", "params": ws_signed({})})
                r, _ = await recv_until(ws, lambda m: m.get("id") == 2)
                assert r["error"]["code"] == -2035
                params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                          "quantity": "0.01", "price": "45000", "newClientOrderId": "w1"}
                await ws.send_json({"id": "p", "method": "order.place", "params": ws_signed(params)})
                r, seen = await recv_until(ws, lambda m: m.get("id") == "p")
                assert r["status"] == 200 and r["result"]["clientOrderId"] == "w1"
                er = [m["event"] for m in seen if "event" in m]
                assert er[0]["e"] == "executionReport" and er[0]["x"] == "NEW" and er[0]["c"] == "w1"
                assert any(e["e"] == "outboundAccountPosition" for e in er)
                bad = ws_signed(params)
                bad["signature"] = "00" * 32
                await ws.send_json({"id": "b", "method": "order.place", "params": bad})
                r, _ = await recv_until(ws, lambda m: m.get("id") == "b")
                assert r["status"] == 400 and r["error"]["code"] == -1022
                await ws.send_json({"id": "s", "method": "order.status",
                                    "params": ws_signed({"symbol": "BTCUSDT", "origClientOrderId": "w1"})})
                r, _ = await recv_until(ws, lambda m: m.get("id") == "s")
                assert r["result"]["status"] == "NEW"
                await ws.send_json({"id": "c", "method": "v3/order.cancel",
                                    "params": ws_signed({"symbol": "BTCUSDT", "origClientOrderId": "w1"})})
                r, seen = await recv_until(ws, lambda m: m.get("id") == "c")
                assert r["result"]["status"] == "CANCELED"
                ev = [m["event"] for m in seen if "event" in m and m["event"]["e"] == "executionReport"]
                assert ev and ev[0]["x"] == "CANCELED" and ev[0]["C"] == "w1"
                # a second account's activity never reaches this subscription
                await ws.send_json({"id": "o", "method": "order.place", "params": ws_signed(
                    {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}, key=KEY2, secret=SECRET2)})
                r, seen = await recv_until(ws, lambda m: m.get("id") == "o")
                assert r["status"] == 200 and not [m for m in seen if "event" in m]
                # fills: trade events with commission
                await ws.send_json({"id": "m", "method": "order.place", "params": ws_signed(
                    {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.01"})})
                r, seen = await recv_until(ws, lambda m: m.get("id") == "m")
                trades = [m["event"] for m in seen if "event" in m and m["event"].get("x") == "TRADE"]
                assert trades[0]["X"] == "FILLED" and trades[0]["N"] == "USDT" and trades[0]["L"] == "49990.00000000"
    run(go())


def test_exchange_info_time_and_account():
    async def go():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            st, info, _ = await b.call("GET", "/api/v3/exchangeInfo", signed=False)
            names = {x["symbol"] for x in info["symbols"]}
            assert {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"} <= names
            btc = next(x for x in info["symbols"] if x["symbol"] == "BTCUSDT")
            assert {f["filterType"] for f in btc["filters"]} >= {"PRICE_FILTER", "LOT_SIZE", "NOTIONAL"}
            st, t, _ = await b.call("GET", "/api/v3/time", signed=False)
            assert abs(t["serverTime"] - __import__("time").time() * 1000) < 5000
            st, acct, _ = await b.call("GET", "/api/v3/account", omitZeroBalances="true")
            assert {x["asset"]: x["free"] for x in acct["balances"]}["USDT"] == "100000.00000000"
    run(go())
