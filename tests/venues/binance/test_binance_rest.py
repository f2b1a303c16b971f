"""BinanceRest (spot) against engine.sim over real loopback sockets."""

import asyncio
import logging

import pytest
import uvloop

from engine.config import VenueConfig
from engine.sim import SimExchange
from engine.venues import errors as E
from engine.venues.binance.rest import BinanceRest

KEY, SECRET = "it-key-0001", "it-secret-value-never-shown-0001"


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


async def spot(sim, **settings):
    rest = BinanceRest(VenueConfig.local("binance-spot", sim.url, KEY, SECRET, **settings))
    await rest.start()
    return rest


def test_metadata_clock_and_balances():
    async def main():
        async with SimExchange(seed=3, accounts=[(KEY, SECRET)]) as sim:
            rest = await spot(sim)
            try:
                assert abs(rest.clock.offset_ms) < 1000 and rest.clock.syncs == 1
                info = await rest.exchange_info()
                assert {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"} <= {s["symbol"] for s in info["symbols"]}
                assert {w.name for w in rest.limiter.weight} == {"weight-1m"}
                assert rest.limiter.weight[0].used > 0  # synced from X-MBX-USED-WEIGHT-1M
                bal = await rest.balances()
                assert bal["USDT"][0].startswith("100000")
            finally:
                await rest.close()

    run(main())


def test_order_lifecycle_and_typed_errors():
    async def main():
        async with SimExchange(seed=3, accounts=[(KEY, SECRET)]) as sim:
            rest = await spot(sim)
            try:
                o = await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                            "quantity": "0.01", "price": "30000", "newClientOrderId": "it-1"})
                assert o["status"] == "NEW" and o["clientOrderId"] == "it-1"
                q = await rest.get_order("BTCUSDT", client_order_id="it-1")
                assert q["orderId"] == o["orderId"]
                assert [x["clientOrderId"] for x in await rest.open_orders("BTCUSDT")] == ["it-1"]
                with pytest.raises(E.DuplicateClientOrderId):
                    await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                            "quantity": "0.01", "price": "30000", "newClientOrderId": "it-1"})
                c = await rest.cancel_order("BTCUSDT", order_id=o["orderId"])
                assert c["status"] == "CANCELED" and c["origClientOrderId"] == "it-1"
                with pytest.raises(E.UnknownOrder):
                    await rest.cancel_order("BTCUSDT", client_order_id="it-1")
                with pytest.raises(E.UnknownOrder):
                    await rest.get_order("BTCUSDT", client_order_id="never-placed")
                with pytest.raises(E.InsufficientFunds):
                    await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                            "quantity": "100", "price": "30000"})
                with pytest.raises(E.OrderRejected):
                    await rest.place_order({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                            "quantity": "0.0100001", "price": "30000"})
                with pytest.raises(ValueError):
                    await rest.cancel_order("BTCUSDT")
                with pytest.raises(TypeError):
                    await rest.place_order({"symbol": "BTCUSDT", "quantity": 0.1})
            finally:
                await rest.close()

    run(main())


def test_cancel_all_and_history():
    async def main():
        async with SimExchange(seed=3, accounts=[(KEY, SECRET)]) as sim:
            rest = await spot(sim)
            try:
                for i in range(3):
                    await rest.place_order({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                            "quantity": "0.1", "price": "1000", "newClientOrderId": f"ca-{i}"})
                cancelled = await rest.cancel_all("ETHUSDT")
                assert sorted(x["origClientOrderId"] for x in cancelled) == ["ca-0", "ca-1", "ca-2"]
                assert await rest.open_orders("ETHUSDT") == []
                hist = await rest.all_orders("ETHUSDT")
                assert {x["status"] for x in hist} == {"CANCELED"} and len(hist) == 3
            finally:
                await rest.close()

    run(main())


def test_wrong_secret_is_an_authentication_error_and_never_logged(caplog):
    async def main():
        async with SimExchange(seed=3, accounts=[(KEY, SECRET)]) as sim:
            rest = BinanceRest(VenueConfig.local("binance-spot", sim.url, KEY, "wrong-secret-xyz"))
            await rest.start()
            try:
                with pytest.raises(E.AuthenticationError) as err:
                    await rest.balances()
                assert err.value.code == -1022
            finally:
                await rest.close()

    with caplog.at_level(logging.DEBUG):
        run(main())
    assert "wrong-secret-xyz" not in caplog.text and SECRET not in caplog.text


def test_clock_skew_is_resynced_and_retried_once():
    async def main():
        async with SimExchange(seed=3, accounts=[(KEY, SECRET)]) as sim:
            rest = await spot(sim)
            try:
                rest.clock.offset_ms -= 120_000  # our idea of the venue's clock is 2 minutes behind
                bal = await rest.balances()      # -1021, resync, retry: succeeds
                assert "USDT" in bal and rest.clock.syncs == 2 and abs(rest.clock.offset_ms) < 1000
            finally:
                await rest.close()

    run(main())
