"""engine._codec_binance: requests compared with ones built independently with urllib/hmac,
the official signature vectors reproduced byte for byte, input validation, allocations."""

import hashlib
import hmac
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._codec_binance import BinanceOrderEncoder, repeat_new_order
from engine._codec_errors import EncodeError
from engine._enums import OrderType, PositionSide, Side, TimeInForce
from engine._signer import RequestSigner

SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
USDM_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
E8 = 100_000_000
TS = 1700000000123


def raw(text):
    return int(Decimal(text) * E8)


def dec(raw_value):
    """Reference formatting: trimmed decimal string, independent of fp_format."""
    d = Decimal(raw_value) / E8
    s = format(d.normalize(), "f")
    return s


def signed(secret, params):
    query = urlencode(params)
    sig = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return (query + "&signature=" + sig).encode()


@pytest.fixture
def spot():
    return BinanceOrderEncoder(RequestSigner(SPOT_SECRET))


@pytest.fixture
def usdm():
    return BinanceOrderEncoder(RequestSigner(USDM_SECRET), futures=True)


def test_spot_doc_example_reproduces_official_signature(spot):
    n = spot.new_order(b"LTCBTC", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, raw("1"), raw("0.1"), 0, b"",
                       1499827319559, 5000)
    expected = (
        b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
        b"&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )
    assert n == len(expected)
    assert bytes(spot.buffer[:n]) == expected == spot.request()
    assert (spot.method, spot.path) == (b"POST", b"/api/v3/order")


def test_spot_non_ascii_symbol_is_percent_encoded_before_signing(spot):
    n = spot.new_order("１２３４５６", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, raw("1"), raw("0.1"), 0, None,
                       1499827319559, 5000)
    assert spot.request().endswith(b"e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")
    assert spot.request().startswith(b"symbol=%EF%BC%91%EF%BC%92")
    assert n == len(spot.request())


def test_usdm_doc_example_reproduces_official_signature(usdm):
    usdm.new_order("BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, raw("1"), raw("9000"), 0, None,
                   1591702613943, 5000)
    assert usdm.request() == (
        b"symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000"
        b"&timestamp=1591702613943&signature=3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    )
    assert (usdm.method, usdm.path) == (b"POST", b"/fapi/v1/order")


SPOT_CASES = [
    # order type, tif, qty, price, stop, expected params between side and recvWindow
    (OrderType.MARKET, TimeInForce.TIF_NONE, "0.00012", "0", "0",
     [("type", "MARKET"), ("quantity", "0.00012")]),
    (OrderType.LIMIT, TimeInForce.IOC, "2.5", "64999.99", "0",
     [("type", "LIMIT"), ("timeInForce", "IOC"), ("quantity", "2.5"), ("price", "64999.99")]),
    (OrderType.LIMIT, TimeInForce.FOK, "100", "0.00000001", "0",
     [("type", "LIMIT"), ("timeInForce", "FOK"), ("quantity", "100"), ("price", "0.00000001")]),
    (OrderType.LIMIT, TimeInForce.POST_ONLY, "1", "10", "0",
     [("type", "LIMIT_MAKER"), ("quantity", "1"), ("price", "10")]),
    (OrderType.LIMIT_MAKER, TimeInForce.TIF_NONE, "1", "10", "0",
     [("type", "LIMIT_MAKER"), ("quantity", "1"), ("price", "10")]),
    (OrderType.STOP_LOSS, TimeInForce.TIF_NONE, "3", "0", "59000",
     [("type", "STOP_LOSS"), ("quantity", "3"), ("stopPrice", "59000")]),
    (OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, "3", "58900.5", "59000",
     [("type", "STOP_LOSS_LIMIT"), ("timeInForce", "GTC"), ("quantity", "3"), ("price", "58900.5"),
      ("stopPrice", "59000")]),
    (OrderType.TAKE_PROFIT, TimeInForce.TIF_NONE, "3", "0", "70000",
     [("type", "TAKE_PROFIT"), ("quantity", "3"), ("stopPrice", "70000")]),
    (OrderType.TAKE_PROFIT_LIMIT, TimeInForce.GTC, "3", "70100", "70000",
     [("type", "TAKE_PROFIT_LIMIT"), ("timeInForce", "GTC"), ("quantity", "3"), ("price", "70100"),
      ("stopPrice", "70000")]),
]


@pytest.mark.parametrize("order_type,tif,qty,price,stop,params", SPOT_CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
def test_spot_every_order_type(spot, order_type, tif, qty, price, stop, params, side):
    spot.new_order(b"BTCUSDT", side, order_type, tif, raw(qty), raw(price), raw(stop), b"my-order_1", TS, 60000)
    expected = signed(SPOT_SECRET, [("symbol", "BTCUSDT"), ("side", side.name), *params,
                                    ("newClientOrderId", "my-order_1"), ("recvWindow", 60000), ("timestamp", TS)])
    assert spot.request() == expected


USDM_CASES = [
    (OrderType.MARKET, TimeInForce.TIF_NONE, "0.001", "0", "0", b"/fapi/v1/order",
     [("type", "MARKET"), ("quantity", "0.001")]),
    (OrderType.LIMIT, TimeInForce.POST_ONLY, "0.010", "50000", "0", b"/fapi/v1/order",
     [("type", "LIMIT"), ("quantity", "0.01"), ("price", "50000"), ("timeInForce", "GTX")]),
    (OrderType.LIMIT_MAKER, TimeInForce.TIF_NONE, "1", "2", "0", b"/fapi/v1/order",
     [("type", "LIMIT"), ("quantity", "1"), ("price", "2"), ("timeInForce", "GTX")]),
    (OrderType.STOP_LOSS, TimeInForce.TIF_NONE, "1", "0", "45000", b"/fapi/v1/algoOrder",
     [("type", "STOP_MARKET"), ("quantity", "1"), ("triggerPrice", "45000")]),
    (OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, "1", "44900", "45000", b"/fapi/v1/algoOrder",
     [("type", "STOP"), ("quantity", "1"), ("price", "44900"), ("timeInForce", "GTC"), ("triggerPrice", "45000")]),
    (OrderType.TAKE_PROFIT, TimeInForce.TIF_NONE, "1", "0", "55000", b"/fapi/v1/algoOrder",
     [("type", "TAKE_PROFIT_MARKET"), ("quantity", "1"), ("triggerPrice", "55000")]),
    (OrderType.TAKE_PROFIT_LIMIT, TimeInForce.IOC, "1", "55100", "55000", b"/fapi/v1/algoOrder",
     [("type", "TAKE_PROFIT"), ("quantity", "1"), ("price", "55100"), ("timeInForce", "IOC"),
      ("triggerPrice", "55000")]),
]


@pytest.mark.parametrize("order_type,tif,qty,price,stop,path,params", USDM_CASES, ids=lambda v: str(v))
def test_usdm_every_order_type(usdm, order_type, tif, qty, price, stop, path, params):
    usdm.new_order(b"BTCUSDT", Side.SELL, order_type, tif, raw(qty), raw(price), raw(stop), b"a.b:c/d_e-f", TS, 5000)
    algo = path.endswith(b"algoOrder")
    head = [("algoType", "CONDITIONAL")] if algo else []
    cid = "clientAlgoId" if algo else "newClientOrderId"
    expected = signed(USDM_SECRET, [*head, ("symbol", "BTCUSDT"), ("side", "SELL"), *params,
                                    (cid, "a.b:c/d_e-f"), ("recvWindow", 5000), ("timestamp", TS)])
    assert usdm.request() == expected
    assert usdm.path == path and usdm.method == b"POST"


def test_usdm_trailing_stop_hedge_mode_and_reduce_only(usdm):
    usdm.new_order(b"ETHUSDT", Side.SELL, OrderType.TRAILING_STOP, TimeInForce.TIF_NONE, raw("2"), 0, raw("3500"),
                   None, TS, 5000, position_side=PositionSide.LONG, callback_rate_raw=raw("1.5"))
    assert usdm.request() == signed(USDM_SECRET, [
        ("algoType", "CONDITIONAL"), ("symbol", "ETHUSDT"), ("side", "SELL"), ("positionSide", "LONG"),
        ("type", "TRAILING_STOP_MARKET"), ("quantity", "2"), ("activatePrice", "3500"), ("callbackRate", "1.5"),
        ("recvWindow", 5000), ("timestamp", TS)])
    usdm.new_order(b"ETHUSDT", Side.BUY, OrderType.MARKET, TimeInForce.TIF_NONE, raw("2"), 0, 0, None, TS, 5000,
                   reduce_only=True)
    assert usdm.request() == signed(USDM_SECRET, [
        ("symbol", "ETHUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "2"), ("reduceOnly", "true"),
        ("recvWindow", 5000), ("timestamp", TS)])


def test_cancel_by_exchange_id_and_by_client_id(spot, usdm):
    spot.cancel_order(b"BTCUSDT", 28457, None, TS, 5000)
    assert spot.request() == signed(SPOT_SECRET, [("symbol", "BTCUSDT"), ("orderId", 28457),
                                                  ("recvWindow", 5000), ("timestamp", TS)])
    assert (spot.method, spot.path) == (b"DELETE", b"/api/v3/order")
    spot.cancel_order("BTCUSDT", 0, "my-order_1", TS, 5000)
    assert spot.request() == signed(SPOT_SECRET, [("symbol", "BTCUSDT"), ("origClientOrderId", "my-order_1"),
                                                  ("recvWindow", 5000), ("timestamp", TS)])
    usdm.cancel_order(b"BTCUSDT", 0, b"algo-1", TS, 5000, algo=True)
    assert usdm.request() == signed(USDM_SECRET, [("symbol", "BTCUSDT"), ("clientAlgoId", "algo-1"),
                                                  ("recvWindow", 5000), ("timestamp", TS)])
    assert (usdm.method, usdm.path) == (b"DELETE", b"/fapi/v1/algoOrder")
    usdm.cancel_order(b"BTCUSDT", 9_000_000_001, b"", TS, 5000)
    assert usdm.path == b"/fapi/v1/order"
    assert b"&orderId=9000000001&" in usdm.request()


def test_usdm_modify(usdm, spot):
    usdm.modify_order(b"BTCUSDT", Side.BUY, 42, None, raw("0.5"), raw("49999.9"), TS, 5000)
    assert usdm.request() == signed(USDM_SECRET, [("symbol", "BTCUSDT"), ("orderId", 42), ("side", "BUY"),
                                                  ("quantity", "0.5"), ("price", "49999.9"), ("recvWindow", 5000),
                                                  ("timestamp", TS)])
    assert (usdm.method, usdm.path) == (b"PUT", b"/fapi/v1/order")
    with pytest.raises(EncodeError, match="USD-M only"):
        spot.modify_order(b"BTCUSDT", Side.BUY, 42, None, raw("0.5"), raw("1"), TS, 5000)


@pytest.mark.parametrize("order_type, tif, price, params", [
    (OrderType.LIMIT, TimeInForce.GTC, "48100.5", [("timeInForce", "GTC"), ("quantity", "0.015"),
                                                   ("price", "48100.5")]),
    (OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY, "48100", [("quantity", "0.015"), ("price", "48100")]),
])
def test_spot_cancel_replace(spot, usdm, order_type, tif, price, params):
    """``POST /api/v3/order/cancelReplace`` (STOP_ON_FAILURE): the old order by its client id, the new one with
    its own, answered FULL; compared with the same parameters signed with urllib/hmac."""
    spot.cancel_replace(b"BTCUSDT", Side.SELL, order_type, tif, raw("0.015"), raw(price), 0, b"bot-old_1",
                        b"bot-new_2", TS, 5000)
    type_name = "LIMIT" if order_type == OrderType.LIMIT else "LIMIT_MAKER"
    assert spot.request() == signed(SPOT_SECRET, [
        ("symbol", "BTCUSDT"), ("side", "SELL"), ("type", type_name), ("cancelReplaceMode", "STOP_ON_FAILURE"),
        *params, ("cancelOrigClientOrderId", "bot-old_1"), ("newClientOrderId", "bot-new_2"),
        ("newOrderRespType", "FULL"), ("recvWindow", 5000), ("timestamp", TS)])
    assert (spot.method, spot.path) == (b"POST", b"/api/v3/order/cancelReplace")
    with pytest.raises(EncodeError):
        usdm.cancel_replace(b"BTCUSDT", Side.SELL, order_type, tif, raw("0.015"), raw(price), 0, b"a", b"b", TS, 5000)
    for old, new in [(b"", b"bot-new"), (b"bot-old", b""), (b"bad id!", b"bot-new"), (b"bot-old", b"x" * 37)]:
        with pytest.raises(EncodeError):
            spot.cancel_replace(b"BTCUSDT", Side.SELL, order_type, tif, raw("0.015"), raw(price), 0, old, new, TS, 5000)
        assert spot.length == 0


def test_spot_amend_keep_priority(spot, usdm):
    """``PUT /api/v3/order/amend/keepPriority``: the order by its client id, the same id as the new one (the
    venue would draw a random one otherwise), its whole new quantity; compared with urllib/hmac."""
    spot.amend_keep_priority(b"BTCUSDT", b"bot-keep_1", raw("0.005"), TS, 5000)
    assert spot.request() == signed(SPOT_SECRET, [
        ("symbol", "BTCUSDT"), ("origClientOrderId", "bot-keep_1"), ("newClientOrderId", "bot-keep_1"),
        ("newQty", "0.005"), ("recvWindow", 5000), ("timestamp", TS)])
    assert (spot.method, spot.path) == (b"PUT", b"/api/v3/order/amend/keepPriority")
    with pytest.raises(EncodeError):
        usdm.amend_keep_priority(b"BTCUSDT", b"bot-keep_1", raw("0.005"), TS, 5000)
    for cid, qty in [(b"", raw("0.005")), (b"bad id!", raw("0.005")), (b"x" * 37, raw("0.005")), (b"bot", 0),
                     (b"bot", -5)]:
        with pytest.raises(EncodeError):
            spot.amend_keep_priority(b"BTCUSDT", cid, qty, TS, 5000)
        assert spot.length == 0


@pytest.mark.parametrize("qty", [1, 10**8, 123456789, 10**17, 99999999999999999])
def test_numbers_are_trimmed_decimals_never_exponents(spot, qty):
    spot.new_order(b"BTCUSDT", Side.BUY, OrderType.MARKET, TimeInForce.TIF_NONE, qty, 0, 0, None, TS, 5000)
    value = spot.request().split(b"quantity=")[1].split(b"&")[0].decode()
    assert value == dec(qty) and "e" not in value.lower()


BAD = [
    ({"side": 3}, "side"),
    ({"order_type": 99}, "order type"),
    ({"order_type": OrderType.TRAILING_STOP}, "order type"),        # spot has no trailing type
    ({"order_type": OrderType.CONDITIONAL}, "order type"),
    ({"tif": TimeInForce.TIF_NONE}, "time in force"),                # limit needs one
    ({"tif": 17}, "time in force"),
    ({"qty_raw": 0}, "quantity"),
    ({"qty_raw": -5}, "quantity"),
    ({"price_raw": 0}, "price must be > 0"),
    ({"order_type": OrderType.MARKET, "tif": TimeInForce.TIF_NONE}, "price must be 0"),
    ({"stop_raw": 5}, "must be 0"),
    ({"order_type": OrderType.STOP_LOSS_LIMIT}, "stop/trigger price must be > 0"),
    ({"client_id": b"x" * 37}, "client order id"),
    ({"client_id": b"has space"}, "client order id"),
    ({"client_id": b"a:b"}, "client order id"),                      # ':' is futures-only
    ({"client_id": "é"}, "client order id"),
    ({"symbol": b""}, "symbol"),
    ({"symbol": b"BTC&USDT"}, "symbol"),
    ({"symbol": b"B" * 33}, "symbol"),
    ({"timestamp_ms": 0}, "timestamp"),
    ({"recv_window_ms": 60001}, "recv window"),
    ({"recv_window_ms": 0}, "recv window"),
]


@pytest.mark.parametrize("change,message", BAD, ids=[m + str(c) for c, m in BAD])
def test_bad_input_raises_before_anything_is_produced(spot, change, message):
    spot.new_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, 0, None, TS, 5000)
    args = dict(symbol=b"BTCUSDT", side=Side.BUY, order_type=OrderType.LIMIT, tif=TimeInForce.GTC, qty_raw=E8,
                price_raw=E8, stop_raw=0, client_id=b"ok", timestamp_ms=TS, recv_window_ms=5000)
    args.update(change)
    with pytest.raises(EncodeError, match=message) as exc:
        spot.new_order(*args.values())
    assert isinstance(exc.value, ValueError) and exc.value.code < 0
    assert spot.length == 0


def test_futures_only_checks(usdm, spot):
    with pytest.raises(EncodeError, match="position"):
        spot.new_order(b"BTCUSDT", Side.BUY, OrderType.MARKET, 0, E8, 0, 0, None, TS, 5000, reduce_only=True)
    with pytest.raises(EncodeError, match="position"):
        usdm.new_order(b"BTCUSDT", Side.BUY, OrderType.MARKET, 0, E8, 0, 0, None, TS, 5000,
                       position_side=PositionSide.SHORT, reduce_only=True)
    with pytest.raises(EncodeError, match="callback"):
        usdm.new_order(b"BTCUSDT", Side.BUY, OrderType.TRAILING_STOP, 0, E8, 0, 0, None, TS, 5000)
    with pytest.raises(EncodeError, match="exactly one"):
        usdm.cancel_order(b"BTCUSDT", 5, b"cid", TS, 5000)
    with pytest.raises(EncodeError, match="exactly one"):
        usdm.cancel_order(b"BTCUSDT", 0, None, TS, 5000)
    with pytest.raises(TypeError):
        usdm.cancel_order(12, 5, None, TS, 5000)


def test_overflow_is_an_error_not_a_truncated_request():
    enc = BinanceOrderEncoder(RequestSigner("k"), capacity=256)
    enc.new_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, 0, b"x" * 36, TS, 5000)
    # 30 non-ASCII bytes become 90 bytes of %XX: with a long client id the request cannot fit in 256.
    with pytest.raises(EncodeError, match="buffer"):
        enc.new_order("１２３４５６７８９０", Side.BUY, OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC,
                      E8 * 10**9 + 12345678, E8 * 10**9 + 12345678, E8 * 10**9 + 12345678, b"x" * 36, TS, 5000)
    with pytest.raises(ValueError):
        BinanceOrderEncoder(RequestSigner("k"), capacity=10)


def test_buffer_is_read_only_view_and_repr_has_no_secret(spot):
    with pytest.raises(TypeError):
        spot.buffer[0] = 1
    assert SPOT_SECRET not in repr(spot)


def test_encoding_allocates_nothing(spot):
    sym, cid = b"BTCUSDT", b"bot-1-000042"
    side, typ, tif = int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC)
    qty, price = raw("0.015"), raw("65000.5")

    def c_level():
        repeat_new_order(spot, sym, side, typ, tif, qty, price, cid, TS, 10)

    def cancel():
        spot.cancel_order(sym, 0, cid, TS, 5000)

    # A request longer than 256 bytes returns a fresh int from Python, so the hot path is
    # checked through the C loop; a cancel (160 bytes, a cached small int) directly.
    assert python_allocations_per_call_bytes(c_level) == 0
    baseline = allocated_blocks_delta(_noop)
    assert allocated_blocks_delta(c_level) == baseline
    assert allocated_blocks_delta(lambda: spot.new_order(sym, side, typ, tif, qty, price, 0, cid, TS, 5000)) == baseline
    assert spot.cancel_order(sym, 0, cid, TS, 5000) <= 256
    assert python_allocations_per_call_bytes(cancel) == 0
    assert allocated_blocks_delta(cancel) == baseline
    # The C loop really produced the request.
    spot.new_order(sym, side, typ, tif, qty, price, 0, cid, TS + 9, 5000)
    expected = spot.request()
    repeat_new_order(spot, sym, side, typ, tif, qty, price, cid, TS, 10)
    assert spot.request() == expected


def _noop():
    return None


def test_whole_requests_are_the_frame_around_the_signed_query(spot):
    """``*_request`` return head + the signed query + tail in one bytes object, the query identical to
    the buffer's; bad input raises before any frame is made; nothing is kept per call."""
    from engine._codec_binance import ENDPOINTS
    from engine._codec_errors import EncodeError
    heads = [b"%s %s?" % ENDPOINTS[ep] if ENDPOINTS[ep][0] else None for ep in range(len(ENDPOINTS))]
    tail = b" HTTP/1.1\r\nHost: h\r\nX-MBX-APIKEY: k\r\nContent-Length: 0\r\n\r\n"
    sym, cid = b"BTCUSDT", b"bot-1-000042"
    side, typ, tif = int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC)
    qty, price = raw("0.015"), raw("65000.5")
    with pytest.raises(ValueError, match="set_frame"):
        spot.new_order_request(sym, side, typ, tif, qty, price, 0, cid, TS, 5000, 0, False, 0)
    spot.set_frame(heads, tail)
    req = spot.new_order_request(sym, side, typ, tif, qty, price, 0, cid, TS, 5000, 0, False, 0)
    spot.new_order(sym, side, typ, tif, qty, price, 0, cid, TS, 5000)
    assert req == b"POST /api/v3/order?" + spot.request() + tail
    assert spot.cancel_request(sym, 0, cid, TS, 5000, False) == (
        b"DELETE /api/v3/order?" + spot.request() + tail)
    with pytest.raises(EncodeError):
        spot.new_order_request(sym, side, typ, tif, 0, price, 0, cid, TS, 5000, 0, False, 0)
    assert spot.length == 0
    with pytest.raises(TypeError):
        spot.set_frame(["POST"], tail)
    baseline = allocated_blocks_delta(_noop)
    assert allocated_blocks_delta(
        lambda: spot.new_order_request(sym, side, typ, tif, qty, price, 0, cid, TS, 5000, 0, False, 0)) == baseline
    from engine._order_spec import OrderSpec
    spec = OrderSpec(3, "BTCUSDT", "ignored", side, typ, tif, qty, price)
    assert spot.spec_request(spec, cid, TS, 5000) == req                 # the engine's writer: the same bytes
    assert allocated_blocks_delta(lambda: spot.spec_request(spec, cid, TS, 5000)) == baseline
    with pytest.raises(EncodeError):
        spot.spec_request(OrderSpec(3, "BTCUSDT", "ignored", side, typ, tif, 0, price), cid, TS, 5000)
    assert spot.cancel_replace_request(sym, side, typ, tif, qty, price, 0, b"bot-1-000041", cid, TS, 5000) == (
        b"POST /api/v3/order/cancelReplace?" + spot.request() + tail)
