"""TopstepX personality: the wire forms the sheet marks unconfirmed, each switchable on the state (tick bars,
StopLimit orders, whole quotes instead of deltas, one market item per event instead of arrays)."""

import asyncio
import json

import aiohttp

from tests.sim.test_sim_topstepx import FAR, MNQ, on_sim


def test_tick_bars_and_stop_limit_orders_are_switches():
    async def test(sim, gw):
        st = sim.state["topstepx"]
        for price in ("21000.25", "21001.5", "21002"):
            await gw.place(type=2, limitPrice=None)
            sim.set_price("NQ", price)
        bars = {"contractId": MNQ, "live": False, "startTime": FAR, "endTime": "2100-01-01T00:00:00+00:00",
                "unit": 7, "unitNumber": 2, "limit": 10, "includePartialBar": True}
        assert (await gw.post("/api/History/retrieveBars", bars))["errorCode"] == 2      # off: UnitInvalid
        st.tick_bars = True
        got = (await gw.post("/api/History/retrieveBars", bars))["bars"]
        assert sum(b["v"] for b in got) == 3 and [b["v"] for b in got] == [1, 2]          # newest first
        stop_limit = {"type": 3, "side": 1, "limitPrice": 20000, "stopPrice": 20000.25}
        assert (await gw.place(**stop_limit))["success"]
        st.stop_limit = False
        doc = await gw.place(**stop_limit)
        assert doc["errorCode"] == 2 and doc["errorMessage"] == "Invalid order type."
    on_sim(test)


def test_whole_quotes_and_single_market_items_are_switches():
    async def test(sim, gw):
        st = sim.state["topstepx"]

        async def records(ws, want, seconds=0.3):
            """Every ``want`` event the hub sends within ``seconds``."""
            out, loop = [], asyncio.get_running_loop()
            end = loop.time() + seconds
            while (left := end - loop.time()) > 0:
                try:
                    msg = await asyncio.wait_for(ws.receive(), left)
                except asyncio.TimeoutError:
                    break
                out += [r for r in (json.loads(t) for t in msg.data.split("\x1e") if t) if r.get("target") == want]
            return [r["arguments"] for r in out]

        async with aiohttp.ClientSession() as s, s.ws_connect(f"{gw.url}/hubs/market?access_token={gw.token}") as ws:
            await ws.send_str('{"protocol":"json","version":1}\x1e')
            await ws.receive()
            for i, target in enumerate(("SubscribeContractQuotes", "SubscribeContractTrades")):
                await ws.send_str(json.dumps({"type": 1, "invocationId": str(i), "target": target,
                                              "arguments": [MNQ]}) + "\x1e")
            done = 0
            while done < 2:                                       # both completions: subscribed
                msg = await asyncio.wait_for(ws.receive(), 5)
                done += sum(1 for t in msg.data.split("\x1e") if t and json.loads(t).get("type") == 3)
            sim.set_price("NQ", "21010")
            first, *deltas = await records(ws, "GatewayQuote")
            sim.set_price("NQ", "21020")
            deltas += await records(ws, "GatewayQuote")
            assert "symbolName" in first[1] and deltas and not any("symbolName" in q[1] for q in deltas)
            st.quote_deltas = False
            sim.set_price("NQ", "21030")
            whole = await records(ws, "GatewayQuote")
            assert whole and all({"symbol", "symbolName", "bestBid", "bestAsk", "timestamp"} <= set(q[1])
                                 for q in whole)
            await gw.place(type=2, limitPrice=None)
            trades = await records(ws, "GatewayTrade")
            assert trades and all(cid == MNQ and isinstance(items, list) for cid, items in trades)
            st.market_arrays = False
            await gw.place(type=2, limitPrice=None)
            trades = await records(ws, "GatewayTrade")
            assert trades and all(cid == MNQ and isinstance(item, dict) for cid, item in trades)
    on_sim(test)
