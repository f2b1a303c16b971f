"""engine._parse_bybit_marks against a json.loads + Decimal reference: a Bybit ``position`` push's mark prices
(symbol, markPrice per data item), the whole message validated; hostile input raises ParseError and never
crashes; a parse allocates no Python object."""

import json
import random
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._parse_balances import BalanceFlag, BalanceKind, RowField
from engine._parse_bybit_marks import BybitMarkParser
from engine._parse_common import ParseError

from tests.support import DATA
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.fuzzing import junk, mutate, reorder

SAMPLE = (DATA / "bybit_position.json").read_bytes().strip()
E8 = Decimal(100_000_000)


def reference(raw: bytes):
    """(marks, rounded) as the compiled parser must read them, or None for a message it leaves (-1)."""
    doc = json.loads(raw)
    topic = doc.get("topic")
    if not isinstance(topic, str) or not (topic == "position" or topic.startswith("position.")):
        return None
    rows = doc.get("data")
    if not isinstance(rows, list):
        return None
    marks, rounded = [], False
    for row in rows:
        symbol, mark, value = row.get("symbol"), row.get("markPrice"), None
        if mark not in (None, ""):                       # every mark read (and its rounding flagged)
            exact = Decimal(str(mark)) * E8
            value = int(exact.to_integral_value(ROUND_HALF_EVEN))
            rounded |= value != exact
        if not symbol:
            continue                                     # a row that names nothing
        if len(symbol.encode()) > 16:
            return None                                  # over capacity: the general path
        marks.append((symbol, value))
    return (marks, rounded) if len(marks) <= 64 else None


def compiled(raw: bytes):
    p = BybitMarkParser()
    n = p.parse(raw)
    if n < 0:
        return None
    assert p.kind == BalanceKind.BAL_BYBIT_POSITION
    marks = [(p.asset(i), p.first_raw(i) if p.present(i) & RowField.ROW_FIRST else None) for i in range(n)]
    return marks, bool(p.flags & BalanceFlag.BAL_ROUNDED)


def test_the_sample():
    p = BybitMarkParser()
    assert p.parse(SAMPLE) == 1
    assert (p.asset(0), p.first_raw(0), p.ts_event_ms) == ("BTCUSDT", 28184_50000000, 1697682317044)


@pytest.mark.parametrize("raw", [
    b'{"topic":"wallet","data":[{"symbol":"BTCUSDT","markPrice":"1"}]}',
    b'{"topic":"positions","data":[{"symbol":"BTCUSDT","markPrice":"1"}]}',
    b'{"topic":"position"}', b'{"topic":"position","data":{}}', b'{"op":"pong"}',
])
def test_other_messages_give_minus_one(raw):
    assert BybitMarkParser().parse(raw) == -1


def mark_text():
    return st.one_of(st.decimals(min_value=0, max_value=10**7, places=10, allow_nan=False).map(lambda d: format(d, "f")),
                     st.sampled_from(["", None, "0", "28184.5"]))


position = st.fixed_dictionaries(
    {"symbol": st.one_of(st.sampled_from(["BTCUSDT", "ETHUSDT", "", None, "10000000AIDOGEUSDT"]),
                         st.text(max_size=18))},
    optional={"markPrice": mark_text(), "size": st.just("0.01"), "extra": junk()})


@given(st.lists(position, max_size=5), st.sampled_from(["position", "position.linear"]), st.randoms(),
       st.booleans())
def test_variants_match_the_reference(rows, topic, rnd, spaced):
    doc = reorder({"id": "x", "topic": topic, "creationTime": 1, "data": rows}, random.Random(rnd.random()))
    raw = json.dumps(doc, indent=1 if spaced else None).encode()
    assert compiled(raw) == reference(raw)


@given(st.data())
def test_mutations_raise_or_agree(data):
    raw = mutate(SAMPLE, data)
    try:
        want = reference(raw)
    except (ValueError, AttributeError, TypeError, ArithmeticError):
        want = "bad"
    try:
        got = compiled(raw)
    except ParseError:
        got = "bad"
    if want == "bad" or got == "bad":
        return                               # json is laxer than RFC 8259 in places; never a crash
    assert got == want


@given(st.binary(max_size=200))
def test_random_bytes_never_crash(raw):
    try:
        BybitMarkParser().parse(raw)
    except ParseError:
        pass


@pytest.mark.parametrize("raw", [b'[]', b'{"topic":"position","data":[1]}', b'{"topic":"position","data":[{"symbol":7}]}',
                                 b'{"topic":"position","data":[{"symbol":"X","markPrice":"1x"}]}'])
def test_a_message_of_the_wrong_shape_raises(raw):
    with pytest.raises(ParseError):
        BybitMarkParser().parse(raw)


def test_every_truncation_raises():
    p = BybitMarkParser()
    for n in range(len(SAMPLE)):
        with pytest.raises(ParseError):
            p.parse(SAMPLE[:n])
        assert p.count == 0


def test_too_many_positions_or_a_long_symbol_take_the_general_path():
    rows = [{"symbol": f"S{i}USDT", "markPrice": "1"} for i in range(65)]
    p = BybitMarkParser()
    assert p.parse(json.dumps({"topic": "position", "data": rows}).encode()) == -1
    assert p.flags & BalanceFlag.BAL_OVERFLOW
    assert p.parse(json.dumps({"topic": "position", "data": rows[:64]}).encode()) == 64


def test_zero_python_allocations_per_parse():
    p = BybitMarkParser()
    parse = p.parse

    def call():
        parse(SAMPLE)

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0
