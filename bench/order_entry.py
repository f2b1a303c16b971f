"""Client-side cost per order on loopback: this engine's REST and WebSocket paths vs a plain aiohttp client.

The simulator runs in its own process, so ``time.process_time`` in this process is the
client's CPU alone.  Each client places a resting LIMIT order and cancels it, N times,
sequentially; per operation we record wall time (call to answer), call-to-wire (call to
bytes handed to the socket, where the client exposes it) and client CPU.

Venues: Binance spot (REST lean path, WebSocket API, aiohttp + urllib + hmac baseline,
optionally ccxt) and Bybit V5 linear (REST lean path, WebSocket trade, aiohttp + json +
hmac baseline).  Bybit orders are cancelled by their orderLinkId.

    python bench/order_entry.py --orders 2000 [--json out.json] [--ccxt] [--venue binance|bybit|all]

Reports medians and p99s, and each row's CPU ratio to its venue's aiohttp baseline
measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from urllib.parse import urlencode

import uvloop

KEY, SECRET = "bench-key", "bench-secret"
SYMBOL, PRICE, QTY = "BTCUSDT", "45000", "0.01"


def start_sim() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "sim", "--port", "0", "--api-key", KEY, "--api-secret", SECRET,
         "--balance", "USDT=100000000", "--balance", "BTC=1000", "--tick-interval", "0",
         "--orders-10s", "100000000", "--weight-limit", "100000000", "--bybit-per-second", "100000000",
         "--seed", "7"],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return proc, line.split(" ", 2)[2]


class Sample:
    def __init__(self, name, venue="Binance spot"):
        self.name = name
        self.venue = venue
        self.wall: dict[str, list[int]] = {"place": [], "cancel": []}
        self.cpu: dict[str, list[int]] = {"place": [], "cancel": []}
        self.wire: list[int] = []


async def measure(sample: Sample, place, cancel, n: int, warmup: int, wire_ns=None) -> None:
    for i in range(warmup + n):
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


async def engine_rest(url, n, warmup) -> Sample:
    from engine._enums import OrderType, Side, TimeInForce
    from engine.config import VenueConfig
    from engine.venues.binance.order_path import BinanceOrderPath
    from engine.venues.binance.rest import BinanceRest

    rest = BinanceRest(VenueConfig.local("binance-spot", url, KEY, SECRET))
    await rest.start()
    await rest.exchange_info()  # adopt the venue's published rate limits
    path = BinanceOrderPath(rest)
    await path.start()
    qty, price = 1_000_000, 45_000 * 100_000_000

    async def place(i):
        rec = await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, qty, price, 0, b"")
        return rec.order_id

    async def cancel(oid):
        await path.cancel(b"BTCUSDT", order_id=oid)

    s = Sample("engine REST (lean path)")
    await measure(s, place, cancel, n, warmup, lambda: path.http.last_write_ns)
    await path.close()
    await rest.close()
    return s


async def engine_ws(url, n, warmup) -> Sample:
    from engine.config import VenueConfig
    from engine.venues.binance.rest import BinanceRest
    from engine.venues.binance.ws_api import BinanceWsApi

    cfg = VenueConfig.local("binance-spot", url, KEY, SECRET)
    rest = BinanceRest(cfg)
    await rest.start()
    await rest.exchange_info()
    ws = BinanceWsApi(cfg, rest.clock, subscribe_user_data=False)
    await ws.start()
    from engine._parse_binance import BinanceParser

    params = {"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": QTY,
              "price": PRICE, "newOrderRespType": "ACK"}
    parser = BinanceParser()

    async def place(i):  # as the engine does it: hand-built frame out, raw answer into the compiled parser
        parser.parse(await ws.send_raw("order.place", params))
        return parser.order_id

    async def cancel(oid):
        parser.parse(await ws.send_raw("order.cancel", {"symbol": SYMBOL, "orderId": oid}))

    s = Sample("engine WebSocket API")
    await measure(s, place, cancel, n, warmup, lambda: ws.ws.last_send_ns)
    await ws.stop()
    await rest.close()
    return s


async def aiohttp_baseline(url, n, warmup) -> Sample:
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

    s = Sample("baseline: aiohttp + urllib + hmac")
    await measure(s, place, cancel, n, warmup, lambda: wire["t"])
    await session.close()
    return s


async def ccxt_client(url, n, warmup) -> Sample | None:
    try:
        import ccxt.async_support as ccxt
    except ImportError:
        return None
    ex = ccxt.binance({"apiKey": KEY, "secret": SECRET, "enableRateLimit": False,
                       "options": {"fetchCurrencies": False, "defaultType": "spot", "adjustForTimeDifference": False}})
    for k in list(ex.urls["api"]):
        if isinstance(ex.urls["api"][k], str) and ("api.binance.com" in ex.urls["api"][k]):
            ex.urls["api"][k] = ex.urls["api"][k].replace("https://api.binance.com", url)
    try:
        await ex.load_markets()
    except Exception as exc:  # a peer that cannot run is skipped, never faked
        print(f"ccxt skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
        await ex.close()
        return None

    async def place(i):
        return (await ex.create_order("BTC/USDT", "limit", "buy", float(QTY), float(PRICE)))["id"]

    async def cancel(oid):
        await ex.cancel_order(oid, "BTC/USDT")

    s = Sample("ccxt (async)")
    await measure(s, place, cancel, n, warmup)
    await ex.close()
    return s


BYBIT = "Bybit linear"
BYBIT_ORDER = {"category": "linear", "symbol": SYMBOL, "side": "Buy", "orderType": "Limit", "qty": QTY,
               "price": PRICE, "timeInForce": "GTC"}


def _bybit_rest_unthrottled(rest) -> None:
    """Lift the client's 600 req / 5 s IP window, as the simulator was started without one.

    Bybit publishes no IP limit in its answers (only per-endpoint X-Bapi-Limit, which the
    client adopts from the first answer), so the benchmark sets it explicitly.
    """
    from engine.transport.ratelimit import Window

    rest.limiter.set_windows([Window("ip-5s", 100_000_000, 5.0, aligned=False)], [])


async def bybit_engine_rest(url, n, warmup) -> Sample:
    from engine._enums import OrderType, Side, TimeInForce
    from engine.config import VenueConfig
    from engine.venues.bybit.order_path import BybitOrderPath
    from engine.venues.bybit.rest import BybitRest

    rest = BybitRest(VenueConfig.local("bybit", url, KEY, SECRET))
    await rest.start()
    _bybit_rest_unthrottled(rest)
    path = BybitOrderPath(rest, category="linear")
    await path.start()
    qty, price = 1_000_000, 45_000 * 100_000_000

    async def place(i):
        link = b"bl-%d" % i
        await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, qty, price, 0, link)
        return link

    async def cancel(link):
        await path.cancel(b"BTCUSDT", client_id=link)

    s = Sample("engine REST (lean path)", BYBIT)
    await measure(s, place, cancel, n, warmup, lambda: path.http.last_write_ns)
    await path.close()
    await rest.close()
    return s


async def bybit_engine_ws(url, n, warmup) -> Sample:
    from engine.config import VenueConfig
    from engine.venues.bybit.rest import BybitRest
    from engine.venues.bybit.ws_trade import BybitWsTrade

    cfg = VenueConfig.local("bybit", url, KEY, SECRET)
    rest = BybitRest(cfg)
    await rest.start()
    _bybit_rest_unthrottled(rest)
    ws = BybitWsTrade(cfg, rest.clock, limiter=rest.limiter)
    await ws.start()

    from engine._parse_bybit import BybitParser

    parser = BybitParser()

    async def place(i):  # as the engine does it: hand-built frame out, raw ack into the compiled parser
        link = f"bw-{i}"
        parser.parse(await ws.send_raw("order.create", {**BYBIT_ORDER, "orderLinkId": link}))
        return link

    async def cancel(link):
        parser.parse(await ws.send_raw("order.cancel", {"category": "linear", "symbol": SYMBOL,
                                                         "orderLinkId": link}))

    s = Sample("engine WebSocket trade", BYBIT)
    await measure(s, place, cancel, n, warmup, lambda: ws.ws.last_send_ns)
    await ws.stop()
    await rest.close()
    return s


async def bybit_aiohttp_baseline(url, n, warmup) -> Sample:
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

    s = Sample("baseline: aiohttp + json + hmac", BYBIT)
    await measure(s, place, cancel, n, warmup, lambda: wire["t"])
    await session.close()
    return s


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def summarise(samples: list[Sample]) -> list[dict]:
    rows = []
    for s in samples:
        base = next(b for b in samples if b.venue == s.venue and b.name.startswith("baseline"))
        base_cpu = statistics.median(base.cpu["place"])
        cpu = statistics.median(s.cpu["place"])
        rows.append({
            "venue": s.venue,
            "client": s.name,
            "place_wall_median_us": statistics.median(s.wall["place"]) / 1e3,
            "place_wall_p99_us": pct(s.wall["place"], 0.99) / 1e3,
            "call_to_wire_median_us": statistics.median(s.wire) / 1e3 if s.wire else None,
            "call_to_wire_p99_us": pct(s.wire, 0.99) / 1e3 if s.wire else None,
            "place_cpu_median_us": cpu / 1e3,
            "cancel_cpu_median_us": statistics.median(s.cpu["cancel"]) / 1e3,
            "cpu_ratio_vs_baseline": base_cpu / cpu if cpu else None,
        })
    return rows


def markdown(rows: list[dict], n: int) -> str:
    out = [f"Orders per client: {n} (place + cancel, sequential, loopback, simulator in its own process)",
           f"Machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
           f"Python {platform.python_version()}", "",
           "| venue | client | place wall median µs | p99 µs | call→wire median µs | p99 µs | client CPU / place µs |"
           " client CPU / cancel µs | baseline CPU ÷ this |",
           "|---|---|---|---|---|---|---|---|---|"]
    f = lambda v: "n/a" if v is None else f"{v:.1f}"
    for r in rows:
        out.append(f"| {r['venue']} | {r['client']} | {f(r['place_wall_median_us'])} | {f(r['place_wall_p99_us'])} | "
                   f"{f(r['call_to_wire_median_us'])} | {f(r['call_to_wire_p99_us'])} | {f(r['place_cpu_median_us'])} | "
                   f"{f(r['cancel_cpu_median_us'])} | {f(r['cpu_ratio_vs_baseline'])}x |")
    return "\n".join(out)


async def run(n: int, warmup: int, with_ccxt: bool, venue: str = "all") -> list[Sample]:
    proc, url = start_sim()
    try:
        samples = []
        if venue in ("binance", "all"):
            samples += [await aiohttp_baseline(url, n, warmup), await engine_rest(url, n, warmup),
                        await engine_ws(url, n, warmup)]
            if with_ccxt:
                s = await ccxt_client(url, n, warmup)
                if s is None:
                    print("ccxt: not installed or could not run: skipped", file=sys.stderr)
                else:
                    samples.append(s)
        if venue in ("bybit", "all"):
            samples += [await bybit_aiohttp_baseline(url, n, warmup), await bybit_engine_rest(url, n, warmup),
                        await bybit_engine_ws(url, n, warmup)]
        return samples
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--ccxt", action="store_true", help="include ccxt when installed")
    ap.add_argument("--json", help="write the rows as JSON to this file")
    ap.add_argument("--venue", choices=("binance", "bybit", "all"), default="all")
    args = ap.parse_args(argv)
    samples = uvloop.run(run(args.orders, args.warmup, args.ccxt, args.venue))
    rows = summarise(samples)
    print(markdown(rows, args.orders))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
