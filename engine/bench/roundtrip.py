"""Stages 4-5: place-and-acknowledge and cancel round trips on loopback against the simulator.

The simulator runs in its own process (``python -m engine sim``), so ``time.process_time``
in this process is the client's CPU alone.  Each client places a resting LIMIT buy and
cancels it, N times, one after the other; per operation we record wall time (call to
answer), client CPU, and call-to-wire (call to bytes handed to the socket) where the
client exposes when it wrote.

Clients here: this engine (the lean REST order paths, the WebSocket order entry paths
and the full ``Engine`` API) and the pure-Python baselines (aiohttp + urllib/json +
hmac), for Binance spot and Bybit linear.  Each venue's rows of the report, and its peers, are in
``engine/bench/roundtrip_<venue>.py``.  ``bench/order_entry.py`` uses these too.

Each client is an opener, ``open_*(url) -> Session`` (connected, with ``place``,
``cancel``, ``wire_ns`` and ``close``), so the harness can keep every client connected
and measure them in turns; ``engine_rest(url, n, warmup)`` and friends run one client
alone from start to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import urlencode

__all__ = ["KEY", "SECRET", "SYMBOL", "PRICE", "QTY", "BINANCE", "BYBIT", "Sample", "Session", "start_sim",
           "start_sims", "stop_sim", "measure", "measure_pairs", "run_session", "open_engine_rest", "open_engine_rest_stream", "open_engine_ws",
           "open_engine_ws_stream", "open_engine_api", "open_engine_api_busy", "open_engine_api_ws",
           "open_aiohttp_baseline", "open_floor_reference", "open_bybit_engine_rest", "open_bybit_engine_ws", "open_bybit_aiohttp_baseline",
           "engine_rest", "engine_ws", "floor_reference", "engine_api", "aiohttp_baseline", "bybit_engine_rest", "bybit_engine_ws",
           "bybit_aiohttp_baseline", "alone"]

KEY, SECRET = "bench-key", "bench-secret"
SYMBOL, PRICE, QTY = "BTCUSDT", "48000", "0.01"
QTY_RAW, PRICE_RAW = 1_000_000, 48_000 * 100_000_000
BINANCE = "Binance spot"
BYBIT = "Bybit linear"


def _sim_command(seed: int) -> list[str]:
    # The secret goes in the environment (_sim_env), never on the command line.  Every personality's
    # rate limits are lifted out of the way, by the options it declares.
    from engine.sim.ratelimit import limit_options
    lifted = [arg for option in limit_options() for arg in (option.flag, "100000000")]
    return [sys.executable, "-m", "engine", "sim", "--port", "0", "--api-key", KEY,
            "--balance", "USDT=100000000", "--balance", "BTC=1000", "--tick-interval", "0",
            *lifted, "--seed", str(seed)]


# Cores the simulator processes run on (None: wherever the OS puts them); see pin_cores().
SIM_CPUS: set[int] | None = None


def pin_cores(spec: str) -> dict:
    """Put this (client) process and the simulators on fixed cores: ``spec`` is ``CLIENT:SIM``
    (e.g. ``0:1``), ``auto`` (the first usable core for the client, the next for the simulators,
    when there are two) or ``none``.  Returns what was done, for the report."""
    global SIM_CPUS
    try:
        usable = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return {"pinned": False, "why": "no CPU affinity on this platform"}
    if spec == "none":
        SIM_CPUS = None
        return {"pinned": False, "why": "--cpus none"}
    if spec == "auto":
        if len(usable) < 2:
            return {"pinned": False, "why": f"{len(usable)} usable core"}
        client, sim = {usable[0]}, {usable[1]}
    else:
        try:
            a, b = spec.split(":")
            client, sim = {int(x) for x in a.split(",")}, {int(x) for x in b.split(",")}
        except ValueError:
            raise ValueError(f"--cpus is CLIENT:SIM (e.g. 0:1), auto or none, not {spec!r}") from None
    os.sched_setaffinity(0, client)
    SIM_CPUS = sim
    return {"pinned": True, "client_cpus": sorted(client), "sim_cpus": sorted(sim)}


def _pin_sim() -> None:
    if SIM_CPUS:
        os.sched_setaffinity(0, SIM_CPUS)


def _sim_env() -> dict[str, str]:
    from engine.sim.cli import SECRET_ENV

    return {**os.environ, SECRET_ENV: SECRET}


def start_sims(count: int, seed: int = 7) -> list[tuple[subprocess.Popen, dict[str, str]]]:
    """Start ``count`` simulators (``python -m engine sim``) on free loopback ports, limits out of
    the way; returns ``(process, URLs)`` for each, URLs by engine venue (``SimExchange.urls``).
    They start in parallel."""
    from engine.sim.cli import read_urls

    procs = [subprocess.Popen(_sim_command(seed), stdout=subprocess.PIPE, text=True, env=_sim_env(),
                              preexec_fn=_pin_sim if SIM_CPUS else None)
             for _ in range(count)]
    out = []
    try:
        for proc in procs:
            out.append((proc, read_urls(proc.stdout.readline)))
    except BaseException:
        for proc in procs:
            stop_sim(proc)
        raise
    return out


def start_sim(seed: int = 7) -> tuple[subprocess.Popen, dict[str, str]]:
    """One simulator in its own process; ``(process, URLs by engine venue)``."""
    return start_sims(1, seed)[0]


def stop_sim(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
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
    # two orders written in a row (Session.pair): the call to wire of the first, and of the second (the caches
    # warm from the first)
    wire_first: list[int] = field(default_factory=list)
    wire_second: list[int] = field(default_factory=list)
    note: str = ""
    floor: str = ""     # the floor row it is measured against: "" its venue's (HTTP), "ws" its WebSocket floor


@dataclass
class Session:
    """A connected client: ``place(i) -> handle``, ``cancel(handle)``, when it last wrote, ``close()``."""

    sample: Sample
    place: Callable[[int], Awaitable[Any]]
    cancel: Callable[[Any], Awaitable[Any]]
    wire_ns: Callable[[], int] | None
    close: Callable[[], Awaitable[None]]
    next_index: int = 0
    # called around each of its turns (the harness keeps every client connected, on one event loop): what
    # the client does only while it is measured (a busy-polling loop spins then, not during the others' turns)
    enter: Callable[[], None] | None = None
    leave: Callable[[], None] | None = None
    # pair(i): orders i and i + 1 written one right after the other (no turn of the event loop between), both
    # answered and cancelled -> (call to wire of the first, of the second) in ns; see measure_pairs
    pair: Callable[[int], Awaitable[tuple[int, int]]] | None = None


async def measure(sample: Sample, place, cancel, n: int, warmup: int, wire_ns=None,
                  deadline: float | None = None, progress=None, start: int = 0) -> int:
    """``warmup + n`` place/cancel pairs, indices from ``start`` (fewer if ``deadline``, a
    ``time.monotonic()`` value, passes); returns the next index."""
    i = start
    for j in range(warmup + n):
        if deadline is not None and j > warmup and time.monotonic() > deadline:
            break
        c0, t0 = time.process_time_ns(), time.perf_counter_ns()
        oid = await place(i)
        t1, c1 = time.perf_counter_ns(), time.process_time_ns()
        w = wire_ns() if wire_ns else 0
        await cancel(oid)
        t2, c2 = time.perf_counter_ns(), time.process_time_ns()
        i += 1
        if j >= warmup:
            sample.wall["place"].append(t1 - t0)
            sample.cpu["place"].append(c1 - c0)
            sample.wall["cancel"].append(t2 - t1)
            sample.cpu["cancel"].append(c2 - c1)
            if w:
                sample.wire.append(w - t0)
        if progress is not None and j % 50 == 0:
            progress(sample.name, max(0, j - warmup), n)
    return i


async def measure_pairs(session: Session, n: int, warmup: int, start: int = 0) -> int:
    """``warmup + n`` turns of :attr:`Session.pair`, recorded in ``wire_first`` / ``wire_second``; returns the next
    index.  The second order's call to wire is the same call made with its code and data just used: what the
    path costs with the caches warm, against the first (and the place rows), made after the loop's other work
    between orders has evicted them."""
    i = start
    for j in range(warmup + n):
        first, second = await session.pair(i)
        i += 2
        if j >= warmup:
            session.sample.wire_first.append(first)
            session.sample.wire_second.append(second)
    return i


async def run_session(opener, url, n, warmup, deadline=None, progress=None) -> Sample:
    """Open one client, measure it alone, close it."""
    session = await opener(url)
    try:
        await measure(session.sample, session.place, session.cancel, n, warmup, session.wire_ns, deadline,
                      progress)
    finally:
        await session.close()
    return session.sample


# -- Binance spot ----------------------------------------------------------------------------------------
async def open_engine_rest(url, *, user_stream: bool = False, venue: str = "binance-spot",
                           report: str = BINANCE) -> Session:
    """The lean REST order path alone; with ``user_stream``, the account's user-data stream read beside it
    (its order and balance messages parsed by the compiled parsers; no order manager): what a full Engine
    cannot do without, so the Engine rows' distance to that row is the order manager's own cost."""
    from engine._enums import OrderType, Side, TimeInForce
    from engine.config import VenueConfig
    from engine.venues.binance.order_path import BinanceOrderPath
    from engine.venues.binance.rest import BinanceRest

    cfg = VenueConfig.local(venue, url, KEY, SECRET)
    rest = BinanceRest(cfg)
    await rest.start()
    await rest.exchange_info()  # adopt the venue's published rate limits
    stream = await _parsed_user_stream(cfg, rest) if user_stream else None
    path = BinanceOrderPath(rest)
    await path.start()

    async def place(i):
        rec = await path.place(SYMBOL.encode(), Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY_RAW, PRICE_RAW, 0,
                               b"")
        return rec.order_id

    async def cancel(oid):
        await path.cancel(SYMBOL.encode(), order_id=oid)

    async def close():
        await path.close()
        if stream is not None:
            await stream.stop()
        await rest.close()

    sample = (Sample("engine: REST lean order path + user-data stream parsed", report,
                     note="no order manager; the Engine's floor")
              if user_stream else Sample("engine: REST lean order path", report))
    return Session(sample, place, cancel, lambda: path.http.last_write_ns, close)


async def open_engine_rest_stream(url) -> Session:
    """:func:`open_engine_rest` with the account's user-data stream read and parsed beside it."""
    return await open_engine_rest(url, user_stream=True)


async def _parsed_user_stream(cfg, rest):
    """The account's user-data stream (spot: on the WebSocket API session; USD-M: its listen-key stream),
    every message through the compiled order parser, and the balance parser when it holds no order record."""
    from engine._parse_balances import BalanceParser
    from engine._parse_binance import BinanceParser
    from engine.venues.binance.user_stream import UsdmUserStream
    from engine.venues.binance.ws_orders import BinanceWsApi

    orders, balances = BinanceParser(futures=rest.futures), BalanceParser()

    def on_stream(payload: bytes) -> None:
        orders.parse(payload)
        if not orders.next_record():
            balances.parse(payload)

    if rest.futures:
        stream = UsdmUserStream(rest, on_stream)
    else:
        stream = BinanceWsApi(cfg, rest.clock, on_event=on_stream, limiter=rest.limiter)
    await stream.start()
    return stream


async def open_engine_ws(url, user_stream: bool = False) -> Session:
    """The WebSocket API order path the Engine uses: compiled frames out, answers to the compiled parser.
    ``user_stream``: the account's user-data events subscribed on the same session and parsed as
    :func:`_parsed_user_stream` parses them, the answers in the Engine's own (FULL) shape: what an Engine
    placing over the WebSocket API cannot do without."""
    from engine._codec_binance_ws import RESP_ACK, RESP_FULL
    from engine._enums import OrderType, Side, TimeInForce
    from engine._parse_binance import BinanceParser
    from engine.config import VenueConfig
    from engine.venues.binance.rest import BinanceRest
    from engine.venues.binance.ws_orders import BinanceWsApi

    cfg = VenueConfig.local("binance-spot", url, KEY, SECRET)
    rest = BinanceRest(cfg)
    await rest.start()
    await rest.exchange_info()
    if user_stream:
        ws = await _parsed_user_stream(cfg, rest)
    else:
        ws = BinanceWsApi(cfg, rest.clock, subscribe_user_data=False)
        await ws.start()
    parser = BinanceParser()
    symbol = SYMBOL.encode()
    resp_type = RESP_FULL if user_stream else RESP_ACK

    async def place(i):
        parser.parse(await ws.place_order(symbol, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY_RAW, PRICE_RAW,
                                          resp_type=resp_type))
        return parser.order_id

    async def cancel(oid):
        parser.parse(await ws.cancel_order(symbol, order_id=oid))

    async def close():
        await ws.stop()
        await rest.close()

    label = "engine: WebSocket API + user-data events parsed" if user_stream else "engine: WebSocket API"
    return Session(Sample(label), place, cancel, lambda: ws.ws.last_send_ns, close)


async def open_engine_ws_stream(url) -> Session:
    """:func:`open_engine_ws` with the account's user-data events read and parsed on the same session."""
    return await open_engine_ws(url, user_stream=True)


async def open_engine_api(url, order_entry: str = "rest", *, venue: str = "binance-spot", report: str = BINANCE,
                          prepare=None, ws_of=lambda eng: eng.adapter.ws_api.ws, ws_label: str = "WebSocket API",
                          busy_poll: bool = False) -> Session:
    """The full Engine a bot uses: risk checks, order store, user-data stream applied, events (``venue``'s
    account; ``prepare(eng)`` adjusts it before the first order, ``ws_of(eng)`` is its order socket)."""
    from engine._enums import Side
    from engine.api import connect
    from engine.config import VenueConfig

    stack = contextlib.AsyncExitStack()
    eng = await stack.enter_async_context(connect(VenueConfig.local(venue, url, KEY, SECRET),
                                                  order_entry=order_entry, retention_s=3600.0,
                                                  busy_poll=busy_poll))
    if prepare is not None:
        prepare(eng)
    if order_entry == "ws":
        ws = ws_of(eng)
        wire = lambda: ws.last_send_ns    # noqa: E731
    else:
        http = eng.adapter.orders.http
        wire = lambda: http.last_write_ns    # noqa: E731

    async def place(i):
        return await eng.place_limit(SYMBOL, Side.BUY, QTY, PRICE)

    async def cancel(order):
        await eng.cancel(order)

    label = ws_label if order_entry == "ws" else "REST"
    if not busy_poll:
        return Session(Sample(f"engine: Engine.place_limit / cancel ({label})", report,
                              note="full OMS, user-data stream applied"), place, cancel, wire, stack.aclose)
    spin, loop = eng.busy_poll, asyncio.get_running_loop()
    spin.stop()                         # (spinning during its own turns alone: Session.enter / leave)
    return Session(Sample(f"engine: Engine.place_limit / cancel ({label}), busy-polling loop", report,
                          note="the loop spins: its client CPU is its wall time (not comparable)"),
                   place, cancel, wire, stack.aclose, enter=lambda: spin.start(loop), leave=spin.stop)


async def open_engine_submit(url, busy_poll: bool = False) -> Session:
    """The full Engine's no-await ``submit_limit``: the bytes leave before the call returns; the bench
    awaits the order's ``accepted`` (or ending) event as a bot's handler would see it (subscribed to those
    kinds alone).  ``busy_poll``: its event loop spinning during its turns (``Engine(busy_poll=True)``)."""
    from engine._enums import Side
    from engine.api import connect
    from engine.config import VenueConfig
    from engine.oms.events import EventKind

    stack = contextlib.AsyncExitStack()
    eng = await stack.enter_async_context(connect(VenueConfig.local("binance-spot", url, KEY, SECRET),
                                                  retention_s=3600.0, busy_poll=busy_poll))
    http = eng.adapter.orders.http
    waiting: dict[str, asyncio.Future] = {}
    ends = {EventKind.ACCEPTED, EventKind.REJECTED, EventKind.UNKNOWN, EventKind.FILLED, EventKind.CANCELLED}

    def on_event(event):
        if event.kind in ends and event.order is not None:
            fut = waiting.pop(event.order.client_order_id, None)
            if fut is not None and not fut.done():
                fut.set_result(event.order)
    eng.on(on_event, kinds=ends)         # its orders' outcomes alone, as a bot placing this way subscribes
    loop = asyncio.get_running_loop()

    async def place(i):
        cid = eng.submit_limit(SYMBOL, Side.BUY, QTY, PRICE)
        fut = waiting[cid] = loop.create_future()
        return await fut

    async def cancel(order):
        await eng.cancel(order)

    async def pair(i):
        t0 = time.perf_counter_ns()
        cid1 = eng.submit_limit(SYMBOL, Side.BUY, QTY, PRICE)
        w1 = http.last_write_ns
        t1 = time.perf_counter_ns()
        cid2 = eng.submit_limit(SYMBOL, Side.BUY, QTY, PRICE)
        w2 = http.last_write_ns
        if w2 == w1:
            raise RuntimeError("the second submit_limit of a pair was not written within its call")
        futs = [waiting.setdefault(cid, loop.create_future()) for cid in (cid1, cid2)]
        for fut in futs:
            await cancel(await fut)
        return w1 - t0, w2 - t1

    if not busy_poll:
        return Session(Sample("engine: Engine.submit_limit / cancel (REST)", note="no-await submit; outcome by event"),
                       place, cancel, lambda: http.last_write_ns, stack.aclose, pair=pair)
    spin = eng.busy_poll
    spin.stop()                         # (spinning during its own turns alone: Session.enter / leave)
    return Session(Sample("engine: Engine.submit_limit / cancel (REST), busy-polling loop",
                          note="the loop spins: its client CPU is its wall time (not comparable)"),
                   place, cancel, lambda: http.last_write_ns, stack.aclose,
                   enter=lambda: spin.start(loop), leave=spin.stop, pair=pair)


async def open_engine_submit_busy(url) -> Session:
    """:func:`open_engine_submit` with its event loop spinning during its turns."""
    return await open_engine_submit(url, busy_poll=True)


async def open_engine_api_busy(url) -> Session:
    """:func:`open_engine_api` with its event loop spinning during its turns (``Engine(busy_poll=True)``)."""
    return await open_engine_api(url, busy_poll=True)


async def open_engine_api_ws(url) -> Session:
    """The full Engine with ``order_entry="ws"``: orders and the user data on one WebSocket API session."""
    return await open_engine_api(url, order_entry="ws")


async def open_aiohttp_baseline(url, *, path: str = "/api/v3/order", venue: str = BINANCE) -> Session:
    """The pure-Python baseline: aiohttp, urllib and hmac on ``path`` (spot's, or USD-M's /fapi/v1/order)."""
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
        async with session.post(f"{url}{path}?{q}") as r:
            return (await r.json())["orderId"]

    async def cancel(oid):
        async with session.delete(f"{url}{path}?{signed({'symbol': SYMBOL, 'orderId': oid})}") as r:
            await r.json()

    return Session(Sample("baseline: aiohttp + urllib + hmac", venue, kind="baseline"), place, cancel,
                   lambda: wire["t"], session.close)


async def open_floor_reference(url, *, path: str = "/api/v3/order", venue: str = BINANCE) -> Session:
    """The floor of any asyncio client here: a bare uvloop Protocol writing pre-built, pre-signed
    HTTP/1.1 bytes (built before the clock starts) and waiting on a future for the answer, which it
    only frames by Content-Length (:mod:`engine.bench.floor`).  It asks for the answer the engine's
    row gets (the default, the whole order), so both read the same bytes.  It does no encoding,
    signing, parsing, pacing or error mapping, so it is not a usable client: it shows what the event
    loop and the loopback socket cost alone."""
    from urllib.parse import urlsplit

    from engine.bench.floor import open_floor, signed_query_request

    host = urlsplit(url).netloc

    def request(method: str, query: str) -> bytes:
        return signed_query_request(host, method, path, query, "X-MBX-APIKEY")

    def prebuild(i):
        cid = f"floor-{i}"
        return (request("POST", f"symbol={SYMBOL}&side=BUY&type=LIMIT&timeInForce=GTC&quantity={QTY}"
                                f"&price={PRICE}&newClientOrderId={cid}"),
                request("DELETE", f"symbol={SYMBOL}&origClientOrderId={cid}"))

    return await open_floor(url, venue, prebuild)


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


async def open_bybit_engine_rest(url) -> Session:
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

    async def close():
        await path.close()
        await rest.close()

    return Session(Sample("engine: REST lean order path", BYBIT), place, cancel, lambda: path.http.last_write_ns,
                   close)


async def open_bybit_engine_ws(url) -> Session:
    """The trade WebSocket order path the Engine uses: compiled args out, acks to the compiled parser."""
    from engine._enums import OrderType, Side, TimeInForce
    from engine._parse_bybit import BybitParser
    from engine.config import VenueConfig
    from engine.venues.bybit.rest import BybitRest
    from engine.venues.bybit.ws_orders import BybitWsTrade

    cfg = VenueConfig.local("bybit", url, KEY, SECRET)
    rest = BybitRest(cfg)
    await rest.start()
    _bybit_rest_unthrottled(rest)
    ws = BybitWsTrade(cfg, rest.clock, limiter=rest.limiter, category="linear")
    await ws.start()
    parser = BybitParser()
    symbol = SYMBOL.encode()

    async def place(i):
        link = b"bw-%d" % i
        parser.parse(await ws.place_order(symbol, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY_RAW, PRICE_RAW,
                                          0, link))
        return link

    async def cancel(link):
        parser.parse(await ws.cancel_order(symbol, client_id=link))

    async def close():
        await ws.stop()
        await rest.close()

    return Session(Sample("engine: WebSocket trade", BYBIT), place, cancel, lambda: ws.ws.last_send_ns, close)


async def open_bybit_aiohttp_baseline(url) -> Session:
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

    return Session(Sample("baseline: aiohttp + json + hmac", BYBIT, kind="baseline"), place, cancel,
                   lambda: wire["t"], session.close)


# -- one client alone, start to end (bench/order_entry.py) -------------------------------------------------------
def alone(opener):
    """``client(url, n, warmup, deadline=None, progress=None) -> Sample`` for an opener."""
    async def run(url, n, warmup, deadline=None, progress=None) -> Sample:
        return await run_session(opener, url, n, warmup, deadline, progress)
    run.__name__ = opener.__name__.replace("open_", "")
    return run


engine_rest = alone(open_engine_rest)
engine_ws = alone(open_engine_ws)
floor_reference = alone(open_floor_reference)
engine_api = alone(open_engine_api)
aiohttp_baseline = alone(open_aiohttp_baseline)
bybit_engine_rest = alone(open_bybit_engine_rest)
bybit_engine_ws = alone(open_bybit_engine_ws)
bybit_aiohttp_baseline = alone(open_bybit_aiohttp_baseline)
