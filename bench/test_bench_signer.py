"""Signer micro benchmarks, each beside its same-run baseline (stdlib hmac).

Run: .venv/bin/python -m pytest bench/test_bench_signer.py --benchmark-enable --benchmark-only
The Binance query is the documented HMAC example (REST, ASCII): 86 bytes of parameters,
signed as 110 bytes with ``&timestamp=``.
"""

import hashlib
import hmac

import pytest

from engine._signer import RequestSigner, repeat_sign_binance

SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
QUERY = b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
TS = 1499827319559
FULL = QUERY + b"&timestamp=" + str(TS).encode()
EXPECTED = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"


@pytest.mark.benchmark(group="sign-binance-example")
def test_hmac_stdlib_baseline(steady):
    key = SECRET.encode()
    assert steady(lambda: hmac.new(key, FULL, hashlib.sha256).hexdigest()) == EXPECTED


@pytest.mark.benchmark(group="sign-binance-example")
def test_sign_binance(steady):
    s = RequestSigner(SECRET)
    assert steady(s.sign_binance, QUERY, TS) == EXPECTED


@pytest.mark.benchmark(group="sign-binance-example")
def test_sign_binance_into(steady):
    s = RequestSigner(SECRET)
    buf = bytearray(64)
    steady(s.sign_binance_into, QUERY, TS, buf)
    assert buf.decode() == EXPECTED


@pytest.mark.benchmark(group="sign-binance-example")
def test_sign_binance_portable(steady):
    s = RequestSigner(SECRET, portable=True)
    assert steady(s.sign_binance, QUERY, TS) == EXPECTED


@pytest.mark.benchmark(group="sign-binance-c-x100")
def test_sign_binance_c_level_100_calls(steady):
    """100 calls of the C entry point per round (no Python call around each): divide by 100."""
    s = RequestSigner(SECRET)
    buf = bytearray(64)
    steady(repeat_sign_binance, s, QUERY, TS, 100, buf)
    assert buf.decode() == EXPECTED


@pytest.mark.benchmark(group="sign-gateio-post")
def test_gateio_stdlib_baseline(steady):
    body = b'{"currency_pair":"BTC_USDT","type":"limit","side":"buy","amount":"0.001","price":"65000"}'

    def ref():
        h = hashlib.sha512(body).hexdigest()
        msg = f"POST\n/api/v4/spot/orders\n\n{h}\n1700000000".encode()
        return hmac.new(b"secret", msg, hashlib.sha512).hexdigest()

    expected = RequestSigner("secret").sign_gateio("POST", "/api/v4/spot/orders", "", body, 1700000000)
    assert steady(ref) == expected


@pytest.mark.benchmark(group="sign-gateio-post")
def test_sign_gateio(steady):
    body = b'{"currency_pair":"BTC_USDT","type":"limit","side":"buy","amount":"0.001","price":"65000"}'
    s = RequestSigner("secret")
    steady(s.sign_gateio, b"POST", b"/api/v4/spot/orders", b"", body, 1700000000)


# ---- encode + sign a Binance limit order into the encoder's buffer -------------------------

ORDER = (b"BTCUSDT", 1, 2, 1, 1_500_000, 6_500_050_000_000, 0, b"bot-1-000042", 1700000000123, 5000)


@pytest.mark.benchmark(group="binance-limit-order")
def test_binance_limit_order_urlencode_hmac_baseline(steady):
    from urllib.parse import urlencode

    key = SECRET.encode()

    def ref():
        q = urlencode([("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                       ("quantity", "0.015"), ("price", "65000.5"), ("newClientOrderId", "bot-1-000042"),
                       ("recvWindow", 5000), ("timestamp", 1700000000123)])
        return (q + "&signature=" + hmac.new(key, q.encode(), hashlib.sha256).hexdigest()).encode()

    from engine._codec_binance import BinanceOrderEncoder

    enc = BinanceOrderEncoder(RequestSigner(SECRET))
    enc.new_order(*ORDER)
    assert steady(ref) == enc.request()


@pytest.mark.benchmark(group="binance-limit-order")
def test_binance_limit_order_encode_and_sign(steady):
    from engine._codec_binance import BinanceOrderEncoder

    enc = BinanceOrderEncoder(RequestSigner(SECRET))
    n = steady(enc.new_order, *ORDER)
    assert enc.request().endswith(enc.request()[n - 64:]) and n == enc.length


@pytest.mark.benchmark(group="binance-limit-order-c-x100")
def test_binance_limit_order_c_level_100_calls(steady):
    """100 calls of ``new_order_c`` per round without the Python call: divide by 100."""
    from engine._codec_binance import BinanceOrderEncoder, repeat_new_order

    enc = BinanceOrderEncoder(RequestSigner(SECRET))
    steady(repeat_new_order, enc, b"BTCUSDT", 1, 2, 1, 1_500_000, 6_500_050_000_000, b"bot-1-000042",
              1700000000123, 100)


# ---- a Binance WebSocket API order.place frame (sorted signed payload + JSON) -------------------


@pytest.mark.benchmark(group="binance-ws-order-frame")
def test_binance_ws_order_frame_json_hmac_baseline(steady):
    import json

    key = SECRET.encode()

    def ref():
        params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.015",
                  "price": "65000.5", "newClientOrderId": "bot-1-000042", "newOrderRespType": "FULL",
                  "apiKey": API_KEY, "recvWindow": 5000, "timestamp": 1700000000123}
        ordered = {k: params[k] for k in sorted(params)}
        payload = "&".join(f"{k}={v}" for k, v in ordered.items())
        ordered["signature"] = hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
        return json.dumps({"id": 7, "method": "order.place", "params": ordered}, separators=(",", ":")).encode()

    from engine._codec_binance_ws import RESP_FULL, BinanceWsEncoder

    enc = BinanceWsEncoder(RequestSigner(SECRET), API_KEY)
    enc.order_place(7, b"BTCUSDT", 1, 2, 1, 1_500_000, 6_500_050_000_000, 0, b"bot-1-000042", RESP_FULL,
                    1700000000123, 5000)
    assert steady(ref) == enc.frame()


@pytest.mark.benchmark(group="binance-ws-order-frame")
def test_binance_ws_order_frame_encode_and_sign(steady):
    from engine._codec_binance_ws import RESP_FULL, BinanceWsEncoder

    enc = BinanceWsEncoder(RequestSigner(SECRET), API_KEY)
    steady(enc.order_place, 7, b"BTCUSDT", 1, 2, 1, 1_500_000, 6_500_050_000_000, 0, b"bot-1-000042", RESP_FULL,
           1700000000123, 5000)
