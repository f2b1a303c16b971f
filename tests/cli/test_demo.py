"""python -m engine demo: short sessions on each venue personality; the report is complete and adds up."""

import json
import struct
import subprocess
import sys
from decimal import Decimal

import pytest

from engine._enums import Side
from engine.demo import DemoOptions, run_demo
from engine.demo.ledger import FillLedger
from engine.demo.render import REPORT_FILES, markdown_report, text_report, write_reports
from engine.demo.summary import OUTCOMES, PERCENTILES
from tests.support.engine_fixtures import run

pytestmark = pytest.mark.timeout(120)

ENGINE_STAGES = ("call_to_wire", "round_trip_ack", "wire_to_event")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 300 and height >= 200 and len(data) > 5000
    try:
        from matplotlib.image import imread
    except ImportError:
        return
    img = imread(str(path))
    assert img.shape[0] == height and img.shape[1] == width


def check_report(doc: dict, venue: str, entry: str):
    assert doc["venue"] == venue and doc["entry"] == entry
    outcomes = doc["outcomes"]
    assert set(outcomes) == set(OUTCOMES)
    assert sum(outcomes.values()) == doc["placed"] == doc["outcomes_total"] and doc["consistent"]
    assert doc["placed"] >= 5 and outcomes["filled"] >= 1
    assert outcomes["open"] == 0  # the session cancels what it left open
    assert doc["fills"] >= 1
    for stage in ENGINE_STAGES:
        row = doc["latency"][stage]
        assert row["count"] > 0, stage
        values = [row[p] for p in PERCENTILES]
        assert all(isinstance(v, int) and v > 0 for v in values), (stage, row)
        assert values == sorted(values), (stage, row)
    fault = doc["fault"]
    assert fault["fired"] == 1 and fault["venue_orders_with_id"] == 1 and fault["survived"]
    assert fault["final_state"] in ("NEW", "FILLED", "CANCELLED", "PARTIALLY_FILLED")
    assert doc["bracket"]["outcome"]
    assert len(doc["tour"]) == 2
    assert {p["symbol"] for p in doc["positions"]} == {"BTCUSDT", "ETHUSDT"}
    assert "USDT" in doc["balances_end"]
    assert doc["engine_stats"]["bad_messages"] == 0 and doc["engine_stats"]["unresolved"] == 0


def test_make_demo_command_runs_and_writes_the_report(tmp_path):
    """The command `make demo` runs, shortened: exit 0, progress lines, report, Markdown, JSON and PNG."""
    out = tmp_path / "report"
    proc = subprocess.run([sys.executable, "-m", "engine", "demo", "--duration", "6", "--out", str(out)],
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    text = proc.stdout
    assert "orders" in text.splitlines()[1] and text.splitlines()[1].startswith("[")  # plain progress lines
    for heading in ("Orders by outcome", "Positions", "Balances", "Latency (µs)", "Fault:", "Bracket:",
                    "adds up"):
        assert heading in text, heading
    for stage in ENGINE_STAGES:
        assert stage in text
    files = {name: out / fname for name, fname in REPORT_FILES.items()}
    assert all(p.is_file() for p in files.values())
    doc = json.loads(files["json"].read_text())
    check_report(doc, "binance-usdm", "rest")
    md = files["markdown"].read_text()
    for heading in ("# engine demo report", "## Orders by outcome", "## Positions", "## Balances", "## Latency",
                    "## Injected fault", "| p50 | p90 | p99 | p99.9 |", f"]({REPORT_FILES['plot']})"):
        assert heading in md, heading
    assert f"Total: {doc['placed']} = {doc['placed']} placed (adds up)" in md
    check_png(files["plot"])


@pytest.mark.parametrize("venue, entry", [("binance-spot", "ws"), ("bybit", "ws"), ("binance-spot", "rest")])
def test_demo_on_other_venues_and_websocket_entry(venue, entry, tmp_path):
    progress = []
    summary = run(run_demo(DemoOptions(venue=venue, entry=entry, duration=5, seed=3), progress.append), 90)
    assert progress and progress[-1]["placed"] > 0
    doc = summary.to_dict()
    check_report(doc, venue, entry)
    if venue == "binance-spot":
        assert summary.actions["cancelled and replaced"] >= 1 and summary.actions["amended"] == 0
        assert all(p["source"] == "fills" for p in doc["positions"])
    else:
        assert summary.actions["amended"] >= 1
    if entry == "ws":
        assert summary.fault["reconnected_ms"] is not None
    files, note = write_reports(summary, tmp_path)
    assert note is None
    check_png(files["plot"])
    assert "adds up" in text_report(summary) and "## Latency" in markdown_report(summary)


def test_bad_options_are_refused_before_anything_starts():
    from engine.demo import DemoError

    for opts in (DemoOptions(venue="binance-usdm", entry="ws"), DemoOptions(venue="kraken"),
                 DemoOptions(duration=1.0)):
        with pytest.raises(DemoError):
            run(run_demo(opts))


def test_fill_ledger_average_cost():
    ledger = FillLedger()
    ledger.add("BTCUSDT", Side.BUY, Decimal("1"), Decimal("100"))
    ledger.add("BTCUSDT", Side.BUY, Decimal("1"), Decimal("110"))
    p = ledger.positions["BTCUSDT"]
    assert p.size == 2 and p.entry == 105
    ledger.add("BTCUSDT", Side.SELL, Decimal("3"), Decimal("120"))   # closes 2 (+30), opens 1 short at 120
    assert p.size == -1 and p.entry == 120 and p.realized == 30
    assert p.unrealized(Decimal("110")) == 10
    ledger.add("BTCUSDT", Side.BUY, Decimal("1"), Decimal("125"))
    assert p.size == 0 and p.entry == 0 and p.realized == 25 and p.fills == 4
