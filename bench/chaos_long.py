"""The long chaos run: many more orders than the CI test, same checks.

    python bench/chaos_long.py --venue binance-usdm --orders 20000 [--rate 1.0] [--seed 7]
"""

import argparse
import json
import pathlib
import sys
import time

import uvloop

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))
from chaos_bot import run_chaos  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venue", default="binance-usdm", choices=["binance-spot", "binance-usdm", "bybit"])
    ap.add_argument("--orders", type=int, default=20000)
    ap.add_argument("--rate", type=float, default=1.0, help="fault-rate multiplier")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t0 = time.time()
    r = uvloop.run(run_chaos(args.venue, args.orders, seed=args.seed, rate=args.rate))
    summary = {k: r[k] for k in ("intents", "fills_missing", "errors", "resent", "adopted")}
    summary.update(problems=r["problems"][:20], seconds=round(time.time() - t0, 1),
                   store=r["stats"]["store"], applier=r["stats"]["applier"])
    print(json.dumps(summary, indent=2, default=str))
    return 0 if not r["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
