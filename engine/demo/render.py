"""A demo summary as console text, Markdown, JSON and a latency plot (written to a folder).

Counts are written as sums a reader can check: orders by outcome per part of the session
(quoting, bracket, never rests, fault, and ``other`` for orders no part placed), fills per
part, and each part's line names its orders' outcomes.  Nothing is printed as a Python repr.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from engine.demo.parts import OTHER, PART_LABELS
from engine.demo.summary import OUTCOMES, PERCENTILES, STAGE_TITLES, DemoSummary
from engine.report.markdown import fmt_us, md_table
from engine.report.plots import PlotUnavailable, latency_cdf_png

__all__ = ["text_report", "markdown_report", "write_reports", "REPORT_FILES"]

REPORT_FILES = {"markdown": "report.md", "json": "report.json", "plot": "latency.png"}
_OUTCOME_LABEL = {"filled": "filled", "cancelled": "cancelled", "rejected": "rejected", "expired": "expired",
                  "not_placed": "never placed (answer lost, not re-sent)",
                  "open": "still open"}
_ENTRY = {"rest": "REST", "ws": "WebSocket"}
_OTHER_NOTE = ("other: orders no part of the demo placed itself (an exit the engine placed again, a bracket's "
               "flattening order, an order adopted from the venue's stream)")


def _d(value, places: int | None = None) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal) and places is not None:
        return f"{value:,.{places}f}"
    return str(value)


def _headline(s: DemoSummary) -> str:
    return (f"engine demo: {s.venue}, {_ENTRY[s.entry]} order entry, seed {s.seed}, {s.elapsed_s:.1f} s "
            f"against the simulator at {s.url}")


def _parts(s: DemoSummary) -> list[str]:
    """The parts to show: every named part, ``other`` only when it holds an order or a fill."""
    parts = [p for p in s.outcomes_by_part if p != OTHER]
    if _part_total(s, OTHER) or s.fills_by_part.get(OTHER):
        parts.append(OTHER)
    return parts


def _part_total(s: DemoSummary, part: str) -> int:
    return sum(s.outcomes_by_part.get(part, {}).values())


def _sum_of_parts(total: int, counts: dict[str, int], parts: list[str], noun: str) -> str:
    """``"25 orders = 19 quoting + 3 bracket + 2 never rests + 1 fault"``."""
    return f"{total} {noun} = " + " + ".join(f"{counts.get(p, 0)} {PART_LABELS.get(p, p)}" for p in parts)


def _outcome_table(s: DemoSummary) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: one row per outcome, one column per part, the total last (and a total row)."""
    parts = _parts(s)
    headers = ["outcome", *(PART_LABELS.get(p, p) for p in parts), "total"]
    rows = [[_OUTCOME_LABEL[k], *(str(s.outcomes_by_part.get(p, {}).get(k, 0)) for p in parts), str(s.outcomes[k])]
            for k in OUTCOMES]
    rows.append(["all outcomes", *(str(_part_total(s, p)) for p in parts), str(s.outcomes_total)])
    return headers, rows


def _check(s: DemoSummary) -> str:
    mark = "adds up" if s.consistent else "DOES NOT add up"
    totals = {p: _part_total(s, p) for p in _parts(s)}
    return f"{_sum_of_parts(s.outcomes_total, totals, _parts(s), 'orders')}; {s.placed} placed ({mark})"


def _fills_line(s: DemoSummary) -> str:
    return (f"Fills: {_sum_of_parts(s.fills, s.fills_by_part, _parts(s), 'fills')} (an order filled in several "
            "trades counts each)")


def _breakdown(s: DemoSummary, part: str) -> str:
    """``"15 filled, 4 cancelled"``: the part's orders by outcome, zeros left out."""
    counts = s.outcomes_by_part.get(part, {})
    return ", ".join(f"{n} {_OUTCOME_LABEL[k]}" for k, n in counts.items() if n) or "none"


def _position_rows(s: DemoSummary) -> list[list[str]]:
    return [[p["symbol"], _d(p["size"]), _d(p["entry"]), _d(p["mark"]), _d(p["realized"], 4),
             _d(p["unrealized"], 4), _d(p["fees"], 4) if p["fees"] is not None else "-"] for p in s.positions]


def _balance_rows(s: DemoSummary) -> list[list[str]]:
    rows = []
    for asset in sorted(set(s.balances_start) | set(s.balances_end)):
        a0, b0 = s.balances_start.get(asset, (None, None))
        a1, b1 = s.balances_end.get(asset, (None, None))
        if asset not in ("USDT", "BTC", "ETH", "USD") and (a0, b0) == (a1, b1):
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
    errors = _counts_in_words(f["errors_counted"])
    lines = [f"injected: `{f['spec']}` (fired {f['fired']} time{'s' if f['fired'] != 1 else ''})",
             f"order {f['client_order_id']}: place call returned {f['state_on_return']} after "
             f"{f['place_call_ms']:.1f} ms, settled as {f['final_state']} after {f['settled_ms']:.1f} ms",
             f"how: {f['resolution']}",
             *(["it was still resting (a buy below the market), so the demo then cancelled it"]
               if f.get("cancelled_after") else []),
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
    n = _part_total(s, "bracket")
    return (f"{b['symbol']} {b['side']} {b['qty']} at market{entry}; stop-loss {b['stop_loss']}, take-profit "
            f"{b['take_profit']} -> {b['outcome']} ({n} order{'s' if n != 1 else ''}: {_breakdown(s, 'bracket')}; "
            f"{s.fills_by_part.get('bracket', 0)} fills)")


def _actions_line(s: DemoSummary) -> str:
    n = _part_total(s, "quoting")
    refused = _counts_in_words(s.refused)
    return (f"{n} quotes placed: {_breakdown(s, 'quoting')}; {s.actions['amended']} amended in place, "
            f"{s.actions['cancelled and replaced']} cancelled and replaced; {s.fills_by_part.get('quoting', 0)} fills"
            + (f"; refused along the way: {refused}" if s.refused else ""))


def _end_line(s: DemoSummary) -> str | None:
    if not s.cancelled_at_end:
        return None
    return (f"End of session: cancel_all() cancelled {s.cancelled_at_end} order(s) still open "
            "(counted under their parts above)")


def _counts_in_words(counts: dict) -> str:
    """``{"-5022": 1, "ConnectionLost": 2}`` -> ``"venue code -5022 x1, ConnectionLost x2"`` (``"none"`` if empty)."""
    words = []
    for key, n in counts.items():
        name = str(key)
        words.append(f"{'venue code ' + name if name.lstrip('-').isdigit() else name} x{n}")
    return ", ".join(words) or "none"


def text_report(s: DemoSummary, files: dict[str, Path] | None = None) -> str:
    """The console report."""
    out = [_headline(s), ""]
    out.append(f"Orders by outcome: {_check(s)}")
    out += _columns(*_outcome_table(s))
    if s.partially_filled_then_cancelled:
        out.append(f"  ({s.partially_filled_then_cancelled} of the cancelled orders were partly filled first)")
    out.append(_fills_line(s))
    if OTHER in _parts(s):
        out.append(_OTHER_NOTE)
    out += ["", f"Quoting: {_actions_line(s)}", f"Bracket: {_bracket_line(s)}"]
    out += [f"Never rests: {t['order']} -> {t['result']}" for t in s.tour]
    out += [line for line in [_end_line(s)] if line]
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
           "Prices moved " + ", ".join(f"{k} {s.prices_start[k]} -> {s.prices_end[k]}" for k in s.prices_start)
           + ".", "",
           "## Orders by outcome", "", f"Total: {_check(s)}.", ""]
    headers, rows = _outcome_table(s)
    out += md_table(headers, rows, "l" + "r" * (len(headers) - 1))
    if s.partially_filled_then_cancelled:
        out += ["", f"{s.partially_filled_then_cancelled} of the cancelled orders were partly filled first."]
    out += ["", f"{_fills_line(s)}."]
    if OTHER in _parts(s):
        out += ["", f"{_OTHER_NOTE}."]
    out += ["", "## What happened", "", f"- Quoting: {_actions_line(s)}", f"- Bracket: {_bracket_line(s)}"]
    out += [f"- Never rests: {t['order']} -> {t['result']}" for t in s.tour]
    out += [f"- {line}" for line in [_end_line(s)] if line]
    out += ["", "## Injected fault", ""] + [f"- {line}" for line in _fault_lines(s)]
    out += ["", "## Positions", "", "Mark: the simulator's price at the end of the session. "
            + ("Positions are the engine's own (futures)." if not s.spot
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
            f"- errors counted: {_counts_in_words(es.get('errors') or {})}"]
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
