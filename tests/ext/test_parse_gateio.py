"""engine._parse_gateio against an independent json.loads reference, plus fuzzing and allocation counts."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._parse_common import MessageKind, ParseError, RecordFlag
from engine._parse_gateio import GateParser
from engine.venues.gateio.decode import order_state as decode_order_state
from tests.support import DATA
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.fuzzing import junk, mutate, reorder
from tests.support.parse_reference import Bad, FloatLit, RecordRef
from tests.support.parse_reference import utf8 as utf8_field

SAMPLES = sorted(p.name for p in DATA.glob("gateio_*.json"))


def load(name: str) -> bytes:
    return (DATA / name).read_bytes().rstrip(b"\n")


# ----------------------------------------------------------------- reference (written from the sheet, §4 §7 §8)

SIDE = {"buy": Side.BUY, "sell": Side.SELL}
TYPE = {"limit": OrderType.LIMIT, "market": OrderType.MARKET}
TIF = {"gtc": TimeInForce.GTC, "ioc": TimeInForce.IOC, "poc": TimeInForce.POST_ONLY, "fok": TimeInForce.FOK}
STATUS = {"open": "open", "closed": "closed", "cancelled": "cancelled"}
EVENT = {"put": "open", "update": "open", "finish": "finish"}
FINISH = {"open": "open", "filled": "filled", "cancelled": "cancelled", "liquidate_cancelled": "cancelled",
          "stp": "cancelled", "poc": "cancelled", "ioc": "expired", "fok": "expired", "small": "expired",
          "depth_not_enough": "expired", "trader_not_enough": "expired", "unknown": "unknown"}
MS_RE = re.compile(r"[0-9]+(\.[0-9]+)?\Z")


class Rec(RecordRef):
    def word(self, v):
        """A string or null (the parsers' enum reader)."""
        if v is None:
            return None
        if type(v) is not str:
            raise Bad("word")
        utf8_field("word", v)
        return v

    def enum(self, f, v, table):
        super().enum(f, v, table)

    def ident(self, field, v, cap):
        if isinstance(v, bool) or isinstance(v, FloatLit):
            raise Bad(field)
        if isinstance(v, int):
            if v < 0 or len(str(v)) > cap:
                raise Bad(field)
            self.d[field] = str(v)
            return
        self.text(field, v, cap)

    def ms(self, field, v):
        if v is None or v == "":
            return
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise Bad(field)
        text = str(v)
        if not MS_RE.match(text):
            raise Bad(field)
        n = int(text.split(".")[0])
        if n >= 2**63:
            raise Bad(field)
        self.d[field] = n

    def status(self, ctx, which, v, table):
        w = self.word(v)
        if w is None:
            return
        if w not in table:
            self.flags |= RecordFlag.UNKNOWN_ENUM
        ctx[which] = table.get(w, "unknown")


ORDER = {"fee": ("decimal", "commission_raw"), "left": ("decimal", "leaves_qty_raw"),
         "price": ("decimal", "price_raw"), "amount": ("decimal", "qty_raw"),
         "filled_total": ("decimal", "cum_quote_raw"), "filled_amount": ("decimal", "cum_qty_raw"),
         "avg_deal_price": ("decimal", "avg_price_raw"), "text": ("text", "client_id", 64),
         "fee_currency": ("text", "commission_asset", 16), "currency_pair": ("text", "symbol", 32),
         "side": ("enum", "side", SIDE), "type": ("enum", "order_type", TYPE),
         "time_in_force": ("enum", "time_in_force", TIF)}
TRADE = {"fee": ("decimal", "commission_raw"), "price": ("decimal", "last_price_raw"),
         "amount": ("decimal", "last_qty_raw"), "text": ("text", "client_id", 64),
         "fee_currency": ("text", "commission_asset", 16), "currency_pair": ("text", "symbol", 32),
         "side": ("enum", "side", SIDE)}


def order_member(r, ctx, k, v) -> bool:
    if k in ORDER:
        how, field, *extra = ORDER[k]
        getattr(r, how)(field, v, *extra)
    elif k == "id":
        r.ident("venue_order_id", v, 48)
    elif k == "status":
        r.status(ctx, "status", v, STATUS)
    elif k == "event":
        r.status(ctx, "event", v, EVENT)
    elif k == "finish_as":
        r.status(ctx, "finish", v, FINISH)
    elif k == "update_time_ms":
        r.ms("ts_transact_ms", v)
    else:
        return False
    return True


def trade_member(r, k, v):
    if k in TRADE:
        how, field, *extra = TRADE[k]
        getattr(r, how)(field, v, *extra)
    elif k == "id":
        r.ident("exec_id", v, 48)
    elif k == "order_id":
        r.ident("venue_order_id", v, 48)
    elif k == "role":
        w = r.word(v)
        if w in ("maker", "taker"):
            r.d["is_maker"] = w == "maker"
        elif w is not None:
            r.flags |= RecordFlag.UNKNOWN_ENUM
    elif k == "create_time_ms":
        r.ms("ts_transact_ms", v)


def state_of(d, ctx):
    status, event, finish = ctx.get("status"), ctx.get("event"), ctx.get("finish")
    filled = d.get("cum_qty_raw", 0)
    ended = status in ("closed", "cancelled") or event == "finish" or finish in ("filled", "cancelled", "expired")
    if not ended:
        if status != "open" and event != "open" and finish != "open":
            return
        d["order_state"] = OrderState.PARTIALLY_FILLED if filled > 0 else OrderState.NEW
        return
    state = {"filled": OrderState.FILLED, "cancelled": OrderState.CANCELLED, "expired": OrderState.EXPIRED}.get(finish)
    if state is None:
        state = OrderState.FILLED if status == "closed" else OrderState.CANCELLED
    if state in (OrderState.CANCELLED, OrderState.EXPIRED) and filled > 0 and d.get("leaves_qty_raw") == 0:
        state = OrderState.FILLED
    d["order_state"] = state


def reference_item(item, kind, ts_event):
    if not isinstance(item, dict):
        raise Bad("item")
    r, ctx = Rec(), {}
    if ts_event is not None:
        r.d["ts_event_ms"] = ts_event
    for k, v in item.items():
        if kind == MessageKind.ORDER_STATE:
            order_member(r, ctx, k, v)
        else:
            trade_member(r, k, v)
    if kind == MessageKind.ORDER_STATE:
        state_of(r.d, ctx)
    r.d["kind"] = kind
    r.d["flags"] = r.flags
    return r.d


def reference_py(data: bytes):
    """(record dict, [records or Bad]) for ``data``; raises Bad if the message is rejected."""
    try:
        top = json.loads(data, parse_float=FloatLit)
    except ValueError as exc:
        raise Bad("json") from exc
    if not isinstance(top, dict):
        raise Bad("top")
    r, ctx = Rec(), {}
    x = {"channel": None, "array": None, "ack": False, "failed": False, "status": None, "label": False,
         "order": False}

    def error_text(v, is_label):
        if x["label"] and not is_label:
            return
        r.text("error_msg", v, 128, truncate=True)
        if v is not None and is_label:
            x["label"] = True

    def error_object(v):
        if not isinstance(v, dict):
            return
        x["failed"] = True
        for kk, vv in v.items():
            if kk == "label":
                error_text(vv, True)
            elif kk == "message":
                error_text(vv, False)
            elif kk == "code":
                n = r.integer(None, vv)
                if n is not None:
                    if not -(2**31) <= n < 2**31:
                        raise Bad(kk)
                    r.d["error_code"] = n

    for k, v in top.items():
        if k == "channel":
            w = r.word(v)
            x["channel"] = {"spot.orders": "orders", "spot.orders_v2": "orders", "spot.usertrades": "trades",
                            "spot.usertrades_v2": "trades"}.get(w, "other")
        elif k == "result":
            if isinstance(v, list):
                x["array"] = v
        elif k == "time_ms":
            r.integer("ts_event_ms", v)
        elif k in ("time", "request_id"):
            pass
        elif k == "error":
            error_object(v)
        elif k == "header":
            if isinstance(v, dict):
                for kk, vv in v.items():
                    if kk == "status":
                        n = r.integer(None, vv)
                        if n is not None:
                            x["status"] = n
        elif k == "data":
            if isinstance(v, dict):
                for kk, vv in v.items():
                    if kk == "errs":
                        error_object(vv)
                    elif kk == "result" and isinstance(vv, dict):
                        for k3, v3 in vv.items():
                            x["order"] |= order_member(r, ctx, k3, v3)
        elif k == "ack":
            x["ack"] |= v is True
        elif k == "label":
            x["failed"] = True
            error_text(v, True)
        elif k in ("message", "detail"):
            error_text(v, False)
        else:
            x["order"] |= order_member(r, ctx, k, v)
    records = []
    status = x["status"]
    if x["failed"] or (status is not None and not 200 <= status <= 299):
        if status is not None and "error_code" not in r.d:
            r.d["error_code"] = status if -(2**31) <= status < 2**31 else -1
        kind = MessageKind.ERROR
    elif x["ack"]:
        kind = MessageKind.OTHER
    elif x["channel"] is not None:
        kind = MessageKind.OTHER
        if x["array"] is not None and x["channel"] in ("orders", "trades"):
            kind = MessageKind.ORDER_STATE if x["channel"] == "orders" else MessageKind.TRADE
        ts = r.d.get("ts_event_ms")
        r = Rec()
        if ts is not None:
            r.d["ts_event_ms"] = ts
        if kind != MessageKind.OTHER:
            for item in x["array"]:
                try:
                    records.append(reference_item(item, kind, ts))
                except Bad as exc:
                    records.append(exc)
                    break
    elif x["order"]:
        state_of(r.d, ctx)
        filled = r.d.get("cum_qty_raw", 0)
        if "order_state" not in r.d:
            kind = MessageKind.ORDER_RECEIVED if "venue_order_id" in r.d else MessageKind.OTHER
        elif filled > 0 and r.d["order_state"] in (OrderState.CANCELLED, OrderState.EXPIRED):
            kind = MessageKind.ORDER_RECEIVED
        else:
            kind = MessageKind.ORDER_STATE
    else:
        kind = MessageKind.OTHER
    r.d["kind"] = kind
    r.d["flags"] = r.flags
    if kind in (MessageKind.ORDER_STATE, MessageKind.ORDER_RECEIVED) and x["channel"] is None:
        records = [dict(r.d)]
    return r.d, records


def compiled(data: bytes):
    p = GateParser()
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


def test_the_sheets_spot_orders_push_with_its_string_times():
    env, (r,) = compiled(load("gateio_orders_update.json"))
    assert env["kind"] == MessageKind.ORDER_STATE and env["ts_event_ms"] == 1700000000123
    assert r["venue_order_id"] == "12345" and r["client_id"] == "t-abc" and r["symbol"] == "BTC_USDT"
    assert r["order_state"] == OrderState.PARTIALLY_FILLED and r["ts_transact_ms"] == 1700000000100
    assert r["cum_qty_raw"] == 400_000 and r["leaves_qty_raw"] == 600_000 and r["qty_raw"] == 1_000_000
    assert r["commission_raw"] == 800 and r["commission_asset"] == "BTC" and r["time_in_force"] == TimeInForce.GTC


def test_order_outcomes_come_from_finish_as_and_the_amounts():
    _, recs = compiled(load("gateio_orders_batch.json"))
    assert [r["order_state"] for r in recs] == [OrderState.NEW, OrderState.EXPIRED, OrderState.FILLED,
                                                OrderState.CANCELLED]
    assert recs[0]["time_in_force"] == TimeInForce.POST_ONLY and recs[2]["order_type"] == OrderType.MARKET


def test_usertrades_with_integer_id_and_fractional_ms():
    env, (a, b) = compiled(load("gateio_usertrades.json"))
    assert env["kind"] == MessageKind.TRADE
    assert a["exec_id"] == "5736713" and a["venue_order_id"] == "12345" and a["ts_transact_ms"] == 1700000000099
    assert a["last_qty_raw"] == 400_000 and a["last_price_raw"] == 50_000 * 10**8 and a["is_maker"] is True
    assert b["is_maker"] is False and b["client_id"] == "t-ioc2"


def test_answers():
    env, (r,) = compiled(load("gateio_rest_order_open.json"))
    assert env["kind"] == MessageKind.ORDER_STATE and r["order_state"] == OrderState.NEW
    assert r["ts_transact_ms"] == 1700000000103           # an integer in REST answers
    env, _ = compiled(load("gateio_wsapi_result.json"))
    assert env["kind"] == MessageKind.ORDER_STATE and env["client_id"] == "t-abc123"
    env, _ = compiled(load("gateio_rest_order_poc_cancelled.json"))
    assert env["kind"] == MessageKind.ORDER_STATE and env["order_state"] == OrderState.CANCELLED
    # a cancelled order with fills: its end comes with its trades on the stream
    env, _ = compiled(load("gateio_rest_order_cancelled_partial.json"))
    assert env["kind"] == MessageKind.ORDER_RECEIVED and env["order_state"] == OrderState.CANCELLED
    env, (r,) = compiled(load("gateio_rest_order_ack_mode.json"))
    assert env["kind"] == MessageKind.ORDER_RECEIVED and "order_state" not in r


def test_errors_and_control_frames():
    env, _ = compiled(load("gateio_wsapi_error.json"))
    assert env["kind"] == MessageKind.ERROR and env["error_code"] == 429 and env["error_msg"] == "TOO_MANY_REQUESTS"
    env, _ = compiled(load("gateio_rest_error.json"))
    assert env["kind"] == MessageKind.ERROR and env["error_msg"] == "BALANCE_NOT_ENOUGH"
    env, _ = compiled(load("gateio_channel_error.json"))
    assert env["kind"] == MessageKind.ERROR and env["error_code"] == 4
    for name in ("gateio_wsapi_ack.json", "gateio_wsapi_login.json", "gateio_subscribe_ok.json", "gateio_pong.json",
                 "balances_gateio_spot.json"):
        env, recs = compiled(load(name))
        assert env["kind"] == MessageKind.OTHER and recs == [], name


@pytest.mark.parametrize("status", ["open", "closed", "cancelled", None])
@pytest.mark.parametrize("finish", ["open", "filled", "cancelled", "ioc", "poc", "small", "stp", "unknown", None])
@pytest.mark.parametrize("amounts", [("0", "1"), ("0.4", "0.6"), ("1", "0")])
def test_rest_rows_are_read_as_the_stream_parser_reads_them(status, finish, amounts):
    filled, left = amounts
    row = {"id": "1", "text": "t-x", "amount": "1", "filled_amount": filled, "left": left}
    if status:
        row["status"] = status
    if finish:
        row["finish_as"] = finish
    p = GateParser()
    p.parse(json.dumps(row).encode())
    want = p.to_dict().get("order_state", OrderState.UNKNOWN)
    assert decode_order_state(row) == want


def test_bad_record_raises_and_ends_batch():
    data = b'{"channel":"spot.usertrades","result":[{"id":1},{"amount":"x"},{"id":3}]}'
    p = GateParser()
    assert p.parse(data) == MessageKind.TRADE
    assert p.next_record() and p.to_dict()["exec_id"] == "1"
    with pytest.raises(ParseError):
        p.next_record()
    assert not p.next_record() and not p.records_pending


@pytest.mark.parametrize("data", [
    # the first item is read while parse validates the message: its error still waits for next_record
    b'{"channel":"spot.usertrades","result":[{"amount":"x"},{"id":3}]}',
    b'{"channel":"spot.orders","result":["not an order",{"id":"3"}]}',
    # result before channel: validated first, read after, as every item after the first
    b'{"result":[{"amount":"x"},{"id":3}],"channel":"spot.usertrades"}',
])
def test_a_bad_first_record_parses_then_raises_and_ends_batch(data):
    p = GateParser()
    assert p.parse(data) in (MessageKind.TRADE, MessageKind.ORDER_STATE)
    with pytest.raises(ParseError):
        p.next_record()
    assert p.error_offset > data.index(b"[")
    assert not p.next_record() and not p.records_pending
    assert p.parse(data.replace(b'"x"', b'"1"').replace(b'"not an order"', b'{"id":"2"}'))
    assert p.next_record() and p.next_record() and not p.next_record()


def test_truncated_push_yields_no_record():
    data = load("gateio_orders_batch.json")
    p = GateParser()
    for cut in range(0, len(data), 7):
        with pytest.raises(ParseError):
            p.parse(data[:cut])
        assert not p.next_record()


@pytest.mark.parametrize(
    "data",
    [
        b'{"channel":"spot.orders","result":[]}',
        b'{"channel":"spot.orders","result":[1]}',
        b'{"channel":"spot.orders","result":{"status":"success"}}',
        b'{"channel":"spot.orders_v2","result":[{"id":12,"event":"finish","left":"0","filled_amount":"1"}]}',
        b'{"channel":"spot.usertrades","result":[{"id":"e-1","create_time_ms":"1.5","role":"both"}]}',
        b'{"channel":"spot.usertrades","result":[{"create_time_ms":"1.5e3"}]}',
        b'{"channel":"spot.usertrades","result":[{"create_time_ms":-1}]}',
        b'{"channel":"spot.usertrades","result":[{"id":-1}]}',
        b'{"channel":"spot.usertrades","result":[{"id":1.5}]}',
        b'{"channel":"spot.orders","result":[{"id":"' + b"9" * 49 + b'"}]}',
        b'{"channel":7,"result":[]}',
        b'{"id":"1","status":"weird","finish_as":"odd"}',
        b'{"id":"1","status":"closed","left":"0.1"}',
        b'{"id":"1","event":"finish","filled_amount":"0.1","left":"0"}',
        b'{"message":"m","label":"L"}',
        b'{"label":"L","message":' + b'"m"' + b'}',
        b'{"message":"first","label":null}',
        b'{"header":{"status":"201"},"data":{"result":{"id":"5","status":"open"}}}',
        b'{"header":{"status":"99999999999"},"data":{"errs":null}}',
        b'{"header":{"status":"2.5"}}',
        b'{"header":{"status":"500"},"data":{"errs":{"label":"INTERNAL","message":"' + b"x" * 300 + b'"}}}',
        b'{"error":{"code":4294967296}}',
        b'{"ack":"true","id":"1","status":"open"}',
        b'{"text":"t-\\u0041","id":"1","update_time_ms":"\\u0031\\u0032"}',
        b'[]',
        b'{"id":"1"',
    ],
)
def test_edge_cases_match_reference(data):
    check(data)


# ----------------------------------------------------------------- property tests

ALL = [(n, load(n)) for n in SAMPLES]


@given(st.sampled_from(ALL), st.randoms(use_true_random=False), st.booleans(), st.booleans(),
       st.dictionaries(st.text(min_size=3, max_size=6), junk(), max_size=3))
def test_reserialised_variants_match_reference(sample, rnd, ascii_only, spaced, extra):
    _, data = sample
    obj = reorder(json.loads(data), rnd)
    target = obj
    for key in ("result", "data"):
        inner = obj.get(key)
        if isinstance(inner, list) and inner:
            target = inner[rnd.randrange(len(inner))]
        elif isinstance(inner, dict) and isinstance(inner.get("result"), dict):
            target = inner["result"]
    for k, v in extra.items():
        target.setdefault(k, v)
    text = json.dumps(obj, ensure_ascii=ascii_only,
                      separators=(" , ", " : ") if spaced else (",", ":"), indent=2 if spaced else None)
    check(text.encode())


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


@pytest.mark.parametrize("name", ["gateio_usertrades.json", "gateio_orders_batch.json", "gateio_wsapi_result.json",
                                  "gateio_rest_order_open.json"])
def test_zero_python_allocations_per_message(name):
    p = GateParser()
    data = load(name)
    parse = p.parse
    next_record = p.next_record

    def call():
        parse(data)
        while next_record():
            pass

    assert python_allocations_per_call_bytes(call) == 0
    assert allocated_blocks_delta(call) == 0
