"""Gate.io JSON into the neutral records: currency pairs, orders (state from status + finish_as + amounts),
trades, foreign orders and spot.balances."""

import json
from decimal import Decimal

import pytest

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import parse as fp
from engine._instruments import Instruments
from engine._parse_gateio import GateParser
from engine.venues.gateio import decode
from engine.venues.gateio.instruments import load_gateio, step_of
from tests.support import DATA


def load(name):
    return json.loads((DATA / name).read_text())


def test_currency_pairs_give_ticks_steps_and_bounds():
    reg = Instruments(16)
    ids = load_gateio(reg, load("instruments_gateio_currency_pairs.json"))
    assert len(ids) == 3
    btc = reg.rules(reg.id("BTC_USDT"))
    assert btc["tick_raw"] == fp("0.1") and btc["step_raw"] == fp("0.000001") and btc["min_qty_raw"] == fp("0.00001")
    assert btc["max_qty_raw"] == fp("10000") and btc["min_notional_raw"] == fp("3") and btc["trading"]
    assert not reg.rules(reg.id("OLD_USDT"))["trading"]
    assert step_of(0) == "1" and step_of(8) == "1E-8" and step_of(None) == "0"
    with pytest.raises(ValueError, match="8"):
        step_of(9)


def test_a_cancelled_order_keeps_its_fills():
    vo = decode.venue_order(load("gateio_rest_order_cancelled_partial.json"))
    assert vo.state == OrderState.CANCELLED and vo.filled_raw == fp("0.003") and vo.cum_quote_raw == fp("150")
    assert vo.exchange_id == "1852454421" and vo.client_id == "t-part1" and vo.order_type == OrderType.LIMIT
    vo = decode.venue_order(load("gateio_rest_order_poc_cancelled.json"))
    assert vo.order_type == OrderType.LIMIT_MAKER and vo.tif == TimeInForce.POST_ONLY and vo.state == OrderState.CANCELLED


def test_market_buy_quantity_is_what_it_bought():
    row = {"id": "9", "text": "apiv4", "currency_pair": "BTC_USDT", "type": "market", "side": "buy", "amount": "100",
           "status": "closed", "finish_as": "filled", "left": "0", "filled_amount": "0.002", "price": "0"}
    vo = decode.venue_order(row)
    assert vo.qty_raw == fp("0.002") and vo.client_id == "" and vo.state == OrderState.FILLED and vo.price_raw == 0


def test_trades_of_one_order_oldest_first():
    rows = [{"id": "3", "order_id": "7", "amount": "0.1", "price": "50000", "fee": "0.0002", "fee_currency": "BTC",
             "create_time_ms": "1700000000300.5", "text": "t-a"},
            {"id": "1", "order_id": "7", "amount": "0.2", "price": "49999.9", "fee": "0", "fee_currency": "BTC",
             "create_time_ms": "1700000000100.1", "text": "t-a"},
            {"id": "2", "order_id": "8", "amount": "1", "price": "1", "create_time_ms": "1", "text": "t-b"}]
    fills = decode.fills(rows, order_id="7")
    assert [f.exec_id for f in fills] == ["1", "3"] and fills[1].fee_raw == fp("0.0002")
    assert [f.exec_id for f in decode.fills(rows, text="t-b")] == ["2"]


def test_an_order_placed_elsewhere_is_adopted_under_its_venue_id():
    payload = (DATA / "gateio_orders_batch.json").read_bytes()
    p = GateParser()
    p.parse(payload)
    found = []
    while p.next_record():
        fo = decode.foreign_order(p, payload)
        found.append(fo)
    market = found[2]
    assert market.store_client_id == market.exchange_id == "20003" and market.venue_client_id == ""
    assert market.order_type == OrderType.MARKET and market.side == Side.SELL and market.qty_raw == fp("0.003")
    assert found[0].venue_client_id == "t-put1" and found[0].order_type == OrderType.LIMIT_MAKER
    trades = (DATA / "gateio_usertrades.json").read_bytes()
    p.parse(trades)
    assert p.next_record() and decode.foreign_order(p, trades) is None     # its order's record adopts it


class Sink:
    def __init__(self):
        self.balances, self.changes, self.bad = {}, [], []

    def spot_balance(self, asset, free, locked):
        self.balances[asset] = (free, locked)

    def changed(self, assets):
        self.changes.append(assets)

    def unreadable(self, why):
        self.bad.append(why)


def test_spot_balances_reach_the_sink_and_bad_ones_are_told():
    sink, msgs = Sink(), decode.AccountMessages()
    msgs.read((DATA / "balances_gateio_spot.json").read_bytes(), sink)
    assert sink.balances["USDT"] == (fp("9500"), fp("300")) and sink.changes == [["USDT", "BTC"]]
    msgs.read(b'{"channel":"spot.balances","result":[{"currency":', sink)
    assert len(sink.bad) == 1
    many = {"channel": "spot.balances", "result": [{"currency": f"C{i}", "available": "1", "freeze": "0"}
                                                   for i in range(70)]}
    msgs.read(json.dumps(many).encode(), sink)
    assert msgs.general == 1 and len(sink.changes[-1]) == 70 and sink.balances["C69"] == (fp("1"), 0)
    msgs.read((DATA / "gateio_pong.json").read_bytes(), sink)        # not an account message: nothing
    assert len(sink.changes) == 2 and Decimal(sink.balances["BTC"][0]) / 10**8 == Decimal("1.004")
