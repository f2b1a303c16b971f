"""Engine order types, cancel, cancel-all, amend and brackets on each venue personality (against engine.sim)."""

from decimal import Decimal

import pytest

from engine._enums import OrderState, OrderType, Side
from engine.oms.events import EventKind
from engine.oms.risk import RiskRejected
from engine.venues.errors import OrderNotOpen, OrderRejected, PostOnlyWouldTake
from tests.support.engine_fixtures import VENUES, engine_on_sim, run, until

BELOW = "48000"   # a resting buy inside the venues' percent-price bands (fair price 50000)


@pytest.mark.parametrize("venue", VENUES)
def test_limit_market_cancel(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            events = []
            eng.on(events.append)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            assert o.state == OrderState.NEW and o.exchange_order_id is not None and o.is_open
            assert eng.get_order(o.client_order_id).state == OrderState.NEW
            assert [x.client_order_id for x in eng.open_orders("BTCUSDT")] == [o.client_order_id]
            m = await eng.place_market("BTCUSDT", Side.BUY, "0.01")
            if m.state != OrderState.FILLED:  # fills may come on the stream just after the answer
                await until(lambda: eng.get_order(m.client_order_id).state == OrderState.FILLED)
                m = eng.get_order(m.client_order_id)
            assert m.filled == Decimal("0.01") and m.average_price > 0
            c = await eng.cancel(o)
            assert c.state == OrderState.CANCELLED
            with pytest.raises(OrderNotOpen):
                await eng.cancel(o)
            kinds = [e.kind for e in events]
            assert EventKind.ACCEPTED in kinds and EventKind.FILLED in kinds and EventKind.CANCELLED in kinds
            if eng.futures:
                assert eng.positions()["BTCUSDT"].size == Decimal("0.01")
            assert eng.stats()["open_orders"] == 0 and eng.stats()["bad_messages"] == 0

    run(main())


@pytest.mark.parametrize("venue", VENUES)
def test_ioc_fok_and_post_only(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            ioc = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW, tif="IOC")
            await until(lambda: not eng.get_order(ioc.client_order_id).is_open)
            assert eng.get_order(ioc.client_order_id).state in (OrderState.EXPIRED, OrderState.CANCELLED)
            if venue == "binance-usdm":  # USD-M rejects an unfillable FOK outright (-5021)
                with pytest.raises(OrderRejected) as err:
                    await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW, tif="FOK")
                assert err.value.code == -5021
            else:
                fok = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW, tif="FOK")
                await until(lambda: not eng.get_order(fok.client_order_id).is_open)
                assert eng.get_order(fok.client_order_id).filled == 0
            if venue == "bybit":  # post-only that would take: accepted, then cancelled on the stream
                po = await eng.place_limit("BTCUSDT", "BUY", "0.01", "52000", post_only=True)
                await until(lambda: eng.get_order(po.client_order_id).state == OrderState.CANCELLED)
            else:
                with pytest.raises(PostOnlyWouldTake):
                    await eng.place_limit("BTCUSDT", "BUY", "0.01", "52000", post_only=True)
            maker = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW, post_only=True)
            assert maker.state == OrderState.NEW and maker.order_type == OrderType.LIMIT_MAKER

    run(main())


@pytest.mark.parametrize("venue", ["binance-spot", "bybit"])
def test_stop_and_take_profit_trigger_with_the_market(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            if venue == "binance-spot":
                await eng.place_market("BTCUSDT", "BUY", "0.02")
            else:
                await eng.place_market("BTCUSDT", "BUY", "0.02")
            stop = await eng.place_stop_loss("BTCUSDT", "SELL", "0.01", "49000")
            tp = await eng.place_take_profit("BTCUSDT", "SELL", "0.01", "51000", limit_price="51000")
            assert stop.is_open and tp.is_open
            sim.set_price("BTCUSDT", "48500")  # falls through the stop
            await until(lambda: eng.get_order(stop.client_order_id).state == OrderState.FILLED, 10)
            sim.set_price("BTCUSDT", "51500")  # rises through the take-profit trigger
            await until(lambda: eng.get_order(tp.client_order_id).filled > 0, 10)

    run(main())


def test_usdm_trailing_stop_and_amend():
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            a = await eng.amend(o, price="48100", qty="0.02")
            assert a.price == Decimal("48100") and a.quantity == Decimal("0.02")
            await eng.place_market("BTCUSDT", "BUY", "0.01")
            t = await eng.place_trailing_stop("BTCUSDT", "SELL", "0.01", "1", reduce_only=True)
            assert t.client_order_id and t.state != OrderState.REJECTED
            n = await eng.cancel_all("BTCUSDT")
            assert n >= 1 and eng.open_orders("BTCUSDT") == []

    run(main())


def test_bybit_amend():
    async def main():
        async with engine_on_sim("bybit") as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            a = await eng.amend(o, price="48100")
            assert a.price == Decimal("48100")
            await until(lambda: eng.get_order(o.client_order_id).price == Decimal("48100"))
            assert eng.stats()["store"]["illegal"] == 0 and eng.stats()["applier"]["refused"] == 0

    run(main())


@pytest.mark.parametrize("venue", VENUES)
def test_cancel_all_everywhere(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            for px in ("48000", "48100", "48200"):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", px)
            await eng.place_limit("ETHUSDT", "BUY", "0.1", "2900")
            assert await eng.cancel_all() == 4
            assert eng.open_orders() == []

    run(main())


@pytest.mark.parametrize("venue", ["binance-spot", "binance-usdm"])
def test_bracket_one_cancels_other(venue):
    async def main():
        async with engine_on_sim(venue) as (sim, eng):
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", stop_loss="49000", take_profit="51000")
            await until(lambda: b.stop is not None and b.take is not None, 5, "exits placed")
            sim.set_price("BTCUSDT", "51600")  # the take-profit limit sell fills
            await until(lambda: eng.get_order(b.take.client_order_id).state == OrderState.FILLED, 10, "tp filled")
            assert await b.wait(5)
            assert eng.get_order(b.stop.client_order_id).state == OrderState.CANCELLED

    run(main())


def test_bad_input_is_refused_before_sending():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            sent = eng.adapter.orders.orders_sent
            with pytest.raises(TypeError):
                await eng.place_limit("BTCUSDT", "BUY", 0.01, "48000")
            with pytest.raises(ValueError):
                await eng.place_limit("BTCUSDT", "BUY", "-1", "48000")
            with pytest.raises(ValueError):
                await eng.place_limit("BTCUSDT", "SIDEWAYS", "0.01", "48000")
            with pytest.raises(KeyError):
                await eng.place_limit("NOPEUSDT", "BUY", "0.01", "48000")
            with pytest.raises(RiskRejected) as err:
                await eng.place_limit("BTCUSDT", "BUY", "0.000001", "48000")  # below the lot size
            assert "BTCUSDT" in str(err.value)
            assert eng.adapter.orders.orders_sent == sent

    run(main())


def test_spot_amend_is_cancel_replace():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            new = await eng.amend(o, price="48100")
            assert new.client_order_id != o.client_order_id and new.price == Decimal("48100")
            assert new.state == OrderState.NEW
            assert eng.get_order(o.client_order_id).state == OrderState.CANCELLED
            assert [x.client_order_id for x in eng.open_orders()] == [new.client_order_id]
            assert [x.client_id for x in await eng.adapter.open_orders("BTCUSDT")] == [new.client_order_id]

    run(main())


@pytest.mark.parametrize("venue", ["binance-spot", "bybit"])
def test_websocket_entry_falls_back_to_rest_while_reconnecting(venue):
    async def main():
        async with engine_on_sim(venue, order_entry="ws") as (sim, eng):
            first = await eng.place_limit("BTCUSDT", "BUY", "0.01", BELOW)
            socket = eng.adapter.ws_api.ws if venue == "binance-spot" else eng.adapter.trade.ws
            socket.drop()
            second = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48100")  # while the socket is down
            assert first.is_open and second.is_open
            assert (await eng.cancel(second)).state == OrderState.CANCELLED
            await until(lambda: socket.connected, 10)
            assert (await eng.cancel(first)).state == OrderState.CANCELLED

    run(main())
