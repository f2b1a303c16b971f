"""A test kit for bots: the simulator in-process, an engine connected to it, faults and market moves.

Two ways in:

- ``async with simulated("bybit", order_entry="ws") as s:`` -- the simulator started on a free
  loopback port, an engine connected to it (account ``sim-key``/``sim-secret``), both stopped
  at the end.  ``s.engine`` is the :class:`~engine.oms.engine.Engine`, ``s.sim`` the
  :class:`~engine.sim.SimExchange`; the helpers below act on the simulator for the engine's
  account.  ``engine.connect(venue, sim=True)`` is the same with only the engine handed back
  (its simulator at ``eng.sim``).
- pytest: this module is a pytest plugin (registered by the package's ``pytest11`` entry
  point, so installing the engine is enough).  The ``engine_sim`` fixture runs a scenario,
  an ``async def`` taking a :class:`Simulated`, on a fresh simulator and engine::

      def test_my_bot(engine_sim):
          async def scenario(s):
              order = await s.engine.place_market("BTCUSDT", "BUY", "0.01")
              assert order.state.name == "FILLED"
          engine_sim.run(scenario, venue="bybit")

  ``engine_sim_every_path`` is the same fixture parametrized over every venue and order-entry
  path the engine offers (``engine_sim_every_path.venue`` / ``.order_entry`` say which), so
  one test covers them all.  No async pytest plugin is needed; with one (pytest-asyncio,
  anyio) use :func:`simulated` directly in ``async def`` tests.

Faults use the simulator's grammar (``python -m engine sim --help`` lists it), e.g.
``"order:drop:process=first"``: the order is taken, its answer lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal
from typing import Any, AsyncIterator, Awaitable, Callable

__all__ = ["Simulated", "simulated", "SimRunner", "SIM_KEY", "SIM_SECRET"]

SIM_KEY, SIM_SECRET = "sim-key", "sim-secret"       # the simulator's default account



class Simulated:
    """An engine trading on an in-process simulator, with the simulator's controls at hand.

    ``symbol()``, ``qty`` and ``bid_price`` are a symbol the venue lists, a small order size there
    and a buy price that rests below its starting market (BTCUSDT's listing, 0.01 and 49000 on a
    crypto venue; each venue's own in its traits, :mod:`engine.venues.traits`), for tests written once
    for every venue.
    """

    def __init__(self, engine, sim, venue: str) -> None:
        self.engine = engine
        self.sim = sim
        self.venue = venue
        from engine.venues.traits import traits
        self._traits = traits(venue)
        self.qty, self.bid_price = self._traits.qty, self._traits.bid

    # -- the market ------------------------------------------------------------------------------
    def move_price(self, symbol: str, price) -> None:
        """Move ``symbol``'s fair price: the simulated market maker re-quotes, resting orders and
        stops it crosses fill or trigger (their records reach the engine on its user-data stream)."""
        self.sim.set_price(symbol, price)

    def price(self, symbol: str) -> Decimal:
        return self.sim.price(symbol)

    def symbol(self, series: str | None = None) -> str:
        """This venue's name for the instrument following the fair-price ``series`` (``BTCUSDT`` on
        Binance and Bybit, ``BTC_USDT`` on Gate.io), so one test reads the same on every venue; without
        a series, the venue's example symbol (BTCUSDT's listing, or the first of the series its traits
        name, where its engine symbols are not the simulator's instrument names)."""
        named = self._traits.series
        series = series or next(iter(named), "BTCUSDT")
        if series in named:
            return named[series]
        reg = self.sim.registry
        market = reg.market_named(self.venue)
        for (m, symbol), inst in reg.instruments.items():
            if m == market and inst.fair == series:
                return symbol
        raise KeyError(f"{self.venue} lists nothing following {series!r}")

    def step(self, n: int = 1) -> None:
        """Advance the simulator's seeded random walk ``n`` steps."""
        self.sim.step(n)

    # -- faults ----------------------------------------------------------------------------------
    def inject(self, *faults: str) -> None:
        """Add faults, e.g. ``"order:drop:process=first,nth=1"`` (the order is taken, its answer lost)."""
        self.sim.add_faults(*faults)

    def clear_faults(self) -> None:
        self.sim.clear_faults()

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until requests a ``process=later`` fault put off have been processed by the simulator."""
        await self.sim.settle_later(timeout)

    # -- the venue's side of the account ------------------------------------------------------------
    def balance(self, asset: str) -> tuple[Decimal, Decimal]:
        """The simulator's own figures for ``asset`` in the engine's account, as ``engine.balances()`` shows
        them: (free, locked) on spot, (available, wallet balance) on derivatives accounts."""
        # a personality names its wallet and its main market after the engine venue (engine.sim.registry)
        key, wallet = self.engine.config.api_key, self.venue
        if self.engine.futures:
            return self.sim.futures_balance(key, wallet, asset)
        return self.sim.balance(key, asset, wallet)

    def venue_orders(self, client_order_id: str) -> int:
        """How many orders the venue holds under ``client_order_id`` (exactly-once tests expect 1)."""
        return self.sim.client_order_count(self.engine.config.api_key, self.venue, client_order_id)

    async def until(self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
        """Wait until ``predicate()`` is true (raises ``AssertionError`` naming ``what`` after ``timeout``)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not predicate():
            if loop.time() > end:
                raise AssertionError(f"{what} not met within {timeout} s")
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def simulated(venue: str = "binance-spot", *, order_entry: str = "rest", seed: int = 0, faults=(),
                    prices: dict | None = None, balances: dict | None = None, tick_interval: float | None = None,
                    **engine_options) -> AsyncIterator[Simulated]:
    """A simulator on a free loopback port and an engine connected to it (see the module docstring).

    ``prices``/``balances``: starting fair prices and the account's balances (decimal strings);
    ``faults``: simulator fault specs active from the start; ``tick_interval``: seconds between
    automatic market steps (None: the market moves only when told).  Other keyword arguments go
    to :class:`~engine.oms.engine.Engine` (``risk_limits``, ``breaker``, ...).
    """
    from engine.api import connect
    from engine.sim import SimExchange

    async with SimExchange(seed=seed, accounts=[(SIM_KEY, SIM_SECRET)], prices=prices, balances=balances,
                           faults=list(faults), tick_interval=tick_interval) as sim:
        async with connect(venue, sim=sim, order_entry=order_entry, **engine_options) as eng:
            yield Simulated(eng, sim, venue)


class SimRunner:
    """Runs ``async def scenario(s: Simulated)`` on a fresh simulator and engine, on uvloop (pytest fixture)."""

    def __init__(self, venue: str = "binance-spot", order_entry: str = "rest") -> None:
        self.venue = venue
        self.order_entry = order_entry

    def run(self, scenario: Callable[[Simulated], Awaitable[Any]], *, venue: str | None = None,
            order_entry: str | None = None, timeout: float = 60.0, **options) -> Any:
        """Run ``scenario``; returns what it returns.  ``options`` as :func:`simulated` takes them."""
        import uvloop

        async def main():
            async with simulated(venue or self.venue, order_entry=order_entry or self.order_entry,
                                 **options) as s:
                return await scenario(s)

        return uvloop.run(asyncio.wait_for(main(), timeout))


# -- pytest plugin -------------------------------------------------------------------------------------
try:
    import pytest
except ImportError:        # the kit without pytest: simulated() and SimRunner still work
    pytest = None

if pytest is not None:
    from engine.venues.registry import order_paths as _order_paths

    @pytest.fixture
    def engine_sim() -> SimRunner:
        """Runs a scenario on a fresh in-process simulator and engine: ``engine_sim.run(scenario, venue=...)``."""
        return SimRunner()

    @pytest.fixture(params=_order_paths(), ids=lambda p: f"{p[0]}-{p[1]}")
    def engine_sim_every_path(request) -> SimRunner:
        """``engine_sim`` once per venue and order-entry path (``.venue``, ``.order_entry``)."""
        venue, entry = request.param
        return SimRunner(venue, entry)
