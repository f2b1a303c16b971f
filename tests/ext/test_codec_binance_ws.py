"""engine._codec_binance_ws: WebSocket API order frames compared with frames built independently
in plain Python (json + sorted payload + hmac), logged-on frames, validation, allocations."""

import hashlib
import hmac
import json
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._codec_binance_ws import RESP_ACK, RESP_FULL, RESP_NONE, RESP_RESULT, BinanceWsEncoder
from engine._codec_errors import EncodeError
from engine._enums import OrderType, Side, TimeInForce
from engine._signer import RequestSigner

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
E8 = 100_000_000
TS = 1700000000123
RESP = {RESP_NONE: None, RESP_ACK: "ACK", RESP_RESULT: "RESULT", RESP_FULL: "FULL"}


def dec(raw_value):
    return format((Decimal(raw_value) / E8).normalize(), "f")


def reference(rid, method, params, signed=True):
    """The frame as a plain-Python client would build it: sorted params, payload signed, JSON."""
    params = {k: v for k, v in params.items() if v is not None}
    if signed:
        params["apiKey"] = KEY
    ordered = {k: params[k] for k in sorted(params)}
    if signed:
        payload = "&".join(f"{k}={v}" for k, v in ordered.items())
        ordered["signature"] = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return json.dumps({"id": rid, "method": method, "params": ordered}, separators=(",", ":")).encode()


@pytest.fixture
def enc():
    return BinanceWsEncoder(RequestSigner(SECRET), KEY)


SPOT_TYPES = [
    # order type, tif, needs price, needs stop, wire type, wire tif
    (OrderType.MARKET, TimeInForce.TIF_NONE, False, False, "MARKET", None),
    (OrderType.LIMIT, TimeInForce.GTC, True, False, "LIMIT", "GTC"),
    (OrderType.LIMIT, TimeInForce.IOC, True, False, "LIMIT", "IOC"),
    (OrderType.LIMIT, TimeInForce.FOK, True, False, "LIMIT", "FOK"),
    (OrderType.LIMIT, TimeInForce.POST_ONLY, True, False, "LIMIT_MAKER", None),
    (OrderType.LIMIT_MAKER, TimeInForce.TIF_NONE, True, False, "LIMIT_MAKER", None),
    (OrderType.STOP_LOSS, TimeInForce.TIF_NONE, False, True, "STOP_LOSS", None),
    (OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, True, True, "STOP_LOSS_LIMIT", "GTC"),
    (OrderType.TAKE_PROFIT, TimeInForce.TIF_NONE, False, True, "TAKE_PROFIT", None),
    (OrderType.TAKE_PROFIT_LIMIT, TimeInForce.IOC, True, True, "TAKE_PROFIT_LIMIT", "IOC"),
]


@pytest.mark.parametrize("order_type,tif,price,stop,wire_type,wire_tif", SPOT_TYPES)
@pytest.mark.parametrize("resp", [RESP_NONE, RESP_ACK, RESP_FULL])
def test_order_place_matches_plain_python(enc, order_type, tif, price, stop, wire_type, wire_tif, resp):
    qty, px, sp = 1_234_500, 48_000 * E8 + 5 * E8 // 10, 47_000 * E8 if stop else 0
    n = enc.order_place(42, b"BTCUSDT", Side.SELL, order_type, tif, qty, px if price else 0, sp, b"my-id_1", resp,
                        TS, 5000)
    expected = reference(42, "order.place", {
        "symbol": "BTCUSDT", "side": "SELL", "type": wire_type, "timeInForce": wire_tif, "quantity": dec(qty),
        "price": dec(px) if price else None, "stopPrice": dec(sp) if stop else None,
        "newClientOrderId": "my-id_1", "newOrderRespType": RESP[resp], "recvWindow": 5000, "timestamp": TS})
    assert enc.frame() == bytes(enc.buffer[:n]) == expected


def test_order_place_without_client_id_lets_the_venue_choose(enc):
    enc.order_place(1, "ETHUSDT", Side.BUY, OrderType.MARKET, TimeInForce.TIF_NONE, E8, 0, 0, None, RESP_ACK, TS)
    assert "newClientOrderId" not in json.loads(enc.frame())["params"]


def test_logged_on_frames_carry_no_key_and_no_signature(enc):
    enc.order_place(7, b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 30_000 * E8, 0, b"c1", RESP_FULL,
                    TS, 5000, False)
    assert enc.frame() == reference(7, "order.place", {
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1",
        "price": "30000", "newClientOrderId": "c1", "newOrderRespType": "FULL", "recvWindow": 5000,
        "timestamp": TS}, signed=False)


@pytest.mark.parametrize("by_id", [True, False])
@pytest.mark.parametrize("signed", [True, False])
def test_order_cancel_matches_plain_python(enc, by_id, signed):
    enc.order_cancel(9, b"BTCUSDT", 123456789 if by_id else 0, None if by_id else b"abc-9", TS, 6000, signed)
    expected = reference(9, "order.cancel", {
        "symbol": "BTCUSDT", "orderId": 123456789 if by_id else None,
        "origClientOrderId": None if by_id else "abc-9", "recvWindow": 6000, "timestamp": TS}, signed=signed)
    assert enc.frame() == expected


@pytest.mark.parametrize("order_type,tif,price,stop,wire_type,wire_tif", SPOT_TYPES)
@pytest.mark.parametrize("signed", [True, False])
def test_order_cancel_replace_matches_plain_python(enc, order_type, tif, price, stop, wire_type, wire_tif, signed):
    qty, px, sp = 1_234_500, 48_000 * E8 + 5 * E8 // 10, 47_000 * E8 if stop else 0
    enc.order_cancel_replace(11, b"BTCUSDT", Side.BUY, order_type, tif, qty, px if price else 0, sp, b"old-id_1",
                             b"new-id_2", TS, 5000, signed)
    assert enc.frame() == reference(11, "order.cancelReplace", {
        "symbol": "BTCUSDT", "side": "BUY", "type": wire_type, "cancelReplaceMode": "STOP_ON_FAILURE",
        "timeInForce": wire_tif, "quantity": dec(qty), "price": dec(px) if price else None,
        "stopPrice": dec(sp) if stop else None, "cancelOrigClientOrderId": "old-id_1",
        "newClientOrderId": "new-id_2", "newOrderRespType": "FULL", "recvWindow": 5000, "timestamp": TS},
        signed=signed)
    for old, new in [(b"", b"new"), (b"old", None), (b"old id", b"new"), (b"old", b"n" * 37)]:
        with pytest.raises(EncodeError):
            enc.order_cancel_replace(11, b"BTCUSDT", Side.BUY, order_type, tif, qty, px if price else 0, sp, old, new,
                                     TS, 5000)
        assert enc.length == 0


@pytest.mark.parametrize("signed", [True, False])
def test_order_amend_keep_priority_matches_plain_python(enc, signed):
    """``order.amend.keepPriority``: the order's client id kept (sent as the new one too), its whole new
    quantity; every bad argument refused with nothing written."""
    enc.order_amend_keep_priority(12, b"BTCUSDT", b"keep-id_1", 500_000, TS, 5000, signed)
    assert enc.frame() == reference(12, "order.amend.keepPriority", {
        "symbol": "BTCUSDT", "origClientOrderId": "keep-id_1", "newClientOrderId": "keep-id_1",
        "newQty": dec(500_000), "recvWindow": 5000, "timestamp": TS}, signed=signed)
    for cid, qty in [(b"", 500_000), (None, 500_000), (b"keep id", 500_000), (b"k" * 37, 500_000), (b"k", 0)]:
        with pytest.raises(EncodeError):
            enc.order_amend_keep_priority(12, b"BTCUSDT", cid, qty, TS, 5000)
        assert enc.length == 0


@given(qty=st.integers(1, 10**17), price=st.integers(1, 10**17), rid=st.integers(0, 2**62),
       cid=st.text("abcXYZ019-_", min_size=0, max_size=36))
def test_random_limit_orders_match_plain_python(qty, price, rid, cid):
    enc = BinanceWsEncoder(RequestSigner(SECRET), KEY)
    enc.order_place(rid, b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, qty, price, 0, cid, RESP_ACK, TS)
    assert enc.frame() == reference(rid, "order.place", {
        "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": dec(qty),
        "price": dec(price), "newClientOrderId": cid or None, "newOrderRespType": "ACK", "recvWindow": 5000,
        "timestamp": TS})


@pytest.mark.parametrize("call,kwargs", [
    ("place", {"side": 9}),
    ("place", {"order_type": OrderType.TRAILING_STOP}),         # futures only
    ("place", {"qty": 0}),
    ("place", {"price": 0}),                                    # LIMIT needs a price
    ("place", {"tif": TimeInForce.TIF_NONE}),                   # LIMIT needs a time in force
    ("place", {"stop": E8}),                                    # LIMIT takes no stop price
    ("place", {"cid": b"bad id!"}),
    ("place", {"cid": b"x" * 37}),
    ("place", {"symbol": b"BTC\"USDT"}),
    ("place", {"symbol": b""}),
    ("place", {"resp": 4}),
    ("place", {"rid": -1}),
    ("place", {"ts": 0}),
    ("place", {"rw": 60001}),
    ("cancel", {"order_id": 0, "cid": b""}),                    # neither reference
    ("cancel", {"order_id": 5, "cid": b"both"}),                # both references
])
def test_bad_input_raises_before_anything_is_written(enc, call, kwargs):
    a = {"rid": 1, "symbol": b"BTCUSDT", "side": Side.BUY, "order_type": OrderType.LIMIT, "tif": TimeInForce.GTC,
         "qty": E8, "price": E8, "stop": 0, "cid": b"ok", "resp": RESP_ACK, "ts": TS, "rw": 5000, "order_id": 0}
    a.update(kwargs)
    with pytest.raises(EncodeError):
        if call == "place":
            enc.order_place(a["rid"], a["symbol"], a["side"], a["order_type"], a["tif"], a["qty"], a["price"],
                            a["stop"], a["cid"], a["resp"], a["ts"], a["rw"])
        else:
            enc.order_cancel(a["rid"], a["symbol"], a["order_id"], a["cid"], a["ts"], a["rw"])
    assert enc.length == 0


def test_api_key_is_checked_at_construction():
    with pytest.raises(EncodeError):
        BinanceWsEncoder(RequestSigner(SECRET), "key with spaces")
    with pytest.raises(EncodeError):
        BinanceWsEncoder(RequestSigner(SECRET), "")


def test_a_frame_that_does_not_fit_is_refused_not_truncated():
    enc = BinanceWsEncoder(RequestSigner(SECRET), "k" * 128, capacity=256)
    with pytest.raises(EncodeError):
        enc.order_place(1, b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, 0, b"c" * 36, RESP_FULL,
                        TS)


def test_repr_shows_no_key_or_secret(enc):
    assert KEY not in repr(enc) and SECRET not in repr(enc)


def test_encoding_allocates_nothing(enc):
    place, cancel = enc.order_place, enc.order_cancel
    args = (5, b"BTCUSDT", int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC), 1_000_000, 48_000 * E8, 0,
            b"client-1", RESP_FULL, TS, 5000)

    def once():
        place(*args)
        cancel(6, b"BTCUSDT", 0, b"client-1", TS, 5000)

    assert allocated_blocks_delta(once, 100_000) == 0
    # The only transient object is the returned frame length (an int above the small-int cache).
    assert python_allocations_per_call_bytes(once) <= sys.getsizeof(10**3)
