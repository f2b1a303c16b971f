"""``python -m engine sim``: serve the simulator on loopback until SIGINT/SIGTERM.

The first stdout line is ``listening on http://HOST:PORT`` (flushed) so a parent
process can read the port when it passed ``--port 0``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from engine.sim.exchange import SimExchange
from engine.sim.faults import FaultSpecError, parse_faults
from engine.sim.ratelimit import Limits

__all__ = ["main", "build_parser"]


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
    p = argparse.ArgumentParser(prog="python -m engine sim",
                                description="Local exchange speaking Binance spot/USD-M and Bybit V5 on loopback.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--api-key", default=None)
    p.add_argument("--api-secret", default=None)
    p.add_argument("--account", action="append", default=[], type=lambda s: _pair(s, ":", "--account"),
                   help="KEY:SECRET (an HMAC key), repeatable")
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


async def _serve(args) -> int:
    accounts = list(args.account)
    if args.api_key or args.api_secret:
        if not (args.api_key and args.api_secret):
            print("--api-key and --api-secret go together", file=sys.stderr)
            return 2
        accounts.insert(0, (args.api_key, args.api_secret))
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


def main(argv: list[str] | None = None) -> int:
    """Run the simulator CLI; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        parse_faults(args.fault)
    except FaultSpecError as exc:
        print(f"engine sim: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:
        return 0
    except ValueError as exc:
        print(f"engine sim: {exc}", file=sys.stderr)
        return 2
