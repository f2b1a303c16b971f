"""engine.sim: a local exchange speaking each venue's wire protocol on loopback.

Public: :class:`SimExchange` (async context manager), :class:`Limits`, and the CLI
entry point :func:`engine.sim.cli.main`.  Fault grammar: :mod:`engine.sim.faults`.

Layout
------
The venue-neutral exchange is at the top of ``engine/sim/``: the core (``core``, ``matching``,
``placement``, ``settlement``, ``triggers``, ``accounts``), the instruments and the registry of
personalities (``instruments``, ``registry``, ``personalities``), the market maker (``market``),
faults (``faults``, ``fault_plan``, ``fault_answers``, ``deferred``, ``frames``), the rate-limit
machinery (``ratelimit``), the server (``server``, ``exchange``) and the streams.  Each venue's
personality is a folder of the same shape, files named by role: ``engine/sim/binance/`` (spot,
USD-M, the WebSocket API, order lists) and ``engine/sim/bybit/``, each with ``personality``
(its registration), ``instruments``, ``state``, ``rest``, ``auth``, ``errors``, ``limits``,
``fault_answers`` and its streams.  No module imports another in a circle, and none is over
~400 lines (tests/sim/test_sim_layout.py).

The personality contract
------------------------
A personality ``engine/sim/<venue>/`` meets it as follows:

* Markets and money: its ``personality.register(reg)`` (listed in
  :data:`engine.sim.personalities.PERSONALITIES`) declares, through
  :class:`engine.sim.registry.Registry` and never by editing a neutral module, its wallet
  (``reg.wallet(name, assets=..., balances=...)``; the wallet name is the engine venue name:
  "binance-spot", "binance-usdm", "bybit", "mexc", "gateio", "topstepx"), its markets with their
  instruments (``reg.market(MarketSpec(key, kind, wallet, name), instruments)``: the core's market
  key such as "bspot", "busdm", "yspot", "ylinear"; symbols, filters and maker/taker fee rates on
  each :class:`~engine.sim.instruments.Instrument`, which follows a fair-price series, its own
  declared with ``reg.price``), its per-simulator state (``reg.state(factory)``, at
  ``sim.state[personality]``, with optional ``start``/``stop``/``reset_rate_limits``), its rate
  limits (``reg.limits(LIMITS, OPTIONS)`` from its ``limits`` module: each limit's name and default,
  read from :class:`Limits`, and the CLI options that set them), the request that places a new
  order on each of its engine venues' order-entry paths (``reg.new_order(venue, entry, request)``)
  and, on the main port, its venues and routes (``reg.venue``, ``reg.mount``).  Every account gets the
  simulator's default balances in every wallet, as the wallet takes them; the seeded market
  maker quotes every registered market.
* Serving: a venue whose paths collide with the main port's (MEXC ``/api/v3``, Gate.io
  ``/api/v4`` and ``/ws/v4``, TopstepX) declares it in its registration,
  ``reg.own_port(venue, build_app)`` (``build_app`` in ``engine/sim/<venue>/app.py``),
  where ``build_app(sim) -> aiohttp.web.Application``.  :class:`SimExchange` serves the main
  app and one site per entry on the same host (port 0: any free one), stops them in
  ``stop()``, and maps every engine venue to its base URL in ``sim.urls`` (``sim.url`` is the
  main port: ``sim.urls["binance-spot"] == sim.url``).  ``python -m engine sim`` prints
  ``listening on URL``, then ``VENUE listening on URL`` per own-port venue, before any other
  output (:func:`engine.sim.cli.read_urls` reads them back).  ``engine.connect(venue, sim=...)``,
  :mod:`engine.testing`, the bench and the demo use ``sim.urls[venue]``.
* Faults: every personality runs its requests through :mod:`engine.sim.frames`
  (``serve_rest``, ``answer_ws_request``) with its own answers object, so the grammar of
  :mod:`engine.sim.faults` applies everywhere: targets by path or WebSocket method name,
  ``process=never|first|later``, stream targets ``stream.<venue>``, and ``order`` for every
  new-order request its personality declares (:meth:`~engine.sim.registry.Registry.new_order`).
  ``sim.client_order_count(key, market_name, client_id)`` and ``sim.settle_later()`` work for
  every venue.
* Its folder's ``__init__`` says which wire facts it follows (the venue's fact sheet,
  shared/venues/<venue>.md) and which behaviours are switchable because the sheet marks them
  unconfirmed.
"""

from engine.sim.exchange import DEFAULT_BALANCES, SimExchange
from engine.sim.ratelimit import Limits

__all__ = ["SimExchange", "Limits", "DEFAULT_BALANCES"]
