"""``python -m engine demo``: run the scripted session, print the report, write it to a folder."""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from pathlib import Path

from engine.demo.render import text_report, write_reports
from engine.demo.session import (DEFAULT_VENUE, ENTRIES, VENUES, WS_VENUES, DemoError, DemoOptions, demo_symbols,
                                 run_demo)

__all__ = ["main", "build_parser"]

DEFAULT_OUT = "reports/demo"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m engine demo",
        description="A short scripted trading session against the embedded simulator (loopback, nothing to "
                    "configure): market making with amends or cancel-replace, fills, a bracket order and one "
                    "injected fault; then a report with orders by outcome, positions, balances and latency.")
    p.add_argument("--duration", type=float, default=20.0, metavar="SECONDS", help="session length (default 20)")
    p.add_argument("--venue", choices=VENUES, default=DEFAULT_VENUE, help=f"venue personality (default {DEFAULT_VENUE})")
    p.add_argument("--entry", choices=ENTRIES, default="rest",
                   help=f"order entry: rest, or ws (WebSocket; {', '.join(WS_VENUES[:-1])} and {WS_VENUES[-1]})")
    p.add_argument("--seed", type=int, default=7, help="simulator seed: same seed, same market (default 7)")
    p.add_argument("--tick-interval", type=float, default=0.2, metavar="SECONDS",
                   help="seconds between the simulator's price moves (default 0.2)")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=f"folder for report.md, report.json and latency.png (default ./{DEFAULT_OUT})")
    p.add_argument("--verbose", action="store_true", help="also show the engine's log on stderr")
    return p


class ProgressLine:
    """One updating line on a terminal; plain lines every few seconds otherwise."""

    def __init__(self, stream=None, every_s: float = 2.0) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.every_s = every_s
        self._last = -1e9
        self._width = 0

    def __call__(self, snap: dict) -> None:
        prices = "  ".join(f"{s[:3]} {p}" for s, p in snap["prices"].items())
        ack = f"{snap['ack_p50_us']:.0f} µs" if snap["ack_p50_us"] is not None else "-"
        line = (f"[{snap['elapsed']:5.1f}/{snap['duration']:.0f} s] {snap['phase']:<12} orders {snap['placed']:>4}  "
                f"fills {snap['fills']:>3}  open {snap['open']:>2}  amends {snap['amended']:>3}  "
                f"replaces {snap['replaced']:>3}  ack p50 {ack}  {prices}")
        if self.tty:
            pad = max(0, self._width - len(line))
            self.stream.write("\r" + line + " " * pad)
            self._width = len(line)
            self.stream.flush()
        elif time.monotonic() - self._last >= self.every_s:
            self._last = time.monotonic()
            self.stream.write(line + "\n")
            self.stream.flush()

    def done(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = DemoOptions(venue=args.venue, entry=args.entry, duration=args.duration, seed=args.seed,
                          tick_interval=args.tick_interval)
    try:
        options.check()
    except DemoError as exc:
        print(f"engine demo: {exc}", file=sys.stderr)
        return 2
    if args.verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger("engine").addHandler(handler)
    from engine.api import run

    print(f"engine demo: {options.venue}, {options.entry} order entry, {options.duration:g} s on the embedded "
          f"simulator (seed {options.seed}); {' and '.join(demo_symbols(options.venue))}", flush=True)
    progress = ProgressLine()
    try:
        summary = run(run_demo(options, progress))
    except DemoError as exc:
        progress.done()
        print(f"engine demo: failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        progress.done()
        print("engine demo: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # anything unexpected: say what, and the traceback with --verbose
        progress.done()
        print(f"engine demo: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        if args.verbose:
            traceback.print_exc()
        return 1
    progress.done()
    try:
        files, note = write_reports(summary, Path(args.out))
    except OSError as exc:
        print(text_report(summary))
        print(f"engine demo: could not write the report to {args.out}: {exc}", file=sys.stderr)
        return 1
    print()
    print(text_report(summary, files))
    if note:
        print(f"engine demo: no latency plot: {note}", file=sys.stderr)
    problems = []
    if not summary.consistent:
        problems.append(f"order outcomes ({summary.outcomes_total}) do not add up to the orders placed "
                        f"({summary.placed})")
    if not summary.fault.get("survived"):
        problems.append("the engine did not settle the faulted order cleanly")
    if problems:
        print("engine demo: failed: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
