"""Fills of orders the engine did not place reach positions and balances at once (no reconciliation).

Against engine.sim over loopback: USD-M conditional (algo) orders whose triggered child order
is the venue's, orders placed for the account straight into the simulator's core (as the web
UI, a liquidation or an ADL close would), replays of the same payloads, and the child's
records arriving before or after the ALGO_UPDATE that names it.
"""

import asyncio
import json
from decimal import Decimal

import aiohttp
import pytest

from engine._enums import OrderState
from engine.oms.events import EventKind
from tests.support.engine_fixtures import KEY, SECRET, engine_on_sim, run, until
from tests.support.sim_fixtures import Binance

pytestmark = pytest.mark.timeout(60)


def record(eng):
    events = []
    eng.on(events.append)
    return events


def kinds(events, kind, **data):
    return [e for e in events if e.kind == kind and all(e.data.get(k) == v for k, v in data.items())]


def venue_position(sim, eng, symbol="BTCUSDT"):
    wallet = "bybit" if eng.venue == "bybit" else "binance-usdm"
    return sim.account_for(KEY).position(wallet, symbol).amount


def engine_position(eng, symbol="BTCUSDT"):
    pos = eng.positions().get(symbol)
    return pos.size if pos is not None else Decimal(0)


def venue_wallet(sim, eng):
    wallet = "bybit" if eng.venue == "bybit" else "binance-usdm"
    return sim.account_for(KEY).wallets[wallet]["USDT"].total


def snapshot_on_fill(eng, client_id_of):
    """Position and USDT wallet as the engine holds them inside the FILLED event of an order."""
    seen = {}

    def on(ev):
        order = ev.order
        if ev.kind == EventKind.FILLED and order is not None and order.client_order_id.split("#")[0] == client_id_of():
            seen.setdefault("position", engine_position(eng))
            seen.setdefault("wallet", eng.balances().get("USDT", (None, None))[1])
    eng.on(on)
    return seen


def stream_tap(eng):
    """Wrap the USD-M user stream's callback: every payload the engine got is kept (for replays)."""
    stream = eng.adapter.user_stream
    inner = stream.on_event
    seen = []

    def tap(payload):
        seen.append(bytes(payload))
        inner(payload)
    stream.on_event = tap
    return seen


async def long_position(sim, eng, qty="0.01"):
    o = await eng.place_market("BTCUSDT", "BUY", qty)
    assert o.state == OrderState.FILLED
    await until(lambda: engine_position(eng) == venue_position(sim, eng) == Decimal(qty), 5, "long opened")


# -- USD-M conditional orders: the venue's child order ----------------------------------------------
@pytest.mark.parametrize("exit_kind", ["stop_loss", "take_profit"])
def test_usdm_triggered_conditional_fill_reaches_position_without_reconciliation(exit_kind):
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            await long_position(sim, eng)
            events = record(eng)
            if exit_kind == "stop_loss":
                stop = await eng.place_stop_loss("BTCUSDT", "SELL", "0.01", "48000", reduce_only=True)
                move_to = "47500"
            else:
                stop = await eng.place_take_profit("BTCUSDT", "SELL", "0.01", "51000", reduce_only=True)
                move_to = "51600"
            assert stop.state == OrderState.NEW
            at_fill = snapshot_on_fill(eng, lambda: stop.client_order_id)
            sim.set_price("BTCUSDT", move_to)
            await until(lambda: "position" in at_fill, 10, "the stop's fill event")
            # inside the event the engine's books already equal the venue's
            assert at_fill["position"] == venue_position(sim, eng) == 0
            assert at_fill["wallet"] == venue_wallet(sim, eng)
            assert eng.reconciler.runs == 1                  # the start-up one only
            view = eng.get_order(stop.client_order_id)
            assert view.state == OrderState.FILLED and view.filled == Decimal("0.01")
            assert view.average_price is not None and view.stop_price is not None
            adopted = kinds(events, EventKind.ADOPTED, origin="child", parent=stop.client_order_id)
            assert len(adopted) == 1
            child = adopted[0].order.client_order_id
            assert eng.get_order(child).state == OrderState.FILLED
            assert eng.get_order(child).reduce_only
            assert [e.data["child"].client_order_id for e in kinds(events, EventKind.LINKED)] == [child]
            assert kinds(events, EventKind.POSITION_CHANGED)
            # one fill, counted once: the ALGO_UPDATE FINISHED did not add it again
            assert len([e for e in kinds(events, EventKind.FILLED) if e.order.client_order_id == child]) == 1
            assert len([e for e in kinds(events, EventKind.FILLED)
                        if e.order.client_order_id == stop.client_order_id]) == 1
            assert eng.open_orders() == []
            await asyncio.sleep(0.2)
            assert engine_position(eng) == venue_position(sim, eng) == 0
            assert eng.stats()["bad_messages"] == 0 and eng.stats()["applier"]["refused"] == 0

    run(main())


@pytest.mark.parametrize("hold", ["algo_updates", "child_records"])
def test_usdm_child_before_or_after_the_algo_update(hold):
    """``algo_updates``: the child's records come before the ALGO_UPDATEs naming it;
    ``child_records``: the ALGO_UPDATEs (TRIGGERED and FINISHED with its executed quantity) first."""
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            await long_position(sim, eng)
            events = record(eng)
            stop = await eng.place_stop_loss("BTCUSDT", "SELL", "0.01", "48000", reduce_only=True)
            stream = eng.adapter.user_stream
            inner = stream.on_event
            held, released = [], asyncio.Event()

            def ours(payload):
                return stop.client_order_id.encode() in payload

            def reorder(payload):
                doc = json.loads(payload)
                if hold == "algo_updates":
                    if doc.get("e") == "ALGO_UPDATE" and not released.is_set():
                        held.append(payload)
                        return
                    inner(payload)
                    if doc.get("e") == "ORDER_TRADE_UPDATE" and doc["o"]["X"] == "FILLED" and not ours(payload):
                        released.set()
                        for p in held:
                            inner(p)
                    return
                if doc.get("e") == "ORDER_TRADE_UPDATE" and not ours(payload) and not released.is_set():
                    held.append(payload)
                    return
                inner(payload)
                if doc.get("e") == "ALGO_UPDATE" and doc["o"]["X"] == "FINISHED":
                    released.set()
                    for p in held:
                        inner(p)
            stream.on_event = reorder
            sim.set_price("BTCUSDT", "47500")
            await until(released.is_set, 10, "held messages released")
            await until(lambda: eng.get_order(stop.client_order_id).state == OrderState.FILLED, 5, "stop filled")
            assert held, "nothing was reordered"
            await until(lambda: engine_position(eng) == venue_position(sim, eng) == 0, 5, "position agrees")
            linked = kinds(events, EventKind.LINKED)
            assert len(linked) == 1 and linked[0].order.client_order_id == stop.client_order_id
            child = linked[0].data["child"].client_order_id
            adopted = kinds(events, EventKind.ADOPTED)
            assert [e.order.client_order_id for e in adopted] == [child]
            # a child seen first is adopted as external, then linked; seen after, it is "child" at once
            assert adopted[0].data["origin"] == ("external" if hold == "algo_updates" else "child")
            view = eng.get_order(stop.client_order_id)
            assert view.filled == Decimal("0.01")
            assert eng.get_order(child).filled == Decimal("0.01")
            assert eng.open_orders() == []
            assert eng.reconciler.runs == 1
            await asyncio.sleep(0.2)
            assert engine_position(eng) == venue_position(sim, eng) == 0
            assert venue_wallet(sim, eng) == eng.balances()["USDT"][1]

    run(main())


def test_usdm_replayed_payloads_count_once():
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            seen = stream_tap(eng)
            await long_position(sim, eng)
            stop = await eng.place_stop_loss("BTCUSDT", "SELL", "0.01", "48000", reduce_only=True)
            sim.place_for(KEY, "binance-usdm", "BTCUSDT", "BUY", "0.02", client_id="autoclose-777")
            await until(lambda: engine_position(eng) == venue_position(sim, eng) == Decimal("0.03"), 5, "liq fill")
            sim.set_price("BTCUSDT", "47500")
            await until(lambda: eng.get_order(stop.client_order_id).state == OrderState.FILLED, 10, "stop filled")
            await until(lambda: engine_position(eng) == venue_position(sim, eng) == Decimal("0.02"), 5, "stop fill")
            adopted = eng.stats()["foreign"]["adopted"]
            before = {o: (eng.get_order(o).filled, eng.get_order(o).state)
                      for o in (stop.client_order_id, "autoclose-777")}
            pos = eng.positions()["BTCUSDT"]
            assert any(b'"ALGO_UPDATE"' in p for p in seen) and any(b"autoclose-777" in p for p in seen)
            for payload in seen + seen:                        # every message twice more
                eng.stream.on_message(payload)
            assert eng.positions()["BTCUSDT"] == pos
            assert eng.stats()["foreign"]["adopted"] == adopted == 2
            assert {o: (eng.get_order(o).filled, eng.get_order(o).state) for o in before} == before
            assert eng.stats()["applier"]["refused"] == 0

    run(main())


# -- orders placed for the account outside the engine ---------------------------------------------------
@pytest.mark.parametrize("client_id,origin", [("autoclose-1700000000001", "liquidation"),
                                              ("adl_autoclose", "adl"), ("web_by_hand_1", "external")])
def test_usdm_venue_created_order_is_adopted_with_its_fill(client_id, origin):
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            events = record(eng)
            at_fill = snapshot_on_fill(eng, lambda: client_id)
            sim.place_for(KEY, "binance-usdm", "BTCUSDT", "SELL", "0.02", client_id=client_id)
            await until(lambda: "position" in at_fill, 5, "the foreign fill event")
            assert at_fill["position"] == venue_position(sim, eng) == Decimal("-0.02")
            assert at_fill["wallet"] == venue_wallet(sim, eng)
            adopted = kinds(events, EventKind.ADOPTED)
            assert len(adopted) == 1 and adopted[0].data["origin"] == origin
            view = eng.get_order(client_id)               # found by the venue's client id
            assert adopted[0].order.client_order_id == view.client_order_id == f"{client_id}#{view.exchange_order_id}"
            assert view.state == OrderState.FILLED and view.filled == Decimal("0.02")
            assert kinds(events, EventKind.POSITION_CHANGED)
            # the same venue client id again (ADL reuses one): a second order, told apart by its order id
            sim.place_for(KEY, "binance-usdm", "BTCUSDT", "BUY", "0.02", client_id=client_id)
            await until(lambda: len(kinds(events, EventKind.ADOPTED)) == 2, 5, "second adoption")
            second = kinds(events, EventKind.ADOPTED)[1].order
            assert second.exchange_order_id != view.exchange_order_id
            assert eng.get_order(client_id).client_order_id == second.client_order_id   # the latest
            await until(lambda: engine_position(eng) == venue_position(sim, eng) == 0, 5, "flat again")
            assert eng.reconciler.runs == 1

    run(main())


def test_usdm_order_placed_by_hand_through_the_api_is_adopted():
    async def main():
        async with engine_on_sim("binance-usdm") as (sim, eng):
            events = record(eng)
            async with aiohttp.ClientSession() as session:
                status, body, _ = await Binance(sim, session, KEY, SECRET).call(
                    "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                    quantity="0.01", price="49000", newClientOrderId="manual-limit-1")
            assert status == 200, body
            await until(lambda: kinds(events, EventKind.ADOPTED), 5, "adopted")
            view = eng.get_order("manual-limit-1")
            assert view.state == OrderState.NEW and view.price == Decimal("49000")
            assert [o.client_order_id for o in eng.open_orders()] == [view.client_order_id]
            sim.set_price("BTCUSDT", "48800")          # the market comes down through the resting buy
            await until(lambda: eng.get_order("manual-limit-1").state == OrderState.FILLED, 5, "filled")
            await until(lambda: engine_position(eng) == venue_position(sim, eng) == Decimal("0.01"), 5, "position")
            assert eng.open_orders() == [] and eng.reconciler.runs == 1
            # the engine can cancel what it adopted: a second one, cancelled through the engine
            async with aiohttp.ClientSession() as session:
                await Binance(sim, session, KEY, SECRET).call(
                    "POST", "/fapi/v1/order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                    quantity="0.01", price="45000", newClientOrderId="manual-limit-2")
            await until(lambda: len(kinds(events, EventKind.ADOPTED)) == 2, 5, "second adopted")
            done = await eng.cancel("manual-limit-2")
            assert done.state == OrderState.CANCELLED

    run(main())


def test_spot_order_placed_outside_the_engine_is_adopted_and_balances_agree():
    async def main():
        async with engine_on_sim("binance-spot") as (sim, eng):
            events = record(eng)
            sim.place_for(KEY, "binance-spot", "BTCUSDT", "BUY", "0.01", client_id="web_spot_1")
            await until(lambda: kinds(events, EventKind.FILLED), 5, "filled event")
            adopted = kinds(events, EventKind.ADOPTED, origin="external")
            assert len(adopted) == 1 and adopted[0].order.client_order_id.startswith("web_spot_1#")
            view = eng.get_order("web_spot_1")
            assert view.state == OrderState.FILLED and view.filled == Decimal("0.01") and view.fee > 0
            for asset in ("BTC", "USDT"):
                await until(lambda: eng.balances().get(asset) == sim.balance(KEY, asset, "binance-spot"), 5,
                            f"{asset} agrees")
            assert eng.open_orders() == [] and eng.reconciler.runs == 1

    run(main())


@pytest.mark.parametrize("category", ["linear", "spot"])
def test_bybit_order_placed_outside_the_engine_is_adopted(category):
    async def main():
        kw = {} if category == "linear" else {"config": {"options": {"category": "spot"}}}
        async with engine_on_sim("bybit", **kw) as (sim, eng):
            events = record(eng)
            oid = sim.place_for(KEY, "bybit" if category == "linear" else "bybit-spot", "BTCUSDT", "BUY", "0.01")
            await until(lambda: kinds(events, EventKind.ADOPTED), 5, "adopted")
            adopted = kinds(events, EventKind.ADOPTED)
            assert len(adopted) == 1 and adopted[0].data["origin"] == "external"
            cid = adopted[0].order.client_order_id          # no orderLinkId: its venue id stands in
            await until(lambda: eng.get_order(cid).state == OrderState.FILLED, 5, "filled")
            assert eng.get_order(cid).filled == Decimal("0.01")
            if category == "linear":
                await until(lambda: engine_position(eng) == venue_position(sim, eng) == Decimal("0.01"), 5,
                            "position agrees")
            else:
                for asset in ("BTC", "USDT"):
                    await until(lambda: eng.balances().get(asset) == sim.balance(KEY, asset, "bybit"), 5,
                                f"{asset} agrees")
            assert oid and eng.open_orders() == [] and eng.reconciler.runs == 1
            assert eng.stats()["applier"]["refused"] == 0

    run(main())
