"""The long chaos run: the CI chaos test with many more orders, same faults, same checks.

    python -m bench.chaos_long --venue binance-usdm --entry rest --orders 100000 [--rate 1.0] [--seed 7]

(from the repository root: ``bench`` and ``tests`` are packages, so the shared chaos bot in
``tests/support`` is imported without touching ``sys.path``).

Prints one JSON document: orders placed, venue orders, intents never placed, the resolution
counters (adopted / from the stream / re-sent / not placed), the kill switch's report, the
problems found (none expected) and the wall time.  Figures of a recorded run are in
BENCHMARKS.md.
"""

import argparse
import json
import sys
import time

import uvloop

from tests.support.chaos_bot import run_chaos
from tests.support.chaos_venues import CHAOS_VENUES


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venue", default="binance-usdm", choices=sorted(CHAOS_VENUES))
    ap.add_argument("--entry", default="rest", choices=["rest", "ws"])
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--rate", type=float, default=1.0, help="fault-rate multiplier")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--busy-poll", action="store_true", help="the engine's loop busy-polling, warming its order path")
    args = ap.parse_args(argv)
    t0 = time.time()
    r = uvloop.run(run_chaos(args.venue, args.orders, entry=args.entry, seed=args.seed, rate=args.rate,
                             capacity=max(65_536, 2 * args.orders), retention_s=24 * 3600.0,
                             busy_poll=args.busy_poll))
    seconds = time.time() - t0
    halt = r["halt"]
    summary = {"venue": args.venue, "entry": args.entry, "placed": r["placed"], "intents": r["intents"],
               "venue_orders": r["venue_orders"], "not_placed": r["not_placed"], "resolution": r["resolution"],
               "halt": {"flat": halt.flat, "cancelled": halt.cancelled, "left": halt.left, "rounds": halt.rounds},
               "unexpected": r["stats"]["unexpected"], "fills_missing": r["fills_missing"], "amends": r["amends"], "submitted": r["submitted"],
               "busy_poll": args.busy_poll, "warm": r["warm"],
               "errors": r["errors"],
               "problems": r["problems"][:20], "seconds": round(seconds, 1),
               "orders_per_s": round(r["placed"] / seconds, 1),
               "store": r["stats"]["store"], "applier": r["stats"]["applier"],
               "stream_loop": r["stats"]["stream_loop"]}
    print(json.dumps(summary, indent=2, default=str))
    return 0 if not r["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
