"""Every label of the sheet (gateio-spot.md §5), as the venue's answer to an order create, through the
engine: the typed exception of engine.venues.gateio.errors.LABELS, and nothing lost.  A label the venue
documents as "not executed" rejects the order; every other (the server group, a label that may mean the
order exists) leaves it UNKNOWN, resolved by its text to "never placed", and it is never sent again."""

import asyncio

import pytest

from engine._enums import OrderState
from engine.sim.gateio.errors import STATUS
from engine.transport.ratelimit import Window
from engine.venues.gateio.errors import LABELS
from tests.support.engine_fixtures import KEY, run, until
from tests.venues.gateio.test_gateio_engine import FAST, gate

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("entry", ["rest", "ws"])
def test_every_label_is_typed_and_nothing_is_lost(entry):
    labels = sorted(LABELS) if entry == "rest" else ["BALANCE_NOT_ENOUGH", "INVALID_CURRENCY_PAIR", "SERVER_ERROR",
                                                     "TOO_MANY_REQUESTS", "REPEATED_CREATION", "ORDER_NOT_FOUND"]

    async def main():
        async with gate(entry, **FAST) as (sim, eng):
            state = sim.state["gateio"]
            # the pair's 10 places a second, lifted on both sides for this many orders
            state.limiter.place_per_s = 1000
            eng.adapter.limiter.endpoints["spot-place:BTC_USDT"] = Window("spot-place:BTC_USDT", 1000, 1.0,
                                                                          aligned=False)
            placed = []
            for label in labels:
                state.refusals.append((label, STATUS.get(label, 400)))
                eng.adapter.limiter.paused_until = 0.0      # a 429 paused the limiter: no waiting here
                try:
                    o = await eng.place_limit("BTC_USDT", "BUY", "0.01", "48000")
                except LABELS[label] as exc:
                    assert type(exc) is LABELS[label] and exc.code == label, (label, exc)
                    assert exc.not_executed, f"{label}: raised, so it must be a documented refusal"
                    continue
                except Exception as exc:                # pragma: no cover - the failure names the label
                    raise AssertionError(f"{label}: {type(exc).__name__} {exc}") from exc
                assert not LABELS[label].not_executed, f"{label}: a documented refusal must reject"
                assert o.state == OrderState.UNKNOWN, (label, o.state)
                placed.append((label, o))
            for label, o in placed:
                await until(lambda o=o: eng.get_order(o.client_order_id).state != OrderState.UNKNOWN, 20, label)
                assert eng.get_order(o.client_order_id).state == OrderState.NOT_PLACED, label
            await asyncio.sleep(0.1)
            assert not state.refusals and eng.resolver.resent == 0
            assert not [o for o in sim.core.orders.values() if o.account.key == KEY]     # nothing was placed

    run(main())
