"""engine._codec_bybit: bodies compared with json.dumps references, signatures with hmac."""

import hashlib
import hmac
import json

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._codec_bybit import BybitOrderEncoder
from engine._codec_errors import EncodeError
from engine._enums import OrderType, PositionSide, Side, TimeInForce
from engine._signer import RequestSigner

SECRET, KEY = "bybit-secret", "XXXXXXXXXX"
E8 = 100_000_000
TS = 1700000000000


def ref(fields, ts=TS, rw=5000):
    body = json.dumps(fields, separators=(",", ":")).encode()
    sig = hmac.new(SECRET.encode(), f"{ts}{KEY}{rw}".encode() + body, hashlib.sha256).hexdigest().encode()
    return body, sig


@pytest.fixture
def enc():
    return BybitOrderEncoder(RequestSigner(SECRET), KEY, "linear")


def test_fact_sheet_example_body(enc):
    n = enc.new_order("BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.POST_ONLY, E8 // 100, 50000 * E8, 0, "my-1",
                      TS, 5000)
    body, sig = enc.request()
    assert body == b'{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.01",' \
                   b'"price":"50000","timeInForce":"PostOnly","orderLinkId":"my-1"}'
    assert (body, sig) == ref(json.loads(body)) and n == len(body)
    assert enc.path == b"/v5/order/create" and bytes(enc.signature) == sig


CASES = [
    (OrderType.MARKET, TimeInForce.TIF_NONE, 0, 0, {"orderType": "Market", "qty": "1.5"}),
    (OrderType.LIMIT, TimeInForce.GTC, 2, 0, {"orderType": "Limit", "qty": "1.5", "price": "2", "timeInForce": "GTC"}),
    (OrderType.LIMIT, TimeInForce.IOC, 2, 0, {"orderType": "Limit", "qty": "1.5", "price": "2", "timeInForce": "IOC"}),
    (OrderType.LIMIT, TimeInForce.FOK, 2, 0, {"orderType": "Limit", "qty": "1.5", "price": "2", "timeInForce": "FOK"}),
    (OrderType.LIMIT_MAKER, TimeInForce.TIF_NONE, 2, 0,
     {"orderType": "Limit", "qty": "1.5", "price": "2", "timeInForce": "PostOnly"}),
    (OrderType.STOP_LOSS, TimeInForce.TIF_NONE, 0, 3,
     {"orderType": "Market", "qty": "1.5", "triggerPrice": "3", "triggerDirection": 1}),
    (OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, 2, 3,
     {"orderType": "Limit", "qty": "1.5", "price": "2", "timeInForce": "GTC", "triggerPrice": "3",
      "triggerDirection": 1}),
    (OrderType.TAKE_PROFIT, TimeInForce.TIF_NONE, 0, 3,
     {"orderType": "Market", "qty": "1.5", "triggerPrice": "3", "triggerDirection": 2}),
    (OrderType.TAKE_PROFIT_LIMIT, TimeInForce.IOC, 2, 3,
     {"orderType": "Limit", "qty": "1.5", "price": "2", "timeInForce": "IOC", "triggerPrice": "3",
      "triggerDirection": 2}),
]


@pytest.mark.parametrize("order_type,tif,price,stop,fields", CASES, ids=lambda v: str(v))
def test_every_order_type_for_a_buy(enc, order_type, tif, price, stop, fields):
    enc.new_order(b"ETHUSDT", Side.BUY, order_type, tif, 150_000_000, price * E8, stop * E8, b"id_1-x", TS, 7000)
    expected = ref({"category": "linear", "symbol": "ETHUSDT", "side": "Buy", **fields, "orderLinkId": "id_1-x"},
                   rw=7000)
    assert enc.request() == expected


def test_sell_stop_triggers_on_fall_and_hedge_reduce_flags(enc):
    enc.new_order(b"ETHUSDT", Side.SELL, OrderType.STOP_LOSS, 0, E8, 0, 3 * E8, None, TS, 5000,
                  position_side=PositionSide.SHORT)
    assert enc.request() == ref({"category": "linear", "symbol": "ETHUSDT", "side": "Sell", "orderType": "Market",
                                 "qty": "1", "triggerPrice": "3", "triggerDirection": 2, "positionIdx": 2})
    enc.new_order(b"ETHUSDT", Side.SELL, OrderType.MARKET, 0, E8, 0, 0, None, TS, 5000, reduce_only=True)
    assert enc.request()[0].endswith(b'"qty":"1","reduceOnly":true}')


def test_cancel_and_amend(enc):
    enc.cancel_order(b"BTCUSDT", b"1b2c-3d", None, TS, 5000)
    assert enc.request() == ref({"category": "linear", "symbol": "BTCUSDT", "orderId": "1b2c-3d"})
    assert enc.path == b"/v5/order/cancel"
    enc.cancel_order("BTCUSDT", None, "my-1", TS, 5000)
    assert enc.request() == ref({"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "my-1"})
    enc.amend_order(b"BTCUSDT", None, b"my-1", 0, 51000 * E8, TS, 5000)
    assert enc.request() == ref({"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "my-1", "price": "51000"})
    assert enc.path == b"/v5/order/amend"
    enc.amend_order(b"BTCUSDT", b"abc", None, 2 * E8, 0, TS, 5000)
    assert enc.request() == ref({"category": "linear", "symbol": "BTCUSDT", "orderId": "abc", "qty": "2"})


@pytest.mark.parametrize("call,message", [
    (lambda e: e.new_order(b"BTCUSDT", 0, 2, 1, E8, E8, 0, None, TS, 5000), "side"),
    (lambda e: e.new_order(b"BTCUSDT", 1, OrderType.TRAILING_STOP, 0, E8, 0, E8, None, TS, 5000), "order type"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 2, 0, E8, E8, 0, None, TS, 5000), "time in force"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 1, 1, E8, 0, 0, None, TS, 5000), "time in force"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 2, 1, E8, 0, 0, None, TS, 5000), "price must be > 0"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 1, 0, E8, E8, 0, None, TS, 5000), "price must be 0"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 4, 0, E8, 0, 0, None, TS, 5000), "stop/trigger"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 1, 0, 0, 0, 0, None, TS, 5000), "quantity"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 1, 0, E8, 0, 0, b"a" * 37, TS, 5000), "client order id"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 1, 0, E8, 0, 0, b'a"b', TS, 5000), "client order id"),
    (lambda e: e.new_order(b'BTC"USDT', 1, 1, 0, E8, 0, 0, None, TS, 5000), "symbol"),
    (lambda e: e.cancel_order(b"BTCUSDT", b"x", b"y", TS, 5000), "exactly one"),
    (lambda e: e.cancel_order(b"BTCUSDT", b'x"', None, TS, 5000), "exactly one"),
    (lambda e: e.amend_order(b"BTCUSDT", b"x", None, 0, 0, TS, 5000), "change"),
    (lambda e: e.new_order(b"BTCUSDT", 1, 1, 0, E8, 0, 0, None, TS, 0), "recv window"),
])
def test_bad_input_raises(enc, call, message):
    with pytest.raises(EncodeError, match=message):
        call(enc)
    assert enc.length == 0


def test_spot_refuses_conditionals_and_position_flags():
    spot = BybitOrderEncoder(RequestSigner(SECRET), KEY, "spot")
    spot.new_order(b"BTCUSDT", 1, 1, 0, E8, 0, 0, None, TS, 5000)
    assert spot.request()[0].startswith(b'{"category":"spot",')
    with pytest.raises(EncodeError, match="order type"):
        spot.new_order(b"BTCUSDT", 1, OrderType.STOP_LOSS, 0, E8, 0, E8, None, TS, 5000)
    with pytest.raises(EncodeError, match="position"):
        spot.new_order(b"BTCUSDT", 1, 1, 0, E8, 0, 0, None, TS, 5000, reduce_only=True)
    with pytest.raises(ValueError):
        BybitOrderEncoder(RequestSigner(SECRET), KEY, "option")


def test_encoding_allocates_nothing(enc):
    sym, cid = b"BTCUSDT", b"bot-1"

    def place():
        enc.new_order(sym, 1, 2, 1, 1_000_000, 5_000_000_000_000, 0, cid, TS, 5000)

    place()
    assert enc.length <= 256          # a cached small int: the call itself must allocate nothing
    assert python_allocations_per_call_bytes(place) == 0
    assert allocated_blocks_delta(place) == allocated_blocks_delta(lambda: None)
