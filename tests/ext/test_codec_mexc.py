"""engine._codec_mexc: requests compared with ones built independently with urllib/hmac,
the official signature examples reproduced byte for byte, input validation, allocations."""

import hashlib
import hmac
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._codec_errors import EncodeError
from engine._codec_mexc import ENDPOINTS, MexcOrderEncoder, repeat_new_order
from engine._enums import OrderType, Side, TimeInForce
from engine._signer import RequestSigner

# Official example key pair (MEXC spot V3 docs, "SIGNED Endpoint Examples for POST /api/v3/order").
DOC_SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
SECRET = "mexc-test-secret-0123456789abcdef"
E8 = 100_000_000
TS = 1700000000123


def raw(text):
    return int(Decimal(text) * E8)


def dec(raw_value):
    """Reference formatting: trimmed decimal string, independent of fp_format."""
    return format((Decimal(raw_value) / E8).normalize(), "f")


def signed(params, *, secret=SECRET, query_params=None):
    """The request as MEXC defines it: signature = lowercase hex HMAC-SHA256(query + body).

    ``query_params`` is how many leading params go to the URL query (None: all of them);
    the rest and the signature form the body.  Returns (query, body) as bytes.
    """
    split = len(params) if query_params is None else query_params
    query, body = urlencode(params[:split]), urlencode(params[split:])
    sig = hmac.new(secret.encode(), (query + body).encode(), hashlib.sha256).hexdigest()
    assert sig == sig.lower()
    if query_params is None:
        return (query + "&signature=" + sig).encode(), b""
    return query.encode(), (body + "&signature=" + sig).encode()


@pytest.fixture
def enc():
    return MexcOrderEncoder(RequestSigner(SECRET))


@pytest.fixture
def mixed():
    return MexcOrderEncoder(RequestSigner(SECRET), mixed=True)


# ---- the official examples -----------------------------------------------------------------

DOC_PARAMS = b"symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087"


def test_doc_example_2_all_params_in_the_query():
    enc = MexcOrderEncoder(RequestSigner(DOC_SECRET))
    n = enc.new_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, raw("1"), raw("11"), None,
                      1644489390087, 5000)
    expected = DOC_PARAMS + b"&signature=fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
    assert n == len(expected) == enc.length == enc.query_length
    assert bytes(enc.buffer[:n]) == expected == enc.request() == enc.query()
    assert enc.body() == b""
    assert (enc.method, enc.path) == (b"POST", b"/api/v3/order")


def test_doc_example_3_mixed_query_and_body():
    enc = MexcOrderEncoder(RequestSigner(DOC_SECRET), mixed=True)
    n = enc.new_order("BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, raw("1"), raw("11"), "",
                      1644489390087, 5000)
    assert enc.query() == b"symbol=BTCUSDT&side=BUY&type=LIMIT"
    assert enc.body() == (b"quantity=1&price=11&recvWindow=5000&timestamp=1644489390087"
                          b"&signature=d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592")
    assert n == enc.length == len(enc.query()) + len(enc.body()) and enc.query_length == len(enc.query())
    assert enc.request() == enc.query() + enc.body()


def test_doc_example_1_is_the_misprint_the_fact_sheet_reports():
    # Example 1 prints 323c96ab... for the same payload as example 2; the real HMAC is fd3e4e85...
    assert hmac.new(DOC_SECRET.encode(), DOC_PARAMS, hashlib.sha256).hexdigest().startswith("fd3e4e85")
    enc = MexcOrderEncoder(RequestSigner(DOC_SECRET))
    enc.new_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, 11 * E8, None, 1644489390087, 5000)
    assert b"323c96ab" not in enc.request()


# ---- every order type ----------------------------------------------------------------------

CASES = [
    # order type, tif, side, qty, quote qty, price, expected params between type and newClientOrderId
    (OrderType.MARKET, TimeInForce.TIF_NONE, Side.BUY, "0", "25.5", "0", "MARKET", [("quoteOrderQty", "25.5")]),
    (OrderType.MARKET, TimeInForce.TIF_NONE, Side.SELL, "0.00012", "0", "0", "MARKET", [("quantity", "0.00012")]),
    (OrderType.LIMIT, TimeInForce.GTC, Side.BUY, "2.5", "0", "64999.99", "LIMIT",
     [("quantity", "2.5"), ("price", "64999.99")]),
    (OrderType.LIMIT, TimeInForce.GTC, Side.SELL, "2.5", "0", "64999.99", "LIMIT",
     [("quantity", "2.5"), ("price", "64999.99")]),
    (OrderType.LIMIT, TimeInForce.IOC, Side.BUY, "100", "0", "0.00000001", "IMMEDIATE_OR_CANCEL",
     [("quantity", "100"), ("price", "0.00000001")]),
    (OrderType.LIMIT, TimeInForce.IOC, Side.SELL, "100", "0", "0.00000001", "IMMEDIATE_OR_CANCEL",
     [("quantity", "100"), ("price", "0.00000001")]),
    (OrderType.LIMIT, TimeInForce.FOK, Side.BUY, "1", "0", "10", "FILL_OR_KILL", [("quantity", "1"), ("price", "10")]),
    (OrderType.LIMIT, TimeInForce.FOK, Side.SELL, "1", "0", "10", "FILL_OR_KILL", [("quantity", "1"), ("price", "10")]),
    (OrderType.LIMIT, TimeInForce.POST_ONLY, Side.BUY, "1", "0", "10", "LIMIT_MAKER",
     [("quantity", "1"), ("price", "10")]),
    (OrderType.LIMIT_MAKER, TimeInForce.TIF_NONE, Side.SELL, "1", "0", "10", "LIMIT_MAKER",
     [("quantity", "1"), ("price", "10")]),
    (OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY, Side.BUY, "3", "0", "7.25", "LIMIT_MAKER",
     [("quantity", "3"), ("price", "7.25")]),
]


@pytest.mark.parametrize("order_type,tif,side,qty,quote,price,type_name,params", CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("mode", ["query", "mixed"])
def test_every_order_type(enc, mixed, mode, order_type, tif, side, qty, quote, price, type_name, params):
    e = mixed if mode == "mixed" else enc
    n = e.new_order(b"BTCUSDT", side, order_type, tif, raw(qty), raw(price), b"my-order_1", TS, 60000,
                    quote_qty_raw=raw(quote))
    full = [("symbol", "BTCUSDT"), ("side", side.name), ("type", type_name), *params,
            ("newClientOrderId", "my-order_1"), ("recvWindow", 60000), ("timestamp", TS)]
    query, body = signed(full, query_params=3 if mode == "mixed" else None)
    assert (e.query(), e.body()) == (query, body)
    assert n == len(query) + len(body)
    assert b"timeInForce" not in e.request()
    assert (e.method, e.path) == (b"POST", b"/api/v3/order")


def test_client_id_is_optional(enc):
    enc.new_order("ETHUSDT", Side.SELL, OrderType.MARKET, TimeInForce.TIF_NONE, raw("0.5"), 0, None, TS)
    assert enc.request() == signed([("symbol", "ETHUSDT"), ("side", "SELL"), ("type", "MARKET"),
                                    ("quantity", "0.5"), ("recvWindow", 5000), ("timestamp", TS)])[0]


@pytest.mark.parametrize("mode", ["query", "mixed"])
def test_cancel_by_order_id_and_by_client_id(enc, mixed, mode):
    e = mixed if mode == "mixed" else enc
    split = 1 if mode == "mixed" else None
    e.cancel_order(b"BTCUSDT", b"C02__468615423963070464", None, TS, 5000)
    assert (e.query(), e.body()) == signed([("symbol", "BTCUSDT"), ("orderId", "C02__468615423963070464"),
                                            ("recvWindow", 5000), ("timestamp", TS)], query_params=split)
    assert (e.method, e.path) == (b"DELETE", b"/api/v3/order")
    e.cancel_order("BTCUSDT", "", "my-order_1", TS, 5000)
    assert (e.query(), e.body()) == signed([("symbol", "BTCUSDT"), ("origClientOrderId", "my-order_1"),
                                            ("recvWindow", 5000), ("timestamp", TS)], query_params=split)


def test_endpoints_table():
    assert ENDPOINTS[1] == (b"POST", b"/api/v3/order") and ENDPOINTS[2] == (b"DELETE", b"/api/v3/order")
    assert MexcOrderEncoder(RequestSigner(SECRET)).endpoint == 0


@pytest.mark.parametrize("qty", [1, 10**8, 123456789, 10**17, 99999999999999999, 2**63 - 1])
def test_numbers_are_trimmed_decimals_never_exponents(enc, qty):
    enc.new_order(b"BTCUSDT", Side.SELL, OrderType.MARKET, TimeInForce.TIF_NONE, qty, 0, None, TS, 5000)
    value = enc.request().split(b"quantity=")[1].split(b"&")[0].decode()
    assert value == dec(qty) and "e" not in value.lower()
    enc.new_order(b"BTCUSDT", Side.BUY, OrderType.MARKET, TimeInForce.TIF_NONE, 0, 0, None, TS, 5000,
                  quote_qty_raw=qty)
    value = enc.request().split(b"quoteOrderQty=")[1].split(b"&")[0].decode()
    assert value == dec(qty)


# ---- bad input -------------------------------------------------------------------------------

BAD = [
    ({"side": 3}, "side"),
    ({"side": 0}, "side"),
    ({"order_type": 99}, "order type"),
    ({"order_type": OrderType.STOP_LOSS}, "order type"),
    ({"order_type": OrderType.STOP_LOSS_LIMIT}, "order type"),
    ({"order_type": OrderType.TAKE_PROFIT_LIMIT}, "order type"),
    ({"order_type": OrderType.TRAILING_STOP}, "order type"),
    ({"order_type": OrderType.CONDITIONAL}, "order type"),
    ({"tif": TimeInForce.TIF_NONE}, "time in force"),                      # LIMIT needs one
    ({"tif": 17}, "time in force"),
    ({"order_type": OrderType.LIMIT_MAKER, "tif": TimeInForce.IOC}, "time in force"),
    ({"order_type": OrderType.MARKET, "tif": TimeInForce.IOC, "price_raw": 0}, "time in force"),
    ({"qty_raw": 0}, "quantity"),
    ({"qty_raw": -5}, "quantity"),
    ({"price_raw": 0}, "price must be > 0"),
    ({"price_raw": -1}, "price must be > 0"),
    ({"quote_qty_raw": E8}, "quote quantity"),                              # limit orders take no quote qty
    ({"quote_qty_raw": -1}, "quote quantity"),
    ({"order_type": OrderType.MARKET, "tif": 0}, "price must be 0"),
    ({"order_type": OrderType.MARKET, "tif": 0, "price_raw": 0}, "MARKET BUY spends quote_qty_raw"),
    ({"order_type": OrderType.MARKET, "tif": 0, "price_raw": 0, "qty_raw": 0}, "quote quantity"),
    ({"order_type": OrderType.MARKET, "tif": 0, "price_raw": 0, "side": Side.SELL, "qty_raw": 0,
      "quote_qty_raw": E8}, "quantity must be > 0"),
    ({"order_type": OrderType.MARKET, "tif": 0, "price_raw": 0, "side": Side.SELL, "quote_qty_raw": E8},
     "quote quantity"),
    ({"client_id": b"x" * 33}, "client order id"),
    ({"client_id": b"has space"}, "client order id"),
    ({"client_id": b"a.b"}, "client order id"),
    ({"client_id": b"a&b=c"}, "client order id"),
    ({"client_id": "é"}, "client order id"),
    ({"symbol": b""}, "symbol"),
    ({"symbol": b"BTC&USDT"}, "symbol"),
    ({"symbol": b"BTC_USDT"}, "symbol"),
    ({"symbol": "ＢＴＣ"}, "symbol"),
    ({"symbol": b"B" * 33}, "symbol"),
    ({"timestamp_ms": 0}, "timestamp"),
    ({"timestamp_ms": -1}, "timestamp"),
    ({"recv_window_ms": 60001}, "recv window"),
    ({"recv_window_ms": 0}, "recv window"),
]


@pytest.mark.parametrize("change,message", BAD, ids=[m + str(c) for c, m in BAD])
def test_bad_input_raises_before_anything_is_produced(enc, change, message):
    enc.new_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, None, TS, 5000)
    assert enc.length > 0
    args = dict(symbol=b"BTCUSDT", side=Side.BUY, order_type=OrderType.LIMIT, tif=TimeInForce.GTC, qty_raw=E8,
                price_raw=E8, client_id=b"ok", timestamp_ms=TS, recv_window_ms=5000, quote_qty_raw=0)
    args.update(change)
    quote = args.pop("quote_qty_raw")
    with pytest.raises(EncodeError, match=message) as exc:
        enc.new_order(*args.values(), quote_qty_raw=quote)
    assert isinstance(exc.value, ValueError) and exc.value.code < 0
    assert enc.length == 0 and enc.query_length == 0 and enc.request() == b""


@pytest.mark.parametrize("order_id,client_id,message", [
    (b"123", b"cid", "exactly one"),
    (None, None, "exactly one"),
    (b"", b"", "exactly one"),
    (b"12&3", None, "exactly one"),                # order ids are checked too
    (b"x" * 65, None, "exactly one"),
    (None, b"x" * 33, "client order id"),
])
def test_bad_cancel_raises(enc, order_id, client_id, message):
    with pytest.raises(EncodeError, match=message):
        enc.cancel_order(b"BTCUSDT", order_id, client_id, TS, 5000)
    assert enc.length == 0


def test_wrong_argument_types_raise_type_error(enc):
    with pytest.raises(TypeError):
        enc.new_order(12, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, None, TS, 5000)
    with pytest.raises(TypeError):
        enc.cancel_order(b"BTCUSDT", 12345, None, TS, 5000)


def test_overflow_is_an_error_not_a_truncated_request():
    enc = MexcOrderEncoder(RequestSigner("k"), capacity=256)
    big = 2**63 - 1                                              # 92233720368.54775807: 20 characters
    args = (b"B" * 32, Side.BUY, OrderType.LIMIT, TimeInForce.FOK, big, big, b"x" * 32, TS, 5000)
    with pytest.raises(EncodeError, match="buffer") as exc:
        enc.new_order(*args)
    assert exc.value.code == -11 and enc.length == 0
    roomy = MexcOrderEncoder(RequestSigner("k"), capacity=512)
    assert roomy.new_order(*args) > 256
    with pytest.raises(ValueError):
        MexcOrderEncoder(RequestSigner("k"), capacity=10)


def test_buffer_is_read_only_view_and_repr_has_no_secret(enc):
    with pytest.raises(TypeError):
        enc.buffer[0] = 1
    assert SECRET not in repr(enc)


# ---- allocations -------------------------------------------------------------------------------

def test_encoding_allocates_nothing(enc):
    sym, cid = b"BTCUSDT", b"bot-1-000042"
    side, typ, tif = int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC)
    qty, price = raw("0.015"), raw("65000.5")

    def c_level():
        repeat_new_order(enc, sym, side, typ, tif, qty, price, cid, TS, 10)

    def place():
        enc.new_order(sym, side, typ, tif, qty, price, cid, TS, 5000)

    def cancel():
        enc.cancel_order(sym, None, cid, TS, 5000)

    n = 20_000                   # one object made per call would show at once, one kept would show n times
    assert python_allocations_per_call_bytes(c_level, iterations=n) == 0
    assert allocated_blocks_delta(c_level, iterations=n) == 0
    assert allocated_blocks_delta(place, iterations=n) == 0
    assert allocated_blocks_delta(cancel, iterations=n) == 0
    # Requests under 257 bytes return a cached small int: the Python calls themselves allocate nothing.
    place()
    assert enc.length <= 256
    assert python_allocations_per_call_bytes(place, iterations=n) == 0
    cancel()
    assert enc.length <= 256
    assert python_allocations_per_call_bytes(cancel, iterations=n) == 0
    # The C loop really produced the request.
    enc.new_order(sym, side, typ, tif, qty, price, cid, TS + 9, 5000)
    expected = enc.request()
    enc.cancel_order(sym, None, cid, TS, 5000)
    repeat_new_order(enc, sym, side, typ, tif, qty, price, cid, TS, 10)
    assert enc.request() == expected


def _noop():
    return None


def test_whole_requests_are_the_frame_around_the_signed_query(enc):
    """``*_request`` return head + the signed query + tail in one bytes object, the query identical to the
    buffer's; bad input raises before any frame is made; nothing is kept per call."""
    heads = [b"%s %s?" % ENDPOINTS[ep] if ENDPOINTS[ep][0] else None for ep in range(len(ENDPOINTS))]
    tail = b" HTTP/1.1\r\nHost: h\r\nX-MEXC-APIKEY: k\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n"
    sym, cid = b"BTCUSDT", b"bot-1-000042"
    side, typ, tif = int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC)
    qty, price = raw("0.015"), raw("65000.5")
    with pytest.raises(ValueError, match="set_frame"):
        enc.new_order_request(sym, side, typ, tif, qty, price, cid, TS, 5000, 0)
    enc.set_frame(heads, tail)
    req = enc.new_order_request(sym, side, typ, tif, qty, price, cid, TS, 5000, 0)
    enc.new_order(sym, side, typ, tif, qty, price, cid, TS, 5000)
    assert req == b"POST /api/v3/order?" + enc.query() + tail
    assert enc.cancel_request(sym, None, cid, TS, 5000) == b"DELETE /api/v3/order?" + enc.query() + tail
    with pytest.raises(EncodeError):
        enc.new_order_request(sym, side, typ, tif, 0, price, cid, TS, 5000, 0)
    assert enc.length == 0
    baseline = allocated_blocks_delta(_noop)
    assert allocated_blocks_delta(lambda: enc.new_order_request(sym, side, typ, tif, qty, price, cid, TS, 5000,
                                                                0)) == baseline
