"""engine.sim MEXC spot personality on its own port, driven by a plain aiohttp + hmac client written from
the fact sheet (shared/venues/mexc-spot.md): signing and windows, orders and their answers, the switchable
behaviours, rate limits, listen keys and the protobuf user stream (read with the official schema)."""

import asyncio
import json

import aiohttp
import pytest
from yarl import URL

from engine.sim.mexc.proto import CHANNELS, account_frame, deals_frame, orders_frame
from engine.sim.mexc.state import MAX_CONNS_PER_KEY, MAX_KEYS, state_of
from tests.support import mexc_proto
from tests.support.sim_fixtures import KEY, SECRET, hsign, now_ms, run, sim_and_session

pytestmark = pytest.mark.timeout(60)


class Mexc:
    def __init__(self, sim, session, key=KEY, secret=SECRET, orders_per_s=1000):
        self.url, self.session, self.key, self.secret = sim.urls["mexc"], session, key, secret
        state_of(sim).limiter.orders_per_s = orders_per_s       # out of the way, but where a test lowers it

    async def call(self, method, path, signed=True, *, sign_with=None, upper=False, ts_offset=0, body=None,
                   key=None, **params):
        q = "&".join(f"{k}={v}" for k, v in params.items())
        if signed:
            q = (q + "&" if q else "") + f"timestamp={now_ms() + ts_offset}"
            sig = hsign(sign_with or self.secret, q + (body or ""))
            q += "&signature=" + (sig.upper() if upper else sig)
        headers = {"X-MEXC-APIKEY": key if key is not None else self.key} if signed else {}
        url = URL(f"{self.url}/api/v3/{path}?{q}", encoded=True)      # the bytes signed are the bytes sent
        async with self.session.request(method, url, headers=headers, data=body) as r:
            text = await r.text()
            return r.status, (json.loads(text) if text[:1] in "{[" else text), r.headers

    async def order(self, **params):
        params.setdefault("symbol", "BTCUSDT")
        return await self.call("POST", "order", **params)


LIMIT = dict(side="BUY", type="LIMIT", quantity="0.001", price="49000")


def test_the_sheets_frames_are_what_the_encoder_writes():
    assert orders_frame("MXUSDT", 1736417034281, id="C02__505979017439002624115", price="3.5121", quantity="1",
                        amount="0", avgPrice="3.6962", orderType=5, tradeType=2, remainAmount="0",
                        remainQuantity="0", lastDealQuantity="1", cumulativeQuantity="1",
                        cumulativeAmount="3.6962", status=2, createTime=1736417034259) == mexc_proto.ORDERS
    assert deals_frame("MXUSDT", 1736417034332, price="3.6962", quantity="1", amount="3.6962", tradeType=2,
                       tradeId="505979017439002624X1", orderId="C02__505979017439002624115",
                       feeAmount="0.0003998377369698171", feeCurrency="MX", time=1736417034280) == mexc_proto.DEALS
    assert account_frame(1736417034305, 1736417034307, vcoinName="USDT", coinId="128f589271cb4951b03e71e6323eb7be",
                         balanceAmount="21.94210356004384", balanceAmountChange="10", frozenAmount="0",
                         frozenAmountChange="0", type="CONTRACT_TRANSFER", time=1736416910000) == mexc_proto.ACCOUNT
    # proto3 defaults stay off the wire: isMaker false and an empty client id are absent
    frame = mexc_proto.decode(orders_frame("BTCUSDT", 1, id="C02__1", clientId="", isMaker=False, status=1))
    assert not frame.privateOrders.HasField("lastDealQuantity") and frame.privateOrders.clientId == ""
    assert frame.privateOrders.isMaker is False and frame.symbol == "BTCUSDT"


def test_signatures_keys_and_windows():
    async def go():
        async with sim_and_session() as (sim, s):
            m = Mexc(sim, s)
            st, b, _ = await m.order(**LIMIT)
            assert st == 200 and b["orderId"].startswith("C02__") and "status" not in b
            # signed over query + body, no separator (the sheet's example 3)
            st, b, _ = await m.call("POST", "order", symbol="BTCUSDT", side="BUY", type="LIMIT",
                                    body="quantity=0.001&price=49000")
            assert st == 200, b
            for kw, code in [(dict(upper=True), 700002), (dict(sign_with="wrong"), 700002),
                             (dict(ts_offset=-10_000), 700003), (dict(ts_offset=5000), 700003),
                             (dict(recvWindow=60001), 700005), (dict(key="nobody"), 10072), (dict(key=""), 400)]:
                st, b, _ = await m.order(**LIMIT, **kw)
                assert b["code"] == code and st == 400, (kw, b)
            st, b, _ = await m.order(**LIMIT, recvWindow=60000, ts_offset=-30_000)
            assert st == 200, b
    run(go())


def test_orders_answers_and_errors():
    async def go():
        async with sim_and_session() as (sim, s):
            m = Mexc(sim, s)
            st, b, _ = await m.order(**LIMIT, newClientOrderId="c1", stpMode="cancel_maker")
            assert b["stpMode"] == "cancel_maker" and isinstance(b["orderId"], str)
            oid = b["orderId"]
            st, q, _ = await m.call("GET", "order", symbol="BTCUSDT", orderId=oid)
            assert q["clientOrderId"] == "c1" and q["status"] == "NEW" and q["type"] == "LIMIT"
            # the single cancel answers the status before the cancel (switchable to the doc's CANCELED)
            st, c, _ = await m.call("DELETE", "order", symbol="BTCUSDT", origClientOrderId="c1")
            assert st == 200 and c["status"] == "NEW" and c["orderId"] == oid
            st, q, _ = await m.call("GET", "order", symbol="BTCUSDT", orderId=oid)
            assert q["status"] == "CANCELED"
            st, b, _ = await m.call("DELETE", "order", symbol="BTCUSDT", origClientOrderId="c1")
            assert b == {"code": -2011, "msg": "Unknown order sent."}
            st, b, _ = await m.call("GET", "order", symbol="BTCUSDT", orderId="C02__999999")
            assert b["code"] == -2013
            st, b, _ = await m.call("DELETE", "order", symbol="BTCUSDT")
            assert b["code"] == 700004
            # a partly filled order: cancelled, it is PARTIALLY_CANCELED, its fill kept
            ask = sim.core.books[("mexc", "BTCUSDT")].depth("SELL", 1)[0]
            st, b, _ = await m.order(side="BUY", type="LIMIT", quantity=str(ask[1] + ask[1] / 2),
                                     price=str(ask[0]), newClientOrderId="p1")
            st, c, _ = await m.call("DELETE", "order", symbol="BTCUSDT", origClientOrderId="p1")
            assert c["status"] == "PARTIALLY_FILLED" and c["executedQty"] == str(ask[1])
            st, q, _ = await m.call("GET", "order", symbol="BTCUSDT", origClientOrderId="p1")
            assert q["status"] == "PARTIALLY_CANCELED"
            state_of(sim).cancel_status = "final"
            st, b, _ = await m.order(**LIMIT, newClientOrderId="c2")
            st, c, _ = await m.call("DELETE", "order", symbol="BTCUSDT", origClientOrderId="c2")
            assert c["status"] == "CANCELED"
            # types: IOC/FOK/post-only are types; market buy spends quote, market sell sells base
            for params, status in [(dict(type="IMMEDIATE_OR_CANCEL", price="40000"), "CANCELED"),
                                   (dict(type="FILL_OR_KILL", price="40000"), "CANCELED"),
                                   (dict(type="LIMIT_MAKER", price="60000"), "CANCELED")]:
                p = {"side": "BUY", "quantity": "0.001", **params}
                st, b, _ = await m.order(**p)
                st, q, _ = await m.call("GET", "order", symbol="BTCUSDT", orderId=b["orderId"])
                assert q["status"] == status and q["type"] == params["type"], q
            st, b, _ = await m.order(side="BUY", type="MARKET", quantity="0.001")
            assert b["code"] == 44444                    # a market buy names what it spends
            st, b, _ = await m.order(side="BUY", type="MARKET", quoteOrderQty="100", newClientOrderId="mb")
            assert st == 200, b
            st, q, _ = await m.call("GET", "order", symbol="BTCUSDT", orderId=b["orderId"])
            assert q["status"] == "FILLED" and 99 < float(q["cummulativeQuoteQty"]) <= 100
            st, b, _ = await m.order(side="SELL", type="MARKET", quantity="0.001")
            assert st == 200
            for bad, code in [(dict(quantity="0.00001", price="49000"), 30002), (dict(price="49000.001"), 33333),
                              (dict(quantity="0.0000001"), 33333), (dict(quantity="9001"), 30003),
                              (dict(quantity="5", price="49000"), 10101), (dict(side="SELL", quantity="11"), 30004),
                              (dict(type="STOP_LOSS"), 33333), (dict(symbol="NOPEUSDT"), 10007)]:
                st, b, _ = await m.order(**{**LIMIT, **bad})
                assert b["code"] == code, (bad, b)
            state_of(sim).api_symbols.discard("ETHUSDT")
            st, b, _ = await m.order(**{**LIMIT, "symbol": "ETHUSDT", "price": "3000", "quantity": "0.01"})
            assert b == {"code": 10007, "msg": "symbol not support api"}
            st, syms, _ = await m.call("GET", "selfSymbols")
            st, pub, _ = await m.call("GET", "defaultSymbols", signed=False)
            assert "ETHUSDT" not in syms["data"] and syms == pub and "BTCUSDT" in pub["data"]
            # lists
            st, rows, _ = await m.call("GET", "myTrades", symbol="BTCUSDT")
            assert {r["clientOrderId"] for r in rows} >= {"p1", "mb"} and all(isinstance(r["id"], str) for r in rows)
            st, rows, _ = await m.call("GET", "allOrders", symbol="BTCUSDT")
            assert {r["clientOrderId"] for r in rows} >= {"c1", "c2", "p1", "mb"}
            for _ in range(2):
                await m.order(**LIMIT)
            st, rows, _ = await m.call("GET", "openOrders", symbol="BTCUSDT")
            assert len(rows) == 2 and all(r["status"] == "NEW" for r in rows)
            st, rows, _ = await m.call("DELETE", "openOrders", symbol="BTCUSDT")
            assert len(rows) == 2 and {r["status"] for r in rows} == {"CANCELED"}
    run(go())


def test_batch_switches_and_read_after_write():
    async def go():
        async with sim_and_session() as (sim, s):
            m = Mexc(sim, s)
            items = [{"type": "LIMIT_ORDER", "price": "40000", "quantity": "0.0002", "symbol": "BTCUSDT",
                      "side": "BUY", "newClientOrderId": "bo-1"},
                     {"type": "LIMIT", "price": "40000", "quantity": "0.00001", "symbol": "BTCUSDT", "side": "BUY",
                      "newClientOrderId": "bo-2"}]
            from urllib.parse import quote
            batch = quote(json.dumps(items, separators=(",", ":")), safe="")
            st, b, _ = await m.call("POST", "batchOrders", batchOrders=batch)
            assert st == 200 and b[0]["orderId"].startswith("C02__") and b[1]["code"] == 30002, b
            st, b, _ = await m.call("POST", "batchOrders", batchOrders=quote(json.dumps(items * 11), safe=""))
            assert b["code"] == 33333                         # 22 orders: over 20
            state_of(sim).read_after_write_ms = 400
            st, b, _ = await m.order(**LIMIT, newClientOrderId="raw")
            st, q, _ = await m.call("GET", "order", symbol="BTCUSDT", origClientOrderId="raw")
            assert q["code"] == -2013                         # not visible yet (ccxt/ccxt#21614)
            await asyncio.sleep(0.45)
            st, q, _ = await m.call("GET", "order", symbol="BTCUSDT", origClientOrderId="raw")
            assert q["status"] == "NEW"
            state_of(sim).duplicate_client_id = (30026, "duplicate client order id")
            st, b, _ = await m.order(**LIMIT, newClientOrderId="raw")
            assert b == {"code": 30026, "msg": "duplicate client order id"}
            assert sim.client_order_count(KEY, "mexc", "raw") == 1
    run(go())


def test_order_budget_then_429_then_418():
    async def go():
        async with sim_and_session() as (sim, s):
            m = Mexc(sim, s)
            lim = state_of(sim).limiter
            lim.orders_per_s, lim.ban_after = 3, 2
            answers = [await m.order(**LIMIT) for _ in range(3)]
            assert all(st == 200 for st, _, _ in answers)
            st, b, h = await m.call("DELETE", "order", symbol="BTCUSDT", orderId=answers[0][1]["orderId"])
            assert st == 429 and int(h["Retry-After"]) >= 1          # place and cancel share the budget
            st, b, h = await m.order(**LIMIT)
            assert st == 429
            st, b, h = await m.order(**LIMIT)
            assert st == 418 and int(h["Retry-After"]) == lim.ban_seconds
            st, b, h = await m.call("GET", "time", signed=False)
            assert st == 418                                         # the ban holds every endpoint
            sim.reset_rate_limits()
            assert (await m.call("GET", "time", signed=False))[0] == 200
    run(go())


async def _ws(sim, s, key, subscribe=True):
    ws = await s.ws_connect(sim.urls["mexc"].replace("http", "ws") + f"/ws?listenKey={key}")
    if subscribe:
        await ws.send_str(json.dumps({"method": "SUBSCRIPTION", "params": list(CHANNELS)}))
        acks = [json.loads((await ws.receive(timeout=2)).data) for _ in CHANNELS]
        assert acks == [{"id": 0, "code": 0, "msg": ch} for ch in CHANNELS]
    return ws


def test_listen_keys_and_the_protobuf_stream():
    async def go():
        async with sim_and_session() as (sim, s):
            m = Mexc(sim, s)
            state = state_of(sim)
            st, b, _ = await m.call("POST", "userDataStream")
            key = b["listenKey"]
            st, b, _ = await m.call("GET", "userDataStream")
            assert b == {"listenKey": [key]}
            st, b, _ = await m.call("PUT", "userDataStream", listenKey=key)
            assert b == {"code": "730708", "msg": "listen key information error"}   # too soon after the last
            state.keepalive_min_s = 0
            st, b, _ = await m.call("PUT", "userDataStream", listenKey=key)
            assert b == {"listenKey": key}
            ws = await _ws(sim, s, key)
            await ws.send_str('{"method":"PING"}')
            assert json.loads((await ws.receive(timeout=2)).data) == {"id": 0, "code": 0, "msg": "PONG"}
            await m.order(side="SELL", type="MARKET", quantity="0.01", newClientOrderId="s1")
            frames = []
            while len(frames) < 5:
                msg = await ws.receive(timeout=2)
                assert msg.type == aiohttp.WSMsgType.BINARY
                frames.append(mexc_proto.decode(msg.data))
            bodies = [f.WhichOneof("body") for f in frames]
            assert bodies[:3] == ["privateOrders", "privateOrders", "privateDeals"], bodies
            new, filled, deal = frames[0], frames[1], frames[2]
            assert new.symbol == "BTCUSDT" and new.privateOrders.status == 1 and new.privateOrders.clientId == "s1"
            o = filled.privateOrders
            assert (o.status, o.orderType, o.tradeType, o.cumulativeQuantity) == (2, 5, 2, "0.01")
            assert not o.isMaker and not frames[2].privateDeals.isMaker         # a taker: the field is absent
            d = deal.privateDeals
            assert d.orderId == o.id and d.clientOrderId == "s1" and d.feeCurrency == "USDT" and d.tradeId
            st, rows, _ = await m.call("GET", "myTrades", symbol="BTCUSDT")
            assert rows[-1]["id"] == d.tradeId                                  # one id, stream and REST
            accounts = {f.privateAccount.vcoinName: f.privateAccount for f in frames[3:]}
            assert set(accounts) <= {"BTC", "USDT"} and not any(f.HasField("symbol") for f in frames[3:])
            st, b, _ = await m.call("DELETE", "userDataStream", listenKey=key)
            msg = await ws.receive(timeout=2)
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            # an unknown key: the plain text, then the close
            ws = await s.ws_connect(sim.urls["mexc"].replace("http", "ws") + "/ws?listenKey=nope")
            assert (await ws.receive(timeout=2)).data == "Invalid listen key"
            # a key that lapses tells its connections the same
            state.key_ttl_s = 0.2
            st, b, _ = await m.call("POST", "userDataStream")
            ws = await _ws(sim, s, b["listenKey"])
            msg = await ws.receive(timeout=3)
            assert msg.data == "Invalid listen key"
            # no subscription within the window: closed
            state.no_subscription_s, state.key_ttl_s = 0.3, 3600
            st, b, _ = await m.call("POST", "userDataStream")
            ws = await _ws(sim, s, b["listenKey"], subscribe=False)
            msg = await ws.receive(timeout=3)
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    run(go())


def test_listen_key_limits_and_a_silent_connection():
    """60 listen keys per account and 5 connections per key (§7): past either the venue refuses; a subscribed
    connection that sends nothing (no PING) is closed after the idle window (60 s, here 0.3 s)."""
    async def go():
        async with sim_and_session() as (sim, s):
            m = Mexc(sim, s)
            keys = [(await m.call("POST", "userDataStream"))[1]["listenKey"] for _ in range(MAX_KEYS)]
            assert len(set(keys)) == MAX_KEYS
            st, b, _ = await m.call("POST", "userDataStream")
            assert st == 400 and "listenKey" not in b                  # the 61st is refused
            assert len((await m.call("GET", "userDataStream"))[1]["listenKey"]) == MAX_KEYS
            conns = [await _ws(sim, s, keys[0]) for _ in range(MAX_CONNS_PER_KEY)]
            extra = await s.ws_connect(sim.urls["mexc"].replace("http", "ws") + f"/ws?listenKey={keys[0]}")
            refusal = await extra.receive(timeout=2)
            assert refusal.type == aiohttp.WSMsgType.TEXT and json.loads(refusal.data)["code"] != 0
            assert (await extra.receive(timeout=2)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            for ws in conns:
                await ws.close()
            state_of(sim).idle_s = 0.3
            ws = await _ws(sim, s, keys[1])
            msg = await ws.receive(timeout=3)                          # nothing sent: closed, not pushed to
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    run(go())


def test_public_market_data_and_the_futures_list():
    async def go():
        async with sim_and_session() as (sim, s):
            m = Mexc(sim, s)
            assert (await m.call("GET", "ping", signed=False))[1] == {}
            st, info, _ = await m.call("GET", "exchangeInfo", signed=False, symbols="BTCUSDT,MXUSDT")
            rows = {r["symbol"]: r for r in info["symbols"]}
            assert set(rows) == {"BTCUSDT", "MXUSDT"} and rows["MXUSDT"]["quotePrecision"] == 4
            assert rows["BTCUSDT"]["baseSizePrecision"] == "0.000001" and rows["BTCUSDT"]["status"] == "1"
            st, d, _ = await m.call("GET", "depth", signed=False, symbol="MXUSDT", limit=3)
            assert len(d["bids"]) == 3 and float(d["bids"][0][0]) < 3.6 < float(d["asks"][0][0]) + 0.2
            st, t, _ = await m.call("GET", "ticker/24hr", signed=False, symbol="BTCUSDT")
            st, bt, _ = await m.call("GET", "ticker/bookTicker", signed=False, symbol="BTCUSDT")
            assert float(bt["bidPrice"]) < float(t["lastPrice"]) < float(bt["askPrice"])
            st, k, _ = await m.call("GET", "klines", signed=False, symbol="BTCUSDT", interval="1m", limit=5)
            assert len(k) == 5
            async with s.get(sim.urls["mexc"] + "/api/v1/contract/detail") as r:
                assert await r.json() == {"success": True, "code": 0, "data": []}
    run(go())
