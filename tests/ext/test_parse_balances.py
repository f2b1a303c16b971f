"""engine._parse_balances against an independent json.loads + Decimal reference, plus fuzzing.

The reference (``reference_py``) reads the same bytes with ``json.loads`` and builds the rows
with plain dicts and ``Decimal`` (parse_reference.RecordRef: exact, half-even past 8 places,
flagged); the compiled parser must agree on every sample and on re-serialised variants (any
key order, whitespace, escapes, unknown members, numbers bare or quoted).  Hostile input must
raise ParseError and never crash; a parse allocates no Python object.
"""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._parse_balances import (
    ASSET_CAP,
    MAX_ROWS,
    REASON_CAP,
    AccountType,
    BalanceFlag,
    BalanceKind,
    BalanceParser,
    RowField,
)
from engine._parse_common import ParseError, RecordFlag

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.parse_reference import Bad, FloatLit, RecordRef, utf8
from tests.support.fuzzing import junk, mutate, reorder
from tests.support import DATA


SPOT, USDM, BYBIT = BalanceKind.BAL_BINANCE_SPOT, BalanceKind.BAL_BINANCE_USDM, BalanceKind.BAL_BYBIT_WALLET
BALANCE_SAMPLES = [
    "balances_binance_spot_outbound_bare.json",
    "binance_spot_outbound_account_position.json",          # wrapped {"subscriptionId","event"}
    "balances_binance_usdm_account_update.json",
    "balances_binance_usdm_account_update_funding.json",
    "binance_usdm_account_update.json",
    "balances_bybit_wallet.json",
]
OTHER_SAMPLES = [
    "binance_spot_execution_report_wrapped.json",
    "binance_spot_execution_report_new.json",
    "binance_usdm_order_trade_update.json",
    "binance_usdm_algo_update.json",
    "balances_binance_spot_list_status.json",
    "bybit_order_new.json",
    "bybit_position.json",
    "bybit_execution.json",
    "binance_spot_order_full.json",
]


def load(name: str) -> bytes:
    return (DATA / name).read_bytes().rstrip(b"\n")


# ----------------------------------------------------------------- reference


def loads(data):
    return json.loads(data, parse_float=FloatLit)


SLOTS = {SPOT: ("E", "u", "B"), USDM: ("E", "T", "a"), BYBIT: ("creationTime", "data")}
SLOT_KEYS = {"E", "u", "T", "B", "a", "creationTime", "data"}
WORD_CAP = 64          # escaped words decode into this much scratch; longer ones match nothing


def word(v):
    """An event type / topic / accountType word: None for null or a word too long to match."""
    if v is None:
        return None
    if type(v) is not str:
        raise Bad("word")
    b = utf8("word", v)
    return None if len(b) > WORD_CAP else v


def classify(v, topic):
    w = word(v)
    if topic:
        return BYBIT if w == "wallet" else "other"
    return {"outboundAccountPosition": SPOT, "ACCOUNT_UPDATE": USDM}.get(w, "other")


class Ev:
    def __init__(self):
        self.flags = 0
        self.rows = []
        self.ts_event = 0
        self.ts_update = 0
        self.reason = ""
        self.overflow = False


ROW_KEYS = {
    SPOT: {"a": "asset", "f": "first", "l": "second"},
    USDM: {"a": "asset", "wb": "first", "cw": "second", "bc": "third"},
    BYBIT: {"coin": "asset", "walletBalance": "first", "locked": "second"},
}


def rows(v, kind, ev, account=AccountType.ACCT_NONE):
    if not isinstance(v, list):
        raise Bad("rows")
    out = []
    for item in v:
        if not isinstance(item, dict):
            raise Bad("row")
        ref = RecordRef()
        asset = None
        for k, x in item.items():
            field = ROW_KEYS[kind].get(k)
            if field == "asset":
                if type(x) is not str:           # null included: a row needs its asset
                    raise Bad("asset")
                asset = x
            elif field is not None:
                ref.d.pop(field, None)
                ref.decimal(field, x)
        if asset is None:
            raise Bad("no asset")
        if len(utf8("asset", asset)) > ASSET_CAP:
            ev.overflow = True
        if ref.flags & RecordFlag.ROUNDED:
            ev.flags |= BalanceFlag.BAL_ROUNDED
        out.append([asset, ref.d.get("first"), ref.d.get("second"), ref.d.get("third"), account])
    return out


def integer(v):
    ref = RecordRef()
    n = ref.integer("x", v)
    return 0 if n is None else n


def read_slot(ev, kind, key, v):
    if key in ("E", "creationTime"):
        ev.ts_event = integer(v)
    elif key in ("u", "T"):
        ev.ts_update = integer(v)
    elif key == "B":
        ev.rows = rows(v, SPOT, ev)
    elif key == "a":
        if not isinstance(v, dict):
            raise Bad("a")
        ev.rows = []
        ev.reason = ""
        for k, x in v.items():
            if k == "B":
                ev.rows = rows(x, USDM, ev)
            elif k == "m":
                ref = RecordRef()
                ref.text("m", x, REASON_CAP, truncate=True)
                if ref.flags & RecordFlag.TRUNCATED:
                    ev.flags |= BalanceFlag.BAL_TRUNCATED
                ev.reason = ref.d.get("m", "")
    elif key == "data":
        if not isinstance(v, list):
            raise Bad("data")
        ev.rows = []
        for item in v:
            if not isinstance(item, dict):
                raise Bad("account")
            account, coins = AccountType.ACCT_OTHER, []
            for k, x in item.items():
                if k == "accountType":
                    account = AccountType.ACCT_UNIFIED if word(x) == "UNIFIED" else AccountType.ACCT_OTHER
                elif k == "coin":
                    coins = rows(x, BYBIT, ev)
            if account != AccountType.ACCT_UNIFIED:
                ev.flags |= BalanceFlag.BAL_NOT_UNIFIED
            for r in coins:
                r[4] = account
            ev.rows += coins


def walk(obj, ctx, depth):
    for k, v in obj.items():
        if k in ("e", "topic"):
            cls = classify(v, k == "topic")
            if ctx["cls"] is not None and ctx["cls"] != cls:
                raise Bad("two event types")
            ctx["cls"] = cls
        elif k == "event" and depth == 0 and isinstance(v, dict):
            walk(v, ctx, 1)
        elif k in SLOT_KEYS:
            ctx["repeated"] |= k in ctx["slots"]
            ctx["slots"][k] = v


NOT_BALANCES = {"ret": -1, "kind": BalanceKind.BAL_NONE, "flags": 0, "ts_event_ms": 0, "ts_update_ms": 0,
                "reason": "", "rows": []}


def reference_py(data: bytes) -> dict:
    """What BalanceParser must give for ``data``, computed from json.loads (Bad: ParseError)."""
    try:
        top = loads(data)
    except ValueError as exc:
        raise Bad("json") from exc
    if not isinstance(top, dict):
        raise Bad("top")
    ctx = {"cls": None, "slots": {}, "repeated": False}
    walk(top, ctx, 0)
    kind = ctx["cls"]
    if kind not in SLOTS:
        return dict(NOT_BALANCES)
    ev = Ev()
    for key in SLOTS[kind]:
        if key in ctx["slots"]:
            read_slot(ev, kind, key, ctx["slots"][key])
    if len(ev.rows) > MAX_ROWS:
        ev.overflow = True
    if ev.overflow:
        ev.flags |= BalanceFlag.BAL_OVERFLOW
        ev.rows = []
    return {"ret": -1 if ev.overflow else len(ev.rows), "kind": kind, "flags": ev.flags,
            "ts_event_ms": ev.ts_event, "ts_update_ms": ev.ts_update, "reason": ev.reason,
            "rows": [tuple(r) for r in ev.rows]}


def repeated_members(data: bytes) -> bool:
    """Duplicate keys, or a type-dependent member both in the wrapper and its event: which copy
    the parser keeps is unspecified there, so only 'parses or raises' is checked."""
    dup = False

    def hook(pairs):
        nonlocal dup
        keys = [k for k, _ in pairs]
        dup |= len(keys) != len(set(keys))
        return dict(pairs)

    top = json.loads(data, object_pairs_hook=hook)
    if isinstance(top, dict) and isinstance(top.get("event"), dict):
        dup |= bool(({"e", "topic"} | SLOT_KEYS) & set(top) & set(top["event"]))
    return dup


def compiled(data, p=None) -> dict:
    p = p or BalanceParser()
    n = p.parse(data)
    assert p.count == max(n, 0)
    rows_ = [(p.asset(i), *(v if p.present(i) & bit else None
                            for v, bit in ((p.first_raw(i), RowField.ROW_FIRST), (p.second_raw(i), RowField.ROW_SECOND),
                                           (p.third_raw(i), RowField.ROW_THIRD))), p.account_type(i))
             for i in range(p.count)]
    assert [r[:4] for r in rows_] == p.rows()
    return {"ret": n, "kind": p.kind, "flags": p.flags, "ts_event_ms": p.ts_event_ms,
            "ts_update_ms": p.ts_update_ms, "reason": p.reason, "rows": rows_}


def check(data: bytes):
    """Compiled parser and reference agree: same result, or both reject."""
    try:
        want = reference_py(data)
    except Bad:
        with pytest.raises(ParseError):
            compiled(data)
        return None
    got = compiled(data)
    assert got == want
    return got


# ----------------------------------------------------------------- samples


@pytest.mark.parametrize("name", BALANCE_SAMPLES + OTHER_SAMPLES)
def test_sample_matches_reference(name):
    got = check(load(name))
    assert got is not None
    assert (got["ret"] >= 0) == (name in BALANCE_SAMPLES)


def raw(text):
    return int(text.replace(".", "")) * 10 ** (8 - len(text.partition(".")[2]))


def test_spot_outbound_account_position():
    d = compiled(load("balances_binance_spot_outbound_bare.json"))
    assert d["ret"] == 3 and d["kind"] == SPOT and d["flags"] == 0
    assert d["ts_event_ms"] == 1700000000250 and d["ts_update_ms"] == 1700000000248
    assert d["rows"] == [("BTC", 99_600_000, 1_000_000, None, 0), ("USDT", 975_012_345_678, 50_000_000_000, None, 0),
                         ("BNB", 4_913_000, 0, None, 0)]


def test_wrapped_equals_bare():
    wrapped = load("binance_spot_outbound_account_position.json")
    bare = json.dumps(json.loads(wrapped)["event"], separators=(",", ":")).encode()
    assert compiled(wrapped) == compiled(bare)
    d = compiled(wrapped)
    assert d["ret"] == 2 and d["rows"][1] == ("USDT", 980_000_000_000, 0, None, 0)


def test_usdm_account_update():
    d = compiled(load("balances_binance_usdm_account_update.json"))
    assert d["ret"] == 2 and d["kind"] == USDM and d["reason"] == "ORDER"
    assert d["ts_event_ms"] == 1700000300939 and d["ts_update_ms"] == 1700000300938
    assert d["rows"] == [("USDT", raw("122624.12345678"), raw("100.12345678"), raw("50.12345678"), 0),
                         ("BUSD", 100_000_000, 0, -raw("49.12345678"), 0)]
    d = compiled(load("balances_binance_usdm_account_update_funding.json"))
    assert d["reason"] == "FUNDING_FEE" and d["rows"] == [("USDT", raw("1000.01873500"), raw("1000.01873500"), 0, 0)]


def test_usdm_positions_are_skipped_but_validated():
    data = load("balances_binance_usdm_account_update.json")
    assert compiled(data.replace(b'"P":[{', b'"P":[{"zz":[1,{"q":null}],'))["ret"] == 2
    with pytest.raises(ParseError):
        BalanceParser().parse(data.replace(b'"pa":"20"', b'"pa":"20",'))


def test_bybit_wallet():
    d = compiled(load("balances_bybit_wallet.json"))
    assert d["ret"] == 3 and d["kind"] == BYBIT and d["flags"] == 0 and d["ts_event_ms"] == 1700034722104
    assert d["ts_update_ms"] == 0 and d["reason"] == ""
    unified = AccountType.ACCT_UNIFIED
    assert d["rows"] == [("BTC", 102_964, 0, None, unified), ("USDT", raw("9647.75537647"), raw("127.85731614"), None, unified),
                         ("ETH", 29_000_000, 0, None, unified)]


def test_bybit_account_types_per_row_and_flagged():
    item = json.loads(load("balances_bybit_wallet.json"))["data"][0]
    other = dict(item, accountType="CONTRACT", coin=[{"coin": "USDC", "walletBalance": "5", "locked": "1"}])
    missing = {k: v for k, v in item.items() if k != "accountType"}
    msg = {"topic": "wallet", "creationTime": 1, "data": [item, other, missing]}
    d = check(json.dumps(msg).encode())
    assert d["ret"] == 7 and d["flags"] == BalanceFlag.BAL_NOT_UNIFIED
    assert [r[4] for r in d["rows"]] == [AccountType.ACCT_UNIFIED] * 3 + [AccountType.ACCT_OTHER] * 4
    assert d["rows"][3] == ("USDC", 500_000_000, 100_000_000, None, AccountType.ACCT_OTHER)
    msg["data"] = [item]
    assert check(json.dumps(msg).encode())["flags"] == 0


@pytest.mark.parametrize("name", OTHER_SAMPLES)
def test_other_messages_give_minus_one(name):
    p = BalanceParser()
    p.parse(load("balances_bybit_wallet.json"))
    assert p.parse(load(name)) == -1
    assert p.kind == BalanceKind.BAL_NONE and p.count == 0 and p.rows() == []


@pytest.mark.parametrize("data", [
    b'{}', b'{"e":"balanceUpdate","E":1,"a":"BTC","d":"1.5","T":2}', b'{"e":null,"B":[]}',
    b'{"e":"externalLockUpdate","E":1,"a":"BTC","d":"0.1","T":2}', b'{"e":"eventStreamTerminated","E":1}',
    b'{"e":"MARGIN_CALL","E":1,"cw":"3.1","p":[]}', b'{"e":"TRADE_LITE","E":1,"T":1,"s":"BTCUSDT","q":"1"}',
    b'{"topic":"position","data":[{"coin":[]}]}', b'{"topic":"wallet.spot","data":[]}',
    b'{"op":"auth","success":true,"ret_msg":"","conn_id":"x"}', b'{"subscriptionId":0,"event":{"e":"listenKeyExpired"}}',
    b'{"id":"7","status":200,"result":{"orderId":1}}', b'{"code":-2010,"msg":"x"}',
    # the type-dependent members of another event may hold anything
    b'{"e":"executionReport","E":"x","B":7,"a":123,"u":1.5,"data":{}}',
    b'{"B":{"x":1},"a":"s","E":true,"e":"executionReport"}',
])
def test_non_balance_events(data):
    assert check(data) == NOT_BALANCES


# ----------------------------------------------------------------- edge cases


@pytest.mark.parametrize("data", [
    b'{"e":"outboundAccountPosition","E":1,"u":2,"B":[]}',
    b'{"e":"outboundAccountPosition"}',
    b'{"e":"ACCOUNT_UPDATE","E":1,"T":2,"a":{"m":"DEPOSIT","B":[],"P":[]}}',
    b'{"e":"ACCOUNT_UPDATE","a":{}}',
    b'{"e":"ACCOUNT_UPDATE"}',
    b'{"topic":"wallet","creationTime":1,"data":[]}',
    b'{"topic":"wallet","data":[{"accountType":"UNIFIED","coin":[]}]}',
    b'{"topic":"wallet","data":[{"accountType":"UNIFIED"},{"accountType":"UNIFIED","coin":[{"coin":"X"}]}]}',
    # escapes in keys, asset names and event types; non-ASCII assets
    b'{"e":"outbound\\u0041ccountPosition","B":[{"a":"\\u0042TC","f":"1","l":"2"},{"\\u0061":"A\\"B","f":"3"}]}',
    '{"e":"outboundAccountPosition","B":[{"a":"\u00c9TH\u20ac","f":"1","l":"0"}]}'.encode(),
    b'{"e":"outboundAccountPosition","B":[{"a":"\\ud83d\\ude00x","f":"1","l":"0"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"\\ud83dx","f":"1","l":"0"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"","f":"1","l":"0"}]}',
    # values: numbers bare, >8 decimals rounded and flagged, null / "" absent, bad ones
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":1.5,"l":0}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":"0.123456785","l":"0.123456775"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":null,"l":""}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":"1e5","l":"0"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":"92233720368.54775807","l":"-92233720368.54775808"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":"92233720368.54775808"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":true}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":"1.2.3"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":"abc"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":[1]}]}',
    b'{"e":"outboundAccountPosition","E":"1700000000000","u":null,"B":[]}',
    b'{"e":"outboundAccountPosition","E":1.5,"B":[]}',
    b'{"e":"outboundAccountPosition","E":9223372036854775808,"B":[]}',
    # unusable rows and containers
    b'{"e":"outboundAccountPosition","B":[{"f":"1","l":"0"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":null,"f":"1"}]}',
    b'{"e":"outboundAccountPosition","B":[{"a":7,"f":"1"}]}',
    b'{"e":"outboundAccountPosition","B":[1]}',
    b'{"e":"outboundAccountPosition","B":null}',
    b'{"e":"outboundAccountPosition","B":{"a":"BTC"}}',
    b'{"e":"ACCOUNT_UPDATE","a":[]}',
    b'{"e":"ACCOUNT_UPDATE","a":{"B":null}}',
    b'{"e":"ACCOUNT_UPDATE","a":{"m":7}}',
    b'{"e":"ACCOUNT_UPDATE","a":{"m":null,"B":[{"a":"USDT","wb":"1"}]}}',
    b'{"e":"ACCOUNT_UPDATE","a":{"m":"' + b"R" * 40 + b'","B":[]}}',
    b'{"topic":"wallet","data":{}}',
    b'{"topic":"wallet","data":[1]}',
    b'{"topic":"wallet","data":[{"coin":null}]}',
    b'{"topic":"wallet","data":[{"coin":[{"walletBalance":"1"}]}]}',
    b'{"topic":"wallet","data":[{"accountType":7}]}',
    b'{"topic":"wallet","data":[{"accountType":null,"coin":[{"coin":"BTC","walletBalance":"1","locked":"0"}]}]}',
    # the vocabularies do not mix: spot keys in USD-M rows and Bybit keys in Binance rows are skipped
    b'{"e":"ACCOUNT_UPDATE","a":{"B":[{"a":"USDT","f":"1","l":"2","walletBalance":"3"}]}}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC","wb":"1","cw":"2","bc":"3","coin":"X"}]}',
    b'{"topic":"wallet","data":[{"coin":[{"coin":"BTC","a":"X","f":"1","walletBalance":"2"}]}]}',
    # two event types; malformed JSON
    b'{"e":"outboundAccountPosition","topic":"wallet"}',
    b'{"e":"ACCOUNT_UPDATE","event":{"e":"outboundAccountPosition"}}',
    b'{"e":"executionReport","topic":"order"}',
    b'{"e":7}', b'{"topic":[]}',
    b'{"e":"outboundAccountPosition","B":[]} {}', b'{"e":"outboundAccountPosition","B":[],}',
    b'{"e":"outboundAccountPosition","B":[{"a":"BTC",}]}', b'[]', b'"x"', b'', b'{',
])
def test_edge_cases_match_reference(data):
    check(data)


def test_keys_in_any_order_read_after_the_event_type():
    # the event type last: every type-dependent member was noted, then read
    for name in ("balances_binance_spot_outbound_bare.json", "balances_binance_usdm_account_update.json",
                 "balances_bybit_wallet.json"):
        obj = json.loads(load(name))
        disc = "topic" if "topic" in obj else "e"
        reordered = {k: v for k, v in obj.items() if k != disc}
        reordered[disc] = obj[disc]
        assert compiled(json.dumps(reordered).encode()) == compiled(load(name))
    # an error in a member noted before the type is reported at that member
    data = b'{"B":[{"a":"BTC","f":"x"}],"e":"outboundAccountPosition"}'
    with pytest.raises(ParseError) as info:
        BalanceParser().parse(data)
    assert info.value.offset == data.index(b'"x"') + 3 and "decimal" in str(info.value)


def test_capacity_rows():
    def spot(n):
        return json.dumps({"e": "outboundAccountPosition", "E": 5, "B": [{"a": f"A{i}", "f": "1", "l": "0"}
                                                                         for i in range(n)]}).encode()
    p = BalanceParser()
    assert p.parse(spot(MAX_ROWS)) == MAX_ROWS and p.asset(MAX_ROWS - 1) == f"A{MAX_ROWS - 1}"
    assert check(spot(MAX_ROWS + 1)) == {**NOT_BALANCES, "kind": SPOT, "flags": BalanceFlag.BAL_OVERFLOW,
                                         "ts_event_ms": 5}
    assert p.parse(spot(MAX_ROWS + 1)) == -1 and p.kind == SPOT and p.count == 0
    # past capacity the rows are still validated
    with pytest.raises(ParseError):
        p.parse(spot(MAX_ROWS + 3).replace(b'"A66", "f": "1"', b'"A66", "f": "x"'))
    # Bybit rows count over all accounts
    coins = [{"coin": f"C{i}", "walletBalance": "1", "locked": "0"} for i in range(40)]
    msg = {"topic": "wallet", "data": [{"accountType": "UNIFIED", "coin": coins}] * 2}
    assert check(json.dumps(msg).encode())["flags"] == BalanceFlag.BAL_OVERFLOW


def test_capacity_asset_name():
    def spot(asset):
        return json.dumps({"e": "outboundAccountPosition", "B": [{"a": asset, "f": "1", "l": "0"}]},
                          ensure_ascii=False).encode()
    assert check(spot("X" * ASSET_CAP))["rows"][0][0] == "X" * ASSET_CAP
    assert check(spot("X" * (ASSET_CAP + 1)))["flags"] == BalanceFlag.BAL_OVERFLOW
    assert check(spot("\u00e9" * (ASSET_CAP // 2)))["ret"] == 1
    assert check(spot("\u00e9" * (ASSET_CAP // 2) + "x"))["ret"] == -1
    escaped = b'{"e":"outboundAccountPosition","B":[{"a":"' + b"\\u0041" * ASSET_CAP + b'","f":"1"}]}'
    assert check(escaped)["rows"][0][0] == "A" * ASSET_CAP


def test_reason_truncated_and_flagged():
    data = b'{"e":"ACCOUNT_UPDATE","a":{"m":"' + b"M" * 40 + b'","B":[{"a":"USDT","wb":"1","cw":"1","bc":"0"}]}}'
    d = check(data)
    assert d["ret"] == 1 and d["reason"] == "M" * REASON_CAP and d["flags"] == BalanceFlag.BAL_TRUNCATED


def test_rounding_is_half_even_and_flagged():
    d = check(b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":"0.000000015","l":"0.000000025"}]}')
    assert d["rows"][0][1:3] == (2, 2) and d["flags"] == BalanceFlag.BAL_ROUNDED


def test_accessors_and_buffers():
    data = load("balances_binance_spot_outbound_bare.json")
    p = BalanceParser()
    want = compiled(data)
    for buf in (bytearray(data), memoryview(data), memoryview(b"xx" + data + b"yy")[2:-2]):
        assert p.parse(buf) == 3 and compiled(buf) == want
    with pytest.raises(BufferError):
        p.parse(memoryview(data)[::2])
    with pytest.raises(TypeError):
        p.parse("text")
    with pytest.raises(TypeError):
        p.parse(data=data)
    p.parse(data)
    for accessor in (p.asset, p.first_raw, p.second_raw, p.third_raw, p.present, p.account_type):
        with pytest.raises(IndexError):
            accessor(3)
        with pytest.raises(IndexError):
            accessor(-1)
    assert p.present(0) == RowField.ROW_FIRST | RowField.ROW_SECOND


def test_error_resets_event_and_reports_offset():
    p = BalanceParser()
    assert p.parse(load("balances_bybit_wallet.json")) == 3
    bad = b'{"e":"outboundAccountPosition","B":[{"a":"BTC","f":"1.2.3"}]}'
    with pytest.raises(ParseError) as info:
        p.parse(bad)
    assert info.value.offset == p.error_offset == bad.index(b'"1.2.3"') + 7
    assert p.kind == BalanceKind.BAL_NONE and p.count == 0 and p.rows() == []
    with pytest.raises(IndexError):
        p.asset(0)
    assert p.parse(load("balances_bybit_wallet.json")) == 3 and p.error_offset == -1


def test_deep_nesting_is_an_error_not_a_crash():
    ok = b'{"zz":' + b"[" * 63 + b"]" * 63 + b',"e":"outboundAccountPosition","B":[]}'
    assert BalanceParser().parse(ok) == 0
    for depth in (65, 100_000):
        with pytest.raises(ParseError, match="nesting"):
            BalanceParser().parse(b'{"e":"outboundAccountPosition","B":[{"a":"X","q":' + b"[" * depth + b"]" * depth
                                  + b"}]}")


# ----------------------------------------------------------------- property tests

ALL = [(n, load(n)) for n in BALANCE_SAMPLES + OTHER_SAMPLES]
BALANCES = [(n, load(n)) for n in BALANCE_SAMPLES]


def _containers(obj):
    """Every object in obj (where unknown members may go)."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _containers(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _containers(v)


@given(st.sampled_from(ALL), st.randoms(use_true_random=False), st.booleans(), st.booleans(),
       st.dictionaries(st.text(min_size=3, max_size=6), junk(), max_size=3), st.integers(0, 50))
def test_reserialised_variants_match_reference(sample, rnd, ascii_only, spaced, extra, where):
    name, data = sample
    obj = reorder(json.loads(data), rnd)
    targets = list(_containers(obj))
    target = targets[where % len(targets)]
    for k, v in extra.items():
        target.setdefault(k, v)      # unknown members (nested too) anywhere, any order
    text = json.dumps(obj, ensure_ascii=ascii_only,
                      separators=(" , ", " : ") if spaced else (",", ":"), indent=2 if spaced else None).encode()
    got = check(text)
    assert got is not None and (got["ret"] >= 0) == (name in BALANCE_SAMPLES)
    if name in BALANCE_SAMPLES:
        assert got == compiled(data)


NUMERIC_STRING = re.compile(rb'"(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)"')


@given(st.sampled_from(BALANCES), st.data())
def test_numbers_as_json_numbers_or_strings(sample, data):
    name, raw_ = sample
    flips = data.draw(st.lists(st.booleans(), min_size=64, max_size=64))
    count = iter(range(10**6))
    text = NUMERIC_STRING.sub(lambda m: m.group(1) if flips[next(count) % 64] else m.group(0), raw_)
    assert check(text) == compiled(raw_)


DECIMAL_TEXT = st.one_of(
    st.builds(lambda neg, i, dot, f: ("-" if neg else "") + i + ("." + f if dot else ""),
              st.booleans(), st.text("0123456789", max_size=13), st.booleans(), st.text("0123456789", max_size=12)),
    st.text("0123456789.-+eE", max_size=22),
)


@given(st.sampled_from(BALANCES), st.data())
def test_every_decimal_spelling_agrees_with_reference(sample, data):
    # each value slot of each row, in turn: every width around the 8-byte word edges,
    # quoted or bare, well-formed or not
    name, raw_ = sample
    values = list(re.finditer(rb'"(?:f|l|wb|cw|bc|walletBalance|locked)":"([^"]*)"', raw_))
    m = values[data.draw(st.integers(0, len(values) - 1))]
    text = data.draw(DECIMAL_TEXT)
    spelled = text if data.draw(st.booleans()) else '"' + text + '"'
    check(raw_[:m.start(1) - 1] + spelled.encode() + raw_[m.end(1) + 1:])


@given(st.binary(max_size=600))
def test_random_bytes_never_crash(data):
    try:
        BalanceParser().parse(data)
    except ParseError:
        return
    json.loads(data)  # whatever the parser accepts is JSON


@pytest.mark.parametrize("name", BALANCE_SAMPLES + OTHER_SAMPLES)
def test_every_truncation_raises(name):
    data = load(name)
    p = BalanceParser()
    for cut in range(len(data)):
        with pytest.raises(ParseError):
            p.parse(data[:cut])
    p.parse(data)


@given(st.sampled_from(ALL), st.data())
def test_mutations_raise_or_agree(sample, data):
    name, raw_ = sample
    mutated = mutate(raw_, data)
    try:
        got = compiled(mutated)
    except ParseError:
        return
    loads(mutated)  # accepted implies well-formed JSON
    if repeated_members(mutated):
        return
    try:
        want = reference_py(mutated)
    except Bad:
        pytest.fail(f"accepted what the reference rejects: {mutated!r}")
    assert got == want


# ----------------------------------------------------------------- allocations


@pytest.mark.parametrize("name", ["balances_binance_spot_outbound_bare.json", "binance_spot_outbound_account_position.json",
                                  "balances_binance_usdm_account_update.json", "balances_bybit_wallet.json",
                                  "binance_spot_execution_report_wrapped.json"])
def test_zero_python_allocations_per_parse(name):
    p = BalanceParser()
    data = load(name)
    parse = p.parse

    def call():
        parse(data)

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0


def test_allocation_measurement_sees_the_cold_accessors():
    p = BalanceParser()
    p.parse(load("balances_bybit_wallet.json"))
    assert python_allocations_per_call_bytes(p.rows, iterations=1000) > 0


def _account(*assets):
    from engine._account import Account
    from engine._instruments import Instruments
    from engine._positions import PositionBook

    reg = Instruments(4)
    for a in assets:
        reg.asset_id(a)
    return reg, Account(reg, PositionBook(4), n_assets=16)


def test_spot_rows_applied_to_the_account_in_one_call_without_allocating():
    reg, acc = _account("USDT", "BTC", "BNB")
    p = BalanceParser()
    p.parse(load("balances_binance_spot_outbound_bare.json"))
    assert p.apply_spot(acc, reg.asset_names) == 3
    assert acc.spot_balances(reg.asset_names) == {"BTC": (99_600_000, 1_000_000),
                                                  "USDT": (975_012_345_678, 50_000_000_000), "BNB": (4_913_000, 0)}
    names = reg.asset_names

    def call():
        p.apply_spot(acc, names)

    assert python_allocations_per_call_bytes(call) == 0
    # Bybit's wallet rows: free is the wallet balance less what orders lock
    p.parse(load("balances_bybit_wallet.json"))
    reg2, acc2 = _account("BTC", "USDT", "ETH")
    assert p.apply_spot(acc2, reg2.asset_names) == 3
    assert acc2.balance(reg2.asset_ids["USDT"])[:2] == (raw("9647.75537647") - raw("127.85731614"), raw("127.85731614"))


def test_spot_rows_with_an_unknown_asset_or_no_spot_rows_apply_nothing():
    reg, acc = _account("USDT", "BTC")            # no BNB yet
    p = BalanceParser()
    p.parse(load("balances_binance_spot_outbound_bare.json"))
    assert p.apply_spot(acc, reg.asset_names) == -1 and acc.spot_balances(reg.asset_names) == {}
    reg.asset_id("BNB")
    p.parse(load("balances_binance_usdm_account_update.json"))
    assert p.apply_spot(acc, reg.asset_names) == -1 and acc.spot_balances(reg.asset_names) == {}
    with pytest.raises(TypeError):
        p.apply_spot(acc, None)
