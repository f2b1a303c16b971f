"""The compiled order entry (engine._order_entry): a plain limit order and its cancel go from the bot's
arguments to the socket and back in compiled code, and every case it does not own is handed to the
engine's Python path with nothing done twice: a tagged order, an instrument whose turn is taken, a
connection that is not open, a ban, an answer that is an error or is lost, a task cancelled while it
waits, a cancel the venue no longer has open.  Everything over real sockets against the simulator."""

import asyncio
from decimal import Decimal

import pytest

from engine._binance_writer import REST, WS_API
from engine._bybit_writer import REST as BYBIT_REST, WS_TRADE
from engine._enums import OrderState
from engine.oms.engine import OrderNotFound
from engine.oms.events import EventKind
from engine.venues.errors import IpBanned, OrderNotOpen, OutcomeUnknown, PostOnlyWouldTake
from tests.support.engine_fixtures import engine_on_sim, run, until

from tests.oms.test_exactly_once import FAST, open_at_venue, venue_count

ENTRIES = [("binance-spot", "rest"), ("binance-spot", "ws"), ("binance-usdm", "rest"), ("bybit", "rest"),
           ("bybit", "ws")]
KINDS = {"binance-spot": (REST, WS_API), "binance-usdm": (REST, WS_API), "bybit": (BYBIT_REST, WS_TRADE)}
BELOW = "48000"


@pytest.mark.parametrize("venue, entry", ENTRIES)
def test_plain_orders_and_their_cancels_go_through_the_compiled_entry(venue, entry):
    async def main():
        async with engine_on_sim(venue, order_entry=entry) as (sim, eng):
            compiled = eng._entry
            assert compiled is not None
            a = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            assert a.state == OrderState.NEW and a.exchange_order_id is not None
            assert compiled.places == 1 and compiled.writer.kind == KINDS[venue][entry == "ws"]
            assert venue_count(sim, venue, a.client_order_id) == 1
            assert eng.metrics.placed == eng.metrics.acknowledged == 1
            assert eng.metrics.call_to_wire.count == eng.metrics.round_trip_ack.count == 1
            assert eng.breaker.total_successes == 1 and eng.breaker.window_requests == 1   # counted in C
            b = await eng.place_limit("BTCUSDT", "SELL", "0.01", "52000", tif="GTC")
            assert compiled.places == 2 and b.state == OrderState.NEW

            done = await eng.cancel(a)                           # by view
            assert done.state == OrderState.CANCELLED and compiled.cancels == 1
            done = await eng.cancel(b.client_order_id)           # by client order id
            assert done.state == OrderState.CANCELLED and compiled.cancels == 2
            assert open_at_venue(sim, venue) == []
            assert eng.tracker.open_count() == 0

            m = await eng.place_market("BTCUSDT", "BUY", "0.01")             # a market order: its fills awaited
            assert m.state == OrderState.FILLED and m.filled == Decimal("0.01") and compiled.places == 3

            with pytest.raises(OrderNotOpen, match="already CANCELLED"):     # the Python path says so
                await eng.cancel(a)
            with pytest.raises(OrderNotFound):
                await eng.cancel("no-such-order")
            with pytest.raises(TypeError):
                await eng.cancel(12345)
            assert compiled.cancels == 2

    run(main())


def test_cases_the_entry_does_not_own_take_the_python_path_once():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            compiled = eng._entry
            tagged = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW, client_tag="grid7")
            assert tagged.state == OrderState.NEW and tagged.client_order_id.startswith("grid7")
            assert compiled.places == 1       # a tagged order: the full admission, then the entry's write at once
            await eng.cancel(tagged)

            first = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            assert compiled.places == 2
            inst = eng._gate.inst
            eng.placement._writing[inst] = 1                     # an order of this instrument holds its turn
            try:
                waited = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48001")
            finally:
                eng.placement._writing[inst] = 0
            assert waited.state == OrderState.NEW and compiled.places == 2

            eng.adapter.orders.lean.http.current().close()       # the connection is not open at the write
            reopened = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48002")
            assert reopened.state == OrderState.NEW and compiled.places == 2
            for o in (first, waited, reopened):
                assert venue_count(sim, "binance-spot", o.client_order_id) == 1
            assert eng.metrics.placed == 4

            limiter = eng.adapter.limiter
            limiter.banned_until = limiter.clock() + 60          # a ban: nothing may be sent
            open_before, sent_before = eng.tracker.open_count(), len(sim.core.by_client)
            with pytest.raises(IpBanned):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48003")
            assert eng.tracker.open_count() == open_before and len(sim.core.by_client) == sent_before
            assert eng.metrics.rejected == 1 and compiled.places == 2
            limiter.banned_until = 0

    run(main())


def test_a_documented_rejection_rejects_and_a_lost_answer_is_unknown_and_resolved_once():
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:unknown:process=later,delay_ms=300,nth=2"],
                                 **FAST) as (sim, eng):
            compiled = eng._entry
            with pytest.raises(PostOnlyWouldTake):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "52000", post_only=True)
            assert compiled.places == 1 and eng.metrics.rejected == 1
            lost = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)    # -1007, processed 0.3 s later
            assert lost.state == OrderState.UNKNOWN and compiled.places == 2
            await until(lambda: eng.get_order(lost.client_order_id).state == OrderState.NEW, 10, "resolution")
            await asyncio.sleep(0.5)
            assert venue_count(sim, "binance-spot", lost.client_order_id) == 1

    run(main())


def test_a_task_cancelled_while_its_answer_is_outstanding_leaves_the_order_unknown_never_resent():
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:latency:ms=400,nth=1"],
                                 **FAST) as (sim, eng):
            task = asyncio.create_task(eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW))
            await asyncio.sleep(0.1)
            assert eng._entry.places == 1
            (cid,) = [eng.store.client_id(s) for s in eng.open_slots()]
            assert eng.get_order(cid).state == OrderState.PENDING
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert eng.get_order(cid).state == OrderState.UNKNOWN
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 10, "the answer or the resolution")
            await asyncio.sleep(0.3)
            assert venue_count(sim, "binance-spot", cid) == 1

    run(main())


def test_a_cancel_the_venue_no_longer_has_open_is_settled_and_a_lost_cancel_answer_raises():
    async def main():
        async with engine_on_sim("binance-spot", faults=["DELETE api/v3/order:unknown:process=first,nth=3"], **FAST) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            first, second = await asyncio.gather(eng.cancel(o), eng.cancel(o))   # the second: -2011 unknown order
            assert first.state == second.state == OrderState.CANCELLED
            assert eng._entry.cancels == 2
            p = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            with pytest.raises(OutcomeUnknown):                  # the third cancel's answer: -1007
                await eng.cancel(p)
            await until(lambda: eng.get_order(p.client_order_id).state == OrderState.CANCELLED, 10, "the stream")

    run(main())


@pytest.mark.parametrize("venue, symbol, qty, price", [("mexc", "BTCUSDT", "0.001", "49000"),
                                                       ("gateio", "BTC_USDT", "0.01", "40000")])
def test_a_venue_without_a_compiled_writer_places_through_its_adapter_in_the_compiled_entry(venue, symbol, qty, price):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            compiled = eng._entry
            o = await eng.place_limit(symbol, "BUY", qty, price)
            assert o.state == OrderState.NEW and compiled.places == 1
            assert eng.metrics.placed == eng.metrics.acknowledged == 1
            done = await eng.cancel(o)                 # its cancel: the adapter's path
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.CANCELLED, what="cancelled")
            assert compiled.cancels == 0 and done.client_order_id == o.client_order_id

    run(main())


def test_submitted_orders_are_written_and_their_answers_applied_by_the_compiled_entry():
    """submit_limit: written at once by the entry, its answer applied in the future's callback (rules 2 and 3:
    a documented rejection rejects, a lost answer is UNKNOWN and resolved once), told by events."""
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:unknown:process=later,delay_ms=300,nth=3"],
                                 **FAST) as (sim, eng):
            compiled, events = eng._entry, []
            eng.on(events.append)
            ok = eng.submit_limit("BTCUSDT", "BUY", "0.01", BELOW)
            assert compiled.places == 1 and eng.get_order(ok).state == OrderState.PENDING
            await until(lambda: eng.get_order(ok).state == OrderState.NEW, what="the answer")
            refused = eng.submit_limit("BTCUSDT", "BUY", "0.01", "52000", post_only=True)
            await until(lambda: eng.get_order(refused).state == OrderState.REJECTED, what="the rejection")
            lost = eng.submit_limit("BTCUSDT", "BUY", "0.01", "48001")          # -1007, processed 0.3 s later
            await until(lambda: eng.get_order(lost).state == OrderState.UNKNOWN, what="the lost answer")
            await until(lambda: eng.get_order(lost).state == OrderState.NEW, 10, "the resolution")
            await asyncio.sleep(0.5)
            assert compiled.places == 3 and venue_count(sim, "binance-spot", lost) == 1
            assert eng.metrics.acknowledged == 1 and eng.breaker.total_successes == 2    # (a clear rejection counts)
            assert {e.kind for e in events} >= {EventKind.ACCEPTED, EventKind.REJECTED, EventKind.UNKNOWN,
                                                 EventKind.RESOLVED}

    run(main())


def test_place_and_cancel_are_the_compiled_coroutines_unless_a_subclass_has_its_own():
    """An Engine's ``place_limit``, ``place_market``, ``cancel`` and ``amend`` are the compiled
    ``OrderEntry.engine_*`` coroutines (no Python frame of the engine's), and behave as the ``async def`` methods
    they stand for: coroutine functions, nothing run or raised until awaited (a bad price, an amendment with no
    new value: raised at the await, nothing sent), usable as tasks; a quantity lowered in place is amended by the
    entry; a tagged order and a cancel of a finished order take the engine's path, with its typed errors.  A
    subclass's own method is kept, and reaches the compiled entry through ``super()``."""
    import inspect

    from engine._order_entry import OrderEntry
    from engine.config import VenueConfig
    from engine.oms.engine import Engine
    from engine.sim import SimExchange
    from tests.support.engine_fixtures import KEY, SECRET

    calls = []

    class Mine(Engine):
        async def place_limit(self, *args, **kwargs):
            calls.append(args)
            return await super().place_limit(*args, **kwargs)

    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            for name in ("place_limit", "place_market", "cancel", "amend"):
                bound = getattr(eng, name)
                assert bound.__func__ is getattr(OrderEntry, "engine_" + name) and bound.__self__ is eng._entry
                assert inspect.iscoroutinefunction(bound)
            sent, live = eng.adapter.orders.lean.sent, eng.store.live
            bad = eng.place_limit("BTCUSDT", "BUY", "0.01", "-5")       # nothing runs before the await
            assert asyncio.iscoroutine(bad)
            with pytest.raises(ValueError, match="price"):
                await bad
            with pytest.raises(TypeError):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", 100.5)  # floats refused
            with pytest.raises(TypeError):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW, "GTC")   # options are keywords only
            assert eng.adapter.orders.lean.sent == sent and eng.store.live == live
            a = await asyncio.wait_for(asyncio.create_task(eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)), 5)
            assert a.state == OrderState.NEW and venue_count(sim, "binance-spot", a.client_order_id) == 1
            nothing = eng.amend(a)                                      # no new value: raised at the await
            with pytest.raises(ValueError):
                await nothing
            lowered = await eng.amend(a, qty="0.005")                  # in place (keepPriority), compiled
            assert lowered.client_order_id == a.client_order_id and lowered.quantity == Decimal("0.005")
            assert lowered.state == OrderState.NEW and eng._entry.amends == 1
            tagged = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW, client_tag="grid7")
            assert tagged.client_order_id.startswith("grid7") and tagged.state == OrderState.NEW
            assert (await eng.cancel(a.client_order_id)).state == OrderState.CANCELLED
            assert (await eng.cancel(tagged)).state == OrderState.CANCELLED
            with pytest.raises(OrderNotOpen):
                await eng.cancel(a)
            with pytest.raises(OrderNotFound):
                await eng.cancel("no-such-order")
            m = await eng.place_market("BTCUSDT", "BUY", "0.01")
            assert m.state == OrderState.FILLED
            assert eng._entry.places == 3 and eng._entry.cancels == 2     # (written by the entry, each)
        async with SimExchange(seed=1, accounts=[(KEY, SECRET)]) as sim:
            async with Mine(VenueConfig.local("binance-spot", sim.urls["binance-spot"], KEY, SECRET)) as eng:
                assert "place_limit" not in vars(eng) and "cancel" in vars(eng)
                o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
                assert calls and o.state == OrderState.NEW
    run(main())
