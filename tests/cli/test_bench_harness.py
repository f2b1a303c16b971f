"""python -m engine bench: a short bounded run is complete and consistent, in Markdown, JSON and PNG."""

import json
import struct
import subprocess
import sys

import pytest

from engine.bench import BenchOptions, run_bench
from engine.bench.results import REPORT_FILES, markdown, write_reports
from engine.bench.runner import roundtrip_modules

pytestmark = pytest.mark.timeout(120)

STAGES = ["sign", "encode_sign", "parse_apply", "place", "cancel"]
# every registered venue's report name (a folder serving two venues, Binance spot and USD-M, names both)
VENUES = [v for module in roundtrip_modules() for v in getattr(module, "VENUES", (module.VENUE,))]


def check_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 300 and height >= 300 and len(data) > 5000
    try:
        from matplotlib.image import imread
    except ImportError:
        return
    assert imread(str(path)).shape[:2] == (height, width)


def check_doc(doc: dict, stages=STAGES):
    assert [s["id"] for s in doc["stages"]] == stages
    for key in ("cpu", "cores", "python", "os", "versions"):
        assert doc["machine"][key]
    assert doc["machine"]["versions"]["engine"]
    for stage in doc["stages"]:
        rows = stage["rows"]
        kinds = [r["kind"] for r in rows]
        assert "engine" in kinds and "baseline" in kinds, stage["id"]
        for r in rows:
            assert r["n"] > 0 and 0 < r["median_ns"] <= r["p99_ns"], (stage["id"], r)
            assert r["ratio"] is not None and r["ratio"] > 0, (stage["id"], r)
            if stage["kind"] == "roundtrip":
                assert r["venue"] in VENUES
                assert 0 < r["cpu_median_ns"] <= r["cpu_p99_ns"] and r["cpu_ratio"] > 0
                assert r["median_ns"] <= r["p95_ns"] <= r["p99_ns"]          # the wall p95 beside them
            else:
                assert r["batch"] >= 1
        for r in rows:
            if r["kind"] == "baseline":
                assert r["ratio"] == pytest.approx(1.0)
        for client, reason in stage["skipped"]:
            assert client and reason
    roundtrip_venues = {(r["venue"], r["kind"]) for r in doc["stages"][-1]["rows"]} if "place" in stages else set()
    if roundtrip_venues:
        for venue in VENUES:
            assert (venue, "engine") in roundtrip_venues and (venue, "baseline") in roundtrip_venues
            assert (venue, "reference") in roundtrip_venues, venue     # each venue's own floor row
        for r in doc["stages"][-1]["rows"]:
            assert r["floor_ratio"] > 0, r                              # its CPU against its venue's floor


@pytest.mark.slow
def test_bench_command_quick_json(tmp_path):
    out = tmp_path / "bench"
    proc = subprocess.run([sys.executable, "-m", "engine", "bench", "--quick", "--seconds", "8", "--iterations",
                           "40", "--json", "--out", str(out)], capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    check_doc(doc)
    assert doc["budget"]["quick"] and doc["budget"]["iterations"] == 40
    assert doc["command"].startswith("python -m engine bench --quick")
    assert "stages 4-5 round trips" in proc.stderr  # progress went to stderr
    files = {name: out / fname for name, fname in REPORT_FILES.items()}
    assert all(p.is_file() for p in files.values())
    assert json.loads(files["json"].read_text())["stages"][0]["id"] == "sign"
    md = files["markdown"].read_text()
    for heading in ("# engine benchmark", "Machine:", "## 1. sign", "## 2. encode + sign", "## 3. parse + apply",
                    "## 4. place", "## 5. cancel", "## Method", "speed-up", f"]({REPORT_FILES['plot']})"):
        assert heading in md, heading
    assert "CPU: " in md and "Python: " in md
    check_png(files["plot"])


@pytest.mark.slow
def test_bench_in_process_markdown_and_skipped_peers(tmp_path, monkeypatch):
    # a peer that is missing is listed as skipped with the reason, never measured
    for name in ("pybit", "pybit.unified_trading"):
        monkeypatch.setitem(sys.modules, name, None)
    report = run_bench(BenchOptions(seconds=4, iterations=20, peers=("pybit",)))
    doc = report.to_dict()
    check_doc(doc)
    for stage in report.stages:
        assert all(r.kind != "peer" for r in stage.rows)
        assert ("pybit", "not installed (pip install 'engine[bench]')") in stage.skipped
    assert ("ccxt", "not selected (--peers)") in report.stage("place").skipped
    if sys.version_info < (3, 12):     # the stock ProjectX client, listed with its reason, never measured
        assert ("project-x-py", "project-x-py needs Python 3.12+; this interpreter is "
                f"{sys.version_info.major}.{sys.version_info.minor}") in report.stage("place").skipped
    text = markdown(report)
    assert "## Skipped" in text and "- pybit (sign, encode_sign, parse_apply, place, cancel): not installed" in text
    files, note = write_reports(report, tmp_path)
    assert note is None
    check_png(files["plot"])


def test_bench_micro_only_is_bounded(tmp_path):
    report = run_bench(BenchOptions(seconds=2, iterations=10, roundtrips=False, peers=()))
    assert [s.id for s in report.stages] == STAGES[:3]
    assert report.elapsed_s < 30
    check_doc(report.to_dict(), STAGES[:3])
    eng = next(r for r in report.stage("sign").rows if r.kind == "engine")
    assert eng.n >= 5 and eng.batch > 1


def test_bench_chart_is_readable():
    """Value labels clear of the whiskers and inside the panel, a log axis said so, one legend naming
    every bar style and the whisker, the floor reference drawn apart from every client."""
    pytest.importorskip("matplotlib")
    from engine.report.plots import bench_chart_figure

    stages = [
        {"title": "micro", "unit": "µs per operation",
         "rows": [("baseline", 12.0, 30.0, "baseline"), ("engine", 0.3, 2.5, "engine")]},
        {"title": "round trip", "unit": "µs per operation",
         "rows": [("baseline", 190.0, 640.0, "baseline"), ("floor", 28.0, 81.0, "reference"),
                  ("engine", 42.0, 150.0, "engine"), ("ccxt", 120.0, 2100.0, "peer")]},
    ]
    fig = bench_chart_figure(stages, "chart")
    renderer = fig.canvas.get_renderer()
    assert len(fig.axes) == 2
    for ax, stage in zip(fig.axes, stages):
        assert ax.get_xlabel().startswith(stage["unit"])
        log = ax.get_xscale() == "log"
        assert log == (stage["title"] == "micro")      # medians 40x apart: log; 7x: linear
        assert ("log scale" in ax.get_xlabel()) == log
        frame = ax.get_window_extent(renderer)
        whiskers = [ax.transData.transform(seg) for coll in ax.collections for seg in coll.get_segments()]
        assert len(whiskers) == len(stage["rows"]) and len(ax.texts) == len(stage["rows"])
        for text, (_, med, p99, _kind) in zip(ax.texts, stage["rows"]):
            assert str(med).rstrip("0").rstrip(".") in text.get_text() and "p99" in text.get_text()
            box = text.get_window_extent(renderer)
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, (text.get_text(), "outside its panel")
            for (x0, y0), (x1, y1) in whiskers:
                crosses = min(x0, x1) < box.x1 and max(x0, x1) > box.x0 and box.y0 <= (y0 + y1) / 2 <= box.y1
                assert not crosses, (text.get_text(), "struck through by a whisker")
    (legend,) = fig.legends
    names = [t.get_text() for t in legend.get_texts()]
    assert names == ["engine", "pure-Python baseline", "peer library", "floor reference (not a client)",
                     "whisker: p99"]
    bars = fig.axes[1].patches
    floor, clients = bars[1], [bars[0], *bars[2:]]
    assert floor.get_hatch() and floor.get_linestyle() == "--"
    assert all(tuple(floor.get_facecolor()) != tuple(b.get_facecolor()) for b in clients)
    assert not any(b.get_hatch() for b in clients)
    assert len({tuple(b.get_facecolor()) for b in clients}) == 3   # baseline, engine, peer: three colours


@pytest.mark.parametrize("argv, message", [
    (["--seconds", "0"], "--seconds must be between"),
    (["--iterations", "3"], "--iterations must be between"),
    (["--peers", "ccxt,zipline"], "unknown peer"),
    (["--venues", "gateio,nowhere"], "unknown venue(s) nowhere"),
])
def test_bench_refuses_bad_options(argv, message, capsys):
    from engine.bench.cli import main

    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_bench_venues_runs_only_the_rows_of_those_venues(monkeypatch):
    from engine.bench import runner

    started = []

    def start_sims(count, seed=7):          # one simulator per client row: stop before any starts
        started.append(count)
        raise OSError("not started in this test")

    monkeypatch.setattr(runner.roundtrip, "start_sims", start_sims)
    with pytest.raises(runner.BenchError, match="not started in this test"):
        run_bench(BenchOptions(venues=("gateio",), peers=(), micro=False))
    assert started == [sum(1 for _, _, peer, venue in runner.ROUNDTRIP_CLIENTS if venue == "gateio" and peer is None)]
    assert started[0] >= 3          # its baseline, floor and engine rows


def test_every_venue_declares_its_rows_in_its_own_module_and_the_report_keeps_their_order():
    from engine.bench.runner import ROUNDTRIP_CLIENTS
    from engine.venues.registry import ADAPTERS
    modules = roundtrip_modules()
    assert ROUNDTRIP_CLIENTS == [row for module in modules for row in module.ROWS]
    for module in modules:
        labels = [label for label, *_ in module.ROWS]
        for kind in ("baseline", "floor reference", "engine"):
            assert any(label.startswith(kind) for label in labels), (module.__name__, kind)
        assert {venue for *_, venue in module.ROWS} <= set(ADAPTERS), module.__name__
    assert len({label for label, *_ in ROUNDTRIP_CLIENTS}) == len(ROUNDTRIP_CLIENTS)


def test_a_websocket_row_is_measured_against_its_venues_websocket_floor_when_there_is_one():
    from engine.bench.results import Row, StageResult, add_ratios

    def row(client, kind, cpu, venue="V", floor=""):
        return Row(client, kind, 10, 100.0, 200.0, venue=venue, cpu_median_ns=cpu, floor=floor)

    stage = StageResult("place", "place", "roundtrip", rows=[
        row("base", "baseline", 400.0), row("floor", "reference", 100.0), row("ws floor", "reference", 80.0,
                                                                                  floor="ws"),
        row("rest", "engine", 120.0), row("ws", "engine", 100.0, floor="ws"),
        row("other ws", "engine", 150.0, venue="W", floor="ws"), row("other floor", "reference", 50.0, venue="W")])
    add_ratios(stage)
    ratios = {r.client: r.floor_ratio for r in stage.rows}
    assert ratios["rest"] == pytest.approx(1.2) and ratios["ws"] == pytest.approx(1.25)
    assert ratios["other ws"] == pytest.approx(3.0)           # no WebSocket floor on W: its venue's floor


def test_each_full_engine_row_is_set_beside_the_lean_path_of_its_venue_and_entry():
    from engine.bench.results import Row, StageResult, engine_over_lean

    def row(client, cpu, venue="V"):
        return Row(client, "engine", 10, 100.0, 200.0, venue=venue, cpu_median_ns=cpu)

    stage = StageResult("place", "place", "roundtrip", rows=[
        row("engine: REST lean order path", 50.0), row("engine: REST lean order path + stream parsed", 60.0),
        row("engine: WebSocket API", 40.0), row("engine: REST lean order path", 70.0, venue="W"),
        row("engine: Engine.place_limit / cancel (REST)", 75.0), row("engine: Engine.submit_limit / cancel (REST)", 90.0),
        row("engine: Engine.place_limit / cancel (WebSocket API)", 60.0),
        row("engine: Engine.place_limit / cancel (WebSocket trade)", 60.0),     # no such lean row: left out
        row("engine: Engine.place_limit / cancel (REST)", 84.0, venue="W")])
    got = {(c["venue"], c["client"]): (c["over_lean"], c["over_stream"]) for c in engine_over_lean(stage)}
    assert got == {("V", "engine: Engine.place_limit / cancel (REST)"): (1.5, 1.25),
                   ("V", "engine: Engine.submit_limit / cancel (REST)"): (1.8, 1.5),
                   ("V", "engine: Engine.place_limit / cancel (WebSocket API)"): (1.5, None),
                   ("W", "engine: Engine.place_limit / cancel (REST)"): (pytest.approx(1.2), None)}


@pytest.mark.parametrize("venue, entry, lower", [("bybit", "ws", False), ("binance-spot", "rest", False),
                                                ("binance-spot", "ws", True)])
def test_the_amend_round_trip_bench_measures_both_paths(capsys, venue, entry, lower):
    """bench/amend_roundtrip.py: a short run against a simulator in its own process, unpinned; it stops with an
    error when an amendment meant for one path took the other (in place, by cancel-replace, and a quantity
    lowered in place)."""
    import json

    from bench.amend_roundtrip import main
    assert main(["--venue", venue, "--entry", entry, "--batches", "1", "--cpus", "", *(["--lower"] * lower)]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["batches"] == 2 and out["compiled"]["median_us"] > 0 and out["python"]["median_us"] > 0


@pytest.mark.slow
def test_two_orders_in_a_row_are_written_answered_and_cancelled_and_the_report_shows_each_call_to_wire():
    """``Session.pair``: the floor and ``submit_limit`` write two orders one right after the other; both are
    answered and cancelled (none left open at the venue), and each order's call to wire is recorded."""
    import asyncio

    from engine.api import connect
    from engine.bench import roundtrip
    from engine.bench.results import Row, StageResult, markdown, roundtrip_rows
    from engine.config import VenueConfig

    async def run(url):
        rows = []
        for opener in (roundtrip.open_floor_reference, roundtrip.open_engine_submit):
            session = await opener(url)
            try:
                nxt = await roundtrip.measure_pairs(session, 6, 2, start=500)
            finally:
                await session.close()
            assert nxt == 500 + 2 * 8
            s = session.sample
            assert len(s.wire_first) == len(s.wire_second) == 6
            assert all(0 < w < 50_000_000 for w in s.wire_first + s.wire_second), (s.wire_first, s.wire_second)
            rows.append(roundtrip_rows(s, "place"))
        async with connect(VenueConfig.local("binance-spot", url, roundtrip.KEY, roundtrip.SECRET)) as eng:
            assert await eng.fetch_open_orders(roundtrip.SYMBOL) == []
        return rows

    proc, urls = roundtrip.start_sim()
    try:
        floor, submit = asyncio.run(run(urls["binance-spot"]))
    finally:
        roundtrip.stop_sim(proc)
    assert floor.kind == "reference" and floor.pairs_n == submit.pairs_n == 6
    assert floor.wire_second_median_ns > 0 and submit.wire_first_median_ns > 0
    assert roundtrip_rows(roundtrip.Sample("cancel side"), "cancel").pairs_n is None
    from engine.bench.results import BenchReport
    from engine.report.machine import machine_info
    report = BenchReport("cmd", "now", 1.0, {"seconds": 1, "iterations": 6}, machine_info(), [
        StageResult("place", "4. place", "roundtrip", rows=[floor, submit, Row("lean", "engine", 1, 1.0, 1.0)])])
    text = markdown(report)
    assert "| first of two µs | second of two µs | second × floor's |" in text
    line = next(x for x in text.splitlines() if x.startswith(f"| {submit.venue} | {submit.client} |"
                                                           ) and "| 6 |" in x)
    assert line.endswith(f"{submit.wire_second_median_ns / floor.wire_second_median_ns:.2f}x |")
