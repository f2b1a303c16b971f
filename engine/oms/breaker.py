"""Circuit breaker: stops sending new orders while the venue (or the engine's view of it) is unwell.

Owns one small state machine per venue connection:

    CLOSED ──(N consecutive failures | error rate over the window | trip)──▶ OPEN
    OPEN ──(cooldown elapsed)──▶ HALF_OPEN ──(probe succeeds)──▶ CLOSED
                                          └─(probe fails | probe unanswered | trip)──▶ OPEN

Rules it keeps:

1. CLOSED lets every new order through; ``allow_new_order`` does not even read the clock.
2. OPEN refuses every new order until ``cooldown_s`` has passed since it opened; then
   it becomes HALF_OPEN (on the next query, ``allow_new_order`` or ``poll``).
3. HALF_OPEN lets exactly one new order through, the probe, and refuses every other
   caller while the probe is in flight.  The first outcome reported while the probe is
   in flight decides: success closes, failure re-opens (the cooldown starts again).  A
   probe with no outcome after ``probe_timeout_s`` counts as failed.
4. Outcomes reported while OPEN, or HALF_OPEN before the probe is sent, belong to
   requests sent earlier: they go to the totals and change nothing.  So the probe's
   outcome is not confused with a late answer to an older request, pick ``cooldown_s``
   longer than the transport's request timeout.
5. Cancels are always allowed: pulling orders is how a bot gets safe.
6. ``trip(reason)`` opens the breaker at once from any state (418 ban, stale user
   stream, reconciliation mismatch), optionally with its own cooldown (a ban's
   ``retry_after``).  Tripping an open breaker restarts its cooldown.
7. Every transition (including a re-trip of an open breaker) calls each listener as
   ``listener(old_state, new_state, reason)`` after the state has changed; a listener
   that raises is logged and does not stop the others or the breaker.

The failure rate is kept in ``buckets`` time slices covering ``window_s`` (a rolling
window with the granularity of one slice); the window and the consecutive-failure
count start afresh whenever the breaker closes.  Not thread-safe: use it from the
event loop's thread, like the rest of the OMS.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable

from engine._breaker_window import BreakerWindow
from engine.errors import EngineError

__all__ = ["BreakerState", "CircuitBreaker", "CircuitOpen", "is_breaker_failure"]

log = logging.getLogger("engine.oms.breaker")

Listener = Callable[["BreakerState", "BreakerState", str], None]


class BreakerState(str, enum.Enum):
    """State of a :class:`CircuitBreaker` (the value is the name used in events and stats)."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


CLOSED = BreakerState.CLOSED
OPEN = BreakerState.OPEN
HALF_OPEN = BreakerState.HALF_OPEN


class CircuitOpen(EngineError):
    """A new order refused because the circuit breaker is open (or probing).

    Attributes
    ----------
    reason : str
        Why the breaker opened.
    state : BreakerState
        OPEN, or HALF_OPEN while the probe order is in flight.
    retry_in_s : float or None
        Seconds until a probe order may be sent; None while a probe is in flight.
    """

    def __init__(self, reason: str, state: BreakerState, retry_in_s: float | None):
        self.reason = reason
        self.state = state
        self.retry_in_s = retry_in_s
        if retry_in_s is None:
            when = "a probe order is in flight"
        else:
            when = f"a probe order may be sent in {retry_in_s:.3f} s"
        super().__init__(f"new orders refused: circuit breaker {state.value} ({reason}); {when}")


def is_breaker_failure(exc: BaseException) -> bool:
    """Whether an error of a placement should count as a venue failure for the breaker.

    Failures say the venue or the path to it is unwell: it is unavailable or overloaded,
    the outcome is unknown (5xx, timeouts, lost connections), requests are rate limited
    or banned, authentication or the clock broke.  A venue that answers clearly (order
    rejected by a filter, insufficient funds, unknown order, invalid request) is well,
    so those are not failures.

    Parameters
    ----------
    exc : BaseException
        The exception the placement raised.

    Returns
    -------
    bool
    """
    from engine.transport.errors import TransportError
    from engine.venues.errors import (AuthenticationError, IpBanned, OutcomeUnknown, RateLimited,
                                      TimestampError, VenueUnavailable)

    return isinstance(exc, (VenueUnavailable, OutcomeUnknown, RateLimited, IpBanned, AuthenticationError,
                            TimestampError, TransportError, TimeoutError, ConnectionError))


class CircuitBreaker:
    """Refuses new orders after repeated venue failures; probes before trusting the venue again.

    Parameters
    ----------
    consecutive_errors : int or None
        Open after this many failures in a row (None: never on a streak).
    error_rate : float or None
        Open when failures / requests in the window reach this fraction, 0 < rate <= 1
        (None: never on the rate).
    window_s : float
        Length of the rolling window for the error rate, seconds.
    min_requests : int
        Requests the window must hold before the error rate is judged.
    cooldown_s : float
        Seconds OPEN lasts before a probe order may go.
    probe_timeout_s : float or None
        A probe with no outcome after this long counts as failed (None: wait forever).
    buckets : int
        Time slices the window is kept in (its granularity is ``window_s / buckets``).
    clock : callable
        Monotonic seconds (tests pass a fake clock).
    on_change : callable or None
        First listener, called as ``on_change(old, new, reason)`` on every transition.

    Raises
    ------
    ValueError
        A parameter is out of range.
    """

    def __init__(self, consecutive_errors: int | None = 5, error_rate: float | None = 0.5, window_s: float = 60.0,
                 min_requests: int = 20, cooldown_s: float = 30.0, *, probe_timeout_s: float | None = 60.0,
                 buckets: int = 10, clock: Callable[[], float] = time.monotonic, on_change: Listener | None = None):
        if consecutive_errors is not None and consecutive_errors < 1:
            raise ValueError(f"consecutive_errors must be >= 1 or None, got {consecutive_errors}")
        if error_rate is not None and not (0.0 < error_rate <= 1.0):
            raise ValueError(f"error_rate must be in (0, 1] or None, got {error_rate}")
        if not window_s > 0:
            raise ValueError(f"window_s must be > 0, got {window_s}")
        if min_requests < 1:
            raise ValueError(f"min_requests must be >= 1, got {min_requests}")
        if not cooldown_s >= 0:
            raise ValueError(f"cooldown_s must be >= 0, got {cooldown_s}")
        if probe_timeout_s is not None and not probe_timeout_s > 0:
            raise ValueError(f"probe_timeout_s must be > 0 or None, got {probe_timeout_s}")
        if buckets < 1:
            raise ValueError(f"buckets must be >= 1, got {buckets}")
        self.consecutive_errors = consecutive_errors
        self.error_rate = error_rate
        self.window_s = float(window_s)
        self.min_requests = min_requests
        self.cooldown_s = float(cooldown_s)
        self.probe_timeout_s = probe_timeout_s
        self._clock = clock
        self._listeners: list[Listener] = [on_change] if on_change is not None else []
        self._state = CLOSED
        self._reason = ""
        self._opened_at: float | None = None
        self._cooldown = self.cooldown_s        # of the current opening (trip may override)
        self._probe_in_flight = False
        self._probe_sent_at = 0.0
        # the counts (totals, consecutive failures, the rolling window of per-slice requests and failures),
        # compiled: a success is one C call (engine._breaker_window)
        self.window = BreakerWindow(self.window_s, buckets)
        self.trips = 0                           # times it went to OPEN
        self.refused = 0                         # new orders refused
        self.probes = 0                          # probe orders let through

    # ---- listeners -------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(old, new, reason)`` on every transition from now on."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling ``listener``.  Raises ValueError if it was not added."""
        self._listeners.remove(listener)

    # ---- queries ------------------------------------------------------------------------------

    @property
    def state(self) -> BreakerState:
        """Current state (an elapsed cooldown turns OPEN into HALF_OPEN here)."""
        if self._state is not CLOSED:
            self.poll()
        return self._state

    @property
    def reason(self) -> str:
        """Why the breaker last opened ("" until it first does); kept after it closes."""
        return self._reason

    @property
    def clock(self):
        """The clock it reads (seconds; ``time.monotonic`` unless one was given)."""
        return self._clock

    @property
    def opened_at(self) -> float | None:
        """Clock time the breaker last went to OPEN; None while CLOSED."""
        return self._opened_at

    @property
    def probe_in_flight(self) -> bool:
        """Whether the HALF_OPEN probe order has been let through and has no outcome yet."""
        return self._probe_in_flight

    @property
    def consecutive_failures(self) -> int:
        """Failures in a row while CLOSED (reset by a success or by closing)."""
        return self.window.consecutive

    @property
    def total_successes(self) -> int:
        """Requests answered properly over the breaker's life."""
        return self.window.total_successes

    @property
    def total_failures(self) -> int:
        """Failures reported over the breaker's life."""
        return self.window.total_failures

    @property
    def window_requests(self) -> int:
        """Outcomes (successes + failures) in the rolling window."""
        self.window.expire(self._clock())
        return self.window.win_req

    @property
    def window_failures(self) -> int:
        """Failures in the rolling window."""
        self.window.expire(self._clock())
        return self.window.win_err

    def retry_in_s(self) -> float | None:
        """Seconds until a probe may be sent: 0.0 when CLOSED or ready, None while a probe is in flight."""
        state = self.state
        if state is CLOSED:
            return 0.0
        if state is HALF_OPEN:
            return None if self._probe_in_flight else 0.0
        return max(0.0, self._opened_at + self._cooldown - self._clock())

    def snapshot(self) -> dict:
        """State and counters as a plain dict (for ``stats()`` and the CLI)."""
        state = self.state
        return {
            "state": state.value,
            "reason": self._reason,
            "opened_at": self._opened_at,
            "probe_in_flight": self._probe_in_flight,
            "consecutive_failures": self.window.consecutive,
            "window_requests": self.window_requests,
            "window_failures": self.window.win_err,
            "total_successes": self.total_successes,
            "total_failures": self.total_failures,
            "trips": self.trips,
            "refused": self.refused,
            "probes": self.probes,
        }

    # ---- gate ---------------------------------------------------------------------------------

    def allow_new_order(self) -> bool:
        """Whether a new order may be sent now.

        CLOSED: always.  OPEN: never (once the cooldown has passed it turns HALF_OPEN).
        HALF_OPEN: True exactly once, for the probe; False while the probe is in flight.
        A True answer in HALF_OPEN commits the caller to report the outcome with
        :meth:`record_success` or :meth:`record_failure`.

        Returns
        -------
        bool
        """
        if self._state is CLOSED:
            return True
        self.poll()
        if self._state is HALF_OPEN and not self._probe_in_flight:
            self._probe_in_flight = True
            self._probe_sent_at = self._clock()
            self.probes += 1
            log.info("circuit breaker: probe order let through (%s)", self._reason)
            return True
        if self._state is CLOSED:                # a listener reset it during poll()
            return True
        self.refused += 1
        return False

    def check_new_order(self) -> None:
        """Like :meth:`allow_new_order`, raising instead of answering False.

        Raises
        ------
        CircuitOpen
            New orders are refused; the exception names the reason and when to retry.
        """
        if not self.allow_new_order():
            raise CircuitOpen(self._reason, self._state, self.retry_in_s())

    @staticmethod
    def allow_cancel() -> bool:
        """Cancels are always allowed (rule 5)."""
        return True

    # ---- outcomes -----------------------------------------------------------------------------

    def record_success(self) -> None:
        """Report a request the venue answered properly (including a clear rejection)."""
        if self.window.success(self._clock()):
            self.succeeded_while_not_closed()

    def succeeded_while_not_closed(self) -> None:
        """A success counted by :attr:`window` while the breaker is not CLOSED: the probe's closes it."""
        if self._state is HALF_OPEN and self._probe_in_flight:
            self._close("probe order succeeded")

    def record_failure(self, reason: str = "venue error") -> None:
        """Report a venue failure (see :func:`is_breaker_failure`); may open the breaker.

        Parameters
        ----------
        reason : str
            What failed (e.g. the exception text); quoted in the opening reason.
        """
        w = self.window
        if not w.failure(self._clock()):         # CLOSED: counted in the window
            if self.consecutive_errors is not None and w.consecutive >= self.consecutive_errors:
                self._open(f"{w.consecutive} consecutive venue errors; last: {reason}", self.cooldown_s)
            elif (self.error_rate is not None and w.win_req >= self.min_requests
                  and w.win_err >= self.error_rate * w.win_req):
                self._open(f"error rate {w.win_err / w.win_req:.0%} ({w.win_err} of {w.win_req} "
                           f"requests in {self.window_s:g} s) >= {self.error_rate:.0%}; last: {reason}",
                           self.cooldown_s)
        elif self._state is HALF_OPEN and self._probe_in_flight:
            self._open(f"probe order failed: {reason}", self.cooldown_s)

    # ---- commands ---------------------------------------------------------------------------

    def trip(self, reason: str, cooldown_s: float | None = None) -> None:
        """Open the breaker now, whatever its state (restarts the cooldown if already open).

        Parameters
        ----------
        reason : str
            Why (e.g. "IP banned until ...", "user stream stale for 35 s").
        cooldown_s : float, optional
            Cooldown of this opening instead of the configured one (e.g. a ban's retry-after).
        """
        if cooldown_s is not None and not cooldown_s >= 0:
            raise ValueError(f"cooldown_s must be >= 0, got {cooldown_s}")
        self._open(reason, self.cooldown_s if cooldown_s is None else float(cooldown_s))

    def reset(self, reason: str = "manual reset") -> None:
        """Close the breaker now (e.g. after reconciliation fixed a mismatch); no-op when CLOSED."""
        if self._state is not CLOSED:
            self._close(reason)

    def poll(self) -> None:
        """Apply the time-based transitions now: cooldown over -> HALF_OPEN, probe unanswered -> OPEN.

        The engine may call it from a timer so the events come on time; every query
        and :meth:`allow_new_order` call it too.
        """
        if self._state is OPEN:
            now = self._clock()
            if now - self._opened_at >= self._cooldown:
                self._probe_in_flight = False
                self._transition(HALF_OPEN, f"cooldown of {self._cooldown:g} s over; {self._reason}")
        elif self._state is HALF_OPEN and self._probe_in_flight and self.probe_timeout_s is not None:
            if self._clock() - self._probe_sent_at >= self.probe_timeout_s:
                self._open(f"probe order unanswered after {self.probe_timeout_s:g} s", self.cooldown_s)

    # ---- internals ----------------------------------------------------------------------------

    def _open(self, reason: str, cooldown: float) -> None:
        self._opened_at = self._clock()
        self._cooldown = cooldown
        self._probe_in_flight = False
        self._reason = reason
        self.trips += 1
        log.warning("circuit breaker open: %s (cooldown %g s)", reason, cooldown)
        self._transition(OPEN, reason)

    def _close(self, reason: str) -> None:
        self._opened_at = None
        self._probe_in_flight = False
        self.window.clear()
        log.info("circuit breaker closed: %s", reason)
        self._transition(CLOSED, reason)

    def _transition(self, new: BreakerState, reason: str) -> None:
        old = self._state
        self._state = new
        self.window.closed = new is CLOSED
        for listener in tuple(self._listeners):
            try:
                listener(old, new, reason)
            except Exception:
                log.exception("circuit breaker listener %r failed on %s -> %s", listener, old.value, new.value)

