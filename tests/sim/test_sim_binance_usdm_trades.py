"""Binance USD-M ``GET /fapi/v1/userTrades``: the account's trades from the simulator's own fills,
with the fee the venue charges the maker or the taker and the PnL each trade realised; the
user-data stream's ``rp`` is that same per-trade PnL."""

from decimal import Decimal

from engine.sim.binance.instruments import USDM_FEES
from engine.sim.binance.usdm_events import format_event
from tests.support.sim_fixtures import Binance, run, sim_and_session

MAKER, TAKER = USDM_FEES
D = Decimal


async def _order(b, **params):
    status, body, _ = await b.call("POST", "/fapi/v1/order", symbol="BTCUSDT", **params)
    assert status == 200, body
    return body


async def _trades(b, **params):
    status, body, _ = await b.call("GET", "/fapi/v1/userTrades", symbol="BTCUSDT", **params)
    assert status == 200, body
    return body


def test_user_trades_report_each_fill_with_its_fee_and_realised_pnl():
    async def main():
        async with sim_and_session(seed=11) as (sim, session):
            b = Binance(sim, session)
            events = []
            sim.core.listen("test-key", "binance-usdm", events.append)
            bought = await _order(b, side="BUY", type="MARKET", quantity="0.020", newOrderRespType="RESULT")
            sold = await _order(b, side="SELL", type="MARKET", quantity="0.020", newOrderRespType="RESULT")
            rows = await _trades(b)
            assert [r["orderId"] for r in rows] == sorted(r["orderId"] for r in rows)
            assert {r["orderId"] for r in rows} == {bought["orderId"], sold["orderId"]}
            assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
            buys = [r for r in rows if r["orderId"] == bought["orderId"]]
            sells = [r for r in rows if r["orderId"] == sold["orderId"]]
            for r in rows:
                notional = D(r["price"]) * D(r["qty"])
                assert D(r["quoteQty"]) == notional
                assert D(r["commission"]) == notional * TAKER and r["commissionAsset"] == "USDT"
                assert r["maker"] is False and r["positionSide"] == "BOTH" and r["marginAsset"] == "USDT"
                assert r["buyer"] is (r["side"] == "BUY") and r["symbol"] == "BTCUSDT" and r["time"] > 0
            assert sum(D(r["qty"]) for r in buys) == sum(D(r["qty"]) for r in sells) == D("0.020")
            assert D(bought["cumQuote"]) == sum(D(r["quoteQty"]) for r in buys)
            # opening trades realise nothing; closing ones realise exit value - entry cost, before fees
            assert all(D(r["realizedPnl"]) == 0 for r in buys)
            realised = sum(D(r["realizedPnl"]) for r in sells)
            assert realised == sum(D(r["quoteQty"]) for r in sells) - sum(D(r["quoteQty"]) for r in buys)
            # the user-data stream's rp is each trade's own realised PnL
            pushed = {o["t"]: o["rp"] for ev in events for msg in format_event(ev)
                      if msg["e"] == "ORDER_TRADE_UPDATE" and (o := msg["o"])["x"] == "TRADE"}
            assert pushed == {r["id"]: r["realizedPnl"] for r in rows}
            # the wallet moved by exactly the realised PnL less every commission
            wallet = sim.futures_balance("test-key")[1]
            assert wallet == D("100000") + realised - sum(D(r["commission"]) for r in rows)
            # the filters: one order, from a trade id, the latest ones, a time window
            assert await _trades(b, orderId=sold["orderId"]) == sells
            assert await _trades(b, fromId=sells[0]["id"]) == sells
            assert await _trades(b, fromId=rows[0]["id"], limit=1) == rows[:1]
            assert await _trades(b, limit=1) == rows[-1:]
            assert await _trades(b, startTime=rows[-1]["time"] + 1) == []
            assert await _trades(b, endTime=rows[0]["time"] - 1) == []
            # another account sees none of them
            assert await _trades(Binance(sim, session, "test-key-2", "test-secret-2")) == []
    run(main())


def test_a_resting_order_that_fills_is_the_maker_and_pays_the_maker_rate():
    async def main():
        async with sim_and_session(seed=12) as (sim, session):
            b = Binance(sim, session)
            bid = await _order(b, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.010", price="49000.0")
            sim.set_price("BTCUSDT", "48000")               # the market falls through the bid
            rows = await _trades(b, orderId=bid["orderId"])
            assert sum(D(r["qty"]) for r in rows) == D("0.010")
            for r in rows:
                assert r["maker"] is True and D(r["price"]) == D("49000")
                assert D(r["commission"]) == D(r["quoteQty"]) * MAKER
    run(main())
