"""engine._parse_topstepx: the sheet's frames, both event forms, any key order, a json.loads reference,
fuzzing and allocation counts."""

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._enums import OrderState, OrderType, Side
from engine._parse_common import MessageKind, ParseError, RecordFlag
from engine._parse_topstepx import TopstepxParser

from tests.support import DATA
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.fuzzing import mutate, reorder

RS = b"\x1e"
SCALE = 10**8


def load(name: str) -> bytes:
    return (DATA / name).read_bytes().rstrip(b"\n")


def parsed(raw: bytes) -> dict:
    p = TopstepxParser()
    p.parse(raw)
    if p.next_record():
        return p.to_dict()
    return p.to_dict()


# ----------------------------------------------------------------- the sheet's frames

def test_order_event_in_both_forms_reads_the_same():
    bare, wrapped = parsed(load("topstepx_user_order.json") + RS), parsed(load("topstepx_user_order_wrapped.json") + RS)
    assert bare == wrapped
    assert bare["kind"] == MessageKind.ORDER_STATE
    assert bare["order_id"] == 9056 and bare["client_id"] == "strat1-000017"
    assert bare["symbol"] == "CON.F.US.EP.M25"
    assert bare["side"] == Side.BUY and bare["order_type"] == OrderType.LIMIT
    assert bare["order_state"] == OrderState.FILLED
    assert bare["qty_raw"] == SCALE and bare["price_raw"] == 510025 * 10**6
    assert bare["cum_qty_raw"] == SCALE and bare["avg_price_raw"] == 510025 * 10**6
    assert "stop_price_raw" not in bare          # null: absent


def test_trade_event():
    d = parsed(load("topstepx_user_trade.json"))
    assert d["kind"] == MessageKind.TRADE
    assert d["trade_id"] == 8603 and d["order_id"] == 14326
    assert d["last_qty_raw"] == SCALE and d["last_price_raw"] == 606425 * 10**6
    assert d["commission_raw"] == 140_000_000 and "realized_pnl_raw" not in d


def test_a_voided_trade_is_not_a_fill():
    raw = load("topstepx_user_trade.json").replace(b'"voided":false', b'"voided":true')
    p = TopstepxParser()
    assert p.parse(raw) == MessageKind.OTHER and not p.next_record()


@pytest.mark.parametrize("raw, kind, hub_type", [
    (b'{"type":6}\x1e', MessageKind.OTHER, 6),
    (b'{"type":3,"invocationId":"1","result":null}\x1e', MessageKind.OTHER, 3),
    (b'{"type":7,"error":"Connection closed with an error.","allowReconnect":true}\x1e', MessageKind.OTHER, 7),
    (b'{"type":1,"target":"GatewayUserAccount","arguments":[{"id":465,"name":"50K","balance":50000.5,'
     b'"canTrade":true,"isVisible":true,"simulated":true}]}\x1e', MessageKind.OTHER, 1),
    (b'{"type":1,"target":"GatewayUserPosition","arguments":[{"id":1,"accountId":465,"contractId":"CON.F.US.EP.M25",'
     b'"creationTimestamp":"2025-06-02T14:30:00+00:00","type":1,"size":2,"averagePrice":5100.25}]}\x1e',
     MessageKind.OTHER, 1),
    (b'{}\x1e', MessageKind.OTHER, -1),
])
def test_other_hub_records(raw, kind, hub_type):
    p = TopstepxParser()
    assert p.parse(raw) == kind and not p.next_record()
    assert p.hub_type == hub_type


def test_targets_are_case_insensitive_and_keys_in_any_order():
    raw = (b'{"arguments":[{"status":1,"id":7,"customTag":"a-1","size":2,"type":4,"stopPrice":99.5,"side":1}],'
           b'"target":"gatewayuserorder","type":1}')
    d = parsed(raw)
    assert d["kind"] == MessageKind.ORDER_STATE and d["order_id"] == 7 and d["order_type"] == OrderType.STOP_LOSS
    assert d["side"] == Side.SELL and d["stop_price_raw"] == 995 * 10**7 and d["order_state"] == OrderState.NEW


@pytest.mark.parametrize("status, state", [(0, 0), (1, OrderState.NEW), (2, OrderState.FILLED),
                                           (3, OrderState.CANCELLED), (4, OrderState.EXPIRED),
                                           (5, OrderState.REJECTED), (6, OrderState.PENDING),
                                           (7, OrderState.NEW), (8, OrderState.PENDING), (9, 0)])
def test_every_order_status(status, state):
    d = parsed(b'{"type":1,"target":"GatewayUserOrder","arguments":[{"id":1,"status":%d}]}' % status)
    assert d.get("order_state", 0) == state
    assert bool(d["flags"] & RecordFlag.UNKNOWN_ENUM) == (status in (0, 9))


@pytest.mark.parametrize("gw_type, otype", [(0, 0), (1, OrderType.LIMIT), (2, OrderType.MARKET),
                                             (3, OrderType.STOP_LOSS_LIMIT), (4, OrderType.STOP_LOSS),
                                             (5, OrderType.TRAILING_STOP), (6, OrderType.JOIN_BID),
                                             (7, OrderType.JOIN_ASK), (8, 0)])
def test_every_order_type(gw_type, otype):
    d = parsed(b'{"type":1,"target":"GatewayUserOrder","arguments":[{"id":1,"status":1,"type":%d}]}' % gw_type)
    assert d.get("order_type", 0) == otype
    assert bool(d["flags"] & RecordFlag.UNKNOWN_ENUM) == (gw_type in (0, 8))


def test_rest_answers():
    p = TopstepxParser()
    assert p.parse_ack(load("topstepx_place_ok.json"), b"strat1-000017") == MessageKind.ORDER_ACCEPTED
    assert p.order_id == 9056 and p.names_client(b"strat1-000017")
    assert p.parse(load("topstepx_place_error.json")) == MessageKind.ERROR
    assert p.error_code == 2 and p.order_id == 9057
    assert p.error_message.startswith("Brackets cannot be used with Position Brackets")
    assert p.parse(b'{"success":true,"errorCode":0,"errorMessage":null}') == MessageKind.OTHER
    assert p.parse(b'{"success":false,"errorCode":6,"errorMessage":"Follower accounts cannot cancel orders"}') \
        == MessageKind.ERROR and p.error_code == 6


def test_nine_decimals_are_read_exactly_or_rounded_and_flagged():
    d = parsed(b'{"type":1,"target":"GatewayUserTrade","arguments":[{"id":1,"orderId":2,"price":6335.250000000,'
               b'"size":1,"fees":0.123456789}]}')
    assert d["last_price_raw"] == 633525 * 10**6
    assert d["commission_raw"] == 12345679 and d["flags"] & RecordFlag.ROUNDED


@pytest.mark.parametrize("raw", [b'', b'{', b'{"type":1,"target":"GatewayUserOrder","arguments":[{"id":"x"}]}',
                                 b'{"type":1,"target":"GatewayUserOrder","arguments":[{"id":1}]} x',
                                 b'[1]', b'{"orderId":1.5,"success":true}',
                                 b'{"type":1,"target":"GatewayUserOrder","arguments":[{"contractId":"' + b"C" * 40
                                 + b'"}]}'])
def test_bad_bytes_raise_parse_error(raw):
    p = TopstepxParser()
    with pytest.raises(ParseError):
        p.parse(raw)
    assert p.kind == MessageKind.NONE and not p.next_record()


# ----------------------------------------------------------------- an independent reference

def reference(raw: bytes) -> dict:
    msg = json.loads(raw.rstrip(RS))
    arg = msg["arguments"][0]
    if "data" in arg and "action" in arg:
        arg = arg["data"]
    out = {}
    dec = lambda v: round(v * SCALE) if isinstance(v, int) else None
    if msg["target"] == "GatewayUserOrder":
        out.update(order_id=arg["id"], client_id=arg.get("customTag"), qty_raw=dec(arg.get("size")),
                   price_raw=dec(arg.get("limitPrice")), cum_qty_raw=dec(arg.get("fillVolume")))
    else:
        out.update(trade_id=arg["id"], order_id=arg["orderId"], last_qty_raw=dec(arg.get("size")),
                   last_price_raw=dec(arg.get("price")))
    return {k: v for k, v in out.items() if v is not None}


ints = st.integers(1, 10**9)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_random_events_match_the_reference(data):
    target = data.draw(st.sampled_from(["GatewayUserOrder", "GatewayUserTrade"]))
    if target == "GatewayUserOrder":
        arg = {"id": data.draw(ints), "customTag": data.draw(st.from_regex(r"[A-Za-z0-9_-]{1,36}", fullmatch=True)),
               "size": data.draw(st.integers(1, 500)), "limitPrice": data.draw(st.one_of(st.none(), ints)),
               "fillVolume": data.draw(st.integers(0, 500)), "status": data.draw(st.integers(0, 8)),
               "junk": data.draw(st.text(max_size=5))}
    else:
        arg = {"id": data.draw(ints), "orderId": data.draw(ints), "size": data.draw(st.integers(1, 500)),
               "price": data.draw(ints), "voided": False, "profitAndLoss": None}
    if data.draw(st.booleans()):
        arg = {"action": data.draw(st.integers(0, 2)), "data": arg}
    msg = reorder({"type": 1, "target": target, "arguments": [arg]}, random.Random(data.draw(st.integers())))
    raw = json.dumps(msg).encode() + RS
    got = parsed(raw)
    for k, v in reference(raw).items():
        assert got[k] == v, k


# ----------------------------------------------------------------- fuzzing

SAMPLES = ["topstepx_user_order.json", "topstepx_user_order_wrapped.json", "topstepx_user_trade.json",
           "topstepx_place_error.json", "topstepx_place_ok.json"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SAMPLES), st.data())
def test_mutated_messages_never_crash(name, data):
    raw = mutate(load(name) + RS, data)
    p = TopstepxParser()
    try:
        kind = p.parse(raw)
    except ParseError as exc:
        assert 0 <= exc.offset <= len(raw)
        return
    assert kind in set(MessageKind)
    p.next_record()
    p.to_dict()


# ----------------------------------------------------------------- allocations

@pytest.mark.parametrize("name", ["topstepx_user_order.json", "topstepx_user_trade.json"])
def test_parsing_an_event_allocates_nothing(name):
    p = TopstepxParser()
    raw = load(name) + RS
    parse, next_record = p.parse, p.next_record

    def one():
        parse(raw)
        next_record()

    assert allocated_blocks_delta(one, 20_000) == 0
    assert python_allocations_per_call_bytes(one, 20_000) == 0
