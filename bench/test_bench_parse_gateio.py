"""The Gate.io parsers beside ``json.loads`` + extraction, in the same run.

Run: .venv/bin/python -m pytest bench/test_bench_parse_gateio.py --benchmark-enable --benchmark-only
     --benchmark-max-time=0.5

One group per message (tests/data, the fact sheet's shapes, gateio-spot.md §7, §8):

- ``orders``: a ``spot.orders`` push (one order, its times as strings);
- ``usertrades``: a ``spot.usertrades`` push (one trade, integer id and create_time);
- ``wsapi-result``: the order API's result frame (a FULL order);

each as ``compiled`` (``GateParser.parse`` + ``next_record``: the record filled in place, decimals in
fixed point, no Python object made) and ``json-extract`` (``json.loads``, then the fields the record
holds, decimals through the same exact fixed-point parser, the state from status + finish_as +
filled_amount as the compiled parser reads it).

And ``balances``: a ``spot.balances`` push (two rows) read by ``GateBalanceParser.parse`` (the rows stay
in C) beside ``json.loads`` + the currency, available, freeze and total of each row in fixed point.
"""

import json

import pytest

from engine._fixedpoint import parse as fp_parse
from engine._parse_gateio import GateParser
from engine._parse_gateio_balances import GateBalanceParser
from tests.support import DATA

MESSAGES = {name: (DATA / f"gateio_{name.replace('-', '_')}.json").read_bytes().rstrip(b"\n")
            for name in ("orders-update", "usertrades", "wsapi-result")}
_ENDED = {"closed", "cancelled"}


def _dec(text):
    return fp_parse(text) if text not in (None, "") else 0


def _order(o):
    filled = _dec(o.get("filled_amount"))
    ended = o.get("status") in _ENDED or o.get("event") == "finish"
    return (o["id"], o.get("text"), o.get("currency_pair"), o.get("side"), o.get("type"), o.get("time_in_force"),
            _dec(o.get("amount")), _dec(o.get("price")), _dec(o.get("left")), filled, _dec(o.get("filled_total")),
            _dec(o.get("fee")), o.get("fee_currency"), o.get("finish_as"), ended, int(o.get("update_time_ms", 0)))


def _trade(t):
    return (t["id"], t.get("order_id"), t.get("text"), t.get("currency_pair"), t.get("side"), t.get("role"),
            _dec(t.get("amount")), _dec(t.get("price")), _dec(t.get("fee")), t.get("fee_currency"),
            int(float(t.get("create_time_ms", 0))))


def json_extract(data):
    doc = json.loads(data)
    if "channel" in doc:
        rows = doc["result"]
        return [(_trade if doc["channel"] == "spot.usertrades" else _order)(r) for r in rows]
    return [_order(doc["data"]["result"])]


@pytest.mark.parametrize("name", list(MESSAGES))
def test_compiled(steady, benchmark, name):
    benchmark.group = f"parse-gateio-{name}"
    p = GateParser()
    parse, next_record = p.parse, p.next_record
    data = MESSAGES[name]

    def run():
        parse(data)
        while next_record():
            pass

    steady(run)


@pytest.mark.parametrize("name", list(MESSAGES))
def test_json_extract(steady, benchmark, name):
    benchmark.group = f"parse-gateio-{name}"
    assert json_extract(MESSAGES[name])
    steady(json_extract, MESSAGES[name])


BALANCES = (DATA / "balances_gateio_spot.json").read_bytes().rstrip(b"\n")


def json_balances(data):
    doc = json.loads(data)
    return doc["time_ms"], [(r["currency"], _dec(r["available"]), _dec(r["freeze"]), _dec(r["total"]))
                            for r in doc["result"]]


def test_balances_baseline_extracts_what_the_parser_extracts():
    p = GateBalanceParser()
    assert p.parse(BALANCES) == 2
    assert json_balances(BALANCES) == (p.ts_event_ms, [r for r in p.rows()])


@pytest.mark.benchmark(group="parse-gateio-balances")
def test_balances_compiled(steady):
    steady(GateBalanceParser().parse, BALANCES)


@pytest.mark.benchmark(group="parse-gateio-balances")
def test_balances_json_extract(steady):
    steady(json_balances, BALANCES)
