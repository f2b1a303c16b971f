"""Command line: ``python -m engine {demo,sim,bench}``."""

from __future__ import annotations

import argparse
import sys

from engine import __version__

NOT_BUILT = {
    "demo": "issue 8 (demo and benchmark harness)",
    "bench": "issue 8 (demo and benchmark harness)",
}


def _sim(argv: list[str]) -> int:
    from engine.sim.cli import main as sim_main

    return sim_main(argv)


# Subcommands with their own argument parsers get the rest of the command line.
COMMANDS = {"sim": _sim}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m engine",
        description="Low-latency order-execution engine for Python trading bots.",
    )
    parser.add_argument("--version", action="version", version=f"engine {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{demo,sim,bench}")
    sub.add_parser("demo", help="run a scripted trading session against the embedded simulator")
    sub.add_parser("sim", help="serve the local exchange simulator on loopback (see: sim --help)", add_help=False)
    sub.add_parser("bench", help="run the end-to-end benchmark against the peers")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:])
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command in NOT_BUILT:
        print(f"engine {args.command}: not built yet; it arrives with {NOT_BUILT[args.command]}.",
              file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
