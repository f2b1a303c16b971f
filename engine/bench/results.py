"""Benchmark results: rows per stage with medians, p99s and ratios to the baseline; Markdown, JSON, chart."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from engine.report.machine import machine_lines
from engine.report.markdown import fmt_ratio, fmt_us, md_table
from engine.report.plots import PlotUnavailable, bench_chart_png

__all__ = ["Row", "StageResult", "BenchReport", "micro_row", "roundtrip_rows", "add_ratios", "engine_over_lean",
           "markdown", "write_reports", "REPORT_FILES"]

REPORT_FILES = {"markdown": "bench.md", "json": "bench.json", "plot": "bench.png"}


@dataclass
class Row:
    client: str
    kind: str                       # engine | baseline | peer
    n: int
    median_ns: float                # micro: time per operation; round trip: wall time
    p99_ns: float
    venue: str | None = None
    batch: int | None = None        # micro: calls per timed batch
    cpu_median_ns: float | None = None
    cpu_p99_ns: float | None = None
    cpu_mean_ns: float | None = None    # round trips: the mean beside the median (one slow order shows here)
    wire_median_ns: float | None = None
    wire_p99_ns: float | None = None
    # round trips, place: two orders written in a row (Session.pair), the call to wire of each, medians
    pairs_n: int | None = None
    wire_first_median_ns: float | None = None
    wire_second_median_ns: float | None = None
    ratio: float | None = None      # baseline median / this median (> 1: faster than the baseline)
    cpu_ratio: float | None = None  # round trips: the same on client CPU
    floor_ratio: float | None = None    # round trips: client CPU median / its venue's floor row's (>= 1)
    p95_ns: float | None = None     # round trips: wall time p95
    note: str = ""
    floor: str = ""                 # round trips: which floor of its venue it is measured against ("", "ws")


@dataclass
class StageResult:
    id: str
    title: str
    kind: str                       # "micro" | "roundtrip"
    rows: list[Row] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class BenchReport:
    command: str
    started_utc: str
    elapsed_s: float
    budget: dict
    machine: dict
    stages: list[StageResult]

    def to_dict(self) -> dict:
        return asdict(self)

    def stage(self, stage_id: str) -> StageResult:
        return next(s for s in self.stages if s.id == stage_id)


def micro_row(c) -> Row:
    from engine.bench.timing import summary

    s = summary(c.samples_ns)
    return Row(c.name, c.kind, s["n"], s["median"], s["p99"], batch=c.batch, note=c.note)


def roundtrip_rows(sample, op: str) -> Row:
    from engine.bench.timing import summary

    wall, cpu = summary(sample.wall[op]), summary(sample.cpu[op])
    wire = summary(sample.wire) if op == "place" else summary([])
    first = summary(sample.wire_first if op == "place" else [])
    second = summary(sample.wire_second if op == "place" else [])
    return Row(sample.name, sample.kind, wall["n"], wall["median"], wall["p99"], venue=sample.venue,
               cpu_median_ns=cpu["median"], cpu_p99_ns=cpu["p99"], cpu_mean_ns=cpu["mean"],
               wire_median_ns=wire["median"],
               wire_p99_ns=wire["p99"], p95_ns=wall["p95"], note=sample.note,
               floor=getattr(sample, "floor", ""), pairs_n=second["n"] or None,
               wire_first_median_ns=first["median"], wire_second_median_ns=second["median"])


def add_ratios(stage: StageResult) -> None:
    """Each row's speed-up against the baseline of its venue (or of the stage) measured in the same run, and
    its client CPU against its venue's floor row (kind "reference") of the same run: the floor of the same
    kind (``Row.floor``: a WebSocket row against its venue's WebSocket floor when the venue has one)."""
    for row in stage.rows:
        floor = next((f for f in stage.rows if f.kind == "reference" and f.venue == row.venue
                      and f.floor == row.floor), None)
        if floor is None and row.floor:
            floor = next((f for f in stage.rows if f.kind == "reference" and f.venue == row.venue
                          and not f.floor), None)
        if floor is not None and row.cpu_median_ns and floor.cpu_median_ns:
            row.floor_ratio = row.cpu_median_ns / floor.cpu_median_ns
        base = next((b for b in stage.rows if b.kind == "baseline" and b.venue == row.venue), None)
        if base is None or not row.n or not base.n:
            continue
        row.ratio = base.median_ns / row.median_ns if row.median_ns else None
        if row.cpu_median_ns and base.cpu_median_ns:
            row.cpu_ratio = base.cpu_median_ns / row.cpu_median_ns


def _ns(v) -> str:
    if v is None:
        return "n/a"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _micro_table(stage: StageResult) -> list[str]:
    rows = [[r.client, f"{r.n} x {r.batch}", _ns(r.median_ns), _ns(r.p99_ns), fmt_ratio(r.ratio)]
            for r in stage.rows]
    return md_table(["client", "samples x calls", "median ns", "p99 ns", "speed-up vs baseline"], rows, "lrrrr")


def _roundtrip_table(stage: StageResult) -> list[str]:
    rows = [[r.venue, r.client, r.n, fmt_us(r.cpu_median_ns), fmt_us(r.cpu_mean_ns), fmt_us(r.cpu_p99_ns),
             fmt_ratio(r.cpu_ratio), fmt_ratio(r.floor_ratio),
             fmt_us(r.median_ns), fmt_us(r.p95_ns), fmt_us(r.p99_ns), fmt_ratio(r.ratio),
             fmt_us(r.wire_median_ns) if r.wire_median_ns is not None else "-"] for r in stage.rows]
    return md_table(["venue", "client", "n", "client CPU median µs", "CPU mean µs", "CPU p99 µs", "CPU speed-up",
                     "CPU × floor", "wall median µs", "wall p95 µs", "wall p99 µs", "wall speed-up",
                     "call→wire median µs"], rows, "llrrrrrrrrrrr")


def engine_over_lean(stage: StageResult) -> list[dict]:
    """Each full-Engine row (``engine: Engine.<call> / cancel (<entry>)``) beside the lean path of the same venue
    and entry in the same run (``engine: REST lean order path`` for REST, ``engine: <entry>`` otherwise) and that
    path with the account's stream read beside it (the lean row's ``... + <stream> parsed``): client CPU medians
    and the Engine's ratio to each (what the Engine adds; the stream is what it cannot do without)."""
    out = []
    for row in stage.rows:
        if not row.client.startswith("engine: Engine.") or not row.client.endswith(")") or not row.cpu_median_ns:
            continue
        entry = row.client[row.client.rindex("(") + 1:-1]
        lean_name = "engine: REST lean order path" if entry == "REST" else f"engine: {entry}"
        lean = next((r for r in stage.rows if r.venue == row.venue and r.client == lean_name), None)
        stream = next((r for r in stage.rows if r.venue == row.venue and r.client.startswith(lean_name + " + ")),
                      None)
        if lean is None or not lean.cpu_median_ns:
            continue
        out.append({"venue": row.venue, "client": row.client, "cpu_median_ns": row.cpu_median_ns,
                    "lean": lean.client, "lean_cpu_median_ns": lean.cpu_median_ns,
                    "over_lean": row.cpu_median_ns / lean.cpu_median_ns,
                    "stream": stream.client if stream else None,
                    "stream_cpu_median_ns": stream.cpu_median_ns if stream else None,
                    "over_stream": row.cpu_median_ns / stream.cpu_median_ns if stream and stream.cpu_median_ns
                    else None})
    return out


def _engine_table(stage: StageResult) -> list[str]:
    rows = [[c["venue"], c["client"], fmt_us(c["cpu_median_ns"]), fmt_us(c["lean_cpu_median_ns"]),
             f"{c['over_lean']:.2f}x", fmt_us(c["stream_cpu_median_ns"]) if c["stream"] else "-",
             f"{c['over_stream']:.2f}x" if c["over_stream"] else "-"] for c in engine_over_lean(stage)]
    if not rows:
        return []
    return ["", "The full Engine over the lean path of the same venue and entry, client CPU medians of this "
            "stage (the lean path alone, and with the account's stream read beside it):", ""] + md_table(
        ["venue", "Engine row", "Engine µs", "lean µs", "Engine / lean", "lean + stream µs",
         "Engine / (lean + stream)"], rows, "llrrrrr")


def _pairs_table(stage: StageResult) -> list[str]:
    """Call to wire of the clients that also wrote two orders in a row (``Row.wire_second_median_ns``), each
    beside its venue's floor row doing the same: one order alone (the place rows), the first of two, and the
    second (its code and data still in the caches from the first)."""
    rows = []
    for r in stage.rows:
        if r.wire_second_median_ns is None:
            continue
        floor = next((f for f in stage.rows if f.kind == "reference" and f.venue == r.venue and not f.floor
                      and f.wire_second_median_ns), None)
        over = (f"{r.wire_second_median_ns / floor.wire_second_median_ns:.2f}x"
                if floor is not None and r is not floor else "-")
        rows.append([r.venue, r.client, r.pairs_n, fmt_us(r.wire_median_ns), fmt_us(r.wire_first_median_ns),
                     fmt_us(r.wire_second_median_ns), over])
    if not rows:
        return []
    return ["", "Call to wire with the caches cold and warm, medians of this stage: one order alone (the rows "
            "above), and two orders written one right after the other, the first and the second (the same "
            "call, its code and data just used by the first):", ""] + md_table(
        ["venue", "client", "pairs", "one order µs", "first of two µs", "second of two µs", "second × floor's"],
        rows, "llrrrrr")


def _skipped_lines(report: BenchReport) -> list[str]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for stage in report.stages:
        for client, reason in stage.skipped:
            grouped.setdefault((client, reason), []).append(stage.id)
    return [f"- {client} ({', '.join(stages)}): {reason}" for (client, reason), stages in grouped.items()]


def markdown(report: BenchReport, plot_name: str | None = None) -> str:
    b = report.budget
    out = ["# engine benchmark", "",
           f"Command: `{report.command}`  ", f"Started {report.started_utc} UTC, took {report.elapsed_s:.0f} s; budget "
           f"{b['seconds']:g} s, up to {b['iterations']} round trips per client"
           f"{' (quick)' if b.get('quick') else ''}.", "", "Machine:", ""]
    out += machine_lines(report.machine)
    out += ["", "Every figure is a median (with its p99) over many samples measured in this run; a ratio is the "
            "baseline's median divided by the row's (above 1: faster than the pure-Python baseline, measured in "
            "the same run)."]
    for stage in report.stages:
        out += ["", f"## {stage.title}", ""]
        if not stage.rows:
            out.append("(not run)")
            continue
        out += (_micro_table(stage) if stage.kind == "micro"
                else _roundtrip_table(stage) + _engine_table(stage) + _pairs_table(stage))
    skipped = _skipped_lines(report)
    if skipped:
        out += ["", "## Skipped", ""] + skipped
    out += ["", "## Method", "",
            "- Stages 1-3 run in this process. An operation lasting well under a microsecond cannot be timed one "
            "call at a time, so each sample is a batch of calls (about 20 µs) divided by its size; the p99 is "
            "over batch means.",
            "- Stages 4-5 run against `python -m engine sim` in its own process on loopback, so the client CPU "
            "(`time.process_time`) is the client's alone; wall time includes the simulator's own work (pure "
            "Python), which is the same for every client. One order at a time: place a resting LIMIT buy, "
            "then cancel it.",
            "- Call to wire is from the call to the bytes handed to the socket. Between two orders the event loop, "
            "the sockets and the stream evict the order path's code and data from the caches, so the floor row "
            "and the clients that can also write two orders in a row do so after their round trips (two orders "
            "written, both answered, both cancelled): the second order's call to wire is the path's own cost "
            "with the caches warm.",
            "- Blocking clients (binance-connector, pybit) run their calls in the benchmark's thread.",
            "- Peers are run through their own public code paths, configured only with the simulator's URL and "
            "keys; a peer that is missing or cannot trade against the simulator is skipped, never estimated."]
    if plot_name:
        out += ["", f"![benchmark medians and p99s]({plot_name})"]
    return "\n".join(out) + "\n"


def _chart_stages(report: BenchReport) -> list[dict]:
    panels = []
    for stage in report.stages:
        if not stage.rows:
            continue
        if stage.kind == "micro":
            panels.append({"title": stage.title, "unit": "µs per operation (bar: median, whisker: p99)",
                           "rows": [(r.client, r.median_ns / 1e3, r.p99_ns / 1e3, r.kind) for r in stage.rows]})
        else:
            label = lambda r: f"{r.venue.split()[0]} | {r.client}"  # noqa: E731
            panels.append({"title": f"{stage.title}: client CPU", "unit": "µs of client CPU per operation",
                           "rows": [(label(r), r.cpu_median_ns / 1e3, r.cpu_p99_ns / 1e3, r.kind) for r in stage.rows]})
            panels.append({"title": f"{stage.title}: wall time", "unit": "µs per operation (loopback)",
                           "rows": [(label(r), r.median_ns / 1e3, r.p99_ns / 1e3, r.kind) for r in stage.rows]})
    return panels


def write_reports(report: BenchReport, out_dir: str | Path) -> tuple[dict[str, Path], str | None]:
    """bench.md, bench.json and bench.png in ``out_dir``; returns the files and why a plot is missing."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    note = None
    try:
        files["plot"] = bench_chart_png(_chart_stages(report), out / REPORT_FILES["plot"],
                                        "engine vs pure-Python baseline vs peers (lower is better)")
    except PlotUnavailable as exc:
        note = str(exc)
    files["markdown"] = out / REPORT_FILES["markdown"]
    files["markdown"].write_text(markdown(report, REPORT_FILES["plot"] if "plot" in files else None),
                                 encoding="utf-8")
    files["json"] = out / REPORT_FILES["json"]
    files["json"].write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    return files, note
