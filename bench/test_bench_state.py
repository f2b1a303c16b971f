"""Micro benchmarks of the compiled state core, called from Python (the slowest way in).

Run: python -m pytest bench/test_bench_state.py --benchmark-enable --benchmark-max-time=0.5
Targets: update_from_fill <= 100 ns median; create + client-id lookup <= 200 ns; can_place_order <= 100 ns.

Group ``create-lookup-10k``: one round creates K = 10,000 orders and looks each up by
the client id the venue would echo (bytes), in a plain Python loop; the K slots are
released in the round's setup, outside the timing.  The table shows round times:
per operation (create + lookup, loop overhead included) is the round time / K, so
1 ms per round is 100 ns per create + lookup.  Its same-run baseline is the same loop
calling do-nothing Python functions with the same arguments.
"""


import pytest

from engine._account import Account
from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._instruments import ContractType, Instruments
from engine._order_store import OrderStore
from engine._positions import PositionBook

E8 = 100_000_000
BUY, SELL = int(Side.BUY), int(Side.SELL)


@pytest.fixture
def book():
    b = PositionBook(64)
    b.set_mark(3, 101 * E8)
    return b


def test_update_from_fill(steady, book):
    upd = book.update_from_fill
    steady(upd, 3, BUY, 1000, 100 * E8, 3, 0, -1)


def test_update_from_fill_round_trip_pair(steady, book):
    """Two fills per call (open then close), so the position stays small: divide by 2."""
    upd = book.update_from_fill

    def pair():
        upd(3, BUY, 1000, 100 * E8, 3, 0, -1)
        upd(3, SELL, 1000, 102 * E8, 3, 0, -1)

    steady(pair)


def test_baseline_empty_python_call(steady):
    """Same-run baseline: a Python call that does nothing."""
    def f(a, b, c, d, e, g, h):
        return None

    steady(f, 3, BUY, 1000, 100 * E8, 3, 0, -1)


@pytest.fixture
def store():
    return OrderStore(65_536, venue="binance-spot", session="ABCDEFGHIJKLM")


def test_create_and_lookup_by_client_id(steady, store):
    """create + find_client_id (the id as the venue echoes it, bytes) + release of the unsent order."""
    create, find, release = store.create, store.find_client_id, store.release
    cid = store.client_id_bytes(create(1, BUY, int(OrderType.LIMIT), int(TimeInForce.GTC), E8, 100 * E8))
    release(0)

    def once():
        slot = create(1, BUY, 2, 1, E8, 100 * E8)
        find(cid)        # same slot and generation pattern: a real O(1) decode + check
        release(slot)

    steady(once)


def test_create_only(steady, store):
    create, release = store.create, store.release

    def once():
        release(create(1, BUY, 2, 1, E8, 100 * E8))

    steady(once)


def test_lookup_client_id_only(steady, store):
    slot = store.create(1, BUY, 2, 1, E8, 100 * E8)
    cid = store.client_id_bytes(slot)
    assert store.find_client_id(cid) == slot
    steady(store.find_client_id, cid)


def test_apply_fill(steady, store):
    slot = store.create(1, BUY, 2, 1, 9_000_000_000 * E8, E8)
    steady(store.apply, slot, 2, int(OrderState.PARTIALLY_FILLED), 1000, 2 * E8, -1, -1, 3, 1, 1)


def test_can_place_order(steady):
    reg = Instruments(8)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.LINEAR_PERPETUAL, tick="0.1", step="0.001",
                   min_qty="0.001", min_notional="100")
    pos = PositionBook(8)
    pos.set_leverage(inst, 10)
    acc = Account(reg, pos, 16, margin_asset="USDT")
    acc.apply_futures_balance(reg.asset_ids["USDT"], 10_000 * E8, 0)
    assert acc.can_place_order(inst, BUY, 10_000_000, 60_000 * E8) == 0
    steady(acc.can_place_order, inst, BUY, 10_000_000, 60_000 * E8, False)


def test_check_order_rules(steady):
    reg = Instruments(8)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.LINEAR_PERPETUAL, tick="0.1", min_price="261.1",
                   step="0.001", min_qty="0.001", max_qty="1000", min_notional="100", bid_up="1.05",
                   bid_down="0.95", ask_up="1.05", ask_down="0.95")
    steady(reg.check_order, inst, BUY, 2, 10_000_000, 60_000 * E8, 60_000 * E8, False)


# ---- create + lookup over K orders (group create-lookup-10k) -------------------------

K = 10_000
ROUNDS = 40
GEN_MODULUS = 62 ** 4  # the codec's generation wraps here (ext/order_store.pxd)


class CreateLookupRounds:
    """Setup of each round: check that every id of the last round finds its order,
    release those K orders, and compute the client ids the next K creations make.

    Slots come off a stack: releasing the K slots last-first hands them out again in
    the same order, each at its generation + 1, so the ids are known before the round.
    """

    def __init__(self, store):
        self.store = store
        self.slots = [store.create_limit(1, BUY, 2, 1, E8, 100 * E8) for _ in range(K)]
        self.ids = [store.client_id_bytes(s) for s in self.slots]

    def setup(self):
        store, gen, fmt = self.store, self.store.arrays["gen"], self.store.codec.format
        for slot, cid in zip(self.slots, self.ids):
            assert store.find_client_id(cid) == slot
        for slot in reversed(self.slots):
            store.release(slot)
        self.ids = [fmt(s, (int(gen[s]) + 1) % GEN_MODULUS).encode() for s in self.slots]
        return (self.ids,), {}


def _per_op(benchmark):
    """Per-operation figures (round / K) beside the round times, in the JSON report."""
    if not benchmark.enabled:
        return
    benchmark.extra_info["K"] = K
    benchmark.extra_info["per_op_ns_median"] = round(benchmark.stats.stats.median / K * 1e9, 1)
    benchmark.extra_info["per_op_ns_min"] = round(benchmark.stats.stats.min / K * 1e9, 1)


@pytest.mark.benchmark(group="create-lookup-10k")
def test_create_limit_and_lookup_10k(benchmark, store):
    """The target: create (positional fast entry) + find by client id, per op = round / K."""
    rounds = CreateLookupRounds(store)

    def run(ids, create=store.create_limit, find=store.find_client_id):
        for cid in ids:
            create(1, 1, 2, 1, 100_000_000, 10_000_000_000)   # instrument, BUY, LIMIT, GTC, qty, price
            find(cid)

    benchmark.pedantic(run, setup=rounds.setup, rounds=ROUNDS, warmup_rounds=2, iterations=1)
    _per_op(benchmark)
    rounds.setup()  # checks that the last round's lookups all found their orders


@pytest.mark.benchmark(group="create-lookup-10k")
def test_create_and_lookup_10k(benchmark, store):
    """The same with the general ``create`` (twelve parameters, defaults for the last six)."""
    rounds = CreateLookupRounds(store)

    def run(ids, create=store.create, find=store.find_client_id):
        for cid in ids:
            create(1, 1, 2, 1, 100_000_000, 10_000_000_000)
            find(cid)

    benchmark.pedantic(run, setup=rounds.setup, rounds=ROUNDS, warmup_rounds=2, iterations=1)
    _per_op(benchmark)
    rounds.setup()


@pytest.mark.benchmark(group="create-lookup-10k")
def test_baseline_empty_calls_10k(benchmark, store):
    """Same-run baseline: the same loop and arguments, calling do-nothing Python functions."""
    rounds = CreateLookupRounds(store)

    def create(instrument, side, order_type, tif, qty_raw, price_raw):
        return None

    def find(text):
        return None

    def run(ids, create=create, find=find):
        for cid in ids:
            create(1, 1, 2, 1, 100_000_000, 10_000_000_000)
            find(cid)

    benchmark.pedantic(run, setup=lambda: ((rounds.ids,), {}), rounds=ROUNDS, warmup_rounds=2, iterations=1)
    _per_op(benchmark)


# -- stale-check: the once-a-second check of orders without an answer ------------------------------------------
def _held(n_taken: int, n_held: int) -> OrderStore:
    """A 65,536-slot store that once held ``n_taken`` orders at a time and now holds ``n_held`` (PENDING)."""
    s = OrderStore(65_536, venue="binance-spot", session="ABCDEFGHIJKLM", ack_timeout_ns=10**12)
    slots = [s.create(0, BUY, int(OrderType.LIMIT), int(TimeInForce.GTC), E8, E8, ts_ns=1) for _ in range(n_taken)]
    for slot in slots[n_held:]:
        s.release(slot)
    return s


@pytest.mark.benchmark(group="stale-check")
def test_stale_check_reads_the_slots_ever_taken(steady):
    """1,000 orders held, the peak: the check reads 1,000 slots."""
    s = _held(1_000, 1_000)
    assert s.slots_used == 1_000
    assert steady(s.stale, 2) == []


@pytest.mark.benchmark(group="stale-check")
def test_stale_check_every_slot_baseline(steady):
    """The same 1,000 orders in a store that once held all 65,536: the check reads every slot, as it did on
    every store before it kept ``slots_used``."""
    s = _held(65_536, 1_000)
    assert s.slots_used == 65_536
    assert steady(s.stale, 2) == []
