"""The compiled admission gate against the full Python path: it lets through exactly what the full path
lets through (never more), creates nothing when it defers, and keeps every typed error with the full path."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine._enums import ExecType, OrderState, OrderType, Side, TimeInForce
from engine._instruments import UnknownInstrumentError
from engine._order_gate import OpenCounts, OrderGate
from engine._order_store import OrderStore
from engine.oms.admission import Admission, EngineHalted
from engine.oms.breaker import CircuitBreaker, CircuitOpen
from engine.oms.risk import RiskEngine, RiskLimits, RiskRejected
from engine.oms.tracker import OrderTracker
from tests.support.accounts import E8, TwoInstrumentAccount


class World(TwoInstrumentAccount):
    """The Python admission and the gate over one store, on the two-instrument account."""

    def __init__(self, limits: RiskLimits | None = None, balance: int = 10_000_000):
        super().__init__(balance)
        self.store = OrderStore(256, venue="binance-spot")
        counts = self.counts = OpenCounts(16)
        self.tracker = OrderTracker(self.store, self.reg, counts)
        self.risk = RiskEngine(limits or RiskLimits(), self.reg, self.acc, self.book)
        self.gate = OrderGate(self.reg, self.store, self.acc, self.book, counts)
        self.risk.attach_gate(self.gate)
        self.breaker = CircuitBreaker()
        self.adm = Admission("binance-spot", self.reg, self.tracker, self.risk, self.breaker, self.gate)

    def full(self, symbol, side, qty, price, tif="GTC", post_only=False, reduce_only=False):
        """The full path's outcome: the recorded slot, or the exception it raised (``tif`` None: a MARKET order)."""
        if tif is None:
            order_type, tif_v, price = OrderType.MARKET, TimeInForce.TIF_NONE, None
        else:
            order_type = OrderType.LIMIT_MAKER if post_only or tif == "POST_ONLY" else OrderType.LIMIT
            tif_v = TimeInForce.POST_ONLY if order_type == OrderType.LIMIT_MAKER else TimeInForce[tif]
        try:
            inst, side_v, q, p, s, t = self.adm.validate(symbol, side, order_type, tif_v, qty, price)
            return self.adm.admit(symbol, inst, side_v, order_type, tif_v, q, p, s, t, reduce_only).slot
        except Exception as exc:      # noqa: BLE001 - the outcome under comparison
            return exc

    def fast(self, symbol, side, qty, price, tif="GTC", post_only=False, reduce_only=False):
        if tif is None:
            spec = self.adm.fast_market(symbol, side, qty, reduce_only, None)
        else:
            spec = self.adm.fast_limit(symbol, side, qty, price, tif, post_only, reduce_only, None)
        return None if spec is None else spec.slot

    def forget(self, slot: int) -> None:
        self.tracker.reject(slot)


def test_a_plain_order_is_admitted_by_the_gate_exactly_as_by_the_full_path():
    w = World()
    slot = w.fast("BTCUSDT", Side.BUY, "0.5", "60000.01")
    assert slot is not None and w.gate.passed == 1
    o = w.store.order(slot)
    assert (o.instrument, o.side, o.order_type, o.tif, o.qty_raw, o.price_raw) == (
        w.btc, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 2, 6_000_001 * E8 // 100)
    assert w.store.state_of(slot) == OrderState.PENDING
    assert w.tracker.open_count(w.btc) == 1 and w.tracker.open_count() == 1
    spec = w.tracker.spec(slot)
    assert (spec.client_id, spec.side, spec.qty_raw) == (w.store.client_id(slot), Side.BUY, E8 // 2)
    slot2 = w.fast("BTCUSDT", "SELL", 2, "61000", post_only=True)
    o2 = w.store.order(slot2)
    assert (o2.side, o2.order_type, o2.tif, o2.qty_raw) == (Side.SELL, OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY,
                                                            2 * E8)
    w.forget(slot)
    assert w.tracker.open_count(w.btc) == 1


@pytest.mark.parametrize("args", [
    ("BTCUSDT", Side.BUY, 0.5, "60000"),                  # float: TypeError from the full path
    ("BTCUSDT", Side.BUY, "0.5", 60000.0),
    ("BTCUSDT", Side.BUY, True, "60000"),
    ("BTCUSDT", "buy", Decimal("0.5"), "60000"),          # read by the full path (lowercase, Decimal)
    ("NOPE", Side.BUY, "0.5", "60000"),
    (b"BTCUSDT", Side.BUY, "0.5", "60000"),
    ("BTCUSDT", "LONG", "0.5", "60000"),
    ("BTCUSDT", 1, "0.5", "60000"),
    ("BTCUSDT", Side.BUY, "0", "60000"),
    ("BTCUSDT", Side.BUY, "-1", "60000"),
    ("BTCUSDT", Side.BUY, "0.5", None),
    ("BTCUSDT", Side.BUY, "0.123456789", "60000"),
    ("BTCUSDT", Side.BUY, "0.5", "60000.001"),            # off the tick: RiskRejected
    ("BTCUSDT", Side.BUY, "1e3", "60000"),
])
def test_what_the_gate_does_not_read_goes_to_the_full_path_and_raises_there(args):
    w = World()
    live = w.store.live
    assert w.fast(*args) is None and w.gate.passed == 0
    assert w.store.live == live and w.tracker.open_count() == 0      # nothing created by the gate
    outcome = w.full(*args)
    if isinstance(outcome, int):                 # e.g. Decimal / lowercase side: the full path admits it
        assert w.store.state_of(outcome) == OrderState.PENDING
    else:
        assert isinstance(outcome, (TypeError, ValueError, UnknownInstrumentError, RiskRejected)), outcome


def test_tif_and_post_only_as_the_full_path_reads_them():
    w = World()
    for tif in ("GTC", "IOC", "FOK", "POST_ONLY", TimeInForce.IOC):
        slot = w.fast("BTCUSDT", Side.BUY, "0.1", "60000", tif=tif)
        assert slot is not None
        want = TimeInForce[tif] if isinstance(tif, str) else tif
        assert w.store.order(slot).tif == want
        w.forget(slot)
    for tif in ("gtc", "GTX", 1, None):
        assert w.fast("BTCUSDT", Side.BUY, "0.1", "60000", tif=tif) is None
    assert w.fast("BTCUSDT", Side.BUY, "0.1", "60000", tif="IOC", post_only=True) is None   # ValueError there


def test_halted_or_an_open_breaker_sends_every_order_to_the_full_path():
    w = World()
    w.breaker.trip("test", cooldown_s=60)
    assert w.fast("BTCUSDT", Side.BUY, "0.1", "60000") is None
    assert isinstance(w.full("BTCUSDT", Side.BUY, "0.1", "60000"), CircuitOpen)
    w.breaker.reset()
    assert w.fast("BTCUSDT", Side.BUY, "0.1", "60000") is not None
    w.adm.halted = True
    assert w.fast("BTCUSDT", Side.BUY, "0.1", "60000") is None
    assert isinstance(w.full("BTCUSDT", Side.BUY, "0.1", "60000"), EngineHalted)


def test_a_limit_change_reaches_the_gate():
    w = World()
    assert w.fast("BTCUSDT", Side.BUY, "2", "60000") is not None
    w.risk.set_limits(RiskLimits(max_order_qty="1"))
    assert w.fast("BTCUSDT", Side.BUY, "2", "60000") is None
    assert isinstance(w.full("BTCUSDT", Side.BUY, "2", "60000"), RiskRejected)
    assert w.fast("BTCUSDT", Side.BUY, "1", "60000") is not None


def _text(n: int, places: int) -> str:
    return format(Decimal(n).scaleb(-places), "f").rstrip("0").rstrip(".")


decimals = st.integers(min_value=1, max_value=3 * 10**12).map(
    lambda n: format(Decimal(n).scaleb(-8), "f").rstrip("0").rstrip("."))


def limit_sets(small_max_qty: str):
    """The user's limits, each absent or at a value some orders break."""
    return st.fixed_dictionaries({
        "max_order_qty": st.sampled_from([None, small_max_qty, "10"]),
        "max_notional": st.sampled_from([None, "50000", "1000000"]),
        "max_position": st.sampled_from([None, "0", "5", "20"]),
        "max_open_orders": st.sampled_from([None, 3, 100]),
        "max_open_orders_per_symbol": st.sampled_from([None, 2, 50]),
        "price_band": st.sampled_from([None, "0.05", "0.5"]),
        "check_balance": st.booleans()})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    symbol=st.sampled_from(["BTCUSDT", "ETHUSDT"]),
    side=st.sampled_from([Side.BUY, Side.SELL, "BUY", "SELL"]),
    qty=st.one_of(st.integers(min_value=1, max_value=30_000).map(lambda n: _text(n, 3)), decimals,
                  st.integers(min_value=1, max_value=20)),
    price=st.one_of(st.integers(min_value=250_000, max_value=7_000_000).map(lambda n: _text(n, 2)),
                    st.sampled_from(["60000", "59000.5", "3000", "64000", "0.001"])),
    reduce_only=st.booleans(),
    tif=st.sampled_from(["GTC", "IOC", "POST_ONLY", None]),         # None: a MARKET order
    position=st.integers(min_value=-30, max_value=30),
    reference=st.sampled_from([0, 60_000 * E8, 3_000 * E8]),
    open_orders=st.integers(min_value=0, max_value=6),
    limits=limit_sets("1"),
    balance=st.sampled_from([1_000, 10_000_000]),
)
def test_the_gate_admits_exactly_what_the_full_path_admits(symbol, side, qty, price, reduce_only, tif, position,
                                                          reference, open_orders, limits, balance):
    w = World(RiskLimits(**limits), balance=balance)
    inst = w.reg.id(symbol)
    if position:
        w.book.reconcile(inst, position * E8, 60_000 * E8)
    if reference:
        w.adm.set_reference(inst, reference)
    for _ in range(open_orders):                 # open orders of this instrument, counted as the checks see them
        w.tracker.record(inst, symbol, int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC), E8 // 1000,
                         50_000 * E8)
    full = w.full(symbol, side, qty, price, tif, reduce_only=reduce_only)
    if isinstance(full, int):
        w.forget(full)
    # the warm-up's dry admission (OrderGate.judge_limit) judges as the gate does, and records nothing
    books = lambda: (w.store.live, w.store.slots_used, w.gate.deferred, w.gate.passed, w.counts.total)  # noqa: E731
    before = books()
    judged = w.gate.judge_limit(symbol, side, qty, price, tif, False) if tif is not None else None
    assert books() == before
    fast = w.fast(symbol, side, qty, price, tif, reduce_only=reduce_only)
    event("admitted" if isinstance(full, int) else f"refused: {getattr(full, 'rule', type(full).__name__)}")
    # a reduce-only order is judged with the reduce-only orders open on its side: the full path's alone
    assert (fast is not None) == (isinstance(full, int) and not reduce_only), (full, fast)
    if judged is not None and not reduce_only:
        event(f"judged dry: {judged}")
        assert judged == (fast is not None), (judged, fast)
    if fast is not None:
        a, b = w.store.order(fast), w.store.order(full)
        assert (a.instrument, a.side, a.order_type, a.tif, a.qty_raw, a.price_raw) == (
            b.instrument, b.side, b.order_type, b.tif, b.qty_raw, b.price_raw)
        assert w.tracker.spec(fast).reduce_only == reduce_only


# -- amendments: OrderGate.amend_pass against Admission.amendment -----------------------------------------
def _resting(w: World, symbol: str, side, qty: str, price: str, filled_raw: int = 0, reduce_only: bool = False):
    """A limit order the full path admitted, acknowledged by the venue and filled ``filled_raw`` (its slot)."""
    slot = w.full(symbol, side, qty, price, reduce_only=reduce_only)
    assert isinstance(slot, int), slot
    w.store.apply(slot, ExecType.EXEC_NEW, OrderState.NEW, 0, 0, -1, -1, 0, -1, 0)
    if filled_raw:
        w.store.apply(slot, ExecType.EXEC_TRADE, OrderState.PARTIALLY_FILLED, filled_raw, w.store.order(slot).price_raw,
                      -1, 7, 0, -1, 0)
    return slot


def _full_amend(w: World, slot: int, qty, price):
    try:
        return w.adm.amendment(slot, qty, price)
    except Exception as exc:      # noqa: BLE001 - the outcome under comparison
        return exc


def test_the_gate_judges_a_plain_amendment_as_the_full_path_and_defers_the_rest():
    w = World(RiskLimits(max_order_qty="1"))
    slot = _resting(w, "BTCUSDT", Side.BUY, "0.5", "60000")
    assert w.gate.amend_pass(slot, "0.6", None)
    assert (w.gate.amend_qty, w.gate.amend_price, w.gate.amended_qty, w.gate.amended_price) == (
        w.adm.amendment(slot, "0.6", None)) == (6 * E8 // 10, 0, 6 * E8 // 10, 60_000 * E8)
    assert w.gate.amend_pass(slot, None, 59_000)                          # an int price
    assert (w.gate.amend_qty, w.gate.amend_price) == (0, 59_000 * E8)
    deferred = w.gate.deferred
    for qty, price, error in [("2", None, RiskRejected), (None, None, ValueError), ("0.5", "60000", ValueError),
                              (Decimal("0.6"), None, None), (0.6, None, TypeError), ("-1", None, ValueError),
                              (None, "60000.001", RiskRejected)]:
        assert not w.gate.amend_pass(slot, qty, price)
        outcome = _full_amend(w, slot, qty, price)
        assert (isinstance(outcome, error) if error else isinstance(outcome, tuple)), (qty, price, outcome)
    assert w.gate.deferred == deferred + 7
    w.adm.halted = True
    assert not w.gate.amend_pass(slot, "0.6", None)
    assert isinstance(_full_amend(w, slot, "0.6", None), EngineHalted)
    w.adm.halted = False
    pending = w.full("BTCUSDT", Side.BUY, "0.1", "60000")                 # not yet acknowledged: the full path
    assert not w.gate.amend_pass(pending, "0.2", None)
    w.adm.set_reference(w.btc, 60_000 * E8)
    market = w.full("BTCUSDT", Side.BUY, "0.1", "60000", tif=None)
    assert isinstance(market, int), market
    w.store.apply(market, ExecType.EXEC_NEW, OrderState.NEW, 0, 0, -1, -1, 0, -1, 0)
    assert not w.gate.amend_pass(market, "0.2", None)                     # not a limit order
    w.store.apply(slot, ExecType.EXEC_CANCELED, OrderState.CANCELLED, 0, 0, -1, -1, 0, -1, 0)
    assert not w.gate.amend_pass(slot, "0.6", None)                       # ended


def test_a_replacement_is_judged_whole_where_the_amendment_was_judged_on_what_it_adds():
    """Balance 70,000: 1 BTC resting at 60,000 amended to 1.1 at 65,000 adds 11,500 (passes), but its
    replacement needs 71,500 whole: refused by both paths alike."""
    w = World(balance=70_000)
    slot = _resting(w, "BTCUSDT", Side.BUY, "1", "60000")
    assert w.gate.amend_pass(slot, "1.1", "65000")
    assert _same_replacement(w, slot, "BTCUSDT", _full_amend(w, slot, "1.1", "65000")) == (
        "replacement refused: balance")


def test_the_gate_leaves_the_replacement_of_a_tagged_order_to_the_full_path():
    w = World()
    tagged = _resting(w, "BTCUSDT", Side.BUY, "0.5", "60000")
    w.store.apply(tagged, ExecType.EXEC_CANCELED, OrderState.CANCELLED, 0, 0, -1, -1, 0, -1, 0)
    spec = w.adm.admit("BTCUSDT", w.btc, int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC), E8 // 2,
                       60_000 * E8, client_tag="grid")
    w.store.apply(spec.slot, ExecType.EXEC_NEW, OrderState.NEW, 0, 0, -1, -1, 0, -1, 0)
    assert w.gate.amend_pass(spec.slot, None, "59000")
    deferred, opened = w.gate.deferred, w.tracker.open_count()
    assert w.gate.replace_spec(spec.slot, "BTCUSDT") is None                # its tag: the full path carries it
    assert (w.gate.deferred, w.tracker.open_count()) == (deferred + 1, opened)
    plain = _resting(w, "BTCUSDT", Side.BUY, "0.5", "60000")
    assert w.gate.amend_pass(plain, None, "59000")
    new = w.gate.replace_spec(plain, "BTCUSDT")
    assert (new.qty_raw, new.price_raw, new.order_type) == (E8 // 2, 59_000 * E8, int(OrderType.LIMIT))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    symbol=st.sampled_from(["BTCUSDT", "ETHUSDT"]),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    filled=st.sampled_from([0, 1, 5]),                   # tenths of the order filled
    qty=st.one_of(st.none(), st.integers(min_value=1, max_value=30_000).map(lambda n: _text(n, 3)),
                  st.integers(min_value=1, max_value=20)),
    price=st.one_of(st.none(), st.integers(min_value=250_000, max_value=7_000_000).map(lambda n: _text(n, 2)),
                    st.sampled_from(["60000", "3000", "64000", "0.001"])),
    reference=st.sampled_from([0, 60_000 * E8, 3_000 * E8]),
    open_orders=st.integers(min_value=0, max_value=4),
    limits=limit_sets("2"),
    balance=st.sampled_from([70_000, 10_000_000]),
)
def test_the_gate_passes_exactly_the_amendments_the_full_path_passes(symbol, side, filled, qty, price, reference,
                                                                    open_orders, limits, balance):
    w = World(balance=balance)
    inst = w.reg.id(symbol)
    order_price = "60000" if symbol == "BTCUSDT" else "3000"
    slot = _resting(w, symbol, side, "1", order_price, filled_raw=filled * E8 // 10)
    for _ in range(open_orders):
        w.tracker.record(inst, symbol, int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC), E8 // 1000,
                         50_000 * E8)
    w.risk.set_limits(RiskLimits(**limits))                 # (after the order: it rests whatever they say now)
    if reference:
        w.adm.set_reference(inst, reference)
    full = _full_amend(w, slot, qty, price)
    fast = w.gate.amend_pass(slot, qty, price)
    event("passed" if isinstance(full, tuple) else f"refused: {getattr(full, 'rule', type(full).__name__)}")
    assert fast == isinstance(full, tuple), (full, fast)
    if fast:
        assert (w.gate.amend_qty, w.gate.amend_price, w.gate.amended_qty, w.gate.amended_price) == full
        event(_same_replacement(w, slot, symbol, full))


def _same_replacement(w: World, slot: int, symbol: str, amendment: tuple) -> str:
    """A cancel-replace venue's replacement of the amended order: the gate's ``replace_spec`` admits exactly
    what the engine's full path admits (``Admission.admit`` with ``replacing=1``), with the same values.
    Returns what became of it."""
    o, spec = w.store.order(slot), w.tracker.spec(slot)
    _, _, new_qty, new_price = amendment
    try:
        full = w.adm.admit(symbol, o.instrument, spec.side, spec.order_type, spec.tif, new_qty - o.filled_raw,
                           new_price, spec.stop_raw, spec.trailing_raw, spec.reduce_only, replacing=1)
    except Exception as exc:      # noqa: BLE001 - the outcome under comparison
        full = exc
    outcome = "replacement " + ("admitted" if not isinstance(full, Exception) else
                                f"refused: {getattr(full, 'rule', type(full).__name__)}")
    opened = w.tracker.open_count()
    if not isinstance(full, Exception):
        values = (full.side, full.order_type, full.tif, full.qty_raw, full.price_raw, full.reduce_only)
        w.forget(full.slot)
        opened -= 1
    new = w.gate.replace_spec(slot, symbol)
    assert (new is None) == isinstance(full, Exception), (full, new)
    if new is None:
        assert w.tracker.open_count() == opened                   # nothing recorded
        return outcome
    assert (new.side, new.order_type, new.tif, new.qty_raw, new.price_raw, new.reduce_only) == values
    assert new.client_id != spec.client_id and new.symbol == symbol
    assert w.tracker.spec(new.slot) is new and w.tracker.open_count() == opened + 1
    return outcome


def test_the_dry_checks_of_a_written_order_record_nothing_and_read_the_store_s_next_slot_unchanged():
    """``judge_spec`` (the warm-up of an order the writer wrote) passes the checks the order passed and fails
    those it would now fail; ``OrderStore.warm_next`` reads the next slot and changes nothing."""
    w = World(RiskLimits(max_order_qty="0.05"))
    slot = w.fast("BTCUSDT", "BUY", "0.01", "60000")
    spec = w.tracker.spec(slot)
    books = (w.store.live, w.store.slots_used, w.gate.deferred, w.gate.passed, w.counts.total)
    assert w.gate.judge_spec(spec) is True
    big = w.tracker.spec(slot)
    big.qty_raw = E8 // 10                      # over max_qty: the checks fail, as the admission's would
    assert w.gate.judge_spec(big) is False
    big.symbol = "NOPE"
    assert w.gate.judge_spec(big) is False
    assert (w.store.live, w.store.slots_used, w.gate.deferred, w.gate.passed, w.counts.total) == books
    nxt = w.store.slots_used
    w.store.warm_next()
    assert w.fast("BTCUSDT", "BUY", "0.01", "60000") == nxt and w.store.live == books[0] + 1
