"""Micro benchmark of what a busy-polling engine adds to each turn of its spin: the warm-up of the last order's
place path (``OrderEntry.warm``: the dry admission, the store's next slot and the rate budget read, the request
encoded and signed, the connection looked at; nothing written), beside the one step of it a real order also
takes alone, the Engine writer's encode + sign (``BinanceOrderEncoder.spec_request``).

Run: python -m pytest bench/test_bench_busy_poll.py --benchmark-enable --benchmark-max-time=0.3

An Engine on Binance spot against the simulator (in this process, on loopback), its spin stopped so that the
benchmark calls the warm-up alone, with the caches warm: the time a turn of the spin gets longer by.
"""

import pytest

from tests.support.engine_fixtures import engine_on_sim, run

SYMBOL, QTY, PRICE = "BTCUSDT", "0.01", "48000"


def _with_an_order(entry, measure):
    """``measure(eng, spec)`` on a busy-polling engine (its spin stopped) holding one resting order."""
    async def main():
        async with engine_on_sim("binance-spot", order_entry=entry, busy_poll=True) as (sim, eng):
            eng.busy_poll.stop()
            order = await eng.place_limit(SYMBOL, "BUY", QTY, PRICE)
            written = (eng.adapter.orders.lean.sent, eng._entry.places, eng.store.live)
            measure(eng, eng.tracker.spec(eng.slot_of(order)))
            assert (eng.adapter.orders.lean.sent, eng._entry.places, eng.store.live) == written
            await eng.cancel(order)
    run(main())


@pytest.mark.benchmark(group="warm-up")
@pytest.mark.parametrize("entry", ["rest", "ws"])
def test_warm_up_of_the_last_orders_place_path(steady, entry):
    _with_an_order(entry, lambda eng, spec: steady(eng._entry.warm) or pytest.fail("the warm-up did not run"))


@pytest.mark.benchmark(group="warm-up")
def test_encode_and_sign_alone_the_step_it_includes(steady):
    def measure(eng, spec):
        orders = eng.adapter.orders
        cid, ts = spec.client_id.encode(), orders.lean.clock.now_ms()
        assert steady(orders.encoder.spec_request, spec, cid, ts, orders.recv_window).startswith(b"POST ")
    _with_an_order("rest", measure)
