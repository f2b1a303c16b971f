"""TopstepX market hub: quotes of the traded contracts (deltas merged) as the risk checks' reference price,
subscribed again after every reconnect, over loopback against the simulator's ``/hubs/market``."""

import asyncio
from decimal import Decimal

import pytest
import uvloop

from engine._fixedpoint import parse
from engine.oms.risk import RiskLimits, RiskRejected
from engine.testing import simulated
from engine.venues.topstepx.decode import AccountMessages
from engine.venues.topstepx.instruments import ContractBook
from engine.venues.topstepx.market_stream import QuoteBook, market_url

MNQ = "CON.F.US.MNQ.Z26"


def run(coro, timeout=40):
    return uvloop.run(asyncio.wait_for(coro, timeout))


class Sink:
    def __init__(self):
        self.refs, self.marks = [], []

    def reference_price(self, symbol, raw):
        self.refs.append((symbol, raw))

    def position_mark(self, symbol, raw):
        self.marks.append((symbol, raw))

    def unreadable(self, why):
        raise AssertionError(why)


def quote(fields):
    import json
    return json.dumps({"type": 1, "target": "GatewayQuote", "arguments": [MNQ, fields]}).encode() + b"\x1e"


def test_quote_deltas_are_merged_into_the_reference_price():
    book = ContractBook()
    book.refresh([{"id": MNQ, "name": "MNQZ6", "tickSize": 0.25, "tickValue": 0.5, "activeContract": True}])
    quotes, sink = QuoteBook(), Sink()
    msgs = AccountMessages(7, book, quotes)
    msgs.read(quote({"symbol": "F.US.MNQ", "bestBid": 21000.25}), sink)
    assert sink.refs == []                                       # one side only: no reference yet
    msgs.read(quote({"symbol": "F.US.MNQ", "bestAsk": 21000.75}), sink)
    assert sink.refs == [("MNQ", parse("21000.5"))]              # the middle of the merged bid and ask
    msgs.read(quote({"symbol": "F.US.MNQ", "lastPrice": 21000.5, "bestBid": 21000.5}), sink)
    assert quotes.get(MNQ) == (parse("21000.5"), parse("21000.5"), parse("21000.75"))
    assert sink.refs[-1] == ("MNQ", parse("21000.5")) and sink.marks == sink.refs
    msgs.read(b'{"type":1,"target":"GatewayQuote","arguments":[{"bestBid":1}]}\x1e', sink)
    assert msgs.bad_quotes == 1 and len(sink.refs) == 2


def test_the_market_hub_sits_beside_the_user_hub():
    assert market_url("wss://rtc.topstepx.com/hubs/user") == "wss://rtc.topstepx.com/hubs/market"
    assert market_url("ws://127.0.0.1:5/hubs/User/") == "ws://127.0.0.1:5/hubs/market"


def test_hub_quotes_are_the_reference_of_price_bands_and_market_notional_and_come_back_after_a_drop():
    async def main():
        limits = RiskLimits(price_band="0.01", max_notional_by_symbol={"MNQ": "21500"})
        async with simulated("topstepx", risk_limits=limits) as s:
            eng, sim = s.engine, s.sim
            adapter = eng.adapter
            market = sim.state["topstepx"].hubs.market
            await s.until(lambda: any(("quotes", MNQ) in c.subscriptions for c in market.clients), 10,
                          "quotes of MNQ subscribed")
            inst = eng.instruments.id("MNQ")
            s.move_price("NQ", "25000")                           # far from where the bars left it
            await s.until(lambda: adapter.quote("MNQ") is not None and adapter.quote("MNQ")[1] > 24000, 10,
                          "a quote near 25000")
            await s.until(lambda: abs(eng.admission.reference_of(inst) - parse("25000")) < parse("20"), 5,
                          "the reference follows the hub")
            last, bid, ask = adapter.quote("MNQ")
            assert bid <= ask and (last == 0 or abs(last - Decimal(25000)) < 20)
            sent = len(sim.core.orders)
            with pytest.raises(RiskRejected) as info:
                await eng.place_limit("MNQ", "BUY", "1", "20000")  # 20 % under the hub's price
            assert info.value.rule == "price_band"
            with pytest.raises(RiskRejected) as info:
                await eng.place_market("MNQ", "BUY", "1")          # valued at the hub's price: 25000 > 21500
            assert info.value.rule == "max_notional"
            assert len(sim.core.orders) == sent                    # nothing left
            handshakes = adapter.market.handshakes
            market.drop_all()
            await s.until(lambda: adapter.market.handshakes > handshakes and MNQ in adapter.market.subscribed,
                          10, "subscribed again after the drop")
            assert any(("quotes", MNQ) in c.subscriptions for c in market.clients)
            s.move_price("NQ", "21000")
            await s.until(lambda: abs(eng.admission.reference_of(inst) - parse("21000")) < parse("20"), 10,
                          "quotes flow again")
            bid_order = await eng.place_limit("MNQ", "BUY", "1", str(adapter.quote("MNQ")[1] - 5))
            assert s.venue_orders(bid_order.client_order_id) == 1
    run(main())


def test_the_quotes_option_chooses_the_roots_and_an_order_adds_its_own():
    from engine.config import VenueConfig
    from engine.errors import ConfigError
    from engine.oms.engine import Engine
    from engine.sim import SimExchange
    from engine.testing import SIM_KEY, SIM_SECRET

    def config(sim, quotes):
        return VenueConfig.local("topstepx", sim.urls["topstepx"], SIM_KEY, SIM_SECRET).with_settings(
            options={"quotes": quotes})

    async def main():
        async with SimExchange() as sim:
            market = sim.state["topstepx"].hubs.market
            mes = "CON.F.US.MES.Z26"
            async with Engine(config(sim, ["MES"])) as eng:
                subs = lambda: {cid for c in market.clients for (topic, cid) in c.subscriptions if topic == "quotes"}
                await asyncio.wait_for(_until(lambda: subs() == {mes}), 5)
                assert eng.adapter.market.subscribed == {mes}
                await eng.place_limit("MNQ", "BUY", "1", "20000")          # a root of its own: quotes asked
                await asyncio.wait_for(_until(lambda: subs() == {mes, MNQ}), 5)
            async with Engine(config(sim, [])) as eng:
                assert eng.adapter.market is None and not market.clients   # no market hub at all
            with pytest.raises(ConfigError, match="'ZZ'"):
                async with Engine(config(sim, ["ZZ"])):
                    pass
    run(main())


async def _until(predicate):
    while not predicate():
        await asyncio.sleep(0.01)
