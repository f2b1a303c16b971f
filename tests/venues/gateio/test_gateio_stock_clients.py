"""Stock clients, unchanged, against the simulator's Gate personality, pointed at it by base URL only: the
official ``gate-api`` SDK (create, get, list, amend, cancel, my trades, accounts) and ccxt's ``gate``
(load_markets with its default options, balance, ticker, order book, orders, my trades)."""

import asyncio

import pytest

from engine.sim import SimExchange
from tests.support.engine_fixtures import KEY, SECRET, run

gate_api = pytest.importorskip("gate_api")
ccxt_async = pytest.importorskip("ccxt.async_support")

pytestmark = pytest.mark.timeout(60)


def test_the_official_gate_api_sdk():
    def trade(host):
        spot = gate_api.SpotApi(gate_api.ApiClient(gate_api.Configuration(host=host, key=KEY, secret=SECRET)))
        created = spot.create_order(gate_api.Order(text="t-sdk1", currency_pair="BTC_USDT", type="limit",
                                                   account="spot", side="buy", amount="0.01", price="49000",
                                                   time_in_force="gtc"))
        assert created.status == "open" and created.text == "t-sdk1" and created.left == "0.01"
        assert spot.get_order(created.id, "BTC_USDT").id == created.id
        assert spot.get_order("t-sdk1", "BTC_USDT").id == created.id
        assert [o.id for o in spot.list_orders("BTC_USDT", "open")] == [created.id]
        amended = spot.amend_order(created.id, gate_api.OrderPatch(price="48000"), currency_pair="BTC_USDT")
        assert amended.price == "48000"
        cancelled = spot.cancel_order(created.id, "BTC_USDT")
        assert cancelled.status == "cancelled" and cancelled.finish_as == "cancelled"
        taker = spot.create_order(gate_api.Order(currency_pair="BTC_USDT", side="sell", amount="0.01",
                                                 price="49000", text="t-sdk2"))
        assert taker.status == "closed" and taker.finish_as == "filled"
        trades = spot.list_my_trades(currency_pair="BTC_USDT")
        assert [t.order_id for t in trades] == [taker.id] and trades[0].role == "taker"
        usdt = [a for a in spot.list_spot_accounts(currency="USDT")]
        assert usdt[0].currency == "USDT" and float(usdt[0].available) > 100000
        with pytest.raises(gate_api.exceptions.GateApiException) as err:
            spot.get_order("t-sdk1", "BTC_USDT")
        assert err.value.label == "CLIENT_ID_NOT_FOUND"

    async def main():
        async with SimExchange(seed=5, accounts=[(KEY, SECRET)]) as sim:
            await asyncio.to_thread(trade, sim.urls["gateio"] + "/api/v4")

    run(main())


def test_ccxt_gate():
    async def main():
        async with SimExchange(seed=5, accounts=[(KEY, SECRET)]) as sim:
            ex = ccxt_async.gate({"apiKey": KEY, "secret": SECRET, "enableRateLimit": False})
            base = sim.urls["gateio"] + "/api/v4"
            for group in ex.urls["api"].values():
                for name in group:
                    group[name] = base
            try:
                markets = await ex.load_markets()
                assert {"BTC/USDT", "ETH/USDT"} <= set(markets)
                assert markets["BTC/USDT"]["precision"]["price"] == 0.01
                balance = await ex.fetch_balance()
                assert balance["USDT"]["free"] == 100000
                ticker = await ex.fetch_ticker("BTC/USDT")
                book = await ex.fetch_order_book("BTC/USDT", 5)
                assert ticker["ask"] == book["asks"][0][0] and book["bids"][0][0] < book["asks"][0][0]
                order = await ex.create_order("BTC/USDT", "limit", "buy", 0.01, 49000)
                assert (await ex.fetch_order(order["id"], "BTC/USDT"))["status"] == "open"
                assert [o["id"] for o in await ex.fetch_open_orders("BTC/USDT")] == [order["id"]]
                assert (await ex.cancel_order(order["id"], "BTC/USDT"))["status"] == "canceled"
                filled = await ex.create_order("BTC/USDT", "limit", "sell", 0.01, 49000)
                assert (await ex.fetch_order(filled["id"], "BTC/USDT"))["status"] == "closed"
                trades = await ex.fetch_my_trades("BTC/USDT")
                assert [t["order"] for t in trades] == [filled["id"]] and trades[0]["amount"] == 0.01
            finally:
                await ex.close()

    run(main())
