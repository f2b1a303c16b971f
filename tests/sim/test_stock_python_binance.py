"""Stock python-binance, pointed at the simulator by its URLs alone, on spot and USD-M: tickers,
order books, orders, trades and balances, with the values checked against the simulator's own
books and fee rates.  One simulator for the module."""

from decimal import Decimal

import pytest

binance_client = pytest.importorskip("binance.client")

from engine.sim.binance.instruments import SPOT_FEES, USDM_FEES  # noqa: E402
from tests.support.sim_thread import SimThread  # noqa: E402

pytestmark = pytest.mark.timeout(60)
D = Decimal
KEY, SECRET = "pb-key", "pb-secret"


@pytest.fixture(scope="module")
def sim():
    with SimThread(seed=21, accounts=[(KEY, SECRET)]) as running:
        yield running


@pytest.fixture(scope="module")
def client(sim):
    c = binance_client.Client(KEY, SECRET, ping=False)
    c.API_URL = sim.sim.url + "/api"
    c.FUTURES_URL = sim.sim.url + "/fapi"
    return c


def _top(sim, market, symbol):
    def read(s):
        book = s.core.books[(market, symbol)]
        return book.depth("BUY", 1)[0], book.depth("SELL", 1)[0], s.core.last[(market, symbol)]
    return sim.call(read)


def test_spot_tickers_follow_the_book_and_the_trades(sim, client):
    (bid, bid_qty), (ask, ask_qty), last = _top(sim, "bspot", "ETHUSDT")
    quiet = client.get_ticker(symbol="ETHUSDT")
    assert (quiet["count"], quiet["firstId"], quiet["lastId"], D(quiet["volume"])) == (0, -1, -1, 0)
    assert D(quiet["lastPrice"]) == D(quiet["openPrice"]) == last
    assert (D(quiet["bidPrice"]), D(quiet["bidQty"]), D(quiet["askPrice"]), D(quiet["askQty"])) == \
        (bid, bid_qty, ask, ask_qty)
    book = client.get_orderbook_ticker(symbol="ETHUSDT")
    assert (D(book["bidPrice"]), D(book["askPrice"])) == (bid, ask)

    bought = client.order_market_buy(symbol="ETHUSDT", quantity="2.5")
    fills = bought["fills"]
    t = client.get_ticker(symbol="ETHUSDT")
    assert t["count"] == len(fills) and t["lastId"] == max(f["tradeId"] for f in fills)
    assert D(t["volume"]) == D("2.5") and D(t["quoteVolume"]) == D(bought["cummulativeQuoteQty"])
    assert D(t["lastPrice"]) == D(fills[-1]["price"]) and D(t["highPrice"]) == max(D(f["price"]) for f in fills)
    assert D(t["priceChange"]) == D(t["lastPrice"]) - D(t["openPrice"])
    assert D(t["weightedAvgPrice"]) == (D(t["quoteVolume"]) / D(t["volume"])).quantize(D("1e-8"))
    mini = client.get_ticker(symbol="ETHUSDT", type="MINI")
    assert "bidPrice" not in mini and mini["count"] == t["count"]
    every = client.get_ticker()
    assert {row["symbol"] for row in every} == {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"}


def test_spot_balances_move_by_the_fill_cost_and_the_taker_fee(sim, client):
    def usdt_btc():
        balances = {b["asset"]: D(b["free"]) for b in client.get_account()["balances"]}
        return balances["USDT"], balances["BTC"]
    usdt, btc = usdt_btc()
    bought = client.order_market_buy(symbol="BTCUSDT", quantity="0.01")
    assert bought["status"] == "FILLED"
    fee = sum(D(f["commission"]) for f in bought["fills"])
    assert fee == D("0.01") * SPOT_FEES[1] and {f["commissionAsset"] for f in bought["fills"]} == {"BTC"}
    assert usdt_btc() == (usdt - D(bought["cummulativeQuoteQty"]), btc + D("0.01") - fee)
    got = client.get_order(symbol="BTCUSDT", orderId=bought["orderId"])
    assert got["status"] == "FILLED" and D(got["executedQty"]) == D("0.01")
    trades = client.get_my_trades(symbol="BTCUSDT", orderId=bought["orderId"])
    assert sum(D(t["commission"]) for t in trades) == fee and not any(t["isMaker"] for t in trades)


def test_usdm_tickers_mark_price_and_trades(sim, client):
    (bid, _), (ask, _), _ = _top(sim, "busdm", "BTCUSDT")
    book = client.futures_orderbook_ticker(symbol="BTCUSDT")
    assert (D(book["bidPrice"]), D(book["askPrice"])) == (bid, ask)
    mark = client.futures_mark_price(symbol="BTCUSDT")
    assert D(mark["markPrice"]) == sim.call(lambda s: s.price("BTCUSDT")) and D(mark["lastFundingRate"]) == 0
    assert mark["nextFundingTime"] % (8 * 3600 * 1000) == 0

    order = client.futures_create_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.004")
    trades = client.futures_account_trades(symbol="BTCUSDT", orderId=order["orderId"])
    assert sum(D(t["qty"]) for t in trades) == D("0.004")
    for t in trades:
        assert D(t["commission"]) == D(t["price"]) * D(t["qty"]) * USDM_FEES[1] and t["maker"] is False
    assert client.futures_get_order(symbol="BTCUSDT", orderId=order["orderId"])["status"] == "FILLED"
    t24 = client.futures_ticker(symbol="BTCUSDT")
    assert t24["count"] == len(trades) and D(t24["volume"]) == D("0.004")
    assert t24["lastId"] == max(t["id"] for t in trades)
    price = client.futures_symbol_ticker(symbol="BTCUSDT")
    assert D(price["price"]) == D(t24["lastPrice"]) == D(trades[-1]["price"])
    assert {row["symbol"] for row in client.futures_ticker()} == {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"}
