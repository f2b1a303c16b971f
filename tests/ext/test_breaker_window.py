"""engine._breaker_window.BreakerWindow against a Python reference of the breaker's rolling window (the rules
CircuitBreaker counted by before they were compiled): totals, consecutive failures, the window's requests and
failures, slices expiring, a clock that steps back, and nothing counted in the window while not closed."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._breaker_window import BreakerWindow


class Reference:
    def __init__(self, window_s, buckets):
        self.n, self.slice_s = buckets, window_s / buckets
        self.req, self.err = [0] * buckets, [0] * buckets
        self.slice, self.closed = 0, True
        self.win_req = self.win_err = self.consecutive = self.successes = self.failures = 0

    def advance(self, now):
        s = math.floor(now / self.slice_s)
        if s > self.slice:
            if s - self.slice >= self.n:
                self.req, self.err = [0] * self.n, [0] * self.n
                self.win_req = self.win_err = 0
            else:
                for k in range(self.slice + 1, s + 1):
                    j = k % self.n
                    self.win_req -= self.req[j]
                    self.win_err -= self.err[j]
                    self.req[j] = self.err[j] = 0
            self.slice = s
        return self.slice % self.n

    def outcome(self, now, failed):
        if failed:
            self.failures += 1
        else:
            self.successes += 1
        if not self.closed:
            return True
        self.consecutive = self.consecutive + 1 if failed else 0
        i = self.advance(now)
        self.req[i] += 1
        self.win_req += 1
        if failed:
            self.err[i] += 1
            self.win_err += 1
        return False


steps = st.lists(st.tuples(st.floats(0, 30), st.sampled_from(["ok", "fail", "open", "close", "read"])),
                 max_size=200)


@settings(max_examples=300, deadline=None)
@given(st.floats(0.5, 120), st.integers(1, 12), steps, st.booleans())
def test_the_compiled_window_counts_as_the_reference(window_s, buckets, moves, back):
    w, ref = BreakerWindow(window_s, buckets), Reference(window_s, buckets)
    now = 0.0
    for dt, move in moves:
        now = now - dt / 10 if back and move == "read" else now + dt
        if move == "ok":
            assert w.success(now) == ref.outcome(now, False)
        elif move == "fail":
            assert w.failure(now) == ref.outcome(now, True)
        elif move == "open":
            w.closed = ref.closed = False
        elif move == "close":
            w.clear()
            ref.req, ref.err = [0] * ref.n, [0] * ref.n
            ref.win_req = ref.win_err = ref.consecutive = 0
            w.closed = ref.closed = True
        else:
            w.expire(now)
            ref.advance(now)
        assert (w.total_successes, w.total_failures, w.consecutive, w.win_req, w.win_err) == \
            (ref.successes, ref.failures, ref.consecutive, ref.win_req, ref.win_err)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError):
        BreakerWindow(0.0, 4)
    with pytest.raises(ValueError):
        BreakerWindow(10.0, 0)
