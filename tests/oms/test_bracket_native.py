"""Brackets placed natively (Binance spot OTOCO, Bybit linear TP/SL on create) and engine-managed
(Binance USD-M, Bybit spot, market entries on Binance spot), against engine.sim over loopback."""

from decimal import Decimal

import pytest

from engine._enums import OrderState
from engine.oms.bracket import Bracket
from engine.oms.native_bracket import NativeBracket, NativeBracketUnsupported
from engine.oms.risk import RiskRejected
from tests.support.engine_fixtures import KEY, engine_on_sim, run, until

pytestmark = pytest.mark.timeout(90)

ENTRY, STOP, TAKE = "49500", "48000", "51000"      # fair price 50000: the entry rests below it
OPEN = (OrderState.PENDING, OrderState.NEW, OrderState.PARTIALLY_FILLED)


def bybit_spot():
    return {"config": {"options": {"category": "spot"}}}


async def venue_open(eng, symbol="BTCUSDT"):
    return sorted((o.client_id or str(o.exchange_id)) for o in await eng.adapter.open_orders(symbol))


def engine_open(eng, symbol="BTCUSDT"):
    return sorted(o.client_order_id for o in eng.open_orders(symbol))


async def fill_entry(sim, b):
    sim.set_price("BTCUSDT", "49400")                   # the market's asks come down through the buy
    await until(lambda: b.entry.state == OrderState.FILLED, 10, "entry filled")
    await until(lambda: b.stop is not None and b.take is not None
                and b.stop.state == OrderState.NEW and b.take.state == OrderState.NEW, 10, "exits live")


async def books_agree(sim, eng):
    """Positions (futures) or balances (spot) equal the simulator's books."""
    acct = sim.account_for(KEY)
    if eng.futures:
        wallet = "bybit" if eng.venue == "bybit" else "binance-usdm"
        venue_size = acct.position(wallet, "BTCUSDT").amount
        def size():
            pos = eng.positions().get("BTCUSDT")
            return pos.size if pos is not None else 0
        await until(lambda: size() == venue_size, 10, "position agrees")
        return
    for asset in ("BTC", "USDT"):
        wallet = "bybit" if eng.venue == "bybit" else "binance-spot"
        await until(lambda: eng.balances().get(asset) == sim.balance(KEY, asset, wallet), 10, f"{asset} agrees")


# -- Binance spot: OTOCO ------------------------------------------------------------------------------
def test_binance_otoco_take_profit_expires_the_stop():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            sent = eng.adapter.orders.orders_sent
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            assert isinstance(b, NativeBracket) and b.list_client_id
            assert eng.adapter.orders.orders_sent == sent      # one list request on the general path
            # all three legs are ours from the start; the exits wait (PENDING_NEW) for the entry
            assert b.entry.state == OrderState.NEW
            assert b.stop.state == OrderState.PENDING and b.take.state == OrderState.PENDING
            assert await venue_open(eng) == engine_open(eng)
            await fill_entry(sim, b)
            assert b.take.order_type.name == "LIMIT_MAKER" and b.stop.order_type.name == "STOP_LOSS"
            sim.set_price("BTCUSDT", "51600")
            assert await b.wait(10)
            assert b.take.state == OrderState.FILLED and b.stop.state == OrderState.EXPIRED
            assert await venue_open(eng) == [] and engine_open(eng) == []
            await books_agree(sim, eng)
            assert eng.stats()["bad_messages"] == 0 and eng.stats()["applier"]["refused"] == 0

    run(main())


def test_binance_otoco_stop_expires_the_take_profit():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            await fill_entry(sim, b)
            sim.set_price("BTCUSDT", "47500")              # through the stop: it triggers and sells at market
            assert await b.wait(10)
            assert b.stop.state == OrderState.FILLED and b.take.state == OrderState.EXPIRED
            assert await venue_open(eng) == [] and engine_open(eng) == []
            await books_agree(sim, eng)

    run(main())


def test_binance_otoco_cancelled_entry_leaves_nothing_open():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            await b.cancel()
            assert await b.wait(5)
            assert b.entry.state == OrderState.CANCELLED
            assert b.stop.state not in OPEN and b.take.state not in OPEN
            assert await venue_open(eng) == [] and engine_open(eng) == []
            await books_agree(sim, eng)

    run(main())


def test_binance_otoco_reconnect_midway_keeps_exactly_the_venue_legs():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            reconciled = []
            eng.on(lambda e: reconciled.append(e) if e.kind.name == "RECONCILED" else None)
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            eng.adapter.ws_api.ws.drop()                   # the user stream goes away ...
            sim.set_price("BTCUSDT", "49400")              # ... while the entry fills and the exits go live
            await until(lambda: any(e.data["reason"] == "reconnect" for e in reconciled), 15, "reconciled")
            await until(lambda: b.stop.state == OrderState.NEW and b.take.state == OrderState.NEW, 10, "exits live")
            assert b.entry.state == OrderState.FILLED
            venue = await venue_open(eng)
            assert venue == engine_open(eng) == sorted([b.stop.client_order_id, b.take.client_order_id])
            sim.set_price("BTCUSDT", "51600")
            assert await b.wait(10)
            assert await venue_open(eng) == [] and engine_open(eng) == []
            await books_agree(sim, eng)

    run(main())


def test_binance_spot_market_entry_is_engine_managed_and_native_true_refuses():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            sent = eng.adapter.orders.orders_sent
            with pytest.raises(NativeBracketUnsupported):
                await eng.place_bracket("BTCUSDT", "BUY", "0.01", stop_loss=STOP, take_profit=TAKE, native=True)
            assert eng.adapter.orders.orders_sent == sent and eng.open_orders() == []
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", stop_loss=STOP, take_profit=TAKE)
            assert isinstance(b, Bracket) and not b.native
            await until(lambda: b.stop is not None and b.take is not None, 5, "managed exits placed")
            await b.cancel()
            await until(lambda: eng.open_orders() == [], 5)

    run(main())


def test_bad_bracket_input_is_refused_before_sending():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            with pytest.raises(ValueError):                # stop above the entry for a buy
                await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss="50000",
                                        take_profit=TAKE)
            with pytest.raises(TypeError):
                await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=48000.0,
                                        take_profit=TAKE)
            with pytest.raises(RiskRejected) as err:       # an exit off the tick: checked before anything is sent
                await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP,
                                        take_profit="51000.001")
            assert err.value.rule.startswith("filter_")
            assert eng.open_orders() == [] and await venue_open(eng) == []
            assert eng.store.live == 0

    run(main())


# -- Bybit linear: TP/SL attached on create --------------------------------------------------------------
def test_bybit_linear_take_profit_cancels_the_stop():
    async def main():
        async with engine_on_sim("bybit") as (sim, eng):
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            assert isinstance(b, NativeBracket) and b.stop is None and b.take is None
            await fill_entry(sim, b)
            # the venue created the exits for the filled quantity; the engine adopted them
            assert b.take.quantity == b.stop.quantity == Decimal("0.01")
            # adopted with their trigger prices and as reduce-only (the store's adopt takes neither)
            assert b.stop.stop_price == Decimal(STOP) and b.take.stop_price == Decimal(TAKE)
            assert b.take.price == Decimal(TAKE) and b.stop.price is None
            assert b.stop.reduce_only and b.take.reduce_only
            assert await venue_open(eng) == engine_open(eng)
            await books_agree(sim, eng)
            sim.set_price("BTCUSDT", "51600")
            assert await b.wait(10)
            assert b.take.state == OrderState.FILLED and b.stop.state == OrderState.CANCELLED
            assert await venue_open(eng) == [] and engine_open(eng) == []
            await books_agree(sim, eng)
            assert eng.positions()["BTCUSDT"].size == 0
            assert eng.stats()["bad_messages"] == 0 and eng.stats()["applier"]["refused"] == 0

    run(main())


def test_bybit_linear_stop_cancels_the_take_profit():
    async def main():
        async with engine_on_sim("bybit") as (sim, eng):
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            await fill_entry(sim, b)
            sim.set_price("BTCUSDT", "47500")
            assert await b.wait(10)
            assert b.stop.state == OrderState.FILLED and b.take.state == OrderState.CANCELLED
            assert await venue_open(eng) == [] and engine_open(eng) == []
            await books_agree(sim, eng)

    run(main())


def test_bybit_linear_cancelled_entry_leaves_nothing_open():
    async def main():
        async with engine_on_sim("bybit") as (sim, eng):
            b = await eng.place_bracket("BTCUSDT", "SELL", "0.01", entry_price="50500", stop_loss="52000",
                                        take_profit="49000")
            await b.cancel()
            assert await b.wait(5)
            assert b.entry.state == OrderState.CANCELLED and b.stop is None and b.take is None
            assert await venue_open(eng) == [] and engine_open(eng) == []

    run(main())


def test_bybit_linear_reconnect_midway_adopts_exactly_the_venue_exits():
    async def main():
        async with engine_on_sim("bybit") as (sim, eng):
            reconciled = []
            eng.on(lambda e: reconciled.append(e) if e.kind.name == "RECONCILED" else None)
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            eng.adapter.stream.ws.drop()
            sim.set_price("BTCUSDT", "49400")
            await until(lambda: any(e.data["reason"] == "reconnect" for e in reconciled), 15, "reconciled")
            await until(lambda: b.stop is not None and b.take is not None, 10, "exits adopted")
            assert b.entry.state == OrderState.FILLED
            assert b.stop is not None and b.take is not None and len(b.legs) == 3
            assert b.stop.stop_price == Decimal(STOP) and b.stop.reduce_only    # adopted by reconciliation
            assert await venue_open(eng) == engine_open(eng) == sorted([b.stop.client_order_id,
                                                                        b.take.client_order_id])
            await books_agree(sim, eng)
            sim.set_price("BTCUSDT", "47500")
            assert await b.wait(10)
            assert await venue_open(eng) == [] and engine_open(eng) == []
            await books_agree(sim, eng)

    run(main())


# -- engine-managed: Binance USD-M, Bybit spot ---------------------------------------------------------
def test_binance_usdm_bracket_is_engine_managed():
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            with pytest.raises(NativeBracketUnsupported):
                await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP,
                                        take_profit=TAKE, native=True)
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            assert isinstance(b, Bracket)
            sim.set_price("BTCUSDT", "49400")
            await until(lambda: b.stop is not None and b.take is not None, 10, "exits placed")
            await books_agree(sim, eng)
            sim.set_price("BTCUSDT", "51600")             # the take-profit limit sell fills
            await until(lambda: eng.get_order(b.take.client_order_id).state == OrderState.FILLED, 10, "tp filled")
            assert await b.wait(10)
            assert eng.get_order(b.stop.client_order_id).state == OrderState.CANCELLED
            await until(lambda: eng.open_orders() == [], 5)
            await books_agree(sim, eng)

    run(main())


def test_binance_usdm_engine_managed_stop_cancels_the_take_profit():
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            sim.set_price("BTCUSDT", "49400")
            await until(lambda: b.stop is not None and b.take is not None, 10, "exits placed")
            sim.set_price("BTCUSDT", "47500")
            await until(lambda: eng.get_order(b.stop.client_order_id).state == OrderState.FILLED, 10, "stop filled")
            assert await b.wait(10)
            assert eng.get_order(b.take.client_order_id).state == OrderState.CANCELLED
            await until(lambda: eng.open_orders() == [], 5)
            # the order the algo stop created is adopted from the stream: its fill is in the position
            # without a reconciliation, and the stop's own view shows it filled
            assert eng.reconciler.runs == 1 and eng.stats()["foreign"]["linked"] == 1
            assert b.stop.filled == Decimal("0.01") and b.stop.average_price is not None
            await books_agree(sim, eng)

    run(main())


def test_bybit_spot_bracket_is_engine_managed():
    async def main():
        async with engine_on_sim("bybit", **bybit_spot()) as (sim, eng):
            assert eng.adapter.category == "spot"
            with pytest.raises(NativeBracketUnsupported):
                await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP,
                                        take_profit=TAKE, native=True)
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP, take_profit=TAKE)
            assert isinstance(b, Bracket)
            await b.cancel()
            await until(lambda: eng.open_orders() == [], 5)
            assert await venue_open(eng) == []

    run(main())


def test_a_lost_bybit_bracket_entry_is_resolved_never_re_sent_without_its_exits():
    """The entry with attached TP/SL loses its answer and the venue never had it: the generic resolver used to
    re-send the entry as a plain order, without its exits (a naked position once it filled).  Now it is
    resolved by its client id and, absent, ends NOT_PLACED."""
    async def main():
        faults = ["v5/order/create:drop:process=never,nth=1"]
        async with engine_on_sim("bybit", faults=faults, config={"recv_window_ms": 1000}) as (sim, eng):
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP,
                                        take_profit=TAKE)
            assert isinstance(b, NativeBracket)
            await until(lambda: b.entry.state == OrderState.NOT_PLACED, 15, "entry concluded")
            assert sim.client_order_count(KEY, "bybit", b.entry.client_order_id) == 0
            assert eng.resolver.resent == 0

    run(main())
