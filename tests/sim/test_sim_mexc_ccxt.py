"""A stock client, ccxt's ``mexc`` with its default options, trades the MEXC personality pointed at it by
base URL only (its spot and contract API URLs): load markets (spot exchangeInfo and the futures contract
list), balance, ticker, order book, limit and market orders, fetch and cancel, my trades.

ccxt's client-side throttle (``enableRateLimit``) is off: it only spaces the client's own calls by their
weights (9 of this test's 10 s) and changes nothing that is sent or read."""

import asyncio

import pytest

ccxt = pytest.importorskip("ccxt.async_support")

from engine.sim import SimExchange  # noqa: E402
from engine.sim.mexc.state import state_of  # noqa: E402

pytestmark = pytest.mark.timeout(60)


def test_ccxt_mexc_unchanged_against_the_personality():
    async def main():
        async with SimExchange(seed=5, accounts=[("cx-key", "cx-secret")]) as sim:
            url = sim.urls["mexc"]
            ex = ccxt.mexc({"apiKey": "cx-key", "secret": "cx-secret", "enableRateLimit": False})
            ex.urls["api"]["spot"] = {"public": url, "private": url}
            ex.urls["api"]["contract"] = {"public": f"{url}/api/v1/contract", "private": f"{url}/api/v1/private"}
            try:
                markets = await ex.load_markets()
                assert {"BTC/USDT", "ETH/USDT", "MX/USDT"} <= set(markets)
                assert markets["BTC/USDT"]["precision"]["price"] == 0.01
                balance = await ex.fetch_balance()
                assert balance["USDT"]["free"] == 100000 and balance["MX"]["free"] == 10000
                ticker = await ex.fetch_ticker("BTC/USDT")
                book = await ex.fetch_order_book("BTC/USDT", 5)
                assert book["bids"][0][0] < ticker["last"] < book["asks"][0][0]
                order = await ex.create_order("BTC/USDT", "limit", "buy", 0.001, 45000, {"clientOrderId": "cx-1"})
                got = await ex.fetch_order(order["id"], "BTC/USDT")
                assert got["clientOrderId"] == "cx-1" and got["status"] == "open" and got["price"] == 45000
                assert [o["id"] for o in await ex.fetch_open_orders("BTC/USDT")] == [order["id"]]
                await ex.cancel_order(order["id"], "BTC/USDT")
                assert (await ex.fetch_order(order["id"], "BTC/USDT"))["status"] == "canceled"
                bought = await ex.create_order("BTC/USDT", "market", "buy", 0.002, ticker["last"])
                sold = await ex.create_order("BTC/USDT", "market", "sell", 0.001)
                for o in (bought, sold):
                    assert (await ex.fetch_order(o["id"], "BTC/USDT"))["status"] == "closed"
                trades = await ex.fetch_my_trades("BTC/USDT")
                assert {t["order"] for t in trades} == {bought["id"], sold["id"]}
                assert sim.client_order_count("cx-key", "mexc", "cx-1") == 1
                with pytest.raises(ccxt.BadRequest):         # ccxt reads -2011 "Unknown order sent." so
                    await ex.cancel_order(order["id"], "BTC/USDT")
                with pytest.raises(ccxt.InsufficientFunds):
                    await ex.create_order("BTC/USDT", "limit", "buy", 5, 45000)
                state_of(sim).api_symbols.discard("ETH/USDT".replace("/", ""))
                with pytest.raises(ccxt.BadSymbol):
                    await ex.create_order("ETH/USDT", "limit", "buy", 0.01, 2900)
            finally:
                await ex.close()
    asyncio.run(asyncio.wait_for(main(), 50))
