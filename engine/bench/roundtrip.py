"""Stages 4-5: place-and-acknowledge and cancel round trips on loopback against the simulator.

The simulator runs in its own process (``python -m engine sim``), so ``time.process_time``
in this process is the client's CPU alone.  Each client places a resting LIMIT buy and
cancels it, N times, one after the other; per operation we record wall time (call to
answer), client CPU, and call-to-wire (call to bytes handed to the socket) where the
client exposes when it wrote.

Clients here: this engine (the lean REST order paths, the WebSocket order entry paths
and the full ``Engine`` API) and the pure-Python baselines (aiohttp + urllib/json +
hmac), for Binance spot and Bybit linear.  The peers are in
:mod:`engine.bench.roundtrip_peers`.  ``bench/order_entry.py`` uses these too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

__all__ = ["KEY", "SECRET", "SYMBOL", "PRICE", "QTY", "BINANCE", "BYBIT", "Sample", "start_sim", "stop_sim",
           "measure", "engine_rest", "engine_ws", "engine_api", "aiohttp_baseline", "bybit_engine_rest",
           "bybit_engine_ws", "bybit_aiohttp_baseline"]

KEY, SECRET = "bench-key", "bench-secret"
SYMBOL, PRICE, QTY = "BTCUSDT", "48000", "0.01"
QTY_RAW, PRICE_RAW = 1_000_000, 48_000 * 100_000_000
BINANCE = "Binance spot"
BYBIT = "Bybit linear"


def start_sim(seed: int = 7) -> tuple[subprocess.Popen, str]:
    """Start ``python -m engine sim`` on a free loopback port with limits out of the way; (process, URL)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "sim", "--port", "0", "--api-key", KEY, "--api-secret", SECRET,
         "--balance", "USDT=100000000", "--balance", "BTC=1000", "--tick-interval", "0",
         "--orders-10s", "100000000", "--weight-limit", "100000000", "--bybit-per-second", "100000000",
         "--seed", str(seed)],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        proc.wait(timeout=10)
        raise RuntimeError(f"simulator did not start: {line!r}")
    return proc, line.split(" ", 2)[2]


def stop_sim(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@dataclass
class Sample:
    """One client's measurements (nanoseconds per operation)."""

    name: str
    venue: str = BINANCE
    kind: str = "engine"                          # "engine" | "baseline" | "peer"
    wall: dict[str, list[int]] = field(default_factory=lambda: {"place": [], "cancel": []})
    cpu: dict[str, list[int]] = field(default_factory=lambda: {"place": [], "cancel": []})
    wire: list[int] = field(default_factory=list)
    note: str = ""


async def measure(sample: Sample, place, cancel, n: int, warmup: int, wire_ns=None,
                  deadline: float | None = None, progress=None) -> None:
    """``warmup + n`` place/cancel pairs (fewer if ``deadline``, a ``time.monotonic()`` value, passes)."""
    for i in range(warmup + n):
        if deadline is not None and i > warmup and time.monotonic() > deadline:
            break
        c0, t0 = time.process_time_ns(), time.perf_counter_ns()
        oid = await place(i)
        t1, c1 = time.perf_counter_ns(), time.process_time_ns()
        w = wire_ns() if wire_ns else 0
        await cancel(oid)
        t2, c2 = time.perf_counter_ns(), time.process_time_ns()
        if i >= warmup:
            sample.wall["place"].append(t1 - t0)
            sample.cpu["place"].append(c1 - c0)
            sample.wall["cancel"].append(t2 - t1)
            sample.cpu["cancel"].append(c2 - c1)
            if w:
                sample.wire.append(w - t0)
        if progress is not None and i % 50 == 0:
            progress(sample.name, max(0, i - warmup), n)


# -- Binance spot ----------------------------------------------------------------------------------------
async def engine_rest(url, n, warmup, deadline=None, progress=None) -> Sample:
    from engine._enums import OrderType, Side, TimeInForce
    from engine.config import VenueConfig
    from engine.venues.binance.order_path import BinanceOrderPath
    from engine.venues.binance.rest import BinanceRest

    rest = BinanceRest(VenueConfig.local("binance-spot", url, KEY, SECRET))
    await rest.start()
    await rest.exchange_info()  # adopt the venue's published rate limits
    path = BinanceOrderPath(rest)
    await path.start()

    async def place(i):
        rec = await path.place(SYMBOL.encode(), Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY_RAW, PRICE_RAW, 0,
                               b"")
        return rec.order_id

    async def cancel(oid):
        await path.cancel(SYMBOL.encode(), order_id=oid)

    s = Sample("engine: REST lean order path")
    try:
        await measure(s, place, cancel, n, warmup, lambda: path.http.last_write_ns, deadline, progress)
    finally:
        await path.close()
        await rest.close()
    return s


async def engine_ws(url, n, warmup, deadline=None, progress=None) -> Sample:
    from engine.config import VenueConfig
    from engine.venues.binance.rest import BinanceRest
    from engine.venues.binance.ws_api import BinanceWsApi

    cfg = VenueConfig.local("binance-spot", url, KEY, SECRET)
    rest = BinanceRest(cfg)
    await rest.start()
    await rest.exchange_info()
    ws = BinanceWsApi(cfg, rest.clock, subscribe_user_data=False)
    await ws.start()
    params = {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": QTY,
              "price": PRICE, "newOrderRespType": "ACK"}

    async def place(i):
        return (await ws.order_place(params))["orderId"]

    async def cancel(oid):
        await ws.order_cancel(SYMBOL, order_id=oid)

    s = Sample("engine: WebSocket API")
    try:
        await measure(s, place, cancel, n, warmup, lambda: ws.ws.last_send_ns, deadline, progress)
    finally:
        await ws.stop()
        await rest.close()
    return s


async def engine_api(url, n, warmup, deadline=None, progress=None) -> Sample:
    """The full Engine a bot uses: risk checks, order store, user-data stream applied, events."""
    from engine._enums import Side
    from engine.api import connect
    from engine.config import VenueConfig

    cfg = VenueConfig.local("binance-spot", url, KEY, SECRET)
    async with connect(cfg, retention_s=3600.0) as eng:
        http = eng.adapter.orders.http

        async def place(i):
            return await eng.place_limit(SYMBOL, Side.BUY, QTY, PRICE)

        async def cancel(order):
            await eng.cancel(order)

        s = Sample("engine: Engine.place_limit / cancel (REST)", note="full OMS, user-data stream applied")
        await measure(s, place, cancel, n, warmup, lambda: http.last_write_ns, deadline, progress)
    return s


async def aiohttp_baseline(url, n, warmup, deadline=None, progress=None) -> Sample:
    import aiohttp

    wire = {"t": 0}

    async def on_sent(session, ctx, params):
        wire["t"] = time.perf_counter_ns()

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(on_sent)
    session = aiohttp.ClientSession(headers={"X-MBX-APIKEY": KEY}, trace_configs=[trace])
    key = SECRET.encode()

    def signed(params):
        query = urlencode({**params, "timestamp": int(time.time() * 1000)})
        return query + "&signature=" + hmac.new(key, query.encode(), hashlib.sha256).hexdigest()

    async def place(i):
        q = signed({"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": QTY,
                    "price": PRICE})
        async with session.post(f"{url}/api/v3/order?{q}") as r:
            return (await r.json())["orderId"]

    async def cancel(oid):
        async with session.delete(f"{url}/api/v3/order?{signed({'symbol': SYMBOL, 'orderId': oid})}") as r:
            await r.json()

    s = Sample("baseline: aiohttp + urllib + hmac", kind="baseline")
    try:
        await measure(s, place, cancel, n, warmup, lambda: wire["t"], deadline, progress)
    finally:
        await session.close()
    return s


# -- Bybit linear --------------------------------------------------------------------------------------------
BYBIT_ORDER = {"category": "linear", "symbol": SYMBOL, "side": "Buy", "orderType": "Limit", "qty": QTY,
               "price": PRICE, "timeInForce": "GTC"}


def _bybit_rest_unthrottled(rest) -> None:
    """Lift the client's 600 req / 5 s IP window, as the simulator was started without one.

    Bybit publishes no IP limit in its answers (only per-endpoint X-Bapi-Limit, which the
    client adopts from the first answer), so the benchmark sets it explicitly.
    """
    from engine.transport.ratelimit import Window

    rest.limiter.set_windows([Window("ip-5s", 100_000_000, 5.0, aligned=False)], [])


async def bybit_engine_rest(url, n, warmup, deadline=None, progress=None) -> Sample:
    from engine._enums import OrderType, Side, TimeInForce
    from engine.config import VenueConfig
    from engine.venues.bybit.order_path import BybitOrderPath
    from engine.venues.bybit.rest import BybitRest

    rest = BybitRest(VenueConfig.local("bybit", url, KEY, SECRET))
    await rest.start()
    _bybit_rest_unthrottled(rest)
    path = BybitOrderPath(rest, category="linear")
    await path.start()

    async def place(i):
        link = b"bl-%d" % i
        await path.place(SYMBOL.encode(), Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY_RAW, PRICE_RAW, 0, link)
        return link

    async def cancel(link):
        await path.cancel(SYMBOL.encode(), client_id=link)

    s = Sample("engine: REST lean order path", BYBIT)
    try:
        await measure(s, place, cancel, n, warmup, lambda: path.http.last_write_ns, deadline, progress)
    finally:
        await path.close()
        await rest.close()
    return s


async def bybit_engine_ws(url, n, warmup, deadline=None, progress=None) -> Sample:
    from engine.config import VenueConfig
    from engine.venues.bybit.rest import BybitRest
    from engine.venues.bybit.ws_trade import BybitWsTrade

    cfg = VenueConfig.local("bybit", url, KEY, SECRET)
    rest = BybitRest(cfg)
    await rest.start()
    _bybit_rest_unthrottled(rest)
    ws = BybitWsTrade(cfg, rest.clock, limiter=rest.limiter)
    await ws.start()

    async def place(i):
        link = f"bw-{i}"
        await ws.create({**BYBIT_ORDER, "orderLinkId": link})
        return link

    async def cancel(link):
        await ws.cancel("linear", SYMBOL, order_link_id=link)

    s = Sample("engine: WebSocket trade", BYBIT)
    try:
        await measure(s, place, cancel, n, warmup, lambda: ws.ws.last_send_ns, deadline, progress)
    finally:
        await ws.stop()
        await rest.close()
    return s


async def bybit_aiohttp_baseline(url, n, warmup, deadline=None, progress=None) -> Sample:
    import aiohttp

    wire = {"t": 0}

    async def on_sent(session, ctx, params):
        wire["t"] = time.perf_counter_ns()

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(on_sent)
    session = aiohttp.ClientSession(trace_configs=[trace])
    key = SECRET.encode()
    recv_window = "5000"

    async def post(path, args):
        body = json.dumps(args, separators=(",", ":"))
        ts = str(int(time.time() * 1000))
        sign = hmac.new(key, (ts + KEY + recv_window + body).encode(), hashlib.sha256).hexdigest()
        headers = {"X-BAPI-API-KEY": KEY, "X-BAPI-TIMESTAMP": ts, "X-BAPI-SIGN": sign,
                   "X-BAPI-RECV-WINDOW": recv_window, "Content-Type": "application/json"}
        async with session.post(f"{url}{path}", data=body, headers=headers) as r:
            doc = await r.json()
        if doc["retCode"] != 0:
            raise RuntimeError(f"bybit baseline: {doc['retCode']} {doc['retMsg']}")
        return doc["result"]

    async def place(i):
        link = f"ba-{i}"
        await post("/v5/order/create", {**BYBIT_ORDER, "orderLinkId": link})
        return link

    async def cancel(link):
        await post("/v5/order/cancel", {"category": "linear", "symbol": SYMBOL, "orderLinkId": link})

    s = Sample("baseline: aiohttp + json + hmac", BYBIT, kind="baseline")
    try:
        await measure(s, place, cancel, n, warmup, lambda: wire["t"], deadline, progress)
    finally:
        await session.close()
    return s
