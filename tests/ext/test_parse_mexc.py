"""engine._parse_mexc (REST answers: receipts and errors) against an independent json.loads reference, plus fuzzing."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._enums import OrderType, Side, TimeInForce
from engine._parse_common import MessageKind, ParseError, RecordFlag
from engine._parse_mexc import MexcParser
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from tests.support.fuzzing import junk, mutate, reorder
from tests.support.parse_reference import Bad, FloatLit, RecordRef

E8 = 100_000_000
# the docs' answers (spot-account-trade: New Order, Cancel Order) and the sheet's live cancel example
NEW_ORDER = (b'{"symbol":"MXUSDT","orderId":"06a480e69e604477bfb48dddd5f0b750","orderListId":-1,"price":"0.1",'
             b'"origQty":"50","type":"LIMIT","side":"BUY","transactTime":1666676533741}')
CANCEL_DOC = (b'{"symbol":"LTCBTC","origClientOrderId":"myOrder1","orderId":4,"clientOrderId":"cancelMyOrder1",'
              b'"price":"2.00000000","origQty":"1.00000000","executedQty":"0.00000000",'
              b'"cummulativeQuoteQty":"0.00000000","status":"CANCELED","timeInForce":"GTC","type":"LIMIT",'
              b'"side":"BUY"}')
CANCEL_LIVE = (b'{"symbol":"MXUSDT","origClientOrderId":"cl-0007","orderId":"C02__505979017439002624115",'
               b'"clientOrderId":"cl-0007","price":"3.5","origQty":"10","executedQty":"0",'
               b'"cummulativeQuoteQty":"0","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"BUY"}')
ERROR = b'{"code":700002,"msg":"Signature for this request is not valid."}'
ERROR_STR = b'{"code":"730708","msg":"listen key information error"}'
SAMPLES = [NEW_ORDER, CANCEL_DOC, CANCEL_LIVE, ERROR, ERROR_STR]

SIDES = {"BUY": Side.BUY, "SELL": Side.SELL}
TYPES = {"LIMIT": (OrderType.LIMIT, TimeInForce.GTC), "MARKET": (OrderType.MARKET, TimeInForce.TIF_NONE),
         "LIMIT_MAKER": (OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY),
         "IMMEDIATE_OR_CANCEL": (OrderType.LIMIT, TimeInForce.IOC), "FILL_OR_KILL": (OrderType.LIMIT, TimeInForce.FOK)}


def reference(data: bytes):
    """(kind, fields) as the parser must read ``data``; raises Bad where it must raise."""
    try:
        doc = json.loads(data, parse_float=FloatLit)
    except ValueError:
        raise Bad("json") from None
    if not isinstance(doc, dict):
        return MessageKind.OTHER, {}
    r = RecordRef()
    code = None
    for k, v in doc.items():
        if k == "code":
            code = r.integer("", v)
            if code is not None:
                if not -(2**31) <= code < 2**31:
                    raise Bad("code")
                r.d["error_code"] = code
        elif k == "msg":
            r.text("error_msg", v, 128, truncate=True)
        elif k == "symbol":
            r.text("symbol", v, 32)
        elif k == "orderId":
            if isinstance(v, (int, FloatLit)) and not isinstance(v, bool):
                text = str(v)
                if len(text) > 48:
                    raise Bad("orderId")
                r.d["venue_order_id"] = text
            else:
                r.text("venue_order_id", v, 48)
        elif k == "clientOrderId":
            r.text("client_id", v, 64)
        elif k == "origClientOrderId":
            r.text("orig_client_id", v, 64)
        elif k in ("price", "origQty", "executedQty", "cummulativeQuoteQty"):
            r.decimal({"price": "price_raw", "origQty": "qty_raw", "executedQty": "cum_qty_raw",
                       "cummulativeQuoteQty": "cum_quote_raw"}[k], v)
        elif k == "side":
            r.enum("side", v, SIDES)
        elif k == "type":
            if v is not None:
                r.enum("order_type", v, {n: t for n, (t, _) in TYPES.items()})
                r.d["time_in_force"] = TYPES.get(v, (0, TimeInForce.TIF_NONE))[1]
        elif k == "transactTime":
            r.integer("ts_transact_ms", v)
    if code is not None and code not in (0, 200):
        kind = MessageKind.ERROR
    elif "venue_order_id" in r.d:
        kind = MessageKind.ORDER_RECEIVED
    else:
        kind = MessageKind.OTHER
    return kind, {"kind": kind, "flags": r.flags, **r.d}


def compiled(data: bytes):
    p = MexcParser()
    kind = p.parse(data)
    return kind, p.to_dict()


def check(data: bytes):
    try:
        kind, want = reference(data)
    except Bad:
        with pytest.raises(ParseError):
            compiled(data)
        return None
    got_kind, got = compiled(data)
    assert got_kind == kind
    if kind != MessageKind.OTHER:
        assert got == want
    return kind


# ---- the documented answers -------------------------------------------------------------------------

def test_new_order_answer_is_a_receipt_paired_by_what_it_names():
    p = MexcParser()
    assert p.parse(NEW_ORDER) == MessageKind.ORDER_RECEIVED
    assert p.to_dict()["venue_order_id"] == "06a480e69e604477bfb48dddd5f0b750" and not p.names_client(b"cl-1")
    assert not p.pair(b"cl-1", b"BTCUSDT", Side.BUY, 50 * E8)          # another symbol
    assert not p.pair(b"cl-1", b"MXUSDT", Side.SELL, 50 * E8)          # another side
    assert not p.pair(b"cl-1", b"MXUSDT", Side.BUY, 51 * E8)           # another quantity
    assert not p.names_client(b"cl-1")                                 # a refusal leaves the record as it was
    assert p.pair(b"cl-1", b"MXUSDT", Side.BUY, 50 * E8) and p.names_client(b"cl-1")
    assert p.to_dict()["client_id"] == "cl-1" and p.next_record() and not p.next_record()


def test_receipt_parses_and_pairs_in_one_call():
    p = MexcParser()
    assert p.receipt(NEW_ORDER, b"cl-1", b"BTCUSDT", Side.BUY, 50 * E8) == -1       # another symbol: not paired
    assert not p.names_client(b"cl-1")
    assert p.receipt(bytearray(NEW_ORDER), b"cl-1", b"MXUSDT", Side.BUY, 50 * E8) == MessageKind.ORDER_RECEIVED
    assert p.names_client(b"cl-1")
    assert p.receipt(CANCEL_DOC, b"another", b"MXUSDT") == -1
    assert p.receipt(CANCEL_DOC, b"myOrder1", b"MXUSDT") == MessageKind.ORDER_RECEIVED
    assert p.receipt(b'{"code":30004,"msg":"Insufficient position"}', b"cl-1", b"MXUSDT") == MessageKind.ERROR
    with pytest.raises(ParseError):
        p.receipt(NEW_ORDER[:-2], b"cl-1", b"MXUSDT")


@pytest.mark.parametrize("answer,cid", [(CANCEL_DOC, b"myOrder1"), (CANCEL_LIVE, b"cl-0007")])
def test_cancel_answer_names_the_order_and_its_status_is_not_read(answer, cid):
    p = MexcParser()
    assert p.parse(answer) == MessageKind.ORDER_RECEIVED
    d = p.to_dict()
    assert "order_state" not in d             # the live answer gives the state before the cancel
    assert d["orig_client_id"] == cid.decode() and p.pair(cid, d["symbol"].encode())
    assert not p.pair(b"another", d["symbol"].encode())


def test_numeric_order_id_of_the_doc_example_is_read_as_its_digits():
    assert compiled(CANCEL_DOC)[1]["venue_order_id"] == "4"


@pytest.mark.parametrize("answer,code", [(ERROR, 700002), (ERROR_STR, 730708),
                                         (b'{"msg":"Order does not exist.","code":-2013,"_extend":null}', -2013)])
def test_errors_with_numeric_or_string_codes(answer, code):
    p = MexcParser()
    assert p.parse(answer) == MessageKind.ERROR and p.to_dict()["error_code"] == code
    assert not p.pair(b"x", b"MXUSDT")


def test_code_200_and_lists_are_not_errors_nor_receipts():
    assert compiled(b'{"code":200,"data":["BTCUSDT"],"msg":null}')[0] == MessageKind.OTHER
    assert compiled(b'[{"symbol":"BTCUSDT","orderId":"1"}]')[0] == MessageKind.OTHER
    assert compiled(b"{}")[0] == MessageKind.OTHER


@pytest.mark.parametrize("data", [b"", b"{", b'{"orderId":"' + b"x" * 49 + b'"}', b'{"code":1.5}',
                                  b'{"code":4294967296}', b'{"price":"1.x","orderId":"1"}', b"[] []"])
def test_bad_answers_raise(data):
    with pytest.raises(ParseError):
        compiled(data)
    check(data)


def test_unknown_type_word_is_flagged():
    kind, d = compiled(b'{"orderId":"1","type":"STOP_LIMIT","side":"HOLD"}')
    assert kind == MessageKind.ORDER_RECEIVED and d["flags"] & RecordFlag.UNKNOWN_ENUM
    assert d["order_type"] == 0 and d["side"] == 0


# ---- property tests -----------------------------------------------------------------------------------

@pytest.mark.parametrize("data", SAMPLES)
def test_samples_match_reference(data):
    assert check(data) is not None


@given(st.sampled_from(SAMPLES), st.randoms(use_true_random=False),
       st.dictionaries(st.text(min_size=3, max_size=6), junk(), max_size=3))
def test_reserialised_variants_match_reference(sample, rnd, extra):
    obj = reorder(json.loads(sample), rnd)
    for k, v in extra.items():
        obj.setdefault(k, v)
    check(json.dumps(obj, ensure_ascii=rnd.random() < 0.5).encode())


@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data):
    try:
        compiled(data)
    except ParseError:
        return
    json.loads(data)


@given(st.sampled_from(SAMPLES), st.data())
def test_mutations_raise_or_agree(sample, data):
    mutated = mutate(sample, data)
    try:
        compiled(mutated)
    except ParseError:
        return
    pairs = json.loads(mutated, parse_float=FloatLit, object_pairs_hook=lambda p: p)
    if isinstance(pairs, list) and len({k for k, _ in pairs}) == len(pairs):
        check(mutated)


def test_zero_python_allocations_per_answer():
    p = MexcParser()
    parse, pair = p.parse, p.pair
    cid, sym, qty = b"cl-0001", b"MXUSDT", 50 * E8

    def call():
        parse(NEW_ORDER)
        pair(cid, sym, 1, qty)

    # one object made per message would show at once, one kept would show 20,000 times
    assert python_allocations_per_call_bytes(call, iterations=20_000) == 0
    assert allocated_blocks_delta(call, iterations=20_000) == 0
