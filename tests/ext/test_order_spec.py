"""OrderSpec, compiled: reads, writes, compares and prints as the dataclass it replaced; the gate makes one in C."""

import pickle

import pytest

from engine._enums import OrderType, Side, TimeInForce
from engine.venues.base import OrderSpec


def test_fields_defaults_and_mutation():
    s = OrderSpec(3, "BTCUSDT", "cid-1", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 10**6, price_raw=5 * 10**12)
    assert (s.slot, s.symbol, s.client_id, s.side, s.order_type, s.tif) == (3, "BTCUSDT", "cid-1", 1, 2, 1)
    assert (s.qty_raw, s.price_raw, s.stop_raw, s.trailing_raw) == (10**6, 5 * 10**12, 0, 0)
    assert (s.reduce_only, s.close_on_trigger, s.exchange_id, s.sent_ms) == (False, False, None, 0)
    s.sent_ms, s.exchange_id, s.qty_raw = 1_700_000_000_000, "C02__9", 2 * 10**6
    assert (s.sent_ms, s.exchange_id, s.qty_raw) == (1_700_000_000_000, "C02__9", 2 * 10**6)
    assert repr(s).startswith("OrderSpec(slot=3, symbol='BTCUSDT', client_id='cid-1', side=1, order_type=2, tif=1")
    copy = pickle.loads(pickle.dumps(s))
    assert copy == s and copy is not s
    copy.sent_ms += 1
    assert copy != s
    with pytest.raises(TypeError):
        hash(s)                                         # mutable: unhashable, as the dataclass was
    with pytest.raises(TypeError):
        OrderSpec(1, b"BTCUSDT", "c", 1, 2, 1, 1)       # a symbol is a str
    with pytest.raises(AttributeError):
        s.colour = "red"                                # no attribute beyond its fields


def test_the_gate_makes_the_spec_of_what_it_admitted():
    from tests.oms.test_order_gate import World

    w = World()
    slot = w.gate.admit_limit("BTCUSDT", "SELL", "0.5", "60000.01", "IOC", False, False, 1)
    assert slot >= 0
    w.store.set_client_tag(slot, "grid7")
    spec = w.gate.spec_of(slot, "BTCUSDT", True)
    assert spec == OrderSpec(slot, "BTCUSDT", w.store.client_id(slot), Side.SELL, OrderType.LIMIT, TimeInForce.IOC,
                             50_000_000, 6_000_001_000_000, reduce_only=True)
    assert spec.client_id.startswith("grid7-")
    w.store.release(slot)
    with pytest.raises(ValueError):
        w.gate.spec_of(slot, "BTCUSDT", False)
