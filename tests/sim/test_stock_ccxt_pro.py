"""Stock ccxt.pro (binance spot through the WebSocket API's signed subscription, binanceusdm through
its listen key, bybit through its private stream), default options, only its URLs pointed at the
simulator: watch_orders, watch_my_trades and watch_balance see a market order fill, its fee at the
taker rate and the balance it moved.  One simulator for the module."""

import asyncio
from decimal import Decimal

import pytest

pro = pytest.importorskip("ccxt.pro")

from engine.sim.binance.instruments import SPOT_FEES, USDM_FEES  # noqa: E402
from engine.sim.bybit.instruments import LINEAR_FEES  # noqa: E402
from tests.support.sim_thread import SimThread, point_ccxt  # noqa: E402

pytestmark = pytest.mark.timeout(60)
D = Decimal


@pytest.fixture(scope="module")
def sim():
    with SimThread(seed=33, accounts=[("pro-key", "pro-secret")]) as running:
        yield running


async def _until(watch, done, timeout=5.0):
    """Calls ``watch()`` until ``done(result)``; returns that result."""
    async def loop():
        while True:
            got = await watch()
            if done(got):
                return got
    return await asyncio.wait_for(loop(), timeout)


def _num(x) -> Decimal:
    return D(str(x))


async def _watch_a_fill(sim, name, symbol, amount, rate, fee_of, balance_code, balance_check, more=None):
    ex = point_ccxt(getattr(pro, name)({"apiKey": "pro-key", "secret": "pro-secret"}), sim.sim.url)
    try:
        await ex.load_markets()
        before = await ex.fetch_balance()
        orders = asyncio.ensure_future(ex.watch_orders(symbol))
        trades = asyncio.ensure_future(ex.watch_my_trades(symbol))
        balance = asyncio.ensure_future(ex.watch_balance())
        await asyncio.sleep(0.5)                    # the subscriptions are in place
        placed = await ex.create_order(symbol, "market", "buy", amount)
        await asyncio.wait_for(asyncio.gather(orders, trades, balance), 5)
        final = await _until(lambda: ex.watch_orders(symbol),
                             lambda os: any(o["id"] == placed["id"] and o["status"] == "closed" for o in os)) \
            if not any(o["id"] == placed["id"] and o["status"] == "closed" for o in orders.result()) \
            else orders.result()
        order = next(o for o in final if o["id"] == placed["id"])
        assert _num(order["filled"]) == _num(amount)
        mine = [t for t in ex.myTrades if t["order"] == placed["id"]] if ex.myTrades is not None else []
        if sum(_num(t["amount"]) for t in mine) < _num(amount):
            await _until(lambda: ex.watch_my_trades(symbol),
                         lambda ts: sum(_num(t["amount"]) for t in ex.myTrades if t["order"] == placed["id"])
                         >= _num(amount))
            mine = [t for t in ex.myTrades if t["order"] == placed["id"]]
        assert sum(_num(t["amount"]) for t in mine) == _num(amount)
        for t in mine:
            assert _num(t["fee"]["cost"]) == fee_of(t, rate)
        after = await _until(ex.watch_balance, lambda b: balance_check(before, b, mine), 5) \
            if not balance_check(before, balance.result(), mine) else balance.result()
        assert balance_code in after
        if more is not None:
            await more(ex, after)
    finally:
        await ex.close()


def test_binance_spot_streams(sim):
    def fee(t, rate):
        return _num(t["amount"]) * rate                 # a spot buy pays its fee in the asset bought

    def moved(before, now, mine):
        fees = sum(_num(t["fee"]["cost"]) for t in mine)
        return "BTC" in now and _num(now["BTC"]["free"]) == _num(before["BTC"]["free"]) + D("0.01") - fees
    asyncio.run(_watch_a_fill(sim, "binance", "BTC/USDT", 0.01, SPOT_FEES[1], fee, "BTC", moved))


def test_binance_usdm_streams(sim):
    def fee(t, rate):
        return _num(t["cost"]) * rate

    def moved(before, now, mine):
        fees = sum(_num(t["fee"]["cost"]) for t in mine)
        return "USDT" in now and _num(now["USDT"]["total"]) == _num(before["USDT"]["total"]) - fees
    asyncio.run(_watch_a_fill(sim, "binanceusdm", "BTC/USDT:USDT", 0.01, USDM_FEES[1], fee, "USDT", moved))


def test_bybit_streams(sim):
    def fee(t, rate):
        return _num(t["cost"]) * rate

    def moved(before, now, mine):
        return "USDT" in now and _num(now["USDT"]["total"]) != _num(before["USDT"]["total"])

    async def margins(ex, streamed):
        # ccxt.pro reads the unified stream's equity as the total and what is available as free: they
        # differ by the position's initial margin, and the equity is the wallet after the fee plus the PnL
        position = (await ex.fetch_positions(["BTC/USDT:USDT"]))[0]
        usdt = streamed["USDT"]
        assert _num(usdt["total"]) - _num(usdt["free"]) == _num(position["initialMargin"])
        coins = (await ex.fetch_balance())["info"]["result"]["list"][0]["coin"]
        assert _num(usdt["total"]) == _num(next(c for c in coins if c["coin"] == "USDT")["equity"])
    asyncio.run(_watch_a_fill(sim, "bybit", "BTC/USDT:USDT", 0.01, LINEAR_FEES[1], fee, "USDT", moved, margins))
