"""Binance lean order path (compiled encoder + fast HTTP/1.1 + compiled parser) against engine.sim."""

import asyncio

import pytest
import uvloop

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine.config import VenueConfig
from engine.sim import SimExchange
from engine.transport.errors import ConnectionLost, RequestTimeout
from engine.venues import errors as E
from engine.venues.binance.order_path import BinanceOrderPath
from engine.venues.binance.rest import BinanceRest

KEY, SECRET = "fast-key", "fast-secret-never-shown"
E8 = 100_000_000


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


async def open_path(sim, venue="binance-spot", **settings):
    rest = BinanceRest(VenueConfig.local(venue, sim.url, KEY, SECRET, **settings))
    await rest.start()
    path = BinanceOrderPath(rest)
    await path.start()
    return rest, path


async def close(rest, path):
    await path.close()
    await rest.close()


def test_place_fill_cancel_and_errors():
    async def main():
        async with SimExchange(seed=2, accounts=[(KEY, SECRET)]) as sim:
            rest, path = await open_path(sim)
            try:
                rec = await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100,
                                       30_000 * E8, 0, b"lp-1")
                assert rec.order_state == OrderState.NEW
                d = rec.to_dict()
                assert d["client_id"] == "lp-1" and d["qty_raw"] == E8 // 100 and d["price_raw"] == 30_000 * E8
                order_id = d["order_id"]
                rec = await path.place(b"BTCUSDT", Side.BUY, OrderType.MARKET, 0, E8 // 100, 0, 0, b"lp-mkt")
                assert rec.order_state == OrderState.FILLED and rec.to_dict()["cum_qty_raw"] == E8 // 100
                rec = await path.cancel(b"BTCUSDT", order_id=order_id)
                assert rec.order_state == OrderState.CANCELLED and rec.to_dict()["orig_client_id"] == "lp-1"
                with pytest.raises(E.UnknownOrder):
                    await path.cancel(b"BTCUSDT", client_id=b"lp-1")
                with pytest.raises(E.PostOnlyWouldTake):
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT_MAKER, 0, E8 // 100, 999_999 * E8)
                with pytest.raises(E.InsufficientFunds):
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 1000 * E8, 30_000 * E8)
                assert path.http.reconnects == 0  # one warm connection throughout
            finally:
                await close(rest, path)

    run(main())


def test_concurrent_orders_share_one_pipelined_connection():
    async def main():
        async with SimExchange(seed=2, accounts=[(KEY, SECRET)]) as sim:
            rest, path = await open_path(sim)
            try:
                async def one(i):
                    rec = await path.place(b"ETHUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 10,
                                           1000 * E8, 0, b"pp-%d" % i)
                    return rec.to_dict()["client_id"]

                # the parser record is shared: read it before the next await, as one() does
                got = await asyncio.gather(*(one(i) for i in range(20)))
                assert sorted(got) == sorted(f"pp-{i}" for i in range(20))
                assert len(await rest.open_orders("ETHUSDT")) == 20
            finally:
                await close(rest, path)

    run(main())


def test_lost_answer_is_unknown_and_the_order_exists():
    async def main():
        async with SimExchange(seed=2, accounts=[(KEY, SECRET)], faults=["POST api/v3/order:after_process_drop:nth=1"]) as sim:
            rest, path = await open_path(sim)
            try:
                with pytest.raises(ConnectionLost) as err:
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 30_000 * E8,
                                     0, b"lost-1")
                assert err.value.outcome_unknown
                assert (await rest.get_order("BTCUSDT", client_order_id="lost-1"))["status"] == "NEW"
                rec = await path.cancel(b"BTCUSDT", client_id=b"lost-1")  # reconnects on demand
                assert rec.order_state == OrderState.CANCELLED and path.http.reconnects == 1
            finally:
                await close(rest, path)

    run(main())


def test_timeout_and_5xx_are_unknown_outcomes():
    async def main():
        async with SimExchange(seed=2, accounts=[(KEY, SECRET)],
                               faults=["POST api/v3/order:latency:ms=800,nth=1", "POST api/v3/order:http500:nth=2"]) as sim:
            rest, path = await open_path(sim, read_timeout=0.3)
            try:
                with pytest.raises(RequestTimeout):
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 30_000 * E8,
                                     0, b"slow-1")
                with pytest.raises(E.OutcomeUnknown):
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 30_000 * E8,
                                     0, b"e500-1")
            finally:
                await close(rest, path)

    run(main())


def test_usdm_limit_modify_and_algo():
    async def main():
        async with SimExchange(seed=2, accounts=[(KEY, SECRET)]) as sim:
            rest, path = await open_path(sim, "binance-usdm")
            try:
                rec = await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 100, 30_000 * E8,
                                       0, b"um-1")
                assert rec.order_state == OrderState.NEW
                rec = await path.modify(b"BTCUSDT", Side.BUY, E8 // 50, 30_100 * E8, client_id=b"um-1")
                assert rec.to_dict()["price_raw"] == 30_100 * E8
                rec = await path.place(b"BTCUSDT", Side.SELL, OrderType.STOP_LOSS, 0, E8 // 100, 0, 20_000 * E8,
                                       b"um-stop")
                assert [a["clientAlgoId"] for a in await rest.open_algo_orders("BTCUSDT")] == ["um-stop"]
                await path.cancel(b"BTCUSDT", client_id=b"um-stop", algo=True)
                assert await rest.open_algo_orders("BTCUSDT") == []
            finally:
                await close(rest, path)

    run(main())
