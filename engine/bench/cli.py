"""``python -m engine bench``: the end-to-end comparison, printed and written to a folder."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
import traceback
from pathlib import Path

from engine.bench.peers import PEERS
from engine.bench.results import markdown, write_reports
from engine.bench.runner import BenchError, BenchOptions, run_bench

__all__ = ["main", "build_parser"]

DEFAULT_OUT = "reports/bench"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m engine bench",
        description="The same five operations (sign, encode+sign an order, parse+apply an execution report, "
                    "place and cancel round trips on loopback against the simulator) by this engine, a "
                    "pure-Python baseline (hmac + json + aiohttp) and the peers that are installed (ccxt, "
                    "python-binance, binance-connector, pybit: pip install 'engine[bench]').")
    p.add_argument("--seconds", type=float, default=120.0, help="time budget for the whole run (default 120)")
    p.add_argument("--iterations", type=int, default=2000,
                   help="round trips per client (and 2x that many samples per in-process contender); default 2000")
    p.add_argument("--quick", action="store_true", help="a short bounded run: at most 15 s and 150 round trips")
    p.add_argument("--peers", default=",".join(PEERS),
                   help=f"comma-separated peers to include, or 'none' (default: {','.join(PEERS)})")
    p.add_argument("--only", choices=("all", "micro", "roundtrip"), default="all",
                   help="run stages 1-3 (micro), 4-5 (roundtrip) or all (default)")
    p.add_argument("--venues", default="", metavar="VENUE[,VENUE]",
                   help="round trips of these venues only, e.g. gateio (default: every venue)")
    p.add_argument("--cpus", default="auto", metavar="CLIENT:SIM",
                   help="fixed cores for this client process and the simulator processes, e.g. 0:1; "
                        "'auto' (default: the first two usable cores) or 'none'")
    p.add_argument("--json", action="store_true", help="print the results as JSON on stdout (progress on stderr)")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=f"folder for bench.md, bench.json and bench.png (default ./{DEFAULT_OUT})")
    return p


class Progress:
    """One updating line on a terminal; a line per step otherwise (at most one per second)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.t0 = time.monotonic()
        self._width = 0
        self._last_kind = ""
        self._last_t = -1e9

    def __call__(self, msg: str) -> None:
        line = f"[{time.monotonic() - self.t0:5.1f} s] {msg}"
        if self.tty:
            self.stream.write("\r" + line + " " * max(0, self._width - len(line)))
            self._width = len(line)
        else:
            kind = msg.rsplit(" ", 1)[0] if msg[-1:].isdigit() else msg
            if kind == self._last_kind and time.monotonic() - self._last_t < 1.0:
                return
            self._last_kind, self._last_t = kind, time.monotonic()
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    chosen = () if args.peers.strip() in ("", "none") else tuple(p.strip() for p in args.peers.split(",") if p)
    options = BenchOptions(seconds=args.seconds, iterations=args.iterations, quick=args.quick, peers=chosen,
                           micro=args.only in ("all", "micro"), roundtrips=args.only in ("all", "roundtrip"),
                           venues=tuple(v.strip() for v in args.venues.split(",") if v.strip()),
                           command=" ".join(["python -m engine bench", *map(shlex.quote, argv)]).strip())
    try:
        options.check()
    except BenchError as exc:
        print(f"engine bench: {exc}", file=sys.stderr)
        return 2
    progress = Progress(sys.stderr if args.json else sys.stdout)
    from engine.bench.roundtrip import pin_cores
    try:
        options.cores = pin_cores(args.cpus)
    except (ValueError, OSError) as exc:
        print(f"engine bench: {exc}", file=sys.stderr)
        return 2
    try:
        report = run_bench(options, progress)
    except BenchError as exc:
        progress.done()
        print(f"engine bench: failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        progress.done()
        print("engine bench: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # anything unexpected: say what, then the traceback
        progress.done()
        print(f"engine bench: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc()
        return 1
    progress.done()
    try:
        files, note = write_reports(report, Path(args.out))
    except OSError as exc:
        print(f"engine bench: could not write the report to {args.out}: {exc}", file=sys.stderr)
        files, note = {}, None
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print()
        print(markdown(report), end="")
    if files:
        print("engine bench: report written: " + ", ".join(str(p) for p in files.values()), file=sys.stderr)
    if note:
        print(f"engine bench: no chart: {note}", file=sys.stderr)
    return 0 if files else 1


if __name__ == "__main__":
    sys.exit(main())
