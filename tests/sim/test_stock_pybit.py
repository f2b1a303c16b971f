"""Stock pybit (unified_trading.HTTP), pointed at the simulator by its endpoint alone: tickers,
orders, executions and the unified wallet, with the values checked against the simulator's own
books and fee rates.  One simulator for the module."""

from decimal import Decimal

import pytest

unified = pytest.importorskip("pybit.unified_trading")

from tests.support.sim_thread import SimThread  # noqa: E402

pytestmark = pytest.mark.timeout(60)
D = Decimal
KEY, SECRET = "py-key", "py-secret"


@pytest.fixture(scope="module")
def sim():
    with SimThread(seed=23, accounts=[(KEY, SECRET)]) as running:
        yield running


@pytest.fixture(scope="module")
def http(sim):
    session = unified.HTTP(api_key=KEY, api_secret=SECRET)
    session.endpoint = sim.sim.url
    return session


def _top(sim, market, symbol):
    def read(s):
        book = s.core.books[(market, symbol)]
        return book.best("BUY"), book.best("SELL"), s.core.last[(market, symbol)]
    return sim.call(read)


@pytest.mark.parametrize("category, market", [("spot", "yspot"), ("linear", "ylinear")])
def test_tickers_follow_the_book_and_the_trades(sim, http, category, market):
    bid, ask, last = _top(sim, market, "ETHUSDT")
    quiet = http.get_tickers(category=category, symbol="ETHUSDT")["result"]
    assert quiet["category"] == category
    row = quiet["list"][0]
    assert (D(row["bid1Price"]), D(row["ask1Price"]), D(row["lastPrice"])) == (bid, ask, last)
    assert D(row["volume24h"]) == 0 and D(row["prevPrice24h"]) == last and D(row["price24hPcnt"]) == 0

    placed = http.place_order(category=category, symbol="ETHUSDT", side="Buy", orderType="Market", qty="2",
                              **({"marketUnit": "baseCoin"} if category == "spot" else {}))["result"]
    fills = http.get_executions(category=category, orderId=placed["orderId"])["result"]["list"]
    assert sum(D(f["execQty"]) for f in fills) == D("2")
    row = http.get_tickers(category=category, symbol="ETHUSDT")["result"]["list"][0]
    assert D(row["volume24h"]) == D("2")
    assert D(row["turnover24h"]) == sum(D(f["execValue"]) for f in fills)
    assert D(row["lastPrice"]) == max(D(f["execPrice"]) for f in fills) == D(row["highPrice24h"])
    assert D(row["price24hPcnt"]) == ((D(row["lastPrice"]) - D(row["prevPrice24h"])) / D(row["prevPrice24h"])
                                      ).quantize(D("0.0001"))
    if category == "linear":
        assert D(row["markPrice"]) == D(row["indexPrice"]) == sim.call(lambda s: s.price("ETHUSDT"))
        assert D(row["openInterest"]) >= D("2") and D(row["fundingRate"]) == 0
        assert int(row["nextFundingTime"]) % (8 * 3600 * 1000) == 0
    every = http.get_tickers(category=category)["result"]["list"]
    assert {r["symbol"] for r in every} == {"BTCUSDT", "ETHUSDT", "1000SHIBUSDT"}


def test_the_unified_wallet_margins_add_up_and_free_plus_used_is_total(sim, http):
    from engine.sim.bybit.instruments import LINEAR_MAINT_RATE

    http.place_order(category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.050")
    http.place_order(category="linear", symbol="1000SHIBUSDT", side="Buy", orderType="Limit", qty="100000",
                     price="0.010000")
    wallet = http.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
    usdt = next(c for c in wallet["coin"] if c["coin"] == "USDT")
    positions = http.get_positions(category="linear", settleCoin="USDT")["result"]["list"]
    assert {p["symbol"] for p in positions} >= {"BTCUSDT"}
    pos_im = sum(D(p["positionIM"]) for p in positions)
    pos_mm = sum(D(p["positionMM"]) for p in positions)
    assert D(usdt["totalPositionIM"]) == pos_im > 0 and D(usdt["totalPositionMM"]) == pos_mm > 0
    assert D(usdt["totalOrderIM"]) == D("100000") * D("0.01") / 20
    assert D(wallet["totalInitialMargin"]) == pos_im + D(usdt["totalOrderIM"])
    assert D(wallet["totalMaintenanceMargin"]) == pos_mm
    btc = next(p for p in positions if p["symbol"] == "BTCUSDT")
    assert D(btc["positionMM"]) == D(btc["size"]) * D(btc["markPrice"]) * LINEAR_MAINT_RATE
    assert D(wallet["accountIMRate"]) == (D(wallet["totalInitialMargin"]) / D(wallet["totalEquity"])
                                          ).quantize(D("0.0001"))
    # what is available is the equity less every initial margin
    equity = D(usdt["walletBalance"]) + D(usdt["unrealisedPnl"])
    assert D(usdt["equity"]) == equity
    assert D(usdt["availableToWithdraw"]) == equity - D(wallet["totalInitialMargin"])


def test_executions_carry_the_rate_charged_to_the_maker_or_the_taker(sim, http):
    from engine.sim.bybit.instruments import LINEAR_FEES, SPOT_FEES

    taken = http.place_order(category="linear", symbol="ETHUSDT", side="Buy", orderType="Market", qty="0.5")["result"]
    rows = http.get_executions(category="linear", orderId=taken["orderId"])["result"]["list"]
    assert rows and all(r["isMaker"] is False and D(r["feeRate"]) == LINEAR_FEES[1] for r in rows)
    assert all(D(r["execFee"]) == D(r["execValue"]) * LINEAR_FEES[1] for r in rows)
    spot = http.place_order(category="spot", symbol="ETHUSDT", side="Buy", orderType="Market", qty="0.5",
                            marketUnit="baseCoin")["result"]
    rows = http.get_executions(category="spot", orderId=spot["orderId"])["result"]["list"]
    assert all(D(r["feeRate"]) == SPOT_FEES[1] and D(r["execFee"]) == D(r["execQty"]) * SPOT_FEES[1] for r in rows)
    # a resting bid the market falls through is the maker
    bid, _, _ = _top(sim, "ylinear", "BTCUSDT")
    rest = http.place_order(category="linear", symbol="BTCUSDT", side="Buy", orderType="Limit", qty="0.010",
                            price=str(bid - 100))["result"]
    sim.call(lambda s: s.set_price("BTCUSDT", str(bid - 1000)))
    rows = http.get_executions(category="linear", orderId=rest["orderId"])["result"]["list"]
    assert sum(D(r["execQty"]) for r in rows) == D("0.010")
    assert all(r["isMaker"] is True and D(r["feeRate"]) == LINEAR_FEES[0] for r in rows)
    assert all(D(r["execFee"]) == D(r["execValue"]) * LINEAR_FEES[0] for r in rows)


def test_open_orders_by_order_filter(sim, http):
    price = sim.call(lambda s: s.price("1000SHIBUSDT"))
    plain = http.place_order(category="linear", symbol="1000SHIBUSDT", side="Buy", orderType="Limit",
                             qty="1000", price=str(price / 2))["result"]["orderId"]
    stop = http.place_order(category="linear", symbol="1000SHIBUSDT", side="Buy", orderType="Market",
                            qty="1000", triggerPrice=str(price * 2), triggerDirection=1)["result"]["orderId"]

    def listed(**kw):
        rows = http.get_open_orders(category="linear", symbol="1000SHIBUSDT", **kw)["result"]["list"]
        return {r["orderId"] for r in rows}
    assert listed() >= {plain, stop}
    assert plain in listed(orderFilter="Order") and stop not in listed(orderFilter="Order")
    assert listed(orderFilter="StopOrder") == {stop}
    assert listed(orderFilter="tpslOrder") == set()
    with pytest.raises(Exception, match="10001"):
        listed(orderFilter="Everything")
