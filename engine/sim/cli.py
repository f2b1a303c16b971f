"""``python -m engine sim``: serve the simulator on loopback until SIGINT/SIGTERM.

The first stdout line is ``listening on http://HOST:PORT`` (the main port), then one line
``VENUE listening on http://HOST:PORT`` per personality on a port of its own
(:meth:`engine.sim.registry.Registry.own_port`), flushed before any other output, so a parent
process can read the ports when it passed ``--port 0`` (:func:`read_urls` reads them).

Secrets never come from the command line, which every local user can read (``ps``,
``/proc/PID/cmdline``) and shells keep in their history: the ``--api-key``'s secret
comes from the environment variable :data:`SECRET_ENV` or from ``--api-secret-file``,
more accounts from ``--accounts-file``.  ``--api-secret`` and ``--account KEY:SECRET``
are refused with a message saying so, and without repeating the value.

Bad input ends the command with one line ``engine sim: <what is wrong and how to fix
it>`` on stderr and exit status 2, never a traceback: every option value is checked
before anything starts (argparse's own errors included, see :class:`_Parser`), and a
port that cannot be bound is reported as such.  The help text is in
:mod:`engine.sim.cli_help`.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import math
import os
import signal
import sys

from engine.sim.cli_help import DESCRIPTION, epilog
from engine.sim.cli_limits import add_limit_options, limits_from
from engine.sim.decimals import parse_number
from engine.sim.exchange import DEFAULT_BALANCES, SimExchange
from engine.sim.faults import FaultSpecError, parse_faults
from engine.sim.market import MM_KEY
from engine.sim.ratelimit import Limits
from engine.sim.registry import load

__all__ = ["main", "build_parser", "SECRET_ENV", "listening_lines", "read_urls"]

SECRET_ENV = "ENGINE_SIM_API_SECRET"  # the --api-key's secret
DEFAULT_ACCOUNT = ("sim-key", "sim-secret")  # SimExchange's account when it is given none
LOOPBACK = ("127.0.0.1", "localhost", "::1")  # the hosts SimExchange accepts

_REFUSED = {
    "api_secret": ("--api-secret", (f"pass the secret in the environment variable {SECRET_ENV} "
                                    "or in a file with --api-secret-file PATH")),
    "account": ("--account", "put KEY:SECRET lines in a file and pass --accounts-file PATH"),
}


class CliError(Exception):
    """A command line the simulator refuses; the message names no secret."""


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line, ``engine sim: ...``, exit status 2 (argparse
    prints the whole usage first, and its type errors say only "invalid int value")."""

    def error(self, message: str):
        message = message.removeprefix("argument ")
        self.exit(2, f"engine sim: {message} (see python -m engine sim --help)\n")


def _pair(text: str, sep: str, shape: str) -> tuple[str, str]:
    """``A<sep>B`` -> (A, B), both non-empty; ``shape`` names the form in the error."""
    a, found, b = text.partition(sep)
    if not (found and a and b):
        raise argparse.ArgumentTypeError(f"must look like {shape}, got {text!r}")
    return a, b


def _ed25519_key(text: str):
    """``KEY:PATH`` -> (api_key, public key) read from the PEM file at PATH."""
    from engine.sim.auth import load_ed25519_public_key

    key, path = _pair(text, ":", "KEY:PATH")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {key}'s public key {path!r}: {exc.strerror}") from None
    try:
        return key, load_ed25519_public_key(data)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{key}'s public key {path!r}: {exc}") from None


def _host(text: str) -> str:
    if text not in LOOPBACK:
        raise argparse.ArgumentTypeError(f"the simulator listens on loopback only: {', '.join(LOOPBACK)}; "
                                         f"got {text!r}")
    return text


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535 (0: any free port), got {text!r}")
    return port


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more (0: a frozen market), "
                                         f"got {text!r}")
    return value


def _listed() -> dict[str, list]:
    """Fair-price series (a symbol) -> the instruments following it, in every market the simulator serves."""
    out: dict[str, list] = {}
    for inst in load().instruments.values():
        out.setdefault(inst.fair, []).append(inst)
    return out


def _price(text: str) -> tuple[str, str]:
    symbol, value = _pair(text, "=", "SYMBOL=PRICE")
    listed = _listed()
    if symbol not in listed:
        raise argparse.ArgumentTypeError(f"{symbol} is not a symbol the simulator lists; use one of "
                                         f"{', '.join(sorted(listed))}")
    price = parse_number(value)
    if price is None or price <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} for {symbol} is not a price; give a plain decimal number "
                                         f"above 0, like {symbol}={load().prices.get(symbol, '100.5')}")
    low = max(inst.min_price for inst in listed[symbol])
    high = min(inst.max_price for inst in listed[symbol])
    if not low <= price <= high:
        raise argparse.ArgumentTypeError(f"{text} is outside {symbol}'s price range, {low} to {high}")
    return symbol, value


def _balance(text: str) -> tuple[str, str]:
    asset, value = _pair(text, "=", "ASSET=AMOUNT")
    reg = load()
    assets = sorted({a for inst in reg.instruments.values() for a in (inst.base, inst.quote)}
                    | {a for w in reg.wallets.values() for a, _ in w.balances})
    if asset not in assets:
        raise argparse.ArgumentTypeError(f"no instrument trades {asset}; use one of {', '.join(assets)}")
    amount = parse_number(value)
    if amount is None or amount < 0:
        raise argparse.ArgumentTypeError(f"{value!r} for {asset} is not an amount; give a plain decimal number, "
                                         f"0 or more, like {asset}={DEFAULT_BALANCES.get(asset, '1000')}")
    return asset, value


def _pairs(d: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in d.items())


def build_parser() -> argparse.ArgumentParser:
    # allow_abbrev=False: "--api-secret S" must never be taken for "--api-secret-file S".
    p = _Parser(prog="python -m engine sim", allow_abbrev=False, description=DESCRIPTION,
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog=epilog(secret_env=SECRET_ENV, default_key=DEFAULT_ACCOUNT[0],
                              default_secret=DEFAULT_ACCOUNT[1]))
    p.add_argument("--host", type=_host, default="127.0.0.1",
                   help=f"loopback address to listen on: {', '.join(LOOPBACK)} (default: 127.0.0.1)")
    p.add_argument("--port", type=_port, default=0,
                   help="TCP port, 0 for any free one (printed on the first line) (default: 0)")
    p.add_argument("--api-key", default=None, metavar="KEY",
                   help=f"an HMAC API key; its secret from ${SECRET_ENV} or --api-secret-file (default: none; "
                        "see credentials below)")
    p.add_argument("--api-secret-file", default=None, metavar="PATH",
                   help=f"a file holding the --api-key's secret on its first line; wins over ${SECRET_ENV} "
                        "(default: none)")
    p.add_argument("--accounts-file", default=None, metavar="PATH",
                   help="a file of KEY:SECRET lines (HMAC keys), one account each; blank and # lines skipped "
                        "(default: none)")
    # Refused (see the module docstring); kept as options so the refusal can explain itself
    # and argparse never echoes the value in an "unrecognized arguments" error.
    p.add_argument("--api-secret", default=None, help=argparse.SUPPRESS)
    p.add_argument("--account", action="append", default=None, help=argparse.SUPPRESS)
    p.add_argument("--ed25519-key", action="append", default=[], type=_ed25519_key, metavar="KEY:PATH",
                   help="an Ed25519 API key and its public key's PEM file, repeatable; only these "
                        "may session.logon on the Binance spot WebSocket API (default: none)")
    p.add_argument("--balance", action="append", default=[], type=_balance, metavar="ASSET=AMOUNT",
                   help="starting balance of every account, repeatable; any --balance replaces the whole "
                        f"default set (default: {_pairs(DEFAULT_BALANCES)})")
    p.add_argument("--price", action="append", default=[], type=_price, metavar="SYMBOL=PRICE",
                   help="starting fair price of a listed symbol, repeatable; the others keep theirs "
                        f"(default: {_pairs(load().prices)})")
    p.add_argument("--seed", type=_integer, default=0, metavar="N",
                   help="seeds the market's random walk and p= faults: same seed, same run (default: 0)")
    p.add_argument("--fault", action="append", default=[], metavar="SPEC",
                   help="inject a fault, TARGET:ACTION[:KEY=VALUE,...], repeatable; the syntax is below "
                        "(default: none)")
    p.add_argument("--tick-interval", type=_seconds, default=1.0, metavar="SECONDS",
                   help="seconds between market steps, 0 for a frozen market (default: 1.0)")
    p.add_argument("--withdraw-address", action="append", default=[], metavar="ADDRESS",
                   help="an address withdrawals may go to (the venue-side address book of every venue with "
                        "withdrawals), repeatable; with none, every withdrawal is refused (default: none)")
    add_limit_options(p, _positive_int)
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


def _check_key(key: str, where: str) -> None:
    if key == MM_KEY:
        raise CliError(f"{where}: the API key {MM_KEY!r} is reserved for the simulator's market maker; "
                       "choose another")


def _accounts(args, environ) -> list[tuple[str, str]]:
    """HMAC accounts from --api-key with its secret (file, else environment) and --accounts-file."""
    for dest, (option, how) in _REFUSED.items():
        if getattr(args, dest) is not None:
            raise CliError(f"{option} is refused: a secret on the command line is visible to every local "
                           f"user (ps, /proc/PID/cmdline) and kept in shell history; {how}")
    if args.api_key is not None:
        if not args.api_key.strip():
            raise CliError("--api-key is empty; give the key, or leave the option out for the default "
                           f"account {DEFAULT_ACCOUNT[0]}")
        _check_key(args.api_key, "--api-key")
    accounts = []
    where: dict[str, str] = {}          # key -> where it was given, for duplicate messages
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
    if accounts:
        where[args.api_key] = "--api-key"
    if args.accounts_file is not None:
        text = _read_text(args.accounts_file, "--accounts-file")
        found = 0
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, secret = line.partition(":")
            if not (sep and key and secret):
                raise CliError(f"--accounts-file: line {n} is not KEY:SECRET")
            _check_key(key, f"--accounts-file line {n}")
            if key in where:
                raise CliError(f"--accounts-file: line {n} repeats the key of {where[key]}; "
                               "give each key once")
            where[key] = f"line {n}"
            accounts.append((key, secret))
            found += 1
        if not found:
            raise CliError(f"--accounts-file: {args.accounts_file!r} has no KEY:SECRET line")
    for key, _ in args.ed25519_key:
        _check_key(key, "--ed25519-key")
        if key in where:
            raise CliError(f"--ed25519-key {key}: the key also has an HMAC secret "
                           f"({'--api-key' if where[key] == '--api-key' else '--accounts-file ' + where[key]}); "
                           "a key is either HMAC or Ed25519")
    return accounts


def _limits(args) -> Limits:
    return limits_from(args)


def _bind_error(args, exc: OSError) -> str:
    where = f"{args.host} port {args.port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"--port {args.port}: the port is in use on {args.host}; choose another port, "
                "or --port 0 for any free one")
    if exc.errno == errno.EACCES:
        return (f"--port {args.port}: not allowed to listen on {where} (ports below 1024 need privileges); "
                "choose a port from 1024, or --port 0")
    return f"cannot listen on {where}: {exc.strerror or exc}; choose another --host or --port"


def listening_lines(sim) -> list[str]:
    """The lines a started simulator prints first: the main port, then each own-port personality."""
    own = [venue for venue in sim.urls if sim.urls[venue] != sim.url]
    return [f"listening on {sim.url}", *(f"{venue} listening on {sim.urls[venue]}" for venue in own)]


def read_urls(readline) -> dict[str, str]:
    """``SimExchange.urls`` of a ``python -m engine sim`` process, from its first output lines
    (``readline()`` returns the next line of its stdout); raises RuntimeError if it did not start."""
    line = readline().strip()
    if not line.startswith("listening on "):
        raise RuntimeError(f"simulator did not start: {line!r}")
    main = line.split(" ", 2)[2]
    reg = load()
    urls = {venue: main for venue in reg.venues}
    for _ in reg.own_ports:
        venue, sep, url = readline().strip().partition(" listening on ")
        if not sep:
            raise RuntimeError(f"simulator did not say where {venue!r} listens")
        urls[venue] = url
    return urls


async def _serve(args, accounts: list[tuple[str, str]]) -> int:
    try:
        sim = SimExchange(seed=args.seed, accounts=accounts or None, ed25519_keys=dict(args.ed25519_key) or None,
                          balances=dict(args.balance) or None, prices=dict(args.price) or None,
                          faults=args.fault, limits=_limits(args), host=args.host, port=args.port,
                          tick_interval=args.tick_interval or None, withdraw_addresses=args.withdraw_address)
    except ValueError as exc:       # what the checks above let through; the message names no secret
        raise CliError(str(exc)) from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await sim.start()
    except OSError as exc:
        await sim.stop()
        raise CliError(_bind_error(args, exc)) from None
    sys.stdout.write("".join(line + "\n" for line in listening_lines(sim)))
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
        try:
            parse_faults(args.fault)
        except FaultSpecError as exc:
            raise CliError(f"{exc}; the fault syntax is in python -m engine sim --help") from None
        return asyncio.run(_serve(args, accounts))
    except CliError as exc:
        print(f"engine sim: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
