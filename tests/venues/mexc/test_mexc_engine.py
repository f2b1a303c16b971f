"""MEXC spot through the whole engine against the simulator's MEXC personality over loopback: orders and
their ends (status 5 kept as a fill), the market buy at a protective price, IOC/FOK/post-only as MEXC order
types, cancel_all, the batch endpoint, balances, typed venue errors with nothing lost, lost answers resolved
by client id (never a second order), stream drops and listen-key expiry reconciled, the read-after-write
-2013 window, the shared order budget.  The other faults: test_mexc_faults.py."""

import asyncio
from decimal import Decimal

import pytest

from engine._enums import OrderState
from engine.errors import EngineError
from engine.oms.events import EventKind
from engine.sim.mexc.state import state_of
from engine.venues.errors import InsufficientFunds, InvalidRequest, IpBanned, RateLimited
from tests.support.engine_fixtures import KEY, engine_on_sim, run, until

pytestmark = pytest.mark.timeout(60)
# a lost request is concluded sooner: it can no longer be taken 0.5 s after its timestamp, and a -2013 is
# read as "not visible yet" for 1 s after sending (the simulator's read-after-write window is 0.4 s at most)
FAST = {"config": {"recv_window_ms": 500, "options": {"read_after_write_s": 1.0}}}


def venue_count(sim, cid):
    return sim.client_order_count(KEY, "mexc", cid)


def recorder(eng):
    events = []
    eng.on(events.append)
    return events


def sim_balance(sim, asset):
    b = sim.core.ledger.accounts[KEY].wallets["mexc"][asset]
    return b.free, b.locked


def test_orders_fills_and_balances_end_to_end():
    async def main():
        async with engine_on_sim("mexc") as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.001", "49000")
            assert o.state == OrderState.NEW and o.exchange_order_id.startswith("C02__")
            await until(lambda: eng.balances()["USDT"][1] == Decimal("49"), what="the locked quote on the stream")
            c = await eng.cancel(o)
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.CANCELLED, what="cancelled")
            # a partly filled order cancelled: status 5 (PARTIALLY_CANCELED) is terminal, its fill kept
            ask, size = sim.core.books[("mexc", "BTCUSDT")].depth("SELL", 1)[0]
            p = await eng.place_limit("BTCUSDT", "BUY", str(size * 2), str(ask))
            await until(lambda: eng.get_order(p.client_order_id).filled == size, what="the partial fill")
            await eng.cancel(p)
            await until(lambda: eng.get_order(p.client_order_id).state == OrderState.CANCELLED, what="status 5")
            assert eng.get_order(p.client_order_id).filled == size
            # market orders: a buy goes as an IOC at the protective price, a sell as MARKET
            m = await eng.place_market("BTCUSDT", "BUY", "0.002")
            await until(lambda: eng.get_order(m.client_order_id).state == OrderState.FILLED, what="market buy")
            s = await eng.place_market("BTCUSDT", "SELL", "0.003")
            await until(lambda: eng.get_order(s.client_order_id).state == OrderState.FILLED, what="market sell")
            venue_orders = {o.client_id: o for o in sim.core.orders.values() if o.market == "mexc"}
            assert venue_orders[m.client_order_id].tif == "IOC" and venue_orders[s.client_order_id].type == "MARKET"
            for cid in (o.client_order_id, p.client_order_id, m.client_order_id, s.client_order_id):
                assert venue_count(sim, cid) == 1
            await until(lambda: all(eng.balances()[a] == sim_balance(sim, a) for a in ("BTC", "USDT")),
                        what="balances as the venue has them")
            # every account push was read where the stream's parser held it: none parsed a second time
            msgs = eng.adapter.account_messages
            assert msgs.compiled > 0 and msgs.parser.body == 0 and eng.account_book.bad_messages == 0
            assert c.client_order_id == o.client_order_id
            # what MEXC spot does not have is refused before anything is sent
            before = len(sim.core.orders)
            with pytest.raises(EngineError, match="nothing was sent"):
                await eng.place_stop_loss("BTCUSDT", "SELL", "0.001", "45000")
            assert len(sim.core.orders) == before
    run(main())


def test_order_types_cancel_all_and_the_batch_endpoint():
    """IOC, FOK and post-only are MEXC order types (IMMEDIATE_OR_CANCEL, FILL_OR_KILL, LIMIT_MAKER): each ends as
    the venue ends it; cancel_all takes every open order of the symbol (DELETE openOrders); the general
    client's batchOrders answers item by item (a refused item does not stop the others)."""
    async def main():
        async with engine_on_sim("mexc") as (sim, eng):
            book = sim.core.books[("mexc", "BTCUSDT")]
            ask, level = book.depth("SELL", 1)[0]
            ioc = await eng.place_limit("BTCUSDT", "BUY", str(level * 2), str(ask), tif="IOC")
            ask, size = book.depth("SELL", 1)[0]
            fok = await eng.place_limit("BTCUSDT", "BUY", str(size * 2), str(ask), tif="FOK")
            maker = await eng.place_limit("BTCUSDT", "BUY", "0.001", str(book.depth("SELL", 1)[0][0]),
                                          post_only=True)                  # it would take: the venue cancels it
            ends = {ioc: OrderState.EXPIRED, fok: OrderState.EXPIRED, maker: OrderState.CANCELLED}
            for o, end in ends.items():
                await until(lambda: eng.get_order(o.client_order_id).state == end, what=f"{end.name}")
            assert eng.get_order(ioc.client_order_id).filled == level            # the part the book had
            assert eng.get_order(fok.client_order_id).filled == 0                 # all or nothing
            assert eng.get_order(maker.client_order_id).filled == 0
            venue = {o.client_id: o for o in sim.core.orders.values() if o.market == "mexc"}
            assert venue[ioc.client_order_id].tif == "IOC" and venue[fok.client_order_id].tif == "FOK"
            assert venue[maker.client_order_id].post_only and venue[maker.client_order_id].expiry_reason == "post_only"
            resting = [await eng.place_limit("BTCUSDT", "BUY", "0.001", str(45000 + i)) for i in range(3)]
            assert await eng.cancel_all("BTCUSDT") == 3
            assert all(eng.get_order(o.client_order_id).state == OrderState.CANCELLED for o in resting)
            assert not [o for o in sim.core.orders.values() if o.market == "mexc" and o.is_open]
            items = [{"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": "45000",
                      "newClientOrderId": "batch-1"},
                     {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.00001", "price": "45000",
                      "newClientOrderId": "batch-2"}]
            answers = await eng.adapter.rest.batch_orders(items)
            assert answers[0]["orderId"].startswith("C02__") and answers[1]["code"] == 30002
            assert venue_count(sim, "batch-1") == 1 and venue_count(sim, "batch-2") == 0
    run(main())


def test_venue_errors_are_typed_and_leave_nothing_behind():
    async def main():
        async with engine_on_sim("mexc") as (sim, eng):
            events = recorder(eng)
            state_of(sim).api_symbols.discard("ETHUSDT")
            with pytest.raises(InvalidRequest, match="10007"):
                await eng.place_limit("ETHUSDT", "BUY", "0.01", "2900")
            # the venue's books moved without the engine's knowing: the venue refuses (10101)
            sim.core.ledger.accounts[KEY].wallets["mexc"]["USDT"].free = Decimal("10")
            with pytest.raises(InsufficientFunds, match="10101"):
                await eng.place_limit("BTCUSDT", "BUY", "0.001", "49000")
            sim.core.ledger.accounts[KEY].wallets["mexc"]["BTC"].free = Decimal("0.0001")
            with pytest.raises(InsufficientFunds, match="30004"):              # a sell of more than is held
                await eng.place_limit("BTCUSDT", "SELL", "0.001", "60000")
            assert not [o for o in sim.core.orders.values() if o.market == "mexc" and o.is_open]
            assert len([e for e in events if e.kind == EventKind.REJECTED]) == 3
    run(main())


@pytest.mark.parametrize("fault, ends", [
    ("order:drop:process=first,nth=1", OrderState.FILLED),          # processed, the answer lost
    ("order:unknown:process=later,delay_ms=300,nth=1", OrderState.FILLED),   # answered first, processed later
    ("order:http503:nth=1", OrderState.NOT_PLACED),                  # never reached the venue
])
def test_a_lost_answer_is_resolved_by_client_id_and_never_sent_twice(fault, ends):
    async def main():
        async with engine_on_sim("mexc", faults=[fault], **FAST) as (sim, eng):
            events = recorder(eng)
            o = await eng.place_market("BTCUSDT", "SELL", "0.001")
            if ends == OrderState.NOT_PLACED:       # else the stream's pushes may settle it before the loss shows
                assert any(e.kind == EventKind.UNKNOWN for e in events)
            await until(lambda: eng.get_order(o.client_order_id).state == ends, 10, f"resolved as {ends.name}")
            await sim.settle_later()
            await asyncio.sleep(0.3)
            assert venue_count(sim, o.client_order_id) == (0 if ends == OrderState.NOT_PLACED else 1)
            assert len([e for e in events if e.kind == EventKind.FILLED]) == (ends == OrderState.FILLED)
    run(main())


def test_the_read_after_write_gap_is_not_taken_for_a_missing_order():
    async def main():
        # the answer lost and the stream's pushes of the new order too: only a query can find it
        faults = ["order:drop:process=first,nth=1", "stream.mexc:stream_lose:times=3"]
        async with engine_on_sim("mexc", faults=faults, **FAST) as (sim, eng):
            state_of(sim).read_after_write_ms = 400        # a fresh order answers -2013 for 0.4 s
            o = await eng.place_limit("BTCUSDT", "BUY", "0.001", "49000")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 10, "found, not lost")
            assert state_of(sim).unseen_answers >= 1        # it was asked inside the window and not given up
            await asyncio.sleep(0.5)
            assert venue_count(sim, o.client_order_id) == 1
    run(main())


@pytest.mark.parametrize("fault", ["stream.mexc:stream_drop:nth=2", "stream.mexc:listenkey_expire:nth=2"])
def test_a_dropped_stream_or_an_expired_key_is_reconnected_and_reconciled(fault):
    async def main():
        async with engine_on_sim("mexc", faults=[fault]) as (sim, eng):
            stream = eng.adapter.user_stream
            runs = eng.reconciler.runs
            first = await eng.place_market("BTCUSDT", "SELL", "0.001")     # its pushes trip the fault
            await until(lambda: eng.reconciler.runs > runs, 10, "reconciliation after the reconnect")
            await until(lambda: eng.get_order(first.client_order_id).state == OrderState.FILLED, 10, "the fill")
            if "listenkey" in fault:
                assert stream.renewals >= 1 and len(state_of(sim).listen_keys) == 1    # one key in use
            second = await eng.place_market("BTCUSDT", "SELL", "0.001")
            await until(lambda: eng.get_order(second.client_order_id).state == OrderState.FILLED, 10, "later fills")
            await until(lambda: eng.balances()["BTC"] == sim_balance(sim, "BTC"), what="balances")
    run(main())


def test_a_429_and_a_ban_are_typed_honoured_and_leave_no_order():
    async def main():
        async with engine_on_sim("mexc", faults=["order:http429:nth=1"]) as (sim, eng):
            with pytest.raises(RateLimited):
                await eng.place_limit("BTCUSDT", "BUY", "0.001", "49000")
            assert eng.adapter.limiter.paused_until > 0                # Retry-After honoured
            assert not [o for o in sim.core.orders.values() if o.market == "mexc"]
        async with engine_on_sim("mexc", faults=["order:http418:nth=1"]) as (sim, eng):
            with pytest.raises(IpBanned):
                await eng.place_limit("BTCUSDT", "BUY", "0.001", "49000")
            with pytest.raises(IpBanned):                               # the ban holds for every request
                await eng.adapter.rest.open_orders("BTCUSDT")
    run(main())


def test_a_request_dropped_unprocessed_and_a_slow_answer():
    async def main():
        faults = ["order:drop:process=never,nth=1", "order:latency:ms=300,nth=2"]
        async with engine_on_sim("mexc", faults=faults, **FAST) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.001", "49000")     # never reached the venue
            await until(lambda: eng.get_order(o.client_order_id).state in (OrderState.NOT_PLACED, OrderState.NEW),
                        10, "concluded")
            assert venue_count(sim, o.client_order_id) == (eng.get_order(o.client_order_id).state == OrderState.NEW)
            slow = await eng.place_limit("BTCUSDT", "BUY", "0.001", "49000")  # answered 300 ms late: just slow
            assert slow.state == OrderState.NEW and venue_count(sim, slow.client_order_id) == 1
    run(main())


def test_the_engine_paces_place_and_cancel_inside_the_shared_budget():
    async def main():
        async with engine_on_sim("mexc") as (sim, eng):
            orders = await asyncio.gather(*(eng.place_limit("BTCUSDT", "BUY", "0.001", str(48000 + i))
                                            for i in range(10)))
            await asyncio.gather(*(eng.cancel(o) for o in orders))
            # 20 requests sharing 12 a second: paced by the engine, never refused by the venue
            assert all(eng.get_order(o.client_order_id).state == OrderState.CANCELLED for o in orders)
            assert not state_of(sim).limiter.limited and not state_of(sim).limiter.banned_until
    run(main())


def test_listen_key_keepalive_too_soon_keeps_the_key_and_pings_keep_the_stream():
    from engine.config import VenueConfig
    from engine.venues.mexc.rest import MexcRest
    from engine.venues.mexc.user_stream import MexcUserStream

    async def main():
        async with engine_on_sim("mexc") as (sim, eng):
            state = state_of(sim)
            state.idle_s = 0.6                       # the server drops a silent connection after 0.6 s
            rest = MexcRest(VenueConfig.local("mexc", sim.urls["mexc"], KEY, "engine-test-secret-never-shown"))
            await rest.start()
            frames = []
            stream = MexcUserStream(rest, frames.append, keepalive_interval=0.25, ping_interval=0.2)
            try:
                await stream.start()
                key = stream.listen_key
                await asyncio.sleep(0.4)             # a keepalive inside 10 s of the key's creation: 730708
                assert stream.keepalives == 0 and stream.listen_key == key and stream.renewals == 0
                state.keepalive_min_s = 0
                await until(lambda: stream.keepalives >= 1, 3, "a keepalive taken")
                await asyncio.sleep(0.8)             # past the server's idle limit: the PINGs kept it open
                assert stream.ws.connects == 1
                await eng.place_market("BTCUSDT", "SELL", "0.001")
                await until(lambda: len(frames) >= 2, 3, "the pushes on the second listener")
            finally:
                await stream.stop()
                await rest.close()
            assert key not in state.listen_keys      # closed on stop
    run(main())
