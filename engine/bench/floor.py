"""The floor rows of MEXC, Bybit and TopstepX: what the event loop and the loopback socket cost alone.

Each is a bare uvloop Protocol on one keep-alive connection to that venue's simulator
personality, writing request bytes of that venue built before the clock starts (100
place/cancel pairs at a time, signed where the venue signs) and waiting on a future for
the answer, which it frames by Content-Length only.  No encoding, signing, parsing,
pacing or error mapping: not a usable client.  Every row of a venue then shares its
floor's venue, answers and request sizes, and the ratio to the floor is the client's own
cost (as :func:`engine.bench.roundtrip.open_floor_reference` for Binance and
:func:`engine.bench.roundtrip_gateio.open_gate_floor_reference` for Gate.io).

TopstepX cancels by the venue's order id, which only the place answer tells: its floor
finds ``"orderId":`` in that answer and formats the cancel body around it (a few bytes
operations per order, which the engine row does in its compiled parser).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import time
from typing import Callable
from urllib.parse import urlsplit

from engine.bench.roundtrip import BYBIT, KEY, PRICE, QTY, SECRET, SYMBOL, Sample, Session

__all__ = ["open_floor", "open_mexc_floor", "open_bybit_floor", "open_topstepx_floor"]

RECV_WINDOW = 60_000       # ms: the pre-built requests of one batch stay valid while it is used
BATCH = 100                # place/cancel pairs built at once (once per BATCH orders: in a p99, not a median)
NOTE = "no encoding, signing, parsing or checks; not a client"


class _Floor(asyncio.Protocol):
    """Frames answers by Content-Length and hands each body to the waiting future."""

    def __init__(self):
        self.fut = None
        self.buf = b""

    def data_received(self, data):
        self.buf += data
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buf[:end].lower()
        at = head.find(b"content-length:")
        stop = head.find(b"\r\n", at)
        size = int(head[at + 15:stop if stop > 0 else None])
        if len(self.buf) >= end + 4 + size:
            body, self.buf = self.buf[end + 4:end + 4 + size], self.buf[end + 4 + size:]
            self.fut.set_result(body)


async def open_floor(url: str, venue: str, prebuild: Callable[[int], tuple[bytes, object]],
                     cancel_bytes: Callable[[object, bytes], bytes] | None = None) -> Session:
    """A floor session: ``prebuild(i) -> (place request, cancel request)`` for order ``i``.

    With ``cancel_bytes``, the second item is handed back with the place answer as
    ``cancel_bytes(item, answer) -> cancel request`` (a venue whose cancel names the venue's id).
    """
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_connection(_Floor, parts.hostname, parts.port)
    transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    last = {"t": 0}
    prebuilt: dict = {}

    async def send(data: bytes) -> bytes:
        proto.fut = loop.create_future()
        transport.write(data)
        last["t"] = time.perf_counter_ns()
        return await proto.fut

    async def place(i):
        if i not in prebuilt:
            prebuilt.clear()
            prebuilt.update((j, prebuild(j)) for j in range(i, i + BATCH))
        request, after = prebuilt[i]
        answer = await send(request)
        return cancel_bytes(after, answer) if cancel_bytes is not None else after

    async def cancel(request):
        await send(request)

    async def close():
        transport.close()

    return Session(Sample("reference: bare uvloop Protocol, pre-built bytes (floor)", venue, kind="reference",
                          note=NOTE), place, cancel, lambda: last["t"], close)


# -- MEXC spot: signed query, empty body (as the engine's MEXC path sends) ----------------------------------
async def open_mexc_floor(url) -> Session:
    from engine.bench.roundtrip_mexc import MEXC

    host, key = urlsplit(url).netloc, SECRET.encode()

    def request(method: str, query: str) -> bytes:
        query += "&recvWindow=%d&timestamp=%d" % (RECV_WINDOW, int(time.time() * 1000))
        query += "&signature=" + hmac.new(key, query.encode(), hashlib.sha256).hexdigest()
        return (f"{method} /api/v3/order?{query} HTTP/1.1\r\nHost: {host}\r\nX-MEXC-APIKEY: {KEY}\r\n"
                f"Content-Type: application/json\r\nContent-Length: 0\r\n\r\n").encode()

    def prebuild(i):
        cid = f"mf-{i}"
        return (request("POST", f"symbol={SYMBOL}&side=BUY&type=LIMIT&quantity={QTY}&price={PRICE}"
                                f"&newClientOrderId={cid}"),
                request("DELETE", f"symbol={SYMBOL}&origClientOrderId={cid}"))

    return await open_floor(url, MEXC, prebuild)


# -- Bybit linear: signed JSON body (X-BAPI-* headers) --------------------------------------------------------
async def open_bybit_floor(url) -> Session:
    host, key = urlsplit(url).netloc, SECRET.encode()

    def request(path: str, args: dict) -> bytes:
        body = json.dumps(args, separators=(",", ":"))
        ts = str(int(time.time() * 1000))
        sign = hmac.new(key, (ts + KEY + str(RECV_WINDOW) + body).encode(), hashlib.sha256).hexdigest()
        return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nX-BAPI-API-KEY: {KEY}\r\nX-BAPI-RECV-WINDOW: {RECV_WINDOW}"
                f"\r\nContent-Type: application/json\r\nX-BAPI-TIMESTAMP: {ts}\r\nX-BAPI-SIGN: {sign}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n{body}").encode()

    def prebuild(i):
        link = f"bf-{i}"
        return (request("/v5/order/create", {"category": "linear", "symbol": SYMBOL, "side": "Buy",
                                             "orderType": "Limit", "qty": QTY, "price": PRICE, "timeInForce": "GTC",
                                             "orderLinkId": link}),
                request("/v5/order/cancel", {"category": "linear", "symbol": SYMBOL, "orderLinkId": link}))

    return await open_floor(url, BYBIT, prebuild)


# -- TopstepX: JSON bodies behind the bearer token; the cancel names the order id of the place answer --------
async def open_topstepx_floor(url) -> Session:
    import aiohttp

    from engine.bench.roundtrip_topstepx import CONTRACT, PRICE as TOPSTEPX_PRICE, TOPSTEPX

    async with aiohttp.ClientSession() as session:      # the token and account, before the clock starts
        async with session.post(f"{url}/api/Auth/loginKey", json={"userName": KEY, "apiKey": SECRET}) as r:
            token = (await r.json())["token"]
        async with session.post(f"{url}/api/Account/search", json={"onlyActiveAccounts": True},
                                headers={"Authorization": f"Bearer {token}"}) as r:
            account = (await r.json())["accounts"][0]["id"]
    host = urlsplit(url).netloc

    def head(path: str) -> bytes:
        return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAccept: text/plain\r\n"
                f"Authorization: Bearer {token}\r\nContent-Length: ").encode()

    place_head, cancel_head = head("/api/Order/place"), head("/api/Order/cancel")
    cancel_body = b'{"accountId":%d,"orderId":%%s}' % account

    def prebuild(i):
        body = (f'{{"accountId":{account},"contractId":"{CONTRACT}","type":1,"side":0,"size":1,'
                f'"limitPrice":{TOPSTEPX_PRICE},"stopPrice":null,"trailPrice":null,"customTag":"tf-{i}"}}').encode()
        return place_head + b"%d\r\n\r\n" % len(body) + body, None

    def cancel_bytes(_, answer: bytes) -> bytes:
        at = answer.find(b'"orderId":') + 10
        body = cancel_body % answer[at:answer.find(b",", at)]
        return cancel_head + b"%d\r\n\r\n" % len(body) + body

    return await open_floor(url, TOPSTEPX, prebuild, cancel_bytes)
