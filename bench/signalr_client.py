"""SignalR hub clients compared on loopback: the engine's thin layer on picows against pysignalr.

The simulator's hub server (engine.sim.topstepx.hub) runs in its own process and pushes
``GatewayUserOrder`` events, one record per frame, every ``--gap-us`` microseconds; each
event's ``id`` is the server's ``time.perf_counter_ns()`` at the write (one clock on Linux
for both processes).  Each client reads the events as it would in production:

- ``picows``: :class:`engine.venues.topstepx.signalr.HubConnection`, each record parsed by the
  compiled :class:`~engine._parse_topstepx.TopstepxParser` (what the engine applies);
- ``pysignalr``: :class:`pysignalr.client.SignalRClient` (websockets + orjson), its handler
  given the decoded event.

Printed per client: delivery latency (server write to handler) median and p99, and the
client's CPU time per event (process time from the first event to the last / events; the
client is mostly idle between events, so this is the cost of taking one in).

    python -m bench.signalr_client --events 5000 --gap-us 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

TOKEN = "bench-token"
SERVER = r"""
import asyncio, json, sys, time
from aiohttp import web
from engine.sim.topstepx.hub import HubServer, record
N, GAP = int(sys.argv[1]), float(sys.argv[2]) / 1e6
TEMPLATE = {"accountId": 465, "contractId": "CON.F.US.MNQ.Z26", "symbolId": "F.US.MNQ",
            "creationTimestamp": "2026-01-02T14:30:00.1+00:00", "updateTimestamp": "2026-01-02T14:30:00.4+00:00",
            "status": 1, "type": 1, "side": 0, "size": 1, "limitPrice": 21000.25, "stopPrice": None,
            "fillVolume": 0, "filledPrice": None, "customTag": "bench-000001"}

async def push(client):
    await asyncio.sleep(0.2)
    for _ in range(N):
        msg = dict(TEMPLATE, id=time.perf_counter_ns())
        await client.send_text(record({"type": 1, "target": "GatewayUserOrder", "arguments": [msg]}))
        t = time.perf_counter() + GAP
        while time.perf_counter() < t:
            await asyncio.sleep(0)
    await client.send_text(record({"type": 1, "target": "GatewayUserOrder", "arguments": [dict(TEMPLATE, id=0)]}))

def subscribe(client, args):
    asyncio.get_running_loop().create_task(push(client))

async def main():
    hub = HubServer("user", lambda t: "acct" if t == "bench-token" else None, {"SubscribeOrders": subscribe})
    app = web.Application()
    app.router.add_get("/hubs/user", hub.serve)
    app.router.add_post("/hubs/user/negotiate", hub.negotiate)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def start_server(n: int, gap_us: float) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(n), str(gap_us)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    return proc, int(proc.stdout.readline())


async def run_picows(port: int) -> tuple[list[int], float, int]:
    from engine._parse_topstepx import TopstepxParser
    from engine.venues.topstepx.signalr import HubConnection
    parser = TopstepxParser()
    lat: list[int] = []
    done = asyncio.Event()

    cpu0 = []

    def on_event(record: bytes) -> None:
        now = time.perf_counter_ns()
        parser.parse(record)
        parser.next_record()
        sent = parser.order_id
        if sent == 0:
            done.set()
        else:
            if not cpu0:
                cpu0.append(time.process_time())
            lat.append(now - sent)

    async def ready(hub):
        await hub.invoke("SubscribeOrders", 465)

    conn = HubConnection(lambda: f"ws://127.0.0.1:{port}/hubs/user?access_token={TOKEN}", on_event,
                         name="bench-hub", on_ready=ready)
    await conn.start()
    await done.wait()
    cpu = time.process_time() - cpu0[0]
    await conn.stop()
    return lat, cpu, len(lat)


async def run_pysignalr(port: int) -> tuple[list[int], float, int]:
    from pysignalr.client import SignalRClient
    lat: list[int] = []
    done = asyncio.Event()
    client = SignalRClient(f"http://127.0.0.1:{port}/hubs/user?access_token={TOKEN}")

    cpu0 = []

    async def on_order(args):
        now = time.perf_counter_ns()
        sent = args[0]["id"]
        if sent == 0:
            done.set()
        else:
            if not cpu0:
                cpu0.append(time.process_time())
            lat.append(now - sent)

    async def on_open():
        await client.send("SubscribeOrders", [465])

    client.on("GatewayUserOrder", on_order)
    client.on_open(on_open)
    task = asyncio.get_running_loop().create_task(client.run())
    await done.wait()
    cpu = time.process_time() - cpu0[0]
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return lat, cpu, len(lat)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--gap-us", type=float, default=200.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import uvloop
    rows = {}
    for name, fn in (("picows", run_picows), ("pysignalr", run_pysignalr)):
        proc, port = start_server(args.events, args.gap_us)
        try:
            lat, cpu, n = uvloop.run(fn(port))
        finally:
            proc.kill()
            proc.wait()
        lat.sort()
        rows[name] = {"events": n, "latency_median_us": statistics.median(lat) / 1e3,
                      "latency_p99_us": lat[int(len(lat) * 0.99) - 1] / 1e3,
                      "cpu_per_event_us": cpu / max(n, 1) * 1e6}
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print("| client | events | latency median (us) | latency p99 (us) | client CPU per event (us) |")
    print("|---|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['events']} | {r['latency_median_us']:.1f} | {r['latency_p99_us']:.1f} | "
              f"{r['cpu_per_event_us']:.1f} |")


if __name__ == "__main__":
    main()
