"""A plain Gate.io APIv4 client for driving the simulator's Gate personality in tests: aiohttp and
stdlib hashlib/hmac only, written from the sheet (gateio-spot.md §2, §7, §8), never the engine's
own client code, so the simulator and the engine check each other."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

from yarl import URL

from tests.support.sim_fixtures import KEY, SECRET

__all__ = ["Gate", "sha512_hmac", "channel_request", "login_request", "api_request", "receive_until"]


def sha512_hmac(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


class Gate:
    """Signed REST calls to ``sim.urls["gateio"]``: ``(status, json, headers)``."""

    def __init__(self, sim, session, key: str = KEY, secret: str = SECRET) -> None:
        self.sim, self.session, self.key, self.secret = sim, session, key, secret
        self.base = sim.urls["gateio"]

    async def call(self, method: str, path: str, query: str = "", body=None, *, signed: bool = True,
                   ts: str | None = None, sign_with: str | None = None, key: str | None = None,
                   headers: dict | None = None):
        payload = "" if body is None else json.dumps(body, separators=(",", ":"))
        h = {"Accept": "application/json", "Content-Type": "application/json"}
        if signed:
            ts = ts or str(int(time.time()))
            text = "\n".join((method, "/api/v4" + path, query, hashlib.sha512(payload.encode()).hexdigest(), ts))
            h.update({"KEY": key or self.key, "Timestamp": ts, "SIGN": sha512_hmac(sign_with or self.secret, text)})
        h.update(headers or {})
        url = URL(self.base + "/api/v4" + path + ("?" + query if query else ""), encoded=True)
        async with self.session.request(method, url, data=payload.encode() if payload else None, headers=h) as r:
            return r.status, await r.json(content_type=None), r.headers

    def order(self, **kw) -> dict:
        return {"currency_pair": "BTC_USDT", "type": "limit", "account": "spot", "side": "buy", "amount": "0.01",
                "price": "49000", "time_in_force": "gtc", **kw}


def channel_request(channel: str, event: str = "subscribe", payload=("!all",), key: str = KEY,
                    secret: str = SECRET, t: int | None = None, req_id: int = 1) -> dict:
    t = int(time.time()) if t is None else t
    req = {"time": t, "id": req_id, "channel": channel, "event": event,
           "auth": {"method": "api_key", "KEY": key,
                    "SIGN": sha512_hmac(secret, f"channel={channel}&event={event}&time={t}")}}
    if payload is not None:
        req["payload"] = list(payload)
    return req


def login_request(key: str = KEY, secret: str = SECRET, ts: int | None = None, req_id: str = "login-1") -> dict:
    ts = int(time.time()) if ts is None else ts
    return {"time": ts, "channel": "spot.login", "event": "api",
            "payload": {"api_key": key, "signature": sha512_hmac(secret, f"api\nspot.login\n\n{ts}"),
                        "timestamp": str(ts), "req_id": req_id}}


def api_request(channel: str, req_id: str, param, exptime: int | None = None) -> dict:
    payload = {"req_id": req_id, "req_param": param}
    if exptime is not None:
        payload["req_header"] = {"x-gate-exptime": str(exptime)}
    return {"time": int(time.time()), "channel": channel, "event": "api", "payload": payload}


async def receive_until(ws, pred, timeout: float = 3.0, limit: int = 60):
    """Frames until one satisfies ``pred``; returns (match, seen)."""
    seen = []
    for _ in range(limit):
        msg = await asyncio.wait_for(ws.receive_json(), timeout)
        seen.append(msg)
        if pred(msg):
            return msg, seen
    raise AssertionError(f"no matching frame in {seen}")
