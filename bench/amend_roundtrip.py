"""Client CPU per ``Engine.amend`` round trip: the compiled entry beside the engine's Python path, same run.

Run: ``python -m bench.amend_roundtrip --venue binance-usdm --entry rest --batches 30 --cpus 0:1``

The simulator serves in its own process (``python -m engine sim``) on one core, the client on another.  One
resting limit order is amended back and forth between two prices, in batches of 50: with ``str`` prices the
compiled entry runs (``OrderEntry.amend``: the compiled gate, the writer, the answer); with ``Decimal`` prices
the same amendments take the engine's Python path (``Admission.amendment``, the adapter's ``amend``).  The two
alternate, twice each, so drift on a shared machine touches both.  Each batch's client CPU (the process's, so
the stream's reading counts) per amendment is a sample; the medians and means are printed as JSON with the
ratio of the Python path to the compiled one.  The client's own rate limits are lifted (the simulator's too):
the pace is not what is measured.  Binance spot amends by cancel-replace: each amendment replaces the order
(cancelled, and a new one placed in the same request), and the next one amends the replacement.

``--lower``: each amendment lowers the quantity of one large order by a step instead, its price kept (on
Binance spot that is ``amend/keepPriority``: the same order, kept in the queue).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from decimal import Decimal

import uvloop

from engine.api import connect
from engine.config import VenueConfig
from tests.support.chaos_bot import lift_client_limits
from tests.support.chaos_venues import CHAOS_VENUES

KEY, SECRET = "amend-bench-key", "amend-bench-secret"
PER_BATCH = 50
TOP, STEP = Decimal("10"), Decimal("0.001")     # --lower: the order's first quantity, lowered a step each time
LIFTED = ["--orders-10s", "1000000000", "--orders-1m", "1000000000", "--orders-1d", "1000000000",
          "--weight-limit", "1000000000", "--bybit-per-second", "1000000000"]


def start_sim(cpu: int | None) -> tuple[subprocess.Popen, str]:
    pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
    sim = subprocess.Popen([*pin, sys.executable, "-m", "engine", "sim", "--port", "0", "--api-key", KEY,
                            "--balance", "USDT=100000000", *LIFTED],
                           stdout=subprocess.PIPE, env=dict(os.environ, ENGINE_SIM_API_SECRET=SECRET), text=True)
    found = re.search(r"https?://\S+", sim.stdout.readline())
    if found is None:
        sim.terminate()
        raise SystemExit("the simulator did not print its address")
    return sim, found.group(0)


async def measure(venue: str, entry: str, url: str, batches: int, lower: bool = False) -> dict:
    async with connect(VenueConfig.local(venue, url, KEY, SECRET), order_entry=entry) as eng:
        lift_client_limits(eng, CHAOS_VENUES[venue])
        order = await eng.place_limit("BTCUSDT", "BUY", str(TOP) if lower else "0.01", "48000")
        steps = iter(range(1, 10**9))

        def change(value, i) -> dict:
            """The next amendment's keyword: a price back and forth, or (``lower``) the quantity a step down."""
            if lower:
                return {"qty": value(str(TOP - next(steps) * STEP))}
            return {"price": value(str(48001 + i % 2))}

        for i in range(100):                                                    # warm-up, both paths
            order = await eng.amend(order, **change((str, Decimal)[i % 2], i))
        samples: dict[str, list[float]] = {"compiled": [], "python": []}
        for label, value in (("compiled", str), ("python", Decimal)) * 2:
            before = eng._entry.amends
            for _ in range(batches):
                t0 = time.process_time_ns()
                for i in range(PER_BATCH):
                    order = await eng.amend(order, **change(value, i))
                samples[label].append((time.process_time_ns() - t0) / PER_BATCH / 1000)
            taken = eng._entry.amends - before
            if taken != (batches * PER_BATCH if label == "compiled" else 0):
                raise SystemExit(f"{label}: {taken} amendments went through the compiled entry")
    out = {"venue": venue, "entry": entry, "amendment": "quantity lowered" if lower else "price",
           "batches": 2 * batches, "per_batch": PER_BATCH}
    for label, xs in samples.items():
        out[label] = {"median_us": round(statistics.median(xs), 1), "mean_us": round(statistics.mean(xs), 1)}
    out["python_over_compiled"] = round(out["python"]["median_us"] / out["compiled"]["median_us"], 2)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venue", default="binance-usdm", choices=["binance-usdm", "bybit", "binance-spot"])
    ap.add_argument("--entry", default="rest", choices=["rest", "ws"])
    ap.add_argument("--batches", type=int, default=30, help="batches of 50 per path and half")
    ap.add_argument("--cpus", default="0:1", help="client:simulator cores ('' to leave both unpinned)")
    ap.add_argument("--lower", action="store_true", help="lower one order's quantity a step each time")
    args = ap.parse_args(argv)
    client_cpu = sim_cpu = None
    if args.cpus:
        client_cpu, sim_cpu = (int(c) for c in args.cpus.split(":"))
    sim, url = start_sim(sim_cpu)
    try:
        if client_cpu is not None:
            os.sched_setaffinity(0, {client_cpu})
        result = uvloop.run(measure(args.venue, args.entry, url, args.batches, args.lower))
    finally:
        sim.terminate()
        sim.wait()
    result["cpus"] = args.cpus or "unpinned"
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
