"""RecordApplier: parsed venue records into the order store and positions, in C, with no allocation."""

import json

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._instruments import ContractType, Instruments
from engine._oms_apply import ApplyStatus, OrderEvent, RecordApplier
from engine._order_store import OrderStore
from engine._parse_binance import BinanceParser
from engine._parse_bybit import BybitParser
from engine._positions import PositionBook

E8 = 100_000_000


@pytest.fixture
def world():
    reg = Instruments(16)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.LINEAR_PERPETUAL, tick="0.1", step="0.001",
                   min_qty="0.001", max_qty="1000")
    reg.asset_id("BNB")
    store = OrderStore(1024, venue="binance-usdm")
    book = PositionBook(16)
    return reg, inst, store, book


def otu(cid, x, X, l="0", L="0", z="0", t=0, n="0", N="USDT", i=8886774, q="0.010", p="60000"):
    o = {"s": "BTCUSDT", "c": cid, "S": "BUY", "o": "LIMIT", "f": "GTC", "q": q, "p": p, "ap": "0", "sp": "0",
         "x": x, "X": X, "i": i, "l": l, "z": z, "L": L, "n": n, "N": N, "T": 1700000000000, "t": t,
         "b": "0", "a": "0", "m": False, "R": False, "wt": "CONTRACT_PRICE", "ot": "LIMIT", "ps": "BOTH",
         "cp": False, "rp": "0", "pP": False, "si": 0, "ss": 0, "V": "NONE", "pm": "NONE", "gtd": 0}
    return json.dumps({"e": "ORDER_TRADE_UPDATE", "E": 1700000000001, "T": 1700000000000, "o": o}).encode()


def acknowledged(store, inst, ap, p, order_id=8886774, ts=1):
    """A 0.01 BTC limit buy at 60,000, its NEW report applied: ``(slot, client id)``."""
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 60_000 * E8)
    cid = store.client_id(slot)
    p.parse(otu(cid, "NEW", "NEW", i=order_id))
    ap.apply(p, ts)
    return slot, cid


def test_a_fill_beyond_the_held_quantity_takes_the_venues_quantity_never_refused(world):
    """An amendment whose answer and stream word were lost (the order grew at the venue): its fills, which the
    records state within the venue's quantity, are applied whole; a fill beyond what the record states is not."""
    reg, inst, store, book = world
    ap = RecordApplier(store, reg, book)
    p = BinanceParser(futures=True)
    slot, cid = acknowledged(store, inst, ap, p)
    p.parse(otu(cid, "TRADE", "PARTIALLY_FILLED", l="0.015", L="60000", z="0.015", t=11, q="0.020"))
    assert ap.apply(p, 2) == ApplyStatus.AP_APPLIED and ap.fill_qty_raw == 1_500_000
    assert store.order(slot).qty_raw == 2_000_000 and store.order(slot).filled_raw == 1_500_000
    p.parse(otu(cid, "TRADE", "FILLED", l="0.005", L="60000", z="0.020", t=12, q="0.020"))
    assert ap.apply(p, 3) == ApplyStatus.AP_APPLIED and store.order(slot).state == OrderState.FILLED
    assert book.get(inst)["size_raw"] == 2_000_000
    assert ap.counters()["resized"] == 1 and ap.counters()["refused"] == 0

    third, third_cid = acknowledged(store, inst, ap, p, 8886776, 4)
    p.parse(otu(third_cid, "TRADE", "PARTIALLY_FILLED", l="0.010", L="60000", z="0.010", t=14,
                q="0.020", i=8886776))             # all it holds, yet the venue says some is left: not ended
    assert ap.apply(p, 5) == ApplyStatus.AP_APPLIED
    assert store.order(third).state == OrderState.PARTIALLY_FILLED and store.order(third).qty_raw == 2_000_000
    assert ap.counters()["resized"] == 2

    other, other_cid = acknowledged(store, inst, ap, p, 8886775, 4)
    p.parse(otu(other_cid, "TRADE", "FILLED", l="0.030", L="60000", z="0.030", t=13, q="0.020",
                i=8886775))                           # more than even the record's own quantity: refused
    assert ap.apply(p, 5) != ApplyStatus.AP_APPLIED and store.order(other).filled_raw == 0
    assert ap.counters()["resized"] == 2


def test_lifecycle_fills_positions_and_duplicates(world):
    reg, inst, store, book = world
    ap = RecordApplier(store, reg, book)
    p = BinanceParser(futures=True)
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 60_000 * E8)
    cid = store.client_id(slot)

    p.parse(otu(cid, "NEW", "NEW"))
    assert ap.apply(p, 1) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_ACCEPTED
    assert ap.slot == slot and store.find_exchange_id(8886774) == slot

    p.parse(otu(cid, "TRADE", "PARTIALLY_FILLED", l="0.004", L="60000", z="0.004", t=11, n="0.1", N="USDT"))
    assert ap.apply(p, 2) == ApplyStatus.AP_APPLIED
    assert ap.event == OrderEvent.EV_PARTIALLY_FILLED and ap.fill_qty_raw == 400_000
    assert book.get(inst)["size_raw"] == 400_000

    # the same trade again, and a stale NEW: nothing changes
    assert ap.apply(p, 3) == ApplyStatus.AP_IGNORED
    p.parse(otu(cid, "NEW", "NEW"))
    assert ap.apply(p, 4) == ApplyStatus.AP_IGNORED
    assert book.get(inst)["size_raw"] == 400_000

    p.parse(otu(cid, "TRADE", "FILLED", l="0.006", L="60010", z="0.010", t=12, n="0.0005", N="BNB"))
    assert ap.apply(p, 5) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_FILLED
    o = store.order(slot)
    assert o.state == OrderState.FILLED and o.filled_raw == E8 // 100
    pos = book.get(inst)
    assert pos["size_raw"] == E8 // 100
    assert pos["entry_raw"] == (400_000 * 60_000 * E8 + 600_000 * 60_010 * E8) // (E8 // 100)
    assert ap.counters() == {"applied": 3, "ignored": 2, "foreign": 0, "refused": 0, "position_errors": 0,
                              "conflicts": 0, "resized": 0, "short": 0}


def test_fill_before_ack_and_foreign_orders(world):
    reg, inst, store, book = world
    ap = RecordApplier(store, reg, book)
    p = BinanceParser(futures=True)
    slot = store.create(inst, Side.BUY, OrderType.MARKET, TimeInForce.TIF_NONE, E8 // 100)
    cid = store.client_id(slot)
    p.parse(otu(cid, "TRADE", "FILLED", l="0.010", L="60000", z="0.010", t=5, q="0.010", p="0"))
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_FILLED
    p.parse(otu(cid, "NEW", "NEW", q="0.010", p="0"))  # the acknowledgement arrives late
    assert ap.apply(p) == ApplyStatus.AP_IGNORED
    p.parse(otu("someone-elses-order", "NEW", "NEW", i=1))
    assert ap.apply(p) == ApplyStatus.AP_FOREIGN and ap.counters()["foreign"] == 1
    p.parse(json.dumps({"e": "ACCOUNT_UPDATE", "E": 1, "T": 1, "a": {"m": "ORDER", "B": [], "P": []}}).encode())
    assert ap.apply(p) == ApplyStatus.AP_NOT_ORDER


def test_spot_cancel_found_by_original_client_id():
    reg = Instruments(4)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.00001")
    store = OrderStore(64, venue="binance-spot")
    ap = RecordApplier(store, reg, None)
    slot = store.create(inst, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, E8, 70_000 * E8)
    cid = store.client_id(slot)
    ev = {"e": "executionReport", "E": 1, "s": "BTCUSDT", "c": "cancel-req-1", "S": "SELL", "o": "LIMIT",
          "f": "GTC", "q": "1.00000000", "p": "70000.00", "P": "0.00", "F": "0.00", "g": -1, "C": cid,
          "x": "CANCELED", "X": "CANCELED", "r": "NONE", "i": 42, "l": "0", "z": "0", "L": "0", "n": "0",
          "N": None, "T": 2, "t": -1, "I": 9, "w": False, "m": False, "M": False, "O": 1, "Z": "0", "Y": "0",
          "Q": "0"}
    p = BinanceParser()
    p.parse(json.dumps({"subscriptionId": 0, "event": ev}).encode())
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_CANCELLED
    assert store.order(slot).state == OrderState.CANCELLED


def bybit_push(topic, items):
    return json.dumps({"id": "x", "topic": topic, "creationTime": 1700000000000, "data": items}).encode()


def bybit_sell(world):
    """A Bybit store, applier and parser, and a resting SELL 0.02 at 61,000 in it: (store, ap, p, slot, cid)."""
    reg, inst, _, book = world
    store = OrderStore(64, venue="bybit")
    slot = store.create(inst, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, E8 // 50, 61_000 * E8)
    return store, RecordApplier(store, reg, book), BybitParser(), slot, store.client_id(slot)


def test_bybit_order_states_and_execution_fills(world):
    _, inst, _, book = world
    store, ap, p, slot, cid = bybit_sell(world)
    order = {"category": "linear", "symbol": "BTCUSDT", "orderId": "1b2c-uuid", "orderLinkId": cid, "side": "Sell",
             "orderType": "Limit", "price": "61000", "qty": "0.02", "timeInForce": "GTC", "orderStatus": "New",
             "cumExecQty": "0", "cumExecValue": "0", "cumExecFee": "0", "avgPrice": "", "leavesQty": "0.02",
             "positionIdx": 0, "reduceOnly": False, "rejectReason": "EC_NoError", "createdTime": "1",
             "updatedTime": "1"}
    p.parse(bybit_push("order", [order]))
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_ACCEPTED
    assert store.find_exchange_id("1b2c-uuid") == slot
    # an amendment shows up as a New order with a new price
    p.parse(bybit_push("order", [{**order, "price": "61100"}]))
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_AMENDED
    assert store.order(slot).price_raw == 61_100 * E8
    execution = {"category": "linear", "symbol": "BTCUSDT", "orderId": "1b2c-uuid", "orderLinkId": cid,
                 "side": "Sell", "orderPrice": "61100", "orderQty": "0.02", "leavesQty": "0.01", "execFee": "0.5",
                 "execId": "e-1", "execPrice": "61100", "execQty": "0.01", "execType": "Trade", "execValue": "611",
                 "execTime": "2", "isMaker": True, "feeRate": "0.0002", "feeCurrency": "USDT"}
    p.parse(bybit_push("execution", [execution, {**execution, "execId": "e-2", "leavesQty": "0"}]))
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_APPLIED
    assert ap.event == OrderEvent.EV_PARTIALLY_FILLED
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_FILLED
    assert not p.next_record()
    # the order topic's Filled state is deferred to executions: counted once
    p.parse(bybit_push("order", [{**order, "orderStatus": "Filled", "cumExecQty": "0.02", "leavesQty": "0"}]))
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_DEFERRED
    # the same execution replayed is a duplicate
    p.parse(bybit_push("execution", [execution]))
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_IGNORED
    assert store.order(slot).filled_raw == E8 // 50
    assert book.get(inst)["size_raw"] == -(E8 // 50)


def test_a_last_bybit_fill_with_an_earlier_one_missing_leaves_the_order_open_and_says_so(world):
    """The venue's last execution (nothing left) arrives, the one before it lost or late: the fills we hold fall
    short of the order, so it is not ended (``short``: the caller asks the venue); the late one then completes it."""
    _, inst, _, book = world
    store, ap, p, slot, cid = bybit_sell(world)
    execution = {"category": "linear", "symbol": "BTCUSDT", "orderId": "9f-uuid", "orderLinkId": cid,
                 "side": "Sell", "orderPrice": "61000", "orderQty": "0.02", "leavesQty": "0", "execFee": "0.5",
                 "execId": "e-2", "execPrice": "61000", "execQty": "0.01", "execType": "Trade", "execValue": "610",
                 "execTime": "2", "isMaker": True, "feeRate": "0.0002", "feeCurrency": "USDT"}
    p.parse(bybit_push("execution", [execution]))
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_APPLIED and ap.short
    o = store.order(slot)
    assert (o.state, o.filled_raw) == (OrderState.PARTIALLY_FILLED, E8 // 100)
    p.parse(bybit_push("execution", [{**execution, "execId": "e-1", "leavesQty": "0.01"}]))   # the late one
    assert p.next_record() and ap.apply(p) == ApplyStatus.AP_APPLIED and not ap.short
    o = store.order(slot)
    assert (o.state, o.filled_raw) == (OrderState.FILLED, E8 // 50)
    assert ap.counters()["short"] == 1 and book.get(inst)["size_raw"] == -(E8 // 50)


def test_a_cancel_answer_saying_more_filled_than_we_hold_says_so(world):
    """A cancel's answer ends the order (its fills come by the stream); when it says more was filled than we hold,
    a fill is lost or late on the stream: ``short``, so the caller asks the venue for the order."""
    reg, inst, store, book = world
    ap = RecordApplier(store, reg, book)
    p = BinanceParser(futures=True)
    slot, cid = acknowledged(store, inst, ap, p)
    answer = {"clientOrderId": cid, "cumQty": "0.004", "cumQuote": "240", "executedQty": "0.004", "orderId": 8886774,
              "origQty": "0.010", "price": "60000", "reduceOnly": False, "side": "BUY", "positionSide": "BOTH",
              "status": "CANCELED", "stopPrice": "0", "symbol": "BTCUSDT", "timeInForce": "GTC", "type": "LIMIT",
              "updateTime": 1700000000000}
    p.parse(json.dumps(answer).encode())
    assert ap.apply(p, 2) == ApplyStatus.AP_APPLIED and ap.short
    assert store.order(slot).state == OrderState.CANCELLED and store.order(slot).filled_raw == 0
    other, other_cid = acknowledged(store, inst, ap, p, 8886779, 3)
    p.parse(json.dumps({**answer, "clientOrderId": other_cid, "orderId": 8886779, "cumQty": "0",
                        "executedQty": "0", "cumQuote": "0"}).encode())
    assert ap.apply(p, 4) == ApplyStatus.AP_APPLIED and not ap.short          # nothing filled: nothing missing
    assert ap.counters()["short"] == 1


def test_applying_allocates_nothing(world):
    reg, inst, store, book = world
    ap = RecordApplier(store, reg, book)
    p = BinanceParser(futures=True)
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 60_000 * E8)
    cid = store.client_id(slot)
    p.parse(otu(cid, "NEW", "NEW"))
    ap.apply(p)
    msg = otu(cid, "TRADE", "PARTIALLY_FILLED", l="0.001", L="60000", z="0.001", t=77)
    parse, apply = p.parse, ap.apply

    def parse_and_apply():  # the trade repeats: the steady state is its duplicate path
        parse(msg)
        apply(p)

    assert python_allocations_per_call_bytes(parse_and_apply) == 0
    assert allocated_blocks_delta(parse_and_apply) == 0


def spot_world():
    reg = Instruments(4)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.00001")
    store = OrderStore(64, venue="binance-spot")
    return reg, inst, store, RecordApplier(store, reg, None)


def full_response(cid, status, fills, executed="0.01"):
    return json.dumps({"symbol": "BTCUSDT", "orderId": 77, "orderListId": -1, "clientOrderId": cid,
                       "transactTime": 1, "price": "0.00000000", "origQty": "0.01000000",
                       "executedQty": executed, "origQuoteOrderQty": "0", "cummulativeQuoteQty": "600",
                       "status": status, "timeInForce": "GTC", "type": "MARKET", "side": "BUY", "workingTime": 1,
                       "selfTradePreventionMode": "NONE", "fills": fills}).encode()


def test_rest_answers_single_fill_applies_many_fills_wait_for_stream():
    reg, inst, store, ap = spot_world()
    p = BinanceParser()
    one = store.create(inst, Side.BUY, OrderType.MARKET, TimeInForce.TIF_NONE, E8 // 100)
    p.parse(full_response(store.client_id(one), "FILLED",
                          [{"price": "60000.00", "qty": "0.01", "commission": "0.00001", "commissionAsset": "BTC",
                            "tradeId": 5}]))
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_FILLED
    assert store.order(one).filled_raw == E8 // 100 and store.find_exchange_id(77) == one
    many = store.create(inst, Side.BUY, OrderType.MARKET, TimeInForce.TIF_NONE, E8 // 100)
    fills = [{"price": "60000.00", "qty": "0.005", "commission": "0", "commissionAsset": "BTC", "tradeId": 6},
             {"price": "60001.00", "qty": "0.005", "commission": "0", "commissionAsset": "BTC", "tradeId": 7}]
    p.parse(full_response(store.client_id(many), "FILLED", fills).replace(b'"orderId": 77', b'"orderId": 78'))
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_ACCEPTED
    o = store.order(many)
    assert o.state == OrderState.NEW and o.filled_raw == 0  # each fill comes, priced, on the stream
    ack = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.IOC, E8 // 100, 50_000 * E8)
    p.parse(full_response(store.client_id(ack), "EXPIRED", [], executed="0").replace(b'"orderId": 77',
                                                                                   b'"orderId": 79'))
    assert ap.apply(p) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_EXPIRED


def test_bybit_ack_only_records_the_exchange_id(world):
    reg, inst, _, book = world
    store = OrderStore(64, venue="bybit")
    ap = RecordApplier(store, reg, book)
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 60_000 * E8)
    p = BybitParser()
    p.parse(json.dumps({"retCode": 0, "retMsg": "OK", "result": {"orderId": "uuid-1",
                                                               "orderLinkId": store.client_id(slot)},
                        "retExtInfo": {}, "time": 1}).encode())
    assert ap.apply(p) == ApplyStatus.AP_DEFERRED
    assert store.find_exchange_id("uuid-1") == slot and store.order(slot).state == OrderState.PENDING
