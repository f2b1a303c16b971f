"""Plain clients for driving engine.sim over real sockets in tests.

Written against the venue docs with aiohttp + stdlib hmac only — deliberately not the
engine's own client code, so the simulator and the engine check each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from contextlib import asynccontextmanager
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from engine.sim import Limits, SimExchange

KEY, SECRET = "test-key", "test-secret"
KEY2, SECRET2 = "test-key-2", "test-secret-2"


def run(coro, timeout: float = 30.0):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def hsign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def now_ms() -> int:
    return int(time.time() * 1000)


@asynccontextmanager
async def sim_and_session(**kw):
    kw.setdefault("seed", 7)
    kw.setdefault("accounts", [(KEY, SECRET), (KEY2, SECRET2)])
    async with SimExchange(**kw) as sim:
        async with aiohttp.ClientSession() as session:
            yield sim, session


class Binance:
    """Signed Binance REST calls (spot or USD-M share the scheme)."""

    def __init__(self, sim, session, key: str = KEY, secret: str = SECRET) -> None:
        self.sim, self.session, self.key, self.secret = sim, session, key, secret

    async def call(self, method: str, path: str, signed: bool = True, *, body: bool = False,
                   headers=None, sign_with: str | None = None, ts_offset: int = 0, **params):
        if signed and "timestamp" not in params:
            params["timestamp"] = now_ms() + ts_offset
        q = urlencode(params)
        if signed:
            q += "&signature=" + hsign(sign_with or self.secret, q)
        h = {"X-MBX-APIKEY": self.key} if self.key is not None else {}
        h.update(headers or {})
        url = self.sim.url + path
        if body:
            h["Content-Type"] = "application/x-www-form-urlencoded"
            async with self.session.request(method, url, data=q, headers=h) as r:
                return r.status, await r.json(content_type=None), r.headers
        async with self.session.request(method, URL(url + ("?" + q if q else ""), encoded=True), headers=h) as r:
            return r.status, await r.json(content_type=None), r.headers


class Bybit:
    def __init__(self, sim, session, key: str = KEY, secret: str = SECRET) -> None:
        self.sim, self.session, self.key, self.secret = sim, session, key, secret

    async def call(self, method: str, endpoint: str, args: dict | None = None, *, sign_with=None, ts_offset=0,
                   key=None):
        ts = str(now_ms() + ts_offset)
        if method == "GET":
            payload = urlencode(args or {})
        else:
            payload = json.dumps(args or {})
        h = {"X-BAPI-API-KEY": key or self.key, "X-BAPI-TIMESTAMP": ts, "X-BAPI-RECV-WINDOW": "5000",
             "X-BAPI-SIGN": hsign(sign_with or self.secret, ts + (key or self.key) + "5000" + payload),
             "Content-Type": "application/json"}
        url = self.sim.url + "/v5/" + endpoint
        if method == "GET":
            async with self.session.get(url + ("?" + payload if payload else ""), headers=h) as r:
                return r.status, await r.json(), r.headers
        async with self.session.post(url, data=payload, headers=h) as r:
            return r.status, await r.json(), r.headers


def ws_signed(params: dict, key: str = KEY, secret: str = SECRET) -> dict:
    p = dict(params)
    p["apiKey"] = key
    p.setdefault("timestamp", now_ms())
    p["signature"] = hsign(secret, "&".join(f"{k}={p[k]}" for k in sorted(p)))
    return p


async def recv_until(ws, pred, timeout: float = 3.0, limit: int = 50):
    """Messages from ``ws`` until one satisfies ``pred``; returns (match, seen)."""
    seen = []
    for _ in range(limit):
        msg = await asyncio.wait_for(ws.receive_json(), timeout)
        seen.append(msg)
        if pred(msg):
            return msg, seen
    raise AssertionError(f"no matching message in {seen}")


def bybit_auth_args(key: str = KEY, secret: str = SECRET, expires: int | None = None) -> list:
    exp = expires if expires is not None else now_ms() + 10000
    return [key, exp, hsign(secret, f"GET/realtime{exp}")]


__all__ = ["KEY", "SECRET", "KEY2", "SECRET2", "run", "hsign", "now_ms", "sim_and_session", "Binance", "Bybit",
           "ws_signed", "recv_until", "bybit_auth_args", "Limits"]
