"""engine._parse_binance against an independent json.loads reference, plus fuzzing.

The reference (``reference_py``) reads the same bytes with ``json.loads`` and maps
fields with plain dicts and ``Decimal``; the compiled parser must agree on every
field of every sample, and on re-serialised variants (any key order, whitespace,
escapes, extra nested members, numbers as strings).  Hostile input must raise
ParseError and never crash.
"""

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._enums import ExecType, OrderState, OrderType, PositionSide, Side, TimeInForce
from engine._parse_binance import BinanceParser
from engine._parse_common import MessageKind, ParseError, RecordFlag

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.parse_reference import Bad, FloatLit, RecordRef, utf8
from tests.support.fuzzing import junk, mutate, reorder
from tests.support import DATA

SAMPLES = sorted(p.name for p in DATA.glob("binance_*.json"))


def load(name: str) -> bytes:
    return (DATA / name).read_bytes().rstrip(b"\n")


def is_futures(name: str) -> bool:
    return name.startswith("binance_usdm_")


# ----------------------------------------------------------------- reference


SIDE = {"BUY": Side.BUY, "SELL": Side.SELL}
TIF = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK, "GTX": TimeInForce.POST_ONLY}
EXEC = {
    "NEW": ExecType.EXEC_NEW, "TRADE": ExecType.EXEC_TRADE, "CANCELED": ExecType.EXEC_CANCELED,
    "REJECTED": ExecType.EXEC_REJECTED, "EXPIRED": ExecType.EXEC_EXPIRED,
    "TRADE_PREVENTION": ExecType.EXEC_EXPIRED, "REPLACED": ExecType.EXEC_REPLACED,
    "AMENDMENT": ExecType.EXEC_AMENDMENT, "CALCULATED": ExecType.EXEC_TRADE,
}
STATE = {
    "NEW": OrderState.NEW, "PARTIALLY_FILLED": OrderState.PARTIALLY_FILLED, "FILLED": OrderState.FILLED,
    "CANCELED": OrderState.CANCELLED, "REJECTED": OrderState.REJECTED, "EXPIRED": OrderState.EXPIRED,
    "EXPIRED_IN_MATCH": OrderState.EXPIRED, "PENDING_NEW": OrderState.PENDING,
    "TRIGGERING": OrderState.NEW, "TRIGGERED": OrderState.NEW, "FINISHED": OrderState.CANCELLED,
}
POS = {"BOTH": PositionSide.BOTH, "LONG": PositionSide.LONG, "SHORT": PositionSide.SHORT}


def order_types(futures):
    t = {
        "LIMIT": OrderType.LIMIT, "MARKET": OrderType.MARKET, "LIMIT_MAKER": OrderType.LIMIT_MAKER,
        "STOP_LOSS": OrderType.STOP_LOSS, "STOP_MARKET": OrderType.STOP_LOSS,
        "STOP_LOSS_LIMIT": OrderType.STOP_LOSS_LIMIT, "STOP": OrderType.STOP_LOSS_LIMIT,
        "TAKE_PROFIT_MARKET": OrderType.TAKE_PROFIT, "TAKE_PROFIT_LIMIT": OrderType.TAKE_PROFIT_LIMIT,
        "TRAILING_STOP_MARKET": OrderType.TRAILING_STOP,
    }
    t["TAKE_PROFIT"] = OrderType.TAKE_PROFIT_LIMIT if futures else OrderType.TAKE_PROFIT
    return t


def loads(data):
    return json.loads(data, parse_float=FloatLit)


class Ref(RecordRef):
    def __init__(self, futures):
        super().__init__()
        self.futures = futures


def reference_py(data: bytes, futures: bool) -> dict:
    """What BinanceParser must produce for ``data``, computed from json.loads."""
    try:
        top = loads(data)
    except ValueError as exc:
        raise Bad("json") from exc
    if not isinstance(top, dict):
        raise Bad("top")
    ref = Ref(futures)
    ctx = {"event": None, "order": False, "code": None, "outer_t": None, "algo": None}
    walk(top, ref, ctx, depth=0, in_o=False)
    d = ref.d
    if "ts_transact_ms" not in d and ctx["outer_t"] is not None:
        d["ts_transact_ms"] = ctx["outer_t"]
    kind = MessageKind.OTHER
    if ctx["event"] is not None:
        kind = {
            "executionReport": MessageKind.EXECUTION_REPORT,
            "ORDER_TRADE_UPDATE": MessageKind.ORDER_TRADE_UPDATE,
            "ALGO_UPDATE": MessageKind.ALGO_UPDATE,
        }.get(ctx["event"], MessageKind.OTHER)
        if kind == MessageKind.ALGO_UPDATE:
            if ctx["algo"] == "TRIGGERED":
                d["exec_type"] = ExecType.EXEC_TRIGGERED
            if ctx["algo"] == "FINISHED" and d.get("qty_raw") is not None and d.get("qty_raw") == d.get("cum_qty_raw"):
                d["order_state"] = OrderState.FILLED
    elif ctx["code"] is not None and ctx["code"] < 0:
        kind = MessageKind.ERROR
    elif ctx["order"]:
        kind = MessageKind.ORDER_RESPONSE
    d["kind"] = kind
    d["flags"] = ref.flags
    return d


ORDER_EVENTS = ("executionReport", "ORDER_TRADE_UPDATE", "ALGO_UPDATE")


def walk(obj, ref, ctx, depth, in_o):
    d = ref.d
    types = order_types(ref.futures)
    for k, v in obj.items():
        if ctx["event"] is not None and ctx["event"] not in ORDER_EVENTS:
            continue        # a message of another kind: its members are skipped, not read as an order's
        if k == "e":
            if v is not None and type(v) is not str:
                raise Bad(k)
            if v is not None:
                utf8(k, v)
            ctx["event"] = v if v is not None else ""
        elif k == "E":
            ref.integer("ts_event_ms", v)
        elif k in ("s", "symbol"):
            ref.text("symbol", v, 32)
        elif k in ("c", "caid", "clientOrderId"):
            ref.text("client_id", v, 64)
            ctx["order"] |= k == "clientOrderId"
        elif k in ("C", "origClientOrderId"):
            ref.text("orig_client_id", v, 64)
        elif k in ("S", "side"):
            ref.enum("side", v, SIDE)
            ctx["order"] |= k == "side"
        elif k == "o" and isinstance(v, dict):
            if depth <= 1 and not in_o:
                walk(v, ref, ctx, depth + 1, True)
        elif k in ("o", "type"):
            ref.enum("order_type", v, types)
        elif k in ("f", "timeInForce"):
            ref.enum("time_in_force", v, TIF)
        elif k in ("q", "origQty"):
            ref.decimal("qty_raw", v)
        elif k in ("p", "price"):
            ref.decimal("price_raw", v)
        elif k in ("P", "sp", "tp", "stopPrice"):
            ref.decimal("stop_price_raw", v)
        elif k == "x":
            ref.enum("exec_type", v, EXEC)
        elif k == "X" or (k == "status" and isinstance(v, str)):
            ref.enum("order_state", v, STATE)
            if k == "X" and isinstance(v, str):
                ctx["algo"] = v
        elif k in ("r", "rm"):
            ref.text("reject_reason", v, 64, truncate=True)
        elif k in ("i", "aid"):
            ref.integer("order_id", v)
        elif k == "orderId":
            ref.integer("order_id", v)
            ctx["order"] = True
        elif k == "ai":
            ref.integer("linked_order_id", v)
        elif k == "l":
            ref.decimal("last_qty_raw", v)
        elif k in ("z", "aq", "cumQty", "executedQty"):
            ref.decimal("cum_qty_raw", v)
        elif k == "L":
            ref.decimal("last_price_raw", v)
        elif k == "n":
            ref.decimal("commission_raw", v)
        elif k == "N":
            ref.text("commission_asset", v, 16)
        elif k == "T":
            if in_o:
                ref.integer("ts_transact_ms", v)
            else:
                tmp = Ref(ref.futures)
                tmp.integer("t", v)
                if "t" in tmp.d:
                    ctx["outer_t"] = tmp.d["t"]
        elif k == "transactTime":
            ref.integer("ts_transact_ms", v)
        elif k == "updateTime":
            if "ts_transact_ms" not in d:
                ref.integer("ts_transact_ms", v)
        elif k == "t":
            ref.integer("trade_id", v)
        elif k in ("Z", "cumQuote", "cummulativeQuoteQty"):
            ref.decimal("cum_quote_raw", v)
        elif k == "Y":
            ref.decimal("last_quote_raw", v)
        elif k == "m":
            ref.boolean("is_maker", v)
        elif k in ("R", "reduceOnly"):
            ref.boolean("reduce_only", v)
        elif k in ("ap", "avgPrice"):
            ref.decimal("avg_price_raw", v)
        elif k in ("ps", "positionSide"):
            ref.enum("position_side", v, POS)
        elif k == "rp":
            ref.decimal("realized_pnl_raw", v)
        elif k == "code":
            ref.integer("error_code", v)
            if "error_code" in d:
                if not -(2**31) <= d["error_code"] < 2**31:
                    raise Bad(k)
                ctx["code"] = d["error_code"]
        elif k == "msg":
            ref.text("error_msg", v, 128, truncate=True)
        elif k == "fills" and depth <= 1:
            fills(v, ref)
            ctx["order"] = True
        elif k in ("event", "result", "error") and depth == 0 and isinstance(v, dict):
            walk(v, ref, ctx, 1, in_o)


def fills(v, ref):
    if not isinstance(v, list):
        raise Bad("fills")
    d = ref.d
    qty = commission = 0
    for f in v:
        if not isinstance(f, dict):
            raise Bad("fill")
        fr = Ref(ref.futures)
        for k, x in f.items():
            if k == "qty":
                fr.decimal("q", x)
            elif k == "price":
                fr.decimal("p", x)
            elif k == "commission":
                fr.decimal("c", x)
            elif k == "commissionAsset":
                fr.text("a", x, 16)
            elif k == "tradeId":
                fr.integer("t", x)
        ref.flags |= fr.flags
        qty += fr.d.get("q", 0)
        commission += fr.d.get("c", 0)
        if "p" in fr.d:
            d["last_price_raw"] = fr.d["p"]
        if "t" in fr.d:
            d["trade_id"] = fr.d["t"]
        if "a" in fr.d:
            if "commission_asset" not in d:
                d["commission_asset"] = fr.d["a"]
            elif d["commission_asset"] != fr.d["a"]:
                ref.flags |= RecordFlag.MIXED_ASSETS
    if not (-(2**63) <= qty < 2**63 and -(2**63) <= commission < 2**63):
        raise Bad("fill sums")
    d["fill_count"] = len(v)
    if v:
        d["last_qty_raw"] = qty
        d["commission_raw"] = commission


def compiled(data: bytes, futures: bool) -> dict:
    p = BinanceParser(futures=futures)
    kind = p.parse(data)
    d = p.to_dict()
    assert d["kind"] == kind
    return d


def check(data: bytes, futures: bool):
    """Compiled parser and reference agree: same dict, or both reject."""
    try:
        want = reference_py(data, futures)
    except Bad:
        with pytest.raises(ParseError):
            compiled(data, futures)
        return None
    got = compiled(data, futures)
    assert got == want
    return got


# ----------------------------------------------------------------- samples


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_matches_reference(name):
    got = check(load(name), is_futures(name))
    assert got is not None


def test_wrapped_execution_report_fields():
    d = compiled(load("binance_spot_execution_report_wrapped.json"), False)
    assert d["kind"] == MessageKind.EXECUTION_REPORT
    assert d["symbol"] == "BTCUSDT" and d["client_id"] == "my-id-1" and d["order_id"] == 123
    assert d["side"] == Side.BUY and d["order_type"] == OrderType.LIMIT and d["time_in_force"] == TimeInForce.GTC
    assert d["exec_type"] == ExecType.EXEC_TRADE and d["order_state"] == OrderState.PARTIALLY_FILLED
    assert d["qty_raw"] == 1_000_000 and d["price_raw"] == 50_000 * 10**8
    assert d["last_qty_raw"] == 400_000 and d["last_price_raw"] == 50_000 * 10**8
    assert d["cum_qty_raw"] == 400_000 and d["cum_quote_raw"] == 200 * 10**8
    assert d["commission_raw"] == 400 and d["commission_asset"] == "BTC"
    assert d["trade_id"] == 77 and d["ts_event_ms"] == 1700000000100 and d["ts_transact_ms"] == 1700000000099
    assert d["orig_client_id"] == "" and d["reject_reason"] == "NONE" and d["is_maker"] is True


def test_bare_equals_wrapped():
    wrapped = json.loads(load("binance_spot_execution_report_wrapped.json"))
    bare = json.dumps(wrapped["event"]).encode()
    assert compiled(bare, False) == compiled(load("binance_spot_execution_report_wrapped.json"), False)


def test_null_commission_asset_is_absent():
    d = compiled(load("binance_spot_execution_report_new.json"), False)
    assert "commission_asset" not in d and d["trade_id"] == -1 and d["order_type"] == OrderType.LIMIT_MAKER


def test_cancel_keeps_both_client_ids():
    d = compiled(load("binance_spot_execution_report_cancel.json"), False)
    assert d["client_id"] == "cancel-9" and d["orig_client_id"] == "my-id-2"
    assert d["exec_type"] == ExecType.EXEC_CANCELED and d["stop_price_raw"] == 48_500 * 10**8


def test_full_response_sums_fills():
    d = compiled(load("binance_spot_order_full.json"), False)
    assert d["kind"] == MessageKind.ORDER_RESPONSE
    assert d["fill_count"] == 5 and d["last_qty_raw"] == 10 * 10**8
    assert d["commission_raw"] == int(Decimal("39.98300000") * 10**8) and d["commission_asset"] == "USDT"
    assert d["trade_id"] == 60 and d["last_price_raw"] == 3995 * 10**8 and d["flags"] == 0


def test_full_response_mixed_assets_flagged():
    d = compiled(load("binance_spot_order_full_mixed_assets.json"), False)
    assert d["flags"] & RecordFlag.MIXED_ASSETS and d["commission_asset"] == "BNB"


def test_ack_and_cancel_responses():
    d = compiled(load("binance_spot_order_ack.json"), False)
    assert d["kind"] == MessageKind.ORDER_RESPONSE and d["order_id"] == 28 and "order_state" not in d
    d = compiled(load("binance_spot_cancel_response.json"), False)
    assert d["orig_client_id"] == "myOrder1" and d["client_id"] == "cancelMyOrder1"
    assert d["order_state"] == OrderState.CANCELLED


def test_errors():
    d = compiled(load("binance_spot_error.json"), False)
    assert d["kind"] == MessageKind.ERROR and d["error_code"] == -2010 and d["error_msg"] == "Duplicate order sent."
    d = compiled(load("binance_wsapi_error.json"), False)
    assert d["kind"] == MessageKind.ERROR and d["error_code"] == -2010
    assert compiled(load("binance_usdm_cancel_all.json"), True)["kind"] == MessageKind.OTHER


def test_wsapi_result_is_order_response():
    d = compiled(load("binance_wsapi_order_place_full.json"), False)
    assert d["kind"] == MessageKind.ORDER_RESPONSE and d["order_id"] == 12569099453 and d["fill_count"] == 2


def test_futures_order_trade_update():
    d = compiled(load("binance_usdm_order_trade_update_close_pnl.json"), True)
    assert d["kind"] == MessageKind.ORDER_TRADE_UPDATE
    assert d["realized_pnl_raw"] == 1_000_100_000 and d["reduce_only"] is True
    assert d["avg_price_raw"] == 5_100_010_000_000 and d["position_side"] == PositionSide.BOTH
    d = compiled(load("binance_usdm_order_trade_update_new.json"), True)
    assert d["time_in_force"] == TimeInForce.POST_ONLY and d["position_side"] == PositionSide.SHORT
    assert "commission_asset" not in d and d["ts_transact_ms"] == 1700000199998
    d = compiled(load("binance_usdm_order_trade_update_amend.json"), True)
    assert d["exec_type"] == ExecType.EXEC_AMENDMENT


def test_futures_take_profit_is_limit_but_spot_is_market():
    assert compiled(load("binance_usdm_algo_update.json"), True)["order_type"] == OrderType.TAKE_PROFIT_LIMIT
    assert compiled(load("binance_spot_execution_report_rejected.json"), False)["order_type"] == OrderType.TAKE_PROFIT


def test_algo_update():
    d = compiled(load("binance_usdm_algo_update.json"), True)
    assert d["kind"] == MessageKind.ALGO_UPDATE and d["client_id"] == "Q5xaq5EGKgXXa0fD7fs0Ip"
    assert d["order_id"] == 2148719 and "linked_order_id" not in d and d["reject_reason"] == "Reduce Only reject"
    d = compiled(load("binance_usdm_algo_update_triggered.json"), True)
    assert d["exec_type"] == ExecType.EXEC_TRIGGERED and d["linked_order_id"] == 8886790
    assert d["stop_price_raw"] == 48_000 * 10**8
    d = compiled(load("binance_usdm_algo_update_finished.json"), True)
    assert d["order_state"] == OrderState.FILLED


def test_other_events():
    assert compiled(load("binance_spot_outbound_account_position.json"), False)["kind"] == MessageKind.OTHER
    assert compiled(load("binance_usdm_account_update.json"), True)["kind"] == MessageKind.OTHER
    assert compiled(b'{}', False)["kind"] == MessageKind.OTHER


def test_accepts_bytes_like():
    data = load("binance_spot_execution_report_wrapped.json")
    p = BinanceParser()
    assert p.parse(bytearray(data)) == p.parse(memoryview(data)) == p.parse(data) == MessageKind.EXECUTION_REPORT
    with pytest.raises(TypeError):
        p.parse("not bytes")


class BytesSub(bytes):
    pass


def test_non_bytes_buffers_take_the_buffer_path_with_the_same_result():
    # Exact bytes are read in place; anything else goes through the buffer protocol
    # (bytes subclasses, bytearray, slices of a larger buffer, array, mmap-like views).
    import array

    data = load("binance_spot_execution_report_wrapped.json")
    want = compiled(data, False)
    p = BinanceParser()
    padded = bytearray(b"xx" + data + b"yy")
    for buf in (BytesSub(data), bytearray(data), memoryview(data), memoryview(padded)[2:-2],
                array.array("B", data), memoryview(bytearray(data)).toreadonly()):
        assert p.parse(buf) == MessageKind.EXECUTION_REPORT
        assert p.to_dict() == want
    with pytest.raises(BufferError):
        p.parse(memoryview(data)[::2])                 # not contiguous: refused, not misread
    with pytest.raises(TypeError):
        p.parse(data=data)                             # one positional argument (METH_O)
    # a bad message through the buffer path raises and still releases the buffer
    bad = bytearray(data[:-3])
    with pytest.raises(ParseError):
        p.parse(bad)
    bad.extend(b"}}}")                                 # would raise BufferError if still exported
    assert p.kind == MessageKind.NONE


# ----------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    "data",
    [
        b'{"e":"executionReport","s":"BTC\\u0055SDT","c":"a\\/b\\\\c\\"d","q":"1.5"}',
        b'{"e":"executionReport","c":"\\ud83d\\ude00-\\u00e9","q":1.5,"p":2,"i":"42","E":"1700000000000"}',
        b' \n{ "e" : "executionReport" ,\t"x" : "NEW" , "X" : "NEW" } \r\n',
        b'{"\\u0065":"executionReport","\\u0045":1}',
        b'{"e":"executionReport","x":"SOMETHING_NEW","X":"PENDING_CANCEL","o":"ICEBERG","f":"GTD"}',
        b'{"e":"executionReport","q":"0.123456789","n":"0.000000015"}',
        b'{"e":"executionReport","r":"' + b"R" * 100 + b'"}',
        b'{"e":"executionReport","c":"' + b"C" * 65 + b'"}',
        b'{"e":"executionReport","s":"' + b"S" * 33 + b'"}',
        b'{"e":"executionReport","q":"1e5"}',
        b'{"e":"executionReport","q":"99999999999.99999999"}',
        b'{"e":"executionReport","q":"92233720368.54775808"}',
        b'{"e":"executionReport","i":9223372036854775807,"t":-9223372036854775808}',
        b'{"e":"executionReport","i":9223372036854775808}',
        b'{"e":"executionReport","i":1.5}',
        b'{"e":"executionReport","m":"true"}',
        b'{"e":"executionReport","q":true}',
        b'{"e":"executionReport","q":null,"N":null,"m":null,"x":null}',
        b'{"e":"executionReport","q":""}',
        b'{"e":"executionReport","S":123}',
        b'{"e":123}',
        b'{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server\'s time."}',
        b'{"code":99999999999,"msg":"x"}',
        b'{"e":"executionReport","x":{"nested":[1,{"a":[]}]},"zz":[[],{}],"q":"1"}',
        b'{"fills":[{"qty":"1","price":"2","junk":{"a":[1,2,3]}}],"orderId":1}',
        b'{"fills":[1,2]}',
        b'{"fills":{}}',
        b'{"result":[{"orderId":1}]}',
        b'{"event":"x","e":"executionReport"}',
        b'{"o":{"o":{"s":"DEEP"}},"e":"ORDER_TRADE_UPDATE"}',
        b'[]',
        b'"executionReport"',
        b'{"e":"executionReport"} {}',
        b'{"e":"executionReport",}',
        b'{"e":"executionReport"',
        b'',
    ],
)
def test_edge_cases_match_reference(data):
    check(data, False)
    check(data, True)


def test_deep_nesting_is_an_error_not_a_crash():
    ok = b'{"zz":' + b"[" * 63 + b"]" * 63 + b',"e":"executionReport"}'
    assert compiled(ok, False)["kind"] == MessageKind.EXECUTION_REPORT
    for depth in (65, 100_000):
        data = b'{"zz":' + b"[" * depth + b"]" * depth + b"}"
        with pytest.raises(ParseError, match="nesting"):
            BinanceParser().parse(data)


def test_error_resets_record_and_reports_offset():
    p = BinanceParser()
    p.parse(load("binance_spot_execution_report_wrapped.json"))
    with pytest.raises(ParseError) as info:
        p.parse(b'{"e":"executionReport","q":"1.2.3"}')
    assert info.value.offset == len(b'{"e":"executionReport","q":"1.2.3"')
    assert p.kind == MessageKind.NONE and p.to_dict() == {"kind": MessageKind.NONE, "flags": 0}
    assert p.error_offset == info.value.offset


# ----------------------------------------------------------------- property tests

ALL = [(n, load(n)) for n in SAMPLES]


@given(st.sampled_from(ALL), st.randoms(use_true_random=False), st.booleans(), st.booleans(),
       st.dictionaries(st.text(min_size=3, max_size=6), junk(), max_size=3))
def test_reserialised_variants_match_reference(sample, rnd, ascii_only, spaced, extra):
    name, data = sample
    obj = reorder(json.loads(data), rnd)
    target = next((obj[k] for k in ("event", "result", "o") if isinstance(obj.get(k), dict)), obj)
    for k, v in extra.items():
        target.setdefault(k, v)      # unknown members (nested too) anywhere in the order
    text = json.dumps(obj, ensure_ascii=ascii_only,
                      separators=(" , ", " : ") if spaced else (",", ":"), indent=2 if spaced else None)
    check(text.encode(), is_futures(name))


NUMERIC_STRING = re.compile(rb'"(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)"')


@given(st.sampled_from(ALL), st.data())
def test_numbers_as_json_numbers_or_strings(sample, data):
    name, raw = sample
    flips = data.draw(st.lists(st.booleans(), min_size=64, max_size=64))
    count = iter(range(10**6))
    text = NUMERIC_STRING.sub(lambda m: m.group(1) if flips[next(count) % 64] else m.group(0), raw)
    got = check(text, is_futures(name))
    assert got is not None  # numeric strings and bare numbers read the same


@given(st.binary(max_size=600))
def test_random_bytes_never_crash(data):
    try:
        BinanceParser().parse(data)
    except ParseError:
        return
    json.loads(data)  # whatever the parser accepts is JSON


@pytest.mark.parametrize("name", SAMPLES)
def test_every_truncation_raises(name):
    data = load(name)
    p = BinanceParser(futures=is_futures(name))
    for cut in range(len(data)):
        with pytest.raises(ParseError):
            p.parse(data[:cut])
    p.parse(data)


@given(st.sampled_from(ALL), st.data())
def test_mutations_raise_or_agree(sample, data):
    name, raw = sample
    mutated = mutate(raw, data)
    futures = is_futures(name)
    try:
        got = compiled(mutated, futures)
    except ParseError:
        return
    loads(mutated)  # accepted implies well-formed JSON
    try:
        want = reference_py(mutated, futures)
    except Bad:
        pytest.fail(f"accepted what the reference rejects: {mutated!r}")
    if not _has_duplicate_keys(mutated):
        assert got == want


def _has_duplicate_keys(data):
    dup = False

    def hook(pairs):
        nonlocal dup
        keys = [k for k, _ in pairs]
        dup |= len(keys) != len(set(keys))
        return dict(pairs)

    json.loads(data, object_pairs_hook=hook)
    return dup


# ----------------------------------------------------------------- word-at-a-time fast paths
#
# The members of an executionReport in Binance's documented order take an ordered
# run whose readers look at 8-byte words (decimal and integer digits, plain strings,
# literals); any other spelling, or a value too near the end of the input, goes to
# the general readers.  These feed every shape of number around the word edges, in
# canonical order, and end messages right after each member, so both paths and the
# hand-over between them meet the reference.

ORDERED_EVENT = list(json.loads(load("binance_spot_execution_report_wrapped.json"))["event"].items())
ORDERED_DECIMALS = ["q", "p", "P", "l", "z", "L", "n", "Z", "Y"]
ORDERED_INTEGERS = ["E", "i", "T", "t"]
ORDERED_SKIPPED = ["F", "g", "I", "w", "M", "O", "Q", "W", "V"]


class Raw(str):
    """Value text put into the message as written (a bare number, or anything)."""


def _member_text(k, v):
    return json.dumps(k) + ":" + (str(v) if isinstance(v, Raw) else json.dumps(v))


def _event_text(members, wrapped):
    body = "{" + ",".join(_member_text(k, v) for k, v in members) + "}"
    return ('{"subscriptionId":0,"event":' + body + "}" if wrapped else body).encode()


def _digits(lo, hi):
    return st.text("0123456789", min_size=lo, max_size=hi)


NUMBER_TEXT = st.one_of(
    st.builds(lambda neg, i, dot, f: ("-" if neg else "") + i + ("." + f if dot else ""),
              st.booleans(), _digits(0, 19), st.booleans(), _digits(0, 12)),
    st.text("0123456789.-+eE", max_size=22),
    st.text("0123456789.-\\\"x \u00e9\x01", max_size=12),
)


@given(st.data(), st.booleans())
def test_ordered_run_numbers_agree_with_reference(data, wrapped):
    members = list(ORDERED_EVENT)
    names = ORDERED_DECIMALS + ORDERED_INTEGERS + ORDERED_SKIPPED
    for k in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=5)):
        text = data.draw(NUMBER_TEXT)
        how = data.draw(st.sampled_from(["string", "bare", "raw-quoted"]))
        if how == "string":
            value = text
        elif how == "bare":
            value = Raw(text if text else "0")
        else:
            value = Raw('"' + text + '"')    # unescaped: may be invalid JSON on purpose
        members = [(n, value if n == k else v) for n, v in members]
    check(_event_text(members, wrapped), False)


@pytest.mark.parametrize("int_digits", range(0, 13))
def test_ordered_run_every_decimal_width(int_digits):
    for frac_digits in range(0, 12):
        for neg in (False, True):
            ip = "".join(str((i * 7 + 3) % 10) for i in range(int_digits))
            text = ("-" if neg else "") + ip + ("." + "".join(str((i * 3 + 1) % 10) for i in range(frac_digits))
                                                if frac_digits else "")
            for k in ("q", "Y"):
                members = [(n, text if n == k else v) for n, v in ORDERED_EVENT]
                check(_event_text(members, False), False)
                members = [(n, Raw(text) if n == k and text not in ("", "-") else v) for n, v in members]
                check(_event_text(members, True), False)


@pytest.mark.parametrize("digits", range(1, 21))
def test_ordered_run_every_integer_width(digits):
    for first in "0159":
        for neg in (False, True):
            text = ("-" if neg else "") + first + "7" * (digits - 1)
            for tail in ("", ".5", "e3", "E-1"):
                for k in ("E", "T", "t", "I", "g", "W"):
                    members = [(n, Raw(text + tail) if n == k else v) for n, v in ORDERED_EVENT]
                    check(_event_text(members, False), False)
                    members = [(n, text + tail if n == k else v) for n, v in ORDERED_EVENT]
                    check(_event_text(members, True), False)


SKIPPED_VALUES = ['"x"', '""', '"a\\"b"', '"\\u0041"', '"\u00e9"', '"\x01"', "0", "-1", "-0", "01", "-", "1.5",
                  "1e3", "12345678901234567890", "true", "false", "null", "nul", "tru", "[]", "{}", '[1,{"a":2}]',
                  '{"k":"v"}', " 5", "[", '"']


@pytest.mark.parametrize("k", ORDERED_SKIPPED)
def test_ordered_run_skips_every_value_type(k):
    # A member the run does not keep is skipped in its common spelling (plain string,
    # integer, literal) and handed to the general loop otherwise; invalid JSON is an
    # error either way.
    for value in SKIPPED_VALUES:
        for wrapped in (False, True):
            members = [(n, Raw(value) if n == k else v) for n, v in ORDERED_EVENT]
            check(_event_text(members, wrapped), False)


TEXT_VALUES = ['"BTCUSDT"', '""', '"\\u0042TC"', '"\u00e9t\u00e9"', "null", '"' + "x" * 16 + '"', '"' + "y" * 17 + '"',
               '"' + "z" * 32 + '"', '"' + "z" * 33 + '"', '"' + "w" * 64 + '"', '"' + "w" * 65 + '"',
               '"NEW"', '"PARTIALLY_FILLED"', '"BUY"', '"LIMIT"', '"GTC"', '"bogus"', "7", "true", '"a\x01"']


@pytest.mark.parametrize("k", ["s", "c", "S", "o", "f", "C", "x", "X", "r", "N", "m"])
def test_ordered_run_text_and_enum_members(k):
    # Texts at and past their buffer (identifiers fail, the reject reason is cut),
    # escapes, non-ASCII, null, unknown enum words and wrong types, in the run's position.
    for value in TEXT_VALUES:
        members = [(n, Raw(value) if n == k else v) for n, v in ORDERED_EVENT]
        check(_event_text(members, True), False)


@pytest.mark.parametrize("wrapped", [False, True])
def test_ordered_run_ends_after_every_member(wrapped):
    # The message ends right after member i: the last values sit at the end of the
    # input, where the word loads cannot be used and the general readers take over.
    for i in range(1, len(ORDERED_EVENT) + 1):
        text = _event_text(ORDERED_EVENT[:i], wrapped)
        check(text, False)
        for cut in range(max(0, len(text) - 30), len(text)):
            with pytest.raises(ParseError):
                BinanceParser().parse(text[:cut])


def test_ordered_run_hands_over_to_the_general_loop():
    # Out of order, an added member, whitespace, and a nested "o": each stops the run
    # at that member, and the rest is read by the general loop with the same result.
    base = list(ORDERED_EVENT)
    variants = [
        base[:5] + [("zz", [1, {"a": "b"}])] + base[5:],
        base[:9] + [base[10], base[9]] + base[11:],
        base[:20] + [(k, v) for k, v in reversed(base[20:])],
        base[:3] + [("o", {"q": "1.5"})] + base[3:],
        base + [("e", "executionReport"), ("q", "2.5")],
    ]
    for members in variants:
        for wrapped in (False, True):
            check(_event_text(members, wrapped), False)
    spaced = _event_text(base, False).replace(b',"q":', b', "q" :').replace(b'"l":', b'"l": ')
    check(spaced, False)


def test_ws_envelope_fast_path_agrees_with_the_member_loop():
    # {"subscriptionId":N,"event":{...}} is recognised up front; any other start
    # (another id spelling, another member, whitespace, a non-object event) goes
    # through the member loop, with the same result.
    event = _event_text(ORDERED_EVENT, False).decode()
    for sid in ("0", "7", "-3", "123456789012345", "1234567890123456789", "1.5", "1e2", '"7"', "null", "01"):
        for tail in ("", ',"x":[1,2]', ',"result":{"orderId":5}'):
            check(('{"subscriptionId":' + sid + ',"event":' + event + tail + "}").encode(), False)
            check(('{"subscriptionId":' + sid + ', "event":' + event + tail + "}").encode(), False)
    check(b'{"subscriptionId":0,"event":"executionReport"}', False)
    check(b'{"subscriptionId":0,"event":[1]}', False)
    check(('{"event":' + event + ',"subscriptionId":0}').encode(), False)
    check(('{"id":1,"subscriptionId":0,"event":' + event + "}").encode(), False)
    for cut in range(1, 40):
        with pytest.raises(ParseError):
            BinanceParser().parse(('{"subscriptionId":0,"event":' + event + "}").encode()[:cut])


# ----------------------------------------------------------------- allocations


def test_zero_python_allocations_per_parse():
    p = BinanceParser()
    data = load("binance_spot_execution_report_wrapped.json")
    parse = p.parse

    def call():
        parse(data)

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0
    # control: the measurement does see a call that builds Python objects
    assert python_allocations_per_call_bytes(p.to_dict, iterations=1000) > 0


def test_zero_python_allocations_full_response_and_futures():
    for name in ("binance_spot_order_full.json", "binance_usdm_order_trade_update.json"):
        p = BinanceParser(futures=is_futures(name))
        data = load(name)
        parse = p.parse

        def call():
            parse(data)

        assert python_allocations_per_call_bytes(call) == 0
        assert allocated_blocks_delta(call) == 0
