"""engine.sim rate limits, fault injection, concurrency conservation and the CLI."""

import asyncio
import os
import signal
import subprocess
import sys

import aiohttp
import pytest

from engine.sim.faults import FaultSpecError, parse_faults
from tests.support.sim_fixtures import Binance, Bybit, Limits, bybit_auth_args, run, sim_and_session, ws_signed

pytestmark = pytest.mark.timeout(60)
O = "/api/v3/order"
LIMIT = dict(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="40000")


def test_weight_429_then_418_ban():
    async def go():
        async with sim_and_session(limits=Limits(spot_weight_1m=30, ban_after=2, ban_seconds=90)) as (sim, s):
            b = Binance(sim, s)
            st, _, h = await b.call("GET", "/api/v3/account")
            assert st == 200 and h["X-MBX-USED-WEIGHT-1M"] == "20"
            st, body, h = await b.call("GET", "/api/v3/account")
            assert st == 429 and body["code"] == -1003 and int(h["Retry-After"]) >= 1
            st, body, h = await b.call("GET", "/api/v3/account")
            assert st == 429
            st, body, h = await b.call("GET", "/api/v3/account")
            assert st == 418 and h["Retry-After"] == "90" and "banned until" in body["msg"]
            st, body, h = await b.call("GET", "/api/v3/ping", signed=False)
            assert st == 418
    run(go())


def test_order_count_limit_and_bybit_per_endpoint():
    async def go():
        async with sim_and_session(limits=Limits(spot_orders_10s=3, bybit_per_second={"order/create": 2})) as (sim, s):
            b = Binance(sim, s)
            for i in range(3):
                st, body, h = await b.call("POST", O, **LIMIT)
                assert st == 200 and h["X-MBX-ORDER-COUNT-10S"] == str(i + 1)
            st, body, h = await b.call("POST", O, **LIMIT)
            assert st == 429 and body["code"] == -1015 and "10 SECOND" in body["msg"]
            y = Bybit(sim, s)
            args = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.01",
                    "price": "40000"}
            codes = []
            for _ in range(3):
                st, body, h = await y.call("POST", "order/create", args)
                codes.append((body["retCode"], h["X-Bapi-Limit-Status"]))
            assert codes == [(0, "1"), (0, "0"), (10006, "0")]
    run(go())


def test_fault_grammar():
    f = parse_faults(["order.place:after_process_drop:p=0.1", "fapi/v1/order:http500:nth=3;/api/v3/order:latency:ms=5"])
    assert [(x.target, x.action, x.p, x.nth, x.ms) for x in f] == [
        ("order.place", "after_process_drop", 0.1, None, 200), ("fapi/v1/order", "http500", None, 3, 200),
        ("api/v3/order", "latency", None, None, 5)]
    for bad in ("nope", "x:explode", "x:http500:p=2", "x:http500:zz=1"):
        with pytest.raises(FaultSpecError):
            parse_faults([bad])
    a = parse_faults(["*:http500:p=0.5"], seed=3)[0]
    b = parse_faults(["*:http500:p=0.5"], seed=3)[0]
    assert [a.should_fire() for _ in range(50)] == [b.should_fire() for _ in range(50)]


def test_http_faults_and_drops():
    async def go():
        faults = ["api/v3/order:http500:nth=1", "POST api/v3/order:http429:nth=2", "api/v3/order:http418:nth=3",
                  "fapi/v1/order:http503:nth=1", "api/v3/openOrders:latency:ms=300,times=1"]
        async with sim_and_session(faults=faults) as (sim, s):
            b = Binance(sim, s)
            st, body, _ = await b.call("POST", O, **LIMIT)
            assert st == 500 and body["code"] == -1001
            st, body, h = await b.call("POST", O, **LIMIT)
            assert st == 429 and "Retry-After" in h
            st, body, h = await b.call("POST", O, **LIMIT)
            assert st == 418
            st, body, _ = await b.call("POST", "/fapi/v1/order", **LIMIT)
            assert st == 503 and body["code"] == -1007
            t0 = asyncio.get_running_loop().time()
            st, body, _ = await b.call("GET", "/api/v3/openOrders", symbol="BTCUSDT")
            assert st == 200 and body == [] and asyncio.get_running_loop().time() - t0 >= 0.3
            sim.add_faults("api/v3/order:before_process_drop:nth=1")
            with pytest.raises(aiohttp.ClientError):
                await b.call("POST", O, **{**LIMIT, "newClientOrderId": "lost"})
            st, q, _ = await b.call("GET", O, symbol="BTCUSDT", origClientOrderId="lost")
            assert q["code"] == -2013                      # never reached the matching engine
            sim.add_faults("POST api/v3/order:after_process_drop:nth=2")   # GETs do not match "POST ..."
            await b.call("GET", O, symbol="BTCUSDT", origClientOrderId="x")
            st, first, _ = await b.call("POST", O, **{**LIMIT, "newClientOrderId": "heard"})
            assert st == 200
            with pytest.raises(aiohttp.ClientError):
                await b.call("POST", O, **{**LIMIT, "newClientOrderId": "ghost"})
            st, q, _ = await b.call("GET", O, symbol="BTCUSDT", origClientOrderId="ghost")
            assert st == 200 and q["status"] == "NEW"      # the order exists; the client never heard
            # Bybit: 5xx fault shape
            sim.add_faults("v5/order/create:http500:nth=1")
            st, body, _ = await Bybit(sim, s).call("POST", "order/create", {"category": "linear"})
            assert st == 500 and body["retCode"] == 10016
    run(go())


def test_ws_faults_and_stream_faults():
    async def go():
        async with sim_and_session(faults=["order.place:after_process_drop:nth=2"]) as (sim, s):
            ws = await s.ws_connect(sim.ws_url + "/ws-api/v3")
            await ws.send_json({"id": 1, "method": "order.place", "params": ws_signed({**LIMIT, "newClientOrderId": "a1"})})
            assert (await ws.receive_json())["status"] == 200
            await ws.send_json({"id": 2, "method": "order.place", "params": ws_signed({**LIMIT, "newClientOrderId": "a2"})})
            msg = await asyncio.wait_for(ws.receive(), 3)
            assert msg.type.name in ("CLOSE", "CLOSED")
            st, q, _ = await Binance(sim, s).call("GET", O, symbol="BTCUSDT", origClientOrderId="a2")
            assert q["status"] == "NEW"
            # stream faults on the spot subscription
            sim.add_faults("stream.binance-spot:stream_duplicate:nth=1", "stream.binance-spot:stream_reorder:nth=2")
            ws = await s.ws_connect(sim.ws_url + "/ws-api/v3")
            await ws.send_json({"id": 1, "method": "userDataStream.subscribe.signature", "params": ws_signed({})})
            await ws.receive_json()
            await ws.send_json({"id": 2, "method": "order.place", "params": ws_signed(
                {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"})})
            got = []
            while len(got) < 5:
                got.append(await asyncio.wait_for(ws.receive_json(), 3))
            events = [m["event"] for m in got if "event" in m]
            assert events[0] == events[1]                   # duplicated NEW
            kinds = [(e["e"], e.get("x")) for e in events]
            # TRADE (2nd event) was held back and arrives after the account update
            assert kinds[2:] == [("outboundAccountPosition", None), ("executionReport", "TRADE")]
            sim.add_faults("stream.binance-spot:stream_drop:nth=2")
            await ws.send_json({"id": 3, "method": "order.place", "params": ws_signed(
                {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"})})
            closed = False
            for _ in range(10):
                msg = await asyncio.wait_for(ws.receive(), 3)
                if msg.type.name in ("CLOSE", "CLOSED"):
                    closed = True
                    break
            assert closed
    run(go())


def test_listen_key_expire_fault_and_bybit_stream_duplicate():
    async def go():
        async with sim_and_session(faults=["stream.binance-usdm:listenkey_expire:nth=2",
                                           "stream.bybit:stream_duplicate:nth=1"]) as (sim, s):
            b = Binance(sim, s)
            st, lk, _ = await b.call("POST", "/fapi/v1/listenKey", signed=False)
            ws = await s.ws_connect(sim.ws_url + "/ws/" + lk["listenKey"])
            await b.call("POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01")
            first = await asyncio.wait_for(ws.receive_json(), 3)
            assert first["e"] == "ORDER_TRADE_UPDATE"
            expired = await asyncio.wait_for(ws.receive_json(), 3)
            assert expired == {"e": "listenKeyExpired", "E": expired["E"], "listenKey": lk["listenKey"]}
            st, k, _ = await b.call("PUT", "/fapi/v1/listenKey", signed=False)
            assert k["code"] == -1125
            pws = await s.ws_connect(sim.ws_url + "/v5/private")
            await pws.send_json({"op": "auth", "args": bybit_auth_args()})
            await pws.receive_json()
            await pws.send_json({"op": "subscribe", "args": ["order"]})
            await pws.receive_json()
            await Bybit(sim, s).call("POST", "order/create", {"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
                                                              "orderType": "Limit", "qty": "0.01", "price": "40000"})
            m1 = await asyncio.wait_for(pws.receive_json(), 3)
            m2 = await asyncio.wait_for(pws.receive_json(), 3)
            assert m1 == m2 and m1["topic"] == "order"
    run(go())


def test_concurrent_clients_conserve_every_asset():
    async def go():
        accounts = [(f"k{i}", f"s{i}") for i in range(6)]
        async with sim_and_session(accounts=accounts, limits=Limits(spot_orders_10s=10000, usdm_orders_10s=10000,
                                                                     bybit_per_second={"order/create": 1000,
                                                                                       "order/cancel": 1000})) as (sim, s):
            async def trader(i):
                b = Binance(sim, s, key=f"k{i}", secret=f"s{i}")
                y = Bybit(sim, s, key=f"k{i}", secret=f"s{i}")
                for n in range(12):
                    side = "BUY" if (n + i) % 2 else "SELL"
                    await b.call("POST", O, symbol="BTCUSDT", side=side, type="MARKET", quantity="0.03")
                    await b.call("POST", O, symbol="ETHUSDT", side=side, type="LIMIT", timeInForce="GTC",
                                 quantity="0.5", price=str(3000 + (n % 5) - 2))
                    await b.call("POST", "/fapi/v1/order", symbol="BTCUSDT", side=side, type="MARKET", quantity="0.01")
                    await y.call("POST", "order/create", {"category": "linear", "symbol": "ETHUSDT",
                                                          "side": side.capitalize(), "orderType": "Market", "qty": "0.2"})
                    await y.call("POST", "order/create", {"category": "spot", "symbol": "BTCUSDT",
                                                          "side": side.capitalize(), "orderType": "Limit",
                                                          "qty": "0.002", "price": "50000"})
                    if n % 4 == 0:
                        sim.step()
            await asyncio.gather(*(trader(i) for i in range(6)))
            assert sim.core.ledger.fees                      # fees were charged
            assert sim.totals() == sim.initial_totals
            for acct in sim.core.ledger.accounts.values():
                for wallet, assets in acct.wallets.items():
                    for asset, bal in assets.items():
                        assert bal.locked >= 0 and (bal.free >= 0 or wallet != "binance-spot"), (acct.key, asset, bal)
    run(go(), timeout=90)


def test_cli_serves_and_stops_on_sigterm():
    env = dict(os.environ, PYTHONPATH=os.getcwd(), ENGINE_SIM_API_SECRET="S")
    proc = subprocess.Popen([sys.executable, "-m", "engine.sim", "--port", "0", "--api-key", "K",
                             "--balance", "USDT=1000", "--seed", "3", "--price", "BTCUSDT=40000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.split()[-1]

        async def probe():
            async with aiohttp.ClientSession() as s:
                async with s.get(url + "/api/v3/ticker/price?symbol=BTCUSDT") as r:
                    return await r.json()
        assert run(probe())["price"].startswith("4")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_simulator_leaves_the_callers_decimal_context_alone():
    import asyncio
    import decimal

    from engine.sim import SimExchange

    before = decimal.getcontext().prec

    async def main():
        async with SimExchange(seed=1) as sim:
            sim.step(3)
            assert decimal.getcontext().prec == before
            assert sim.totals() == sim.initial_totals

    asyncio.run(main())
    assert decimal.getcontext().prec == before


def test_every_binance_order_window_has_an_option_that_lifts_it():
    """The bench lifts every limit by the options personalities declare (limit_options): USD-M's orders per
    minute and spot's orders per day had none, and a long bench run hit USD-M's 1,200 a minute."""
    from engine.sim.binance.limits import BinanceLimiter
    from engine.sim.ratelimit import limit_options

    limits = Limits()
    for option in limit_options():
        option.apply(limits, 100_000_000)
    for venue in ("spot", "usdm"):
        windows = BinanceLimiter(limits, venue).order_windows()
        assert windows and all(limit == 100_000_000 for _, limit, *_ in windows), (venue, windows)
