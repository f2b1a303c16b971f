"""Engine API surface: async event iteration, latency alerts, stats, cancel-all at start, stale orders."""

import asyncio


from engine import EventKind, OrderState, connect
from engine.config import VenueConfig
from engine.sim import SimExchange
from tests.support.engine_fixtures import KEY, SECRET, engine_on_sim, run, until


def test_async_event_iteration_sees_the_lifecycle():
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            seen = []

            async def consume():
                async for ev in eng.events():
                    seen.append(ev.kind)
                    if ev.kind == EventKind.CANCELLED:
                        return

            task = asyncio.create_task(consume())
            await asyncio.sleep(0)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await eng.cancel(o)
            await asyncio.wait_for(task, 5)
            assert seen[0] == EventKind.ACCEPTED and seen[-1] == EventKind.CANCELLED

    run(main())


def test_latency_alert_and_stats():
    async def main():
        async with engine_on_sim("binance-spot", alert_threshold_ms=0.001) as (sim, eng):
            alerts = []
            eng.on(lambda ev: alerts.append(ev) if ev.kind == EventKind.LATENCY_ALERT else None)
            await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            assert alerts and alerts[0].data["stage"] == "round_trip_ack"
            await until(lambda: eng.stats()["metrics"]["latency_ns"]["wire_to_event"]["count"] >= 1, 5)
            st = eng.stats()
            lat = st["metrics"]["latency_ns"]
            for stage in ("call_to_wire", "round_trip_ack", "wire_to_event"):
                assert lat[stage]["count"] >= 1 and lat[stage]["p50"] > 0
            assert st["metrics"]["orders"]["placed"] == 1 and st["metrics"]["orders"]["acknowledged"] == 1
            assert st["clock"]["syncs"] >= 1

    run(main())


def test_cancel_all_on_start_and_adoption_of_orders_placed_elsewhere():
    async def main():
        async with SimExchange(seed=3, accounts=[(KEY, SECRET)]) as sim:
            cfg = VenueConfig.local("binance-spot", sim.url, KEY, SECRET)
            async with connect(cfg) as first:
                await first.place_limit("BTCUSDT", "BUY", "0.01", "48000")
                await first.place_limit("BTCUSDT", "BUY", "0.01", "48100")
            # a new engine (a restart) adopts the orders it finds...
            async with connect(cfg) as second:
                assert len(second.open_orders("BTCUSDT")) == 2
            # ...or, asked to, cancels everything at start-up
            async with connect(cfg, cancel_all_on_start=True) as third:
                assert third.open_orders() == []
                assert await third.adapter.open_orders("BTCUSDT") == []

    run(main())


def test_an_order_whose_answer_and_event_are_lost_is_queried_when_stale():
    async def main():
        faults = ["POST api/v3/order:after_process_drop:nth=1", "stream.binance-spot:stream_drop:nth=1"]
        async with engine_on_sim("binance-spot", faults=faults, stale_after_s=0.5) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 10)

    run(main())
