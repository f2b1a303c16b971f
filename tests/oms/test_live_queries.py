"""Live queries: the venue's own word, asked on demand, on every venue (engine.oms.live)."""

import datetime as dt
from decimal import Decimal

import pytest

from engine import Balance, OrderState, Side, Trade
from engine.config import VenueConfig
from engine.testing import Simulated
from engine.venues.base import Capability
from engine.venues.registry import ADAPTERS, make_adapter
from engine.venues.traits import traits
from tests.support.engine_fixtures import KEY, engine_on_sim, run, until

VENUES = ["binance-spot", "binance-usdm", "bybit"]


def _crypto_venues_with_live_queries() -> list[str]:
    """Every registered venue offering live queries and trading the simulator's crypto series (a venue of
    its own series, TopstepX's futures, has a test of its own below)."""
    out = []
    for venue in sorted(ADAPTERS):
        adapter = make_adapter(VenueConfig.local(venue, "http://127.0.0.1:9", "k", "s"))
        if Capability.LIVE_QUERIES in adapter.capabilities and not traits(venue).series:
            out.append(venue)
    return out


@pytest.mark.parametrize("venue", _crypto_venues_with_live_queries())
def test_balances_orders_trades_and_history_come_from_the_venue(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            sym = Simulated(eng, sim, venue).symbol()        # the venue's name of the BTCUSDT series
            start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
            bought = await eng.place_market(sym, "BUY", "0.02")
            bid = await eng.place_limit(sym, "BUY", "0.01", "49000")

            balances = await eng.fetch_balances()
            assert all(isinstance(b, Balance) for b in balances.values())
            if eng.futures:
                available, wallet = sim.futures_balance(KEY, venue)
                assert abs(balances["USDT"].free - available) < Decimal("1e-7")
                assert abs(balances["USDT"].total - wallet) < Decimal("1e-7")
            else:
                free, locked = sim.balance(KEY, "USDT", venue)
                assert (balances["USDT"].free, balances["USDT"].locked) == (free, locked)
                assert balances["BTC"].free == sim.balance(KEY, "BTC", venue)[0]

            live = await eng.fetch_order(bid)
            assert live.client_order_id == bid.client_order_id and live.state == OrderState.NEW
            assert live.quantity == Decimal("0.01") and live.price == Decimal("49000")
            assert [o.client_order_id for o in await eng.fetch_open_orders(sym)] == [bid.client_order_id]

            history = await eng.fetch_order_history(sym, since=start)
            ids = [o.client_order_id for o in history]
            assert bought.client_order_id in ids and bid.client_order_id in ids
            assert next(o for o in history if o.client_order_id == bought.client_order_id).state == OrderState.FILLED

            trades = await eng.fetch_trades(sym, since=start)
            assert trades and all(isinstance(t, Trade) for t in trades)
            assert sum(t.quantity for t in trades) == Decimal("0.02")
            assert all(t.client_order_id == bought.client_order_id and t.side == Side.BUY for t in trades)
            assert sum(t.fee for t in trades) == eng.get_order(bought.client_order_id).fee
            assert all(t.is_maker is False for t in trades)

            if eng.futures:
                positions = await eng.fetch_positions()
                assert positions[sym].size == Decimal("0.02")
            assert eng.stats()["live_differences"] == 0

    run(main())


def test_a_difference_from_the_books_is_counted_and_reconciled():
    """An order filled at the venue while its stream event was lost: the live query says so, the difference is
    counted, and reconciliation brings the engine's books to the venue's word."""
    async def main():
        faults = ["stream.binance-spot:stream_lose:p=1"]
        async with engine_on_sim("binance-spot", faults=faults) as (sim, eng):
            bid = await eng.place_limit("BTCUSDT", "BUY", "0.01", "49000")
            sim.set_price("BTCUSDT", "48900")                 # it fills; nobody tells the engine
            live = await eng.fetch_order(bid)
            assert live.state == OrderState.FILLED
            assert eng.stats()["live_differences"] == 1
            await until(lambda: eng.get_order(bid.client_order_id).state == OrderState.FILLED, 10, "reconciled")

    run(main())


def test_bad_query_input_is_refused_before_anything_is_sent():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            with pytest.raises(ValueError, match="aware"):
                await eng.fetch_trades("BTCUSDT", since=dt.datetime(2026, 1, 1))
            with pytest.raises(TypeError, match="since"):
                await eng.fetch_trades("BTCUSDT", since="yesterday")
            with pytest.raises(ValueError, match="1 to 1000"):
                await eng.fetch_order_history("BTCUSDT", limit=5000)
            with pytest.raises(Exception, match="FOOUSDT"):
                await eng.fetch_trades("FOOUSDT")

    run(main())


@pytest.mark.parametrize("venue", VENUES)
def test_cancelling_an_order_the_venue_already_ended_answers_with_its_final_state(venue):
    """The venue filled the order but its stream event was lost: the cancel's "unknown order" answer is not
    an error for the bot: the engine asks the venue and returns the order as it ended."""
    async def main():
        async with engine_on_sim(venue, faults=[f"stream.{venue}:stream_lose:p=1"]) as (sim, eng):
            bid = await eng.place_limit("BTCUSDT", "BUY", "0.01", "49900")
            sim.set_price("BTCUSDT", "49800")
            ended = await eng.cancel(bid)
            assert ended.state == OrderState.FILLED and ended.filled == Decimal("0.01")

    run(main())


def test_live_queries_on_topstepx_contracts():
    """Integer contracts, fees in USD, trades listed without client ids (named from the books by order id)."""
    from engine.testing import simulated

    async def main():
        async with simulated("topstepx") as s:
            eng, sym = s.engine, s.symbol()
            start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
            bought = await eng.place_market(sym, "BUY", "1")
            bid = await eng.place_limit(sym, "BUY", "1", s.bid_price)
            history = await eng.fetch_order_history(sym, since=start)
            by_id = {o.client_order_id: o for o in history}
            assert by_id[bought.client_order_id].state == OrderState.FILLED
            assert by_id[bid.client_order_id].state == OrderState.NEW
            trades = await eng.fetch_trades(sym, since=start)
            assert [t.client_order_id for t in trades] == [bought.client_order_id]
            assert trades[0].quantity == Decimal("1") and trades[0].fee == eng.get_order(bought.client_order_id).fee
            positions = await eng.fetch_positions()
            assert positions[sym].size == Decimal("1")
            assert eng.stats()["live_differences"] == 0

    run(main())


def test_an_ended_order_gateio_no_longer_finds_by_text_is_found_by_its_venue_id():
    """Gate.io looks an order up by its ``text`` only while it is open, and lists only the last 1,000 finished
    orders: an order that ended long ago (here: the finished list and the trades made empty) is asked for by its
    venue id, so the reconciliation still learns how it ended."""
    async def main():
        async with engine_on_sim("gateio") as (sim, eng):
            price = (sim.price("BTCUSDT") * Decimal("0.9")).quantize(Decimal("0.1"))   # (the simulator's name)
            o = await eng.place_limit("BTC_USDT", "BUY", "0.01", price)
            await eng.cancel(o)
            slot, spec = o.slot, eng.tracker.spec(o.slot)

            async def nothing(*args, **kwargs):
                return []
            eng.adapter.rest.orders = nothing            # as if older than the last 1,000 finished orders
            eng.adapter.rest.my_trades = nothing
            assert await eng.adapter.query(spec.symbol, spec.client_id) is None      # by text: gone
            vo = await eng.reconciler.query(slot, spec)
            assert vo is not None and vo.client_id == o.client_order_id and vo.state == OrderState.CANCELLED
            assert str(vo.exchange_id) == str(eng.get_order(o.client_order_id).exchange_order_id)

    run(main())
