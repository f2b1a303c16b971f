"""Exactly-once, one regression test per defect a reviewer found (issue: exactly-once under real faults).

Each test makes the simulator do what venues really do (process a request and then answer
with an error, answer first and process later inside the recvWindow, answer garbage or an
interim 1xx, drop or delay stream events) and checks the rule: one intent, at most one venue
order; only documented rejections reject; a fill is never ignored; the kill switch leaves the
account flat.  The recvWindow is shortened (1 s) so a lost answer resolves in about 2 s.
"""

import asyncio
from decimal import Decimal

import pytest

from engine._enums import OrderState
from engine.oms.events import EventKind
from tests.support.engine_fixtures import KEY, engine_on_sim, run, until

FAST = {"config": {"recv_window_ms": 1000}}
MARKET = {"binance-spot": "bspot", "binance-usdm": "busdm", "bybit": "ylinear"}


def venue_count(sim, venue, cid):
    """How many venue orders carry this client id (the simulator's truth)."""
    return len(sim.core.by_client.get((MARKET[venue], KEY, cid), []))


def open_at_venue(sim, venue):
    acct = sim.core.ledger.accounts[KEY]
    return [o for o in sim.core.account_orders(MARKET[venue], acct) if o.is_open]


def recorder(eng):
    events = []
    eng.on(events.append)
    return events


def kinds(events, kind):
    return [e for e in events if e.kind == kind]


# -- 1. a lost answer never makes a second order ---------------------------------------------------------

@pytest.mark.parametrize("venue, target", [("binance-spot", "POST api/v3/order"),
                                           ("binance-usdm", "POST fapi/v1/order"),
                                           ("bybit", "POST v5/order/create")])
def test_market_order_answered_unknown_and_processed_later_executes_once(venue, target):
    """The reviewer's case: 503/-1007 at once, the venue processes it 0.6 s later (inside the recvWindow).
    The engine used to find nothing at +0.2/+0.6 s and send it again: two fills, one in the books."""
    async def main():
        async with engine_on_sim(venue, faults=[f"{target}:unknown:process=later,delay_ms=600,nth=1"],
                                 **FAST) as (sim, eng):
            events = recorder(eng)
            o = await eng.place_market("BTCUSDT", "BUY", "0.01")
            assert o.state == OrderState.UNKNOWN
            await until(lambda: any(e.kind == EventKind.RESOLVED for e in events), 10, "resolution")
            await sim.settle_later()
            await asyncio.sleep(0.3)
            assert venue_count(sim, venue, o.client_order_id) == 1
            got = eng.get_order(o.client_order_id)
            assert got.state == OrderState.FILLED and got.filled == Decimal("0.01")
            assert eng.resolver.resent == 0
            if eng.futures:
                await until(lambda: eng.positions().get("BTCUSDT") is not None, 5)
                assert eng.positions()["BTCUSDT"].size == Decimal("0.01")

    run(main())


@pytest.mark.parametrize("venue, target", [("binance-spot", "POST api/v3/order"), ("bybit", "POST v5/order/create")])
def test_market_order_the_venue_never_got_ends_not_placed_and_is_not_resent(venue, target):
    async def main():
        async with engine_on_sim(venue, faults=[f"{target}:http503:nth=1"], **FAST) as (sim, eng):
            events = recorder(eng)
            o = await eng.place_market("BTCUSDT", "BUY", "0.01")
            assert o.state == OrderState.UNKNOWN
            await until(lambda: kinds(events, EventKind.NOT_PLACED), 10, "not placed")
            assert eng.get_order(o.client_order_id).state == OrderState.NOT_PLACED
            assert venue_count(sim, venue, o.client_order_id) == 0 and eng.resolver.resent == 0
            assert "executes at once" in kinds(events, EventKind.NOT_PLACED)[0].data["reason"]
            assert not eng.get_order(o.client_order_id).is_open

    run(main())


def test_resting_order_the_venue_never_got_is_resent_only_after_its_recv_window():
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:unknown:nth=1"], **FAST) as (sim, eng):
            events = recorder(eng)
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await until(lambda: kinds(events, EventKind.RESOLVED), 10, "resolution")
            assert loop.time() - t0 >= 1.0          # never before the original could no longer be accepted
            assert kinds(events, EventKind.RESOLVED)[0].data["how"] == "resent"
            assert eng.get_order(o.client_order_id).state == OrderState.NEW
            assert venue_count(sim, "binance-spot", o.client_order_id) == 1

    run(main())


def test_resend_lost_never_and_all():
    async def main():
        for policy, market_state in (("never", OrderState.NOT_PLACED), ("all", OrderState.FILLED)):
            async with engine_on_sim("binance-spot", faults=["POST api/v3/order:http503:times=2"],
                                     resend_lost=policy, **FAST) as (sim, eng):
                events = recorder(eng)
                limit = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
                market = await eng.place_market("BTCUSDT", "BUY", "0.01")
                await until(lambda: len(kinds(events, EventKind.RESOLVED) + kinds(events, EventKind.NOT_PLACED))
                            == 2, 10, "both concluded")
                assert eng.get_order(market.client_order_id).state == market_state
                expect = OrderState.NOT_PLACED if policy == "never" else OrderState.NEW
                assert eng.get_order(limit.client_order_id).state == expect
                for o in (limit, market):
                    assert venue_count(sim, "binance-spot", o.client_order_id) == (policy == "all")

    run(main())


def test_a_second_venue_order_under_our_client_id_is_applied_and_raises_the_alarm():
    """The venue executes one intent twice (what the old re-send did): the second fill reaches the books,
    the alarm goes off and the breaker trips, instead of the fill vanishing on a FILLED slot."""
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            events = recorder(eng)
            o = await eng.place_market("BTCUSDT", "BUY", "0.01")
            assert o.state == OrderState.FILLED
            sim.place_for(KEY, "binance-usdm", "BTCUSDT", "BUY", "0.01", client_id=o.client_order_id)
            await until(lambda: kinds(events, EventKind.UNEXPECTED_EXECUTION), 5, "the alarm")
            await until(lambda: eng.positions()["BTCUSDT"].size == Decimal("0.02"), 5, "both fills in the books")
            assert eng.breaker.state.name == "OPEN"
            assert any(e.data.get("origin") == "duplicate" for e in kinds(events, EventKind.ADOPTED))
            assert eng.get_order(o.client_order_id).filled == Decimal("0.01")

    run(main())


# -- 2. a cancelled placement is never sent later ----------------------------------------------------------

def test_placement_cancelled_before_writing_is_rejected_locally_and_raises():
    async def main():
        async with engine_on_sim("binance-spot", **FAST) as (sim, eng):
            limiter = eng.adapter.rest.limiter
            limiter.on_throttled(5.0)                  # the next order waits for its turn
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(eng.place_limit("BTCUSDT", "BUY", "0.01", "48000"), 0.2)
            (slot,) = [s for s in range(eng.store.capacity) if eng.store.state_of(s)]
            assert eng.store.state_of(slot) == OrderState.REJECTED
            limiter.paused_until = 0
            await asyncio.sleep(2.5)
            assert open_at_venue(sim, "binance-spot") == [] and eng.resolver.resent == 0

    run(main())


def test_placement_cancelled_after_writing_is_unknown_raises_and_is_never_resent():
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:latency:ms=400,nth=1"],
                                 **FAST) as (sim, eng):
            events = recorder(eng)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(eng.place_limit("BTCUSDT", "BUY", "0.01", "48000"), 0.1)
            unknown = kinds(events, EventKind.UNKNOWN)
            assert len(unknown) == 1
            cid = unknown[0].order.client_order_id
            # the venue did take it (latency, then processed): resolution finds it, nothing is re-sent
            await until(lambda: kinds(events, EventKind.RESOLVED), 10, "resolution")
            assert eng.get_order(cid).state == OrderState.NEW
            assert venue_count(sim, "binance-spot", cid) == 1 and eng.resolver.resent == 0

    run(main())


def test_placement_cancelled_after_writing_that_the_venue_never_got_ends_not_placed():
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:drop:process=never,nth=1"],
                                 **FAST) as (sim, eng):
            events = recorder(eng)
            eng.adapter.orders.http.read_timeout = 5.0
            task = asyncio.ensure_future(eng.place_limit("BTCUSDT", "BUY", "0.01", "48000"))
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await until(lambda: kinds(events, EventKind.NOT_PLACED) or kinds(events, EventKind.REJECTED), 10)
            assert not kinds(events, EventKind.RESOLVED) and eng.resolver.resent == 0
            assert open_at_venue(sim, "binance-spot") == []

    run(main())


# -- 3. the kill switch is flat ------------------------------------------------------------------------------

def test_halt_stops_resends_and_cancels_what_lands_late():
    """An order whose answer was lost, processed late by the venue, and the switch used in between:
    nothing is re-sent after halt() returns, and the late order is cancelled too (halt waits until no
    request of ours can still be accepted)."""
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:unknown:process=later,delay_ms=700,nth=1",
                                                         "POST api/v3/order:http503:nth=2"], **FAST) as (sim, eng):
            late = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            lost = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48100")
            assert late.state == lost.state == OrderState.UNKNOWN
            report = await eng.halt("test")
            assert report.flat, report
            await sim.settle_later()
            await asyncio.sleep(1.5)
            assert open_at_venue(sim, "binance-spot") == []
            assert venue_count(sim, "binance-spot", lost.client_order_id) == 0 and eng.resolver.resent == 0
            assert eng.get_order(lost.client_order_id).state == OrderState.NOT_PLACED
            assert eng.get_order(late.client_order_id).state == OrderState.CANCELLED

    run(main())


def test_halt_cancels_orders_the_engine_does_not_track_and_works_during_a_429_pause():
    async def main():
        async with engine_on_sim("binance-usdm", faults=["stream.binance-usdm:stream_lose:times=20"]) as (sim, eng):
            mine = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            # an order on another symbol the engine never heard of (its stream events are lost)
            sim.place_for(KEY, "binance-usdm", "ETHUSDT", "BUY", "0.1", price="2000", client_id="by-hand-1")
            eng.adapter.rest.limiter.on_throttled(60.0)   # a 429 with Retry-After: 60
            report = await asyncio.wait_for(eng.halt("test"), 20)
            assert report.flat and report.left == []
            assert open_at_venue(sim, "binance-usdm") == []
            assert not eng.get_order(mine.client_order_id).is_open

    run(main())


def test_halt_reports_what_is_left_when_it_cannot_cancel():
    async def main():
        async with engine_on_sim("binance-spot", faults=["DELETE api/v3/openOrders:http500"]) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            report = await eng.halt("test", timeout_s=1.0)
            assert not report.flat and report.left == [o.client_order_id] and report.errors

    run(main())


# -- 4. only documented rejections reject -------------------------------------------------------------------

@pytest.mark.parametrize("fault", ["garbage:kind=html", "garbage:kind=truncated", "garbage:kind=empty"])
def test_an_unreadable_200_leaves_a_live_order_unknown_then_resolved(fault):
    async def main():
        async with engine_on_sim("binance-spot", faults=[f"POST api/v3/order:{fault},nth=1"], **FAST) as (sim, eng):
            events = recorder(eng)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            assert o.state in (OrderState.UNKNOWN, OrderState.NEW)   # never REJECTED
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 10)
            assert venue_count(sim, "binance-spot", o.client_order_id) == 1
            assert not kinds(events, EventKind.REJECTED)

    run(main())


def test_an_unknown_error_code_is_not_a_rejection():
    from engine.venues.binance.errors import error_for
    from engine.venues.bybit.errors import error_for as bybit_error_for
    from engine.venues.errors import is_definite_rejection
    assert not is_definite_rejection(error_for("binance-spot", 400, -2999, "something new"))
    assert not is_definite_rejection(bybit_error_for(119999, "something new"))
    assert is_definite_rejection(error_for("binance-spot", 400, -2010, "Account has insufficient balance"))
    assert not is_definite_rejection(error_for("binance-spot", 400, -2010, "Duplicate order sent."))
    assert not is_definite_rejection(error_for("binance-spot", 503, -1007, "Timeout"))


def test_cancel_replace_with_an_unknown_outcome_keeps_both_legs_tracked():
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order/cancelReplace:unknown:process=first,nth=1"],
                                 **FAST) as (sim, eng):
            events = recorder(eng)
            old = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            new = await eng.amend(old, price="48100")
            assert new.state == OrderState.UNKNOWN and new.client_order_id != old.client_order_id
            await until(lambda: eng.get_order(new.client_order_id).state == OrderState.NEW, 10, "replacement live")
            await until(lambda: eng.get_order(old.client_order_id).state == OrderState.CANCELLED, 10, "old cancelled")
            assert not kinds(events, EventKind.REJECTED)
            assert [o.client_id for o in open_at_venue(sim, "binance-spot")] == [new.client_order_id]

    run(main())


def test_an_unreadable_stream_message_is_counted_and_reconciled():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            events = recorder(eng)
            eng.stream.on_message(b'{"e":"executionReport","E":1,"s":"BTCUSDT","c":')   # truncated
            await until(lambda: any(e.kind == EventKind.RECONCILED and
                                    e.data["reason"] == "unreadable stream message" for e in events), 5)
            assert eng.stats()["bad_messages"] == 1

    run(main())


def test_a_bad_row_in_a_bybit_batch_does_not_drop_the_rest():
    async def main():
        async with engine_on_sim("bybit") as (sim, eng):
            events = recorder(eng)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            sim.set_price("BTCUSDT", "47000")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 5)
            bad = (b'{"topic":"order","data":[{"orderId":"x","orderLinkId":"zz","symbol":"BTCUSDT",'
                   b'"orderStatus":"New","qty":"1e999999999999999999"}]}')
            eng.stream.on_message(bad)
            await until(lambda: any(e.kind == EventKind.RECONCILED for e in events), 5)
            assert eng.stats()["bad_messages"] == 1

    run(main())


# -- 5. HTTP pairing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [100, 103])
def test_interim_answers_are_not_taken_as_the_answer(code):
    async def main():
        async with engine_on_sim("binance-spot", faults=[f"POST api/v3/order:interim:code={code},nth=1"]) as (sim, eng):
            a = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            b = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48100")
            assert a.state == b.state == OrderState.NEW
            assert eng.get_order(a.client_order_id).exchange_order_id != eng.get_order(b.client_order_id).exchange_order_id

    run(main())


def test_a_101_answer_fails_the_connection_and_leaves_the_order_unknown():
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:interim:code=101,nth=1"], **FAST) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            assert o.state == OrderState.UNKNOWN
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 10)
            assert venue_count(sim, "binance-spot", o.client_order_id) == 1

    run(main())


def test_an_answer_naming_another_order_fails_the_connection():
    """Answers are paired with requests by position: one that names another order means the pairing
    broke, so every request on that connection is UNKNOWN (and resolved), never applied to the wrong one."""
    async def main():
        async with engine_on_sim("binance-spot", **FAST) as (sim, eng):
            first = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            path = eng.adapter.orders
            real_read = path.read_naming

            def swapped(client_id, response):                # the answer of another request came back
                return real_read(first.client_order_id.encode() + b"x" if client_id else None, response)

            path.read_naming = swapped
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48100")
            path.read_naming = real_read
            assert o.state == OrderState.UNKNOWN and path.mismatches == 1
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 10)
            assert eng.get_order(first.client_order_id).price == Decimal("48000")

    run(main())


# -- 6. USD-M conditional orders are found by clientAlgoId ------------------------------------------------

def test_a_usdm_stop_whose_answer_was_lost_is_found_by_its_client_algo_id():
    async def main():
        async with engine_on_sim("binance-usdm", faults=["POST fapi/v1/algoOrder:drop:process=first,nth=1",
                                                         "stream.binance-usdm:stream_lose:times=3"],
                                 **FAST) as (sim, eng):
            o = await eng.place_stop_loss("BTCUSDT", "SELL", "0.01", "45000")
            assert o.state == OrderState.UNKNOWN
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 10, "found by clientAlgoId")
            assert eng.resolver.adopted == 1 and eng.resolver.resent == 0
            ids = [vo.client_id for vo in await eng.adapter.open_orders()]
            assert o.client_order_id in ids            # reconciliation sees open algo orders

    run(main())


# -- 7. WebSocket order entry is paced and honours 429/418 ---------------------------------------------------

def test_ws_order_entry_honours_a_429_and_a_ban():
    async def main():
        async with engine_on_sim("binance-spot", order_entry="ws", faults=["order.place:http429:nth=1"]) as (sim, eng):
            limiter = eng.adapter.rest.limiter
            from engine.venues.errors import RateLimited
            with pytest.raises(RateLimited):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            assert limiter.paused_until > 0          # the pause is honoured by REST and WS alike
            assert not limiter.try_take(__import__("engine.venues.binance.order_path",
                                                   fromlist=["PLACE_COST"]).PLACE_COST)
        async with engine_on_sim("binance-spot", order_entry="ws", faults=["order.place:http418:nth=1"]) as (sim, eng):
            from engine.venues.errors import IpBanned
            with pytest.raises(IpBanned):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            with pytest.raises(IpBanned):           # REST now refuses too: the ban is the account's
                await eng.adapter.rest.open_orders("BTCUSDT")

    run(main())


# -- 8. stuck orders do not eat the request budget -----------------------------------------------------------

def test_stuck_orders_are_polled_with_a_backoff_and_a_cap():
    async def main():
        async with engine_on_sim("binance-spot", stale_after_s=0.01) as (sim, eng):
            queried = []

            async def count_settle(slot):
                queried.append(slot)
                return False

            eng.reconciler.settle = count_settle
            specs = [eng.tracker.record(eng.admission.instrument("BTCUSDT"), "BTCUSDT", 1, 2, 1, 10**6, 48000 * 10**8)
                     for _ in range(25)]
            await asyncio.sleep(0.05)
            rounds = [await eng.liveness.check_stale() for _ in range(3)]
            assert rounds[0] == eng.liveness.max_queries            # capped per round
            assert sum(rounds) <= 3 * eng.liveness.max_queries
            assert len(set(queried)) == len(queried)                 # nobody asked twice before its backoff
            for spec in specs:
                eng.tracker.reject(spec.slot)

    run(main())


def test_an_unknown_order_whose_timestamp_was_never_recorded_gets_a_fixed_deadline():
    """A write that failed after leaving but before the adapter recorded its timestamp left sent_ms at 0, and
    the deadline moved with the clock: the order could never be concluded and the kill switch never flat."""
    async def main():
        async with engine_on_sim("binance-spot", **FAST) as (sim, eng):
            inst = eng.instruments.id("BTCUSDT")
            spec = eng.tracker.record(inst, "BTCUSDT", 1, 2, 1, 10**6, 40_000 * 10**8)
            assert spec.sent_ms == 0
            first = eng.resolver.deadline_ms(spec.slot)
            await asyncio.sleep(0.05)
            assert eng.resolver.deadline_ms(spec.slot) == first and spec.sent_ms > 0

    run(main())


def test_an_answer_lost_after_the_halt_is_concluded_and_never_resent():
    """Written before the kill switch, its answer lost after the switch returned: the order is asked about
    and ends NOT_PLACED (the venue never had it), never left UNKNOWN, never re-sent."""
    async def main():
        # the venue takes 4 s to read it (past its recvWindow: it will refuse it); the client gives up at 2.5 s
        async with engine_on_sim("binance-spot", faults=["order:latency:ms=4000,nth=1"],
                                 config={"recv_window_ms": 1000, "read_timeout": 2.5}) as (sim, eng):
            events = recorder(eng)
            placing = asyncio.ensure_future(eng.place_limit("BTCUSDT", "BUY", "0.01", "49000"))
            await asyncio.sleep(0.1)
            report = await eng.halt("test")
            assert report.flat and not placing.done()          # its answer is still awaited
            o = await placing
            assert o.state == OrderState.UNKNOWN
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NOT_PLACED, 10, "concluded")
            assert kinds(events, EventKind.NOT_PLACED)
            assert venue_count(sim, "binance-spot", o.client_order_id) == 0 and eng.resolver.resent == 0

    run(main())
