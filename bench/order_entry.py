"""Client-side cost per order on loopback: this engine's REST and WebSocket paths vs a plain aiohttp client.

The simulator runs in its own process, so ``time.process_time`` in this process is the
client's CPU alone.  Each client places a resting LIMIT order and cancels it, N times,
sequentially; per operation we record wall time (call to answer), call-to-wire (call to
bytes handed to the socket, where the client exposes it) and client CPU.

Venues: Binance spot (REST lean path, WebSocket API, aiohttp + urllib + hmac baseline,
optionally ccxt) and Bybit V5 linear (REST lean path, WebSocket trade, aiohttp + json +
hmac baseline) and Gate.io spot (REST lean path, WebSocket order API, aiohttp + json + hmac baseline,
its own floor).  Bybit orders are cancelled by their orderLinkId, Gate.io orders by their text.

    python bench/order_entry.py --orders 2000 [--json out.json] [--ccxt] [--venue binance|bybit|gateio|all]

Reports medians and p99s, and each row's CPU ratio to its venue's aiohttp baseline
measured in the same run.  The clients and the simulator process live in
``engine.bench.roundtrip`` (shared with ``python -m engine bench``, which adds the full
Engine API, more peers and stages 1-3).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys

import uvloop

from engine.bench.roundtrip import (Sample, aiohttp_baseline, bybit_aiohttp_baseline, bybit_engine_rest,
                                    bybit_engine_ws, engine_rest, engine_ws, floor_reference, start_sim,
                                    stop_sim)
from engine.bench.roundtrip import alone
from engine.bench.roundtrip_gateio import (open_gate_aiohttp_baseline, open_gate_engine_rest, open_gate_engine_ws,
                                           open_gate_floor_reference)
from engine.bench.roundtrip_binance import ccxt_client
from engine.bench.timing import Skip


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def _is_baseline(s: Sample) -> bool:
    return s.kind == "baseline"


def summarise(samples: list[Sample]) -> list[dict]:
    rows = []
    for s in samples:
        base = next(b for b in samples if b.venue == s.venue and _is_baseline(b))
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
    proc, urls = start_sim()
    try:
        samples = []
        if venue in ("binance", "all"):
            url = urls["binance-spot"]
            samples += [await aiohttp_baseline(url, n, warmup), await floor_reference(url, n, warmup),
                        await engine_rest(url, n, warmup), await engine_ws(url, n, warmup)]
            if with_ccxt:
                try:
                    samples.append(await ccxt_client(url, n, warmup))
                except Skip as exc:
                    print(f"ccxt skipped: {exc}", file=sys.stderr)
        if venue in ("bybit", "all"):
            url = urls["bybit"]
            samples += [await bybit_aiohttp_baseline(url, n, warmup), await bybit_engine_rest(url, n, warmup),
                        await bybit_engine_ws(url, n, warmup)]
        if venue in ("gateio", "all"):
            url = urls["gateio"]
            for opener in (open_gate_aiohttp_baseline, open_gate_floor_reference, open_gate_engine_rest,
                           open_gate_engine_ws):
                samples.append(await alone(opener)(url, n, warmup))
        return samples
    finally:
        stop_sim(proc)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--ccxt", action="store_true", help="include ccxt when installed")
    ap.add_argument("--json", help="write the rows as JSON to this file")
    ap.add_argument("--venue", choices=("binance", "bybit", "gateio", "all"), default="all")
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
