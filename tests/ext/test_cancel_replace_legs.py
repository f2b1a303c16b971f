"""engine._binance_writer.cancel_replace_legs: a spot cancelReplace answer split in C into each leg's own JSON
object, for the compiled parser without a JSON round trip; the new order's client id checked; any bytes
either split or refused with ParseError, never a crash (fuzzed)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._binance_writer import cancel_replace_legs
from engine._enums import OrderState
from engine._parse_binance import BinanceParser
from engine._parse_common import ParseError
from tests.support.fuzzing import mutate

CANCEL = {"symbol": "BTCUSDT", "origClientOrderId": "bot-old_1", "orderId": 11, "orderListId": -1,
          "clientOrderId": "x-cancel-9", "transactTime": 1700000000100, "price": "48000.00000000",
          "origQty": "0.01000000", "executedQty": "0.00000000", "cummulativeQuoteQty": "0.00000000",
          "status": "CANCELED", "timeInForce": "GTC", "type": "LIMIT", "side": "BUY",
          "selfTradePreventionMode": "NONE"}
NEW = {"symbol": "BTCUSDT", "orderId": 12, "orderListId": -1, "clientOrderId": "bot-new_2",
       "transactTime": 1700000000101, "price": "48100.00000000", "origQty": "0.01000000",
       "executedQty": "0.00000000", "cummulativeQuoteQty": "0.00000000", "status": "NEW", "timeInForce": "GTC",
       "type": "LIMIT", "side": "BUY", "workingTime": 1700000000101, "fills": [],
       "selfTradePreventionMode": "NONE"}
ANSWER = json.dumps({"cancelResult": "SUCCESS", "newOrderResult": "SUCCESS", "cancelResponse": CANCEL,
                     "newOrderResponse": NEW}).encode()


def test_each_leg_is_its_own_object_for_the_parser():
    cancel, new = cancel_replace_legs(ANSWER, b"bot-new_2")
    assert json.loads(cancel) == CANCEL and json.loads(new) == NEW
    parser = BinanceParser()
    parser.parse(cancel)
    assert parser.names_client(b"bot-old_1") and parser.to_dict()["order_state"] == OrderState.CANCELLED
    parser.parse(new)
    assert parser.names_client(b"bot-new_2") and parser.to_dict()["order_state"] == OrderState.NEW
    spaced = json.dumps({"newOrderResponse": NEW, "extra": [1, {"a": None}], "cancelResponse": CANCEL},
                        indent=2).encode()                   # any order, whitespace, other members
    assert [json.loads(leg) for leg in cancel_replace_legs(spaced)] == [CANCEL, NEW]


def test_a_websocket_api_answer_has_its_legs_in_its_result():
    frame = json.dumps({"id": 7, "status": 200, "result": json.loads(ANSWER),
                        "rateLimits": [{"rateLimitType": "ORDERS", "count": 1}]}).encode()
    cancel, new = cancel_replace_legs(frame, b"bot-new_2", wrapped=True)
    assert json.loads(cancel) == CANCEL and json.loads(new) == NEW
    for bad in [ANSWER, b'{"id":7,"status":200}', b'{"id":7,"result":{"cancelResponse":{}}}',
                b'{"result":' + ANSWER + b',"result":' + ANSWER + b"}"]:
        with pytest.raises(ParseError):
            cancel_replace_legs(bad, wrapped=True)


def test_an_answer_naming_another_new_order_is_refused():
    with pytest.raises(ValueError, match="another order"):
        cancel_replace_legs(ANSWER, b"bot-new_3")
    escaped = ANSWER.replace(b'"bot-new_2"', b'"bot\\u002dnew_2"')   # (never matched through an escape)
    with pytest.raises(ValueError):
        cancel_replace_legs(escaped, b"bot-new_2")


@pytest.mark.parametrize("body", [
    b"", b"{", b"[]", b"{}", b'{"cancelResponse":{}}', b'{"newOrderResponse":{}}',
    b'{"cancelResponse":[],"newOrderResponse":{}}', b'{"cancelResponse":{},"newOrderResponse":"x"}',
    b'{"cancelResponse":{},"newOrderResponse":{},"cancelResponse":{}}', ANSWER[:-1], ANSWER + b"x",
    ANSWER.replace(b'"status"', b'"status'),
])
def test_what_is_not_that_shape_is_a_parse_error(body):
    with pytest.raises(ParseError):
        cancel_replace_legs(body)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_any_bytes_split_or_refused_never_a_crash(body, wrapped):
    try:
        legs = cancel_replace_legs(body, None, wrapped)
    except ParseError:
        return
    assert all(leg.startswith(b"{") and leg.endswith(b"}") for leg in legs)


@settings(max_examples=400, deadline=None)
@given(st.data(), st.booleans())
def test_a_damaged_answer_splits_or_is_refused_never_a_crash(data, wrapped):
    body = mutate(ANSWER, data)
    if wrapped:
        body = b'{"id":1,"status":200,"result":' + body + b"}"
    try:
        cancel, new = cancel_replace_legs(body, b"bot-new_2", wrapped)
    except (ParseError, ValueError):
        return
    assert cancel.startswith(b"{") and new.startswith(b"{")
