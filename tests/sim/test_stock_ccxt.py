"""Stock ccxt (binance, binanceusdm, bybit), sync and async_support, with its default options and
only its URLs pointed at the simulator: markets, currencies, tickers, order books, candles, orders,
trades, balances, positions, leverage and funding, with values checked against the simulator's
own books, fee rates and margins.  One simulator for the module."""

import asyncio
from decimal import Decimal

import pytest

ccxt = pytest.importorskip("ccxt")
import ccxt.async_support as ccxt_async  # noqa: E402

from engine.sim.binance.instruments import SPOT_FEES, USDM_FEES  # noqa: E402
from engine.sim.bybit.instruments import LINEAR_FEES  # noqa: E402
from tests.support.sim_thread import SimThread, point_ccxt  # noqa: E402

pytestmark = pytest.mark.timeout(90)
D = Decimal
ACCOUNTS = {"binance": ("cx-spot", "s1"), "binanceusdm": ("cx-usdm", "s2"), "bybit": ("cx-bybit", "s3"),
            "async": ("cx-async", "s4")}


@pytest.fixture(scope="module")
def sim():
    with SimThread(seed=31, accounts=list(ACCOUNTS.values())) as running:
        yield running


@pytest.fixture(scope="module")
def loaded(sim):
    """``loaded(name, account)``: one sync client per exchange and account, its markets loaded once."""
    cache = {}

    def get(name, account):
        if (name, account) not in cache:
            ex = _client(ccxt, name, sim, account)
            ex.load_markets()
            cache[(name, account)] = ex
        return cache[(name, account)]
    return get


def _client(module, name, sim, account):
    key, secret = ACCOUNTS[account]
    return point_ccxt(getattr(module, name)({"apiKey": key, "secret": secret}), sim.sim.url)


def _top(sim, market, symbol):
    def read(s):
        book = s.core.books[(market, symbol)]
        return book.best("BUY"), book.best("SELL")
    return sim.call(read)


def _num(x) -> Decimal:
    return D(str(x))


def test_binance_spot(sim, loaded):
    ex = loaded("binance", "binance")
    markets = ex.markets
    assert {"BTC/USDT", "ETH/USDT", "BTC/USDT:USDT"} <= set(markets)
    assert _num(markets["BTC/USDT"]["precision"]["price"]) == D("0.01")
    bid, ask = _top(sim, "bspot", "BTCUSDT")
    ticker = ex.fetch_ticker("BTC/USDT")
    assert (_num(ticker["bid"]), _num(ticker["ask"])) == (bid, ask)
    assert ex.fetch_order_book("BTC/USDT")["bids"][0][0] == float(bid)

    resting = ex.create_order("BTC/USDT", "limit", "buy", 0.01, float(bid) - 500)
    assert ex.fetch_order(resting["id"], "BTC/USDT")["status"] == "open"
    usdt = ex.fetch_balance()["USDT"]
    assert _num(usdt["used"]) == D("0.01") * (bid - 500) and _num(usdt["free"]) + _num(usdt["used"]) == \
        _num(usdt["total"])
    ex.cancel_order(resting["id"], "BTC/USDT")
    assert ex.fetch_order(resting["id"], "BTC/USDT")["status"] == "canceled"

    before = ex.fetch_balance()
    bought = ex.create_order("BTC/USDT", "market", "buy", 0.01)
    order = ex.fetch_order(bought["id"], "BTC/USDT")
    assert order["status"] == "closed" and _num(order["filled"]) == D("0.01")
    trades = ex.fetch_my_trades("BTC/USDT")
    mine = [t for t in trades if t["order"] == bought["id"]]
    fee = sum(_num(t["fee"]["cost"]) for t in mine)
    assert fee == D("0.01") * SPOT_FEES[1] and {t["fee"]["currency"] for t in mine} == {"BTC"}
    cost = sum(_num(t["cost"]) for t in mine)
    after = ex.fetch_balance()
    assert _num(after["BTC"]["total"]) == _num(before["BTC"]["total"]) + D("0.01") - fee
    assert _num(after["USDT"]["total"]) == _num(before["USDT"]["total"]) - cost
    candle = ex.fetch_ohlcv("BTC/USDT", "1m")[-1]
    assert _num(candle[5]) >= D("0.01") and candle[4] == mine[-1]["price"]
    assert ex.fetch_currencies()["BTC"]["id"] == "BTC"


def test_binance_usdm(sim, loaded):
    ex = loaded("binanceusdm", "binanceusdm")
    ex.set_leverage(10, "ETH/USDT:USDT")
    bought = ex.create_order("ETH/USDT:USDT", "market", "buy", 2)
    assert ex.fetch_order(bought["id"], "ETH/USDT:USDT")["status"] == "closed"
    trades = [t for t in ex.fetch_my_trades("ETH/USDT:USDT") if t["order"] == bought["id"]]
    assert all(_num(t["fee"]["cost"]) == _num(t["cost"]) * USDM_FEES[1] for t in trades)
    position = next(p for p in ex.fetch_positions() if p["symbol"] == "ETH/USDT:USDT")
    assert _num(position["contracts"]) == 2 and position["side"] == "long" and position["leverage"] == 10
    mark = sim.call(lambda s: s.price("ETHUSDT"))
    assert _num(position["initialMargin"]) == 2 * mark / 10
    usdt = ex.fetch_balance()["USDT"]
    assert _num(usdt["free"]) + _num(usdt["used"]) == _num(usdt["total"])
    assert _num(usdt["used"]) == _num(position["initialMargin"])
    assert ex.fetch_funding_rate("ETH/USDT:USDT")["fundingRate"] == 0
    assert _num(ex.fetch_ticker("ETH/USDT:USDT")["last"]) == _num(trades[-1]["price"])
    assert ex.fetch_ohlcv("ETH/USDT:USDT", "1m")[-1][5] >= 2


def test_bybit(sim, loaded):
    ex = loaded("bybit", "bybit")
    markets = ex.markets
    assert {"BTC/USDT", "BTC/USDT:USDT", "ETH/USDT:USDT"} <= set(markets)
    bid, ask = _top(sim, "ylinear", "BTCUSDT")
    ticker = ex.fetch_ticker("BTC/USDT:USDT")
    assert (_num(ticker["bid"]), _num(ticker["ask"])) == (bid, ask)
    resting = ex.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, float(bid) - 1000)
    assert [o["id"] for o in ex.fetch_open_orders("BTC/USDT:USDT")] == [resting["id"]]
    ex.cancel_order(resting["id"], "BTC/USDT:USDT")
    assert ex.fetch_open_orders("BTC/USDT:USDT") == []
    bought = ex.create_order("BTC/USDT:USDT", "market", "buy", 0.02)
    trades = [t for t in ex.fetch_my_trades("BTC/USDT:USDT") if t["order"] == bought["id"]]
    assert sum(_num(t["amount"]) for t in trades) == D("0.02")
    assert all(_num(t["fee"]["rate"]) == LINEAR_FEES[1] and _num(t["fee"]["cost"]) == _num(t["cost"]) * LINEAR_FEES[1]
               for t in trades)
    position = ex.fetch_positions(["BTC/USDT:USDT"])[0]
    assert _num(position["contracts"]) == D("0.02") and position["side"] == "long"
    usdt = ex.fetch_balance()["USDT"]
    assert _num(usdt["free"]) + _num(usdt["used"]) == _num(usdt["total"])
    assert ex.fetch_ohlcv("BTC/USDT:USDT", "1m")[-1][5] >= 0.02
    assert ex.fetch_funding_rate("BTC/USDT:USDT")["fundingRate"] == 0


def test_async_support_binance_and_bybit(sim):
    async def main():
        binance = _client(ccxt_async, "binance", sim, "async")
        bybit = _client(ccxt_async, "bybit", sim, "async")
        try:
            await asyncio.gather(binance.load_markets(), bybit.load_markets())
            spot = await binance.create_order("ETH/USDT", "market", "sell", 1)
            linear = await bybit.create_order("ETH/USDT:USDT", "market", "sell", 1)
            got = await binance.fetch_order(spot["id"], "ETH/USDT")
            assert got["status"] == "closed" and got["filled"] == 1
            trades = await bybit.fetch_my_trades("ETH/USDT:USDT")
            assert sum(t["amount"] for t in trades if t["order"] == linear["id"]) == 1
            position = (await bybit.fetch_positions(["ETH/USDT:USDT"]))[0]
            assert position["side"] == "short" and position["contracts"] == 1
            balance = await binance.fetch_balance()
            assert balance["ETH"]["total"] == 99 and balance["USDT"]["total"] > 100000
        finally:
            await asyncio.gather(binance.close(), bybit.close())
    asyncio.run(main())


def test_trading_fees_are_the_rates_charged(loaded):
    binance, bybit = loaded("binance", "binance"), loaded("bybit", "bybit")
    spot = binance.fetch_trading_fee("BTC/USDT")
    assert (_num(spot["maker"]), _num(spot["taker"])) == SPOT_FEES
    usdm = binance.fetch_trading_fee("BTC/USDT:USDT")
    assert (_num(usdm["maker"]), _num(usdm["taker"])) == USDM_FEES
    linear = bybit.fetch_trading_fees()["BTC/USDT:USDT"]
    assert (_num(linear["maker"]), _num(linear["taker"])) == LINEAR_FEES
    account = binance.private_get_account()
    assert (_num(account["commissionRates"]["maker"]), _num(account["commissionRates"]["taker"])) == SPOT_FEES


@pytest.mark.parametrize("name, account, symbol", [("binance", "binance", "ETH/USDT"),
                                                   ("binanceusdm", "binanceusdm", "BTC/USDT:USDT"),
                                                   ("bybit", "bybit", "ETH/USDT:USDT"), ("bybit", "bybit", "ETH/USDT")])
def test_public_trades_are_the_simulator_s_own(loaded, name, account, symbol):
    ex = loaded(name, account)
    sold = ex.create_order(symbol, "market", "sell", 0.5)
    mine = [t for t in ex.fetch_my_trades(symbol) if t["order"] == sold["id"]]
    public = ex.fetch_trades(symbol)
    seen = {(t["price"], t["amount"], t["side"]) for t in public}
    assert mine and all((t["price"], t["amount"], "sell") in seen for t in mine)
    assert [t["timestamp"] for t in public] == sorted(t["timestamp"] for t in public)
    if ":" in symbol:
        assert ex.fetch_funding_rate_history(symbol) == []
