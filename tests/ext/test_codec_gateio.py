"""engine._codec_gateio: bodies compared with json.dumps references, targets with urllib,
signatures with hashlib/hmac, the official APIv4 vectors, input validation, allocations."""

import hashlib
import hmac
import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes
from engine._codec_errors import EncodeError
from engine._codec_gateio import ENDPOINTS, GateOrderEncoder, repeat_new_order
from engine._enums import OrderType, Side, TimeInForce
from engine._signer import RequestSigner

SECRET, KEY = "gate-secret-0123456789", "gate-key-abcdef"
E8 = 100_000_000
TS = 1700000000          # seconds


def raw(text):
    return int(Decimal(text) * E8)


def dec(raw_value):
    return format((Decimal(raw_value) / E8).normalize(), "f")


def ref_sign(method, path, query, body, ts, secret=SECRET):
    """Gate APIv4: hex HMAC-SHA512 of METHOD\\npath\\nquery\\nhex(SHA512(body))\\ntimestamp."""
    msg = "\n".join([method, path, query, hashlib.sha512(body).hexdigest(), str(ts)])
    return hmac.new(secret.encode(), msg.encode(), hashlib.sha512).hexdigest().encode()


def ref_order(fields, ts=TS):
    body = json.dumps(fields, separators=(",", ":")).encode()
    path = "/api/v4/spot/orders"
    return b"POST", path.encode(), body, ref_sign("POST", path, "", body, ts)


def ref_by_id(method, ref, pair, fields=None, ts=TS, account=None):
    path = f"/api/v4/spot/orders/{ref}"
    params = [("currency_pair", pair)] + ([("account", account)] if account else [])
    query = urlencode(params)
    body = json.dumps(fields, separators=(",", ":")).encode() if fields is not None else b""
    return method.encode(), f"{path}?{query}".encode(), body, ref_sign(method, path, query, body, ts)


@pytest.fixture
def enc():
    return GateOrderEncoder(RequestSigner(SECRET), KEY)


# ---- the official vectors (key "key", secret "secret") -------------------------------------------

def test_official_get_vector_through_sign_request():
    enc = GateOrderEncoder(RequestSigner("secret"), "key")
    n = enc.sign_request("GET", "/api/v4/futures/orders", "contract=BTC_USD&status=finished&limit=50", "",
                         1541993715)
    assert n == 0 == enc.length
    assert bytes(enc.signature) == (b"55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6"
                                    b"fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a")
    assert enc.headers() == {"KEY": "key", "Timestamp": "1541993715", "SIGN": bytes(enc.signature).decode()}
    assert enc.target == b"/api/v4/futures/orders?contract=BTC_USD&status=finished&limit=50"
    assert (enc.method, enc.path, enc.query) == (b"GET", b"/api/v4/futures/orders",
                                                 b"contract=BTC_USD&status=finished&limit=50")
    assert enc.endpoint == 4 and enc.timestamp == 1541993715


def test_official_body_hash_and_post_vectors():
    body = b'{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}'
    assert hashlib.sha512(b"").hexdigest().startswith("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce")
    assert hashlib.sha512(body).hexdigest() == (
        "ad3c169203dc3026558f01b4df307641fa1fa361f086b2306658886d5708767b"
        "1854797c68d9e62fef2f991645aa82673622ebf417e091d0bd22bafe5d956cca")
    enc = GateOrderEncoder(RequestSigner("secret"), b"key")
    n = enc.sign_request(b"POST", b"/api/v4/futures/orders", None, body, 1541993715)
    assert n == len(body) and bytes(enc.buffer[:n]) == body
    assert enc.request() == (b"POST", b"/api/v4/futures/orders", body,
                             b"eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541f"
                             b"c4c2c14017581b4199a1418d54471c269c03a38d788d802e2c306c37636389f0")
    assert enc.query == b"" and enc.timestamp_header == b"1541993715"


# ---- new orders ------------------------------------------------------------------------------------

CASES = [
    # order type, tif, side, qty, quote qty, price, expected fields after side
    (OrderType.LIMIT, TimeInForce.GTC, Side.BUY, "0.001", "0", "65000",
     {"type": "limit", "amount": "0.001", "price": "65000", "time_in_force": "gtc"}),
    (OrderType.LIMIT, TimeInForce.GTC, Side.SELL, "12.5", "0", "0.00000123",
     {"type": "limit", "amount": "12.5", "price": "0.00000123", "time_in_force": "gtc"}),
    (OrderType.LIMIT, TimeInForce.IOC, Side.BUY, "1", "0", "2", {"type": "limit", "amount": "1", "price": "2",
                                                                 "time_in_force": "ioc"}),
    (OrderType.LIMIT, TimeInForce.FOK, Side.SELL, "1", "0", "2", {"type": "limit", "amount": "1", "price": "2",
                                                                  "time_in_force": "fok"}),
    (OrderType.LIMIT, TimeInForce.POST_ONLY, Side.BUY, "1", "0", "2", {"type": "limit", "amount": "1", "price": "2",
                                                                       "time_in_force": "poc"}),
    (OrderType.LIMIT_MAKER, TimeInForce.TIF_NONE, Side.SELL, "3", "0", "4.5",
     {"type": "limit", "amount": "3", "price": "4.5", "time_in_force": "poc"}),
    (OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY, Side.BUY, "3", "0", "4.5",
     {"type": "limit", "amount": "3", "price": "4.5", "time_in_force": "poc"}),
    # market buy: amount is the quote to spend; market sell: base amount; ioc unless fok
    (OrderType.MARKET, TimeInForce.TIF_NONE, Side.BUY, "0", "100.25", "0",
     {"type": "market", "amount": "100.25", "time_in_force": "ioc"}),
    (OrderType.MARKET, TimeInForce.IOC, Side.BUY, "0", "100", "0",
     {"type": "market", "amount": "100", "time_in_force": "ioc"}),
    (OrderType.MARKET, TimeInForce.FOK, Side.BUY, "0", "100", "0",
     {"type": "market", "amount": "100", "time_in_force": "fok"}),
    (OrderType.MARKET, TimeInForce.TIF_NONE, Side.SELL, "0.5", "0", "0",
     {"type": "market", "amount": "0.5", "time_in_force": "ioc"}),
    (OrderType.MARKET, TimeInForce.FOK, Side.SELL, "0.5", "0", "0",
     {"type": "market", "amount": "0.5", "time_in_force": "fok"}),
]


@pytest.mark.parametrize("order_type,tif,side,qty,quote,price,fields", CASES, ids=lambda v: str(v))
def test_every_order_type(enc, order_type, tif, side, qty, quote, price, fields):
    n = enc.new_order(b"BTC_USDT", side, order_type, tif, raw(qty), raw(price), b"t-bot_1.a-b", TS,
                      quote_qty_raw=raw(quote))
    expected_fields = {"text": "t-bot_1.a-b", "currency_pair": "BTC_USDT", "type": fields["type"],
                       "account": "spot", "side": side.name.lower(),
                       **{k: v for k, v in fields.items() if k != "type"}}
    expected = ref_order(expected_fields)
    assert enc.request() == expected
    assert n == len(expected[2]) == enc.length
    assert (enc.target, enc.path, enc.query, enc.endpoint) == (b"/api/v4/spot/orders", b"/api/v4/spot/orders", b"", 1)
    assert enc.headers() == {"KEY": KEY, "Timestamp": str(TS), "SIGN": expected[3].decode()}
    assert ENDPOINTS[enc.endpoint][0] == enc.method


def test_text_is_optional_and_account_is_configurable():
    enc = GateOrderEncoder(RequestSigner(SECRET), KEY.encode(), account="unified")
    enc.new_order("ETH_USDT", Side.SELL, OrderType.LIMIT, TimeInForce.GTC, raw("2"), raw("3000"), None, TS)
    assert enc.request() == ref_order({"currency_pair": "ETH_USDT", "type": "limit", "account": "unified",
                                       "side": "sell", "amount": "2", "price": "3000", "time_in_force": "gtc"})
    enc.cancel_order("ETH_USDT", "987654321", None, TS)
    assert enc.request() == ref_by_id("DELETE", "987654321", "ETH_USDT", account="unified")
    with pytest.raises(ValueError):
        GateOrderEncoder(RequestSigner(SECRET), KEY, account="futures")
    with pytest.raises(TypeError):
        GateOrderEncoder(RequestSigner(SECRET), b"")


def test_cancel_by_order_id_and_by_text(enc):
    assert enc.cancel_order(b"BTC_USDT", b"12345678901", None, TS) == 0
    assert enc.request() == ref_by_id("DELETE", "12345678901", "BTC_USDT")
    assert (enc.path, enc.query) == (b"/api/v4/spot/orders/12345678901", b"currency_pair=BTC_USDT")
    assert enc.endpoint == 2 and enc.length == 0
    enc.cancel_order("BTC_USDT", "", "t-my.order_1", TS + 5)
    assert enc.request() == ref_by_id("DELETE", "t-my.order_1", "BTC_USDT", ts=TS + 5)
    assert enc.timestamp_header == str(TS + 5).encode()


def test_amend_amount_and_or_price(enc):
    enc.amend_order(b"BTC_USDT", b"42", None, 0, raw("64999.5"), TS)
    assert enc.request() == ref_by_id("PATCH", "42", "BTC_USDT", {"price": "64999.5"})
    assert enc.endpoint == 3
    enc.amend_order(b"BTC_USDT", None, b"t-abc", raw("0.25"), 0, TS)
    assert enc.request() == ref_by_id("PATCH", "t-abc", "BTC_USDT", {"amount": "0.25"})
    n = enc.amend_order("BTC_USDT", "42", "", raw("0.25"), raw("1"), TS)
    assert enc.request() == ref_by_id("PATCH", "42", "BTC_USDT", {"amount": "0.25", "price": "1"})
    assert n == len(b'{"amount":"0.25","price":"1"}')


@pytest.mark.parametrize("qty", [1, 10**8, 123456789, 10**17, 2**63 - 1])
def test_numbers_are_trimmed_decimals_never_exponents(enc, qty):
    enc.new_order(b"BTC_USDT", Side.SELL, OrderType.MARKET, TimeInForce.TIF_NONE, qty, 0, None, TS)
    body = json.loads(enc.request()[2])
    assert body["amount"] == dec(qty) and "e" not in body["amount"].lower()


# ---- bad input -------------------------------------------------------------------------------------

BAD = [
    ({"side": 0}, "side"),
    ({"side": 3}, "side"),
    ({"order_type": 99}, "order type"),
    ({"order_type": OrderType.STOP_LOSS_LIMIT}, "order type"),
    ({"order_type": OrderType.TAKE_PROFIT}, "order type"),
    ({"order_type": OrderType.TRAILING_STOP}, "order type"),
    ({"tif": TimeInForce.TIF_NONE}, "time in force"),                 # LIMIT needs one
    ({"tif": 9}, "time in force"),
    ({"order_type": OrderType.LIMIT_MAKER, "tif": TimeInForce.GTC}, "time in force"),
    ({"order_type": OrderType.MARKET, "tif": TimeInForce.GTC, "price_raw": 0}, "time in force"),
    ({"order_type": OrderType.MARKET, "tif": TimeInForce.POST_ONLY, "price_raw": 0}, "time in force"),
    ({"qty_raw": 0}, "quantity"),
    ({"qty_raw": -1}, "quantity"),
    ({"price_raw": 0}, "price must be > 0"),
    ({"price_raw": -1}, "price must be > 0"),
    ({"quote_qty_raw": E8}, "quote quantity"),
    ({"order_type": OrderType.MARKET, "tif": 0}, "price must be 0"),
    ({"order_type": OrderType.MARKET, "tif": 0, "price_raw": 0}, "market BUY spends quote_qty_raw"),
    ({"order_type": OrderType.MARKET, "tif": 0, "price_raw": 0, "qty_raw": 0}, "quote quantity"),
    ({"order_type": OrderType.MARKET, "tif": 0, "price_raw": 0, "side": Side.SELL, "quote_qty_raw": E8},
     "quote quantity"),
    ({"order_type": OrderType.MARKET, "tif": 0, "price_raw": 0, "side": Side.SELL, "qty_raw": 0},
     "quantity must be > 0"),
    ({"client_id": b"abc"}, "client order id"),                       # no t- prefix
    ({"client_id": b"t-"}, "client order id"),                        # nothing after it
    ({"client_id": b"t-" + b"x" * 29}, "client order id"),            # 28 bytes max after t-
    ({"client_id": b"t-a b"}, "client order id"),
    ({"client_id": b't-a"b'}, "client order id"),
    ({"client_id": b"t-a/b"}, "client order id"),
    ({"client_id": "t-é"}, "client order id"),
    ({"currency_pair": b""}, "symbol"),
    ({"currency_pair": b"BTC-USDT"}, "symbol"),
    ({"currency_pair": b'BTC"USDT'}, "symbol"),
    ({"currency_pair": b"B" * 33}, "symbol"),
    ({"timestamp_s": 0}, "timestamp"),
    ({"timestamp_s": 1700000000123}, "timestamp"),                   # milliseconds by mistake
]


@pytest.mark.parametrize("change,message", BAD, ids=[m + str(c) for c, m in BAD])
def test_bad_input_raises_before_anything_is_produced(enc, change, message):
    enc.new_order(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, None, TS)
    assert enc.length > 0
    args = dict(currency_pair=b"BTC_USDT", side=Side.BUY, order_type=OrderType.LIMIT, tif=TimeInForce.GTC,
                qty_raw=E8, price_raw=E8, client_id=b"t-ok", timestamp_s=TS, quote_qty_raw=0)
    args.update(change)
    quote = args.pop("quote_qty_raw")
    with pytest.raises(EncodeError, match=message) as exc:
        enc.new_order(*args.values(), quote_qty_raw=quote)
    assert isinstance(exc.value, ValueError) and exc.value.code < 0
    assert enc.length == 0 and enc.target_length == 0 and enc.target == b""


def test_text_of_exactly_28_bytes_is_accepted(enc):
    text = b"t-" + b"A1_.-" * 5 + b"xyz"
    assert len(text) == 30
    enc.new_order(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, text, TS)
    assert json.loads(enc.request()[2])["text"] == text.decode()


@pytest.mark.parametrize("call,message", [
    (lambda e: e.cancel_order(b"BTC_USDT", b"1", b"t-a", TS), "exactly one"),
    (lambda e: e.cancel_order(b"BTC_USDT", None, None, TS), "exactly one"),
    (lambda e: e.cancel_order(b"BTC_USDT", b"12a", None, TS), "exactly one"),          # ids are digits
    (lambda e: e.cancel_order(b"BTC_USDT", b"../x", None, TS), "exactly one"),
    (lambda e: e.cancel_order(b"BTC_USDT", b"1" * 33, None, TS), "exactly one"),
    (lambda e: e.cancel_order(b"BTC_USDT", None, b"abc", TS), "client order id"),
    (lambda e: e.cancel_order(b"BTC/USDT", b"1", None, TS), "symbol"),
    (lambda e: e.cancel_order(b"BTC_USDT", b"1", None, 1700000000000), "timestamp"),
    (lambda e: e.amend_order(b"BTC_USDT", b"1", None, 0, 0, TS), "change"),
    (lambda e: e.amend_order(b"BTC_USDT", b"1", None, -1, 5, TS), "quantity"),
    (lambda e: e.amend_order(b"BTC_USDT", b"1", None, 5, -1, TS), "price"),
    (lambda e: e.amend_order(b"BTC_USDT", b"1", b"t-x", 5, 5, TS), "exactly one"),
    (lambda e: e.sign_request("get", "/api/v4/spot/orders", "", "", TS), "uppercase HTTP method"),
    (lambda e: e.sign_request("", "/api/v4/spot/orders", "", "", TS), "uppercase HTTP method"),
    (lambda e: e.sign_request("GET", "/api/v3/order", "", "", TS), "/api/v4/"),
    (lambda e: e.sign_request("GET", "/api/v4/spot/orders?x=1", "", "", TS), "/api/v4/"),
    (lambda e: e.sign_request("GET", "/api/v4/spot/orders", "a=1 2", "", TS), "/api/v4/"),
    (lambda e: e.sign_request("GET", "/api/v4/spot/orders", "a=1\r\nX: y", "", TS), "/api/v4/"),
    (lambda e: e.sign_request("GET", "/api/v4/spot/orders", "", "", 1700000000000), "timestamp"),
    (lambda e: e.sign_request("GET", "/api/v4/" + "x" * 600, "", "", TS), "buffer"),
])
def test_bad_cancel_amend_and_request_raise(enc, call, message):
    enc.new_order(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, None, TS)
    with pytest.raises(EncodeError, match=message):
        call(enc)
    assert enc.length == 0 and enc.target_length == 0


def test_overflow_is_an_error_not_a_truncated_body():
    # The longest order body (32-byte pair, 30-byte text, 20-character numbers) fits the
    # smallest buffer, so only sign_request can overflow it.
    enc = GateOrderEncoder(RequestSigner(SECRET), KEY, account="cross_margin", capacity=256)
    big = 2**63 - 1
    n = enc.new_order(b"B" * 32, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, big, big, b"t-" + b"x" * 28, TS)
    assert 200 < n <= 256
    with pytest.raises(EncodeError, match="buffer") as exc:
        enc.sign_request("POST", "/api/v4/spot/orders", "", b"x" * 257, TS)
    assert exc.value.code == -11 and enc.length == 0
    assert enc.sign_request("POST", "/api/v4/spot/orders", "", b"x" * 256, TS) == 256
    with pytest.raises(ValueError):
        GateOrderEncoder(RequestSigner(SECRET), KEY, capacity=100)


def test_views_are_read_only_and_repr_has_no_key(enc):
    enc.new_order(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, None, TS)
    with pytest.raises(TypeError):
        enc.buffer[0] = 1
    with pytest.raises(TypeError):
        enc.signature[0] = 1
    assert KEY not in repr(enc) and SECRET not in repr(enc)
    with pytest.raises(TypeError):
        enc.new_order(5, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, None, TS)


# ---- the whole request ------------------------------------------------------------------------------

HEADS = [None, b"POST /gw", b"DELETE /gw", b"PATCH /gw", None]      # a path prefix before /api/v4
TAIL = b" HTTP/1.1\r\nHost: h\r\nKEY: k\r\nTimestamp: "


def ref_request(enc, exptime_ms):
    """The request as the Python assembly of the lean path wrote it before the encoder framed it."""
    n = enc.length
    head = HEADS[enc.endpoint] + enc.target + TAIL
    return head + b"%b\r\nSIGN: %b\r\nX-Gate-Exptime: %d\r\nContent-Length: %d\r\n\r\n%b" % (
        enc.timestamp_header, enc.signature, exptime_ms, n, enc.buffer[:n])


@pytest.mark.parametrize("call", [
    lambda e: e.new_order(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, raw("0.015"), raw("65000.5"),
                          b"t-bot-1-000042", TS),
    lambda e: e.new_order(b"ETH_USDT", Side.BUY, OrderType.MARKET, TimeInForce.IOC, 0, 0, None, TS,
                          quote_qty_raw=raw("25")),
    lambda e: e.cancel_order(b"BTC_USDT", b"123456789", None, TS),
    lambda e: e.amend_order(b"BTC_USDT", None, b"t-a", 0, raw("64999"), TS),
], ids=["create", "market-buy", "cancel", "amend"])
def test_the_framed_request_is_the_request_signed(enc, call):
    enc.set_frame(HEADS, TAIL)
    call(enc)
    got = enc.framed_request(1700000005123)
    assert got == ref_request(enc, 1700000005123)
    head, body = got.split(b"\r\n\r\n")
    assert int(dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])[b"Content-Length"]) == len(body)


def test_the_one_call_requests_are_the_encoded_request_framed(enc):
    # new_order_request / cancel_request: the call, then framed_request with the exptime of ts + recv window
    enc.set_frame(HEADS, TAIL)
    ts_ms, window = TS * 1000 + 789, 5000
    twin = GateOrderEncoder(RequestSigner(SECRET), KEY)
    twin.set_frame(HEADS, TAIL)
    twin.new_order(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, b"t-one", TS)
    assert enc.new_order_request(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, b"t-one", ts_ms,
                                 window) == twin.framed_request(ts_ms + window)
    twin.cancel_order("BTC_USDT", None, "t-one", TS)
    assert enc.cancel_request("BTC_USDT", None, "t-one", ts_ms, window) == twin.framed_request(ts_ms + window)
    with pytest.raises(EncodeError, match="client order id"):
        enc.new_order_request(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8, E8, b"bad", ts_ms, window)
    assert enc.length == 0 and enc.target_length == 0
    with pytest.raises(EncodeError, match="exactly one"):
        enc.cancel_request(b"BTC_USDT", b"1", b"t-one", ts_ms, window)
    with pytest.raises(ValueError, match="exptime_ms"):
        enc.cancel_request(b"BTC_USDT", b"1", None, ts_ms, -ts_ms - 1)


def test_the_framed_request_needs_a_frame_and_a_signed_request():
    enc = GateOrderEncoder(RequestSigner(SECRET), KEY)
    with pytest.raises(ValueError, match="signed request first"):
        enc.framed_request(1)
    enc.cancel_order(b"BTC_USDT", b"1", None, TS)
    with pytest.raises(ValueError, match="set_frame"):
        enc.framed_request(1)
    enc.set_frame(HEADS, TAIL)
    with pytest.raises(ValueError, match="exptime_ms"):
        enc.framed_request(-1)
    enc.sign_request(b"GET", b"/api/v4/spot/accounts", b"", b"", TS)
    with pytest.raises(ValueError, match="no frame for endpoint 4"):
        enc.framed_request(1)
    with pytest.raises(EncodeError):
        enc.cancel_order(b"BTC_USDT", b"x", None, TS)
    with pytest.raises(ValueError, match="signed request first"):       # the failed call left nothing to frame
        enc.framed_request(1)
    unsigned = GateOrderEncoder(RequestSigner(SECRET), KEY, signs=False)
    unsigned.set_frame(HEADS, TAIL)
    unsigned.cancel_order(b"BTC_USDT", b"1", None, TS)
    with pytest.raises(ValueError, match="signed request first"):
        unsigned.framed_request(1)


# ---- the WebSocket order API's frames ----------------------------------------------------------------

def ref_ws_frame(channel, req_id, param, ts_ms, exptime_ms):
    """The request frame of gateio-spot.md §8, as json.dumps writes it."""
    frame = {"time": ts_ms // 1000, "channel": channel, "event": "api",
             "payload": {"req_id": req_id, "req_header": {"x-gate-exptime": str(exptime_ms)}, "req_param": param}}
    return json.dumps(frame, separators=(",", ":")).encode()


@pytest.mark.parametrize("call, channel, param", [
    (lambda e: e.new_order(b"BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, raw("0.015"), raw("65000.5"),
                           b"t-bot-1-000042", TS), "spot.order_place",
     {"text": "t-bot-1-000042", "currency_pair": "BTC_USDT", "type": "limit", "account": "spot", "side": "buy",
      "amount": "0.015", "price": "65000.5", "time_in_force": "gtc"}),
    (lambda e: e.ws_cancel_param(b"BTC_USDT", None, b"t-a.b_c-1"), "spot.order_cancel",
     {"order_id": "t-a.b_c-1", "currency_pair": "BTC_USDT"}),
    (lambda e: e.ws_cancel_param("ETH_USDT", "1852454420", None), "spot.order_cancel",
     {"order_id": "1852454420", "currency_pair": "ETH_USDT"}),
    (lambda e: e.ws_amend_param(b"BTC_USDT", None, b"t-a", 0, raw("64999.9")), "spot.order_amend",
     {"order_id": "t-a", "currency_pair": "BTC_USDT", "price": "64999.9"}),
    (lambda e: e.ws_amend_param(b"BTC_USDT", b"77", None, raw("0.5"), raw("1")), "spot.order_amend",
     {"order_id": "77", "currency_pair": "BTC_USDT", "amount": "0.5", "price": "1"}),
], ids=["place", "cancel-by-text", "cancel-by-id", "amend-price", "amend-both"])
@pytest.mark.parametrize("signs", [False, True])
def test_ws_frames_are_the_sheets_request_frames(call, channel, param, signs):
    enc = GateOrderEncoder(RequestSigner(SECRET), KEY, signs=signs)
    call(enc)
    got = enc.ws_frame(channel.encode(), b"a1b2c3d4-17", 1700000000123, 1700000005123)
    assert got == ref_ws_frame(channel, "a1b2c3d4-17", param, 1700000000123, 1700000005123)
    assert json.loads(got)["payload"]["req_param"] == param


@pytest.mark.parametrize("call, message", [
    (lambda e: e.ws_cancel_param(b"BTC_USDT", b"1", b"t-a"), "order"),            # both references
    (lambda e: e.ws_cancel_param(b"BTC_USDT", None, None), "order"),              # neither
    (lambda e: e.ws_cancel_param(b"BTC_USDT", b"12a", None), "order"),            # an id is digits
    (lambda e: e.ws_cancel_param(b"BTC_USDT", None, b"x-abc"), "client"),         # a text starts with t-
    (lambda e: e.ws_cancel_param(b'BTC"USDT', None, b"t-a"), "symbol"),
    (lambda e: e.ws_amend_param(b"BTC_USDT", None, b"t-a", 0, 0), "quantity or the price"),
    (lambda e: e.ws_amend_param(b"BTC_USDT", None, b"t-a", -1, 0), "qty"),
], ids=["both", "neither", "id-digits", "text-prefix", "pair", "amend-nothing", "amend-negative"])
def test_bad_ws_params_raise_and_leave_nothing_to_frame(enc, call, message):
    enc.ws_cancel_param(b"BTC_USDT", None, b"t-ok")
    with pytest.raises(EncodeError, match=f"(?i){message}"):
        call(enc)
    with pytest.raises(ValueError, match="successful"):
        enc.ws_frame(b"spot.order_cancel", b"r1", 1, 2)


def test_ws_frame_refuses_what_would_need_escaping(enc):
    enc.ws_cancel_param(b"BTC_USDT", None, b"t-ok")
    for channel, req_id in ((b'spot"x', b"r1"), (b"spot.order_cancel", b"r\\1"), (b"", b"r1"),
                            (b"spot.order_cancel", b"r" * 65), (b"spot.order_cancel", "r\u00e9".encode())):
        with pytest.raises(ValueError):
            enc.ws_frame(channel, req_id, 1, 2)
    with pytest.raises(ValueError, match="times"):
        enc.ws_frame(b"spot.order_cancel", b"r1", -1, 2)
    assert enc.framed_request is not None
    enc.set_frame(HEADS, TAIL)
    with pytest.raises(ValueError, match="signed request first"):     # a WebSocket param is no REST request
        enc.framed_request(1)


# ---- allocations -------------------------------------------------------------------------------------

def test_encoding_allocates_nothing(enc):
    pair, text = b"BTC_USDT", b"t-bot-1-000042"
    side, typ, tif = int(Side.BUY), int(OrderType.LIMIT), int(TimeInForce.GTC)
    qty, price = raw("0.015"), raw("65000.5")

    def c_level():
        repeat_new_order(enc, pair, side, typ, tif, qty, price, text, TS, 10)

    def place():
        enc.new_order(pair, side, typ, tif, qty, price, text, TS)

    def cancel():
        enc.cancel_order(pair, b"123456789", None, TS)

    def amend():
        enc.amend_order(pair, None, text, qty, price, TS)

    def ws_cancel():
        enc.ws_cancel_param(pair, None, text)

    def ws_amend():
        enc.ws_amend_param(pair, None, text, qty, price)

    assert python_allocations_per_call_bytes(c_level) == 0
    for fn in (c_level, place, cancel, amend, ws_cancel, ws_amend):
        assert allocated_blocks_delta(fn) == 0
    place()
    assert enc.length <= 256          # a cached small int: the Python call itself must allocate nothing
    for fn in (place, cancel, amend, ws_cancel, ws_amend):
        assert python_allocations_per_call_bytes(fn) == 0
    # The C loop really produced the request.
    enc.new_order(pair, side, typ, tif, qty, price, text, TS + 9)
    expected = enc.request()
    cancel()
    repeat_new_order(enc, pair, side, typ, tif, qty, price, text, TS, 10)
    assert enc.request() == expected
