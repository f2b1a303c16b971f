"""SimExchange: the simulator as an object (start/stop, accounts, market control, faults)."""

from __future__ import annotations

import asyncio
import inspect
import logging
from decimal import Decimal
from itertools import count

from aiohttp import web

from engine.sim.auth import load_ed25519_public_key
from engine.sim.core import Core
from engine.sim.decimals import D, exact
from engine.sim.deferred import Deferred
from engine.sim.fault_plan import FaultPlan
from engine.sim.faults import parse_faults
from engine.sim.market import MM_KEY, Market
from engine.sim.matching import Order
from engine.sim.ratelimit import Limits
from engine.sim.registry import load
from engine.sim.server import build_app, exact_middleware
from engine.sim.withdrawals import WithdrawalLedger

__all__ = ["SimExchange", "DEFAULT_BALANCES"]

log = logging.getLogger("engine.sim")

DEFAULT_BALANCES = {"USDT": "100000", "BTC": "10", "ETH": "100", "1000SHIB": "100000000"}


def http_url(host: str, port: int) -> str:
    """``http://host:port``, an IPv6 literal in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class SimExchange:
    """A local exchange on loopback speaking every registered personality's wire protocol
    (:data:`engine.sim.personalities.PERSONALITIES`): Binance spot, Binance USD-M and Bybit V5
    on the main port (:attr:`url`), personalities whose paths collide with those on ports of
    their own (:meth:`engine.sim.registry.Registry.own_port`); :attr:`urls` maps every engine venue
    to its base URL.

    Parameters
    ----------
    seed
        Seeds the random walk and probabilistic faults; same seed, same run.
    accounts
        ``[(api_key, api_secret), ...]``: HMAC keys; each gets ``balances`` in every registered
        wallet, as that wallet takes them (Binance spot, Binance USD-M (USDT only), Bybit unified, ...).
    ed25519_keys
        ``{api_key: public_key}``: Ed25519 API keys, each its own account with the same
        ``balances``.  ``public_key`` is PEM (str or bytes), DER, the raw 32 bytes, or a
        ``cryptography`` ``Ed25519PublicKey``.  Binance requests with such a key carry a
        base64 Ed25519 signature instead of HMAC hex, and only such a key may
        ``session.logon`` on the spot WebSocket API.  A key has one type, so a key may
        not appear in both ``accounts`` and ``ed25519_keys``.  Bybit has no Ed25519 keys:
        there these accounts fail authentication.
    balances
        Asset -> amount (decimal strings); defaults to :data:`DEFAULT_BALANCES`.
    prices
        Fair-price series (a symbol, ``BTCUSDT``) -> starting price.
    faults
        Fault spec strings (grammar in :mod:`engine.sim.faults`).
    limits
        :class:`~engine.sim.ratelimit.Limits`; lower them to reach limits in tests.
    tick_interval
        Seconds between automatic market steps; None moves the market only on
        :meth:`step` / :meth:`set_price`.
    listen_key_ttl
        Seconds a USD-M listen key lives without keepalive (the venue uses 3600).

    withdraw_addresses
        The venue-side withdrawal address list (every personality's address book): only these
        addresses may receive a withdrawal; empty, none may (:mod:`engine.sim.withdrawals`).
    withdraw_seconds
        Seconds a withdrawal takes to complete (or fail) after its request.
    host, port
        Loopback address, and the main port (0: any free one); own-port personalities take any
        free port on the same host.

    Use as ``async with SimExchange(...) as sim: sim.urls["bybit"]``.
    """

    @exact
    def __init__(self, *, seed: int = 0, accounts=None, ed25519_keys=None, balances=None, prices=None, faults=None,
                 limits: Limits | None = None, host: str = "127.0.0.1", port: int = 0,
                 tick_interval: float | None = None, listen_key_ttl: float = 3600.0, withdraw_addresses=(),
                 withdraw_seconds: float = 2.0) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the simulator listens on loopback only")
        self.seed = seed
        self.host, self.port = host, port
        self.tick_interval = tick_interval
        self.listen_key_ttl = listen_key_ttl
        self.limits = limits or Limits()
        self.registry = load()
        self.core = Core(self.registry)
        start_prices = dict(self.registry.prices)
        start_prices.update({k: D(str(v)) for k, v in (prices or {}).items()})
        self.market = Market(self.core, seed, start_prices)
        bal = {k: D(str(v)) for k, v in (balances or DEFAULT_BALANCES).items()}
        hmac_keys = list(accounts or [("sim-key", "sim-secret")])
        ed_keys = {k: load_ed25519_public_key(v) for k, v in (ed25519_keys or {}).items()}
        for key, secret in hmac_keys:
            if key == MM_KEY:
                raise ValueError("reserved key")
            if key in ed_keys:
                raise ValueError(f"API key {key!r} is given both an HMAC secret and an Ed25519 public key")
            self.core.ledger.add(key, secret, bal)
        for key, public in ed_keys.items():
            if key == MM_KEY or not key:
                raise ValueError("reserved or empty key")
            self.core.ledger.add(key, None, bal, ed25519=public)
        self.market.start()
        self.initial_totals = self.core.totals()
        self.faults = FaultPlan(parse_faults(faults or (), seed), self.registry.new_orders.values())
        self.deferred = Deferred()                  # requests to process later (process=later faults)
        self.withdrawals = WithdrawalLedger(self, withdraw_addresses, withdraw_seconds)
        # each personality's own state (limiters, listen keys, timers, ...): sim.state[personality]
        self.state: dict[str, object] = {name: make(self) for name, make in self.registry.states.items()}
        self._cid = count(1)
        self._conns: set = set()
        self._runners: list[web.AppRunner] = []
        self._ticker: asyncio.Task | None = None
        self.url = ""                               # the main port
        self.urls: dict[str, str] = {}              # engine venue -> its base URL (main or own port)

    # -- lifecycle ---------------------------------------------------------------------
    async def _serve(self, app: web.Application, port: int) -> int:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        self._runners.append(runner)
        site = web.TCPSite(runner, self.host, port, reuse_address=True)
        await site.start()
        return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def start(self) -> "SimExchange":
        """Serve the main port and one port per own-port personality (:meth:`~engine.sim.registry.Registry.own_port`)."""
        self.port = await self._serve(build_app(self), self.port)
        self.url = http_url(self.host, self.port)
        self.urls = {venue: self.url for venue in self.registry.venues}
        for venue, build in self.registry.own_ports.items():
            app = build(self)
            app.middlewares.append(exact_middleware)
            self.urls[venue] = http_url(self.host, await self._serve(app, 0))
        loop = asyncio.get_running_loop()
        if self.tick_interval:
            self._ticker = loop.create_task(self._tick_loop())
        for state in self.state.values():
            if hasattr(state, "start"):
                state.start()
        self.withdrawals.start()
        log.info("simulator listening on %s", ", ".join(f"{v} {u}" for v, u in self.urls.items()))
        return self

    async def stop(self) -> None:
        await self.deferred.cancel_all()      # nothing acts on a stopped simulator
        self.withdrawals.stop()
        for state in self.state.values():
            if hasattr(state, "stop"):
                done = state.stop()
                if inspect.isawaitable(done):
                    await done
        if self._ticker is not None:
            self._ticker.cancel()
        for conn in list(self._conns):
            conn.close_soon()
        await asyncio.sleep(0)
        for conn in list(self._conns):
            try:
                await asyncio.wait_for(conn.ws.close(), 1.0)
            except (asyncio.TimeoutError, Exception):
                pass
            await conn.aclose()
        while self._runners:
            await self._runners.pop().cleanup()

    async def __aenter__(self) -> "SimExchange":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    @property
    def ws_url(self) -> str:
        """The main port's base URL for WebSockets."""
        return self.url.replace("http://", "ws://", 1)

    @exact
    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            try:
                self.market.step()
            except Exception:  # pragma: no cover - a bug here must not stop the server
                log.exception("market step failed")

    # -- connections --------------------------------------------------------------------
    def track_conn(self, conn) -> None:
        self._conns.add(conn)

    def untrack_conn(self, conn) -> None:
        self._conns.discard(conn)

    # -- accounts --------------------------------------------------------------------------
    def account_for(self, key: str):
        if key == MM_KEY:
            return None
        return self.core.ledger.accounts.get(key)

    def gen_client_id(self, prefix: str = "") -> str:
        return f"{prefix}sim{self.seed}x{next(self._cid):010d}"

    @exact
    def balance(self, key: str, asset: str, wallet: str = "binance-spot") -> tuple[Decimal, Decimal]:
        b = self.core.ledger.accounts[key].wallets[wallet][asset]
        return b.free, b.locked

    @exact
    def futures_balance(self, key: str, wallet: str = "binance-usdm", asset: str = "USDT") -> tuple[Decimal, Decimal]:
        """(available, wallet balance) of a derivatives wallet (``binance-usdm`` or ``bybit``), as the venue
        reports them: available = wallet + unrealised PnL - position and open-order initial margin."""
        acct = self.core.ledger.accounts[key]
        total = acct.wallets[wallet][asset].total
        if asset != self.core.margin_asset(wallet):
            return total, total
        return self.core.available_margin(acct, wallet), total

    @exact
    def totals(self) -> dict:
        """Per (wallet, asset): balances of every account (the market maker included) +
        fees + unrealised PnL + withdrawals in flight or gone out; equal to :attr:`initial_totals`
        when nothing leaked."""
        out = self.core.totals()
        for k, v in self.withdrawals.totals().items():
            out[k] = out.get(k, 0) + v
        return out

    @exact
    def place_for(self, key: str, venue: str, symbol: str, side: str, qty, *, client_id: str = "",
                  price=None) -> int:
        """Place an order for account ``key`` straight into the core, the way the venue's web UI,
        a liquidation (``client_id="autoclose-..."``) or an ADL close (``"adl_autoclose"``) does:
        no API request, so a connected client learns of it from its user-data stream only.

        ``venue``: a market's name (:class:`~engine.sim.registry.MarketSpec`): ``binance-spot``,
        ``binance-usdm``, ``bybit`` (linear), ``bybit-spot``, ...
        A market order without ``price``, a GTC limit order with it.  Returns the venue order id;
        raises :class:`~engine.sim.core.Reject` when the core refuses it.
        """
        market = self.registry.market_named(venue)
        acct = self.account_for(key)
        if acct is None:
            raise KeyError(f"no account {key!r}")
        limit = price is not None
        order = Order(oid=self.core.new_oid(), market=market, symbol=symbol, account=acct, client_id=client_id,
                      side=side.upper(), type="LIMIT" if limit else "MARKET", tif="GTC",
                      price=D(str(price)) if limit else None, qty=D(str(qty)))
        self.core.place(order)
        return order.oid

    # -- market control ------------------------------------------------------------------------
    @exact
    def set_price(self, symbol: str, price) -> None:
        """Move ``symbol``'s fair price (the market maker re-quotes; stops may trigger)."""
        self.market.set_price(symbol, D(str(price)))

    @exact
    def step(self, n: int = 1) -> None:
        """Advance the seeded random walk ``n`` steps."""
        self.market.step(n)

    def price(self, symbol: str) -> Decimal:
        return self.market.fair[symbol]

    # -- faults / limits ------------------------------------------------------------------------------
    def add_faults(self, *specs: str) -> None:
        self.faults.add(parse_faults(list(specs), self.seed + len(self.faults.faults)))

    def clear_faults(self) -> None:
        self.faults.clear()

    async def settle_later(self, timeout: float | None = 10.0) -> None:
        """Wait until every request a ``process=later`` fault put off has been processed
        (accepted or refused); their outcomes are in the faults' records in
        ``self.faults.log``."""
        await self.deferred.wait(timeout)

    def client_order_count(self, key: str, venue: str, client_id: str) -> int:
        """How many venue orders account ``key`` has with ``client_id`` (every order ever
        made with it: open, closed, and those a ``process=later`` fault made), on ``venue``, a
        market's name: ``binance-spot``, ``binance-usdm``, ``bybit`` (linear), ``bybit-spot``, ...
        Exactly-once tests assert this is 1."""
        return len(self.core.by_client.get((self.registry.market_named(venue), key, client_id), ()))

    def reset_rate_limits(self) -> None:
        for state in self.state.values():
            if hasattr(state, "reset_rate_limits"):
                state.reset_rate_limits()
