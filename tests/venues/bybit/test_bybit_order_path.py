"""Bybit lean order path (compiled encoder + fast HTTP/1.1 + compiled parser) against engine.sim."""

import asyncio

import pytest
import uvloop

from engine._codec_errors import EncodeError
from engine._enums import OrderType, Side, TimeInForce
from engine._parse_common import MessageKind
from engine.config import VenueConfig
from engine.sim import Limits, SimExchange
from engine.transport.errors import ConnectionLost, RequestTimeout
from engine.venues import errors as E
from engine.venues.bybit.order_path import BybitOrderPath
from engine.venues.bybit.rest import BybitRest

KEY, SECRET = "bybit-lean-key", "bybit-lean-secret-never-shown"
E8 = 100_000_000
QTY, PRICE = E8 // 100, 30_000 * E8          # 0.01 BTC at 30000, far below the 50000 market


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


async def until_async(fetch, pred, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        value = await fetch()
        if pred(value):
            return value
        if loop.time() > end:
            raise AssertionError(f"condition not met in time: {value!r}")
        await asyncio.sleep(0.02)


async def open_path(sim, category="linear", **settings):
    rest = BybitRest(VenueConfig.local("bybit", sim.url, KEY, SECRET, **settings))
    await rest.start()
    path = BybitOrderPath(rest, category=category)
    await path.start()
    return rest, path


async def close(rest, path):
    await path.close()
    await rest.close()


def ack(path):
    rec = path.parser.to_dict()
    assert rec["kind"] == MessageKind.ORDER_RECEIVED
    return rec


def test_linear_place_amend_cancel_every_type():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)]) as sim:
            rest, path = await open_path(sim)
            try:
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"lp-1")
                a = ack(path)
                assert a["client_id"] == "lp-1" and a["venue_order_id"]
                order_id = a["venue_order_id"].encode()
                row = await rest.get_order("linear", "BTCUSDT", order_link_id="lp-1")
                assert row["orderStatus"] == "New" and row["price"] == "30000" and row["qty"] == "0.01"
                await path.amend(b"BTCUSDT", order_id=order_id, price_raw=30_100 * E8)
                assert ack(path)["venue_order_id"] == order_id.decode()
                await path.amend(b"BTCUSDT", client_id=b"lp-1", qty_raw=2 * QTY)
                row = await rest.get_order("linear", "BTCUSDT", order_link_id="lp-1")
                assert row["price"] == "30100" and row["qty"] == "0.02"
                await path.cancel(b"BTCUSDT", client_id=b"lp-1")
                assert ack(path)["client_id"] == "lp-1"
                row = await rest.get_order("linear", "BTCUSDT", order_link_id="lp-1")
                assert row["orderStatus"] == "Cancelled"

                await path.place(b"BTCUSDT", Side.BUY, OrderType.MARKET, 0, QTY, 0, 0, b"mk-1")
                await until_async(lambda: rest.get_order("linear", "BTCUSDT", order_link_id="mk-1"),
                                  lambda r: r and r["orderStatus"] == "Filled")
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.IOC, QTY, PRICE, 0, b"ioc-1")
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.FOK, QTY, PRICE, 0, b"fok-1")
                for link in ("ioc-1", "fok-1"):
                    row = await rest.get_order("linear", "BTCUSDT", order_link_id=link)
                    assert row["orderStatus"] == "Cancelled" and row["timeInForce"] == link[:3].upper()
                # post-only that would take: acknowledged, then cancelled by the venue
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT_MAKER, 0, QTY, 99_999 * E8, 0, b"po-1")
                row = await rest.get_order("linear", "BTCUSDT", order_link_id="po-1")
                assert row["orderStatus"] == "Cancelled" and row["rejectReason"] == "EC_PostOnlyWillTakeLiquidity"
                # conditional orders: stop below the market for a sell, take-profit limit above for a sell
                await path.place(b"BTCUSDT", Side.SELL, OrderType.STOP_LOSS, 0, QTY, 0, 20_000 * E8, b"sl-1",
                                 reduce_only=True)
                await path.place(b"BTCUSDT", Side.SELL, OrderType.TAKE_PROFIT_LIMIT, TimeInForce.GTC, QTY,
                                 90_000 * E8, 80_000 * E8, b"tp-1")
                for link, trigger, direction in (("sl-1", "20000", 2), ("tp-1", "80000", 1)):
                    row = await rest.get_order("linear", "BTCUSDT", order_link_id=link)
                    assert row["orderStatus"] == "Untriggered" and row["triggerPrice"] == trigger
                    assert row["triggerDirection"] == direction
                await path.cancel(b"BTCUSDT", client_id=b"tp-1")
                assert path.http.reconnects == 0 and path.orders_sent == 11   # one warm connection throughout
            finally:
                await close(rest, path)

    run(main())


def test_spot_category_and_per_call_category():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)]) as sim:
            rest, path = await open_path(sim, category="spot")
            try:
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"sp-1")
                spot_id = ack(path)["venue_order_id"]
                assert spot_id.isdigit()                                    # spot ids are numbers
                assert (await rest.get_order("spot", "BTCUSDT", order_link_id="sp-1"))["orderStatus"] == "New"
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"li-1",
                                 category="linear")
                assert (await rest.get_order("linear", "BTCUSDT", order_link_id="li-1"))["orderStatus"] == "New"
                await path.cancel(b"BTCUSDT", order_id=spot_id.encode())
                assert (await rest.get_order("spot", "BTCUSDT", order_link_id="sp-1"))["orderStatus"] == "Cancelled"
                await path.cancel(b"BTCUSDT", client_id=b"li-1", category=b"linear")
                with pytest.raises(EncodeError):   # no conditional orders on spot: refused before sending
                    await path.place(b"BTCUSDT", Side.SELL, OrderType.STOP_LOSS, 0, QTY, 0, 20_000 * E8, b"x")
            finally:
                await close(rest, path)

    run(main())


@pytest.mark.parametrize("category", ["linear", "spot"])
def test_typed_errors(category):
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)]) as sim:
            rest, path = await open_path(sim, category=category)
            try:
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"dup-1")
                with pytest.raises(E.DuplicateClientOrderId) as err:
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"dup-1")
                assert err.value.code == (110072 if category == "linear" else 170141)
                with pytest.raises(E.InsufficientFunds):
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, 1000 * E8, PRICE, 0,
                                     b"big-1")
                unknown = 110001 if category == "linear" else 170213
                with pytest.raises(E.UnknownOrder) as err:
                    await path.cancel(b"BTCUSDT", client_id=b"never-placed")
                assert err.value.code == unknown
                with pytest.raises(E.UnknownOrder):
                    await path.amend(b"BTCUSDT", client_id=b"never-placed", price_raw=PRICE)
                await path.cancel(b"BTCUSDT", client_id=b"dup-1")
                with pytest.raises(E.UnknownOrder):                 # already cancelled
                    await path.cancel(b"BTCUSDT", client_id=b"dup-1")
                # the path keeps working after refusals, on the same connection
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"ok-1")
                assert ack(path)["client_id"] == "ok-1" and path.http.reconnects == 0
            finally:
                await close(rest, path)

    run(main())


def test_bad_input_is_refused_before_anything_is_sent_or_spent():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)]) as sim:
            rest, path = await open_path(sim)
            try:
                window = path.limiter.endpoints["/v5/order/create"]
                conn = await path.http.connection()
                used, sent = window.used, conn.requests_sent
                bad = [
                    dict(client_id=b"x" * 37),                                   # orderLinkId too long
                    dict(client_id=b"bad id"),                                   # charset
                    dict(qty_raw=0),
                    dict(tif=TimeInForce.TIF_NONE),                              # LIMIT needs a TIF
                ]
                for override in bad:
                    args = dict(symbol=b"BTCUSDT", side=Side.BUY, order_type=OrderType.LIMIT,
                                tif=TimeInForce.GTC, qty_raw=QTY, price_raw=PRICE, stop_raw=0, client_id=b"ok")
                    args.update(override)
                    with pytest.raises(EncodeError):
                        await path.place(**args)
                with pytest.raises(EncodeError):
                    await path.cancel(b"BTCUSDT", order_id=b"1", client_id=b"both")   # exactly one reference
                with pytest.raises(EncodeError):
                    await path.amend(b"BTCUSDT", client_id=b"a")                      # nothing to amend
                assert window.used == used and conn.requests_sent == sent
            finally:
                await close(rest, path)

    run(main())


def test_concurrent_orders_pipeline_on_one_connection_and_adopt_venue_limits():
    async def main():
        limits = Limits(bybit_per_second={"order/create": 200, "order/cancel": 200})
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)], limits=limits) as sim:
            rest, path = await open_path(sim)
            try:
                await path.place(b"ETHUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 10, 1000 * E8, 0,
                                 b"first")
                # the venue's X-Bapi-Limit replaced the client's default of 10/s for this endpoint
                assert path.limiter.endpoints["/v5/order/create"].limit == 200

                async def one(i):
                    await path.place(b"ETHUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, E8 // 10, 1000 * E8,
                                     0, b"pp-%d" % i)
                    return ack(path)["client_id"]   # read before the next await: the record is shared

                got = await asyncio.gather(*(one(i) for i in range(40)))
                assert sorted(got) == sorted(f"pp-{i}" for i in range(40))
                conn = await path.http.connection()
                assert path.http.reconnects == 0 and conn.requests_sent == 41 and conn.responses_received == 41
                rows = await rest.open_orders("linear", "ETHUSDT")
                assert sorted(r["orderLinkId"] for r in rows) == sorted(["first"] + [f"pp-{i}" for i in range(40)])

                async def cancel(i):
                    await path.cancel(b"ETHUSDT", client_id=b"pp-%d" % i)
                    return ack(path)["client_id"]

                got = await asyncio.gather(*(cancel(i) for i in range(40)))
                assert sorted(got) == sorted(f"pp-{i}" for i in range(40))
                assert [r["orderLinkId"] for r in await rest.open_orders("linear", "ETHUSDT")] == ["first"]
            finally:
                await close(rest, path)

    run(main())


def test_lost_answer_is_unknown_and_the_order_exists():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)],
                               faults=["v5/order/create:after_process_drop:nth=1"]) as sim:
            rest, path = await open_path(sim)
            try:
                with pytest.raises(ConnectionLost) as err:
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0,
                                     b"lost-1")
                assert err.value.sent and err.value.outcome_unknown
                rows = await rest.open_orders("linear", "BTCUSDT")
                assert [r["orderLinkId"] for r in rows] == ["lost-1"]      # processed once, never resent
                await path.cancel(b"BTCUSDT", client_id=b"lost-1")         # reconnects on demand
                assert ack(path)["client_id"] == "lost-1" and path.http.reconnects == 1
            finally:
                await close(rest, path)

    run(main())


def test_slow_answer_times_out_with_unknown_outcome_then_the_order_is_found():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)],
                               faults=["v5/order/create:latency:ms=700,nth=1"]) as sim:
            rest, path = await open_path(sim, read_timeout=0.25)
            try:
                with pytest.raises(RequestTimeout) as err:
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0,
                                     b"slow-1")
                assert err.value.sent
                row = await until_async(lambda: rest.get_order("linear", "BTCUSDT", order_link_id="slow-1"),
                                        lambda r: r is not None)
                assert row["orderStatus"] == "New"
                # a per-call timeout longer than the latency gets the answer
                sim.add_faults("v5/order/cancel:latency:ms=300,nth=1")
                await path.cancel(b"BTCUSDT", client_id=b"slow-1", timeout=3.0)
                assert ack(path)["client_id"] == "slow-1"
            finally:
                await close(rest, path)

    run(main())


def test_5xx_is_an_unknown_outcome_and_nothing_was_processed():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)],
                               faults=["v5/order/create:http500:nth=1", "v5/order/create:http503:nth=2"]) as sim:
            rest, path = await open_path(sim)
            try:
                for link in (b"e500-1", b"e503-1"):
                    with pytest.raises(E.OutcomeUnknown) as err:
                        await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0,
                                         link)
                    assert err.value.outcome_unknown and err.value.http_status in (500, 503)
                    # this simulator fault answers without processing: resolving by orderLinkId finds nothing
                    assert await rest.get_order("linear", "BTCUSDT", order_link_id=link.decode()) is None
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"e500-1")
                assert ack(path)["client_id"] == "e500-1"
            finally:
                await close(rest, path)

    run(main())


def test_throttle_and_ban_answers_pause_the_shared_limiter():
    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)],
                               faults=["v5/order/create:http429:nth=1", "v5/order/amend:http418:nth=1"]) as sim:
            rest, path = await open_path(sim)
            try:
                with pytest.raises(E.RateLimited) as err:       # retCode 10006 with the reset header
                    await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"t-1")
                assert err.value.code == 10006
                assert path.limiter.paused_until > path.limiter.clock()
                assert rest.limiter is path.limiter
                path.limiter.paused_until = 0.0
                await path.place(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY, PRICE, 0, b"t-2")
                with pytest.raises(E.IpBanned):                  # HTTP 403 "access too frequent"
                    await path.amend(b"BTCUSDT", client_id=b"t-2", price_raw=30_100 * E8)
                conn = await path.http.connection()
                sent = conn.requests_sent
                with pytest.raises(E.IpBanned):                  # nothing goes out while banned
                    await path.cancel(b"BTCUSDT", client_id=b"t-2")
                assert conn.requests_sent == sent
            finally:
                await close(rest, path)

    run(main())


def test_submit_writes_at_once_and_finish_reads_answers_in_any_order():
    from engine.venues.bybit.order_path import CANCEL, CREATE

    async def main():
        async with SimExchange(seed=4, accounts=[(KEY, SECRET)]) as sim:
            rest, path = await open_path(sim)
            try:
                conn = await path.http.connection()
                before = conn.requests_sent
                fa = await path.submit(path.place_builder(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                                                          QTY, PRICE, 0, b"sub-a"))
                fb = await path.submit(path.place_builder(b"BTCUSDT", Side.BUY, OrderType.LIMIT, TimeInForce.GTC,
                                                          QTY, PRICE, 0, b"sub-b"))
                assert conn.requests_sent == before + 2            # both written before any answer is awaited
                assert (await path.finish(fb, CREATE)).to_dict()["client_id"] == "sub-b"
                assert (await path.finish(fa, CREATE)).to_dict()["client_id"] == "sub-a"
                fc = await path.submit(path.cancel_builder(b"BTCUSDT", client_id=b"sub-a"))
                assert (await path.finish(fc, CANCEL)).to_dict()["client_id"] == "sub-a"
                fd = await path.submit(path.cancel_builder(b"BTCUSDT", client_id=b"sub-a"))
                with pytest.raises(E.UnknownOrder):
                    await path.finish(fd, CANCEL)
            finally:
                await close(rest, path)

    run(main())


def test_answers_that_are_not_acknowledgements():
    from engine.transport.fast_http import HttpResponse
    from engine.venues.bybit.order_path import CREATE

    async def main():
        rest = BybitRest(VenueConfig.local("bybit", "http://127.0.0.1:1", KEY, SECRET))
        path = BybitOrderPath(rest)

        async def finish(status, body, headers=()):
            fut = asyncio.get_running_loop().create_future()
            fut.set_result(HttpResponse(status, list(headers), body))
            return await path.finish(fut, CREATE)

        with pytest.raises(E.OutcomeUnknown):       # accepted, but no ids: resolve by orderLinkId
            await finish(200, b'{"retCode":0,"retMsg":"OK","result":{},"retExtInfo":{},"time":1}')
        with pytest.raises(E.VenueError) as err:    # unreadable
            await finish(200, b"<html>")
        assert type(err.value) is E.VenueError
        with pytest.raises(E.AuthenticationError):
            await finish(401, b"")
        with pytest.raises(E.InsufficientFunds):
            await finish(200, b'{"retCode":110007,"retMsg":"ab not enough for new order","result":{},'
                              b'"retExtInfo":{},"time":1}', [(b"x-bapi-limit", b"7"), (b"x-bapi-limit-status", b"3")])
        window = path.limiter.endpoints["/v5/order/create"]
        assert window.limit == 7 and window.used == 4             # the refusal's headers were fed too
        await finish(200, b'{"retCode":0,"retMsg":"OK","result":{"orderId":"1","orderLinkId":"a"},'
                          b'"retExtInfo":{},"time":1}', [(b"x-bapi-limit", b"9"), (b"x-bapi-limit-status", b"2")])
        window = path.limiter.endpoints["/v5/order/create"]
        assert window.limit == 9 and window.used == 7
        await path.close()

    run(main())
