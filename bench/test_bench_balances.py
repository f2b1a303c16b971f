"""Balance-event parser benchmarks, each beside its same-run baselines.

Run: .venv/bin/python -m pytest bench/test_bench_balances.py --benchmark-enable --benchmark-only
     --benchmark-max-time=1

One group per kind, on realistic payloads from tests/data:

- ``balances-spot``: the WS-API-wrapped ``outboundAccountPosition`` (2 rows, 179 bytes);
- ``balances-usdm``: an ``ACCOUNT_UPDATE`` with 2 balance rows and 3 positions (skipped);
- ``balances-bybit``: a ``wallet`` push with one UNIFIED account and 3 coins (~1.9 kB).

Rows per group: ``BalanceParser.parse`` alone (the rows stay in C for a Cython caller);
``parse`` plus reading every row back through the Python accessors (what a Python
caller pays: one str and a few ints per row); ``json.loads`` plus extracting the same
values with the same exact fixed-point parser (``engine._fixedpoint.parse``), the way
``Reconciler.on_account_message`` does today; and ``json.loads`` alone.  Everything runs
through :func:`steady` (bench/conftest.py): warm calls first, then a fixed number of
calls per round.
"""

import json

import pytest

from engine._fixedpoint import parse as fp_parse
from engine._parse_balances import BalanceParser
from tests.support import DATA

SPOT = (DATA / "binance_spot_outbound_account_position.json").read_bytes().rstrip(b"\n")
USDM = (DATA / "balances_binance_usdm_account_update.json").read_bytes().rstrip(b"\n")
BYBIT = (DATA / "balances_bybit_wallet.json").read_bytes().rstrip(b"\n")


def json_spot(data):
    msg = json.loads(data)
    ev = msg.get("event", msg)
    return ev["E"], ev["u"], [(b["a"], fp_parse(b["f"]), fp_parse(b["l"])) for b in ev["B"]]


def json_usdm(data):
    ev = json.loads(data)
    a = ev["a"]
    return ev["E"], ev["T"], a["m"], [(b["a"], fp_parse(b["wb"]), fp_parse(b["cw"]), fp_parse(b["bc"]))
                                      for b in a["B"]]


def json_bybit(data):
    msg = json.loads(data)
    return msg["creationTime"], [(c["coin"], fp_parse(c["walletBalance"]), fp_parse(c["locked"]), acct["accountType"])
                                 for acct in msg["data"] for c in acct["coin"]]


def parse_and_read(p, data):
    """parse, then every row back into Python (asset str + raw ints)."""
    n = p.parse(data)
    asset, first, second = p.asset, p.first_raw, p.second_raw
    for i in range(n):
        asset(i)
        first(i)
        second(i)
    return n


def test_baselines_extract_what_the_parser_extracts():
    p = BalanceParser()
    p.parse(SPOT)
    assert json_spot(SPOT)[2] == [r[:3] for r in p.rows()] and json_spot(SPOT)[0] == p.ts_event_ms
    p.parse(USDM)
    assert json_usdm(USDM)[3] == p.rows() and json_usdm(USDM)[2] == p.reason
    p.parse(BYBIT)
    assert [r[:3] for r in json_bybit(BYBIT)[1]] == [r[:3] for r in p.rows()]


# One group per kind: the compiled parse, parse + reading the rows back in Python, and the
# json.loads baselines of the same run.
KINDS = {
    # payload, rows, (the json baseline, where it returns the rows)
    "spot": (lambda: SPOT, 2, (json_spot, 2)),
    "usdm": (lambda: USDM, 2, (json_usdm, 3)),
    "bybit": (lambda: BYBIT, 3, (json_bybit, 1)),
}


@pytest.mark.parametrize("kind", KINDS)
def test_engine_parse(steady, benchmark, kind):
    data, rows, _ = KINDS[kind]
    benchmark.group = f"balances-{kind}"
    assert steady(BalanceParser().parse, data()) == rows


@pytest.mark.parametrize("kind", KINDS)
def test_engine_parse_and_read(steady, benchmark, kind):
    data, rows, _ = KINDS[kind]
    benchmark.group = f"balances-{kind}"
    assert steady(parse_and_read, BalanceParser(), data()) == rows


@pytest.mark.parametrize("kind", KINDS)
def test_json_loads_extract_baseline(steady, benchmark, kind):
    data, rows, (extract, at) = KINDS[kind]
    benchmark.group = f"balances-{kind}"
    assert len(steady(extract, data())[at]) == rows


@pytest.mark.parametrize("kind", KINDS)
def test_json_loads_only_baseline(steady, benchmark, kind):
    data, _, _ = KINDS[kind]
    benchmark.group = f"balances-{kind}"
    steady(json.loads, data())
