"""The floor rows' machinery: what the event loop and the loopback socket cost alone.

A floor is a bare uvloop Protocol on one keep-alive connection to that venue's simulator
personality, writing request bytes of that venue built before the clock starts (100
place/cancel pairs at a time, signed where the venue signs) and waiting on a future for
the answer, which it frames by Content-Length only.  No encoding, signing, parsing,
pacing or error mapping: not a usable client.  Every row of a venue then shares its
floor's venue, answers and request sizes, and the ratio to the floor is the client's own
cost.  A venue whose order entry also runs over a WebSocket may add a WebSocket floor
(:func:`open_ws_floor`: the upgrade once, pre-built masked frames, answers framed by their header
only, as many answer frames per request as the venue's protocol sends), against which its
WebSocket rows are measured (``Sample.floor == "ws"``): the same frames and TCP segments, where
an HTTP floor reads one answer per request.  Each venue's floor, its requests built by :func:`open_floor`'s ``prebuild``, is with its rows
(``engine/bench/roundtrip_<venue>.py``; Binance's and Gate.io's have floors of their own making,
:func:`engine.bench.roundtrip.open_floor_reference` and
:func:`engine.bench.roundtrip_gateio.open_gate_floor_reference`).
"""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import hmac
import os
import socket
import time
from typing import Callable
from urllib.parse import urlsplit

from engine.bench.roundtrip import KEY, SECRET, Sample, Session

__all__ = ["open_floor", "open_ws_floor", "signed_query_request", "RECV_WINDOW", "BATCH", "NOTE", "WS_NOTE"]

RECV_WINDOW = 60_000       # ms: the pre-built requests of one batch stay valid while it is used
BATCH = 100                # place/cancel pairs built at once (once per BATCH orders: in a p99, not a median)
NOTE = "no encoding, signing, parsing or checks; not a client"
WS_NOTE = "pre-built masked frames, answers framed by header only; not a client"


def signed_query_request(host: str, method: str, path: str, query: str, key_header: str,
                         extra_headers: str = "") -> bytes:
    """One pre-built request of a venue that signs its query string (HMAC-SHA256, hex; Binance, MEXC): the
    query with ``recvWindow``, ``timestamp`` and ``signature`` added, the key in ``key_header``, no body."""
    query += "&recvWindow=%d&timestamp=%d" % (RECV_WINDOW, int(time.time() * 1000))
    query += "&signature=" + hmac.new(SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return (f"{method} {path}?{query} HTTP/1.1\r\nHost: {host}\r\n{key_header}: {KEY}\r\n{extra_headers}"
            f"Content-Length: 0\r\n\r\n").encode()


class _Floor(asyncio.Protocol):
    """Frames answers by Content-Length and hands each body to the oldest waiting future (requests written
    in a row are answered in order on the one connection)."""

    def __init__(self):
        self.futs: collections.deque = collections.deque()
        self.buf = b""

    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].lower()
            at = head.find(b"content-length:")
            stop = head.find(b"\r\n", at)
            size = int(head[at + 15:stop if stop > 0 else None])
            if len(self.buf) < end + 4 + size:
                return
            body, self.buf = self.buf[end + 4:end + 4 + size], self.buf[end + 4 + size:]
            self.futs.popleft().set_result(body)


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

    def write(data: bytes) -> asyncio.Future:
        transport.write(data)               # written first, its future after (as the engine's paths do)
        last["t"] = time.perf_counter_ns()
        fut = loop.create_future()
        proto.futs.append(fut)
        return fut

    def built(i):
        if i not in prebuilt:
            prebuilt.clear()
            prebuilt.update((j, prebuild(j)) for j in range(i, i + BATCH))
        return prebuilt[i]

    async def place(i):
        request, after = built(i)
        answer = await write(request)
        return cancel_bytes(after, answer) if cancel_bytes is not None else after

    async def cancel(request):
        await write(request)

    async def pair(i):
        """Orders ``i`` and ``i + 1`` written one right after the other (built before the clock starts), both
        answered, then both cancelled: the call to wire of each."""
        (first, after1), (second, after2) = built(i), built(i + 1)
        t0 = time.perf_counter_ns()
        fut1 = write(first)
        t1 = w1 = last["t"]
        fut2 = write(second)
        w2 = last["t"]
        answers = (await fut1, await fut2)
        for after, answer in zip((after1, after2), answers):
            await cancel(cancel_bytes(after, answer) if cancel_bytes is not None else after)
        return w1 - t0, w2 - t1

    async def close():
        transport.close()

    return Session(Sample("reference: bare uvloop Protocol, pre-built bytes (floor)", venue, kind="reference",
                          note=NOTE), place, cancel, lambda: last["t"], close, pair=pair)


class _WsFloor(asyncio.Protocol):
    """A WebSocket client at its barest: the upgrade once, then answers framed by their header only (a
    server's frames are unmasked); the payload of the ``want``-th data frame since the last request goes
    to the waiting future (control frames are skipped, not counted)."""

    def __init__(self):
        self.fut = None
        self.buf = b""
        self.upgraded = False
        self.want = 1
        self.got = 0

    def data_received(self, data):
        self.buf += data
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buf = self.buf[:end], self.buf[end + 4:]
            self.upgraded = True
            self.fut.set_result(head)
        while len(self.buf) >= 2:
            b = self.buf
            size, at = b[1] & 0x7F, 2
            if size == 126:
                if len(b) < 4:
                    return
                size, at = int.from_bytes(b[2:4], "big"), 4
            elif size == 127:
                if len(b) < 10:
                    return
                size, at = int.from_bytes(b[2:10], "big"), 10
            if len(b) < at + size:
                return
            payload, self.buf = b[at:at + size], b[at + size:]
            if b[0] & 0x08:                 # ping, pong, close: not an answer
                continue
            self.got += 1
            if self.got == self.want and self.fut is not None and not self.fut.done():
                self.fut.set_result(payload)


def _masked(payload: bytes) -> bytes:
    """One client text frame (RFC 6455 §5.2-5.3: FIN, opcode 1, masked)."""
    key = os.urandom(4)
    n = len(payload)
    head = bytes([0x81, 0x80 | n]) if n < 126 else (
        bytes([0x81, 0xFE]) + n.to_bytes(2, "big") if n < 65536 else bytes([0x81, 0xFF]) + n.to_bytes(8, "big"))
    return head + key + bytes(c ^ key[i & 3] for i, c in enumerate(payload))


async def open_ws_floor(url: str, path: str, venue: str, prebuild: Callable[[int], tuple[bytes, bytes]],
                        answers: tuple[int, int], login: bytes | None = None) -> Session:
    """A WebSocket floor session (a bare uvloop Protocol on the venue's order socket): ``prebuild(i) ->
    (place payload, cancel payload)`` for order ``i``, masked when built; a place is answered when the
    ``answers[0]``-th data frame after it has come, a cancel at the ``answers[1]``-th (the venue's protocol:
    e.g. an ack then a result).  ``login``, when given, is sent once before the clock starts and its one
    answer read."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_connection(_WsFloor, parts.hostname, parts.port)
    transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    proto.fut = loop.create_future()
    transport.write((f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = await asyncio.wait_for(proto.fut, 10)
    if not head.startswith(b"HTTP/1.1 101"):
        transport.close()
        raise RuntimeError(f"{venue} WebSocket floor: upgrade refused: {head[:80]!r}")
    last = {"t": 0}
    prebuilt: dict = {}

    async def send(frame: bytes, want: int) -> bytes:
        proto.fut, proto.want, proto.got = loop.create_future(), want, 0
        transport.write(frame)
        last["t"] = time.perf_counter_ns()
        return await proto.fut

    if login is not None:
        await asyncio.wait_for(send(_masked(login), 1), 10)

    async def place(i):
        if i not in prebuilt:
            prebuilt.clear()
            prebuilt.update((j, tuple(_masked(p) for p in prebuild(j))) for j in range(i, i + BATCH))
        request, after = prebuilt[i]
        await send(request, answers[0])
        return after

    async def cancel(frame):
        await send(frame, answers[1])

    async def close():
        transport.close()

    return Session(Sample("reference: bare uvloop Protocol, pre-built WebSocket frames (floor)", venue,
                          kind="reference", note=WS_NOTE, floor="ws"), place, cancel, lambda: last["t"], close)
