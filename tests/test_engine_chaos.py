"""Chaos: a bot trades while the simulator drops connections (before and after processing), answers
5xx, drops streams, duplicates and reorders events and expires listen keys.  At the end there is exactly
one venue order per intent, no fill is missing, and orders, positions and balances agree with the
simulator's books.  Bounded in count and time; bench/chaos_long.py runs the long version."""

import pytest
import uvloop

from chaos_bot import run_chaos

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize("venue, orders", [("binance-usdm", 2000), ("binance-spot", 500), ("bybit", 400)])
def test_chaos_books_agree(venue, orders):
    result = uvloop.run(run_chaos(venue, orders, seed=11))
    assert result["intents"] >= orders * 0.9  # the rest were refused before sending (breaker/risk) and retried
    assert result["problems"] == [], result["problems"][:10]
    assert result["fills_missing"] == 0
    stats = result["stats"]
    assert stats["unresolved"] == 0 and stats["bad_messages"] == 0
    assert stats["applier"]["refused"] == 0 and stats["store"]["illegal"] == 0
    # the faults really happened and were survived
    assert result["resent"] + result["adopted"] > 0
    assert stats["store"]["duplicates"] > 0
