"""A demo summary as console text, Markdown, JSON and a latency plot (written to a folder)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from engine.demo.summary import OUTCOMES, PERCENTILES, STAGE_TITLES, DemoSummary
from engine.report.markdown import fmt_us, md_table
from engine.report.plots import PlotUnavailable, latency_cdf_png

__all__ = ["text_report", "markdown_report", "write_reports", "REPORT_FILES"]

REPORT_FILES = {"markdown": "report.md", "json": "report.json", "plot": "latency.png"}
_OUTCOME_LABEL = {"filled": "filled", "cancelled": "cancelled", "rejected": "rejected", "expired": "expired",
                  "not_placed": "never placed (answer lost, not re-sent)",
                  "open": "still open"}
_ENTRY = {"rest": "REST", "ws": "WebSocket"}


def _d(value, places: int | None = None) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal) and places is not None:
        return f"{value:,.{places}f}"
    return str(value)


def _headline(s: DemoSummary) -> str:
    return (f"engine demo: {s.venue}, {_ENTRY[s.entry]} order entry, seed {s.seed}, {s.elapsed_s:.1f} s "
            f"against the simulator at {s.url}")


def _outcome_rows(s: DemoSummary) -> list[tuple[str, int]]:
    return [(_OUTCOME_LABEL[k], s.outcomes[k]) for k in OUTCOMES]


def _check(s: DemoSummary) -> str:
    mark = "adds up" if s.consistent else "DOES NOT add up"
    return f"{s.outcomes_total} = {s.placed} placed ({mark})"


def _position_rows(s: DemoSummary) -> list[list[str]]:
    return [[p["symbol"], _d(p["size"]), _d(p["entry"]), _d(p["mark"]), _d(p["realized"], 4),
             _d(p["unrealized"], 4), _d(p["fees"], 4) if p["fees"] is not None else "-"] for p in s.positions]


def _balance_rows(s: DemoSummary) -> list[list[str]]:
    rows = []
    for asset in sorted(set(s.balances_start) | set(s.balances_end)):
        a0, b0 = s.balances_start.get(asset, (None, None))
        a1, b1 = s.balances_end.get(asset, (None, None))
        if asset not in ("USDT", "BTC", "ETH") and (a0, b0) == (a1, b1):
            continue
        rows.append([asset, _d(a0), _d(b0), _d(a1), _d(b1)])
    return rows


def _latency_rows(s: DemoSummary) -> list[list[str]]:
    rows = []
    for stage, d in s.latency.items():
        rows.append([stage, str(d["count"])] + [fmt_us(d[p]) for p in PERCENTILES])
    return rows


def _fault_lines(s: DemoSummary) -> list[str]:
    f = s.fault
    if not f:
        return ["(the fault episode did not run)"]
    errors = ", ".join(f"{k} x{v}" for k, v in f["errors_counted"].items()) or "none"
    lines = [f"injected: `{f['spec']}` (fired {f['fired']} time{'s' if f['fired'] != 1 else ''})",
             f"order {f['client_order_id']}: place call returned {f['state_on_return']} after "
             f"{f['place_call_ms']:.1f} ms, settled as {f['final_state']} after {f['settled_ms']:.1f} ms",
             f"how: {f['resolution']}",
             *([f"the order-entry WebSocket was reconnected {f['reconnected_ms']:.0f} ms after the call"]
               if f.get("reconnected_ms") is not None else []),
             f"the venue holds {f['venue_orders_with_id']} order(s) with that client id (one intent, one order); "
             f"errors counted: {errors}; events: {', '.join(f['events']) or 'none'}",
             f"engine survived: {'yes' if f['survived'] else 'NO'}"]
    lines += [f"engine log: {line}" for line in f.get("engine_log", [])[:6]]
    return lines


def _bracket_line(s: DemoSummary) -> str:
    b = s.bracket
    if not b:
        return "(no bracket)"
    entry = f" filled at {b['entry_price']}" if b.get("entry_price") is not None else ""
    return (f"{b['symbol']} {b['side']} {b['qty']} at market{entry}; stop-loss {b['stop_loss']}, take-profit "
            f"{b['take_profit']} -> {b['outcome']}")


def _actions_line(s: DemoSummary) -> str:
    acts = ", ".join(f"{v} {k}" for k, v in s.actions.items())
    refused = ", ".join(f"{k} x{v}" for k, v in s.refused.items())
    return f"{acts}; {s.fills} fills" + (f"; refused along the way: {refused}" if refused else "")


def text_report(s: DemoSummary, files: dict[str, Path] | None = None) -> str:
    """The console report."""
    out = [_headline(s), ""]
    out.append(f"Orders by outcome ({_check(s)}):")
    for label, n in _outcome_rows(s):
        extra = (f"  ({s.partially_filled_then_cancelled} after a partial fill)"
                 if label == "cancelled" and s.partially_filled_then_cancelled else "")
        out.append(f"  {label:<11}{n:>6}{extra}")
    out += ["", f"Quoting: {_actions_line(s)}", f"Bracket: {_bracket_line(s)}"]
    out += [f"Never rests: {t['order']} -> {t['result']}" for t in s.tour]
    out += ["", "Fault:"] + [f"  {line}" for line in _fault_lines(s)]
    out += ["", "Positions (mark: the simulator's price at the end):"]
    out += _columns(["symbol", "size", "entry", "mark", "realised PnL", "unrealised PnL", "fees"], _position_rows(s))
    lab = s.balance_labels
    out += ["", "Balances:"]
    out += _columns(["asset", f"start {lab[0]}", f"start {lab[1]}", f"end {lab[0]}", f"end {lab[1]}"],
                    _balance_rows(s))
    out += ["", "Latency (µs):"]
    out += _columns(["stage", "count", *PERCENTILES], _latency_rows(s))
    if s.warnings:
        out += ["", f"Engine warnings ({len(s.warnings)}):"] + [f"  {w}" for w in s.warnings[:10]]
    if files:
        out += ["", "Report written: " + ", ".join(str(p) for p in files.values())]
    return "\n".join(out)


def _columns(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    fmt = "  " + "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return [fmt.format(*headers)] + [fmt.format(*row) for row in rows]


def markdown_report(s: DemoSummary, plot_name: str | None = REPORT_FILES["plot"]) -> str:
    """The Markdown report (same content as the console one, plus the stage definitions)."""
    out = ["# engine demo report", "", f"{_headline(s)}.", "",
           f"Prices moved BTCUSDT {s.prices_start['BTCUSDT']} -> {s.prices_end['BTCUSDT']}, "
           f"ETHUSDT {s.prices_start['ETHUSDT']} -> {s.prices_end['ETHUSDT']}.", "",
           "## Orders by outcome", "", f"Total: {_check(s)}.", ""]
    out += md_table(["outcome", "orders"], _outcome_rows(s), "lr")
    if s.partially_filled_then_cancelled:
        out += ["", f"{s.partially_filled_then_cancelled} of the cancelled orders were partly filled first."]
    out += ["", "## What happened", "", f"- Quoting: {_actions_line(s)}", f"- Bracket: {_bracket_line(s)}"]
    out += [f"- Never rests: {t['order']} -> {t['result']}" for t in s.tour]
    out += ["", "## Injected fault", ""] + [f"- {line}" for line in _fault_lines(s)]
    out += ["", "## Positions", "", "Mark: the simulator's price at the end of the session. "
            + ("Positions are the engine's own (futures)." if s.venue != "binance-spot"
               else "Spot has no positions: these are rebuilt from the session's fills (average cost)."), ""]
    out += md_table(["symbol", "size", "entry", "mark", "realised PnL", "unrealised PnL", "fees"],
                    _position_rows(s), "lrrrrrr")
    lab = s.balance_labels
    out += ["", "## Balances", ""]
    out += md_table(["asset", f"start {lab[0]}", f"start {lab[1]}", f"end {lab[0]}", f"end {lab[1]}"],
                    _balance_rows(s), "lrrrr")
    fees = s.engine_stats.get("fees") or {}
    if fees:
        out += ["", "Fees paid: " + ", ".join(f"{v} {k}" for k, v in fees.items()) + "."]
    out += ["", "## Latency", "", "Microseconds; loopback, simulator in the same process (its work is in the "
            "round trips).", ""]
    out += md_table(["stage", "count", *PERCENTILES], _latency_rows(s), "lrrrrr")
    out += [""] + [f"- `{stage}`: {STAGE_TITLES.get(stage, stage)}" for stage in s.latency]
    if plot_name:
        out += ["", f"![latency CDF per stage]({plot_name})"]
    es = s.engine_stats
    out += ["", "## Engine health", "", f"- unreadable messages: {es.get('bad_messages')}, unresolved orders: "
            f"{es.get('unresolved')}, events dropped: {es.get('events_dropped')}, breaker: {es.get('breaker')}",
            f"- errors by code: {es.get('errors') or 'none'}"]
    if s.warnings:
        out += [f"- warning: {w}" for w in s.warnings[:20]]
    return "\n".join(out) + "\n"


def write_reports(s: DemoSummary, out_dir: str | Path) -> tuple[dict[str, Path], str | None]:
    """Write report.md, report.json and latency.png into ``out_dir``.

    Returns the files written and, when the plot could not be drawn, why.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    note = None
    try:
        files["plot"] = latency_cdf_png(s.buckets, out / REPORT_FILES["plot"],
                                        f"engine demo latency: {s.venue}, {_ENTRY[s.entry]} order entry")
    except PlotUnavailable as exc:
        note = str(exc)
    md = out / REPORT_FILES["markdown"]
    md.write_text(markdown_report(s, REPORT_FILES["plot"] if "plot" in files else None), encoding="utf-8")
    files["markdown"] = md
    js = out / REPORT_FILES["json"]
    js.write_text(json.dumps(s.to_dict(), indent=2) + "\n", encoding="utf-8")
    files["json"] = js
    return files, note
