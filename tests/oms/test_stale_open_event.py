"""An open event that arrives after its order ended (the stream reordered it) is stale, never an in-place
amendment of the ended order: the store counts nothing illegal and the order keeps what it ended with.

Gate.io's open event of a market BUY carries the price cap it was sent with, which the stored market
order does not hold; reordered behind the order's finish it was taken for an amendment of a FILLED
order (found by the chaos test, tests/oms/test_engine_chaos.py).
"""

import asyncio

import uvloop

from engine import OrderState
from engine.testing import simulated


def test_a_reordered_open_event_after_the_fill_is_stale_not_an_amendment():
    async def main():
        async with simulated("gateio") as s:
            eng = s.engine
            s.inject("stream.gateio:stream_reorder:every=1")     # each event held back behind the next one
            o = await eng.place_market("BTC_USDT", "BUY", "0.01")
            await s.until(lambda: eng.get_order(o.client_order_id).state == OrderState.FILLED, 10)
            await asyncio.sleep(0.5)                              # the held-back open event arrives
            done = eng.get_order(o.client_order_id)
            store = eng.stats()["store"]
            assert store["illegal"] == 0, store
            assert store["stale"] >= 1, store                     # it did arrive, and was set aside
            assert done.state == OrderState.FILLED and done.filled == done.quantity
    uvloop.run(asyncio.wait_for(main(), 30))
