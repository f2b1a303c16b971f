"""The compiled order view: a snapshot of one store slot, Decimals built on first read, dataclass semantics."""

import json
import pickle
from decimal import Decimal

import pytest

from tests.support.alloc import allocated_blocks_delta
from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._instruments import ContractType, Instruments
from engine._oms_apply import RecordApplier
from engine._order_store import OrderStore, OrderStoreError
from engine._order_view import Order, order_of_raws, order_view
from engine._parse_binance import BinanceParser

E8 = 100_000_000


@pytest.fixture
def world():
    reg = Instruments(8)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.00001", min_qty="0.00001",
                   max_qty="9000")
    reg.asset_id("BNB")
    return reg, inst, OrderStore(64, venue="binance-spot")


def report(cid, x, X, l="0", L="0", z="0", Z="0", t=-1, n="0", N=None, q="0.30000000", p="60000.00000000"):
    return json.dumps({"e": "executionReport", "E": 1, "s": "BTCUSDT", "c": cid, "S": "SELL", "o": "LIMIT",
                       "f": "GTC", "q": q, "p": p, "P": "0", "F": "0", "g": -1, "C": "", "x": x, "X": X,
                       "r": "NONE", "i": 4242, "l": l, "z": z, "L": L, "n": n, "N": N, "T": 2, "t": t,
                       "w": X == "NEW", "m": False, "O": 1, "Z": Z, "Y": "0", "Q": "0"}).encode()


def test_view_shows_the_slot_as_the_store_holds_it(world):
    reg, inst, store = world
    slot = store.create(inst, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, 30_000_000, 60_000 * E8)
    cid = store.client_id(slot)
    v = order_view(store, reg, slot)
    assert (v.client_order_id, v.exchange_order_id, v.symbol, v.slot) == (cid, None, "BTCUSDT", slot)
    assert v.side is Side.SELL and v.order_type is OrderType.LIMIT and v.time_in_force is TimeInForce.GTC
    assert v.state is OrderState.PENDING and v.is_open
    assert v.quantity == Decimal("0.3") and v.price == Decimal("60000") and v.stop_price is None
    assert v.filled == 0 and v.average_price is None and v.fee == 0 and v.fee_asset is None
    assert v.remaining == Decimal("0.3") and not v.reduce_only and v.reject_code == 0

    parser, applier = BinanceParser(), RecordApplier(store, reg)
    for msg in (report(cid, "NEW", "NEW"),
                report(cid, "TRADE", "PARTIALLY_FILLED", l="0.1", L="60000", z="0.1", Z="6000", t=1, n="0.01",
                       N="BNB"),
                report(cid, "TRADE", "FILLED", l="0.2", L="60003", z="0.3", Z="18000.6", t=2, n="0.02", N="BNB")):
        parser.parse(msg)
        applier.apply(parser, 1)
    w = order_view(store, reg, slot)
    assert w.state is OrderState.FILLED and not w.is_open and w.exchange_order_id == 4242
    assert w.filled == Decimal("0.3") and w.remaining == 0
    assert w.average_price == Decimal("60002")       # (0.1 * 60000 + 0.2 * 60003) / 0.3
    assert w.fee == Decimal("0.03") and w.fee_asset == "BNB"
    assert v.state is OrderState.PENDING and v.filled == 0      # the first view is a snapshot: unchanged


def test_views_compare_hash_print_and_pickle_like_the_dataclass(world):
    reg, inst, store = world
    slot = store.create(inst, Side.BUY, OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY, E8, 50_000 * E8)
    a, b = order_view(store, reg, slot), order_view(store, reg, slot)
    assert a is not b and a == b and hash(a) == hash(b) and len({a, b}) == 1
    text = repr(a)
    assert text.startswith(f"Order(client_order_id='{a.client_order_id}', exchange_order_id=None, "
                           "symbol='BTCUSDT', side=<Side.BUY: 1>")
    assert "quantity=Decimal('1')" in text and text.endswith(f"slot={slot})")
    copy = pickle.loads(pickle.dumps(a))
    assert copy == a and copy.price == Decimal("50000")
    store.reject(slot, -1, 1)
    assert order_view(store, reg, slot) != a and a != "not an order"
    with pytest.raises(AttributeError):
        a.state = OrderState.FILLED        # a snapshot: read-only
    with pytest.raises(TypeError):
        Order("x")                          # made by the engine only


@pytest.mark.parametrize("exchange_id", [None, 123456789, "0b1c2d3e-uuid"])
def test_a_view_agrees_with_the_stores_snapshot(world, exchange_id):
    reg, inst, store = world
    slot = store.create(inst, Side.SELL, OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, 3 * E8, 49_000 * E8,
                        stop_price_raw=49_500 * E8, reduce_only=True, ts_ns=1)
    if exchange_id is not None:
        store.set_exchange_id(slot, exchange_id)
    store.apply(slot, 2, OrderState.PARTIALLY_FILLED, E8, 49_000 * E8, E8, 1, 5, reg.asset_ids["BNB"], 2)
    o, v = store.order(slot), order_view(store, reg, slot)
    assert (v.client_order_id, v.exchange_order_id, v.side, v.order_type, v.time_in_force, v.state) == (
        o.client_id, o.exchange_id, o.side, o.order_type, o.tif, o.state)
    assert (v.quantity, v.price, v.stop_price, v.filled, v.fee) == (Decimal(3), Decimal(49_000), Decimal(49_500),
                                                                     Decimal(1), Decimal("0.00000005"))
    assert v.fee_asset == "BNB" and v.reduce_only and v.reject_code == o.reject_code
    assert v.average_price == Decimal(o.cum_quote_raw) / o.filled_raw


def test_a_view_of_a_slot_that_is_not_live_is_refused(world):
    reg, inst, store = world
    for slot in (5, -1, 64):
        with pytest.raises(OrderStoreError):
            order_view(store, reg, slot)


def test_views_of_raw_values_take_the_average_as_given():
    v = order_of_raws("c1", "C02__1", "MXUSDT", 1, 2, 1, 3, 2 * E8, E8, 0, E8, 0, 0, None, True, 0, -1, 123 * E8 // 100)
    assert v.average_price == Decimal("1.23") and v.state is OrderState.PARTIALLY_FILLED and v.reduce_only
    assert order_of_raws("c1", None, "MXUSDT", 1, 2, 1, 2, E8, E8, 0, 0, 0, 0, None, False, 0, -1, 0).average_price is None


def test_making_a_view_builds_no_decimal_until_one_is_read(world):
    reg, inst, store = world
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    views = []

    def make():
        views.append(order_view(store, reg, slot))

    make()
    # each view holds itself and its client id string, nothing else (no Decimal, no tuple)
    assert allocated_blocks_delta(make, iterations=2000, warmup=10) <= 2 * 2000 + 50
    assert views[-1].quantity == 1
