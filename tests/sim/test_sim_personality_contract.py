"""The personality contract (engine/sim/__init__.py): a personality registers its markets,
instruments, fees and wallet with the venue-neutral core, and one whose paths collide with the
main port's is served on a loopback port of its own, listed in ``sim.urls``.

The personality here ("toy") exists only in this module: a spot market ``toy`` trading
``BTC-USDT`` (following the simulator's BTCUSDT price) and ``TOY-USDT`` (a price series of its
own) from the wallet ``toy``, served on its own port, where it answers ``GET /api/v3/time``
(a path the main port gives Binance) with its own body.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import aiohttp
import pytest
from aiohttp import web

from engine.sim import SimExchange, personalities
from engine.sim.cli import listening_lines, read_urls
from engine.sim.core_types import Reject
from engine.sim.decimals import D
from engine.sim.exchange import http_url
from engine.sim.instruments import Instrument
from engine.sim.matching import Order
from engine.sim.registry import MarketSpec, Registry, load
from engine.venues.registry import ADAPTERS, order_paths

THIS = __name__
MAKER, TAKER = D("0.0005"), D("0.002")
SIM = web.AppKey("sim", SimExchange)


def _instrument(symbol: str, series: str, tick: str) -> Instrument:
    return Instrument(market="toy", symbol=symbol, base=symbol.split("-")[0], quote="USDT", kind="spot",
                      tick=D(tick), step=D("0.001"), min_qty=D("0.001"), max_qty=D("1000"),
                      market_max_qty=D("1000"), min_notional=D("1"), min_price=D(tick), max_price=D("1000000"),
                      maker_fee=MAKER, taker_fee=TAKER, series=series)


def register(reg: Registry) -> None:
    reg.wallet("toy", assets=("USDT", "BTC"), balances={"TOY": "500"})
    reg.price("TOYUSDT", "2.5")
    reg.market(MarketSpec("toy", "spot", "toy", "toy"),
               [_instrument("BTC-USDT", "BTCUSDT", "0.1"), _instrument("TOY-USDT", "TOYUSDT", "0.001")])
    reg.new_order("toy", "rest", "POST place")
    reg.own_port("toy", build_app)


async def _time(request: web.Request) -> web.Response:
    return web.json_response({"venue": "toy"})


async def _order(request: web.Request) -> web.Response:
    """A market order for the account named in the ``X-Key`` header, straight into the core."""
    sim = request.app[SIM]
    body = await request.json()
    acct = sim.account_for(request.headers["X-Key"])
    order = Order(oid=sim.core.new_oid(), market="toy", symbol=body["symbol"], account=acct,
                  client_id=body["clientId"], side=body["side"], type="MARKET", tif="GTC", price=None,
                  qty=D(body["qty"]))
    try:
        sim.core.place(order)
    except Reject as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response({"id": order.oid, "status": order.status, "filled": str(order.filled)})


def build_app(sim) -> web.Application:
    app = web.Application()
    app[SIM] = sim
    app.router.add_get("/api/v3/time", _time)
    app.router.add_post("/order", _order)
    return app


@pytest.fixture
def with_toy(monkeypatch):
    monkeypatch.setattr(personalities, "PERSONALITIES", {**personalities.PERSONALITIES, "toy": THIS})


def _run(scenario, **kwargs):
    async def main():
        async with SimExchange(seed=3, **kwargs) as sim:
            await scenario(sim)
    asyncio.run(main())


@pytest.mark.usefixtures("with_toy")
def test_a_personality_on_its_own_port_is_served_beside_the_main_port_and_stopped_with_it():
    async def scenario(sim):
        assert sim.urls["binance-spot"] == sim.urls["binance-usdm"] == sim.urls["bybit"] == sim.url
        assert sim.urls["toy"].startswith("http://127.0.0.1:") and sim.urls["toy"] != sim.url
        async with aiohttp.ClientSession() as http:
            async with http.get(sim.urls["toy"] + "/api/v3/time") as r:
                assert await r.json() == {"venue": "toy"}
            async with http.get(sim.url + "/api/v3/time") as r:
                assert set(await r.json()) == {"serverTime"}      # Binance's, on the main port
        # the CLI's first lines, and what a parent process reads back from them
        lines = listening_lines(sim)
        assert lines == [f"listening on {sim.url}"] + [f"{v} listening on {sim.urls[v]}" for v in sim.registry.own_ports]
        assert lines[-1] == f"toy listening on {sim.urls['toy']}"
        assert read_urls(iter(line + "\n" for line in lines).__next__) == sim.urls
        stopped.append(sim.urls["toy"])

    stopped: list[str] = []
    _run(scenario)

    async def refused():
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientConnectionError):
                await http.get(stopped[0] + "/api/v3/time")
    asyncio.run(refused())


@pytest.mark.usefixtures("with_toy")
def test_a_registered_market_is_quoted_funded_and_charged_at_its_own_fee_rates():
    async def scenario(sim):
        before = sim.totals()
        # every account starts with the wallet's share of the default balances, plus its own assets
        assert sim.balance("sim-key", "USDT", "toy") == (D("100000"), 0)
        assert sim.balance("sim-key", "BTC", "toy") == (D("10"), 0)
        assert sim.balance("sim-key", "TOY", "toy") == (D("500"), 0)
        assert "ETH" not in sim.core.ledger.accounts["sim-key"].wallets["toy"]
        # the market maker quotes both listings around their series' fair prices
        for symbol, series in (("BTC-USDT", "BTCUSDT"), ("TOY-USDT", "TOYUSDT")):
            book = sim.core.books[("toy", symbol)]
            bid, ask = book.best("BUY"), book.best("SELL")
            assert bid < sim.price(series) < ask, (symbol, bid, ask)
        sim.set_price("TOYUSDT", "3")
        assert sim.core.books[("toy", "TOY-USDT")].best("SELL") > D("3")

        async with aiohttp.ClientSession() as http:
            async with http.post(sim.urls["toy"] + "/order", headers={"X-Key": "sim-key"},
                                 json={"symbol": "TOY-USDT", "side": "BUY", "qty": "100", "clientId": "c1"}) as r:
                answer = await r.json()
        assert answer["status"] == "FILLED", answer
        order = sim.core.orders[answer["id"]]
        cost = sum((fill.price * fill.qty for fill, _, _, _ in order.fills), Decimal(0))
        assert order.filled == D("100") and cost == order.cum_quote > 0
        assert [(fee, asset, maker) for _, fee, asset, maker in order.fills] == \
            [(fill.qty * TAKER, "TOY", False) for fill, _, _, _ in order.fills]
        free, locked = sim.balance("sim-key", "USDT", "toy")
        assert locked == 0 and free == D("100000") - cost
        # a spot buy pays its taker fee in the asset it receives
        assert sim.balance("sim-key", "TOY", "toy")[0] == D("500") + D("100") * (1 - TAKER)
        assert sim.client_order_count("sim-key", "toy", "c1") == 1
        # other wallets did not move, and nothing leaked
        assert sim.balance("sim-key", "USDT", "binance-spot") == (D("100000"), 0)
        assert sim.totals() == before

    _run(scenario)


def test_the_registry_refuses_what_would_break_the_core():
    reg = Registry()
    reg.personality = "x"
    with pytest.raises(ValueError, match="register its wallet"):
        reg.market(MarketSpec("m", "spot", "nowhere", "m"), [])
    reg.wallet("w")
    with pytest.raises(ValueError, match="twice"):
        reg.wallet("w")
    with pytest.raises(ValueError, match="listed on"):
        reg.market(MarketSpec("m", "spot", "w", "m"), [_instrument("BTC-USDT", "BTCUSDT", "0.1")])
    with pytest.raises(ValueError, match="kind"):
        MarketSpec("m", "option", "w", "m")
    reg.market(MarketSpec("toy", "spot", "w", "toy"), [_instrument("TOY-USDT", "NOPRICE", "0.001")])
    with pytest.raises(ValueError, match="Registry.price"):
        reg.check()


def test_the_shipped_personalities_register_the_venues_and_wallets_they_serve():
    reg = load()
    # every engine venue is served, on the main port or its own, by a wallet and a main market named after it
    # (engine.testing relies on it), and every order-entry path of it has its new-order request declared
    assert set(ADAPTERS) <= set(reg.venues) | set(reg.own_ports)
    for venue in set(reg.venues) | set(ADAPTERS):
        assert venue in reg.wallets and reg.market_named(venue)
    assert set(reg.own_ports).isdisjoint(reg.venues)
    with pytest.raises(ValueError, match="twice"):
        reg.own_port(next(iter(reg.venues)), build_app)
    assert set(order_paths()) <= set(reg.new_orders), set(order_paths()) - set(reg.new_orders)


@pytest.mark.usefixtures("with_toy")
def test_the_new_order_request_a_personality_declares_is_a_target_of_order():
    reg = load()
    assert reg.new_orders[("toy", "rest")] == "POST place"
    with pytest.raises(ValueError, match="twice"):
        reg.new_order("toy", "rest", "POST place")
    with pytest.raises(ValueError, match="rest"):
        reg.new_order("toy", "fix", "NewOrderSingle")

    async def scenario(sim):
        sim.add_faults("order:http503:nth=1")
        # not a new order of any personality: "order" does not name it
        assert sim.faults.for_request(("place", "GET place", "*"), ws=False).answer is None
        hit = sim.faults.for_request(("place", "POST place", "*"), ws=False)
        assert hit.answer is not None and hit.record.name == "place"
    _run(scenario)


def test_an_ipv6_loopback_url_has_brackets():
    assert http_url("::1", 8080) == "http://[::1]:8080"
    assert http_url("127.0.0.1", 8080) == "http://127.0.0.1:8080"

    async def scenario(sim):
        assert sim.url.startswith("http://[::1]:") and all(u.startswith("http://[::1]:") for u in sim.urls.values())
        async with aiohttp.ClientSession() as http:
            async with http.get(sim.url + "/api/v3/time") as r:
                assert set(await r.json()) == {"serverTime"}
    try:
        _run(scenario, host="::1")
    except OSError as exc:                      # a machine without IPv6 loopback
        pytest.skip(f"no IPv6 loopback here: {exc}")


def test_connect_on_a_simulator_refuses_a_venue_it_does_not_serve_before_anything_is_sent():
    import engine
    from engine import ConfigError

    async def scenario(sim):
        sim.urls.pop("bybit")
        with pytest.raises(ConfigError, match="serves no such venue"):
            async with engine.connect("bybit", sim=sim):
                pass
        assert sim.core.orders == {} or all(o.account.is_market_maker for o in sim.core.orders.values())

    _run(scenario)


def test_a_personality_s_own_price_series_leaves_the_others_walks_as_they_were(monkeypatch):
    def walk():
        async def main():
            async with SimExchange(seed=9) as sim:
                sim.step(50)
                return {s: sim.price(s) for s in ("BTCUSDT", "ETHUSDT", "1000SHIBUSDT")}
        return asyncio.run(main())
    alone = walk()
    monkeypatch.setattr(personalities, "PERSONALITIES", {**personalities.PERSONALITIES, "toy": THIS})
    assert walk() == alone                              # TOYUSDT walks beside them, on its own
