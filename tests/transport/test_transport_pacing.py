"""Rate limiter, clock sync and retry policy (pure logic with a fake clock)."""

import asyncio
import random

import pytest

from engine.transport.errors import ConnectFailed, ConnectionLost
from engine.transport.ratelimit import Cost, RateLimiter, Window
from engine.transport.retry import backoff_delays, is_retryable, retry_safe_call
from engine.transport.timesync import ClockSync
from engine.venues.errors import (IpBanned, OrderRejected, OutcomeUnknown, RateLimited, TimestampError,
                                  VenueUnavailable)


class FakeClock:
    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t


def test_aligned_window_resets_on_the_boundary():
    w = Window("orders-10s", 5, 10.0)
    w.take(5, 1003.0)
    assert not w.fits(1, 1009.9)
    assert w.wait_time(1, 1005.0) == pytest.approx(5.0)
    assert w.fits(5, 1010.0)  # new window at :10


def test_rolling_window_frees_as_events_age():
    w = Window("create", 3, 1.0, aligned=False)
    for t in (0.0, 0.2, 0.4):
        w.take(1, t)
    assert not w.fits(1, 0.5)
    assert w.wait_time(1, 0.5) == pytest.approx(0.5)
    assert w.fits(1, 1.01)


def test_headers_raise_local_counts():
    clock = FakeClock()
    rl = RateLimiter("binance", weight=[Window("weight-1m", 100, 60.0)], clock=clock)
    rl.observe_usage("weight-1m", 95)
    assert rl.delay(Cost(weight=10)) > 0
    rl.observe_usage("weight-1m", 10)  # lower than ours: ours stands (requests in flight)
    assert rl.weight[0].used == 95


def test_cancels_keep_their_reserve():
    clock = FakeClock(0.0)
    rl = RateLimiter("binance", orders=[Window("orders-10s", 10, 10.0)], cancel_reserve=0.2, clock=clock)
    placed = 0
    while rl.delay(Cost(weight=0, orders=1)) == 0:
        rl.take(Cost(weight=0, orders=1))
        placed += 1
    assert placed == 8  # 20% held back
    assert rl.delay(Cost(weight=0, orders=1, cancel=True)) == 0  # a cancel still goes at once


def test_429_pauses_and_418_fails_fast():
    clock = FakeClock()
    rl = RateLimiter("binance", weight=[Window("weight-1m", 100, 60.0)], clock=clock)
    rl.on_throttled(3.0)
    assert rl.delay(Cost()) == pytest.approx(3.0)
    rl.on_banned(120.0)
    with pytest.raises(IpBanned) as err:
        rl.delay(Cost(cancel=True))
    assert err.value.retry_after == pytest.approx(120.0)
    clock.t += 121
    assert rl.delay(Cost()) == 0


def test_acquire_waits_then_gives_up_past_max_wait():
    async def main():
        rl = RateLimiter("bybit", endpoints={"create": Window("create", 2, 0.2, aligned=False)}, max_wait=1.0)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for _ in range(4):
            await rl.acquire(Cost(weight=0, endpoint="create"))
        assert loop.time() - t0 >= 0.19 and rl.waits >= 1
        # a rolling window (an aligned one would free its budget at the next minute: within max_wait of it,
        # the wait is allowed and nothing is raised)
        slow = RateLimiter("x", weight=[Window("w", 1, 60.0, aligned=False)], max_wait=0.5)
        await slow.acquire(Cost())
        with pytest.raises(RateLimited):
            await slow.acquire(Cost())

    asyncio.run(main())


def test_bybit_endpoint_headers_create_windows():
    rl = RateLimiter("bybit", clock=FakeClock(5.0))
    rl.observe_endpoint("/v5/order/create", 10, 0)
    assert rl.delay(Cost(weight=0, endpoint="/v5/order/create")) > 0


def test_clock_sync_median_and_drift():
    local = FakeClock(1000.0)
    offsets = iter([250, 250, 9000, 250, 250, 300, 300, 300, 300, 300])

    async def fetch():
        local.t += 0.010  # 10 ms round trip, server reads half-way
        return int((local.t - 0.005) * 1000 + next(offsets))

    async def main():
        cs = ClockSync(fetch, samples=5, clock=local)
        assert await cs.sync() == pytest.approx(250, abs=1)  # the 9000 outlier is ignored
        assert cs.rtt_ms == pytest.approx(10, abs=0.5)
        local.t += 3600
        await cs.sync()
        assert cs.drift_ms_per_hour == pytest.approx(50, abs=2)
        assert cs.now_ms() == pytest.approx(local.t * 1000 + 300, abs=2)

    asyncio.run(main())


def test_backoff_delays_have_bounded_jitter():
    d = backoff_delays((0.75, 1.5, 3.0), 0.2, random.Random(1))
    for got, base in zip(d, (0.75, 1.5, 3.0)):
        assert base * 0.8 <= got <= base * 1.2


@pytest.mark.parametrize(
    "exc, idempotent, expected",
    [
        (ConnectFailed("x"), False, True),
        (ConnectionLost("x", sent=True), False, False),     # a placement whose answer was lost
        (ConnectionLost("x", sent=True), True, True),       # a read: safe
        (OutcomeUnknown("b", -1007, "timeout"), False, False),
        (OutcomeUnknown("b", 500, "x"), True, True),
        (VenueUnavailable("b", 503, "Service Unavailable."), False, True),
        (RateLimited("b", -1003, "x"), False, True),
        (TimestampError("b", -1021, "x"), True, False),
        (OrderRejected("b", -2010, "x"), True, False),
        (IpBanned("b", 418, "x"), True, False),
    ],
)
def test_retry_policy(exc, idempotent, expected):
    assert is_retryable(exc, idempotent) is expected


def test_retry_safe_call_retries_then_succeeds_or_raises():
    calls = []

    async def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise VenueUnavailable("b", 503, "Service Unavailable.")
        return "ok"

    async def never():
        raise OrderRejected("b", -2010, "no")

    async def main():
        assert await retry_safe_call(flaky, delays=[0, 0, 0]) == "ok"
        with pytest.raises(OrderRejected):
            await retry_safe_call(never, delays=[0, 0])

    asyncio.run(main())
    assert len(calls) == 3


def test_try_take_matches_delay_and_take():
    clock = FakeClock(0.0)
    rl = RateLimiter("b", weight=[Window("weight-1m", 100, 60.0)], orders=[Window("orders-10s", 10, 10.0)],
                     cancel_reserve=0.2, clock=clock)
    place, cancel = Cost(weight=1, orders=1), Cost(weight=1, cancel=True)
    taken = 0
    while rl.try_take(place):
        taken += 1
    assert taken == 8 and rl.orders[0].used == 8 and rl.weight[0].used == 8
    assert rl.try_take(cancel)  # the reserve is there for cancels
    clock.t = 10.0
    assert rl.try_take(place)  # new 10 s window
    rl.set_windows([Window("weight-1m", 1, 60.0)], [])
    assert rl.try_take(place) and not rl.try_take(place)
    rl.on_throttled(5)
    assert not rl.try_take(cancel)
    rl.on_banned(60)
    with pytest.raises(IpBanned):
        rl.try_take(cancel)


def test_long_retry_after_is_not_waited_out_inside_a_call():
    calls = []

    async def throttled():
        calls.append(1)
        raise RateLimited("b", -1003, "slow down", retry_after=60)

    async def main():
        with pytest.raises(RateLimited):
            await retry_safe_call(throttled, delays=[0.01, 0.01], idempotent=True)

    asyncio.run(main())
    assert len(calls) == 1
