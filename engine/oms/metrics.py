"""Engine metrics: latency per stage of an order's path, order counters, slow-placement alerts.

Owns one :class:`~engine._histogram.LatencyHistogram` per stage, all in nanoseconds
measured with ``time.perf_counter_ns`` (the clock the transports stamp
``last_write_ns``/``last_send_ns`` with):

``call_to_wire``
    From the bot's place call to the request bytes handed to the socket: the engine's
    own cost (validation, risk, store, encode, sign, write).
``round_trip_ack``
    From the place call to the venue's acknowledgement (or rejection): the placement's
    latency as the bot sees it.  Above ``alert_threshold_ns`` (50 ms by default) it
    counts as a slow placement and the alert callback runs.
``wire_to_event``
    From the venue's message arriving on the socket to the event reaching the bot:
    parse, store update and dispatch.

Counters are plain ``int`` attributes the engine increments (``metrics.placed += 1``),
errors are counted by venue code with :meth:`EngineMetrics.count_error`, and
:meth:`EngineMetrics.snapshot` returns everything as a plain, JSON-ready dict for
``eng.stats()`` and the CLI.  Recording a latency below the threshold allocates nothing.
Not thread-safe: use it from the event loop's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from engine._histogram import LatencyHistogram

__all__ = ["AlertCallback", "EngineMetrics", "STAGES"]

log = logging.getLogger("engine.oms.metrics")

STAGES = ("call_to_wire", "round_trip_ack", "wire_to_event")
COUNTERS = ("placed", "acknowledged", "rejected", "filled", "cancelled", "unexpected_executions", "amend_rejected")

AlertCallback = Callable[[str, int, int, "str | None"], None]
"""``on_alert(stage, latency_ns, threshold_ns, client_order_id)``."""


class _CountedAlsoInC:
    """A counter the compiled stream loop adds to as well (``_counters.<name>``): reads give the sum, and
    ``+=`` from Python keeps the Python part (``_<name>``)."""

    def __set_name__(self, owner, name: str) -> None:
        self.name, self.own = name, "_" + name

    def __get__(self, metrics, owner=None):
        if metrics is None:
            return self
        counters = metrics._counters
        return getattr(metrics, self.own) + (getattr(counters, self.name) if counters is not None else 0)

    def __set__(self, metrics, value: int) -> None:
        counters = metrics._counters
        setattr(metrics, self.own, value - (getattr(counters, self.name) if counters is not None else 0))


class EngineMetrics:
    """Latency histograms per stage, order counters and the slow-placement alert.

    Parameters
    ----------
    alert_threshold_ns : int or None
        A placement whose ``round_trip_ack`` latency exceeds this many nanoseconds is
        a slow placement (None: never alert).  Default 50 ms.
    on_alert : callable or None
        Called as ``on_alert(stage, latency_ns, threshold_ns, client_order_id)`` for each
        slow placement; an exception it raises is logged, never propagated.

    Attributes
    ----------
    call_to_wire, round_trip_ack, wire_to_event : LatencyHistogram
        Latency per stage, nanoseconds.
    placed, acknowledged, rejected, filled, cancelled : int
        Orders sent, acknowledged by the venue, rejected (by risk or the venue), filled
        completely, and cancelled.
    errors : dict
        Venue/transport errors by code (``str(code)``).
    slow_placements : int
        Placements over the alert threshold.
    """

    filled = _CountedAlsoInC()
    cancelled = _CountedAlsoInC()

    def __init__(self, alert_threshold_ns: int | None = 50_000_000, on_alert: AlertCallback | None = None):
        if alert_threshold_ns is not None and alert_threshold_ns < 0:
            raise ValueError(f"alert_threshold_ns must be >= 0 or None, got {alert_threshold_ns}")
        self.alert_threshold_ns = alert_threshold_ns
        self.on_alert = on_alert
        self.call_to_wire = LatencyHistogram()
        self.round_trip_ack = LatencyHistogram()
        self.wire_to_event = LatencyHistogram()
        # record_call_to_wire(ns): the engine's own cost of a placement (place call -> bytes on the socket),
        # the histogram's compiled record itself (no Python frame on the hot path)
        self.record_call_to_wire = self.call_to_wire.record
        self._rec_ack = self.round_trip_ack.record
        self._rec_event = self.wire_to_event.record
        # No threshold is the same as one no int64 latency exceeds: one comparison on the hot path.
        self._threshold = alert_threshold_ns if alert_threshold_ns is not None else 2**63 - 1
        self.placed = 0
        self.acknowledged = 0
        self.rejected = 0
        self._filled = 0
        self._cancelled = 0
        self._counters = None            # the compiled stream loop, which counts the fills and cancels it settles
        self.unexpected_executions = 0   # alarms: fills the engine had not counted on (applied anyway)
        self.amend_rejected = 0          # amendments the venue refused
        self.errors: dict[str, int] = {}
        self.slow_placements = 0

    def counted_elsewhere(self, counters) -> None:
        """Fills and cancels are also counted by ``counters`` (the compiled stream loop's ``filled`` and
        ``cancelled``)."""
        self._counters = counters

    # ---- hot path -------------------------------------------------------------------------

    def record_round_trip_ack(self, latency_ns: int, client_order_id: str | None = None) -> None:
        """Record a placement's latency (place call -> venue answer), ns; alert when over the threshold.

        Parameters
        ----------
        latency_ns : int
            Nanoseconds from the place call to the venue's acknowledgement or rejection.
        client_order_id : str, optional
            Passed to the alert callback to name the slow order.
        """
        self._rec_ack(latency_ns)
        if latency_ns > self._threshold:
            self._alert("round_trip_ack", latency_ns, client_order_id)

    def record_wire_to_event(self, latency_ns: int) -> None:
        """Record the engine's cost of an incoming message (bytes received -> event delivered), ns."""
        self._rec_event(latency_ns)

    def count_error(self, code) -> None:
        """Count one venue or transport error by its code (int or str; kept as ``str(code)``)."""
        key = str(code)
        self.errors[key] = self.errors.get(key, 0) + 1

    # ---- cold path --------------------------------------------------------------------------

    def _alert(self, stage: str, latency_ns: int, client_order_id: str | None) -> None:
        self.slow_placements += 1
        threshold = self.alert_threshold_ns
        log.info("slow placement %s: %.3f ms > %.3f ms (%s)", client_order_id or "-", latency_ns / 1e6,
                 threshold / 1e6, stage)
        callback = self.on_alert
        if callback is None:
            return
        try:
            callback(stage, latency_ns, threshold, client_order_id)
        except Exception:
            log.exception("metrics alert callback %r failed", callback)

    def histogram(self, stage: str) -> LatencyHistogram:
        """The histogram of a stage by name.

        Raises
        ------
        KeyError
            ``stage`` is not one of :data:`STAGES`.
        """
        if stage not in STAGES:
            raise KeyError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
        return getattr(self, stage)

    def snapshot(self) -> dict:
        """Everything as a plain dict of ints, floats, strs and dicts (JSON-ready).

        Returns
        -------
        dict
            ``{"orders": {counter: n}, "errors": {code: n}, "slow_placements": n,
            "alert_threshold_ns": int or None, "latency_ns": {stage: histogram summary}}``
            where a summary has count, min, max, mean, p50, p90, p99, p99.9, overflows
            and underflows (see ``LatencyHistogram.to_dict``).
        """
        return {
            "orders": {name: getattr(self, name) for name in COUNTERS},
            "errors": dict(self.errors),
            "slow_placements": self.slow_placements,
            "alert_threshold_ns": self.alert_threshold_ns,
            "latency_ns": {stage: getattr(self, stage).to_dict() for stage in STAGES},
        }

    def reset(self) -> None:
        """Zero every histogram and counter (the configuration stays)."""
        for stage in STAGES:
            getattr(self, stage).reset()
        for name in COUNTERS:
            setattr(self, name, 0)
        self.errors.clear()
        self.slow_placements = 0
