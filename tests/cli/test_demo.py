"""python -m engine demo: short sessions on each venue personality; the report is complete and adds up."""

import json
import re
import struct
import subprocess
import sys
from decimal import Decimal
from types import SimpleNamespace

import pytest

from engine._enums import OrderState, Side
from engine.demo import DemoOptions, run_demo
from engine.demo.ledger import FillLedger
from engine.demo.parts import OTHER, OrderParts
from engine.demo.render import REPORT_FILES, markdown_report, text_report, write_reports
from engine.config import VenueConfig
from engine.demo.session import DEFAULT_VENUE, VENUES, demo_symbols
from engine.venues.base import Capability
from engine.venues.registry import ORDER_ENTRY, make_adapter
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


NUMBER = re.compile(r"-?\d+(\.\d+)?(E[-+]?\d+)?")
SUM_OF_PARTS = re.compile(r"(\d+) (?:orders|fills) = ([^;(]+)")          # "17 orders = 11 quoting + 3 bracket"
BREAKDOWN = re.compile(r"(\d+) (?:quotes placed|orders?): ([^;]+);")   # "11 quotes placed: 7 filled, 4 cancelled;"


def decimal_places(value) -> int:
    """Digits after the point of a JSON number or of a decimal string (0 for anything else)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return 0
    text = repr(value) if isinstance(value, float) else str(value)
    if not NUMBER.fullmatch(text):
        return 0
    return max(0, -Decimal(text).as_tuple().exponent)


def too_precise(value, path="") -> list[str]:
    """Where a number in the JSON has more than the engine's 8 decimals."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in too_precise(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in too_precise(v, f"{path}[{i}]")]
    return [f"{path} = {value!r}"] if decimal_places(value) > 8 else []


def check_counts_add_up(text: str, outcome_rows: list[list[int]]):
    """Each "N orders = a part + b part" and "N quotes placed: a filled, b cancelled;" adds up; so does the
    outcome table (each row's total is the sum of its parts, the last row the sum of the rows)."""
    sums, breakdowns = SUM_OF_PARTS.findall(text), BREAKDOWN.findall(text)
    assert len(sums) >= 2 and len(breakdowns) >= 2, text
    for total, parts in sums + breakdowns:
        assert int(total) == sum(int(n) for n in re.findall(r"(\d+) [a-z]", parts)), (total, parts)
    assert len(outcome_rows) == len(OUTCOMES) + 1
    for row in outcome_rows:
        assert row[-1] == sum(row[:-1]), row
    assert outcome_rows[-1] == [sum(col) for col in zip(*outcome_rows[:-1])]


def check_no_repr(text: str):
    for marker in ("{", "}", "Decimal(", "OrderState.", "<"):
        assert marker not in text, f"a Python repr ({marker!r}) in the report"


def markdown_outcome_rows(md: str) -> list[list[int]]:
    section = md.split("## Orders by outcome", 1)[1].split("\n\n")[2]
    rows = [line.strip("|").split("|") for line in section.splitlines()[2:]]
    return [[int(cell) for cell in row[1:]] for row in rows]


def console_outcome_rows(text: str) -> list[list[int]]:
    lines = text.split("Orders by outcome:", 1)[1].splitlines()[2:2 + len(OUTCOMES) + 1]
    rows = []
    for line in lines:
        numbers = []
        for token in reversed(line.split()):
            if not token.isdigit():
                break
            numbers.insert(0, int(token))
        rows.append(numbers)
    return rows


def _adapter(venue: str):
    """The venue's adapter, unconnected: what it offers (capabilities, margin asset)."""
    return make_adapter(VenueConfig.local(venue, "http://127.0.0.1:9", "k", "s"))


# Every registered venue but the default one (the tests above), on its WebSocket order entry where it has
# one, else REST; and one venue that has both, on REST too.
OTHER_RUNS = [(venue, ORDER_ENTRY[venue][-1]) for venue in VENUES if venue != DEFAULT_VENUE] + [("binance-spot", "rest")]


def check_report(doc: dict, venue: str, entry: str):
    assert doc["venue"] == venue and doc["entry"] == entry
    outcomes = doc["outcomes"]
    assert set(outcomes) == set(OUTCOMES)
    assert sum(outcomes.values()) == doc["placed"] == doc["outcomes_total"] and doc["consistent"]
    by_part = doc["outcomes_by_part"]
    assert {"quoting", "bracket", "tour", "fault"} <= set(by_part)
    for outcome in OUTCOMES:
        assert sum(counts[outcome] for counts in by_part.values()) == outcomes[outcome], outcome
    assert sum(doc["fills_by_part"].values()) == doc["fills"]
    assert by_part["fault"] == {**dict.fromkeys(OUTCOMES, 0), **{doc["fault"]["final_state"].lower(): 1}} or \
        doc["fault"]["cancelled_after"] and sum(by_part["fault"].values()) == 1
    assert sum(by_part["tour"].values()) == 2
    # no bracket where the venue has no stop orders (the report says the bracket was not offered)
    assert sum(by_part["bracket"].values()) >= 1 or doc["bracket"]["outcome"].startswith("not offered")
    assert not too_precise(doc), too_precise(doc)
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
    assert {p["symbol"].replace("_", "") for p in doc["positions"]} == set(demo_symbols(venue))  # BTC_USDT on Gate
    assert (_adapter(venue).margin_asset or "USDT") in doc["balances_end"]     # USD on a futures broker
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
    assert f"Total: {doc['placed']} orders = " in md and f"; {doc['placed']} placed (adds up)" in md
    check_counts_add_up(md, markdown_outcome_rows(md))
    check_counts_add_up(text, console_outcome_rows(text))
    check_no_repr(md)
    check_no_repr(text.split("\n\n", 1)[1])   # the report, after the progress lines
    assert "errors counted: venue code -5022 x1" in md    # the post-only refusal, in words
    check_png(files["plot"])


@pytest.mark.parametrize("venue, entry", OTHER_RUNS)
def test_demo_on_other_venues_and_websocket_entry(venue, entry, tmp_path):
    progress = []
    summary = run(run_demo(DemoOptions(venue=venue, entry=entry, duration=5, seed=3), progress.append), 90)
    assert progress and progress[-1]["placed"] > 0
    doc = summary.to_dict()
    check_report(doc, venue, entry)
    adapter = _adapter(venue)
    if Capability.AMEND_IN_PLACE not in adapter.capabilities:   # quotes are cancelled and placed again
        assert summary.actions["cancelled and replaced"] >= 1 and summary.actions["amended"] == 0
    if not adapter.futures:
        assert all(p["source"] == "fills" for p in doc["positions"]) and summary.spot
    else:
        assert summary.actions["amended"] >= 1
    if entry == "ws":
        assert summary.fault["reconnected_ms"] is not None
    files, note = write_reports(summary, tmp_path)
    assert note is None
    check_png(files["plot"])
    assert not too_precise(json.loads(files["json"].read_text()))
    text, md = text_report(summary), markdown_report(summary)
    assert "adds up" in text and "## Latency" in md
    check_counts_add_up(md, markdown_outcome_rows(md))
    check_counts_add_up(text, console_outcome_rows(text))
    check_no_repr(md)
    check_no_repr(text)


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


def test_fill_ledger_keeps_the_engines_8_decimals():
    ledger = FillLedger()
    ledger.add("BTCUSDT", Side.BUY, Decimal("1"), Decimal("100"))
    ledger.add("BTCUSDT", Side.BUY, Decimal("2"), Decimal("101"))
    p = ledger.positions["BTCUSDT"]
    assert p.entry == Decimal("100.66666667")                   # 302 / 3, half-even to 8 decimals
    ledger.add("BTCUSDT", Side.SELL, Decimal("0.001"), Decimal("100.7"))
    assert p.realized == Decimal("0.00003333")                  # 0.001 * 0.03333333
    assert p.unrealized(Decimal("101")) == Decimal("0.99966666")  # 2.999 * 0.33333333
    for value in (p.entry, p.realized, p.unrealized(Decimal("101")), p.volume):
        assert decimal_places(str(value)) <= 8, value


def test_orders_are_counted_under_the_part_that_placed_them():
    def view(cid, state, symbol="BTCUSDT", side=Side.BUY, price=Decimal("100")):
        return SimpleNamespace(client_order_id=cid, state=state, symbol=symbol, side=side, price=price)

    parts = OrderParts()
    parts.add("quoting", view("q1", OrderState.FILLED))
    parts.add("bracket", None)                                   # a leg never placed
    parts.add_refused("tour", "BTCUSDT", Side.BUY, Decimal("100.20"))
    orders = [view("q1", OrderState.FILLED), view("t1", OrderState.REJECTED, price=Decimal("100.2")),
              view("x1", OrderState.REJECTED, price=Decimal("99")), view("a1", OrderState.FILLED)]
    assert parts.assign(orders) == {"q1": "quoting", "t1": "tour", "x1": OTHER, "a1": OTHER}
