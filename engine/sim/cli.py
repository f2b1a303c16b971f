"""``python -m engine sim``: serve the simulator on loopback until SIGINT/SIGTERM.

The first stdout line is ``listening on http://HOST:PORT`` (flushed) so a parent
process can read the port when it passed ``--port 0``.

Secrets never come from the command line, which every local user can read (``ps``,
``/proc/PID/cmdline``) and shells keep in their history: the ``--api-key``'s secret
comes from the environment variable :data:`SECRET_ENV` or from ``--api-secret-file``,
more accounts from ``--accounts-file``.  ``--api-secret`` and ``--account KEY:SECRET``
are refused with a message saying so, and without repeating the value.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

from engine.sim.exchange import SimExchange
from engine.sim.faults import FaultSpecError, parse_faults
from engine.sim.ratelimit import Limits

__all__ = ["main", "build_parser", "SECRET_ENV"]

SECRET_ENV = "ENGINE_SIM_API_SECRET"  # the --api-key's secret

_REFUSED = {
    "api_secret": ("--api-secret", (f"pass the secret in the environment variable {SECRET_ENV} "
                                    "or in a file with --api-secret-file PATH")),
    "account": ("--account", "put KEY:SECRET lines in a file and pass --accounts-file PATH"),
}


class CliError(Exception):
    """A command line the simulator refuses; the message names no secret."""


def _pair(text: str, sep: str, what: str) -> tuple[str, str]:
    if sep not in text:
        raise argparse.ArgumentTypeError(f"{what} must look like A{sep}B, got {text!r}")
    a, b = text.split(sep, 1)
    if not a or not b:
        raise argparse.ArgumentTypeError(f"{what} must look like A{sep}B, got {text!r}")
    return a, b


def _ed25519_key(text: str):
    """``KEY:PATH`` -> (api_key, public key) read from the PEM file at PATH."""
    from engine.sim.auth import load_ed25519_public_key

    key, path = _pair(text, ":", "--ed25519-key")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"--ed25519-key {key}: cannot read {path!r}: {exc.strerror}") from None
    try:
        return key, load_ed25519_public_key(data)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--ed25519-key {key}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: "--api-secret S" must never be taken for "--api-secret-file S".
    p = argparse.ArgumentParser(prog="python -m engine sim", allow_abbrev=False,
                                description="Local exchange speaking Binance spot/USD-M and Bybit V5 on loopback.",
                                epilog=f"Secrets are never read from the command line: the --api-key's secret "
                                       f"comes from ${SECRET_ENV} or --api-secret-file PATH.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--api-key", default=None,
                   help=f"an HMAC API key; its secret from ${SECRET_ENV} or --api-secret-file")
    p.add_argument("--api-secret-file", default=None, metavar="PATH",
                   help=f"a file holding the --api-key's secret (first line; overrides ${SECRET_ENV})")
    p.add_argument("--accounts-file", default=None, metavar="PATH",
                   help="a file of KEY:SECRET lines (HMAC keys), one account each; blank and # lines skipped")
    # Refused (see the module docstring); kept as options so the refusal can explain itself
    # and argparse never echoes the value in an "unrecognized arguments" error.
    p.add_argument("--api-secret", default=None, help=argparse.SUPPRESS)
    p.add_argument("--account", action="append", default=None, help=argparse.SUPPRESS)
    p.add_argument("--ed25519-key", action="append", default=[], type=_ed25519_key, metavar="KEY:PATH",
                   help="an Ed25519 API key and its public key's PEM file, repeatable; only these "
                        "may session.logon on the Binance spot WebSocket API")
    p.add_argument("--balance", action="append", default=[], type=lambda s: _pair(s, "=", "--balance"),
                   help="ASSET=AMOUNT, repeatable (every account gets these)")
    p.add_argument("--price", action="append", default=[], type=lambda s: _pair(s, "=", "--price"),
                   help="SYMBOL=PRICE starting fair price, repeatable")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fault", action="append", default=[], help="fault spec, repeatable (see engine.sim.faults)")
    p.add_argument("--tick-interval", type=float, default=1.0, help="seconds between market steps (0: frozen)")
    p.add_argument("--weight-limit", type=int, default=None, help="request weight per minute (both Binance)")
    p.add_argument("--orders-10s", type=int, default=None, help="orders per 10 s (both Binance)")
    p.add_argument("--bybit-per-second", type=int, default=None,
                   help="Bybit per-endpoint requests per rolling second (every endpoint)")
    return p


def _read_text(path: str, what: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise CliError(f"{what}: cannot read {path!r}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{what}: {path!r} is not UTF-8 text") from None


def _accounts(args, environ) -> list[tuple[str, str]]:
    """HMAC accounts from --api-key with its secret (file, else environment) and --accounts-file."""
    for dest, (option, how) in _REFUSED.items():
        if getattr(args, dest) is not None:
            raise CliError(f"{option} is refused: a secret on the command line is visible to every local "
                           f"user (ps, /proc/PID/cmdline) and kept in shell history; {how}")
    accounts = []
    if args.api_secret_file is not None:
        if not args.api_key:
            raise CliError("--api-secret-file goes with --api-key")
        lines = _read_text(args.api_secret_file, "--api-secret-file").splitlines()
        secret = lines[0].strip() if lines else ""
        if not secret:
            raise CliError(f"--api-secret-file: {args.api_secret_file!r} is empty")
        accounts.append((args.api_key, secret))
    elif args.api_key:
        secret = environ.get(SECRET_ENV, "")
        if not secret:
            raise CliError(f"--api-key needs its secret: set {SECRET_ENV} in the environment "
                           "or pass --api-secret-file PATH")
        accounts.append((args.api_key, secret))
    if args.accounts_file is not None:
        text = _read_text(args.accounts_file, "--accounts-file")
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, secret = line.partition(":")
            if not (sep and key and secret):
                raise CliError(f"--accounts-file: line {n} is not KEY:SECRET")
            accounts.append((key, secret))
    return accounts


async def _serve(args, accounts: list[tuple[str, str]]) -> int:
    limits = Limits()
    if args.weight_limit:
        limits.spot_weight_1m = limits.usdm_weight_1m = args.weight_limit
    if args.orders_10s:
        limits.spot_orders_10s = limits.usdm_orders_10s = args.orders_10s
    if args.bybit_per_second:
        from engine.sim.ratelimit import BYBIT_DEFAULTS
        limits.bybit_default_per_second = args.bybit_per_second
        limits.bybit_per_second = {name: args.bybit_per_second for name in BYBIT_DEFAULTS}
    sim = SimExchange(seed=args.seed, accounts=accounts or None, ed25519_keys=dict(args.ed25519_key) or None,
                      balances=dict(args.balance) or None, prices=dict(args.price) or None,
                      faults=args.fault, limits=limits, host=args.host, port=args.port,
                      tick_interval=args.tick_interval or None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await sim.start()
    sys.stdout.write(f"listening on {sim.url}\n")
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        await sim.stop()
    return 0


def main(argv: list[str] | None = None, environ=None) -> int:
    """Run the simulator CLI; returns the process exit status.

    ``environ`` (default ``os.environ``) is where :data:`SECRET_ENV` is read.
    """
    args = build_parser().parse_args(argv)
    try:
        accounts = _accounts(args, os.environ if environ is None else environ)
    except CliError as exc:
        print(f"engine sim: {exc}", file=sys.stderr)
        return 2
    try:
        parse_faults(args.fault)
    except FaultSpecError as exc:
        print(f"engine sim: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(args, accounts))
    except KeyboardInterrupt:
        return 0
    except ValueError as exc:
        print(f"engine sim: {exc}", file=sys.stderr)
        return 2
