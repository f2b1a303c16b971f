"""Orders per second engine.sim sustains on one core: place + cancel over keep-alive.

Run: ``.venv/bin/python bench/sim_bench.py [--seconds 5] [--clients 4]``.  The simulator
and the load generator share one process and one core (one event loop, uvloop when
available), so the figure is a floor for the simulator alone.  Each iteration is one
signed ``POST /api/v3/order`` (LIMIT GTC, resting) and one signed ``DELETE
/api/v3/order``, written with stdlib hmac over aiohttp keep-alive connections.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import aiohttp

from engine.sim import Limits, SimExchange


async def bench(seconds: float, clients: int) -> dict:
    limits = Limits(spot_orders_10s=10**9, spot_orders_1d=10**9, spot_weight_1m=10**9)
    async with SimExchange(seed=1, accounts=[("bk", "bs")], limits=limits) as sim:
        conn = aiohttp.TCPConnector(limit=clients, force_close=False)
        async with aiohttp.ClientSession(connector=conn) as s:
            done = 0
            deadline = time.perf_counter() + seconds

            def signed(params: dict) -> str:
                params["timestamp"] = int(time.time() * 1000)
                q = urlencode(params)
                return q + "&signature=" + hmac.new(b"bs", q.encode(), hashlib.sha256).hexdigest()

            async def worker() -> None:
                nonlocal done
                h = {"X-MBX-APIKEY": "bk"}
                while time.perf_counter() < deadline:
                    q = signed({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                "quantity": "0.001", "price": "40000", "newOrderRespType": "ACK"})
                    async with s.post(sim.url + "/api/v3/order?" + q, headers=h) as r:
                        oid = json.loads(await r.read())["orderId"]
                    q = signed({"symbol": "BTCUSDT", "orderId": oid})
                    async with s.delete(sim.url + "/api/v3/order?" + q, headers=h) as r:
                        assert r.status == 200
                    done += 1

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(clients)))
            elapsed = time.perf_counter() - t0
        assert sim.totals() == sim.initial_totals
    return {"place_cancel_pairs": done, "seconds": round(elapsed, 2),
            "pairs_per_second": round(done / elapsed), "requests_per_second": round(2 * done / elapsed)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(bench(args.seconds, args.clients))))


if __name__ == "__main__":
    main()
