"""engine.sim's fault model, user-data streams: a lost event never arrives while the
connection stays up; a delayed event arrives after the next one.  On each stream: the
Binance spot WS API subscription, the USD-M listen-key stream and Bybit's private stream.
"""

import asyncio

import pytest

from tests.support.sim_entries import entry
from tests.support.sim_fixtures import run

pytestmark = pytest.mark.timeout(60)

# order entry -> its stream's fault target
STREAMS = {"spot": "stream.binance-spot", "usdm": "stream.binance-usdm", "bybit": "stream.bybit"}


@pytest.mark.parametrize("name", list(STREAMS))
def test_stream_lose_drops_one_event_and_keeps_the_connection(name):
    async def go():
        async with entry(name) as e:
            e.sim.add_faults(f"{STREAMS[name]}:stream_lose:nth=1")
            await e.place("lost-1")                 # its first event is the lost one
            await e.place("kept-1")
            await e.place("kept-2")
            await e.wait_event("kept-2")
            await asyncio.sleep(0.2)
            assert "lost-1" not in e.cids_seen()
            assert e.cids_seen() == ["kept-1", "kept-2"]
            assert e.count("lost-1") == 1 and await e.exists("lost-1")   # the order is there, only its event is gone
            assert [(r.name, r.action) for r in e.sim.faults.log] == [(STREAMS[name], "stream_lose")]
    run(go())


@pytest.mark.parametrize("name", list(STREAMS))
def test_stream_delay_sends_the_event_after_the_next(name):
    async def go():
        async with entry(name) as e:
            e.sim.add_faults(f"{STREAMS[name]}:stream_delay:ms=300,nth=1")
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            await e.place("slow-1")
            await e.place("fast-1")
            await e.wait_event("fast-1")
            assert "slow-1" not in e.cids_seen()           # the later event went out on time
            await e.wait_event("slow-1")
            assert loop.time() - t0 >= 0.3
            assert e.cids_seen() == ["fast-1", "slow-1"]
    run(go())


def test_stream_delay_dies_with_its_connection():
    """A delayed event still pending when the stream closes is never sent (and nothing raises)."""
    async def go():
        async with entry("usdm") as e:
            e.sim.add_faults("stream.binance-usdm:stream_delay:ms=2000,nth=1")
            await e.place("slow-2")
            conn = next(c for c in e.sim._conns if c.venue == "binance-usdm" and c.timers)
            conn.close_soon()
            assert not conn.timers
            await asyncio.sleep(0.1)
            assert "slow-2" not in e.cids_seen()
    run(go())
