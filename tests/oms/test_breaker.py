"""Circuit breaker: every transition with a fake clock, listeners, counters, and the probe gate."""

import asyncio
import logging

import pytest

from engine.errors import EngineError
from engine.oms import BreakerState, CircuitBreaker, CircuitOpen, is_breaker_failure
from engine.transport.errors import ConnectFailed, RequestTimeout
from engine.venues.errors import (AuthenticationError, InsufficientFunds, InvalidRequest, IpBanned, OrderRejected,
                                  OutcomeUnknown, RateLimited, UnknownOrder, VenueUnavailable)

CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN


class FakeClock:
    def __init__(self, t=1_000.0):
        self.t = t
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.t

    def advance(self, seconds):
        self.t += seconds


@pytest.fixture
def clock():
    return FakeClock()


def breaker(clock, **kw):
    changes = []
    kw.setdefault("consecutive_errors", 3)
    kw.setdefault("error_rate", None)
    kw.setdefault("cooldown_s", 30.0)
    cb = CircuitBreaker(clock=clock, on_change=lambda old, new, reason: changes.append((old, new, reason)), **kw)
    return cb, changes


def open_it(cb, n=3):
    for _ in range(n):
        cb.record_failure("HTTP 503")
    assert cb.state is OPEN


# ---- CLOSED ---------------------------------------------------------------------------------

def test_starts_closed_and_lets_orders_through_without_reading_the_clock(clock):
    cb, changes = breaker(clock)
    assert cb.state is CLOSED and cb.reason == "" and cb.opened_at is None
    for _ in range(5):
        assert cb.allow_new_order() is True
        cb.check_new_order()
    assert clock.calls == 0                                    # the fast path does not read the clock
    assert cb.allow_cancel() is True and changes == []
    assert cb.retry_in_s() == 0.0


def test_opens_after_n_consecutive_errors(clock):
    cb, changes = breaker(clock)
    cb.record_failure("a")
    cb.record_failure("b")
    cb.record_success()                                        # breaks the streak
    assert cb.consecutive_failures == 0
    cb.record_failure("c")
    cb.record_failure("d")
    assert cb.state is CLOSED and cb.consecutive_failures == 2
    cb.record_failure("HTTP 503 from /api/v3/order")
    assert cb.state is OPEN
    assert cb.reason == "3 consecutive venue errors; last: HTTP 503 from /api/v3/order"
    assert cb.opened_at == clock.t and cb.trips == 1
    assert changes == [(CLOSED, OPEN, cb.reason)]
    assert (cb.total_failures, cb.total_successes) == (5, 1)


# ---- OPEN ---------------------------------------------------------------------------------------

def test_open_refuses_new_orders_with_a_typed_error_but_allows_cancels(clock):
    cb, _ = breaker(clock)
    open_it(cb)
    clock.advance(10)
    assert cb.allow_new_order() is False
    with pytest.raises(CircuitOpen) as info:
        cb.check_new_order()
    e = info.value
    assert isinstance(e, EngineError)
    assert e.reason == cb.reason and e.state is OPEN and e.retry_in_s == pytest.approx(20.0)
    assert "circuit breaker open (3 consecutive venue errors; last: HTTP 503)" in str(e)
    assert "probe order may be sent in 20.000 s" in str(e)
    assert cb.refused == 2
    assert cb.allow_cancel() is True


def test_outcomes_of_older_requests_while_open_change_nothing(clock):
    cb, changes = breaker(clock)
    open_it(cb)
    opened = cb.opened_at
    clock.advance(5)
    cb.record_success()
    cb.record_failure("late")
    assert cb.state is OPEN and cb.opened_at == opened and len(changes) == 1
    assert (cb.total_successes, cb.total_failures) == (1, 4)


# ---- HALF_OPEN and the probe -------------------------------------------------------------------

def test_cooldown_then_exactly_one_probe_and_success_closes(clock):
    cb, changes = breaker(clock)
    open_it(cb)
    clock.advance(29.999)
    assert cb.state is OPEN and cb.allow_new_order() is False
    clock.advance(0.001)
    assert cb.state is HALF_OPEN and not cb.probe_in_flight
    assert changes[-1][:2] == (OPEN, HALF_OPEN) and "cooldown of 30 s over" in changes[-1][2]
    assert cb.retry_in_s() == 0.0
    assert cb.allow_new_order() is True                        # the probe
    assert cb.probe_in_flight and cb.probes == 1
    assert cb.allow_new_order() is False                       # everyone else waits for it
    with pytest.raises(CircuitOpen) as info:
        cb.check_new_order()
    assert info.value.state is HALF_OPEN and info.value.retry_in_s is None
    assert "a probe order is in flight" in str(info.value)
    assert cb.allow_cancel() is True
    cb.record_success()
    assert cb.state is CLOSED and cb.opened_at is None and not cb.probe_in_flight
    assert changes[-1] == (HALF_OPEN, CLOSED, "probe order succeeded")
    assert [c[:2] for c in changes] == [(CLOSED, OPEN), (OPEN, HALF_OPEN), (HALF_OPEN, CLOSED)]
    assert cb.reason.startswith("3 consecutive")               # the last opening's reason stays readable
    assert cb.allow_new_order() is True and cb.consecutive_failures == 0


def test_probe_failure_reopens_and_restarts_the_cooldown(clock):
    cb, changes = breaker(clock)
    open_it(cb)
    clock.advance(30)
    assert cb.allow_new_order() is True
    clock.advance(2)
    cb.record_failure("HTTP 502")
    assert cb.state is OPEN and cb.reason == "probe order failed: HTTP 502"
    assert cb.opened_at == clock.t and cb.trips == 2
    assert changes[-1] == (HALF_OPEN, OPEN, "probe order failed: HTTP 502")
    clock.advance(29)
    assert cb.allow_new_order() is False                       # a full cooldown again
    clock.advance(1)
    assert cb.allow_new_order() is True


def test_outcomes_before_the_probe_is_sent_change_nothing(clock):
    cb, _ = breaker(clock)
    open_it(cb)
    clock.advance(31)
    assert cb.state is HALF_OPEN
    cb.record_success()                                        # a late answer to an old request
    assert cb.state is HALF_OPEN
    cb.record_failure("late")
    assert cb.state is HALF_OPEN
    assert cb.allow_new_order() is True


def test_unanswered_probe_counts_as_failed(clock):
    cb, changes = breaker(clock, probe_timeout_s=10.0)
    open_it(cb)
    clock.advance(30)
    assert cb.allow_new_order() is True
    clock.advance(9.9)
    assert cb.allow_new_order() is False and cb.state is HALF_OPEN
    clock.advance(0.1)
    assert cb.allow_new_order() is False
    assert cb.state is OPEN and cb.reason == "probe order unanswered after 10 s"
    assert cb.opened_at == clock.t and changes[-1][:2] == (HALF_OPEN, OPEN)
    cb.record_success()                                        # the lost probe's answer arrives late
    assert cb.state is OPEN


def test_without_a_probe_timeout_the_probe_waits_forever(clock):
    cb, _ = breaker(clock, probe_timeout_s=None)
    open_it(cb)
    clock.advance(30)
    assert cb.allow_new_order() is True
    clock.advance(10_000)
    assert cb.state is HALF_OPEN and cb.allow_new_order() is False


def test_concurrent_callers_in_half_open_let_one_probe_through(clock):
    cb, _ = breaker(clock)
    open_it(cb)
    clock.advance(30)
    sent = []

    async def place(i):
        if not cb.allow_new_order():
            return False
        sent.append(i)
        await asyncio.sleep(0)                                 # other callers run while the probe is out
        await asyncio.sleep(0)
        cb.record_success()
        return True

    async def main():
        return await asyncio.gather(*(place(i) for i in range(20)))

    results = asyncio.run(main())
    assert results.count(True) == 1 and sent == [0]
    assert cb.state is CLOSED and cb.refused == 19 and cb.probes == 1


def test_zero_cooldown_probes_on_the_next_order(clock):
    cb, changes = breaker(clock, cooldown_s=0.0)
    cb.trip("x")
    assert changes == [(CLOSED, OPEN, "x")]
    assert cb.allow_new_order() is True and cb.state is HALF_OPEN and cb.probe_in_flight
    assert [c[1] for c in changes] == [OPEN, HALF_OPEN]


# ---- error rate over the window -------------------------------------------------------------------

def test_error_rate_opens_only_with_enough_requests(clock):
    cb, changes = breaker(clock, consecutive_errors=None, error_rate=0.5, window_s=60, min_requests=10)
    for _ in range(4):
        cb.record_failure("x")                                 # 100 % of 4: too few requests to judge
        clock.advance(1)
    assert cb.state is CLOSED
    for _ in range(5):
        cb.record_success()
    assert (cb.window_requests, cb.window_failures) == (9, 4)
    cb.record_success()                                        # 4 of 10: below the rate
    assert cb.state is CLOSED
    cb.record_failure("HTTP 500")                              # 5 of 11: 45 %
    assert cb.state is CLOSED
    cb.record_failure("HTTP 500")                              # 6 of 12: 50 %
    assert cb.state is OPEN
    assert cb.reason == "error rate 50% (6 of 12 requests in 60 s) >= 50%; last: HTTP 500"
    assert changes == [(CLOSED, OPEN, cb.reason)]


def test_error_rate_window_forgets_old_requests(clock):
    cb, _ = breaker(clock, consecutive_errors=None, error_rate=0.5, window_s=60, min_requests=4, buckets=6)
    cb.record_failure("old")
    cb.record_failure("old")
    cb.record_failure("old")
    assert cb.window_failures == 3
    clock.advance(30)
    cb.record_success()
    assert (cb.window_requests, cb.window_failures) == (4, 3)
    clock.advance(31)                                          # the three failures left the window
    assert (cb.window_requests, cb.window_failures) == (1, 0)
    cb.record_failure("new")
    cb.record_failure("new")
    assert cb.state is CLOSED                                  # 2 of 3: below min_requests
    cb.record_success()
    cb.record_failure("new")                                   # 3 of 5: 60 %
    assert cb.state is OPEN
    clock.advance(1_000)
    assert cb.window_requests == 0                             # everything expired at once


def test_window_and_streak_start_afresh_after_closing(clock):
    cb, _ = breaker(clock, consecutive_errors=3, error_rate=0.5, min_requests=4)
    cb.record_success()
    cb.record_failure("x")
    cb.record_failure("x")
    cb.record_failure("x")
    assert cb.state is OPEN
    clock.advance(30)
    cb.allow_new_order()
    cb.record_success()
    assert cb.state is CLOSED
    assert (cb.window_requests, cb.window_failures, cb.consecutive_failures) == (0, 0, 0)
    cb.record_failure("x")
    assert cb.state is CLOSED


def test_clock_stepping_back_does_not_break_the_window(clock):
    cb, _ = breaker(clock, consecutive_errors=None, error_rate=0.5, min_requests=2)
    cb.record_success()
    clock.advance(-100)
    cb.record_failure("x")
    assert cb.state is OPEN and cb.window_requests == 2


# ---- trip / reset ---------------------------------------------------------------------------------

def test_trip_opens_at_once_from_closed(clock):
    cb, changes = breaker(clock)
    cb.trip("IP banned (HTTP 418)")
    assert cb.state is OPEN and cb.reason == "IP banned (HTTP 418)" and cb.opened_at == clock.t
    assert changes == [(CLOSED, OPEN, "IP banned (HTTP 418)")]
    assert cb.allow_new_order() is False


def test_trip_with_its_own_cooldown(clock):
    cb, _ = breaker(clock)
    cb.trip("banned until +120 s", cooldown_s=120)
    clock.advance(119)
    assert cb.allow_new_order() is False and cb.retry_in_s() == pytest.approx(1.0)
    clock.advance(1)
    assert cb.allow_new_order() is True                        # probe
    cb.record_failure("still banned")
    clock.advance(30)                                          # a failed probe uses the configured cooldown
    assert cb.allow_new_order() is True
    with pytest.raises(ValueError):
        cb.trip("x", cooldown_s=-1)


def test_trip_while_open_restarts_the_cooldown_and_notifies(clock):
    cb, changes = breaker(clock)
    cb.trip("user stream stale for 35 s")
    clock.advance(20)
    cb.trip("reconciliation mismatch: BTCUSDT position 0.1 vs venue 0.2")
    assert changes[-1] == (OPEN, OPEN, "reconciliation mismatch: BTCUSDT position 0.1 vs venue 0.2")
    assert cb.opened_at == clock.t and cb.trips == 2
    clock.advance(29)
    assert cb.allow_new_order() is False


def test_trip_during_the_probe_abandons_it(clock):
    cb, changes = breaker(clock)
    open_it(cb)
    clock.advance(30)
    assert cb.allow_new_order() is True
    cb.trip("stream stale")
    assert cb.state is OPEN and not cb.probe_in_flight
    assert changes[-1] == (HALF_OPEN, OPEN, "stream stale")
    cb.record_success()                                        # the abandoned probe's answer
    assert cb.state is OPEN


def test_reset_closes_and_is_a_no_op_when_closed(clock):
    cb, changes = breaker(clock)
    cb.reset()
    assert changes == []
    cb.trip("mismatch")
    cb.reset("reconciled")
    assert cb.state is CLOSED and changes[-1] == (OPEN, CLOSED, "reconciled")
    assert cb.allow_new_order() is True


# ---- listeners, queries, validation ----------------------------------------------------------------

def test_listener_errors_are_logged_and_do_not_stop_the_others(clock, caplog):
    seen = []

    def bad(old, new, reason):
        raise RuntimeError("listener bug")

    cb = CircuitBreaker(consecutive_errors=1, clock=clock, on_change=bad)
    cb.add_listener(lambda old, new, reason: seen.append(new))
    with caplog.at_level(logging.ERROR, logger="engine.oms.breaker"):
        cb.record_failure("x")
    assert cb.state is OPEN and seen == [OPEN]
    assert "listener" in caplog.text and "listener bug" in caplog.text
    cb.remove_listener(bad)
    cb.reset()
    assert seen == [OPEN, CLOSED]
    with pytest.raises(ValueError):
        cb.remove_listener(bad)


def test_a_listener_may_reset_the_breaker_it_hears_from(clock):
    cb = CircuitBreaker(consecutive_errors=1, cooldown_s=0, clock=clock)
    cb.add_listener(lambda old, new, reason: cb.reset("operator override") if new is HALF_OPEN else None)
    cb.record_failure("x")
    assert cb.allow_new_order() is True and cb.state is CLOSED and cb.refused == 0


def test_snapshot_is_a_plain_dict(clock):
    cb, _ = breaker(clock)
    cb.record_success()
    open_it(cb)
    cb.allow_new_order()
    snap = cb.snapshot()
    assert snap == {
        "state": "open", "reason": "3 consecutive venue errors; last: HTTP 503", "opened_at": clock.t,
        "probe_in_flight": False, "consecutive_failures": 3, "window_requests": 4, "window_failures": 3,
        "total_successes": 1, "total_failures": 3, "trips": 1, "refused": 1, "probes": 0,
    }
    assert BreakerState("half_open") is HALF_OPEN


@pytest.mark.parametrize("kw", [
    dict(consecutive_errors=0), dict(error_rate=0.0), dict(error_rate=1.5), dict(window_s=0),
    dict(min_requests=0), dict(cooldown_s=-1), dict(probe_timeout_s=0), dict(buckets=0),
])
def test_invalid_parameters(kw):
    with pytest.raises(ValueError):
        CircuitBreaker(**kw)


def test_defaults_use_the_monotonic_clock():
    cb = CircuitBreaker()
    assert (cb.consecutive_errors, cb.error_rate, cb.cooldown_s) == (5, 0.5, 30.0)
    cb.trip("x")
    assert cb.opened_at > 0 and cb.allow_new_order() is False


def test_which_errors_count_as_breaker_failures():
    v = ("binance", -1, "m")
    for exc in (VenueUnavailable(*v), OutcomeUnknown(*v), RateLimited(*v), IpBanned(*v), AuthenticationError(*v),
                RequestTimeout("t", sent=True), ConnectFailed("c"), TimeoutError(), ConnectionResetError()):
        assert is_breaker_failure(exc), exc
    for exc in (OrderRejected(*v), InsufficientFunds(*v), InvalidRequest(*v), UnknownOrder(*v), ValueError()):
        assert not is_breaker_failure(exc), exc
