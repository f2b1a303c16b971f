"""engine._parse_gateio_balances (spot.balances pushes) against a json.loads reference, fuzzed, allocation-free."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._parse_balances import BalanceFlag, BalanceKind
from engine._parse_common import ParseError
from engine._parse_gateio_balances import GateBalanceParser
from tests.support import DATA
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.fuzzing import junk, mutate, reorder
from tests.support.parse_reference import Bad, FloatLit, RecordRef, utf8

SAMPLE = (DATA / "balances_gateio_spot.json").read_bytes().rstrip(b"\n")
MAX_ROWS, ASSET_CAP = 64, 16


def reference(data: bytes):
    """(return value, kind, [(asset, first, second, third)], ts_event_ms, flags); raises Bad when rejected."""
    try:
        top = json.loads(data, parse_float=FloatLit)
    except ValueError as exc:
        raise Bad("json") from exc
    if not isinstance(top, dict):
        raise Bad("top")
    balances, rows, ts, flags = False, None, 0, 0
    for k, v in top.items():
        if k == "channel":
            if v is not None and type(v) is not str:
                raise Bad(k)
            balances = v == "spot.balances"
        elif k == "result" and isinstance(v, list):
            rows = v
        elif k == "time_ms":
            n = RecordRef().integer("x", v)
            if n is not None:
                ts = n
    if not balances or rows is None:
        return -1, BalanceKind.BAL_NONE, [], ts, 0
    out, overflow = [], False
    for row in rows:
        if not isinstance(row, dict):
            raise Bad("row")
        r = RecordRef()
        asset = None
        for k, v in row.items():
            if k == "currency":
                if v is None or type(v) is not str:
                    raise Bad(k)
                if len(utf8("currency", v)) > ASSET_CAP:
                    overflow = True
                    asset = ""
                else:
                    asset = v
            elif k in ("available", "freeze", "total"):
                r.d.pop(k, None)
                r.decimal(k, v)
        if asset is None:
            raise Bad("asset")
        flags |= r.flags
        out.append((asset, r.d.get("available"), r.d.get("freeze"), r.d.get("total")))
    if overflow or len(out) > MAX_ROWS:
        return -1, BalanceKind.BAL_GATE_SPOT, [], ts, flags | BalanceFlag.BAL_OVERFLOW
    return len(out), BalanceKind.BAL_GATE_SPOT, out, ts, flags


def compiled(data: bytes):
    p = GateBalanceParser()
    n = p.parse(data)
    return n, p.kind, p.rows(), p.ts_event_ms, p.flags


def check(data: bytes):
    try:
        want = reference(data)
    except Bad:
        with pytest.raises(ParseError):
            compiled(data)
        return None
    assert compiled(data) == want
    return want


def test_the_sheets_example_and_a_second_row():
    n, kind, rows, ts, flags = check(SAMPLE)
    assert n == 2 and kind == BalanceKind.BAL_GATE_SPOT and ts == 1700000000140 and flags == 0
    assert rows[0] == ("USDT", 9500 * 10**8, 300 * 10**8, 9800 * 10**8)


@pytest.mark.parametrize("data", [
    b'{"channel":"spot.orders","result":[{"currency":"USDT"}]}',
    b'{"channel":"spot.balances","result":{"status":"success"}}',
    b'{"channel":"spot.balances","result":[{"available":"1"}]}',
    b'{"channel":"spot.balances","result":[{"currency":null}]}',
    b'{"channel":"spot.balances","result":[{"currency":"' + b"X" * 17 + b'","available":"1"}]}',
    b'{"channel":"spot.balances","result":[' + b",".join([b'{"currency":"A"}'] * 65) + b"]}",
    b'{"channel":"spot.balances","result":[{"currency":"A","available":"1.000000001","freeze":null}]}',
    b'{"result":[{"currency":"A"}],"channel":"spot.balances","time_ms":"5"}',
    b'{"channel":"spot.balances","result":[1]}',
    b'{"channel":"spot.balances","result":[{"currency":"A","total":true}]}',
    b'{"channel":"spot.balances"',
])
def test_edge_cases_match_reference(data):
    check(data)


@given(st.randoms(use_true_random=False), st.dictionaries(st.text(min_size=3, max_size=6), junk(), max_size=3))
def test_reserialised_variants_match_reference(rnd, extra):
    obj = reorder(json.loads(SAMPLE), rnd)
    target = obj["result"][rnd.randrange(len(obj["result"]))]
    for k, v in extra.items():
        target.setdefault(k, v)
    check(json.dumps(obj).encode())


@given(st.data())
def test_mutations_raise_or_agree(data):
    mutated = mutate(SAMPLE, data)
    try:
        compiled(mutated)
    except ParseError:
        return
    obj_pairs = []
    json.loads(mutated, object_pairs_hook=lambda p: obj_pairs.append(len(p) != len({k for k, _ in p})) or dict(p))
    if not any(obj_pairs):
        check(mutated)


@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data):
    try:
        compiled(data)
    except ParseError:
        return
    json.loads(data)


def test_zero_python_allocations_per_message():
    p = GateBalanceParser()
    parse = p.parse
    assert python_allocations_per_call_bytes(lambda: parse(SAMPLE)) == 0
    assert allocated_blocks_delta(lambda: parse(SAMPLE)) == 0
