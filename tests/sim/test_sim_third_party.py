"""A stock third-party client (python-binance), configured only with the simulator's URL
and keys, trades the Binance spot personality.  Skips when python-binance is absent."""

import asyncio
import threading

import pytest

binance_client = pytest.importorskip("binance.client")

from engine.sim import SimExchange  # noqa: E402

pytestmark = pytest.mark.timeout(60)


class _SimThread:
    """Runs SimExchange on its own loop so the blocking client can call it."""

    def __enter__(self):
        self.loop = asyncio.new_event_loop()
        self.sim = SimExchange(seed=5, accounts=[("tp-key", "tp-secret")])
        ready = threading.Event()

        def main():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.sim.start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=main, daemon=True)
        self.thread.start()
        assert ready.wait(10)
        return self.sim

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.sim.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def test_python_binance_against_spot_personality():
    with _SimThread() as sim:
        client = binance_client.Client("tp-key", "tp-secret", ping=False)
        client.API_URL = sim.url + "/api"
        client.ping()
        info = client.get_exchange_info()
        assert {s["symbol"] for s in info["symbols"]} >= {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"}
        assert client.get_symbol_info("BTCUSDT")["filters"][0]["tickSize"] == "0.01000000"
        balances = {b["asset"]: b["free"] for b in client.get_account()["balances"]}
        assert balances["USDT"] == "100000.00000000"
        order = client.create_order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                                    quantity="0.01", price="45000", newClientOrderId="tp-1")
        assert order["status"] == "NEW"
        got = client.get_order(symbol="BTCUSDT", orderId=order["orderId"])
        assert got["clientOrderId"] == "tp-1" and got["status"] == "NEW"
        assert [o["orderId"] for o in client.get_open_orders(symbol="BTCUSDT")] == [order["orderId"]]
        cancelled = client.cancel_order(symbol="BTCUSDT", orderId=order["orderId"])
        assert cancelled["status"] == "CANCELED"
        market = client.order_market_buy(symbol="BTCUSDT", quantity="0.01")
        assert market["status"] == "FILLED" and market["fills"]
        with pytest.raises(binance_client.BinanceAPIException) as err:
            client.cancel_order(symbol="BTCUSDT", orderId=order["orderId"])
        assert err.value.code == -2011
        with pytest.raises(binance_client.BinanceAPIException) as err:
            client.create_order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                                quantity="50", price="45000")
        assert err.value.code == -2010
