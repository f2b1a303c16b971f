"""SimExchange: the simulator as an object (start/stop, accounts, market control, faults)."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from itertools import count

from aiohttp import web

from engine.sim.core import Core
from engine.sim.decimals import D, exact
from engine.sim.deferred import Deferred
from engine.sim.fault_plan import FaultPlan
from engine.sim.faults import parse_faults
from engine.sim.instruments import DEFAULT_PRICES
from engine.sim.market import MM_KEY, Market
from engine.sim.binance.limits import BinanceLimiter
from engine.sim.bybit.limits import BybitLimiter
from engine.sim.ratelimit import Limits

__all__ = ["SimExchange", "DEFAULT_BALANCES"]

log = logging.getLogger("engine.sim")

DEFAULT_BALANCES = {"USDT": "100000", "BTC": "10", "ETH": "100", "1000SHIB": "100000000"}


class SimExchange:
    """A local exchange speaking Binance spot, Binance USD-M and Bybit V5 on loopback.

    Parameters
    ----------
    seed
        Seeds the random walk and probabilistic faults; same seed, same run.
    accounts
        ``[(api_key, api_secret), ...]``: HMAC keys; each gets ``balances`` in every venue
        wallet (Binance spot, Binance USD-M (USDT only), Bybit unified).
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
        Symbol -> starting fair price.
    faults
        Fault spec strings (grammar in :mod:`engine.sim.faults`).
    limits
        :class:`~engine.sim.ratelimit.Limits`; lower them to reach limits in tests.
    tick_interval
        Seconds between automatic market steps; None moves the market only on
        :meth:`step` / :meth:`set_price`.
    listen_key_ttl
        Seconds a USD-M listen key lives without keepalive (the venue uses 3600).

    Use as ``async with SimExchange(...) as sim: sim.url``.
    """

    @exact
    def __init__(self, *, seed: int = 0, accounts=None, ed25519_keys=None, balances=None, prices=None, faults=None,
                 limits: Limits | None = None, host: str = "127.0.0.1", port: int = 0,
                 tick_interval: float | None = None, listen_key_ttl: float = 3600.0) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the simulator listens on loopback only")
        self.seed = seed
        self.host, self.port = host, port
        self.tick_interval = tick_interval
        self.listen_key_ttl = listen_key_ttl
        self.limits = limits or Limits()
        self.core = Core()
        start_prices = dict(DEFAULT_PRICES)
        start_prices.update({k: D(str(v)) for k, v in (prices or {}).items()})
        self.market = Market(self.core, seed, start_prices)
        bal = {k: D(str(v)) for k, v in (balances or DEFAULT_BALANCES).items()}
        from engine.sim.auth import load_ed25519_public_key

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
        from engine.sim.binance import usdm_common
        usdm_common.bind_instruments(self.core)
        self.market.start()
        self.initial_totals = self.core.totals()
        self.faults = FaultPlan(parse_faults(faults or (), seed))
        self.deferred = Deferred()                  # requests to process later (process=later faults)
        self.spot_limiter = BinanceLimiter(self.limits, "spot")
        self.usdm_limiter = BinanceLimiter(self.limits, "usdm")
        self.bybit_limiter = BybitLimiter(self.limits)
        self.listen_keys: dict[str, dict] = {}      # listenKey -> {"account", "expires", "conns"}
        self.countdowns: dict = {}                  # (key, symbol) -> timer: Binance USD-M countdownCancelAll
        self.dcp_windows: dict[str, int] = {}       # key -> seconds: Bybit disconnected-cancel-all
        self.dcp_timers: dict = {}                  # key -> timer armed when its last private stream closed
        self.private_conns: dict[str, int] = {}     # key -> authenticated Bybit private streams open
        self._cid = count(1)
        self._conns: set = set()
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task | None = None
        self._expirer: asyncio.Task | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> "SimExchange":
        from engine.sim.server import build_app

        self._runner = web.AppRunner(build_app(self), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        sock = site._server.sockets[0]  # type: ignore[union-attr]
        self.port = sock.getsockname()[1]
        self.url = f"http://{self.host}:{self.port}"
        loop = asyncio.get_running_loop()
        if self.tick_interval:
            self._ticker = loop.create_task(self._tick_loop())
        self._expirer = loop.create_task(self._expiry_loop())
        log.info("simulator listening on %s", self.url)
        return self

    async def stop(self) -> None:
        await self.deferred.cancel_all()      # nothing acts on a stopped simulator
        for timer in (*self.countdowns.values(), *self.dcp_timers.values()):
            timer.cancel()
        self.countdowns.clear()
        self.dcp_timers.clear()
        for task in (self._ticker, self._expirer):
            if task is not None:
                task.cancel()
        for conn in list(self._conns):
            conn.close_soon()
        await asyncio.sleep(0)
        for conn in list(self._conns):
            try:
                await asyncio.wait_for(conn.ws.close(), 1.0)
            except (asyncio.TimeoutError, Exception):
                pass
            await conn.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "SimExchange":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    @exact
    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            try:
                self.market.step()
            except Exception:  # pragma: no cover - a bug here must not stop the server
                log.exception("market step failed")

    @exact
    async def _expiry_loop(self) -> None:
        from engine.sim.binance import user_stream
        while True:
            await asyncio.sleep(0.2)
            user_stream.expire_due(self)

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
        if asset != "USDT":
            return total, total
        return self.core.available_margin(acct, wallet), total

    @exact
    def totals(self) -> dict:
        """Per (wallet, asset): balances of every account (the market maker included) +
        fees + unrealised PnL; equal to :attr:`initial_totals` when nothing leaked."""
        return self.core.totals()

    _VENUE_MARKET = {"binance-spot": "bspot", "binance-usdm": "busdm", "bybit": "ylinear", "bybit-spot": "yspot"}

    @exact
    def place_for(self, key: str, venue: str, symbol: str, side: str, qty, *, client_id: str = "",
                  price=None) -> int:
        """Place an order for account ``key`` straight into the core, the way the venue's web UI,
        a liquidation (``client_id="autoclose-..."``) or an ADL close (``"adl_autoclose"``) does:
        no API request, so a connected client learns of it from its user-data stream only.

        ``venue``: ``binance-spot``, ``binance-usdm``, ``bybit`` (linear) or ``bybit-spot``.
        A market order without ``price``, a GTC limit order with it.  Returns the venue order id;
        raises :class:`~engine.sim.core.Reject` when the core refuses it.
        """
        from engine.sim.matching import Order
        market = self._VENUE_MARKET[venue]
        acct = self.account_for(key)
        if acct is None:
            raise KeyError(f"no account {key!r}")
        limit = price is not None
        order = Order(oid=self.core.new_oid(), market=market, symbol=symbol, account=acct, client_id=client_id,
                      side=side.upper(), type="LIMIT" if limit else "MARKET", tif="GTC",
                      price=D(str(price)) if limit else None, qty=D(str(qty)),
                      working_type="CONTRACT_PRICE" if market == "busdm" else None)
        if market.startswith("y"):
            order.extra["bybit_tif"] = "GTC" if limit else "IOC"
            order.extra["bybit_type"] = "Limit" if limit else "Market"
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
        made with it: open, closed, and those a ``process=later`` fault made), on ``venue``:
        ``binance-spot``, ``binance-usdm``, ``bybit`` (linear) or ``bybit-spot``.  Exactly-once
        tests assert this is 1."""
        return len(self.core.by_client.get((self._VENUE_MARKET[venue], key, client_id), ()))

    def reset_rate_limits(self) -> None:
        self.spot_limiter.reset()
        self.usdm_limiter.reset()
        self.bybit_limiter.reset()
