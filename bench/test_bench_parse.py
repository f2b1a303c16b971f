"""Hot-message parser benchmarks, each beside its same-run baselines.

Run: .venv/bin/python -m pytest bench/test_bench_parse.py --benchmark-enable --benchmark-only
     --benchmark-max-time=0.5

Group ``parse-executionReport``: the 481-byte wrapped spot executionReport from the
fact sheet (tests/data/binance_spot_execution_report_wrapped.json) into the record,
against (a) ``json.loads`` plus extracting the same fields, decimals converted with
the same exact parser (``engine._fixedpoint.parse``) and enums mapped by dict, and
(b) ``msgspec`` decoding into a typed Struct (skipped when msgspec is missing).

Every benchmark here runs through :func:`steady`: warm calls first, then a fixed
number of calls per round chosen from a warm timing.  Left to itself,
pytest-benchmark sizes its rounds from the very first call; a cold first call (the
parser's takes ~7 us: caches, predictors, lazy symbol binding) made it settle on one
call per round, and each round then also timed the timer and the runner's loop
(~140 ns).  That alone moved the executionReport median between ~420 ns (run after
other tests that had warmed the parser) and ~570 ns (run alone, ``-k``).
"""

import json

import pytest

from engine._enums import ExecType, OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import parse as fp_parse
from engine._parse_binance import BinanceParser
from engine._parse_bybit import BybitParser
from engine._parse_common import MessageKind
from tests.support import DATA

REPORT = (DATA / "binance_spot_execution_report_wrapped.json").read_bytes().rstrip(b"\n")
FULL = (DATA / "binance_spot_order_full.json").read_bytes().rstrip(b"\n")
BYBIT_EXEC = (DATA / "bybit_execution.json").read_bytes().rstrip(b"\n")

SIDE = {"BUY": Side.BUY, "SELL": Side.SELL}
TYPE = {"LIMIT": OrderType.LIMIT, "MARKET": OrderType.MARKET, "LIMIT_MAKER": OrderType.LIMIT_MAKER}
TIF = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}
EXEC = {"NEW": ExecType.EXEC_NEW, "TRADE": ExecType.EXEC_TRADE, "CANCELED": ExecType.EXEC_CANCELED}
STATE = {"NEW": OrderState.NEW, "PARTIALLY_FILLED": OrderState.PARTIALLY_FILLED, "FILLED": OrderState.FILLED}


def json_loads_extract(data):
    """The pure-Python way: json.loads, then the same fields as the compiled record."""
    msg = json.loads(data)
    ev = msg.get("event", msg)
    return (
        ev["E"], ev["T"], ev["s"], ev["c"], ev["C"], ev["i"], ev["t"], ev["r"], ev["N"], ev["m"],
        SIDE[ev["S"]], TYPE[ev["o"]], TIF[ev["f"]], EXEC[ev["x"]], STATE[ev["X"]],
        fp_parse(ev["q"]), fp_parse(ev["p"]), fp_parse(ev["P"]), fp_parse(ev["l"]), fp_parse(ev["L"]),
        fp_parse(ev["Y"]), fp_parse(ev["z"]), fp_parse(ev["Z"]), fp_parse(ev["n"]),
    )


def test_baseline_extracts_what_the_parser_extracts():
    p = BinanceParser()
    p.parse(REPORT)
    d = p.to_dict()
    base = json_loads_extract(REPORT)
    assert base[15:] == (d["qty_raw"], d["price_raw"], d["stop_price_raw"], d["last_qty_raw"], d["last_price_raw"],
                         d["last_quote_raw"], d["cum_qty_raw"], d["cum_quote_raw"], d["commission_raw"])


@pytest.mark.benchmark(group="parse-executionReport")
def test_engine_parse_execution_report(steady):
    p = BinanceParser()
    assert steady(p.parse, REPORT) == MessageKind.EXECUTION_REPORT


@pytest.mark.benchmark(group="parse-executionReport")
def test_json_loads_extract_baseline(steady):
    assert steady(json_loads_extract, REPORT)[2] == "BTCUSDT"


@pytest.mark.benchmark(group="parse-executionReport")
def test_json_loads_only_baseline(steady):
    steady(json.loads, REPORT)


@pytest.mark.benchmark(group="parse-executionReport")
def test_msgspec_struct_baseline(steady):
    msgspec = pytest.importorskip("msgspec")

    class ExecutionReport(msgspec.Struct):
        e: str
        E: int
        s: str
        c: str
        S: str
        o: str
        f: str
        q: str
        p: str
        P: str
        C: str
        x: str
        X: str
        r: str
        i: int
        l: str  # noqa: E741 (the wire name)
        z: str
        L: str
        n: str
        N: str | None
        T: int
        t: int
        m: bool
        Z: str
        Y: str

    class Envelope(msgspec.Struct):
        subscriptionId: int
        event: ExecutionReport

    decoder = msgspec.json.Decoder(Envelope)
    assert steady(decoder.decode, REPORT).event.s == "BTCUSDT"


@pytest.mark.benchmark(group="parse-full-response")
def test_engine_parse_full_response(steady):
    p = BinanceParser()
    assert steady(p.parse, FULL) == MessageKind.ORDER_RESPONSE


@pytest.mark.benchmark(group="parse-full-response")
def test_json_loads_full_baseline(steady):
    steady(json.loads, FULL)


@pytest.mark.benchmark(group="parse-bybit-execution")
def test_engine_parse_bybit_execution(steady):
    p = BybitParser()

    def run():
        p.parse(BYBIT_EXEC)
        while p.next_record():
            pass

    steady(run)


@pytest.mark.benchmark(group="parse-bybit-execution")
def test_json_loads_bybit_baseline(steady):
    steady(json.loads, BYBIT_EXEC)
