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


def test_usdm_margins_add_up_to_the_account(sim, client):
    from engine.sim.binance.instruments import USDM_MAINT_RATE

    client.futures_create_order(symbol="ETHUSDT", side="SELL", type="MARKET", quantity="1.500")
    bid = client.futures_create_order(symbol="1000SHIBUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                                      quantity="100000", price="0.010000")
    acct = client.futures_account()
    usdt = next(a for a in acct["assets"] if a["asset"] == "USDT")
    total_im, total_mm = D(acct["totalInitialMargin"]), D(acct["totalMaintMargin"])
    assert total_im == D(acct["totalPositionInitialMargin"]) + D(acct["totalOpenOrderInitialMargin"]) > 0
    # free + used = total, as a client reads them: available + initial margin = wallet + unrealised PnL
    assert D(usdt["availableBalance"]) + D(usdt["initialMargin"]) == D(usdt["marginBalance"])
    assert D(usdt["marginBalance"]) == D(usdt["walletBalance"]) + D(usdt["unrealizedProfit"])
    assert D(usdt["initialMargin"]) == total_im and D(usdt["maintMargin"]) == total_mm
    # the positions' margins are the account's
    rows = acct["positions"]
    assert {r["symbol"] for r in rows} == {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"}
    assert sum(D(r["initialMargin"]) for r in rows) == total_im
    assert sum(D(r["maintMargin"]) for r in rows) == total_mm
    risk = {r["symbol"]: r for r in client.futures_position_information()}
    assert set(risk) == {"BTCUSDT", "ETHUSDT"}                 # positions only
    eth = risk["ETHUSDT"]
    notional = abs(D(eth["notional"]))
    assert D(eth["positionAmt"]) == D("-1.5") and notional == D("1.5") * D(eth["markPrice"])
    assert D(eth["positionInitialMargin"]) == notional / int(eth["leverage"])
    assert D(eth["maintMargin"]) == notional * USDM_MAINT_RATE
    assert sum(D(r["positionInitialMargin"]) for r in risk.values()) == D(acct["totalPositionInitialMargin"])
    order_im = D("100000") * D("0.01") / 20
    assert D(acct["totalOpenOrderInitialMargin"]) == order_im
    brackets = client.futures_leverage_bracket(symbol="ETHUSDT")
    assert D(str(brackets["brackets"][0]["maintMarginRatio"])) == USDM_MAINT_RATE
    client.futures_cancel_order(symbol="1000SHIBUSDT", orderId=bid["orderId"])
    assert D(client.futures_account()["totalOpenOrderInitialMargin"]) == 0


def test_coins_carry_the_spot_wallet_and_margin_products_are_empty(sim, client):
    client.MARGIN_API_URL = sim.sim.url + "/sapi"
    coins = {c["coin"]: c for c in client.get_all_coins_info()}
    balances = {b["asset"]: b for b in client.get_account()["balances"]}
    assert coins and set(coins) <= set(balances)
    for coin, row in coins.items():
        assert (row["free"], row["locked"]) == (balances[coin]["free"], balances[coin]["locked"])
    assert client.get_margin_all_pairs() == [] and client.get_all_isolated_margin_symbols() == []
