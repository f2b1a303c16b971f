"""engine._binance_writer.amended_order: a spot keepPriority amendment's answer (REST, or a WebSocket API answer's
``result``) reduced in C to its ``amendedOrder`` object for the compiled parser, its client id checked; any bytes
either read or refused with ParseError, never a crash (fuzzed)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._binance_writer import amended_order
from engine._enums import OrderState
from engine._parse_binance import BinanceParser
from engine._parse_common import ParseError
from tests.support.fuzzing import mutate

# (the shape of the venue's documented answer: ``qty``, ``cumulativeQuoteQty``, no ``origQty``)
AMENDED = {"symbol": "BTCUSDT", "orderId": 33, "orderListId": -1, "origClientOrderId": "bot-keep_1",
           "clientOrderId": "bot-keep_1", "price": "48000.00000000", "qty": "0.00500000",
           "executedQty": "0.00200000", "preventedQty": "0.00000000", "quoteOrderQty": "0.00000000",
           "cumulativeQuoteQty": "96.00000000", "status": "PARTIALLY_FILLED", "timeInForce": "GTC",
           "type": "LIMIT", "side": "BUY", "workingTime": 1741926410242, "selfTradePreventionMode": "NONE"}
ANSWER = json.dumps({"transactTime": 1741926410255, "executionId": 75, "amendedOrder": AMENDED}).encode()


def test_the_amended_order_is_its_own_object_for_the_parser():
    body = amended_order(ANSWER, b"bot-keep_1")
    assert json.loads(body) == AMENDED
    parser = BinanceParser()
    parser.parse(body)
    assert parser.names_client(b"bot-keep_1") and parser.order_id == 33
    assert parser.to_dict()["order_state"] == OrderState.PARTIALLY_FILLED
    listed = json.dumps({"listStatus": {"orderListId": 4, "orders": [{"clientOrderId": "other"}]},
                         "amendedOrder": AMENDED, "executionId": 75}, indent=1).encode()   # any order, a list
    assert json.loads(amended_order(listed, b"bot-keep_1")) == AMENDED


def test_a_websocket_api_answer_has_it_in_its_result():
    frame = json.dumps({"id": 7, "status": 200, "result": json.loads(ANSWER),
                        "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT", "count": 4}]}).encode()
    assert json.loads(amended_order(frame, b"bot-keep_1", wrapped=True)) == AMENDED
    for bad in [ANSWER, b'{"id":7,"status":200}', b'{"id":7,"result":{"executionId":1}}',
                b'{"result":' + ANSWER + b',"result":' + ANSWER + b"}"]:
        with pytest.raises(ParseError):
            amended_order(bad, wrapped=True)


def test_an_answer_naming_another_order_is_refused():
    with pytest.raises(ValueError, match="another order"):
        amended_order(ANSWER, b"bot-keep_2")
    drawn = ANSWER.replace(b'"clientOrderId": "bot-keep_1"', b'"clientOrderId": "PFaq6hIHxqFENGfdtn4J6Q"')
    with pytest.raises(ValueError):                 # (the venue drew a new id: not the order as we know it)
        amended_order(drawn, b"bot-keep_1")


@pytest.mark.parametrize("body", [
    b"", b"{", b"[]", b"{}", b'{"amendedOrder":[]}', b'{"amendedOrder":"x"}', b'{"amendedOrder":{},"amendedOrder":{}}',
    b'{"cancelResponse":{},"newOrderResponse":{}}', ANSWER[:-1], ANSWER + b"x", ANSWER.replace(b'"qty"', b'"qty'),
])
def test_what_is_not_that_shape_is_a_parse_error(body):
    with pytest.raises(ParseError):
        amended_order(body)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_any_bytes_read_or_refused_never_a_crash(body, wrapped):
    try:
        out = amended_order(body, None, wrapped)
    except ParseError:
        return
    assert out.startswith(b"{") and out.endswith(b"}")


@settings(max_examples=400, deadline=None)
@given(st.data(), st.booleans())
def test_a_damaged_answer_is_read_or_refused_never_a_crash(data, wrapped):
    body = mutate(ANSWER, data)
    if wrapped:
        body = b'{"id":1,"status":200,"result":' + body + b"}"
    try:
        out = amended_order(body, b"bot-keep_1", wrapped)
    except (ParseError, ValueError):
        return
    assert out.startswith(b"{") and out.endswith(b"}")
