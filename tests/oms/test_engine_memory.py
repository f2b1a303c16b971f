"""1,000,000 orders through the engine (and its store) leave memory flat after warm-up.

The venue here is in-process (no sockets: this measures the engine, not the kernel): it
answers every market order with a Binance FULL response carrying its single fill, so each
order is created, sent, applied, filled, evented and, after its retention, its slot reused.
"""

import gc
import sys
import time

import pytest
import uvloop

from engine.config import VenueConfig
from engine.oms.engine import Engine
from engine.oms.risk import RiskLimits
from tests.support.in_process_venue import InProcessVenue

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


async def drive(n_warm: int, n: int):
    cfg = VenueConfig.local("binance-spot", "http://127.0.0.1:9", "k", "s")
    eng = Engine(cfg, adapter=InProcessVenue(), capacity=4096, retention_s=0.0,
                 risk_limits=RiskLimits(check_balance=False))
    await eng.start()
    counted = [0]
    eng.on(lambda ev: counted.__setitem__(0, counted[0] + 1))

    async def batch(k):
        for _ in range(k):
            await eng.place_market("BTCUSDT", "BUY", "0.01")
        eng.store.reclaim(time.time_ns())

    for _ in range(n_warm // 1000):
        await batch(1000)
    gc.collect()
    base_blocks = sys.getallocatedblocks()
    samples = []
    for i in range(n // 1000):
        await batch(1000)
        if i % 100 == 99:
            gc.collect()
            samples.append(sys.getallocatedblocks() - base_blocks)
    await eng.stop()
    return eng, counted[0], samples


def test_a_million_orders_leave_memory_flat():
    eng, events, samples = uvloop.run(drive(50_000, 1_000_000))
    assert eng.metrics.placed == 1_050_000 and eng.metrics.acknowledged == 1_050_000
    assert events >= 1_050_000  # every order evented (accepted/filled)
    assert eng.tracker.open_count() == 0 and eng.store.live <= 4096
    # live Python blocks sampled every 100,000 orders: flat, not growing with the order count
    assert len(samples) == 10
    assert max(samples) < 2_000, samples                 # nothing kept per order (that would be >= 100,000)
    assert samples[-1] - samples[0] < 500, samples       # and no drift across the run
