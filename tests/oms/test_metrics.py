"""EngineMetrics: per-stage histograms, counters, slow-placement alerts, snapshot, allocation-free recording."""

import json
import logging

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine.oms import EngineMetrics, LatencyHistogram
from engine.oms.metrics import STAGES

MS = 1_000_000


def test_stages_record_into_their_own_histograms():
    m = EngineMetrics()
    m.record_call_to_wire(40_000)
    m.record_call_to_wire(60_000)
    m.record_round_trip_ack(3 * MS)
    m.record_wire_to_event(12_000)
    assert isinstance(m.call_to_wire, LatencyHistogram)
    assert (m.call_to_wire.count, m.round_trip_ack.count, m.wire_to_event.count) == (2, 1, 1)
    assert m.call_to_wire.min == 40_000 and m.call_to_wire.max == 60_000
    assert m.round_trip_ack.percentile(50) == pytest.approx(3 * MS, rel=1 / 256)
    assert m.histogram("wire_to_event") is m.wire_to_event
    with pytest.raises(KeyError, match="unknown stage"):
        m.histogram("nope")


def test_slow_placement_alert_over_the_threshold_only():
    alerts = []
    m = EngineMetrics(on_alert=lambda *a: alerts.append(a))
    assert m.alert_threshold_ns == 50 * MS
    m.record_round_trip_ack(50 * MS)                           # at the threshold: not slow
    m.record_call_to_wire(500 * MS)                            # only placements alert
    m.record_wire_to_event(500 * MS)
    assert alerts == [] and m.slow_placements == 0
    m.record_round_trip_ack(50 * MS + 1, "bot-1-000042")
    m.record_round_trip_ack(80 * MS)
    assert alerts == [("round_trip_ack", 50 * MS + 1, 50 * MS, "bot-1-000042"),
                      ("round_trip_ack", 80 * MS, 50 * MS, None)]
    assert m.slow_placements == 2 and m.round_trip_ack.count == 3


def test_custom_and_disabled_thresholds():
    alerts = []
    m = EngineMetrics(alert_threshold_ns=5 * MS, on_alert=lambda *a: alerts.append(a[1]))
    m.record_round_trip_ack(6 * MS)
    assert alerts == [6 * MS]
    off = EngineMetrics(alert_threshold_ns=None, on_alert=lambda *a: alerts.append(a[1]))
    off.record_round_trip_ack(10**12)
    assert alerts == [6 * MS] and off.slow_placements == 0
    with pytest.raises(ValueError):
        EngineMetrics(alert_threshold_ns=-1)


def test_alert_without_callback_is_counted_and_a_failing_callback_is_logged(caplog):
    m = EngineMetrics()
    m.record_round_trip_ack(60 * MS)
    assert m.slow_placements == 1

    def bad(*a):
        raise RuntimeError("callback bug")

    m.on_alert = bad
    with caplog.at_level(logging.ERROR, logger="engine.oms.metrics"):
        m.record_round_trip_ack(70 * MS)
    assert m.slow_placements == 2 and "callback bug" in caplog.text


def test_counters_and_errors_by_code():
    m = EngineMetrics()
    m.placed += 3
    m.acknowledged += 2
    m.rejected += 1
    m.filled += 1
    m.cancelled += 1
    m.count_error(-1021)
    m.count_error(-1021)
    m.count_error("10006")
    m.count_error("timeout")
    snap = m.snapshot()
    assert snap["orders"] == {"placed": 3, "acknowledged": 2, "rejected": 1, "filled": 1, "cancelled": 1,
                              "unexpected_executions": 0, "amend_rejected": 0}
    assert snap["errors"] == {"-1021": 2, "10006": 1, "timeout": 1}


def test_snapshot_is_plain_and_json_ready():
    m = EngineMetrics()
    for v in (100_000, 200_000, 300_000):
        m.record_call_to_wire(v)
    m.record_round_trip_ack(70 * MS)
    snap = m.snapshot()
    assert set(snap) == {"orders", "errors", "slow_placements", "alert_threshold_ns", "latency_ns"}
    assert set(snap["latency_ns"]) == set(STAGES)
    wire = snap["latency_ns"]["call_to_wire"]
    assert (wire["count"], wire["min"], wire["max"]) == (3, 100_000, 300_000)
    assert wire["p50"] == pytest.approx(200_000, rel=1 / 256) and wire["mean"] == pytest.approx(200_000)
    assert snap["latency_ns"]["wire_to_event"]["count"] == 0
    assert snap["slow_placements"] == 1 and snap["alert_threshold_ns"] == 50 * MS
    assert json.loads(json.dumps(snap)) == snap
    snap["errors"]["x"] = 1                                    # a copy: the metrics are not changed
    assert m.errors == {}


def test_reset_keeps_the_configuration():
    alerts = []
    m = EngineMetrics(alert_threshold_ns=MS, on_alert=lambda *a: alerts.append(a))
    m.placed = 5
    m.count_error(7)
    m.record_round_trip_ack(2 * MS)
    m.reset()
    snap = m.snapshot()
    assert snap["orders"] == dict.fromkeys(snap["orders"], 0)
    assert snap["errors"] == {} and snap["slow_placements"] == 0
    assert all(s["count"] == 0 for s in snap["latency_ns"].values())
    m.record_round_trip_ack(2 * MS)
    assert len(alerts) == 2 and m.round_trip_ack.count == 1


@pytest.mark.parametrize("method", ["record_call_to_wire", "record_round_trip_ack", "record_wire_to_event"])
def test_recording_below_the_threshold_allocates_nothing(method):
    m = EngineMetrics()
    rec = getattr(m, method)
    value = 1_234_567

    def call():
        rec(value)

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0
    assert m.histogram(method[len("record_"):]).count > 200_000
