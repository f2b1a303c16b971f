"""Order store: lifecycle table, duplicates and stale updates, client ids, indexes, capacity."""

import logging
import random
import re
import uuid

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._enums import ExecType, OrderState, OrderType, Side, TimeInForce
from engine._order_store import (
    CapacityError,
    ClientIdCodec,
    OrderStore,
    OrderStoreError,
    UpdateResult,
    make_session_prefix,
    transition_allowed,
    venue_client_id_rule,
)
from engine.venues.registry import ADAPTERS

E8 = 100_000_000
TRADE = int(ExecType.EXEC_TRADE)
NEW_X = int(ExecType.EXEC_NEW)
CANCEL_X = int(ExecType.EXEC_CANCELED)


def new_store(**kw):
    kw.setdefault("session", "ABCDEFGHIJKLM")
    return OrderStore(**kw)


def limit(store, qty=E8, price=50_000 * E8, ts=1):
    return store.create(7, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, qty, price, ts_ns=ts)


def fill(store, slot, qty, price, cum=-1, trade_id=-1, fee=0, fee_asset=-1, ts=10, state=OrderState.PARTIALLY_FILLED):
    return store.apply(slot, TRADE, state, qty, price, cum, trade_id, fee, fee_asset, ts)


def status(store, slot, state, exec_type=NEW_X, cum=-1, ts=10):
    return store.apply(slot, exec_type, state, 0, 0, cum, -1, 0, -1, ts)


# ---- lifecycle --------------------------------------------------------------------


def test_happy_path_pending_new_partial_filled():
    s = new_store()
    slot = limit(s)
    assert s.state_of(slot) == OrderState.PENDING
    assert status(s, slot, OrderState.NEW, ts=5) == UpdateResult.APPLIED
    assert fill(s, slot, 30_000_000, 50_000 * E8, cum=30_000_000, trade_id=1, fee=3, fee_asset=2) == 0
    assert s.state_of(slot) == OrderState.PARTIALLY_FILLED
    assert fill(s, slot, 70_000_000, 50_010 * E8, cum=E8, trade_id=2, fee=7, fee_asset=2,
                state=OrderState.FILLED) == 0
    o = s.order(slot)
    assert o.state == OrderState.FILLED
    assert o.filled_raw == E8
    assert o.cum_quote_raw == 15_000 * E8 + 35_007 * E8
    assert o.avg_price_raw == 50_007 * E8
    assert (o.fee_raw, o.fee_asset) == (10, 2)
    assert o.ts_created == 1 and o.ts_acked == 5 and o.ts_updated == 10


def test_fill_before_ack_is_applied_and_late_new_is_stale():
    s = new_store()
    slot = limit(s)
    assert fill(s, slot, 40_000_000, 100 * E8, cum=40_000_000, trade_id=9, ts=3) == UpdateResult.APPLIED
    assert s.state_of(slot) == OrderState.PARTIALLY_FILLED
    assert s.order(slot).ts_acked == 3
    assert status(s, slot, OrderState.NEW, ts=4) == UpdateResult.STALE
    assert s.state_of(slot) == OrderState.PARTIALLY_FILLED
    assert s.n_stale == 1


def test_same_trade_twice_changes_nothing_and_is_counted():
    s = new_store()
    slot = limit(s)
    assert fill(s, slot, 10_000_000, 100 * E8, cum=10_000_000, trade_id=5, fee=1, fee_asset=1) == 0
    before = vars_of(s.order(slot))
    # same trade id, and (separately) a repeat identified only by cumulative quantity
    assert fill(s, slot, 10_000_000, 100 * E8, cum=10_000_000, trade_id=5, fee=1, fee_asset=1) == UpdateResult.DUPLICATE
    assert fill(s, slot, 10_000_000, 100 * E8, cum=10_000_000, trade_id=-1) == UpdateResult.DUPLICATE
    assert fill(s, slot, 10_000_000, 100 * E8, cum=-1, trade_id=5) == UpdateResult.DUPLICATE
    assert vars_of(s.order(slot)) == before
    assert s.n_duplicates == 3


def test_repeated_state_is_duplicate():
    s = new_store()
    slot = limit(s)
    status(s, slot, OrderState.NEW)
    assert status(s, slot, OrderState.NEW) == UpdateResult.DUPLICATE
    assert status(s, slot, OrderState.CANCELLED, CANCEL_X) == 0
    assert status(s, slot, OrderState.CANCELLED, CANCEL_X) == UpdateResult.DUPLICATE
    assert s.n_duplicates == 2


def test_illegal_transition_is_counted_logged_and_changes_nothing(caplog):
    s = new_store()
    slot = limit(s)
    status(s, slot, OrderState.NEW)
    status(s, slot, OrderState.CANCELLED, CANCEL_X)
    with caplog.at_level(logging.WARNING, logger="engine.order_store"):
        assert status(s, slot, OrderState.EXPIRED) == UpdateResult.ILLEGAL
        assert status(s, slot, OrderState.REJECTED) == UpdateResult.ILLEGAL
    assert s.state_of(slot) == OrderState.CANCELLED
    assert s.n_illegal == 2
    assert "ILLEGAL" in caplog.text and "CANCELLED" in caplog.text
    # FILLED -> CANCELLED: a late cancel confirmation after the last fill
    slot2 = limit(s)
    fill(s, slot2, E8, 100 * E8, cum=E8, trade_id=1, state=OrderState.FILLED)
    assert status(s, slot2, OrderState.CANCELLED, CANCEL_X) == UpdateResult.ILLEGAL
    assert s.state_of(slot2) == OrderState.FILLED


def test_transition_table_shape():
    P, N, PF, F, C, R, X, U = (OrderState.PENDING, OrderState.NEW, OrderState.PARTIALLY_FILLED, OrderState.FILLED,
                               OrderState.CANCELLED, OrderState.REJECTED, OrderState.EXPIRED, OrderState.UNKNOWN)
    assert transition_allowed(P, U) and transition_allowed(U, N) and transition_allowed(U, R)
    assert transition_allowed(P, F) and transition_allowed(PF, PF)
    assert not transition_allowed(U, P)
    for terminal in (F, C, X):
        assert not any(transition_allowed(terminal, t) for t in OrderState)
    # REJECTED and NOT_PLACED take what the venue reports after all: their fills are never dropped
    NP = OrderState.NOT_PLACED
    assert {t for t in OrderState if transition_allowed(R, t)} == {PF, F}
    assert {t for t in OrderState if transition_allowed(NP, t)} == {N, PF, F, C, R, X}
    assert transition_allowed(U, NP) and transition_allowed(P, NP) and not transition_allowed(N, NP)
    assert not transition_allowed(N, P) and not transition_allowed(PF, N)


def test_a_fill_for_an_order_taken_as_rejected_or_not_placed_is_kept_and_counted():
    s = new_store()
    rejected, lost = limit(s), limit(s)
    assert s.reject(rejected, -2010, ts_ns=2) == 0
    assert s.mark_unknown(lost, ts_ns=2) == 0
    assert s.apply(lost, 0, OrderState.NOT_PLACED, 0, 0, -1, -1, 0, -1, 3) == 0
    for slot in (rejected, lost):
        assert s.apply(slot, ExecType.EXEC_TRADE, OrderState.PARTIALLY_FILLED, 1000, 50 * 10**8, 1000, 7, 0, -1, 4) == 0
        assert s.state_of(slot) == OrderState.PARTIALLY_FILLED and s.order(slot).filled_raw == 1000
    assert s.counters()["unexpected_fills"] == 2
    # the order is live again: not reclaimed while it lives
    s.reclaim(10**18)
    assert s.state_of(lost) == OrderState.PARTIALLY_FILLED


def test_unknown_resolves_later_never_rejected_by_itself():
    s = new_store()
    slot = limit(s)
    assert s.mark_unknown(slot, ts_ns=2) == 0
    assert s.state_of(slot) == OrderState.UNKNOWN
    assert s.order(slot).ts_acked == 0
    assert status(s, slot, OrderState.NEW, ts=9) == 0
    assert s.state_of(slot) == OrderState.NEW


def test_overfill_and_bad_values_refused():
    s = new_store()
    slot = limit(s, qty=E8)
    assert fill(s, slot, 2 * E8, 100 * E8, cum=2 * E8, trade_id=1) == UpdateResult.OVERFILL
    assert fill(s, slot, 0, 100 * E8, trade_id=2) == UpdateResult.BAD_VALUE
    assert fill(s, slot, E8, 0, trade_id=3) == UpdateResult.BAD_VALUE
    assert s.order(slot).filled_raw == 0
    assert s.n_illegal == 3


def test_fixed_point_overflow_is_counted_not_wrapped():
    s = new_store()
    big = 9_000_000_000 * E8  # 9e9 units
    slot = limit(s, qty=big)
    # 9e9 * 9e9 = 8.1e19 quote: does not fit int64 raw
    assert fill(s, slot, big, 9_000_000_000 * E8, trade_id=1) == UpdateResult.OVERFLOW
    o = s.order(slot)
    assert o.filled_raw == 0 and o.cum_quote_raw == 0 and o.state == OrderState.PENDING
    assert s.n_overflows == 1


def test_gap_in_cumulative_quantity_takes_venue_total_and_counts():
    s = new_store()
    slot = limit(s, qty=E8)
    assert fill(s, slot, 10_000_000, 100 * E8, cum=30_000_000, trade_id=4) == 0
    assert s.order(slot).filled_raw == 30_000_000
    assert s.n_gaps == 1
    # a cancel carrying more fills than we saw
    assert status(s, slot, OrderState.CANCELLED, CANCEL_X, cum=50_000_000) == 0
    assert s.order(slot).filled_raw == 50_000_000
    assert s.n_gaps == 2


def test_fill_after_cancel_is_kept_not_dropped():
    s = new_store()
    slot = limit(s, qty=E8)
    status(s, slot, OrderState.NEW)
    status(s, slot, OrderState.CANCELLED, CANCEL_X)
    assert fill(s, slot, 10_000_000, 100 * E8, cum=10_000_000, trade_id=1) == 0
    assert s.state_of(slot) == OrderState.CANCELLED
    assert s.order(slot).filled_raw == 10_000_000
    assert s.n_late_fills == 1


def test_fees_in_two_assets_and_third_dropped_is_counted():
    s = new_store()
    slot = limit(s, qty=E8)
    fill(s, slot, 10_000_000, E8, trade_id=1, fee=5, fee_asset=1)
    fill(s, slot, 10_000_000, E8, trade_id=2, fee=6, fee_asset=9)
    fill(s, slot, 10_000_000, E8, trade_id=3, fee=7, fee_asset=1)
    fill(s, slot, 10_000_000, E8, trade_id=4, fee=8, fee_asset=4)
    o = s.order(slot)
    assert (o.fee_raw, o.fee_asset, o.fee2_raw, o.fee2_asset) == (12, 1, 6, 9)
    assert s.n_fee_assets_dropped == 1


def test_amend_and_reject():
    s = new_store()
    slot = limit(s, qty=E8)
    status(s, slot, OrderState.NEW)
    assert s.amend(slot, qty_raw=50_000_000, price_raw=99 * E8, ts_ns=3) == 0
    o = s.order(slot)
    assert (o.qty_raw, o.price_raw) == (50_000_000, 99 * E8)
    slot2 = limit(s)
    assert s.reject(slot2, -2010, ts_ns=4) == 0
    assert s.order(slot2).reject_code == -2010 and s.state_of(slot2) == OrderState.REJECTED
    assert s.amend(slot2, qty_raw=1) == UpdateResult.ILLEGAL


def test_unknown_slot_updates_are_counted():
    s = new_store(capacity=4)
    assert fill(s, 3, 1, 1) == UpdateResult.UNKNOWN_ORDER
    assert fill(s, 99, 1, 1) == UpdateResult.UNKNOWN_ORDER
    assert fill(s, -1, 1, 1) == UpdateResult.UNKNOWN_ORDER
    assert s.n_unknown == 3
    with pytest.raises(OrderStoreError):
        s.order(3)


def test_bad_create_arguments_raise():
    s = new_store()
    with pytest.raises(ValueError, match="qty_raw=0"):
        s.create(1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 0, E8)
    with pytest.raises(ValueError, match="side=3"):
        s.create(1, 3, OrderType.LIMIT, TimeInForce.GTC, E8, E8)


def test_create_limit_is_create_with_defaults():
    """The positional fast entry records exactly what create does with the same six arguments."""
    a, b = new_store(), new_store()
    for args, ts in [((7, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8), 5),
                     ((3, Side.SELL, OrderType.MARKET, TimeInForce.IOC, 2 * E8, 0), 0),
                     ((0, Side.SELL, OrderType.LIMIT_MAKER, TimeInForce.GTC, 1, 1), 9)]:
        sa = a.create(*args, ts_ns=ts)
        sb = b.create_limit(*args, ts)
        assert sa == sb
        assert a.client_id(sa) == b.client_id(sb)
        assert vars_of(a.order(sa)) == vars_of(b.order(sb))
        assert b.find_client_id(b.client_id_bytes(sb)) == sb
    assert b.create_limit(1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8) == 3   # ts_ns defaults to 0
    assert b.order(3).ts_created == 0


def test_create_limit_errors_are_create_errors():
    s = new_store(capacity=1)
    with pytest.raises(ValueError, match="qty_raw=0"):
        s.create_limit(1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 0, E8)
    with pytest.raises(ValueError, match="side=3"):
        s.create_limit(1, 3, OrderType.LIMIT, TimeInForce.GTC, E8, E8)
    with pytest.raises(ValueError, match="price_raw=-1"):
        s.create_limit(1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, -1)
    s.create_limit(1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8)
    with pytest.raises(CapacityError, match="1 slots"):
        s.create_limit(1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8)
    assert s.n_capacity_rejects == 1
    with pytest.raises(TypeError):
        s.create_limit(1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8)     # price is required here


def test_client_ids_of_every_digit_position_round_trip():
    """Slot and generation digits at the 62 and 62**2 boundaries and at the top of the range."""
    c = ClientIdCodec("binance-spot", session="ABCDEFGHIJKLM")
    top = 62 ** 4 - 1
    for n in (0, 1, 61, 62, 63, 3843, 3844, 3845, 62 ** 3 - 1, 62 ** 3, 238_327, top):
        for slot, gen in ((n, 0), (0, n), (n, n), (n, top - n)):
            text = c.format(slot, gen)
            assert c.decode(text) == (slot, gen)
            digits = text[-8:]
            value = 0
            for ch in digits:
                value = value * 62 + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".index(ch)
            assert divmod(value, 62 ** 4) == (slot, gen)


# ---- capacity and retention ----------------------------------------------------------


def test_capacity_exhausted_is_a_clear_error_and_counted():
    s = new_store(capacity=3, retention_ns=1000)
    slots = [limit(s) for _ in range(3)]
    with pytest.raises(CapacityError, match="3 slots"):
        limit(s)
    assert s.n_capacity_rejects == 1
    # finished orders stay until their retention runs out, then their slots come back
    status(s, slots[1], OrderState.CANCELLED, CANCEL_X, ts=100)
    with pytest.raises(CapacityError):
        limit(s, ts=1099)
    again = limit(s, ts=1100)
    assert again == slots[1]


def test_reused_slot_gets_new_client_id_and_old_id_finds_nothing():
    s = new_store(capacity=1, retention_ns=0)
    a = limit(s)
    cid_a = s.client_id(a)
    exch = 123456789
    s.set_exchange_id(a, exch)
    fill(s, a, E8, E8, cum=E8, trade_id=1, state=OrderState.FILLED, ts=5)
    b = limit(s, ts=6)
    assert b == a
    cid_b = s.client_id(b)
    assert cid_a != cid_b
    assert s.find_client_id(cid_a) == -1
    assert s.find_client_id(cid_b) == b
    assert s.find_exchange_id(exch) == -1  # index entry of the finished order went with its slot


def test_release_only_unsent_orders():
    s = new_store(capacity=2)
    a = limit(s)
    s.release(a)
    assert s.live == 0
    b = limit(s)
    status(s, b, OrderState.NEW)
    with pytest.raises(OrderStoreError):
        s.release(b)


def test_stale_orders_listed():
    s = new_store(ack_timeout_ns=1_000)
    a = limit(s, ts=0)
    b = limit(s, ts=500)
    c = limit(s, ts=0)
    status(s, c, OrderState.NEW)
    d = limit(s, ts=0)
    s.mark_unknown(d)
    assert s.stale(1_200) == [a, d]
    assert s.stale(1_600) == [a, b, d]


def test_stale_check_reads_only_the_slots_ever_taken_and_finds_orders_in_reused_ones():
    """``stale`` reads the slots below ``slots_used`` (the peak held at once), not the whole capacity: a freed
    slot is handed out again before a new one, so a big store with few orders is checked in a few slots.  An
    order in a reused slot, or in the highest one taken, is still found."""
    s = new_store(capacity=65_536, ack_timeout_ns=1_000, retention_ns=0)
    assert s.slots_used == 0 and s.stale(10**6) == []
    for round_ in range(50):                          # one order at a time, each finished and freed
        a = limit(s, ts=round_)
        status(s, a, OrderState.CANCELLED, CANCEL_X, ts=round_)
    assert s.slots_used == 1
    held = [limit(s, ts=100) for _ in range(10)]      # ten at once: the peak
    assert s.slots_used == 10 and max(held) == 9
    for slot in held[1:-1]:
        status(s, slot, OrderState.NEW)
    assert s.stale(5_000) == [held[0], held[-1]]      # still PENDING: the lowest slot and the highest taken
    s.mark_unknown(held[0])
    assert s.state_of(held[0]) == OrderState.UNKNOWN and s.stale(5_000) == [held[0], held[-1]]
    for slot in held[1:-1]:
        status(s, slot, OrderState.CANCELLED, CANCEL_X, ts=150)
    again = limit(s, ts=200)                          # a freed slot taken again, not a new one
    assert again < 10 and s.slots_used == 10
    assert s.stale(5_000) == sorted([held[0], held[-1], again])


# ---- client ids ---------------------------------------------------------------------

VENUE_REGEX = {
    "binance-spot": r"[a-zA-Z0-9\-_]{1,36}",
    "binance-usdm": r"[.A-Z:/a-z0-9_\-]{1,36}",
    "bybit": r"[A-Za-z0-9_\-]{1,36}",
    "gateio": r"t-[0-9A-Za-z_.\-]{1,28}",
    "mexc": r"[A-Za-z0-9_\-]{1,32}",
    "topstepx": r"[A-Za-z0-9_\-]{1,36}",
}


@pytest.mark.parametrize("venue", sorted(ADAPTERS))
def test_every_venue_declares_the_client_id_rule_its_ids_follow(venue):
    prefix, longest, charset = venue_client_id_rule(venue)       # from the venue's folder
    s = OrderStore(capacity=64, venue=venue, tag="bot1")
    cid = s.client_id(limit(s, ts=0))
    assert re.fullmatch(f"{re.escape(prefix)}[{charset}]+", cid) and len(cid.encode()) <= longest, cid
    with pytest.raises(ValueError, match="no client-id rule"):
        OrderStore(capacity=64, venue="no-such-venue")


@pytest.mark.parametrize("venue", sorted(VENUE_REGEX))
def test_client_ids_follow_venue_rules(venue):
    s = OrderStore(capacity=70_000, venue=venue, tag="bot1")
    ids = set()
    for i in range(2_000):
        slot = limit(s, ts=i)
        cid = s.client_id(slot)
        assert re.fullmatch(VENUE_REGEX[venue], cid), cid
        assert len(cid.encode()) <= venue_client_id_rule(venue)[1]
        assert s.find_client_id(cid) == slot
        assert s.find_client_id(cid.encode()) == slot
        ids.add(cid)
    assert len(ids) == 2_000
    # the highest slot number encodes and decodes too
    assert s.codec.decode(s.codec.format(69_999, 14_776_335)) == (69_999, 14_776_335)


def test_tag_validation():
    with pytest.raises(ValueError, match="outside"):
        ClientIdCodec("bybit", tag="bad.tag")
    with pytest.raises(ValueError, match="allows 30"):
        ClientIdCodec("gateio", tag="toolongtag")
    assert ClientIdCodec("gateio", tag="abcdefg").id_length == 30


def test_sessions_differ_across_processes_and_restarts():
    a = make_session_prefix(seconds=100, pid=4242, random_bits=1)
    b = make_session_prefix(seconds=100, pid=4242, random_bits=2)
    c = make_session_prefix(seconds=101, pid=4242, random_bits=1)
    d = make_session_prefix(seconds=100, pid=4243, random_bits=1)
    assert len({a, b, c, d}) == 4 and all(len(x) == 13 for x in (a, b, c, d))
    assert make_session_prefix() != make_session_prefix()  # random part


def test_foreign_ids_are_not_found_and_adopted_ids_are():
    s = new_store()
    slot = limit(s)
    cid = s.client_id(slot)
    other = OrderStore(capacity=8, session="ZZZZZZZZZZZZZ")
    assert other.find_client_id(cid) == -1
    assert s.find_client_id(cid[:-1] + "!") == -1
    assert s.find_client_id("") == -1
    a = s.adopt("web_ABC123", 1, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, E8, 2 * E8)
    assert s.find_client_id("web_ABC123") == a
    assert s.client_id(a) == "web_ABC123"
    with pytest.raises(OrderStoreError):
        s.adopt("web_ABC123", 1, Side.SELL, OrderType.LIMIT, TimeInForce.GTC, E8, 2 * E8)


# ---- exchange-id indexes --------------------------------------------------------------


def test_exchange_ids_int_and_uuid():
    s = new_store()
    a, b = limit(s), limit(s)
    assert s.set_exchange_id(a, 8_389_765_719_123) == 0
    assert s.set_exchange_id(a, 8_389_765_719_123) == 1  # idempotent
    u = str(uuid.uuid4())
    assert s.set_exchange_id(b, u) == 0
    assert s.find_exchange_id(8_389_765_719_123) == a
    assert s.find_exchange_id(u) == b
    assert s.find_exchange_id(u.encode()) == b
    assert s.find_exchange_id("nope") == -1
    with pytest.raises(OrderStoreError, match="another order"):
        s.set_exchange_id(limit(s), u)
    with pytest.raises(OrderStoreError, match="different"):
        s.set_exchange_id(a, 5)
    with pytest.raises(OrderStoreError, match="longer"):
        s.set_exchange_id(limit(s), "x" * 65)


def test_exchange_index_survives_churn_against_a_dict():
    """Thousands of orders come and go: the open-addressing tables agree with a dict."""
    rng = random.Random(7)
    s = new_store(capacity=512, retention_ns=0)
    model_int, model_str, live = {}, {}, {}
    ts = 0
    for step in range(20_000):
        ts += 1
        if live and (len(live) > 400 or rng.random() < 0.45):
            slot = rng.choice(list(live))
            kind, key = live.pop(slot)
            status(s, slot, OrderState.CANCELLED, CANCEL_X, ts=ts)
            (model_int if kind == "i" else model_str).pop(key)
            s.reclaim(ts)
        else:
            slot = limit(s, ts=ts)
            if rng.random() < 0.5:
                key = rng.randrange(1, 1 << 62) if rng.random() < 0.5 else step  # sequential and random
                s.set_exchange_id(slot, key)
                model_int[key] = slot
                live[slot] = ("i", key)
            else:
                key = f"{rng.getrandbits(64):x}-{step}"
                s.set_exchange_id(slot, key)
                model_str[key] = slot
                live[slot] = ("s", key)
        if step % 1000 == 0:
            for key, slot in model_int.items():
                assert s.find_exchange_id(key) == slot
            for key, slot in model_str.items():
                assert s.find_exchange_id(key) == slot
    for key, slot in model_int.items():
        assert s.find_exchange_id(key) == slot
    for key, slot in model_str.items():
        assert s.find_exchange_id(key) == slot
    assert s.find_exchange_id(-5) == -1


# ---- allocation ---------------------------------------------------------------------------


def vars_of(o):
    return {k: getattr(o, k) for k in o.__slots__}


def test_fills_and_updates_allocate_nothing():
    s = new_store(capacity=16)
    slot = s.create(1, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 9_000_000_000 * E8, E8)
    s.apply(slot, NEW_X, OrderState.NEW, 0, 0, -1, -1, 0, -1, 1)
    apply = s.apply
    args_fill = (slot, TRADE, int(OrderState.PARTIALLY_FILLED), 1000, 2 * E8, -1, -1, 3, 1, 1_700_000_000_000_000_000)
    args_dup = (slot, NEW_X, int(OrderState.NEW), 0, 0, -1, -1, 0, -1, 1_700_000_000_000_000_000)

    def one_fill():
        apply(*args_fill)

    def one_update():
        apply(*args_dup)  # stale NEW after PARTIALLY_FILLED: counted, nothing changes

    assert python_allocations_per_call_bytes(one_fill) == 0
    assert python_allocations_per_call_bytes(one_update) == 0
    # the helper's own `before` int is one live block: compare with an empty call
    baseline = allocated_blocks_delta(_noop)
    assert allocated_blocks_delta(one_fill) == baseline
    assert allocated_blocks_delta(one_update) == baseline
    assert s.n_stale >= 100_000
    find = s.find_client_id
    cid = s.client_id_bytes(slot)

    def lookup():
        find(cid)

    assert allocated_blocks_delta(lookup) == baseline


def test_create_and_release_allocate_nothing():
    """create / create_limit + find + release in steady state keep no block, and make no
    Python object at all while the slot numbers are small ints (< 257, cached by CPython;
    a larger slot comes back as a new int object, freed when the caller drops it)."""
    s = new_store(capacity=16)
    create, create_limit, find, release = s.create, s.create_limit, s.find_client_id, s.release
    cid = s.client_id_bytes(create_limit(1, 1, 2, 1, E8, 100 * E8))
    release(0)
    args = (1, 1, 2, 1, E8, 100 * E8)

    def fast():
        slot = create_limit(*args)
        find(cid)
        release(slot)

    def general():
        release(create(*args))

    assert python_allocations_per_call_bytes(fast) == 0
    assert python_allocations_per_call_bytes(general) == 0
    baseline = allocated_blocks_delta(_noop)
    assert allocated_blocks_delta(fast) == baseline
    assert allocated_blocks_delta(general) == baseline


def _noop():
    return None
