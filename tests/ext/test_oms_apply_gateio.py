"""RecordApplier on Gate.io records: the REST answer and the stream's ``put`` counted once, fills only from
``spot.usertrades`` (each once, by trade id, whichever of the stream and reconciliation brings it first)."""

import json

from engine._enums import ExecType, OrderState, OrderType, Side, TimeInForce
from engine._instruments import ContractType, Instruments
from engine._oms_apply import ApplyStatus, OrderEvent, RecordApplier, exec_id_hash
from engine._order_store import OrderStore
from engine._parse_gateio import GateParser
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes

E8 = 100_000_000


def world():
    reg = Instruments(8)
    inst = reg.add("BTC_USDT", "BTC", "USDT", ContractType.SPOT, tick="0.1", step="0.000001")
    store = OrderStore(64, venue="gateio")
    return reg, inst, store, RecordApplier(store, reg)


def order(cid, oid="77", **kw):
    row = {"id": oid, "text": cid, "currency_pair": "BTC_USDT", "type": "limit", "side": "buy", "amount": "0.01",
           "price": "50000", "time_in_force": "gtc", "left": "0.01", "filled_amount": "0", "fee": "0",
           "fee_currency": "BTC", "status": "open", "finish_as": "open"}
    row.update(kw)
    return row


def push(channel, *rows):
    return json.dumps({"time": 1, "time_ms": 1000, "channel": channel, "event": "update", "result": list(rows)}).encode()


def trade(cid, tid, amount, oid="77"):
    return {"id": tid, "order_id": oid, "text": cid, "currency_pair": "BTC_USDT", "side": "buy", "amount": amount,
            "price": "50000", "fee": "0.000001", "fee_currency": "BTC", "role": "maker", "create_time_ms": "1.5"}


def apply_all(ap, p, data):
    out = []
    p.parse(data)
    if not p.next_record():
        return out
    while True:
        out.append((ap.apply(p), ap.event))
        if not p.next_record():
            return out


def test_answer_and_put_count_once_and_fills_come_from_trades():
    reg, inst, store, ap = world()
    p = GateParser()
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 50_000 * E8)
    cid = store.client_id(slot)
    assert apply_all(ap, p, json.dumps(order(cid)).encode()) == [(ApplyStatus.AP_APPLIED, OrderEvent.EV_ACCEPTED)]
    put = order(cid, event="put")
    del put["status"]
    assert apply_all(ap, p, push("spot.orders", put)) == [(ApplyStatus.AP_IGNORED, OrderEvent.EV_NONE)]
    # the order's update carries its cumulative fill: deferred to the trades
    upd = order(cid, event="update", left="0.006", filled_amount="0.004")
    del upd["status"]
    assert apply_all(ap, p, push("spot.orders", upd)) == [(ApplyStatus.AP_DEFERRED, OrderEvent.EV_NONE)]
    assert store.order(slot).filled_raw == 0
    t1 = push("spot.usertrades", trade(cid, 501, "0.004"))
    assert apply_all(ap, p, t1) == [(ApplyStatus.AP_APPLIED, OrderEvent.EV_PARTIALLY_FILLED)]
    assert apply_all(ap, p, t1) == [(ApplyStatus.AP_IGNORED, OrderEvent.EV_NONE)]       # replayed after a restart
    # reconciliation brings the second trade from my_trades (its id a string there); the stream's copy is a duplicate
    res = store.apply(slot, int(ExecType.EXEC_TRADE), int(OrderState.PARTIALLY_FILLED), 600_000, 50_000 * E8, -1,
                      exec_id_hash("502"), 0, -1, 0)
    assert res == 0 and store.order(slot).state == OrderState.FILLED
    assert apply_all(ap, p, push("spot.usertrades", trade(cid, 502, "0.006"))) == \
        [(ApplyStatus.AP_IGNORED, OrderEvent.EV_NONE)]
    fin = order(cid, event="finish", left="0", filled_amount="0.01", finish_as="filled")
    del fin["status"]
    assert apply_all(ap, p, push("spot.orders", fin)) == [(ApplyStatus.AP_DEFERRED, OrderEvent.EV_NONE)]
    assert store.order(slot).filled_raw == E8 // 100 and store.n_duplicates >= 1


def test_ended_answers_with_fills_wait_for_the_stream():
    reg, inst, store, ap = world()
    p = GateParser()
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.IOC, E8 // 100, 50_000 * E8)
    cid = store.client_id(slot)
    partial = order(cid, status="cancelled", finish_as="ioc", left="0.007", filled_amount="0.003")
    assert apply_all(ap, p, json.dumps(partial).encode()) == [(ApplyStatus.AP_DEFERRED, OrderEvent.EV_NONE)]
    assert store.order(slot).state == OrderState.PENDING and store.find_exchange_id("77") == slot
    out = apply_all(ap, p, push("spot.usertrades", trade(cid, 600, "0.003")))
    assert out == [(ApplyStatus.AP_APPLIED, OrderEvent.EV_PARTIALLY_FILLED)]
    fin = order(cid, event="finish", finish_as="ioc", left="0.007", filled_amount="0.003")
    del fin["status"]
    assert apply_all(ap, p, push("spot.orders", fin)) == [(ApplyStatus.AP_APPLIED, OrderEvent.EV_EXPIRED)]
    o = store.order(slot)
    assert o.state == OrderState.EXPIRED and o.filled_raw == 300_000


def test_a_post_only_answer_cancelled_at_once():
    reg, inst, store, ap = world()
    p = GateParser()
    slot = store.create(inst, Side.BUY, OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY, E8 // 100, 52_000 * E8)
    cid = store.client_id(slot)
    poc = order(cid, status="cancelled", finish_as="poc", time_in_force="poc", price="52000")
    assert apply_all(ap, p, json.dumps(poc).encode()) == [(ApplyStatus.AP_APPLIED, OrderEvent.EV_CANCELLED)]


def test_applying_a_trade_push_allocates_nothing():
    reg, inst, store, ap = world()
    p = GateParser()
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    data = push("spot.usertrades", trade(store.client_id(slot), 700, "0.001"))
    parse, next_record, apply = p.parse, p.next_record, ap.apply

    def call():
        parse(data)
        while next_record():
            apply(p)

    assert python_allocations_per_call_bytes(call, 20_000) == 0
    assert allocated_blocks_delta(call, 20_000) == 0
