"""Event streams stop costing once nobody reads them: weakly held, closed when their loop ends, bounded."""

import asyncio
import contextlib
import gc

import pytest

from engine.oms.events import EventBus, EventKind, EventsOverflow
from tests.support.engine_fixtures import engine_on_sim, run, until


def emit(bus, n=1, kind=EventKind.ACCEPTED):
    for i in range(n):
        bus.emit(kind, symbol=f"S{i}")


def subscribed(bus) -> int:
    return bus.streams


def test_a_dropped_stream_unsubscribes_at_once():
    bus = EventBus()
    stream = bus.stream()
    emit(bus, 3)
    assert subscribed(bus) == 1 and len(stream) == 3
    del stream  # no gc.collect(): the bus never held it strongly
    assert subscribed(bus) == 0 and not bus.active
    bus.stream()  # made and dropped in one go
    assert subscribed(bus) == 0


def test_break_closes_a_stream_the_caller_still_holds():
    async def main():
        bus = EventBus()
        stream = bus.stream()
        emit(bus, 3)
        async for ev in stream:
            assert ev.symbol == "S0"
            break
        assert stream.closed and subscribed(bus) == 0 and len(stream) == 0
        emit(bus, 5)
        assert len(stream) == 0  # nothing queues up any more
        with pytest.raises(RuntimeError, match="async with eng.events"):
            async for _ in stream:  # a second loop is a bug worth hearing about
                pass

    run(main())


@pytest.mark.parametrize("leave", ["return", "exception", "cancel"])
def test_leaving_the_loop_any_way_closes_the_stream(leave):
    async def main():
        bus = EventBus()
        stream = bus.stream()
        started = asyncio.Event()

        async def consume():
            async for ev in stream:
                started.set()
                if leave == "return":
                    return ev
                if leave == "exception":
                    raise ValueError("consumer failed")

        task = asyncio.create_task(consume())
        emit(bus)
        await started.wait()
        if leave == "cancel":
            await asyncio.sleep(0)  # the consumer waits for the next event
            task.cancel()
        with contextlib.suppress(ValueError, asyncio.CancelledError):
            await task
        del task
        assert stream.closed and subscribed(bus) == 0

    run(main())


def test_a_consumer_task_that_is_gone_takes_its_stream_with_it():
    async def main():
        bus = EventBus()

        async def consume(stream):
            async for _ in stream:
                pass

        task = asyncio.create_task(consume(bus.stream()))
        await asyncio.sleep(0)
        assert subscribed(bus) == 1
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        del task
        gc.collect()
        assert subscribed(bus) == 0

    run(main())


def test_async_with_keeps_one_stream_across_loops_until_the_block_ends():
    async def main():
        bus = EventBus()
        async with bus.stream() as events:
            emit(bus, 3)
            async for ev in events:
                assert ev.symbol == "S0"
                break
            async for ev in events:  # still open: the next event, nothing lost
                assert ev.symbol == "S1"
                break
            assert not events.closed and subscribed(bus) == 1
        assert events.closed and subscribed(bus) == 0

    run(main())


def test_nothing_emitted_after_stream_is_missed_and_order_is_kept():
    async def main():
        bus = EventBus()
        stream = bus.stream()
        emit(bus, 50)
        seen = []
        async for ev in stream:
            seen.append(ev.symbol)
            if len(seen) == 50:
                break
        assert seen == [f"S{i}" for i in range(50)]

    run(main())


def test_close_wakes_a_waiting_consumer_and_queued_events_are_still_read():
    async def main():
        bus = EventBus()
        stream = bus.stream()
        seen = []

        async def consume():
            async for ev in stream:
                seen.append(ev.symbol)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0)
        emit(bus, 2)
        stream.close()  # explicit close: what is queued is read, then the loop ends
        await asyncio.wait_for(task, 1)
        assert seen == ["S0", "S1"] and subscribed(bus) == 0

    run(main())


def test_an_unread_stream_is_bounded_and_its_overflow_is_an_error():
    async def main():
        bus = EventBus()
        assert bus.queue_size == 10_000
        idle = bus.stream()   # subscribed, held, never read
        reader = bus.stream()
        emit(bus, 10_000)
        assert len(idle) == 10_000 and not idle.overflowed
        for _ in range(10_000):
            await reader.__anext__()
        emit(bus)  # one more than the idle stream may hold
        assert idle.overflowed and idle.closed and len(idle) == 0
        assert (bus.overflows, bus.dropped) == (1, 10_001)
        assert subscribed(bus) == 1 and len(reader) == 1  # the reading stream is untouched
        emit(bus, 5)
        assert len(idle) == 0
        with pytest.raises(EventsOverflow, match="more than 10000 events") as err:
            await idle.__anext__()
        assert err.value.dropped == 10_001 and err.value.queue_size == 10_000
        with pytest.raises(EventsOverflow):
            async for _ in idle:
                pass

    run(main())


def test_queue_size_is_configurable():
    async def main():
        bus = EventBus(queue_size=3)
        stream = bus.stream()
        small = bus.stream(queue_size=1)
        emit(bus, 2)
        assert small.overflowed and not stream.overflowed
        with pytest.raises(EventsOverflow):
            async for _ in small:
                pass
        with pytest.raises(ValueError):
            EventBus(queue_size=0)

    run(main())


def test_aclose_and_aclosing():
    async def main():
        bus = EventBus()
        async with contextlib.aclosing(bus.stream()) as events:
            emit(bus)
            assert (await events.__anext__()).symbol == "S0"
        assert events.closed and subscribed(bus) == 0

    run(main())


def test_the_readme_pattern_leaves_nothing_subscribed():
    """``events = eng.events()`` ... ``async for ev in events: ... break`` (README), on the engine."""
    async def main():
        async with engine_on_sim("binance-spot") as (_sim, eng):
            events = eng.events()
            await eng.place_market("BTCUSDT", "BUY", "0.01")
            async for ev in events:
                if ev.kind == EventKind.FILLED:
                    break
            assert events.closed and eng.bus.streams == 0
            async with eng.events() as stream:  # the async with form still works
                o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
                await eng.cancel(o)
                kinds = []
                async for ev in stream:
                    kinds.append(ev.kind)
                    if ev.kind == EventKind.CANCELLED:
                        break
                assert EventKind.ACCEPTED in kinds and eng.bus.streams == 1
            await until(lambda: eng.bus.streams == 0, 1)

    run(main())


def test_a_callback_subscribed_to_some_kinds_gets_those_alone():
    bus = EventBus()
    got, every = [], []
    off = bus.subscribe(got.append, kinds={EventKind.ACCEPTED, "filled"})
    assert bus.active and not bus.wants_balance          # nobody takes balance_changed: none is made for it
    bus.subscribe(every.append)
    assert bus.wants_balance
    for kind in (EventKind.ACCEPTED, EventKind.BALANCE_CHANGED, EventKind.FILLED, EventKind.CANCELLED):
        bus.emit(kind, symbol="S")
    assert [e.kind for e in got] == [EventKind.ACCEPTED, EventKind.FILLED] and len(every) == 4
    off()
    off()                                                  # twice: nothing more to remove
    bus.emit(EventKind.ACCEPTED)
    assert len(got) == 2 and len(every) == 5
    balance = []
    bus2 = EventBus()
    off2 = bus2.subscribe(balance.append, kinds=[EventKind.BALANCE_CHANGED])
    assert bus2.wants_balance and bus2.balance_listeners() != []
    off2()
    assert not bus2.wants_balance and not bus2.active and bus2.balance_listeners() == []
    with pytest.raises(ValueError, match="unknown event kind"):
        bus.subscribe(print, kinds={"acepted"})
    with pytest.raises(ValueError, match="empty"):
        bus.subscribe(print, kinds=[])
    with pytest.raises(TypeError):
        bus.subscribe(print, kinds=5)
    with pytest.raises(TypeError):
        bus.subscribe("not callable")


def test_an_event_of_a_kind_no_subscriber_takes_is_not_built():
    """A bot subscribed to fills alone pays nothing for the other kinds: no event made, none counted."""
    bus = EventBus()
    fills = []
    off = bus.subscribe(fills.append, kinds={EventKind.FILLED})
    assert bus.emit(EventKind.ACCEPTED, symbol="S") is None and bus.emitted == 0
    assert bus.emit(EventKind.FILLED, symbol="S") is not None and len(fills) == 1 and bus.emitted == 1
    twice = bus.subscribe(fills.append, kinds={EventKind.FILLED, EventKind.CANCELLED})
    off()
    assert bus.emit(EventKind.FILLED) is not None and bus.emit(EventKind.CANCELLED) is not None
    twice()
    twice()                                                # twice: counted once
    assert bus.emit(EventKind.FILLED) is None and bus.emitted == 3
    every = bus.subscribe(fills.append)
    assert bus.emit(EventKind.REJECTED) is not None
    every()
    stream = bus.stream()                                  # a stream takes every kind
    assert bus.emit(EventKind.REJECTED) is not None
    stream.close()
    assert bus.emit(EventKind.REJECTED) is None and bus.emitted == 5


def test_on_the_simulator_order_events_alone_leave_balance_messages_to_the_compiled_account():
    """A bot that takes only its orders' outcomes: the account's balance messages are written in C (no event
    made for them), the balances still equal the simulator's; one that takes balance_changed gets them."""
    from decimal import Decimal

    from tests.support.engine_fixtures import KEY

    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            outcomes, balances = [], []
            eng.on(outcomes.append, kinds={EventKind.ACCEPTED, EventKind.CANCELLED})
            reads = eng.adapter.account_messages.parser.loop_reads
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01"))
            order = await eng.place_limit("BTCUSDT", "BUY", "0.01", price)
            await eng.cancel(order)
            await until(lambda: eng.adapter.account_messages.parser.loop_reads >= reads + 2, 5, "balances in C")
            assert [e.kind for e in outcomes] == [EventKind.ACCEPTED, EventKind.CANCELLED]
            await until(lambda: all(eng.balances().get(a) == sim.balance(KEY, a, "binance-spot")
                                    for a in ("BTC", "USDT")), 5, "balances equal the simulator's")
            eng.on(balances.append, kinds={EventKind.BALANCE_CHANGED})
            reads = eng.adapter.account_messages.parser.loop_reads
            order = await eng.place_limit("BTCUSDT", "BUY", "0.01", price)
            await until(lambda: balances, 5, "a balance event")
            await eng.cancel(order)
            assert eng.adapter.account_messages.parser.loop_reads == reads
            assert [e.kind for e in outcomes] == [EventKind.ACCEPTED, EventKind.CANCELLED] * 2

    run(main())
