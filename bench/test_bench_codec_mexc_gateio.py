"""Encode + sign a limit order for MEXC spot and Gate.io spot, each beside its same-run
pure-Python baseline (urlencode / json.dumps + stdlib hmac/hashlib building the identical bytes).

Run: .venv/bin/python -m pytest bench/test_bench_codec_mexc_gateio.py --benchmark-enable --benchmark-only
The ``-c-x100`` groups time 100 calls of the C entry point per round (no Python call around
each): divide by 100.
"""

import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from engine._codec_gateio import GateOrderEncoder
from engine._codec_gateio import repeat_new_order as gate_repeat
from engine._codec_mexc import MexcOrderEncoder
from engine._codec_mexc import repeat_new_order as mexc_repeat
from engine._signer import RequestSigner

MEXC_SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
GATE_SECRET, GATE_KEY = "gate-secret-0123456789abcdef", "gate-key"

# BUY LIMIT GTC 0.015 @ 65000.5 with a client id (raw fixed-point, 8 decimals).
MEXC_ORDER = (b"BTCUSDT", 1, 2, 1, 1_500_000, 6_500_050_000_000, b"bot-1-000042", 1700000000123, 5000)
GATE_ORDER = (b"BTC_USDT", 1, 2, 1, 1_500_000, 6_500_050_000_000, b"t-bot-1-000042", 1700000000)


# ---- MEXC: signed query string -------------------------------------------------------------------

@pytest.mark.benchmark(group="mexc-limit-order")
def test_mexc_limit_order_urlencode_hmac_baseline(steady):
    key = MEXC_SECRET.encode()

    def ref():
        q = urlencode([("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("quantity", "0.015"),
                       ("price", "65000.5"), ("newClientOrderId", "bot-1-000042"), ("recvWindow", 5000),
                       ("timestamp", 1700000000123)])
        return (q + "&signature=" + hmac.new(key, q.encode(), hashlib.sha256).hexdigest()).encode()

    enc = MexcOrderEncoder(RequestSigner(MEXC_SECRET))
    enc.new_order(*MEXC_ORDER)
    assert steady(ref) == enc.request()


@pytest.mark.benchmark(group="mexc-limit-order")
def test_mexc_limit_order_encode_and_sign(steady):
    enc = MexcOrderEncoder(RequestSigner(MEXC_SECRET))
    n = steady(enc.new_order, *MEXC_ORDER)
    assert n == enc.length and enc.request().startswith(b"symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.015&")


@pytest.mark.benchmark(group="mexc-limit-order-c-x100")
def test_mexc_limit_order_c_level_100_calls(steady):
    enc = MexcOrderEncoder(RequestSigner(MEXC_SECRET))
    steady(mexc_repeat, enc, *MEXC_ORDER[:8], 100)
    assert enc.length > 0


# ---- Gate.io: JSON body + SIGN ---------------------------------------------------------------------

@pytest.mark.benchmark(group="gate-limit-order")
def test_gate_limit_order_json_hmac_baseline(steady):
    key = GATE_SECRET.encode()

    def ref():
        body = json.dumps({"text": "t-bot-1-000042", "currency_pair": "BTC_USDT", "type": "limit",
                           "account": "spot", "side": "buy", "amount": "0.015", "price": "65000.5",
                           "time_in_force": "gtc"}, separators=(",", ":")).encode()
        ts = 1700000000
        msg = f"POST\n/api/v4/spot/orders\n\n{hashlib.sha512(body).hexdigest()}\n{ts}".encode()
        return body, hmac.new(key, msg, hashlib.sha512).hexdigest().encode(), str(ts).encode()

    enc = GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY)
    enc.new_order(*GATE_ORDER)
    _, _, body, sign = enc.request()
    assert steady(ref) == (body, sign, enc.timestamp_header)


@pytest.mark.benchmark(group="gate-limit-order")
def test_gate_limit_order_encode_and_sign(steady):
    enc = GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY)
    n = steady(enc.new_order, *GATE_ORDER)
    assert n == enc.length and enc.request()[2].startswith(b'{"text":"t-bot-1-000042","currency_pair":"BTC_USDT"')


@pytest.mark.benchmark(group="gate-limit-order-c-x100")
def test_gate_limit_order_c_level_100_calls(steady):
    enc = GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY)
    steady(gate_repeat, enc, *GATE_ORDER, 100)
    assert enc.length > 0


# ---- Gate.io: the REST lean path's whole requests and the order API's frames -------------------------
# What the order paths call per order, REST and WebSocket: the shared parts (order reference checks,
# amount/price fields, framing) are written once in ext/codec_gateio.pyx; A/B them here, same run.

def _framed(enc):
    enc.set_frame([None, b"POST ", b"DELETE ", b"PATCH ", None],
                  b" HTTP/1.1\r\nHost: 127.0.0.1:1\r\nKEY: gate-key\r\nAccept: application/json\r\n"
                  b"Content-Type: application/json\r\nTimestamp: ")
    return enc


@pytest.mark.benchmark(group="gate-rest-requests")
def test_gate_rest_place_request(steady):
    enc = _framed(GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY))

    def place():
        enc.new_order(*GATE_ORDER)
        return enc.framed_request(1700000005000)
    assert steady(place).startswith(b"POST /api/v4/spot/orders HTTP/1.1\r\n")


@pytest.mark.benchmark(group="gate-rest-requests")
def test_gate_rest_cancel_request(steady):
    enc = _framed(GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY))

    def cancel():
        enc.cancel_order(b"BTC_USDT", None, b"t-bot-1-000042", 1700000000)
        return enc.framed_request(1700000005000)
    assert steady(cancel).startswith(b"DELETE /api/v4/spot/orders/t-bot-1-000042?currency_pair=BTC_USDT HTTP/1.1")


@pytest.mark.benchmark(group="gate-rest-requests")
def test_gate_rest_amend_request(steady):
    enc = _framed(GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY))

    def amend():
        enc.amend_order(b"BTC_USDT", None, b"t-bot-1-000042", 1_000_000, 6_400_000_000_000, 1700000000)
        return enc.framed_request(1700000005000)
    assert steady(amend).endswith(b'{"amount":"0.01","price":"64000"}')


@pytest.mark.benchmark(group="gate-ws-frames")
def test_gate_ws_place_frame(steady):
    enc = GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY, signs=False)

    def place():
        enc.new_order(*GATE_ORDER)
        return enc.ws_frame(b"spot.order_place", b"0a1b2c3d-42", 1700000000123, 1700000005123)
    assert steady(place).startswith(b'{"time":1700000000,"channel":"spot.order_place"')


@pytest.mark.benchmark(group="gate-ws-frames")
def test_gate_ws_cancel_frame(steady):
    enc = GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY, signs=False)

    def cancel():
        enc.ws_cancel_param(b"BTC_USDT", None, b"t-bot-1-000042")
        return enc.ws_frame(b"spot.order_cancel", b"0a1b2c3d-43", 1700000000123, 1700000005123)
    assert steady(cancel).endswith(b'"req_param":{"order_id":"t-bot-1-000042","currency_pair":"BTC_USDT"}}}')


@pytest.mark.benchmark(group="gate-ws-frames")
def test_gate_ws_amend_frame(steady):
    enc = GateOrderEncoder(RequestSigner(GATE_SECRET), GATE_KEY, signs=False)

    def amend():
        enc.ws_amend_param(b"BTC_USDT", b"1852454420", None, 0, 6_400_000_000_000)
        return enc.ws_frame(b"spot.order_amend", b"0a1b2c3d-44", 1700000000123, 1700000005123)
    assert steady(amend).endswith(b'{"order_id":"1852454420","currency_pair":"BTC_USDT","price":"64000"}}}')
