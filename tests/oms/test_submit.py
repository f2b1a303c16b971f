"""The no-await ``Engine.submit_limit``: bytes written before it returns where the venue allows, every
check of ``place_limit`` raised before anything is sent, the outcome told by events, exactly-once kept
under a lost answer, and a fallback to a task where the venue cannot write at once."""

import asyncio
import inspect
from decimal import Decimal

import pytest

from engine import errors
from engine._enums import OrderState
from engine.oms.events import EventKind
from engine.venues.base import Capability
from tests.support.engine_fixtures import KEY, engine_on_sim, run, until

FAST = {"config": {"recv_window_ms": 1000}}


def venue_count(sim, venue, cid):
    return sim.client_order_count(KEY, venue, cid)


@pytest.mark.parametrize("venue", ["binance-spot", "binance-usdm", "bybit", "mexc", "gateio"])
def test_submit_writes_before_returning_and_events_tell_the_outcome(venue):
    async def main():
        sym = "BTC_USDT" if venue == "gateio" else "BTCUSDT"
        async with engine_on_sim(venue) as (sim, eng):
            assert Capability.WRITE_NOW in eng.adapter.capabilities
            assert not inspect.iscoroutinefunction(eng.submit_limit)
            events = []
            eng.on(events.append)
            await eng.place_limit(sym, "BUY", "0.01", (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01")))  # warm
            sent = eng.adapter.orders.lean.sent
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.1"))
            cid = eng.submit_limit(sym, "BUY", "0.02", price)
            assert isinstance(cid, str)
            assert eng.adapter.orders.lean.sent == sent + 1          # on the socket already
            assert eng.get_order(cid).state == OrderState.PENDING
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 5, "acknowledged")
            assert any(e.kind == EventKind.ACCEPTED and e.order.client_order_id == cid for e in events)
            assert venue_count(sim, venue, cid) == 1
            # a marketable one fills, its fill evented
            high = (sim.price("BTCUSDT") * Decimal("1.01")).quantize(Decimal("0.1"))
            cid2 = eng.submit_limit(sym, "BUY", "0.01", high, tif="IOC")
            await until(lambda: eng.get_order(cid2).state == OrderState.FILLED, 5, "filled")
            assert any(e.kind == EventKind.FILLED and e.order.client_order_id == cid2 for e in events)
            assert eng.metrics.placed == 3
    run(main())


def test_submit_refuses_bad_input_before_anything_is_sent():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            sent = eng.adapter.orders.orders_sent
            with pytest.raises(ValueError):
                eng.submit_limit("BTCUSDT", "BUY", "0.01", "100", tif="IOC", post_only=True)
            with pytest.raises(errors.EngineError):
                eng.submit_limit("NOPEUSDT", "BUY", "0.01", "100")
            with pytest.raises((ValueError, errors.EngineError)):
                eng.submit_limit("BTCUSDT", "BUY", "0.0000001", "40000")       # below the lot step
            with pytest.raises(TypeError):
                eng.submit_limit("BTCUSDT", "BUY", 0.001, "100")              # floats are refused
            assert eng.adapter.orders.orders_sent == sent
            await asyncio.sleep(0.2)
            assert not sim.core.orders or all(o.account.is_market_maker for o in sim.core.orders.values())
    run(main())


def test_submit_with_a_lost_answer_goes_unknown_and_resolves_to_one_order():
    async def main():
        async with engine_on_sim("binance-spot", faults=["order:drop:process=first,nth=2",
                                                          "stream.binance-spot:stream_lose:times=3"], **FAST) as (sim, eng):
            events = []
            eng.on(events.append)
            await eng.place_limit("BTCUSDT", "BUY", "0.01", (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01")))
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01"))
            cid = eng.submit_limit("BTCUSDT", "BUY", "0.02", price)
            await until(lambda: any(e.kind == EventKind.UNKNOWN for e in events), 10, "unknown")
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 10, "resolved")
            await sim.settle_later()
            assert venue_count(sim, "binance-spot", cid) == 1 and eng.resolver.resent == 0
    run(main())


def test_submit_falls_back_to_a_task_when_it_cannot_write_at_once():
    """Bybit's trade WebSocket carrying orders writes at once (its frames on the socket when submit returns,
    nothing over REST); a submit of an instrument while another order of it awaits its turn (the lock held by
    a place) is written by a task, in order, once."""
    async def main():
        async with engine_on_sim("bybit", order_entry="ws") as (sim, eng):
            sent = eng.adapter.orders.lean.sent
            ws = eng.adapter.trade.ws
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.1"))
            before = ws.last_send_ns
            cids = [eng.submit_limit("BTCUSDT", "BUY", "0.01", price) for _ in range(3)]
            assert ws.last_send_ns > before                             # written before submit returned
            assert eng.adapter.orders.lean.sent == sent                 # over the trade socket, not REST
            await until(lambda: all(eng.get_order(c).state == OrderState.NEW for c in cids), 10, "all acknowledged")
            assert [venue_count(sim, "bybit", c) for c in cids] == [1, 1, 1]
        async with engine_on_sim("binance-spot") as (sim, eng):
            await eng.place_limit("BTCUSDT", "BUY", "0.01", (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01")))
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01"))
            async with eng.placement.turn(eng.admission.validate("BTCUSDT", "BUY", 2, 1, "0.01", price, None,
                                                                 None, None)[0]):
                sent = eng.adapter.orders.orders_sent
                cid = eng.submit_limit("BTCUSDT", "BUY", "0.01", price)
                await asyncio.sleep(0.05)
                assert eng.adapter.orders.orders_sent == sent             # waits for the lock
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 5, "written after the lock")
            assert venue_count(sim, "binance-spot", cid) == 1
    run(main())


def test_submit_over_the_websocket_api_writes_before_returning():
    """Binance spot with order_entry="ws": the frame is on the WebSocket API session when submit_limit returns
    (no task), its answer applied from the future's callback; await place_limit takes the same write."""
    async def main():
        async with engine_on_sim("binance-spot", order_entry="ws") as (sim, eng):
            ws = eng.adapter.ws_api.ws
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01"))
            await eng.place_limit("BTCUSDT", "BUY", "0.01", price)                  # warm
            sent = ws.last_send_ns
            cid = eng.submit_limit("BTCUSDT", "BUY", "0.02", price)
            assert ws.last_send_ns > sent                                       # written before it returned
            assert eng.adapter.orders.orders_sent == 0                          # nothing over REST
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 5, "acknowledged")
            o = await eng.place_limit("BTCUSDT", "BUY", "0.03", price)
            assert o.state == OrderState.NEW
            assert [venue_count(sim, "binance-spot", c) for c in (cid, o.client_order_id)] == [1, 1]
            assert eng.metrics.placed == 3 and eng.metrics.acknowledged == 3
    run(main())


def test_submit_over_gates_order_api_writes_before_returning():
    async def main():
        async with engine_on_sim("gateio", order_entry="ws") as (sim, eng):
            ws, sent = eng.adapter.trade.ws, eng.adapter.orders.lean.sent
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.1"))
            before = ws.last_send_ns
            cid = eng.submit_limit("BTC_USDT", "BUY", "0.01", price)
            assert ws.last_send_ns > before and eng.adapter.orders.lean.sent == sent   # on the order API already
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 5, "acknowledged")
            o = await eng.place_limit("BTC_USDT", "BUY", "0.02", price)
            assert o.state == OrderState.NEW and eng.adapter.orders.lean.sent == sent
            assert [venue_count(sim, "gateio", c) for c in (cid, o.client_order_id)] == [1, 1]
    run(main())


def test_submit_is_the_compiled_entry_unless_a_subclass_has_its_own_and_a_tagged_order_takes_the_full_path():
    """An Engine's ``submit_limit`` is the compiled ``OrderEntry.submit_limit`` (no Python frame from the call
    to the write); a subclass's own ``submit_limit`` is kept; a tagged order goes through the full admission,
    is written the same way and carries its tag; the same typed errors either way."""
    from engine._order_entry import OrderEntry
    from engine.config import VenueConfig
    from engine.oms.engine import Engine
    from engine.sim import SimExchange
    from tests.support.engine_fixtures import SECRET

    calls = []

    class Mine(Engine):
        def submit_limit(self, *args, **kwargs):
            calls.append(args)
            return super().submit_limit(*args, **kwargs)

    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            assert eng.submit_limit.__func__ is OrderEntry.submit_limit and eng.submit_limit.__self__ is eng._entry
            price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01"))
            sent = eng.adapter.orders.lean.sent
            cid = eng.submit_limit("BTCUSDT", "BUY", "0.01", price, client_tag="grid7")
            assert "grid7" in cid and eng.adapter.orders.lean.sent == sent + 1
            await until(lambda: eng.get_order(cid).state == OrderState.NEW, 5, "tagged order acknowledged")
            assert venue_count(sim, "binance-spot", cid) == 1
            with pytest.raises(TypeError):
                eng.submit_limit("BTCUSDT", "BUY", "0.01", 100.5, client_tag="grid7")   # floats refused there too
            with pytest.raises(TypeError):
                eng.submit_limit("BTCUSDT", "BUY", "0.01", price, "GTC")              # options are keywords only
        async with SimExchange(seed=1, accounts=[(KEY, SECRET)]) as sim:
            async with Mine(VenueConfig.local("binance-spot", sim.urls["binance-spot"], KEY, SECRET)) as eng:
                assert "submit_limit" not in vars(eng)
                price = (sim.price("BTCUSDT") * Decimal("0.97")).quantize(Decimal("0.01"))
                cid = eng.submit_limit("BTCUSDT", "BUY", "0.01", price)
                assert calls and eng.get_order(cid) is not None
    run(main())
