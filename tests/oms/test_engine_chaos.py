"""Chaos: a bot trades while the simulator lies (processes and then errs, answers first and processes
later, answers garbage or 1xx, drops connections, fails cancels, duplicates, reorders, delays and
loses stream events), and the kill switch is pulled at a random point with orders in flight.  Then:
at most one venue order per intent, no fill missing, orders, positions and balances equal to the
simulator's, and nothing open at the venue.  Every personality, both order-entry paths where the
venue has WebSocket order entry.  Bounded in count and time; bench/chaos_long.py runs 100,000 orders."""

import pytest
import uvloop

from tests.support.chaos_bot import run_chaos

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize("venue, entry", [("binance-spot", "rest"), ("binance-spot", "ws"), ("binance-usdm", "rest"),
                                          ("bybit", "rest"), ("bybit", "ws")])
def test_chaos_exactly_once_and_flat(venue, entry):
    orders = 2000
    result = uvloop.run(run_chaos(venue, orders, entry=entry, seed=11))
    assert result["placed"] >= orders
    assert result["problems"] == [], result["problems"][:10]
    assert result["fills_missing"] == 0
    stats = result["stats"]
    assert stats["applier"]["refused"] == 0 and stats["store"]["illegal"] == 0
    assert stats["unexpected"] == 0            # the venue never executed anything twice
    # the faults really happened and were survived
    fired = result["faults_fired"]
    for kind in ("unknown:first", "unknown:later", "http503:never", "garbage:first", "drop:first", "drop:never",
                 "stream_lose", "stream_delay", "stream_reorder", "stream_duplicate"):
        assert fired.get(kind, 0) > 0, (kind, fired)
    if entry == "rest":
        assert fired.get("interim:first", 0) > 0, fired
    res = result["resolution"]
    assert res["adopted"] + res["stream"] + res["not_placed"] + res["resent"] > 0
    assert stats["store"]["duplicates"] > 0
