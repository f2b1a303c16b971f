"""Engine safety against engine.sim: risk rules, circuit breaker, exactly-once placement, reconciliation,
duplicate/out-of-order stream events, kill switch, and secrets kept out of every log line."""

import asyncio
import json
import logging
from decimal import Decimal

import pytest

from engine._enums import OrderState
from engine.oms.breaker import BreakerState, CircuitBreaker, CircuitOpen
from engine.oms.events import EventKind
from engine.oms.risk import RiskLimits, RiskRejected
from engine.errors import EngineError
from tests.support.engine_fixtures import KEY, SECRET, engine_on_sim, run, until


def venue_orders(sim, venue="binance-spot"):
    """Every order the simulator holds for our account, by client id (the venue's truth)."""
    return sim.core.orders_by_client(KEY, venue) if hasattr(sim.core, "orders_by_client") else None


async def venue_client_ids(eng, symbol):
    return [o.client_id for o in await eng.adapter.open_orders(symbol)]


@pytest.mark.parametrize("venue", ["binance-spot", "bybit"])
def test_risk_rules_name_the_rule_and_send_nothing(venue):
    limits = RiskLimits(max_order_qty="1", max_notional="1000", max_position="0.05", max_open_orders=2,
                        price_band="0.05")

    async def main():
        async with engine_on_sim(venue, risk_limits=limits) as (sim, eng):
            cases = [(("BTCUSDT", "BUY", "2", "48000"), "max_order_qty"),
                     (("BTCUSDT", "BUY", "0.03", "48000"), "max_notional"),
                     (("BTCUSDT", "BUY", "0.01", "40000"), None)]  # outside the band: venue filter or ours
            for args, rule in cases:
                with pytest.raises(RiskRejected) as err:
                    await eng.place_limit(*args)
                if rule:
                    assert err.value.rule == rule
                assert "BTCUSDT" in str(err.value)
            await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await eng.place_limit("BTCUSDT", "BUY", "0.01", "48100")
            with pytest.raises(RiskRejected) as err:
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48200")
            assert err.value.rule == "max_open_orders"
            assert len(await venue_client_ids(eng, "BTCUSDT")) == 2  # nothing refused reached the venue

    run(main())


def test_breaker_opens_refuses_lets_cancels_through_and_recovers():
    breaker = CircuitBreaker(consecutive_errors=3, error_rate=None, cooldown_s=0.5)

    async def main():
        async with engine_on_sim("binance-spot", breaker=breaker,
                                 faults=["POST api/v3/order:http503:times=3"]) as (sim, eng):
            events = []
            eng.on(events.append)
            resting = None
            for i in range(3):
                o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
                assert o.state == OrderState.UNKNOWN  # a 5xx is never treated as a rejection
                resting = resting or o
            assert breaker.state == BreakerState.OPEN
            with pytest.raises(CircuitOpen):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            # the unknown orders resolve (the venue never saw them: re-sent with their own ids)
            await until(lambda: all(eng.get_order(e.order.client_order_id).state == OrderState.NEW
                                    for e in events if e.kind == EventKind.UNKNOWN), 15, "unknowns resolved")
            await eng.cancel(resting)  # cancels pass while the breaker is open
            await asyncio.sleep(0.6)
            probe = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")  # half-open: one probe
            assert probe.state == OrderState.NEW and breaker.state == BreakerState.CLOSED
            kinds = [e.kind for e in events]
            assert EventKind.BREAKER_OPENED in kinds and EventKind.BREAKER_CLOSED in kinds
            assert len(await venue_client_ids(eng, "BTCUSDT")) == 3  # exactly one venue order per intent

    run(main())


@pytest.mark.parametrize("venue, fault", [
    ("binance-spot", "POST api/v3/order:after_process_drop:nth=1"),
    ("binance-spot", "POST api/v3/order:before_process_drop:nth=1"),
    ("binance-usdm", "POST fapi/v1/order:after_process_drop:nth=1"),
    ("bybit", "POST v5/order/create:after_process_drop:nth=1"),
    ("bybit", "POST v5/order/create:before_process_drop:nth=1"),
])
def test_lost_answer_gives_exactly_one_order(venue, fault):
    async def main():
        async with engine_on_sim(venue, faults=[fault]) as (sim, eng):
            events = []
            eng.on(events.append)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            if "after" in fault and o.state == OrderState.NEW:
                pass  # the stream reported the order before the connection dropped: nothing was unknown
            else:
                assert o.state == OrderState.UNKNOWN  # never treated as rejected
                await until(lambda: any(e.kind == EventKind.RESOLVED for e in events), 15, "resolution")
                how = next(e.data["how"] for e in events if e.kind == EventKind.RESOLVED)
                assert how in (("adopted", "stream") if "after" in fault else ("resent",))
            assert eng.get_order(o.client_order_id).state == OrderState.NEW
            assert await venue_client_ids(eng, "BTCUSDT") == [o.client_order_id]

    run(main())


@pytest.mark.parametrize("venue, stream", [("binance-spot", "stream.binance-spot"),
                                           ("binance-usdm", "stream.binance-usdm"), ("bybit", "stream.bybit")])
def test_fills_while_the_stream_is_down_are_not_lost(venue, stream):
    async def main():
        async with engine_on_sim(venue, faults=[f"{stream}:stream_drop:nth=1"]) as (sim, eng):
            events = []
            eng.on(events.append)
            o = await eng.place_limit("BTCUSDT", "SELL" if venue == "binance-spot" else "BUY", "0.01",
                                      "52000" if venue == "binance-spot" else "48000")
            # its first event dropped the stream; move the market so it fills while we reconnect
            sim.set_price("BTCUSDT", "53000" if venue == "binance-spot" else "47000")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 15, "fill seen")
            await until(lambda: any(e.kind == EventKind.RECONCILED and e.data["reason"] == "reconnect"
                                    for e in events), 10, "reconciliation after the reconnect")
            assert any(e.kind == EventKind.STREAM_RECONNECTED for e in events)
            if eng.futures:
                await until(lambda: "BTCUSDT" in eng.positions(), 5)
                assert eng.positions()["BTCUSDT"].size == Decimal("0.01")

    run(main())


@pytest.mark.parametrize("venue, stream", [("binance-spot", "stream.binance-spot"), ("bybit", "stream.bybit")])
def test_duplicate_and_reordered_events_change_nothing_twice(venue, stream):
    async def main():
        faults = [f"{stream}:stream_duplicate:every=2", f"{stream}:stream_reorder:every=3"]
        async with engine_on_sim(venue, faults=faults) as (sim, eng):
            orders = [await eng.place_limit("BTCUSDT", "SELL", "0.01", px) for px in ("50500", "50600", "50700")]
            sim.set_price("BTCUSDT", "51000")
            for o in orders:
                await until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10)
            for o in orders:
                got = eng.get_order(o.client_order_id)
                assert got.filled == Decimal("0.01")
            st = eng.stats()
            assert st["applier"]["refused"] == 0
            assert st["applier"]["ignored"] >= 1  # the duplicates were seen and dropped

    run(main())


def test_usdm_listen_key_expiry_reconnects_and_reconciles():
    async def main():
        async with engine_on_sim("binance-usdm", faults=["stream.binance-usdm:listenkey_expire:nth=2"]) as (sim, eng):
            events = []
            eng.on(events.append)
            a = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            b = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48100")
            await until(lambda: any(e.kind == EventKind.RECONCILED for e in events), 10)
            assert eng.adapter.user_stream.expirations == 1
            c = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48200")
            assert {o.client_order_id for o in eng.open_orders()} == {a.client_order_id, b.client_order_id,
                                                                        c.client_order_id}

    run(main())


def test_halt_cancels_everything_and_refuses_new_orders():
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            for px in ("48000", "48100"):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", px)
            assert (await eng.halt("test")).cancelled == 2
            assert eng.open_orders() == [] and await venue_client_ids(eng, "BTCUSDT") == []
            with pytest.raises(EngineError):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")

    run(main())


def test_a_full_run_never_logs_the_secret(caplog):
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:after_process_drop:nth=2"]) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await eng.place_limit("BTCUSDT", "BUY", "0.01", "48100")
            await eng.cancel(o)
            text = repr(eng) + repr(eng.config) + repr(eng.adapter) + json.dumps(eng.stats(), default=str)
            assert SECRET not in text

    with caplog.at_level(logging.DEBUG):
        run(main())
    assert caplog.records, "expected some log output from a run with a lost answer"
    assert SECRET not in caplog.text
    signer_key = SECRET.encode().hex()
    assert signer_key not in caplog.text


def test_usdm_countdown_cancels_when_the_engine_goes_silent():
    async def main():
        async with engine_on_sim("binance-usdm", cancel_on_disconnect_s=0.6) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await asyncio.sleep(0.5)  # the switch is renewed while we are alive
            assert await venue_client_ids(eng, "BTCUSDT") == [o.client_order_id]
            for t in list(eng.tasks):  # the process "dies": nothing renews the countdown
                if t.get_name() == "dead-man":
                    t.cancel()
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.CANCELLED, 5)
            assert await venue_client_ids(eng, "BTCUSDT") == []

    run(main())


def test_usdm_clean_stop_disarms_the_switch():
    async def main():
        async with engine_on_sim("binance-usdm", cancel_on_disconnect_s=0.6) as (sim, eng):
            await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await asyncio.sleep(0.3)
            await eng.stop()
            await asyncio.sleep(1.0)
            assert len([o for o in sim.core.account_orders("busdm", sim.core.ledger.accounts[KEY]) if o.is_open]) == 1
            eng.tasks.clear()

    run(main())


def test_bybit_disconnect_protection_cancels_after_the_window():
    async def main():
        async with engine_on_sim("bybit", cancel_on_disconnect_s=3) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await eng.adapter.stream.stop()  # our private stream is gone and stays gone
            acct = sim.core.ledger.accounts[KEY]
            loop = asyncio.get_running_loop()
            end = loop.time() + 6
            while any(x.is_open for x in sim.core.account_orders("ylinear", acct)) and loop.time() < end:
                await asyncio.sleep(0.1)
            assert not any(x.is_open for x in sim.core.account_orders("ylinear", acct))
            assert (await eng.adapter.query("BTCUSDT", o.client_order_id)).state == OrderState.CANCELLED

    run(main())
