"""engine.sim: Ed25519 keys and session.logon on the Binance spot WebSocket API.

Driven with plain aiohttp and the ``cryptography`` package, written from the venue's
docs (web-socket-api.md "Session Authentication", "SIGNED Request Example (Ed25519)"),
not with the engine's own client.
"""

import base64
import time
from urllib.parse import quote, urlencode

import aiohttp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from yarl import URL

from engine.sim import SimExchange
from engine.sim.cli import build_parser
from tests.support.sim_fixtures import hsign, recv_until, run, ws_signed

ED_KEY = "ed-key-0001"
HMAC_KEY, HMAC_SECRET = "hmac-key-0001", "hmac-secret-0001"
PRIVATE = Ed25519PrivateKey.generate()
PUBLIC_PEM = PRIVATE.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
         "price": "30000"}


def now_ms() -> int:
    return int(time.time() * 1000)


def payload(params: dict) -> bytes:
    return "&".join(f"{k}={params[k]}" for k in sorted(params)).encode()


def ed_signed(params: dict, key: str = ED_KEY, private: Ed25519PrivateKey = PRIVATE) -> dict:
    """WS API Ed25519 signing: sorted k=v of every param but signature, base64 of the signature."""
    p = dict(params)
    p["apiKey"] = key
    p.setdefault("timestamp", now_ms())
    p["signature"] = base64.b64encode(private.sign(payload(p))).decode()
    return p


class Session:
    """One WS API connection with id-matched calls; keeps every event frame it saw."""

    def __init__(self, ws):
        self.ws = ws
        self.n = 0
        self.events = []

    async def call(self, method: str, params: dict | None = None) -> dict:
        self.n += 1
        rid = self.n
        msg = {"id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        await self.ws.send_json(msg)
        answer, seen = await recv_until(self.ws, lambda m: m.get("id") == rid)
        self.events.extend(m for m in seen if "event" in m)
        return answer

    async def event(self, pred, timeout: float = 3.0) -> dict:
        for e in self.events:
            if pred(e):
                return e
        msg, seen = await recv_until(self.ws, lambda m: "event" in m and pred(m), timeout)
        self.events.extend(m for m in seen if "event" in m)
        return msg


async def with_session(test, **sim_kw):
    sim_kw.setdefault("accounts", [(HMAC_KEY, HMAC_SECRET)])
    sim_kw.setdefault("ed25519_keys", {ED_KEY: PUBLIC_PEM})
    async with SimExchange(seed=3, **sim_kw) as sim:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(sim.ws_url + "/ws-api/v3") as ws:
                await test(sim, http, Session(ws))


def test_logon_answers_the_documented_shape_and_status_follows():
    async def test(sim, http, s):
        before = await s.call("session.status")
        assert before["status"] == 200
        assert before["result"]["apiKey"] is None and before["result"]["authorizedSince"] is None
        t0 = now_ms()
        r = await s.call("session.logon", ed_signed({"recvWindow": 5000}))
        assert r["status"] == 200, r
        res = r["result"]
        assert set(res) == {"apiKey", "authorizedSince", "connectedSince", "returnRateLimits", "serverTime",
                            "userDataStream"}
        assert res["apiKey"] == ED_KEY
        assert res["connectedSince"] <= res["authorizedSince"] and res["authorizedSince"] >= t0 - 1000
        assert res["returnRateLimits"] is True and res["userDataStream"] is False
        assert isinstance(res["serverTime"], int)
        assert r["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"
        st = (await s.call("session.status"))["result"]
        assert st["apiKey"] == ED_KEY and st["authorizedSince"] == res["authorizedSince"]
        assert st["connectedSince"] == res["connectedSince"]

    run(with_session(test))


def test_bad_signature_and_stale_timestamp_are_refused():
    async def test(sim, http, s):
        other = Ed25519PrivateKey.generate()
        r = await s.call("session.logon", ed_signed({}, private=other))
        assert r["status"] == 400 and r["error"]["code"] == -1022
        good = ed_signed({})
        tampered = dict(good, timestamp=good["timestamp"] + 1)      # signature no longer covers it
        assert (await s.call("session.logon", tampered))["error"]["code"] == -1022
        hexsig = dict(good, signature=hsign("whatever", payload({k: v for k, v in good.items()
                                                                    if k != "signature"}).decode()))
        assert (await s.call("session.logon", hexsig))["error"]["code"] == -1022
        stale = ed_signed({"timestamp": now_ms() - 70_000})
        r = await s.call("session.logon", stale)
        assert r["error"] == {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
        ahead = ed_signed({"timestamp": now_ms() + 5_000})
        assert (await s.call("session.logon", ahead))["error"]["code"] == -1021
        unknown = ed_signed({}, key="no-such-key")
        assert (await s.call("session.logon", unknown))["error"]["code"] == -2015
        no_sig = {"apiKey": ED_KEY, "timestamp": now_ms()}
        assert (await s.call("session.logon", no_sig))["error"]["code"] == -1102
        assert (await s.call("session.status"))["result"]["apiKey"] is None

    run(with_session(test))


def test_hmac_key_cannot_log_on():
    async def test(sim, http, s):
        r = await s.call("session.logon", ws_signed({}, key=HMAC_KEY, secret=HMAC_SECRET))
        assert r["status"] == 400
        assert r["error"] == {"code": -4056, "msg": "HMAC_SHA256 API key is not supported."}
        assert (await s.call("session.status"))["result"]["apiKey"] is None
        # the key itself is fine for per-request signing
        r = await s.call("order.place", ws_signed({**ORDER, "newClientOrderId": "h-1"}, key=HMAC_KEY,
                                                  secret=HMAC_SECRET))
        assert r["status"] == 200 and r["result"]["clientOrderId"] == "h-1"

    run(with_session(test))


def test_unsigned_requests_after_logon_act_for_the_logged_on_key():
    async def test(sim, http, s):
        r = await s.call("order.place", {**ORDER, "timestamp": now_ms()})
        assert r["status"] == 401 and r["error"]["code"] == -2014          # not logged on yet
        assert (await s.call("session.logon", ed_signed({})))["status"] == 200
        r = await s.call("order.place", {**ORDER, "newClientOrderId": "u-1", "timestamp": now_ms()})
        assert r["status"] == 200 and r["result"]["clientOrderId"] == "u-1", r
        assert sim.balance(ED_KEY, "USDT")[1] == 300            # locked on the logged-on account
        assert sim.balance(HMAC_KEY, "USDT")[1] == 0
        st = await s.call("order.status", {"symbol": "BTCUSDT", "origClientOrderId": "u-1", "timestamp": now_ms()})
        assert st["result"]["status"] == "NEW"
        # timestamp and recvWindow are still checked
        r = await s.call("order.status", {"symbol": "BTCUSDT", "origClientOrderId": "u-1"})
        assert r["error"]["code"] == -1102 and "timestamp" in r["error"]["msg"]
        r = await s.call("order.status", {"symbol": "BTCUSDT", "origClientOrderId": "u-1",
                                          "timestamp": now_ms() - 2_000, "recvWindow": 1000})
        assert r["error"]["code"] == -1021
        # a request with its own key and signature is authorised by them instead
        r = await s.call("order.place", ws_signed({**ORDER, "newClientOrderId": "u-2"}, key=HMAC_KEY,
                                                  secret=HMAC_SECRET))
        assert r["status"] == 200 and sim.balance(HMAC_KEY, "USDT")[1] == 300
        # another key without its signature is not the logged-on key's request
        r = await s.call("order.place", {**ORDER, "apiKey": HMAC_KEY, "timestamp": now_ms()})
        assert r["error"]["code"] == -1102 and "signature" in r["error"]["msg"]
        cancel = await s.call("order.cancel", {"symbol": "BTCUSDT", "origClientOrderId": "u-1",
                                               "timestamp": now_ms()})
        assert cancel["result"]["status"] == "CANCELED" and sim.balance(ED_KEY, "USDT")[1] == 0

    run(with_session(test))


def test_subscribe_after_logon_delivers_execution_reports():
    async def test(sim, http, s):
        r = await s.call("userDataStream.subscribe")
        assert r["status"] != 200                                  # needs a logon first
        await s.call("session.logon", ed_signed({}))
        r = await s.call("userDataStream.subscribe")
        assert r["status"] == 200 and r["result"] == {"subscriptionId": 0}
        assert (await s.call("userDataStream.subscribe"))["error"]["code"] == -2035
        assert (await s.call("session.status"))["result"]["userDataStream"] is True
        await s.call("order.place", {**ORDER, "newClientOrderId": "e-1", "timestamp": now_ms()})
        ev = await s.event(lambda m: m["event"]["e"] == "executionReport" and m["event"]["x"] == "NEW")
        assert ev["subscriptionId"] == 0 and ev["event"]["c"] == "e-1" and ev["event"]["X"] == "NEW"
        await s.call("order.cancel", {"symbol": "BTCUSDT", "origClientOrderId": "e-1", "timestamp": now_ms()})
        ev = await s.event(lambda m: m["event"]["e"] == "executionReport" and m["event"]["x"] == "CANCELED")
        assert ev["event"]["C"] == "e-1"
        # another account's orders do not reach this subscription
        r = await s.call("order.place", ws_signed({**ORDER, "newClientOrderId": "x-1"}, key=HMAC_KEY,
                                                  secret=HMAC_SECRET))
        assert r["status"] == 200
        assert not [e for e in s.events if e["event"].get("c") == "x-1"]

    run(with_session(test))


def test_logout_ends_the_logon_subscription_only():
    async def test(sim, http, s):
        await s.call("session.logon", ed_signed({}))
        assert (await s.call("userDataStream.subscribe"))["result"] == {"subscriptionId": 0}
        r = await s.call("userDataStream.subscribe.signature", ws_signed({}, key=HMAC_KEY, secret=HMAC_SECRET))
        assert r["result"] == {"subscriptionId": 1}
        r = await s.call("session.logout")
        assert r["status"] == 200
        res = r["result"]
        assert res["apiKey"] is None and res["authorizedSince"] is None
        assert res["userDataStream"] is True                         # subscription 1 stays
        assert set(res) == {"apiKey", "authorizedSince", "connectedSince", "returnRateLimits", "serverTime",
                            "userDataStream"}
        ended = await s.event(lambda m: m["event"]["e"] == "eventStreamTerminated")
        assert ended["subscriptionId"] == 0
        assert (await s.call("session.subscriptions"))["result"] == [{"subscriptionId": 1}]
        # the connection stays open but requests must sign themselves again
        r = await s.call("order.place", {**ORDER, "timestamp": now_ms()})
        assert r["error"]["code"] == -2014
        r = await s.call("order.place", ed_signed({**ORDER, "newClientOrderId": "after-1"}))
        assert r["status"] == 200 and r["result"]["clientOrderId"] == "after-1"
        # logging out twice does nothing
        assert (await s.call("session.logout"))["result"]["apiKey"] is None
        # and logging on again works
        assert (await s.call("session.logon", ed_signed({})))["result"]["apiKey"] == ED_KEY

    run(with_session(test))


def test_ed25519_per_request_signatures_on_rest_and_ws():
    async def test(sim, http, s):
        # WS API, no logon: the Ed25519 signature travels in params
        r = await s.call("order.place", ed_signed({**ORDER, "newClientOrderId": "w-1"}))
        assert r["status"] == 200 and r["result"]["clientOrderId"] == "w-1"
        # REST: payload is the query string as sent, signature base64 then percent-encoded
        params = {"symbol": "BTCUSDT", "origClientOrderId": "w-1", "timestamp": now_ms()}
        q = urlencode(params)
        sig = base64.b64encode(PRIVATE.sign(q.encode())).decode()
        url = URL(f"{sim.url}/api/v3/order?{q}&signature={quote(sig, safe='')}", encoded=True)
        async with http.get(url, headers={"X-MBX-APIKEY": ED_KEY}) as resp:
            body = await resp.json()
            assert resp.status == 200 and body["clientOrderId"] == "w-1"
        bad = base64.b64encode(Ed25519PrivateKey.generate().sign(q.encode())).decode()
        url = URL(f"{sim.url}/api/v3/order?{q}&signature={quote(bad, safe='')}", encoded=True)
        async with http.get(url, headers={"X-MBX-APIKEY": ED_KEY}) as resp:
            assert resp.status == 400 and (await resp.json())["code"] == -1022
        # an HMAC signature is not accepted for an Ed25519 key
        q2 = urlencode({**params, "timestamp": now_ms()})
        url = URL(f"{sim.url}/api/v3/order?{q2}&signature={hsign('x', q2)}", encoded=True)
        async with http.get(url, headers={"X-MBX-APIKEY": ED_KEY}) as resp:
            assert (await resp.json())["code"] == -1022

    run(with_session(test))


def test_return_rate_limits_false_on_the_connection():
    async def main():
        async with SimExchange(seed=3, accounts=[(HMAC_KEY, HMAC_SECRET)],
                               ed25519_keys={ED_KEY: PRIVATE.public_key()}) as sim:
            async with aiohttp.ClientSession() as http:
                async with http.ws_connect(sim.ws_url + "/ws-api/v3?returnRateLimits=false") as ws:
                    s = Session(ws)
                    r = await s.call("session.logon", ed_signed({}))
                    assert r["result"]["returnRateLimits"] is False and "rateLimits" not in r

    run(main())


def test_key_registration_forms_and_errors(tmp_path):
    raw = PRIVATE.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    for form in (PUBLIC_PEM, PUBLIC_PEM.decode(), raw, PRIVATE.public_key()):
        sim = SimExchange(accounts=[(HMAC_KEY, HMAC_SECRET)], ed25519_keys={ED_KEY: form})
        assert sim.core.ledger.accounts[ED_KEY].secret is None
    with pytest.raises(ValueError):
        SimExchange(accounts=[(ED_KEY, "s")], ed25519_keys={ED_KEY: PUBLIC_PEM})
    with pytest.raises(ValueError):
        SimExchange(ed25519_keys={ED_KEY: b"not a key"})
    pem = tmp_path / "ed.pem"
    pem.write_bytes(PUBLIC_PEM)
    args = build_parser().parse_args(["--ed25519-key", f"{ED_KEY}:{pem}"])
    assert args.ed25519_key[0][0] == ED_KEY
    bad = tmp_path / "bad.pem"
    bad.write_bytes(b"-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
    for spec in (f"{ED_KEY}:{bad}", f"{ED_KEY}:{tmp_path / 'missing.pem'}", "no-colon"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["--ed25519-key", spec])


def test_ed25519_key_is_refused_by_bybit():
    async def test(sim, http, s):
        import json
        ts, body = str(now_ms()), json.dumps({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
                                              "orderType": "Limit", "qty": "0.01", "price": "30000"})
        h = {"X-BAPI-API-KEY": ED_KEY, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": "5000",
             "X-BAPI-SIGN": "00" * 32, "Content-Type": "application/json"}
        async with http.post(sim.url + "/v5/order/create", data=body, headers=h) as resp:
            assert (await resp.json())["retCode"] == 10004

    run(with_session(test))


def test_cli_serves_an_ed25519_key(tmp_path):
    """python -m engine sim --ed25519-key KEY:PEM: the key logs on over the real CLI process."""
    import subprocess
    import sys

    pem = tmp_path / "ed.pem"
    pem.write_bytes(PUBLIC_PEM)
    proc = subprocess.Popen([sys.executable, "-m", "engine", "sim", "--port", "0", "--tick-interval", "0",
                             "--ed25519-key", f"{ED_KEY}:{pem}"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on "), line
        url = line.split(" ", 2)[2].replace("http://", "ws://")

        async def main():
            async with aiohttp.ClientSession() as http:
                async with http.ws_connect(url + "/ws-api/v3") as ws:
                    r = await Session(ws).call("session.logon", ed_signed({}))
                    assert r["status"] == 200 and r["result"]["apiKey"] == ED_KEY

        run(main())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
