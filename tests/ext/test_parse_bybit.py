"""engine._parse_bybit against an independent json.loads reference, plus fuzzing."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._enums import ExecType, OrderState, OrderType, PositionSide, Side, TimeInForce
from engine._parse_bybit import BybitParser
from engine._parse_common import MessageKind, ParseError, RecordFlag

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.parse_reference import Bad, FloatLit, RecordRef
from tests.support.parse_reference import utf8 as utf8_field
from tests.support.fuzzing import mutate, reorder
from tests.support import DATA

SAMPLES = sorted(p.name for p in DATA.glob("bybit_*.json"))


def load(name: str) -> bytes:
    return (DATA / name).read_bytes().rstrip(b"\n")


# ----------------------------------------------------------------- reference


SIDE = {"Buy": Side.BUY, "Sell": Side.SELL}
TYPE = {"Limit": OrderType.LIMIT, "Market": OrderType.MARKET}
TIF = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK, "PostOnly": TimeInForce.POST_ONLY}
STATUS = {
    "New": OrderState.NEW, "Untriggered": OrderState.NEW, "Triggered": OrderState.NEW,
    "PartiallyFilled": OrderState.PARTIALLY_FILLED, "Filled": OrderState.FILLED,
    "Cancelled": OrderState.CANCELLED, "PartiallyFilledCanceled": OrderState.CANCELLED,
    "Deactivated": OrderState.CANCELLED, "Rejected": OrderState.REJECTED,
}
EXEC = {k: ExecType.EXEC_TRADE for k in ("Trade", "AdlTrade", "BustTrade", "BlockTrade", "MovePosition", "FutureSpread")}
EXEC.update({k: 0 for k in ("Funding", "Settle", "Delivery", "CorporateAction")})
CATEGORY = {"spot": "spot", "linear": "linear", "inverse": "inverse", "option": "option"}
POSITION = {0: PositionSide.BOTH, 1: PositionSide.LONG, 2: PositionSide.SHORT}


def utf8(v):
    return utf8_field("text", v)


class Rec(RecordRef):
    def enum(self, f, v, table):
        super().enum(f, v, table, unknown="" if f == "category" else 0)


ITEM = {
    "qty": ("decimal", "qty_raw"), "orderQty": ("decimal", "qty_raw"),
    "price": ("decimal", "price_raw"), "orderPrice": ("decimal", "price_raw"),
    "symbol": ("text", "symbol", 32), "execId": ("text", "exec_id", 48),
    "orderId": ("text", "venue_order_id", 48), "orderLinkId": ("text", "client_id", 64),
    "feeCurrency": ("text", "commission_asset", 16),
    "execFee": ("decimal", "commission_raw"), "cumExecFee": ("decimal", "commission_raw"),
    "execQty": ("decimal", "last_qty_raw"), "execPrice": ("decimal", "last_price_raw"),
    "execValue": ("decimal", "last_quote_raw"), "execPnl": ("decimal", "realized_pnl_raw"),
    "closedPnl": ("decimal", "realized_pnl_raw"), "avgPrice": ("decimal", "avg_price_raw"),
    "leavesQty": ("decimal", "leaves_qty_raw"), "cumExecQty": ("decimal", "cum_qty_raw"),
    "cumExecValue": ("decimal", "cum_quote_raw"), "triggerPrice": ("decimal", "stop_price_raw"),
    "isMaker": ("boolean", "is_maker"), "reduceOnly": ("boolean", "reduce_only"),
    "execTime": ("integer", "ts_transact_ms"), "updatedTime": ("integer", "ts_transact_ms"),
    "side": ("enum", "side", SIDE), "orderType": ("enum", "order_type", TYPE),
    "timeInForce": ("enum", "time_in_force", TIF), "orderStatus": ("enum", "order_state", STATUS),
    "execType": ("enum", "exec_type", EXEC), "category": ("enum", "category", CATEGORY),
}


def reference_item(item, kind, ts_event):
    if not isinstance(item, dict):
        raise Bad("item")
    r = Rec()
    if ts_event is not None:
        r.d["ts_event_ms"] = ts_event
    for k, v in item.items():
        if k == "positionIdx":
            n = r.integer(None, v)
            if n is not None:
                if n not in POSITION:
                    r.flags |= RecordFlag.UNKNOWN_ENUM
                r.d["position_side"] = POSITION.get(n, 0)
        elif k == "rejectReason":
            r.text("reject_reason", v, 64, truncate=True)
        elif k in ITEM:
            how, field, *extra = ITEM[k]
            getattr(r, how)(field, v, *extra)
    r.d["kind"] = kind
    r.d["flags"] = r.flags
    return r.d


def reference_py(data: bytes):
    """(envelope dict, [record dicts or Bad]) for ``data``; raises Bad if the envelope is rejected."""
    try:
        top = json.loads(data, parse_float=FloatLit)
    except ValueError as exc:
        raise Bad("json") from exc
    if not isinstance(top, dict):
        raise Bad("top")
    r = Rec()
    topic, array, ack, code = None, None, False, None
    for k, v in top.items():
        if k == "topic":
            if v is not None and type(v) is not str:
                raise Bad(k)
            topic = "other"
            if isinstance(v, str):
                utf8(v)
                if re.fullmatch(r"order(\..*)?", v, re.S):
                    topic = "order"
                elif re.fullmatch(r"execution(\..*)?", v, re.S):
                    topic = "execution"
        elif k == "data" and isinstance(v, list):
            array = v
        elif k in ("data", "result") and isinstance(v, dict):
            for kk, vv in v.items():
                if kk == "orderId":
                    ack = True
                    r.text("venue_order_id", vv, 48)
                elif kk == "orderLinkId":
                    ack = True
                    r.text("client_id", vv, 64)
        elif k in ("creationTime", "time"):
            r.integer("ts_event_ms", v)
        elif k == "retCode":
            n = r.integer("error_code", v)
            if n is not None:
                if not -(2**31) <= n < 2**31:
                    raise Bad(k)
                code = n
        elif k == "retMsg":
            r.text("error_msg", v, 128, truncate=True)
    if code is not None and code != 0:
        kind = MessageKind.ERROR
    elif array is not None and topic == "order":
        kind = MessageKind.ORDER_STATE
    elif array is not None and topic == "execution":
        kind = MessageKind.TRADE
    elif ack:
        kind = MessageKind.ORDER_RECEIVED
    else:
        kind = MessageKind.OTHER
    r.d["kind"] = kind
    r.d["flags"] = r.flags
    records = []
    if kind in (MessageKind.ORDER_STATE, MessageKind.TRADE):
        for item in array:
            try:
                records.append(reference_item(item, kind, r.d.get("ts_event_ms")))
            except Bad as exc:
                records.append(exc)
                break
    return r.d, records


def compiled(data: bytes):
    p = BybitParser()
    kind = p.parse(data)
    env = p.to_dict()
    assert env["kind"] == kind
    records = []
    while True:
        try:
            more = p.next_record()
        except ParseError as exc:
            records.append(exc)
            assert p.kind == MessageKind.NONE and not p.next_record()
            break
        if not more:
            break
        records.append(p.to_dict())
    return env, records


def check(data: bytes):
    try:
        want_env, want_records = reference_py(data)
    except Bad:
        with pytest.raises(ParseError):
            compiled(data)
        return None
    got_env, got_records = compiled(data)
    assert got_env == want_env
    assert len(got_records) == len(want_records)
    for g, w in zip(got_records, want_records):
        if isinstance(w, Bad):
            assert isinstance(g, ParseError)
        else:
            assert g == w
    return got_env, got_records


# ----------------------------------------------------------------- samples


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_matches_reference(name):
    assert check(load(name)) is not None


def test_order_push_fields():
    env, recs = compiled(load("bybit_order_new.json"))
    assert env["kind"] == MessageKind.ORDER_STATE and env["ts_event_ms"] == 1700000000123
    (r,) = recs
    assert r["venue_order_id"] == "fd4300ae-7847-404e-b947-b46980a4d140" and r["client_id"] == "my-1"
    assert r["side"] == Side.BUY and r["order_type"] == OrderType.LIMIT and r["time_in_force"] == TimeInForce.POST_ONLY
    assert r["order_state"] == OrderState.NEW and r["qty_raw"] == 1_000_000 and r["price_raw"] == 50_000 * 10**8
    assert "avg_price_raw" not in r and r["position_side"] == PositionSide.BOTH and r["category"] == "linear"
    assert r["ts_transact_ms"] == 1700000000110 and r["reject_reason"] == "EC_NoError"


def test_batch_yields_each_record():
    env, recs = compiled(load("bybit_order_batch.json"))
    assert [r["order_state"] for r in recs] == [OrderState.FILLED, OrderState.PARTIALLY_FILLED]
    assert recs[1]["position_side"] == PositionSide.SHORT and recs[1]["reduce_only"] is True
    assert recs[1]["realized_pnl_raw"] == 1_234_500_000 and recs[1]["commission_raw"] == 50_011_000


def test_spot_fee_with_nine_decimals_is_rounded_and_flagged():
    _, (r,) = compiled(load("bybit_order_spot_market.json"))
    assert r["commission_raw"] == 270 and r["flags"] & RecordFlag.ROUNDED and r["category"] == "spot"


def test_execution_push():
    env, recs = compiled(load("bybit_execution.json"))
    assert env["kind"] == MessageKind.TRADE and len(recs) == 2
    a, b = recs
    assert a["exec_id"] == "e0cbe81d-0f18-5866-9415-cf319b5dab3b" and a["exec_type"] == ExecType.EXEC_TRADE
    assert a["last_qty_raw"] == 400_000 and a["last_price_raw"] == 50_000 * 10**8 and a["is_maker"] is True
    assert b["last_quote_raw"] == 30_000_300_000 and b["commission_raw"] == 15_000_150 and b["leaves_qty_raw"] == 0


def test_funding_is_not_a_fill():
    _, (r,) = compiled(load("bybit_execution_funding.json"))
    assert r["exec_type"] == ExecType.EXEC_NONE and r["commission_raw"] == -500_000
    assert r["order_type"] == 0 and r["flags"] == RecordFlag.UNKNOWN_ENUM  # orderType "UNKNOWN" on funding rows


def test_acks_and_errors():
    env, recs = compiled(load("bybit_create_ok.json"))
    assert env["kind"] == MessageKind.ORDER_RECEIVED and env["venue_order_id"] == "1321003749386327552"
    assert env["client_id"] == "spot-test-postonly" and env["error_code"] == 0 and recs == []
    env, _ = compiled(load("bybit_create_error.json"))
    assert env["kind"] == MessageKind.ERROR and env["error_code"] == 110072
    assert env["error_msg"] == "OrderLinkedID is duplicate"
    env, _ = compiled(load("bybit_wstrade_ack.json"))
    assert env["kind"] == MessageKind.ORDER_RECEIVED and env["client_id"] == "my-1"
    for name in ("bybit_cancel_all.json", "bybit_auth_reply.json", "bybit_position.json"):
        env, recs = compiled(load(name))
        assert env["kind"] == MessageKind.OTHER and recs == []


def test_bad_record_raises_and_ends_batch():
    data = b'{"topic":"order","data":[{"orderId":"a"},{"qty":"x"},{"orderId":"c"}]}'
    p = BybitParser()
    assert p.parse(data) == MessageKind.ORDER_STATE
    assert p.next_record() and p.to_dict()["venue_order_id"] == "a"
    with pytest.raises(ParseError):
        p.next_record()
    assert not p.next_record() and not p.records_pending


def test_truncated_push_yields_no_record():
    data = load("bybit_order_batch.json")
    p = BybitParser()
    for cut in range(len(data)):
        with pytest.raises(ParseError):
            p.parse(data[:cut])
        assert not p.next_record()


def test_parse_keeps_its_own_reference():
    p = BybitParser()
    p.parse(bytearray(load("bybit_execution.json")))  # copied; the copy is kept alive by the parser
    assert p.next_record() and p.next_record() and not p.next_record()


@pytest.mark.parametrize(
    "data",
    [
        b'{"topic":"order","data":[]}',
        b'{"topic":"order","data":[1]}',
        b'{"topic":"order","data":[{}],"topic":"position"}',
        b'{"topic":"order.spot","data":[{"orderLinkId":"\\u0041\\/b","price":50000.5,"qty":1,"updatedTime":1700000000000}]}',
        b'{"topic":"orders","data":[{}]}',
        b'{"topic":"execution.fast.linear","data":[{"execQty":"1","execType":"Weird","positionIdx":7}]}',
        b'{"topic":"order","data":[{"orderId":"' + b"x" * 49 + b'"}]}',
        b'{"topic":"order","data":[{"rejectReason":"' + b"E" * 80 + b'"}]}',
        b'{"topic":"order","data":[{"isMaker":"true"}]}',
        b'{"topic":"order","data":[{"positionIdx":"1"}]}',
        b'{"topic":"order","data":[{"positionIdx":1.0}]}',
        b'{"retCode":"0","result":{"orderId":"1"}}',
        b'{"retCode":10001,"retMsg":"' + b"m" * 200 + b'"}',
        b'{"retCode":4294967296}',
        b'{"result":{"orderId":1}}',
        b'{"data":{"orderLinkId":null}}',
        b'{"topic":null,"data":[{}]}',
        b'[]',
        b'{"topic":"order","data":[{}]',
    ],
)
def test_edge_cases_match_reference(data):
    check(data)


# ----------------------------------------------------------------- property tests

ALL = [(n, load(n)) for n in SAMPLES]


_junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=8,
)


@given(st.sampled_from(ALL), st.randoms(use_true_random=False), st.booleans(), st.booleans(),
       st.dictionaries(st.text(min_size=3, max_size=6), _junk, max_size=3))
def test_reserialised_variants_match_reference(sample, rnd, ascii_only, spaced, extra):
    _, data = sample
    obj = reorder(json.loads(data), rnd)
    target = obj
    if isinstance(obj.get("data"), list) and obj["data"]:
        target = obj["data"][rnd.randrange(len(obj["data"]))]
    for k, v in extra.items():
        target.setdefault("x-" + k, v)    # unknown members: never a name the reader reads (a junk "time" fails both)
    text = json.dumps(obj, ensure_ascii=ascii_only,
                      separators=(" , ", " : ") if spaced else (",", ":"), indent=2 if spaced else None)
    assert check(text.encode()) is not None


@given(st.binary(max_size=600))
def test_random_bytes_never_crash(data):
    try:
        compiled(data)
    except ParseError:
        return
    json.loads(data)


@given(st.sampled_from(ALL), st.data())
def test_mutations_raise_or_agree(sample, data):
    _, raw = sample
    mutated = mutate(raw, data)
    try:
        compiled(mutated)
    except ParseError:
        return
    json.loads(mutated, parse_float=FloatLit)  # accepted implies well-formed JSON
    if not _has_duplicate_keys(mutated):
        check(mutated)


def _has_duplicate_keys(data):
    dup = False

    def hook(pairs):
        nonlocal dup
        keys = [k for k, _ in pairs]
        dup |= len(keys) != len(set(keys))
        return dict(pairs)

    json.loads(data, object_pairs_hook=hook)
    return dup


# ----------------------------------------------------------------- allocations


def test_zero_python_allocations_per_message():
    p = BybitParser()
    data = load("bybit_execution.json")
    parse = p.parse
    next_record = p.next_record

    def call():
        parse(data)
        while next_record():
            pass

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0
