"""What a personality declares to the venue-neutral exchange, and the loading of every personality.

Each module in :data:`engine.sim.personalities.PERSONALITIES` has ``register(reg)``, called with
a fresh :class:`Registry`; it declares, without touching any neutral module:

* its markets (:class:`MarketSpec`: the core's key, spot or linear, the wallet its accounts
  trade from, the name tests and ``SimExchange.client_order_count`` use, what post-only and
  FOK orders do when they cannot) with their instruments (:class:`~engine.sim.instruments.Instrument`:
  symbols, filters, maker/taker fee rates);
* its wallets (:meth:`Registry.wallet`: which of the simulator's default balances every account
  starts with there, balances of its own, the margin asset);
* fair-price series of its own (:meth:`Registry.price`), when its symbols follow none of
  :data:`~engine.sim.instruments.DEFAULT_PRICES`;
* the engine venues it serves on the main port (:meth:`Registry.venue`) and its routes there
  (:meth:`Registry.mount`), or, where its paths collide with the main port's, the application
  serving it on a loopback port of its own (:meth:`Registry.own_port`);
* the request that places one new order for each engine venue and order-entry path it serves
  (:meth:`Registry.new_order`): the fault target ``order`` names them all, and the demo's fault
  episode drops one;
* its rate limits (:meth:`Registry.limits`): each limit's name and default, read by its limiter
  from :class:`~engine.sim.ratelimit.Limits`, and the CLI options that set them;
* its per-simulator state (:meth:`Registry.state`): a factory called with the
  :class:`~engine.sim.exchange.SimExchange`, kept at ``sim.state[<personality>]``.

:func:`load` runs every ``register`` in a new registry; the simulator, the CLI and tests read
listings from it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from engine.sim.decimals import D
from engine.sim.instruments import DEFAULT_PRICES, KINDS, Instrument

__all__ = ["MarketSpec", "WalletSpec", "Mount", "Registry", "load", "declared"]

_POLICIES = ("error", "expire")


@dataclass(frozen=True)
class MarketSpec:
    """One market of a personality.

    ``post_only``/``fok``: what an order does when it cannot do what its time in force asks:
    ``error`` (the request fails, nothing is recorded) or ``expire`` (recorded as EXPIRED).
    ``amended_post_only``: the status of a post-only order whose amendment would take.
    """

    key: str                    # the core's name: orders, books and client ids are kept per market
    kind: str                   # "spot" | "linear"
    wallet: str                 # the wallet its accounts trade from: the engine venue name
    name: str                   # its name for SimExchange.client_order_count / place_for ("bybit-spot")
    post_only: str = "error"
    fok: str = "expire"
    amended_post_only: str = "EXPIRED"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"market {self.key}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.post_only not in _POLICIES or self.fok not in _POLICIES:
            raise ValueError(f"market {self.key}: post_only and fok are one of {_POLICIES}")


@dataclass(frozen=True)
class WalletSpec:
    """A wallet every account has: ``assets`` limits which of the simulator's starting balances it
    gets (None: all of them); ``balances`` are its own starting balances, for assets the simulator's
    do not name; ``margin_asset`` is what linear positions in it are margined and settled in."""

    name: str
    assets: tuple[str, ...] | None = None
    balances: tuple[tuple[str, Decimal], ...] = ()
    margin_asset: str = "USDT"
    position_margin: str = "entry"          # a position's initial margin on its notional at "mark" or "entry"

    def starting(self, defaults: dict[str, Decimal]) -> dict[str, Decimal]:
        """The balances an account starts with here, given the simulator's ``defaults``."""
        out = {a: v for a, v in defaults.items() if self.assets is None or a in self.assets}
        for asset, amount in self.balances:
            out.setdefault(asset, amount)
        return out


@dataclass(frozen=True)
class Mount:
    """A route on the main port: ``handler(sim, request) -> web.StreamResponse`` for ``path`` (exact)
    or every path starting with it (``prefix``)."""

    path: str
    handler: Callable
    prefix: bool = False


class Registry:
    """The declarations of every personality, in the order they registered."""

    def __init__(self) -> None:
        self.markets: dict[str, MarketSpec] = {}
        self.instruments: dict[tuple[str, str], Instrument] = {}
        self.wallets: dict[str, WalletSpec] = {}
        self.venues: dict[str, str] = {}            # engine venue on the main port -> personality
        self.prices: dict[str, Decimal] = dict(DEFAULT_PRICES)
        self.mounts: list[Mount] = []
        self.states: dict[str, Callable] = {}
        self.new_orders: dict[tuple[str, str], str] = {}   # (engine venue, order entry) -> request name
        self.limit_defaults: dict[str, object] = {}        # limit name -> default (engine.sim.ratelimit.Limits)
        self.limit_options: list = []                       # engine.sim.ratelimit.LimitOption, CLI order
        self.ws_endpoints: list[str] = []                   # fault targets naming a whole order-entry socket
        self.own_ports: dict[str, Callable] = {}            # engine venue -> build_app(sim), on a port of its own
        self.personality = ""                       # the one registering now

    def venue(self, name: str) -> None:
        """An engine venue this personality serves on the main port (a key of ``SimExchange.urls``)."""
        self.venues[name] = self.personality

    def wallet(self, name: str, *, assets=None, balances: dict | None = None, margin_asset: str = "USDT",
               position_margin: str = "entry") -> None:
        if name in self.wallets:
            raise ValueError(f"wallet {name!r} is registered twice")
        if position_margin not in ("mark", "entry"):
            raise ValueError(f"wallet {name!r}: position_margin is 'mark' or 'entry'")
        self.wallets[name] = WalletSpec(name, None if assets is None else tuple(assets),
                                        tuple((a, D(str(v))) for a, v in (balances or {}).items()), margin_asset,
                                        position_margin)

    def market(self, spec: MarketSpec, instruments) -> None:
        if spec.key in self.markets:
            raise ValueError(f"market {spec.key!r} is registered twice")
        if spec.wallet not in self.wallets:
            raise ValueError(f"market {spec.key!r}: register its wallet {spec.wallet!r} first")
        self.markets[spec.key] = spec
        for inst in instruments:
            if inst.market != spec.key or inst.kind != spec.kind:
                raise ValueError(f"{inst.symbol}: listed on {inst.market} ({inst.kind}), not {spec.key} ({spec.kind})")
            self.instruments[(spec.key, inst.symbol)] = inst

    def price(self, series: str, price) -> None:
        """The starting fair price of a series of this personality's own."""
        self.prices.setdefault(series, D(str(price)))

    def mount(self, path: str, handler, *, prefix: bool = False) -> None:
        self.mounts.append(Mount(path, handler, prefix))

    def new_order(self, venue: str, entry: str, request: str) -> None:
        """``request`` (a fault target's name: ``"METHOD path"`` for REST, the method or op on a WebSocket)
        places one new order for engine venue ``venue`` over ``entry`` ("rest" or "ws").  Order lists
        and cancel-replace are not among them."""
        if entry not in ("rest", "ws"):
            raise ValueError(f"{venue}: order entry is 'rest' or 'ws', not {entry!r}")
        if (venue, entry) in self.new_orders:
            raise ValueError(f"{venue} {entry}: its new-order request is registered twice")
        self.new_orders[(venue, entry)] = request

    def own_port(self, venue: str, build_app: Callable) -> None:
        """Engine venue ``venue`` is served on a loopback port of its own by ``build_app(sim)``, an
        ``aiohttp.web.Application`` (its paths collide with the main port's); ``sim.urls[venue]`` is its URL."""
        if venue in self.own_ports or venue in self.venues:
            raise ValueError(f"venue {venue!r} is served twice")
        self.own_ports[venue] = build_app

    def ws_endpoint(self, name: str) -> None:
        """``name`` (its path without the leading /, as its requests name it) is a WebSocket order-entry
        endpoint: a fault target for every request on that socket (:mod:`engine.sim.faults`)."""
        if name not in self.ws_endpoints:
            self.ws_endpoints.append(name)

    def limits(self, defaults: dict, options=()) -> None:
        """This personality's rate limits: ``defaults`` name -> default value (the attribute its limiter
        reads on :class:`~engine.sim.ratelimit.Limits`; prefixed by the venue, so names never collide)
        and ``options`` (:class:`~engine.sim.ratelimit.LimitOption`), the CLI options that set them."""
        for name in defaults:
            if name in self.limit_defaults or name in ("ban_after", "ban_seconds"):
                raise ValueError(f"limit {name!r} is declared twice")
        flags = {o.flag for o in self.limit_options}
        for option in options:
            if option.flag in flags:
                raise ValueError(f"limit option {option.flag} is declared twice")
        self.limit_defaults.update(defaults)
        self.limit_options.extend(options)

    def state(self, factory) -> None:
        """``factory(sim)`` makes this personality's state, kept at ``sim.state[<personality>]``.  The
        state may have ``start()`` (run by ``SimExchange.start`` on the running loop), ``stop()`` (sync
        or async, by ``SimExchange.stop``) and ``reset_rate_limits()``."""
        self.states[self.personality] = factory

    def check(self) -> None:
        """Every instrument follows a fair-price series with a starting price."""
        missing = sorted({inst.fair for inst in self.instruments.values()} - set(self.prices))
        if missing:
            raise ValueError(f"no starting price for the series {missing}: declare it with Registry.price()")

    def market_named(self, name: str) -> str:
        """The market key of a market's ``name`` (``SimExchange.client_order_count``'s venue argument)."""
        for spec in self.markets.values():
            if spec.name == name:
                return spec.key
        raise KeyError(f"no market named {name!r}; one of {sorted(s.name for s in self.markets.values())}")


def load(personalities: dict[str, str] | None = None) -> Registry:
    """A registry filled by ``personalities`` (name -> module with ``register(reg)``; by default
    :data:`engine.sim.personalities.PERSONALITIES`, read at each call)."""
    if personalities is None:
        from engine.sim import personalities as table
        personalities = table.PERSONALITIES
    reg = Registry()
    for name, module in personalities.items():
        reg.personality = name
        importlib.import_module(module).register(reg)
    reg.personality = ""
    reg.check()
    return reg


_DECLARED: dict[tuple, Registry] = {}


def declared() -> Registry:
    """The personalities' declarations, for readers that only look (fault grammar, limits, CLI options):
    one registry per personality table (:data:`engine.sim.personalities.PERSONALITIES`, read at each
    call), loaded once.  A simulator loads its own (:func:`load`)."""
    from engine.sim import personalities as table
    key = tuple(table.PERSONALITIES.items())
    if key not in _DECLARED:
        _DECLARED[key] = load(dict(table.PERSONALITIES))
    return _DECLARED[key]
