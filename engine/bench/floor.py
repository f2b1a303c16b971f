"""The floor rows' machinery: what the event loop and the loopback socket cost alone.

A floor is a bare uvloop Protocol on one keep-alive connection to that venue's simulator
personality, writing request bytes of that venue built before the clock starts (100
place/cancel pairs at a time, signed where the venue signs) and waiting on a future for
the answer, which it frames by Content-Length only.  No encoding, signing, parsing,
pacing or error mapping: not a usable client.  Every row of a venue then shares its
floor's venue, answers and request sizes, and the ratio to the floor is the client's own
cost.  Each venue's floor, its requests built by :func:`open_floor`'s ``prebuild``, is with its rows
(``engine/bench/roundtrip_<venue>.py``; Binance's and Gate.io's have floors of their own making,
:func:`engine.bench.roundtrip.open_floor_reference` and
:func:`engine.bench.roundtrip_gateio.open_gate_floor_reference`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import socket
import time
from typing import Callable
from urllib.parse import urlsplit

from engine.bench.roundtrip import KEY, SECRET, Sample, Session

__all__ = ["open_floor", "signed_query_request", "RECV_WINDOW", "BATCH", "NOTE"]

RECV_WINDOW = 60_000       # ms: the pre-built requests of one batch stay valid while it is used
BATCH = 100                # place/cancel pairs built at once (once per BATCH orders: in a p99, not a median)
NOTE = "no encoding, signing, parsing or checks; not a client"


def signed_query_request(host: str, method: str, path: str, query: str, key_header: str,
                         extra_headers: str = "") -> bytes:
    """One pre-built request of a venue that signs its query string (HMAC-SHA256, hex; Binance, MEXC): the
    query with ``recvWindow``, ``timestamp`` and ``signature`` added, the key in ``key_header``, no body."""
    query += "&recvWindow=%d&timestamp=%d" % (RECV_WINDOW, int(time.time() * 1000))
    query += "&signature=" + hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return (f"{method} {path}?{query} HTTP/1.1\r\nHost: {host}\r\n{key_header}: {KEY}\r\n{extra_headers}"
            f"Content-Length: 0\r\n\r\n").encode()


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
