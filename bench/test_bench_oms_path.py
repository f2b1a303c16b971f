"""Micro benchmarks of the order manager's compiled pieces, each beside the Python it replaced (same run).

Run: python -m pytest bench/test_bench_oms_path.py --benchmark-enable --benchmark-max-time=0.3

- ``view``: an order view made in C (``engine._order_view.order_view``) against the frozen dataclass with its
  Decimals built at once that the order manager made before (kept here as the baseline).
- ``stream``: one order's life on the stream (created, its NEW and CANCELED reports) through the compiled loop
  (``engine._record_loop.RecordLoop``: parse, apply, the tracker's books) against the floor of the same
  records parsed and applied with no bookkeeping at all.  The difference is what keeping the books costs.
- ``fill``: an order's life on an Engine's stream (its NEW report, then a TRADE report that fills it) with
  the fill settled in C by the compiled loop (``RecordLoop.settle_fills``: counted, the reference price, the
  order's events made in C) against the same fill handed to the stream applier's Python step
  (``StreamApplier.after_apply``) it replaced; with nobody listening and with a ``filled`` subscriber; and the
  floor: the same reports parsed and applied with no bookkeeping.  The engine's venue is in-process
  (``tests.support.in_process_venue``): no socket, the engine alone.
- ``balances``: a spot balance message's rows into the compiled account in one call
  (``BalanceParser.apply_spot``) against reading them row by row from Python, as the account book did.
- ``frames``: a user-data event on Binance's WebSocket API session sorted in C from the socket's buffer
  (``engine._binance_frames.BinanceFrames``, here fed from bytes) against the Python rules it replaced (the
  session handler's fast path before it, kept here as the baseline), both handing the event on to the same
  C callable.
- ``marked-frames``: a Bybit private-stream push sorted in C by its mark (``engine._marked_frames.MarkedFrames``,
  here fed from bytes; Bybit's private stream and Binance USD-M's user stream use it) against the Python rule it
  replaced (the streams' ``_on_message`` before it, kept here as the baseline), both handing the push on to the
  same C callable.
- ``amend``: an amendment of a resting limit order judged by the compiled gate (``OrderGate.amend_pass``, what
  the compiled order entry's ``amend`` runs before the write) against the Python admission's
  ``Admission.amendment`` (the engine's path for what the gate does not judge whole), same checks.
- ``replace``: an amendment by cancel-replace (Binance spot) up to the bytes of each leg's answer: the
  amendment judged and the replacement admitted by the compiled gate (``amend_pass`` + ``replace_spec``) and
  the venue's answer split in C (``cancel_replace_legs``), against the Python path (``Admission.amendment`` +
  ``Admission.admit(replacing=1)``, the answer read with ``json.loads`` and each leg written back with
  ``json.dumps``, as the adapter does).  Both record the replacement and drop it again (``tracker.reject``).
- ``lower``: a quantity lowered in place (Binance spot's keepPriority) up to the order's answer in the parser:
  the amendment judged by the compiled gate (``amend_pass``) and the answer's ``amendedOrder`` found in C
  (``amended_order``) for the compiled parser, against ``Admission.amendment`` and the answer read with
  ``json.loads`` (its client id checked, its quantities as ``Decimal``).
- ``breaker``: a success counted by the circuit breaker's compiled window (``engine._breaker_window``, what the
  compiled order entry calls per acknowledged order) against the Python rules it replaced (kept here as the
  baseline: the breaker's ``record_success`` before its counts were compiled).
"""

import json
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest

from engine._account import Account
from engine._breaker_window import BreakerWindow
from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import to_decimal
from engine._histogram import LatencyHistogram
from engine._instruments import ContractType, Instruments
from engine._marked_frames import MarkedFrames
from engine._oms_apply import RecordApplier
from engine._order_gate import OpenCounts
from engine._order_store import OrderStore
from engine._order_view import order_view
from engine._parse_balances import BalanceParser
from engine._parse_binance import BinanceParser
from engine._positions import PositionBook
from engine._record_loop import RecordLoop
from engine.oms.events import EventKind

E8 = 100_000_000


@pytest.fixture
def world():
    reg = Instruments(8)
    inst = reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.00001", min_qty="0.00001",
                   max_qty="9000")
    return reg, inst, OrderStore(1024, venue="binance-spot", session="ABCDEFGHIJKLM", retention_ns=0)


# -- view ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _DataclassOrder:
    client_order_id: str
    exchange_order_id: object
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    state: OrderState
    quantity: Decimal
    price: Decimal | None
    stop_price: Decimal | None
    filled: Decimal
    average_price: Decimal | None
    fee: Decimal
    fee_asset: str | None
    reduce_only: bool
    reject_code: int
    slot: int


_ZERO = to_decimal(0)


_SIDE = {int(v): v for v in Side}
_TYPE = {int(v): v for v in OrderType}
_TIF = {int(v): v for v in TimeInForce}
_STATE = {int(v): v for v in OrderState}


def _dataclass_view(row, symbol, names, slot):
    """The Python half of the order manager's view before it was compiled, given the store's row as the tuple
    the store handed it (reading the row, a C call, is left out: the baseline is flattered, not the engine)."""
    (client_id, exchange_id, inst, side, order_type, tif, state, qty, price, stop, filled, cum_quote, fee,
     fee_asset, reduce_only, reject_code) = row
    return _DataclassOrder(
        client_id, exchange_id, symbol, _SIDE[side], _TYPE[order_type], _TIF[tif], _STATE[state],
        to_decimal(qty), to_decimal(price) if price else None, to_decimal(stop) if stop else None,
        to_decimal(filled) if filled else _ZERO,
        to_decimal(cum_quote * 100_000_000 // filled) if filled else None, to_decimal(fee) if fee else _ZERO,
        names[fee_asset] if 0 <= fee_asset < len(names) else None, reduce_only, reject_code, slot)


@pytest.mark.benchmark(group="view")
def test_order_view_compiled(steady, world):
    reg, inst, store = world
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    steady(order_view, store, reg, slot)


@pytest.mark.benchmark(group="view")
def test_order_view_dataclass_baseline(steady, world):
    reg, inst, store = world
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    row = (store.client_id(slot), None, inst, int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC),
           int(OrderState.PENDING), E8, 50_000 * E8, 0, 0, 0, 0, -1, False, 0)
    view = steady(_dataclass_view, row, "BTCUSDT", reg.asset_names, slot)
    assert view.quantity == order_view(store, reg, slot).quantity


# -- stream ----------------------------------------------------------------------------------------------------
def _report(x, filled="0", trade=-1):
    X = "FILLED" if x == "TRADE" else x
    return json.dumps({"e": "executionReport", "E": 1, "s": "BTCUSDT", "c": "@CID@", "S": "BUY", "o": "LIMIT",
                       "f": "GTC", "q": "1.00000000", "p": "50000.00000000", "P": "0", "F": "0", "g": -1, "C": "",
                       "x": x, "X": X, "r": "NONE", "i": 4242, "l": filled, "z": filled,
                       "L": "50000.00000000" if filled != "0" else "0",
                       "n": "0", "N": None, "T": 2, "t": trade, "w": x == "NEW", "m": False, "O": 1, "Z": "0",
                       "Y": "0", "Q": "0"}).encode()


NEW, CANCELED = _report("NEW"), _report("CANCELED")
_LATER = 2**62          # ns: every ended order's retention has passed


def _life(store, inst, step):
    """One order: created, its two reports through ``step``, its slot reclaimed for the next round."""
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    cid = store.client_id_bytes(slot)
    step(slot, NEW.replace(b"@CID@", cid))
    step(slot, CANCELED.replace(b"@CID@", cid))
    store.reclaim(_LATER)


@pytest.mark.benchmark(group="stream")
def test_order_life_through_the_compiled_loop(steady, world):
    reg, inst, store = world
    parser, counts, open_set = BinanceParser(), OpenCounts(8), {}
    loop = RecordLoop(parser, RecordApplier(store, reg), store, counts, open_set, set(), {}, {}, [], [],
                      LatencyHistogram(), None, None, None)

    def step(slot, payload):
        if slot not in open_set:            # the tracker files a new order as the gate admits it
            open_set[slot] = inst
            counts.opened(inst)
        loop.run(payload)

    steady(_life, store, inst, step)
    assert not open_set and counts.total == 0


@pytest.mark.benchmark(group="stream")
def test_order_life_parse_and_apply_floor(steady, world):
    reg, inst, store = world
    parser, applier = BinanceParser(), RecordApplier(store, reg)

    def step(slot, payload):
        parser.parse(payload)
        parser.next_record()
        applier.apply(parser, 1)

    steady(_life, store, inst, step)


# -- fill ------------------------------------------------------------------------------------------------------
FILLED = _report("TRADE", "1.00000000", 7)


@pytest.fixture
def offline_engine():
    """A started Engine over an in-process venue (no socket); its stream fed by hand."""
    from tests.support.in_process_venue import started_engine
    with started_engine() as eng:
        yield eng


def _fill_life(eng, inst, on_message):
    """One order: created, its NEW and its filling TRADE report through the engine's stream, its slot reclaimed."""
    store = eng.store
    slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
    cid = store.client_id_bytes(slot)
    on_message(NEW.replace(b"@CID@", cid))
    on_message(FILLED.replace(b"@CID@", cid))
    store.reclaim(_LATER)


def _fills(steady, eng, in_c, listen):
    if not in_c:
        eng.stream.loop.settle_fills(None, None, None, False)      # the Python step, as before
    got = []
    if listen:
        eng.on(got.append, kinds={EventKind.FILLED})
    inst = eng.admission.instrument("BTCUSDT")
    handed = eng.stream.loop.handed
    steady(_fill_life, eng, inst, eng.stream.on_message)
    assert eng.metrics.filled > 0 and eng.tracker.open_count() == 0
    assert (eng.stream.loop.handed == handed) == in_c            # each fill went the way the row names
    assert bool(got) == listen and eng.admission.gate.reference_of(inst) == 50_000 * E8


@pytest.mark.benchmark(group="fill")
def test_fill_settled_in_c(steady, offline_engine):
    _fills(steady, offline_engine, True, False)


@pytest.mark.benchmark(group="fill")
def test_fill_parse_and_apply_floor(steady, world):
    """The same two reports parsed and applied to a store with no bookkeeping at all (the floor)."""
    reg, inst, store = world
    parser, applier = BinanceParser(), RecordApplier(store, reg)

    def life():
        slot = store.create(inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
        cid = store.client_id_bytes(slot)
        for report in (NEW, FILLED):
            parser.parse(report.replace(b"@CID@", cid))
            parser.next_record()
            applier.apply(parser, 1)
        store.reclaim(_LATER)

    steady(life)
    assert applier.counters()["applied"] > 0


@pytest.mark.benchmark(group="fill")
def test_fill_python_step_baseline(steady, offline_engine):
    _fills(steady, offline_engine, False, False)


@pytest.mark.benchmark(group="fill")
def test_fill_settled_in_c_to_a_subscriber(steady, offline_engine):
    _fills(steady, offline_engine, True, True)


@pytest.mark.benchmark(group="fill")
def test_fill_python_step_to_a_subscriber_baseline(steady, offline_engine):
    _fills(steady, offline_engine, False, True)


# -- balances --------------------------------------------------------------------------------------------------
BALANCES = json.dumps({"e": "outboundAccountPosition", "E": 1, "u": 1,
                       "B": [{"a": "BTC", "f": "1000.00000000", "l": "0.00000000"},
                             {"a": "USDT", "f": "99999520.00000000", "l": "480.00000000"}]}).encode()


@pytest.fixture
def account():
    reg = Instruments(4)
    reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT)
    return reg, Account(reg, PositionBook(4))


@pytest.mark.benchmark(group="balances")
def test_spot_balances_applied_in_one_call(steady, account):
    reg, acc = account
    p, names = BalanceParser(), reg.asset_names

    def read():
        p.parse(BALANCES)
        p.apply_spot(acc, names)

    steady(read)


@pytest.mark.benchmark(group="balances")
def test_spot_balances_row_by_row_baseline(steady, account):
    reg, acc = account
    p, asset_id, apply = BalanceParser(), reg.asset_id, acc.apply_balance

    def read():
        n = p.parse(BALANCES)
        for i in range(n):
            apply(asset_id(p.asset(i)), p.first_raw(i), p.second_raw(i))

    steady(read)


# -- frames ----------------------------------------------------------------------------------------------------
EVENT = json.dumps({"subscriptionId": 0, "event": {"e": "executionReport", "E": 1, "s": "BTCUSDT", "c": "x",
                                                   "X": "NEW", "i": 1}}, separators=(",", ":")).encode()


@pytest.fixture
def ws_api():
    from engine.config import VenueConfig
    from engine.venues.binance.ws_orders import BinanceWsApi

    cfg = VenueConfig.local("binance-spot", "http://127.0.0.1:9", "k" * 64, "s" * 64)
    api = BinanceWsApi(cfg, None, on_event=len)
    api.inflight.pending[1] = None          # a request waiting: both take the answer check first
    return api


@pytest.mark.benchmark(group="frames")
def test_binance_event_sorted_in_c(steady, ws_api):
    steady(ws_api.frames.feed, EVENT)


class _PythonRules:
    """The session handler's fast path as Python ran it before the compiled sorter (the baseline): the same
    attribute reads and counting per frame."""

    def __init__(self, api):
        self.inflight, self.on_event, self.other, self.events = api.inflight, api.on_event, api._on_other, 0

    def on_message(self, payload, is_text):
        pending = self.inflight.pending
        if pending and payload.startswith(b'{"id":'):
            end = payload.find(b",", 6, 32)
            if end > 6 and payload.startswith(b'"status":200,', end + 1):
                try:
                    fut = pending.pop(int(payload[6:end]))
                except (KeyError, ValueError):
                    pass
                else:
                    if not fut.done():
                        fut.set_result(payload)
                    return
        elif payload.find(b'"subscriptionId"', 0, 32) >= 0:
            self.events += 1
            if self.on_event is not None:
                self.on_event(payload)
            return
        self.other(payload, is_text)


@pytest.mark.benchmark(group="frames")
def test_binance_event_python_handler_baseline(steady, ws_api):
    steady(_PythonRules(ws_api).on_message, EVENT, True)


# -- marked frames ---------------------------------------------------------------------------------------------
PUSH = json.dumps({"topic": "order", "id": "5923240c6880ab-c59f-420b-9adb-3639adc9dd90", "creationTime": 1,
                   "data": [{"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "x", "orderStatus": "New"}]},
                  separators=(",", ":")).encode()


@pytest.mark.benchmark(group="marked-frames")
def test_bybit_push_sorted_in_c(steady):
    frames = MarkedFrames(b'"topic"', 64, len, len)
    steady(frames.feed, PUSH)
    assert frames.marked > 0 and frames.others == 0


class _PythonMarks:
    """The private stream's frame rule as Python ran it before the compiled sorter (the baseline): the same
    head search and counting per frame."""

    def __init__(self, on_push, other):
        self.on_push, self.other, self.pushes = on_push, other, 0

    def on_message(self, payload, is_text):
        if payload.find(b'"topic"', 0, 64) >= 0:
            self.pushes += 1
            self.on_push(payload)
            return
        self.other(payload, is_text)


@pytest.mark.benchmark(group="marked-frames")
def test_bybit_push_python_rule_baseline(steady):
    rules = _PythonMarks(len, lambda payload, is_text: None)
    steady(rules.on_message, PUSH, True)
    assert rules.pushes > 0


# -- breaker ---------------------------------------------------------------------------------------------------
class _PythonCounts:
    """The breaker's success counting before it was compiled (the baseline), CLOSED."""

    def __init__(self, window_s=60.0, buckets=12):
        self._n_buckets, self._slice_s = buckets, window_s / buckets
        self._req = [0] * buckets
        self._slice, self._slice_end, self._at = 0, 0.0, 0
        self._win_req = self._consecutive = self.total_successes = 0
        self._clock = time.monotonic

    def record_success(self):
        self.total_successes += 1
        self._consecutive = 0
        now = self._clock()
        self._req[self._at if now < self._slice_end else self._advance(now)] += 1
        self._win_req += 1

    def _advance(self, now):
        s = int(now // self._slice_s)
        if s > self._slice:
            for k in range(self._slice + 1, s + 1):
                j = k % self._n_buckets
                self._win_req -= self._req[j]
                self._req[j] = 0
            self._slice, self._slice_end, self._at = s, (s + 1) * self._slice_s, s % self._n_buckets
        return self._slice % self._n_buckets


def test_breaker_success_compiled(steady):
    w = BreakerWindow(60.0, 12)
    steady(lambda: w.success(time.monotonic()))
    assert w.total_successes > 0 and w.consecutive == 0


def test_breaker_success_python_baseline(steady):
    steady(_PythonCounts().record_success)


# -- amend --------------------------------------------------------------------------------------------------------
@pytest.fixture
def amend_world():
    """One resting limit order and the two judges of its amendment over one store: the compiled gate and the
    Python admission (every check of a placement, the balance for what the amendment adds)."""
    from engine.oms.admission import Admission
    from engine.oms.breaker import CircuitBreaker
    from engine.oms.risk import RiskEngine, RiskLimits
    from engine.oms.tracker import OrderTracker
    from engine._order_gate import OrderGate
    from tests.support.accounts import TwoInstrumentAccount

    acct = TwoInstrumentAccount()
    store = OrderStore(256, venue="binance-spot", retention_ns=0)        # (a replacement dropped frees its slot)
    counts = OpenCounts(16)
    tracker = OrderTracker(store, acct.reg, counts)
    risk = RiskEngine(RiskLimits(max_order_qty="10", price_band="0.1"), acct.reg, acct.acc, acct.book)
    gate = OrderGate(acct.reg, store, acct.acc, acct.book, counts)
    risk.attach_gate(gate)
    adm = Admission("binance-spot", acct.reg, tracker, risk, CircuitBreaker(), gate)
    adm.set_reference(acct.btc, 60_000 * E8)
    spec = adm.fast_limit("BTCUSDT", Side.BUY, "0.5", "60000", "GTC", False, False, None)
    store.apply(spec.slot, 1, int(OrderState.NEW), 0, 0, -1, -1, 0, -1, 0)
    return gate, adm, spec.slot


@pytest.mark.benchmark(group="amend")
def test_amend_judged_by_the_compiled_gate(steady, amend_world):
    gate, _, slot = amend_world
    steady(lambda: gate.amend_pass(slot, "0.6", "60010.5"))
    assert gate.amended_qty == 60_000_000


@pytest.mark.benchmark(group="amend")
def test_amend_judged_by_the_python_admission_baseline(steady, amend_world):
    _, adm, slot = amend_world
    steady(lambda: adm.amendment(slot, "0.6", "60010.5"))
    assert adm.amendment(slot, "0.6", "60010.5")[2] == 60_000_000


# -- amend by cancel-replace ----------------------------------------------------------------------------------------
def _replace_answer() -> bytes:
    from tests.ext.test_cancel_replace_legs import ANSWER
    return ANSWER


@pytest.fixture
def replace_world(amend_world):
    gate, adm, slot = amend_world
    return gate, adm, slot, adm.tracker, adm.tracker.spec(slot), _replace_answer()


@pytest.mark.benchmark(group="replace")
def test_replace_admitted_by_the_gate_and_split_in_c(steady, replace_world):
    from engine._binance_writer import cancel_replace_legs
    gate, _, slot, tracker, _, answer = replace_world

    def once():
        gate.amend_pass(slot, None, "60010.5")
        tracker.reject(gate.replace_spec(slot, "BTCUSDT").slot)
        return cancel_replace_legs(answer, b"bot-new_2")
    steady(once)
    assert len(once()[1]) > 100


@pytest.mark.benchmark(group="replace")
def test_replace_admitted_and_read_by_the_python_path_baseline(steady, replace_world):
    _, adm, slot, tracker, spec, answer = replace_world
    inst = adm.instrument("BTCUSDT")

    def once():
        _, _, qty, price = adm.amendment(slot, None, "60010.5")
        new = adm.admit("BTCUSDT", inst, spec.side, spec.order_type, spec.tif, qty, price, replacing=1)
        tracker.reject(new.slot)
        doc = json.loads(answer)
        return json.dumps(doc["cancelResponse"]).encode(), json.dumps(doc["newOrderResponse"]).encode()
    steady(once)
    assert len(once()[1]) > 100


# -- a quantity lowered in place (keepPriority) -----------------------------------------------------------------
@pytest.fixture
def lower_world(amend_world):
    from tests.ext.test_amended_order import ANSWER
    gate, adm, slot = amend_world
    return gate, adm, slot, ANSWER


@pytest.mark.benchmark(group="lower")
def test_lower_judged_by_the_gate_and_read_in_c(steady, lower_world):
    from engine._binance_writer import amended_order
    from engine._parse_binance import BinanceParser
    gate, _, slot, answer = lower_world
    parser = BinanceParser()

    def once():
        gate.amend_pass(slot, "0.4", None)
        parser.parse(amended_order(answer, b"bot-keep_1"))
        return parser
    steady(once)
    assert once().order_id == 33 and gate.amended_qty == 40_000_000


@pytest.mark.benchmark(group="lower")
def test_lower_judged_and_read_by_the_python_path_baseline(steady, lower_world):
    from decimal import Decimal
    _, adm, slot, answer = lower_world

    def once():
        adm.amendment(slot, "0.4", None)
        order = json.loads(answer)["amendedOrder"]
        if order["clientOrderId"] != "bot-keep_1":
            raise ValueError("another order")
        return order["orderId"], order["status"], Decimal(order["qty"]), Decimal(order["executedQty"])
    steady(once)
    assert once()[0] == 33

