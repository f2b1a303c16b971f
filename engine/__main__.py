"""Command line: ``python -m engine {demo,sim,bench}``."""

from __future__ import annotations

import argparse
import sys

from engine import __version__


def _sim(argv: list[str]) -> int:
    from engine.sim.cli import main as sim_main

    return sim_main(argv)


def _demo(argv: list[str]) -> int:
    from engine.demo.cli import main as demo_main

    return demo_main(argv)


def _bench(argv: list[str]) -> int:
    from engine.bench.cli import main as bench_main

    return bench_main(argv)


# Subcommands with their own argument parsers get the rest of the command line.
COMMANDS = {"sim": _sim, "demo": _demo, "bench": _bench}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m engine",
        description="Low-latency order-execution engine for Python trading bots.",
    )
    parser.add_argument("--version", action="version", version=f"engine {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{demo,sim,bench}")
    sub.add_parser("demo", help="run a scripted trading session against the embedded simulator (see: demo --help)",
                   add_help=False)
    sub.add_parser("sim", help="serve the local exchange simulator on loopback (see: sim --help)", add_help=False)
    sub.add_parser("bench", help="run the end-to-end benchmark against a pure-Python baseline and the peers "
                                 "(see: bench --help)", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return COMMANDS[args.command]([])


if __name__ == "__main__":
    sys.exit(main())
