"""Chaos: a bot trades while the simulator lies (processes and then errs, answers first and processes
later, answers garbage or 1xx, drops connections, fails cancels, duplicates, reorders, delays and
loses stream events), and the kill switch is pulled at a random point with orders in flight.  Then:
at most one venue order per intent, no fill missing, orders, positions and balances equal to the
simulator's, and nothing open at the venue.  A share of the plain limit orders is placed with
``submit_limit``, each outcome awaited through the events, and every one that ended was told so by an
event of its end (a fill never goes untold).  Every venue, both order-entry paths where the venue has
WebSocket order entry (tests/support/chaos_venues.py declares each: its fault targets and the fault
kinds its simulator personality injects, asserted fired).  Bounded in count and time;
bench/chaos_long.py runs 100,000 orders.

Binance and Bybit run 2,000 orders, and 2,000 more three times with the engine's loop busy-polling (each turn
running the last order's place path short of the write, ``OrderEntry.warm``).  MEXC, Gate.io and TopstepX run
300 to 400 (the suite's time budget: an order whose answer was lost waits for the venue to show it, and is
never sent again on Gate.io), at the same fault rates, with every asserted answer kind (processed then an error,
answered first and processed later, a 5xx, garbage, dropped connections before and after
processing, an interim 1xx on REST) and a dropped stream also pinned to one fixed request each, so
that every asserted kind fires in a short run (ChaosVenue.pin_rare).
"""

import pytest
import uvloop

from tests.support.chaos_bot import run_chaos
from tests.support.chaos_venues import CHAOS_VENUES

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.mark.parametrize("venue, entry, orders, busy_poll", [
    ("binance-spot", "rest", 2000, False), ("binance-spot", "ws", 2000, False), ("binance-usdm", "rest", 2000, False),
    ("bybit", "rest", 2000, False), ("bybit", "ws", 2000, False),
    ("mexc", "rest", 400, False), ("gateio", "rest", 300, False), ("gateio", "ws", 400, False),
    ("topstepx", "rest", 400, False),
    ("binance-spot", "ws", 2000, True), ("bybit", "rest", 2000, True), ("bybit", "ws", 2000, True)])
def test_chaos_exactly_once_and_flat(venue, entry, orders, busy_poll):
    result = uvloop.run(run_chaos(venue, orders, entry=entry, seed=11, busy_poll=busy_poll))
    if busy_poll:      # the loop spinning, each turn warming the last order's path: nothing of it shows below
        assert result["warm"]["ran"] > orders and result["warm"]["failures"] == 0, result["warm"]
    assert result["placed"] >= orders
    assert result["problems"] == [], result["problems"][:10]
    assert result["fills_missing"] == 0
    assert result["submitted"] > 0              # a share placed by submit_limit, each outcome told by events
    stats = result["stats"]
    assert stats["applier"]["refused"] == 0 and stats["store"]["illegal"] == 0
    assert stats["unexpected"] == 0            # the venue never executed anything twice
    # the faults really happened and were survived: every kind this venue's personality injects there
    fired = result["faults_fired"]
    for kind in CHAOS_VENUES[venue].supports[entry]:
        assert fired.get(kind, 0) > 0, (kind, fired)
    if CHAOS_VENUES[venue].amend[entry == "ws"]:     # resting orders amended, some answers lost
        amends = result["amends"]
        assert amends["done"] > 0 and amends["faults_fired"] > 0, amends
    res = result["resolution"]
    assert res["adopted"] + res["stream"] + res["not_placed"] + res["resent"] > 0
    assert stats["store"]["duplicates"] > 0
