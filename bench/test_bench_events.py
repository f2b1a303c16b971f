"""EventBus.emit micro benchmarks: what an event costs a bot by what it subscribed to.

Run: .venv/bin/python -m pytest bench/test_bench_events.py --benchmark-enable --benchmark-only
Rows, for one ``accepted`` event: nobody subscribed; a subscriber of other kinds alone (a bot that
takes fills only: nothing built for it); a subscriber of that kind (the event built and delivered); a
subscriber of every kind.  The empty one-argument Python call is the floor of any call from Python.
"""

import pytest

from engine.oms.events import EventBus, EventKind


def _emit(bus):
    return lambda: bus.emit(EventKind.ACCEPTED, order=None, symbol="BTCUSDT")


def _drop(event):
    return None


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_baseline_empty_python_call(steady):
    steady(_drop, None)


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_emit_nobody_subscribed(steady):
    bus = EventBus()
    steady(_emit(bus))
    assert bus.emitted == 0


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_emit_a_kind_no_subscriber_takes(steady):
    bus = EventBus()
    bus.subscribe(_drop, kinds={EventKind.FILLED, EventKind.PARTIALLY_FILLED})
    steady(_emit(bus))
    assert bus.emitted == 0


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_emit_to_a_subscriber_of_that_kind(steady):
    bus = EventBus()
    bus.subscribe(_drop, kinds={EventKind.ACCEPTED, EventKind.FILLED})
    steady(_emit(bus))
    assert bus.emitted > 0


@pytest.mark.benchmark(group="events-emit", warmup=True)
def test_emit_to_a_subscriber_of_every_kind(steady):
    bus = EventBus()
    bus.subscribe(_drop)
    steady(_emit(bus))
    assert bus.emitted > 0
