"""Gate.io signatures against the fact sheet's vectors (gateio-spot.md §3): the official ones, the computed spot
REST vectors through the compiled encoder and the REST client, the WebSocket channel auth and the order-API login."""

import hashlib
import hmac

import pytest

from engine._codec_gateio import GateOrderEncoder
from engine._enums import OrderType, Side, TimeInForce
from engine._fixedpoint import parse as fp
from engine._signer import RequestSigner, sha512_hex
from engine.config import Endpoints, VenueConfig
from engine.venues.gateio.order_path import GateOrderPath
from engine.venues.gateio.rest import GateRest, api_prefix, query_string
from engine.venues.gateio.user_stream import channel_auth
from engine.venues.gateio.ws_orders import login_signature

TS = 1541993715
EMPTY = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
ORDER_BODY = ('{"text":"t-abc123","currency_pair":"BTC_USDT","type":"limit","account":"spot","side":"buy",'
              '"amount":"0.001","price":"65000","time_in_force":"gtc"}')


def signer():
    return RequestSigner(b"secret")


def test_official_vectors():
    s = signer()
    assert sha512_hex(b"") == EMPTY
    assert s.sign_gateio("GET", "/api/v4/futures/orders", "contract=BTC_USD&status=finished&limit=50", "", TS) == (
        "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b13bd"
        "01029199cc4fcc522418b8a")
    body = '{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}'
    assert sha512_hex(body.encode()) == (
        "ad3c169203dc3026558f01b4df307641fa1fa361f086b2306658886d5708767b1854797c68d9e62fef2f991645aa82673622ebf417e"
        "091d0bd22bafe5d956cca")
    assert s.sign_gateio("POST", "/api/v4/futures/orders", "", body, TS) == (
        "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541fc4c2c14017581b4199a1418d54471c269c03a38d78"
        "8d802e2c306c37636389f0")


def test_computed_spot_vectors_through_the_compiled_encoder():
    enc = GateOrderEncoder(signer(), "key")
    n = enc.new_order("BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, fp("0.001"), fp("65000"), "t-abc123", TS)
    assert bytes(enc.buffer[:n]).decode() == ORDER_BODY
    assert sha512_hex(ORDER_BODY.encode()) == (
        "d4b2a1b92659c9714e5b7517f2a5844c39f1fbdca6ceb83029329bab72279fce5773c6dca64aa4ad80da71f52605d766a528edbf6d"
        "bc9116fa8a3e22e8c70fbb")
    assert enc.signature.tobytes().decode() == (
        "f0bd73f90d362b7ee5b002b616a204b4cbfee7d60e23837d49d24f547f31104e65cd7fde82ea95a5cd71cbf0430e7ab2c32406785c"
        "9c17741c796cb83d34b27c")
    enc.cancel_order("BTC_USDT", "12345", None, TS)
    assert enc.target == b"/api/v4/spot/orders/12345?currency_pair=BTC_USDT"
    assert enc.signature.tobytes().decode() == (
        "1c15946a8de2151160d06e50c62077328ae929ae4db4a92de0e1a711ea314d53e99fa118272738ab1473c8734f4a72734035320bc8"
        "6eb47c6bdadb3538972ca1")
    enc.sign_request("GET", "/api/v4/spot/orders", "currency_pair=BTC_USDT&status=open", "", TS)
    assert enc.signature.tobytes().decode() == (
        "93fd0852e183795350a1b58b5866854c2d30b0ffbad41303eff94206844cb4abadd3a24988d478388f37f70710a633e793e4c78607"
        "441cac1bedb60d945c2300")


def test_an_unsigned_encoder_writes_the_same_body_and_no_sign():
    signed, bare = GateOrderEncoder(signer(), "key"), GateOrderEncoder(signer(), "key", signs=False)
    args = ("BTC_USDT", Side.SELL, OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY, fp("0.5"), fp("64000.5"), "t-x", TS)
    n = signed.new_order(*args)
    assert bare.new_order(*args) == n and bytes(bare.buffer[:n]) == bytes(signed.buffer[:n])
    assert bare.signature.tobytes() == b"" and not bare.signs and len(signed.signature.tobytes()) == 128


def config(rest="http://127.0.0.1:9/api/v4", key="key", secret="secret"):
    return VenueConfig("gateio", Endpoints(rest, "ws://127.0.0.1:9/ws/v4", "ws://127.0.0.1:9/ws/v4"), key, secret)


def test_the_rest_client_signs_the_computed_get_vector():
    rest = GateRest(config())
    rest.clock.now_ms = lambda: TS * 1000 + 999
    headers = rest.auth_headers("GET", "/spot/orders", query_string({"currency_pair": "BTC_USDT", "status": "open"}),
                                "")
    assert headers == {"KEY": "key", "Timestamp": str(TS), "SIGN": (
        "93fd0852e183795350a1b58b5866854c2d30b0ffbad41303eff94206844cb4abadd3a24988d478388f37f70710a633e793e4c78607"
        "441cac1bedb60d945c2300")}


def test_the_lean_path_request_carries_what_was_signed():
    rest = GateRest(config())
    path = GateOrderPath(rest)
    build = path.place_builder("BTC_USDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, fp("0.001"), fp("65000"),
                               b"t-abc123")
    build.encode(TS * 1000 + 5)
    raw = path.request_bytes(TS * 1000 + 5)
    head, body = raw.split(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /api/v4/spot/orders HTTP/1.1" and body.decode() == ORDER_BODY
    headers = dict(line.split(b": ", 1) for line in lines[1:])
    assert headers[b"KEY"] == b"key" and headers[b"Timestamp"] == str(TS).encode()
    assert headers[b"SIGN"].decode().startswith("f0bd73f90d362b7e")
    assert headers[b"X-Gate-Exptime"] == str(TS * 1000 + 5 + 5000).encode()      # the venue refuses it after that
    assert headers[b"Content-Length"] == str(len(body)).encode()


def test_channel_auth_and_login_vectors():
    s = signer()
    auth = channel_auth(s, "key", "spot.orders", "subscribe", 1611541000)
    assert auth == {"method": "api_key", "KEY": "key", "SIGN": (
        "833a44bb4cd083e47bc1fec22b5c12e8b98c30fc7a9f4a1e52800dcfdff9a57240d7c10f1e9553dee020011fa5d02cdc7d1155a380c"
        "c4dcbd45f8fb525e41f4b")}
    assert login_signature(s, 1681984544) == (
        "3e133322aeffb544225b263d43fc10fc8e6b9b14126a09e4c945363d60afc591c441f08c3eff1770c1331171386501f6843560f889"
        "840e87ba1f3d99a80daffa")
    want = hmac.new(b"secret", b"api\nspot.login\n\n1681984544", hashlib.sha512).hexdigest()
    assert login_signature(s, 1681984544) == want


def test_the_rest_base_url_must_end_with_api_v4():
    assert api_prefix("https://api.gateio.ws/api/v4") == "" and api_prefix("http://127.0.0.1:5/gate/api/v4/") == "/gate"
    with pytest.raises(ValueError, match="/api/v4"):
        api_prefix("https://api.gateio.ws")


def test_queries_are_sent_as_signed():
    assert query_string({"currency_pair": "BTC_USDT", "status": "finished", "limit": 1000, "page": None}) == \
        "currency_pair=BTC_USDT&status=finished&limit=1000"
    with pytest.raises(TypeError, match="float"):
        query_string({"limit": 1.5})
