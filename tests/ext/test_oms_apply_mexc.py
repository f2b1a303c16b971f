"""RecordApplier on MEXC records: receipts record the venue id only, order pushes move the state (their
fill states wait for the deals), deals are the fills, told apart by trade id."""

import pytest

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._instruments import ContractType, Instruments
from engine._oms_apply import ApplyStatus, OrderEvent, RecordApplier
from engine._order_store import OrderStore
from engine._parse_mexc import MexcParser
from engine._parse_mexc_stream import MexcStreamParser
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.mexc_proto import Wrapper

E8 = 100_000_000


@pytest.fixture
def world():
    reg = Instruments(8)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.0001", min_qty="0.0001")
    store = OrderStore(256, venue="mexc")
    return reg, inst, store, RecordApplier(store, reg, None)


def order(cid, status, order_type=1, oid="C02__1", qty="1", cum="0"):
    w = Wrapper(channel="spot@private.orders.v3.api.pb", symbol="BTCUSDT", sendTime=1)
    o = w.privateOrders
    o.id, o.clientId, o.status, o.orderType, o.tradeType = oid, cid, status, order_type, 1
    o.quantity, o.price, o.cumulativeQuantity = qty, "50000", cum
    return w.SerializeToString()


def deal(cid, trade_id, qty, price="50000", oid="C02__1", fee="0.1"):
    w = Wrapper(channel="spot@private.deals.v3.api.pb", symbol="BTCUSDT", sendTime=2)
    d = w.privateDeals
    d.price, d.quantity, d.amount, d.tradeType, d.tradeId = price, qty, "1", 1, trade_id
    d.clientOrderId, d.orderId, d.feeAmount, d.feeCurrency = cid, oid, fee, "USDT"
    return w.SerializeToString()


def apply(ap, p, frame):
    p.parse(frame)
    assert p.next_record()
    return ap.apply(p, 1)


def test_receipt_then_fills_from_deals_only(world):
    reg, inst, store, ap = world
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    cid = store.client_id(slot)
    answer = MexcParser()
    answer.parse(b'{"symbol":"BTCUSDT","orderId":"C02__1","orderListId":-1,"price":"50000","origQty":"1",'
                 b'"type":"LIMIT","side":"BUY","transactTime":1}')
    assert answer.pair(cid.encode(), b"BTCUSDT", Side.BUY, E8)
    assert ap.apply(answer) == ApplyStatus.AP_DEFERRED and store.find_exchange_id("C02__1") == slot
    assert store.order(slot).state == OrderState.PENDING      # a receipt says nothing of the state

    p = MexcStreamParser()
    assert apply(ap, p, order(cid, 1)) == ApplyStatus.AP_APPLIED and ap.event == OrderEvent.EV_ACCEPTED
    # the order push of a fill comes before its deal (§3's timestamps): it waits for the deal
    assert apply(ap, p, order(cid, 3, cum="0.4")) == ApplyStatus.AP_DEFERRED
    assert apply(ap, p, deal(cid, "T1", "0.4")) == ApplyStatus.AP_APPLIED
    assert ap.event == OrderEvent.EV_PARTIALLY_FILLED and ap.fill_qty_raw == 40_000_000
    assert apply(ap, p, deal(cid, "T1", "0.4")) == ApplyStatus.AP_IGNORED          # the same trade again
    assert apply(ap, p, order(cid, 2, cum="1")) == ApplyStatus.AP_DEFERRED
    assert apply(ap, p, deal(cid, "T2", "0.6", price="50010")) == ApplyStatus.AP_APPLIED
    assert ap.event == OrderEvent.EV_FILLED                  # the store ends it: all of it filled
    o = store.order(slot)
    assert o.state == OrderState.FILLED and o.filled_raw == E8 and o.fee_raw == 20_000_000
    assert o.cum_quote_raw == 40_000_000 * 50_000 + 60_000_000 * 50_010


def test_partially_cancelled_is_terminal_and_keeps_its_fill_whatever_comes_first(world):
    reg, inst, store, ap = world
    p = MexcStreamParser()
    a = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    ca = store.client_id(a)
    apply(ap, p, deal(ca, "A1", "0.3", oid="A"))
    assert apply(ap, p, order(ca, 5, oid="A", cum="0.3")) == ApplyStatus.AP_APPLIED
    assert ap.event == OrderEvent.EV_CANCELLED
    assert store.order(a).state == OrderState.CANCELLED and store.order(a).filled_raw == 30_000_000

    b = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    cb = store.client_id(b)
    assert apply(ap, p, order(cb, 5, oid="B", cum="0.3")) == ApplyStatus.AP_APPLIED   # the cancel first
    assert store.order(b).filled_raw == 0               # its cumulative quantity is not taken as a fill
    assert apply(ap, p, deal(cb, "B1", "0.3", oid="B")) == ApplyStatus.AP_APPLIED     # the deal is kept
    assert store.order(b).state == OrderState.CANCELLED and store.order(b).filled_raw == 30_000_000


def test_an_ioc_the_book_could_not_fill_expires(world):
    reg, inst, store, ap = world
    p = MexcStreamParser()
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.IOC, E8, 50_000 * E8)
    assert apply(ap, p, order(store.client_id(slot), 4, order_type=3)) == ApplyStatus.AP_APPLIED
    assert ap.event == OrderEvent.EV_EXPIRED and store.order(slot).state == OrderState.EXPIRED


def test_records_of_orders_we_do_not_know_are_foreign(world):
    reg, inst, store, ap = world
    p = MexcStreamParser()
    assert apply(ap, p, order("web-1", 1, oid="W")) == ApplyStatus.AP_FOREIGN
    assert apply(ap, p, deal("", "W1", "0.1", oid="W")) == ApplyStatus.AP_FOREIGN


def test_applying_allocates_nothing(world):
    reg, inst, store, ap = world
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 10**12, 50_000 * E8)
    cid = store.client_id(slot)
    p = MexcStreamParser()
    new, fill = order(cid, 1), deal(cid, "T1", "0.0001")
    parse, next_record, apply_ = p.parse, p.next_record, ap.apply

    def call():             # the steady state: a stale acknowledgement and the deal's duplicate
        parse(new)
        next_record()
        apply_(p, 0)
        parse(fill)
        next_record()
        apply_(p, 0)

    assert python_allocations_per_call_bytes(call, iterations=20_000) == 0
    assert allocated_blocks_delta(call, iterations=20_000) == 0
