"""Binance USD-M: REST (orders, algo orders, positions, listen keys) and the user stream against engine.sim."""

import asyncio
import json

import pytest
import uvloop

from engine.config import VenueConfig
from engine.sim import SimExchange
from engine.venues import errors as E
from engine.venues.binance.rest import BinanceRest
from engine.venues.binance.user_stream import UsdmUserStream

KEY, SECRET = "usdm-it-key", "usdm-it-secret-never-shown"


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


async def until(pred, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def events_of(raw, kind):
    return [d for d in (json.loads(r) for r in raw) if d.get("e") == kind]


def test_rest_orders_algo_positions():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)]) as sim:
            rest = BinanceRest(VenueConfig.local("binance-usdm", sim.url, KEY, SECRET))
            await rest.start()
            try:
                info = await rest.exchange_info()
                assert {s["symbol"] for s in info["symbols"]} >= {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"}
                await rest.set_leverage("BTCUSDT", 10)
                o = await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                            "quantity": "0.010", "price": "30000", "newClientOrderId": "f-1"})
                assert o["status"] == "NEW"
                m = await rest.modify_order({"symbol": "BTCUSDT", "origClientOrderId": "f-1", "side": "BUY",
                                             "quantity": "0.020", "price": "30100"})
                assert m["price"].startswith("30100") and m["origQty"].startswith("0.02")
                with pytest.raises(E.DuplicateClientOrderId):
                    await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                            "quantity": "0.010", "price": "30000", "newClientOrderId": "f-1"})
                with pytest.raises(E.PostOnlyWouldTake):
                    await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTX",
                                            "quantity": "0.010", "price": "99999"})
                with pytest.raises(E.OrderRejected) as err:  # conditional orders moved to the algo endpoint
                    await rest.place_order({"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET",
                                            "quantity": "0.010", "stopPrice": "20000"})
                assert err.value.code == -4120
                a = await rest.place_algo_order({"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET",
                                                 "quantity": "0.010", "triggerPrice": "20000", "clientAlgoId": "algo-1"})
                assert a["clientAlgoId"] == "algo-1"
                assert [x["clientAlgoId"] for x in await rest.open_algo_orders("BTCUSDT")] == ["algo-1"]
                await rest.cancel_algo_order(client_algo_id="algo-1")
                assert await rest.open_algo_orders("BTCUSDT") == []
                await rest.cancel_all("BTCUSDT")
                assert await rest.open_orders("BTCUSDT") == []
                await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.010"})
                pos = await rest.positions("BTCUSDT")
                assert pos[0]["positionAmt"].startswith("0.01")
                assert "USDT" in await rest.balances()
                with pytest.raises(NotImplementedError):
                    await rest.cancel_replace({})
            finally:
                await rest.close()

    run(main())


def test_user_stream_events_and_listen_key_expiry():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)],
                               faults=["stream.binance-usdm:listenkey_expire:nth=2"]) as sim:
            rest = BinanceRest(VenueConfig.local("binance-usdm", sim.url, KEY, SECRET))
            await rest.start()
            raw, reconciled = [], []

            async def on_reconnected():
                reconciled.append(await rest.open_orders("BTCUSDT"))

            stream = UsdmUserStream(rest, raw.append, on_reconnected=on_reconnected)
            await stream.start()
            first_key = stream.listen_key
            try:
                await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                        "quantity": "0.010", "price": "30000", "newClientOrderId": "s-1"})
                await until(lambda: events_of(raw, "ORDER_TRADE_UPDATE"))
                assert events_of(raw, "ORDER_TRADE_UPDATE")[0]["o"]["c"] == "s-1"
                # the second event expires the key: new key, new connection, reconciliation
                await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                        "quantity": "0.010", "price": "30000", "newClientOrderId": "s-2"})
                await until(lambda: reconciled)
                assert stream.expirations == 1 and stream.listen_key != first_key
                assert sorted(o["clientOrderId"] for o in reconciled[0]) == ["s-1", "s-2"]
                await rest.cancel_order("BTCUSDT", client_order_id="s-1")
                await until(lambda: any(e["o"]["X"] == "CANCELED" for e in events_of(raw, "ORDER_TRADE_UPDATE")))
            finally:
                await stream.stop()
                await rest.close()

    run(main())
