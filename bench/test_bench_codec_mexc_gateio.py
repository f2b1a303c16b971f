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
