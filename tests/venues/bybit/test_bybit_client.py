"""Bybit V5 REST, private stream and WebSocket trade against engine.sim over loopback."""

import asyncio
import contextlib
import json

import pytest
import uvloop

from engine.config import VenueConfig
from engine.sim import Limits, SimExchange
from engine.transport.errors import ConnectionLost
from engine.venues import errors as E
from engine.venues.bybit.rest import BybitRest
from engine.venues.bybit.user_stream import BybitPrivateStream
from engine.venues.bybit.ws_orders import BybitWsTrade

KEY, SECRET = "bybit-it-key", "bybit-it-secret-never-shown"
LIMIT = {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.01",
         "price": "30000"}


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


async def until(pred, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def pushes_of(pushes, topic):
    out = []
    for p in pushes:
        doc = json.loads(p)
        if doc["topic"] == topic:
            out.extend(doc["data"])
    return out


@contextlib.asynccontextmanager
async def trade_socket(sim, **kw):
    """A started REST client and trade socket on ``sim``; both closed on exit."""
    cfg = VenueConfig.local("bybit", sim.url, KEY, SECRET)
    rest = BybitRest(cfg)
    await rest.start()
    trade = BybitWsTrade(cfg, rest.clock, **kw)
    await trade.start()
    try:
        yield rest, trade
    finally:
        await trade.stop()
        await rest.close()


def test_rest_orders_account_and_errors():
    async def main():
        async with SimExchange(seed=9, accounts=[(KEY, SECRET)]) as sim:
            rest = BybitRest(VenueConfig.local("bybit", sim.url, KEY, SECRET))
            await rest.start()
            try:
                assert {i["symbol"] for i in await rest.instruments("linear")} >= {"BTCUSDT", "ETHUSDT"}
                assert (await rest.balances())["USDT"]["walletBalance"] == "100000"
                ack = await rest.place_order({**LIMIT, "orderLinkId": "r-1"})
                assert ack["orderLinkId"] == "r-1" and ack["orderId"]
                with pytest.raises(E.DuplicateClientOrderId):
                    await rest.place_order({**LIMIT, "orderLinkId": "r-1"})
                got = await rest.get_order("linear", "BTCUSDT", order_link_id="r-1")
                assert got["orderStatus"] == "New" and got["price"] == "30000"
                await rest.amend_order({"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "r-1",
                                        "price": "30100"})
                assert (await rest.get_order("linear", "BTCUSDT", order_link_id="r-1"))["price"] == "30100"
                assert [o["orderLinkId"] for o in await rest.open_orders("linear", "BTCUSDT")] == ["r-1"]
                await rest.cancel_order("linear", "BTCUSDT", order_link_id="r-1")
                with pytest.raises((E.UnknownOrder, E.OrderNotOpen)):
                    await rest.cancel_order("linear", "BTCUSDT", order_link_id="r-1")
                for i in range(2):
                    await rest.place_order({**LIMIT, "orderLinkId": f"ca-{i}"})
                assert len(await rest.cancel_all("linear", "BTCUSDT")) == 2
                assert await rest.open_orders("linear", "BTCUSDT") == []
                assert {o["orderStatus"] for o in await rest.order_history("linear", "BTCUSDT")} == {"Cancelled"}
                await rest.set_leverage("BTCUSDT", 5)
                await rest.place_order({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
                                        "orderType": "Market", "qty": "0.01", "orderLinkId": "mk-1"})
                await until_async(lambda: rest.positions("BTCUSDT"), lambda rows: rows and rows[0]["size"] == "0.01")
                with pytest.raises(E.InsufficientFunds):
                    await rest.place_order({**LIMIT, "qty": "1000", "orderLinkId": "big-1"})
            finally:
                await rest.close()

    run(main())


async def until_async(fetch, pred, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        value = await fetch()
        if pred(value):
            return value
        if loop.time() > end:
            raise AssertionError(f"condition not met: {value!r}")
        await asyncio.sleep(0.05)


def test_wrong_secret_and_clock_skew():
    async def main():
        async with SimExchange(seed=9, accounts=[(KEY, SECRET)]) as sim:
            bad = BybitRest(VenueConfig.local("bybit", sim.url, KEY, "nope"))
            await bad.start()
            with pytest.raises(E.AuthenticationError) as err:
                await bad.balances()
            assert err.value.code == 10004
            await bad.close()
            rest = BybitRest(VenueConfig.local("bybit", sim.url, KEY, SECRET))
            await rest.start()
            rest.clock.offset_ms -= 60_000
            assert "USDT" in await rest.balances()  # 10002, resync, retry once
            assert rest.clock.syncs == 2
            await rest.close()

    run(main())


def test_private_stream_and_trade_socket():
    async def main():
        async with SimExchange(seed=9, accounts=[(KEY, SECRET)]) as sim:
            cfg = VenueConfig.local("bybit", sim.url, KEY, SECRET)
            rest = BybitRest(cfg)
            await rest.start()
            pushes = []
            stream = BybitPrivateStream(cfg, rest.clock, pushes.append)
            trade = BybitWsTrade(cfg, rest.clock, limiter=rest.limiter)
            await stream.start()
            await trade.start()
            try:
                ack = await trade.create({**LIMIT, "orderLinkId": "ws-1"})
                assert ack["orderLinkId"] == "ws-1"
                await trade.amend({"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "ws-1", "qty": "0.02"})
                await trade.cancel("linear", "BTCUSDT", order_link_id="ws-1")
                with pytest.raises(E.DuplicateClientOrderId):
                    await trade.create({**LIMIT, "orderLinkId": "ws-1"})
                await until(lambda: any(o["orderStatus"] == "Cancelled" for o in pushes_of(pushes, "order")))
                orders = [o for o in pushes_of(pushes, "order") if o["orderLinkId"] == "ws-1"]
                assert orders[0]["orderStatus"] == "New" and orders[-1]["orderStatus"] == "Cancelled"
                assert pushes_of(pushes, "wallet")
                # a market order fills: execution and position pushes
                await trade.create({"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market",
                                    "qty": "0.01", "orderLinkId": "ws-mkt"})
                await until(lambda: pushes_of(pushes, "execution") and pushes_of(pushes, "position"))
                ex = pushes_of(pushes, "execution")[0]
                assert ex["orderLinkId"] == "ws-mkt" and ex["execQty"] == "0.01"
            finally:
                await trade.stop()
                await stream.stop()
                await rest.close()

    run(main())


def test_stream_drop_resubscribes_and_reconciles():
    async def main():
        async with SimExchange(seed=9, accounts=[(KEY, SECRET)], faults=["stream.bybit:stream_drop:nth=1"]) as sim:
            cfg = VenueConfig.local("bybit", sim.url, KEY, SECRET)
            rest = BybitRest(cfg)
            await rest.start()
            pushes, reconciled = [], []

            async def on_reconnected():
                reconciled.append(await rest.open_orders("linear", "BTCUSDT"))

            stream = BybitPrivateStream(cfg, rest.clock, pushes.append, on_reconnected=on_reconnected)
            await stream.start()
            try:
                await rest.place_order({**LIMIT, "orderLinkId": "drop-1"})  # its event is dropped with the stream
                await until(lambda: reconciled)
                assert [o["orderLinkId"] for o in reconciled[0]] == ["drop-1"]  # not lost
                assert stream.ws.connects == 2
                await rest.place_order({**LIMIT, "orderLinkId": "drop-2"})
                await until(lambda: any(o["orderLinkId"] == "drop-2" for o in pushes_of(pushes, "order")))
            finally:
                await stream.stop()
                await rest.close()

    run(main())


def test_trade_answer_lost_after_processing():
    async def main():
        async with SimExchange(seed=9, accounts=[(KEY, SECRET)], faults=["order.create:after_process_drop:nth=1"]) as sim:
            async with trade_socket(sim) as (rest, trade):
                with pytest.raises(ConnectionLost) as err:
                    await trade.create({**LIMIT, "orderLinkId": "lost-1"})
                assert err.value.outcome_unknown
                found = await rest.get_order("linear", "BTCUSDT", order_link_id="lost-1")
                assert found is not None and found["orderStatus"] == "New"
                await until(lambda: trade.ws.connected)
                await trade.cancel("linear", "BTCUSDT", order_link_id="lost-1")

    run(main())


def test_trade_socket_raw_path():
    from engine._parse_bybit import BybitParser

    async def main():
        async with SimExchange(seed=9, accounts=[(KEY, SECRET)]) as sim:
            async with trade_socket(sim) as (rest, trade):
                p = BybitParser()
                p.parse(await trade.send_raw("order.create", {**LIMIT, "orderLinkId": "raw-1"}))
                assert p.to_dict()["client_id"] == "raw-1"
                with pytest.raises(E.DuplicateClientOrderId):
                    await trade.send_raw("order.create", {**LIMIT, "orderLinkId": "raw-1"})
                p.parse(await trade.send_raw("order.cancel", {"category": "linear", "symbol": "BTCUSDT",
                                                              "orderLinkId": "raw-1"}))
                assert not trade.inflight.pending

    run(main())


def test_trade_socket_compiled_frames():
    from engine._codec_errors import EncodeError
    from engine._enums import OrderType, Side, TimeInForce
    from engine._parse_bybit import BybitParser

    async def main():
        async with SimExchange(seed=10, accounts=[(KEY, SECRET)]) as sim:
            async with trade_socket(sim, category="linear") as (rest, trade):
                p = BybitParser()
                p.parse(await trade.place_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 1_000_000,
                                                30_000 * 10**8, 0, b"cf-1"))
                assert p.to_dict()["client_id"] == "cf-1"
                assert sim.core.by_client[("ylinear", KEY, "cf-1")]
                with pytest.raises(E.DuplicateClientOrderId):
                    await trade.place_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 1_000_000,
                                            30_000 * 10**8, 0, b"cf-1")
                with pytest.raises(EncodeError):
                    trade.place_order(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, -1, 30_000 * 10**8)
                p.parse(await trade.cancel_order(b"BTCUSDT", client_id=b"cf-1"))
                assert p.to_dict()["client_id"] == "cf-1"
                with pytest.raises((E.UnknownOrder, E.OrderNotOpen)):
                    await trade.cancel_order(b"BTCUSDT", client_id=b"cf-1")
                assert len(trade.inflight) == 0

    run(main())


def test_the_trade_socket_adopts_the_venues_limits_from_its_acknowledgements():
    async def main():
        limits = Limits(bybit_per_second={"order/create": 200, "order/cancel": 300})
        async with SimExchange(seed=9, accounts=[(KEY, SECRET)], limits=limits) as sim:
            cfg = VenueConfig.local("bybit", sim.url, KEY, SECRET)
            rest = BybitRest(cfg)
            await rest.start()
            async with trade_socket(sim, limiter=rest.limiter) as (_, trade):
                endpoints = rest.limiter.endpoints
                assert endpoints["/v5/order/create"].limit == 10          # the client's default, before any word
                await trade.create({**LIMIT, "orderLinkId": "lim-1"})
                await trade.cancel("linear", "BTCUSDT", order_link_id="lim-1")
                # the acknowledgements' X-Bapi-Limit replaced it, as a REST answer's would
                assert endpoints["/v5/order/create"].limit == 200 and endpoints["/v5/order/cancel"].limit == 300
            await rest.close()

    run(main())
