"""engine.sim Binance USD-M personality: orders, algo orders, positions, listen-key stream."""

import asyncio

import pytest

from tests.support.sim_fixtures import Binance, run, sim_and_session

pytestmark = pytest.mark.timeout(60)

O = "/fapi/v1/order"
A = "/fapi/v1/algoOrder"


def test_order_errors():
    async def go():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            base = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="40000")
            cases = [
                ({"type": "STOP_MARKET", "stopPrice": "60000"}, -4120),
                ({"type": "TRAILING_STOP_MARKET"}, -4120),
                ({"price": "40000.05"}, -4014),
                ({"price": "40000.051"}, -1111),
                ({"quantity": "0.0105"}, -1111),
                ({"quantity": "0.001"}, -4164),
                ({"timeInForce": "GTX", "price": "60000"}, -5022),
                ({"timeInForce": "FOK", "price": "50010", "quantity": "3"}, -5021),
                ({"quantity": "100"}, -2019),
                ({"newClientOrderId": "x" * 37}, -4015),
                ({"positionSide": "LONG"}, -4061),
                ({"side": "SELL", "reduceOnly": "true", "type": "MARKET", "timeInForce": None, "price": None}, -2022),
            ]
            for change, code in cases:
                args = dict(base)
                for k, v in change.items():
                    if v is None:
                        args.pop(k)
                    else:
                        args[k] = v
                st, body, _ = await b.call("POST", O, **args)
                assert st == 400 and body["code"] == code, (change, body)
            st, ok, _ = await b.call("POST", O, **{**base, "newClientOrderId": "f1"})
            assert st == 200 and ok["status"] == "NEW"
            st, dup, _ = await b.call("POST", O, **{**base, "newClientOrderId": "f1"})
            assert dup["code"] == -4116
            st, body, _ = await b.call("DELETE", O, symbol="BTCUSDT", orderId=1)
            assert body["code"] == -2011
            st, body, _ = await b.call("GET", O, symbol="BTCUSDT", orderId=1)
            assert body["code"] == -2013
            st, m, _ = await b.call("PUT", O, symbol="BTCUSDT", side="BUY", origClientOrderId="f1",
                                    quantity="0.02", price="41000")
            assert st == 200 and m["origQty"] == "0.020" and m["price"] == "41000.00"
            st, same, _ = await b.call("PUT", O, symbol="BTCUSDT", side="BUY", origClientOrderId="f1",
                                       quantity="0.02", price="41000")
            assert same["code"] == -5027
            st, ca, _ = await b.call("DELETE", "/fapi/v1/allOpenOrders", symbol="BTCUSDT")
            assert ca == {"code": 200, "msg": "The operation of cancel all open order is done."}
    run(go())


def test_positions_pnl_and_stream_with_algo_orders():
    async def go():
        async with sim_and_session() as (sim, s):
            b = Binance(sim, s)
            st, lk, _ = await b.call("POST", "/fapi/v1/listenKey", signed=False)
            st, lk2, _ = await b.call("POST", "/fapi/v1/listenKey", signed=False)
            assert lk == lk2 and len(lk["listenKey"]) == 64
            st, k, _ = await b.call("PUT", "/fapi/v1/listenKey", signed=False)
            assert st == 200
            ws = await s.ws_connect(sim.ws_url + "/ws/" + lk["listenKey"])
            st, lev, _ = await b.call("POST", "/fapi/v1/leverage", symbol="BTCUSDT", leverage=10)
            assert lev["leverage"] == 10
            st, o, _ = await b.call("POST", O, symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.1",
                                    newOrderRespType="RESULT")
            assert o["status"] == "FILLED" and o["avgPrice"].startswith("50010")
            st, pos, _ = await b.call("GET", "/fapi/v3/positionRisk", symbol="BTCUSDT")
            assert pos[0]["positionAmt"] == "0.100" and pos[0]["entryPrice"].startswith("50010")
            # conditional orders: stop-loss and trailing stop through the Algo Service
            st, sl, _ = await b.call("POST", A, algoType="CONDITIONAL", symbol="BTCUSDT", side="SELL",
                                     type="STOP_MARKET", quantity="0.05", triggerPrice="49000", reduceOnly="true",
                                     clientAlgoId="sl-1")
            assert st == 200 and sl["algoStatus"] == "NEW"
            st, bad, _ = await b.call("POST", A, algoType="CONDITIONAL", symbol="BTCUSDT", side="SELL",
                                      type="STOP_MARKET", quantity="0.05", triggerPrice="51000", reduceOnly="true")
            assert bad["code"] == -2021
            st, tr, _ = await b.call("POST", A, algoType="CONDITIONAL", symbol="BTCUSDT", side="SELL",
                                     type="TRAILING_STOP_MARKET", quantity="0.05", callbackRate="1", reduceOnly="true")
            assert st == 200
            sim.set_price("BTCUSDT", "50500")      # trailing high water mark rises
            sim.set_price("BTCUSDT", "49950")      # 1.1% below the high: trailing stop fires
            st, q, _ = await b.call("GET", A, algoId=tr["algoId"])
            assert q["algoStatus"] == "FINISHED" and q["actualOrderId"]
            st, q, _ = await b.call("GET", A, clientAlgoId="sl-1")
            assert q["algoStatus"] == "NEW"
            sim.set_price("BTCUSDT", "48900")
            st, q, _ = await b.call("GET", A, clientAlgoId="sl-1")
            assert q["algoStatus"] == "FINISHED"
            st, pos, _ = await b.call("GET", "/fapi/v3/positionRisk")
            assert pos == []
            st, bal, _ = await b.call("GET", "/fapi/v3/balance")
            assert float(bal[0]["balance"]) < 100000       # lost money on the round trip, fees paid
            events = []
            while True:
                try:
                    events.append(await asyncio.wait_for(ws.receive_json(), 0.5))
                except asyncio.TimeoutError:
                    break
            kinds = [e["e"] for e in events]
            assert {"ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE", "ALGO_UPDATE"} <= set(kinds)
            algo_states = [e["o"]["X"] for e in events if e["e"] == "ALGO_UPDATE" and e["o"]["caid"] == "sl-1"]
            assert algo_states == ["NEW", "TRIGGERED", "FINISHED"]
            child = [e for e in events if e["e"] == "ORDER_TRADE_UPDATE" and e["o"]["ot"] == "STOP_MARKET"]
            assert child and child[-1]["o"]["X"] == "FILLED" and float(child[-1]["o"]["rp"]) < 0
            last_acct = [e for e in events if e["e"] == "ACCOUNT_UPDATE"][-1]
            assert last_acct["a"]["P"][0]["pa"] == "0.000"
            st, d, _ = await b.call("DELETE", "/fapi/v1/listenKey", signed=False)
            assert d == {}
            msg = await asyncio.wait_for(ws.receive(), 2)
            assert msg.type.name in ("CLOSE", "CLOSED", "CLOSING")
            st, k, _ = await b.call("PUT", "/fapi/v1/listenKey", signed=False)
            assert k["code"] == -1125
            tot = sim.totals()
            assert tot == sim.initial_totals
    run(go())


def test_listen_key_expiry_event():
    async def go():
        async with sim_and_session(listen_key_ttl=0.5) as (sim, s):
            b = Binance(sim, s)
            st, lk, _ = await b.call("POST", "/fapi/v1/listenKey", signed=False)
            ws = await s.ws_connect(sim.ws_url + "/private/ws?listenKey=" + lk["listenKey"])
            msg = await asyncio.wait_for(ws.receive_json(), 3)
            assert msg["e"] == "listenKeyExpired" and msg["listenKey"] == lk["listenKey"]
            st, k, _ = await b.call("PUT", "/fapi/v1/listenKey", signed=False)
            assert k["code"] == -1125
    run(go())
