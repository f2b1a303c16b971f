"""RecordLoop: stream records applied and the tracker's books kept in C; what only Python does handed back."""

import asyncio
import json
from decimal import Decimal

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._histogram import LatencyHistogram
from engine._instruments import ContractType, Instruments
from engine._oms_apply import ApplyStatus, OrderEvent, RecordApplier
from engine._order_gate import OpenCounts
from engine._order_store import OrderStore
from engine._parse_binance import BinanceParser
from engine._parse_common import ParseError
from engine._record_loop import RecordLoop

E8 = 100_000_000


def report(cid, x, X, l="0", L="0", z="0", t=-1, i=4242):
    return json.dumps({"e": "executionReport", "E": 1, "s": "BTCUSDT", "c": cid, "S": "BUY", "o": "LIMIT",
                       "f": "GTC", "q": "1.00000000", "p": "50000.00000000", "P": "0", "F": "0", "g": -1, "C": "",
                       "x": x, "X": X, "r": "NONE", "i": i, "l": l, "z": z, "L": L, "n": "0", "N": None, "T": 2,
                       "t": t, "w": X == "NEW", "m": False, "O": 1, "Z": "0", "Y": "0", "Q": "0"}).encode()


class World:
    def __init__(self):
        self.reg = Instruments(4)
        self.inst = self.reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.00001",
                                 min_qty="0.00001", max_qty="9000")
        self.store = OrderStore(256, venue="binance-spot")
        self.parser = BinanceParser()
        self.applier = RecordApplier(self.store, self.reg)
        self.counts = OpenCounts(4)
        self.open, self.dormant, self.waiters, self.brackets = {}, set(), {}, {}
        self.callbacks, self.streams = [], []
        self.hist = LatencyHistogram()
        self.other, self.handed, self.bad = [], [], []
        self.loop = RecordLoop(self.parser, self.applier, self.store, self.counts, self.open, self.dormant,
                               self.waiters, self.brackets, self.callbacks, self.streams, self.hist,
                               self.other.append, lambda payload, status: self.handed.append(status),
                               lambda payload, exc: self.bad.append(exc))

    def order(self):
        slot = self.store.create(self.inst, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 50_000 * E8)
        self.open[slot] = self.inst
        self.counts.opened(self.inst)
        return slot, self.store.client_id(slot)


def test_acknowledged_and_cancelled_orders_are_settled_in_c():
    w = World()
    slot, cid = w.order()
    w.loop.run(report(cid, "NEW", "NEW"))
    assert w.store.state_of(slot) == OrderState.NEW and w.open == {slot: w.inst} and w.counts.total == 1
    w.loop.run(report(cid, "CANCELED", "CANCELED"))
    assert w.store.state_of(slot) == OrderState.CANCELLED and w.open == {} and w.counts.total == 0
    assert (w.loop.settled, w.loop.handed, w.loop.cancelled, w.handed) == (2, 0, 1, [])
    assert w.hist.count == 2
    w.loop.run(report(cid, "CANCELED", "CANCELED"))          # the same again: changed nothing, settled
    assert w.loop.settled == 3 and w.loop.cancelled == 1


def test_what_only_python_does_is_handed_back_with_the_record_in_the_parser():
    w = World()
    slot, cid = w.order()
    w.loop.run(report(cid, "NEW", "NEW"))
    w.loop.run(report(cid, "TRADE", "PARTIALLY_FILLED", l="0.4", L="50000", z="0.4", t=7))   # a fill
    assert w.handed == [ApplyStatus.AP_APPLIED] and w.applier.fill_qty_raw == 40_000_000
    assert w.parser.to_dict()["client_id"] == cid                                             # still there
    w.loop.run(report("someone-else", "NEW", "NEW", i=999))                                   # not ours
    assert w.handed[-1] == ApplyStatus.AP_FOREIGN
    w.callbacks.append(print)                        # a listener, and no one to make its events: handed over
    w.loop.run(report(cid, "CANCELED", "CANCELED", z="0.4"))
    assert len(w.handed) == 3 and w.open == {slot: w.inst}     # handed over: the books are Python's to keep
    w.callbacks.clear()
    slot2, cid2 = w.order()
    w.brackets[slot2] = object()                                                              # a bracket's leg
    w.loop.run(report(cid2, "NEW", "NEW", i=4343))
    assert len(w.handed) == 4 and w.loop.settled == 1
    w.loop.run(b'{"e":"outboundAccountPosition","E":1,"u":1,"B":[]}')                        # no order record
    assert w.other and w.loop.settled == 1


def test_with_a_listener_the_books_are_kept_in_c_and_only_the_events_made_in_python():
    w = World()
    events = []
    loop = RecordLoop(w.parser, w.applier, w.store, w.counts, w.open, w.dormant, w.waiters, w.brackets, w.callbacks,
                      w.streams, w.hist, w.other.append, lambda payload, status: w.handed.append(status), None,
                      lambda slot, event, prev: events.append((slot, event, prev)))
    slot, cid = w.order()
    w.callbacks.append(print)
    loop.run(report(cid, "NEW", "NEW"))
    loop.run(report(cid, "CANCELED", "CANCELED"))
    assert events == [(slot, OrderEvent.EV_ACCEPTED, OrderState.PENDING), (slot, OrderEvent.EV_CANCELLED, OrderState.NEW)]
    assert w.open == {} and w.counts.total == 0 and loop.cancelled == 1 and w.handed == []
    loop.run(report(cid, "CANCELED", "CANCELED"))          # changed nothing: no event
    assert len(events) == 2


def test_waiters_are_woken_and_a_refused_message_raises_after_what_it_applied():
    async def main():
        w = World()
        slot, cid = w.order()
        fut = asyncio.get_running_loop().create_future()
        w.waiters[slot] = [fut]
        w.loop.run(report(cid, "NEW", "NEW"))
        assert fut.done() and w.waiters == {}
        w.loop.run(report(cid, "CANCELED", "CANCELED")[:-9])
        assert isinstance(w.bad[0], ParseError) and w.store.state_of(slot) == OrderState.NEW

    asyncio.run(main())


def test_before_the_start_order_records_wait_and_account_messages_are_read():
    w = World()
    slot, cid = w.order()
    early = RecordLoop(w.parser, None, w.store, w.counts, w.open, w.dormant, w.waiters, w.brackets, w.callbacks,
                       w.streams, w.hist, w.other.append, None, None)
    early.run(report(cid, "NEW", "NEW"))
    early.run(b'{"e":"outboundAccountPosition","E":1,"u":1,"B":[]}')
    assert w.store.state_of(slot) == OrderState.PENDING and len(w.other) == 1
    w.parser.parse(report(cid, "NEW", "NEW"))
    with pytest.raises(RuntimeError):
        early.answer(w.parser)
    early.start(w.applier)
    early.run(report(cid, "NEW", "NEW"))
    assert w.store.state_of(slot) == OrderState.NEW and early.settled == 1


def test_an_answer_is_finished_in_c_or_its_status_returned():
    w = World()
    slot, cid = w.order()
    w.parser.parse(report(cid, "NEW", "NEW"))
    assert w.loop.answer(w.parser) == -1 and w.store.state_of(slot) == OrderState.NEW
    w.parser.parse(report(cid, "TRADE", "FILLED", l="1", L="50000", z="1", t=9))
    assert w.loop.answer(w.parser) == ApplyStatus.AP_APPLIED and w.store.state_of(slot) == OrderState.FILLED
    assert w.open == {slot: w.inst}        # a fill: Python settles it (reference price, events, counts)


def test_a_settled_message_allocates_nothing():
    w = World()
    slot, cid = w.order()
    w.loop.run(report(cid, "NEW", "NEW"))
    again = report(cid, "NEW", "NEW")          # duplicate: applied as nothing, settled in C each time
    run = w.loop.run

    def call():
        run(again)

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0


def _balances(w):
    """The world's loop reading spot balance messages into a compiled account."""
    from engine._account import Account
    from engine._parse_balances import BalanceParser
    from engine._positions import PositionBook
    account = Account(w.reg, PositionBook(4))
    parser = BalanceParser()
    w.loop.read_spot_balances(parser, account, w.reg.asset_names)
    return account, parser


def position(asset, free, locked):
    return json.dumps({"e": "outboundAccountPosition", "E": 1, "u": 1,
                       "B": [{"a": asset, "f": free, "l": locked}]}).encode()


def test_spot_balance_messages_are_written_to_the_account_in_c_while_nobody_listens():
    w = World()
    account, parser = _balances(w)
    w.loop.run(position("BTC", "1.5", "0.25"))
    assert w.other == [] and parser.loop_reads == 1
    assert w.reg.asset_names[0] == "BTC" and account.spot_balances(w.reg.asset_names)["BTC"] == (150_000_000, 25_000_000)
    w.callbacks.append(print)                     # a listener: the account book reads it (its event made there)
    w.loop.run(position("BTC", "2", "0"))
    assert len(w.other) == 1 and parser.loop_reads == 1
    w.callbacks.clear()
    for unread in (position("DOGE", "1", "0"),                   # an asset not registered yet: registered there
                   b'{"e":"outboundAccountPosition","E":1,"B":[{"a":"BTC","f":"x1","l":"0"}]}',   # unreadable
                   b'{"e":"listenKeyExpired","E":1}'):           # not a balance message
        w.loop.run(unread)
    assert len(w.other) == 4 and parser.loop_reads == 1 and w.bad == []
    assert account.spot_balances(w.reg.asset_names)["BTC"] == (150_000_000, 25_000_000)   # nothing half-applied
    w.loop.read_spot_balances(None, None, None)                  # switched off: all to on_other again
    w.loop.run(position("BTC", "3", "0"))
    assert len(w.other) == 5
    with pytest.raises(ValueError):
        w.loop.read_spot_balances(parser, None, None)


def test_a_spot_balance_message_read_in_c_allocates_nothing():
    w = World()
    account, parser = _balances(w)
    msg = position("USDT", "1000.5", "10")
    run = w.loop.run

    def call():
        run(msg)

    call()
    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0
    assert w.other == [] and parser.loop_reads > 1


def wallet(coin, balance, order_im="0"):
    return json.dumps({"topic": "wallet", "creationTime": 1, "data": [{"accountType": "UNIFIED", "coin": [
        {"coin": coin, "walletBalance": balance, "unrealisedPnl": "0", "totalPositionIM": "0",
         "totalOrderIM": order_im, "locked": "0"}]}]}).encode()


def test_futures_wallet_messages_are_written_to_the_account_in_c_while_nobody_listens():
    from engine._account import Account
    from engine._parse_balances import BalanceParser
    from engine._positions import PositionBook
    w = World()
    account, parser = Account(w.reg, PositionBook(4)), BalanceParser()
    w.loop.read_futures_balances(parser, account, w.reg.asset_names)
    w.loop.run(wallet("USDT", "1000", "12.5"))
    assert w.other == [] and parser.loop_reads == 1
    assert account.futures_balances(w.reg.asset_names) == {"USDT": (987_50000000, 1000 * E8)}
    assert account.spot_balances(w.reg.asset_names) == {}              # not read as spot rows
    w.callbacks.append(print)                     # a listener: the account book reads it
    w.loop.run(wallet("USDT", "2000"))
    assert len(w.other) == 1 and parser.loop_reads == 1
    w.callbacks.clear()
    for unread in (wallet("DOGE", "1"),                                   # not registered yet
                   wallet("USDT", "-92233720368", "1"),                   # an available balance that does not fit
                   b'{"topic":"position","data":[{"symbol":"BTCUSDT","markPrice":"1"}]}'):   # not a wallet
        w.loop.run(unread)
    assert len(w.other) == 4 and parser.loop_reads == 1 and w.bad == []
    assert account.futures_balances(w.reg.asset_names) == {"USDT": (987_50000000, 1000 * E8)}
    msg, run = wallet("USDT", "1000.5", "10"), w.loop.run

    def call():
        run(msg)

    call()
    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0
    assert len(w.other) == 4 and parser.loop_reads > 2


class FillWorld(World):
    """The world with fills settled in C (as the engine's stream applier gives them after its start)."""

    def __init__(self):
        super().__init__()
        import numpy as np
        self.reference = np.zeros(4, dtype=np.int64)
        self.child_of, self.after = {}, []
        self.loop.settle_fills(self.reference, self.child_of, lambda: self.after.append(1), None)


def test_a_fill_is_settled_in_c_its_price_the_reference_the_order_counted_filled():
    w = FillWorld()
    slot, cid = w.order()
    w.loop.run(report(cid, "NEW", "NEW"))
    w.loop.run(report(cid, "TRADE", "PARTIALLY_FILLED", l="0.4", L="50000.5", z="0.4", t=7))
    assert w.handed == [] and w.reference[w.inst] == 50_000_50_000_000 and w.loop.filled == 0
    assert w.open == {slot: w.inst} and w.counts.total == 1
    w.loop.run(report(cid, "TRADE", "FILLED", l="0.6", L="49999", z="1", t=8))
    assert w.handed == [] and w.reference[w.inst] == 49_999 * E8 and w.loop.filled == 1
    assert w.store.state_of(slot) == OrderState.FILLED and w.open == {} and w.counts.total == 0
    assert w.loop.settled == 3 and w.after == []          # nobody listens: no step after a fill event
    w.loop.run(report(cid, "TRADE", "FILLED", l="0.6", L="1", z="1", t=8))      # the same fill again: nothing
    assert w.reference[w.inst] == 49_999 * E8 and w.loop.filled == 1


def test_a_fill_python_must_see_is_handed_over():
    w = FillWorld()
    slot, cid = w.order()
    w.loop.run(report(cid, "NEW", "NEW"))
    w.child_of[slot] = 99                   # a child whose fills its parent shows
    w.loop.run(report(cid, "TRADE", "PARTIALLY_FILLED", l="0.1", L="50000", z="0.1", t=1))
    assert w.handed == [ApplyStatus.AP_APPLIED] and w.reference[w.inst] == 0
    w.child_of.clear()
    w.callbacks.append(print)               # someone listens, and no OrderEvents to make the fill's events
    w.loop.run(report(cid, "TRADE", "PARTIALLY_FILLED", l="0.1", L="50000", z="0.2", t=2))
    assert len(w.handed) == 2 and w.reference[w.inst] == 0
    w.callbacks.clear()
    w.loop.run(report(cid, "TRADE", "PARTIALLY_FILLED", l="0.1", L="50000", z="0.3", t=3))     # nobody: in C
    assert len(w.handed) == 2 and w.reference[w.inst] == 50_000 * E8
    w.loop.settle_fills(None, None, None, None)            # switched off: handed to Python again
    w.loop.run(report(cid, "TRADE", "PARTIALLY_FILLED", l="0.1", L="50001", z="0.4", t=4))
    assert len(w.handed) == 3 and w.reference[w.inst] == 50_000 * E8
    with pytest.raises(ValueError):
        w.loop.settle_fills(w.reference, None, None, None)


@pytest.mark.parametrize("futures", [False, True], ids=["spot", "derivatives"])
def test_a_fill_with_a_listener_gets_its_events_in_c_then_the_step_after_a_fill(futures):
    from engine._events import OrderEvents
    from engine.oms.events import EventBus, EventKind
    from engine.oms.stream_apply import ORDER_EVENT_KINDS
    w = World()
    bus = EventBus()
    callbacks, streams = bus.listener_lists()
    got = []
    views = {}

    class View:
        symbol = "BTCUSDT"

    events = OrderEvents(bus, lambda slot: views.setdefault(slot, View()), ORDER_EVENT_KINDS, EventKind.ACCEPTED)
    import numpy as np
    reference, after = np.zeros(4, dtype=np.int64), []
    loop = RecordLoop(w.parser, w.applier, w.store, w.counts, w.open, w.dormant, w.waiters, w.brackets, callbacks,
                      streams, w.hist, w.other.append, lambda payload, status: w.handed.append(status), None, events)
    loop.settle_fills(reference, {}, lambda: after.append(len(got)), EventKind.POSITION_CHANGED if futures else None)
    take = bus.subscribe(lambda e: got.append((e.kind, e.order, e.data)),
                         kinds={EventKind.ACCEPTED, EventKind.FILLED, EventKind.PARTIALLY_FILLED})
    slot, cid = w.order()
    loop.run(report(cid, "NEW", "NEW"))
    loop.run(report(cid, "TRADE", "FILLED", l="1", L="50000", z="1", t=3))
    assert w.handed == [] and loop.filled == 1 and reference[w.inst] == 50_000 * E8
    assert got == [(EventKind.ACCEPTED, views[slot], {"fill_qty": None, "fill_price": None}),
                   (EventKind.FILLED, views[slot], {"fill_qty": Decimal("1"), "fill_price": Decimal("50000")})]
    assert after == [2]                     # after the fill's event, as the stream applier's Python step did
    plain = RecordLoop(w.parser, w.applier, w.store, w.counts, w.open, w.dormant, w.waiters, w.brackets, callbacks,
                       streams, w.hist, w.other.append, lambda payload, status: w.handed.append(status), None,
                       lambda slot, event, prev: None)         # an on_event that takes no fill: handed over
    plain.settle_fills(reference, {}, after.append, None)
    s2, c2 = w.order()
    plain.run(report(c2, "TRADE", "FILLED", l="1", L="50000", z="1", t=4, i=88))
    assert w.handed == [ApplyStatus.AP_APPLIED]
    take()                                               # every kind now: a position event someone takes
    bus.subscribe(lambda e: got.append((e.kind, e.order, e.data)))
    s3, c3 = w.order()
    loop.run(report(c3, "TRADE", "FILLED", l="1", L="50000", z="1", t=5, i=89))
    assert len(w.handed) == (2 if futures else 1) and (len(got) == 2) == futures


def test_a_fill_settled_in_c_allocates_nothing():
    w = FillWorld()
    slot, cid = w.order()
    w.loop.run(report(cid, "NEW", "NEW"))
    fills = [report(cid, "TRADE", "PARTIALLY_FILLED", l="0.00001", L="50000", z=f"{n / 100_000:.5f}", t=n)
             for n in range(1, 90_000)]
    it = iter(fills)
    run = w.loop.run

    def call():
        run(next(it))

    for _ in range(1_000):
        call()
    before = w.loop.settled
    assert python_allocations_per_call_bytes(call, iterations=20_000) == 0
    assert allocated_blocks_delta(call, iterations=20_000, warmup=100) == 0
    assert w.handed == [] and w.loop.settled - before > 40_000
