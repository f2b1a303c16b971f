"""engine._ratelimit: the compiled windows and take against a pure-Python twin of the same rules."""

import collections

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._ratelimit import TakeGate, TakePlan, Window
from tests.support.alloc import traced_peak_bytes


class WindowPy:
    """The rules of engine._ratelimit.Window (its module docstring), written plainly."""

    def __init__(self, limit, seconds, aligned):
        self.limit, self.seconds, self.aligned = limit, seconds, aligned
        self.used, self.start = 0, 0.0
        self.events = collections.deque()

    def roll(self, now):
        if self.aligned:
            start = now - (now % self.seconds)
            if start != self.start:
                self.start, self.used = start, 0
        else:
            while self.events and self.events[0][0] <= now - self.seconds:
                self.used -= self.events.popleft()[1]

    def cap(self, share):
        return self.limit if share >= 1.0 or self.limit <= 1 else max(1, int(self.limit * share))

    def wait_time(self, cost, now, share):
        self.roll(now)
        if cost <= 0 or self.used + cost <= self.cap(share):
            return 0.0
        if self.aligned:
            return self.start + self.seconds - now
        need, freed = self.used + cost - self.cap(share), 0
        for t, c in self.events:
            freed += c
            if freed >= need:
                return max(0.0, t + self.seconds - now)
        return self.seconds


def take_py(plan, now):
    for w, units, cap in plan:
        w.roll(now)
        if w.used + units > cap:
            return False
    for w, units, _ in plan:
        w.used += units
        if not w.aligned:
            w.events.append((now, units))
    return True


def test_bad_windows_are_refused():
    for limit, seconds in ((0, 1.0), (5, 0.0), (-1, 1.0), (5, -2.0)):
        with pytest.raises(ValueError):
            Window("w", limit, seconds)


steps = st.lists(st.tuples(st.floats(0.0, 0.7), st.sampled_from(["take", "sync", "wait"]), st.integers(0, 4),
                           st.sampled_from([1.0, 0.8])), max_size=120)


@settings(max_examples=150, deadline=None)
@given(limits=st.tuples(st.integers(1, 9), st.integers(1, 9)), seconds=st.sampled_from([0.5, 1.0, 1.1, 10.0]),
       aligned=st.booleans(), steps=steps)
def test_the_compiled_windows_count_as_the_rules_say(limits, seconds, aligned, steps):
    ws = [Window(f"w{i}", n, seconds, aligned=aligned) for i, n in enumerate(limits)]
    ref = [WindowPy(n, seconds, aligned) for n in limits]
    now = 1000.0
    for dt, op, units, share in steps:
        now += dt
        if op == "take":
            plan = TakePlan([(w, units + i, w.cap(share)) for i, w in enumerate(ws)])
            assert plan.take(now) == take_py([(w, units + i, w.cap(share)) for i, w in enumerate(ref)], now)
        elif op == "sync":
            ws[0].sync(units * 2, now)
            ref[0].roll(now)
            if units * 2 > ref[0].used:
                if not aligned:
                    ref[0].events.append((now, units * 2 - ref[0].used))
                ref[0].used = units * 2
        else:
            assert ws[1].wait_time(units, now, share) == ref[1].wait_time(units, now, share)
        for w, r in zip(ws, ref):
            w._roll(now)
            r.roll(now)
            assert w.used == r.used
            assert w.events == ([] if aligned else list(r.events))


def test_a_take_that_does_not_fit_counts_nowhere():
    a, b = Window("a", 5, 1.0, aligned=False), Window("b", 2, 1.0, aligned=False)
    plan = TakePlan([(a, 1, 5), (b, 1, 2)])
    assert plan.take(10.0) and plan.take(10.1)
    assert not plan.take(10.2)                      # b is full: a does not count it either
    assert (a.used, b.used) == (2, 2) and len(a.events) == 2
    assert plan.take(11.0)                          # both events of 10.0 aged out (rule 2)
    assert (a.used, b.used) == (2, 2)


def test_a_rolling_ring_grows_past_its_start_and_keeps_its_order():
    w = Window("w", 1000, 5.0, aligned=False)
    plan = TakePlan([(w, 1, 1000)])
    times = [100.0 + i * 0.1 for i in range(100)]
    for t in times:
        assert plan.take(t)
    assert w.used == 50 and [t for t, _ in w.events] == times[-50:]


def test_taking_allocates_nothing():
    w1, w2 = Window("a", 10**12, 10.0, aligned=False), Window("b", 10**12, 1.0, aligned=True)
    plan = TakePlan([(w1, 1, 10**12), (w2, 1, 10**12)])
    take = plan.take
    now = [0.0]

    def one():
        now[0] += 0.001
        take(now[0])

    # the events are kept in a C ring, not as a Python object per take (20,000 takes, 10,000 of them kept)
    assert traced_peak_bytes(one, iterations=20_000) < 200
    assert w1.used == 10_000


class Cost:
    def __init__(self, cancel=False):
        self.cancel = cancel


def test_the_gate_refuses_in_a_ban_and_holds_all_but_cancels_in_a_pause():
    t = [100.0]
    gate = TakeGate(lambda: t[0])
    place, cancel = Cost(), Cost(cancel=True)
    assert gate.take(place) == -2                                   # no plan yet
    w = Window("w", 3, 1.0, aligned=False)
    gate.put(place, TakePlan([(w, 1, 2)]))
    gate.put(cancel, TakePlan([(w, 1, 3)]))
    assert gate.take(place) == 1 and gate.take(place) == 1 and gate.take(place) == 0   # the cancels' reserve
    assert gate.take(cancel) == 1 and gate.take(cancel) == 0
    t[0] = 101.5
    gate.paused_until = 102.0
    assert gate.take(place) == 0 and gate.take(cancel) == 1         # a pause holds all but cancels
    gate.risk_off = True
    assert gate.take(place) == 1                                    # the kill switch: nothing waits for a pause
    gate.banned_until = 103.0
    assert gate.take(cancel) == -1 and w.used == 2                  # a ban: nothing at all, nothing taken
    gate.clear()
    t[0] = 104.0
    assert gate.take(place) == -2


def test_fits_answers_as_take_would_and_takes_nothing():
    """``TakeGate.fits`` (a busy-polling engine's warm-up reads the budget so): the answer ``take`` would give
    at that moment, with nothing counted."""
    t = [100.0]
    gate = TakeGate(lambda: t[0])
    place, cancel = Cost(), Cost(cancel=True)
    assert gate.fits(place) == -2
    w = Window("w", 3, 1.0, aligned=False)
    gate.put(place, TakePlan([(w, 1, 2)]))
    gate.put(cancel, TakePlan([(w, 1, 3)]))
    for used in range(2):
        assert gate.fits(place) == 1 and gate.fits(place) == 1 and w.used == used
        assert gate.take(place) == 1
    assert w.used == 2 and gate.fits(place) == 0 and gate.take(place) == 0
    assert gate.fits(cancel) == 1 and w.used == 2
    t[0] = 101.5                                                    # rolled: room again, as take sees it
    assert gate.fits(place) == 1 and w.used == 0
    gate.paused_until = 102.0
    assert gate.fits(place) == 0 and gate.fits(cancel) == 1
    gate.banned_until = 103.0
    assert gate.fits(cancel) == -1 and w.used == 0


def test_the_limiter_behind_the_gate():
    from engine.transport.errors import IpBanned
    from engine.transport.ratelimit import Cost as LimiterCost, RateLimiter

    t = [50.0]
    rl = RateLimiter("v", orders=[Window("o", 10, 1.0, aligned=False)], cancel_reserve=0.2, clock=lambda: t[0])
    place, cancel = LimiterCost(orders=1), LimiterCost(orders=1, cancel=True)
    assert sum(rl.try_take(place) for _ in range(12)) == 8 and rl.try_take(cancel) and rl.try_take(cancel)
    assert not rl.try_take(cancel)
    rl.on_banned(5.0)
    with pytest.raises(IpBanned):
        rl.try_take(cancel)
    t[0] = 56.0                                                     # the ban over, the window rolled
    assert rl.try_take(place) and rl.banned_until == 55.0
    rl.paused_until = 60.0
    assert not rl.try_take(place) and rl.try_take(cancel)
