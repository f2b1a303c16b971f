"""Binance spot native bracket (OTOCO) whose answer never comes: one order list per intent.

The simulator drops the connection of ``POST /api/v3/orderList/otoco`` before processing it
(the venue never saw the list: the engine must send it again, with the same client ids) or
after processing it (the list exists: the engine must find it by its client id, never send a
second one).  Either way exactly one list is on the venue and its three legs are tracked.
"""

import pytest

from engine._enums import OrderState
from engine.oms.events import EventKind
from engine.oms.native_bracket import NativeBracket
from tests.support.engine_fixtures import KEY, engine_on_sim, run, until

pytestmark = pytest.mark.timeout(60)

ENTRY, STOP, TAKE = "49500", "48000", "51000"


def venue_lists(sim):
    acct = sim.account_for(KEY)
    return [lst for lst in sim.state["binance"].order_lists.values() if lst.account is acct]


@pytest.mark.parametrize("when", ["before_process_drop", "after_process_drop"])
def test_otoco_lost_answer_gives_one_list_with_three_tracked_legs(when):
    async def main():
        faults = [f"POST api/v3/orderList/otoco:{when}:nth=1"]
        async with engine_on_sim("binance-spot", faults=faults) as (sim, eng):
            events = []
            eng.on(events.append)
            b = await eng.place_bracket("BTCUSDT", "BUY", "0.01", entry_price=ENTRY, stop_loss=STOP,
                                        take_profit=TAKE)
            assert isinstance(b, NativeBracket)
            legs = [b.entry.client_order_id, b.take.client_order_id, b.stop.client_order_id]
            assert [e.order.client_order_id for e in events if e.kind == EventKind.UNKNOWN] == [legs[0]]
            # exits PENDING meanwhile: what they are on the venue either way (PENDING_NEW until the entry fills)
            assert b.stop.state == OrderState.PENDING and b.take.state == OrderState.PENDING
            # resolved by the list's client id: re-sent when the venue never saw it, found when it did
            await until(lambda: [e for e in events if e.kind == EventKind.RESOLVED], 10, "bracket resolved")
            resolved = [e for e in events if e.kind == EventKind.RESOLVED]
            assert len(resolved) == 1 and resolved[0].data["list_client_id"] == b.list_client_id
            assert resolved[0].data["how"] == ("resent" if when == "before_process_drop" else "adopted")
            assert b.entry.state == OrderState.NEW
            assert b.stop.state == OrderState.PENDING and b.take.state == OrderState.PENDING
            lists = venue_lists(sim)
            assert len(lists) == 1, [lst.client_id for lst in lists]
            assert lists[0].client_id == b.list_client_id
            assert sorted(o.client_id for o in lists[0].orders) == sorted(legs)
            assert sorted(o.client_order_id for o in eng.open_orders()) == sorted(legs)
            assert [b.entry.exchange_order_id, b.take.exchange_order_id, b.stop.exchange_order_id] == \
                   [o.oid for o in (lists[0].working, lists[0].above, lists[0].below)]
            # and it works as a bracket: the entry fills, the exits go live, the take-profit ends it
            sim.set_price("BTCUSDT", "49400")
            await until(lambda: b.stop.state == OrderState.NEW and b.take.state == OrderState.NEW, 10, "exits live")
            sim.set_price("BTCUSDT", "51600")
            assert await b.wait(10)
            assert b.take.state == OrderState.FILLED and b.stop.state == OrderState.EXPIRED
            assert len(venue_lists(sim)) == 1 and eng.open_orders() == []
            for asset in ("BTC", "USDT"):
                await until(lambda: eng.balances().get(asset) == sim.balance(KEY, asset, "binance-spot"), 10,
                            f"{asset} agrees")
            assert eng.stats()["applier"]["refused"] == 0 and eng.unresolved == 0

    run(main())
