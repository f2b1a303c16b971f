"""1,000,000 orders through the engine (and its store) leave memory flat after warm-up.

The venue here is in-process (no sockets: this measures the engine, not the kernel): it
answers every market order with a Binance FULL response carrying its single fill, so each
order is created, sent, applied, filled, evented and, after its retention, its slot reused.
"""

import asyncio
import gc
import json
import sys
import time

import pytest
import uvloop

from engine._parse_binance import BinanceParser
from engine.config import VenueConfig
from engine.oms.engine import Engine
from engine.oms.risk import RiskLimits

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


class InProcessVenue:
    """Just enough of a venue adapter for a spot account that fills every market order at once."""

    venue = "binance-spot"
    futures = False
    margin_asset = None
    capabilities = frozenset()

    def __init__(self):
        from engine.transport.ratelimit import RateLimiter
        self.parser = BinanceParser()
        self.answers = BinanceParser()
        self.clock = type("C", (), {"run": staticmethod(self._idle), "health": lambda s: {}, "now_ms": lambda s: 0,
                                    "rtt_ms": 0.0})()
        self.limiter = RateLimiter("binance-spot")
        self.trade_id = 0
        self.template = json.dumps({
            "symbol": "BTCUSDT", "orderId": 0, "orderListId": -1, "clientOrderId": "@CID@", "transactTime": 1,
            "price": "0.00000000", "origQty": "0.01000000", "executedQty": "0.01000000", "origQuoteOrderQty": "0",
            "cummulativeQuoteQty": "500.00000000", "status": "FILLED", "timeInForce": "GTC", "type": "MARKET",
            "side": "BUY", "workingTime": 1, "selfTradePreventionMode": "NONE",
            "fills": [{"price": "50000.00", "qty": "0.01", "commission": "0", "commissionAsset": "USDT",
                       "tradeId": 0}]}).replace('"orderId": 0', '"orderId": @OID@').replace('"tradeId": 0', '"tradeId": @TID@')

    @staticmethod
    async def _idle(*a):
        await asyncio.sleep(3600)

    async def start(self, *a):
        pass

    async def stop(self):
        pass

    async def load_instruments(self, registry):
        from engine._instruments import ContractType
        registry.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", step="0.00001", min_qty="0.00001",
                     max_qty="9000")

    async def last_price(self, symbol):
        return 50_000 * 100_000_000

    async def open_orders(self, symbol=None):
        return []

    async def positions(self):
        return []

    async def balances(self):
        return {}

    async def send_place(self, spec):
        self.trade_id += 1
        body = (self.template.replace("@OID@", str(self.trade_id)).replace("@TID@", str(self.trade_id))
                .replace("@CID@", spec.client_id)).encode()
        return self._answer(body)

    async def _answer(self, body):
        self.answers.parse(body)
        return self.answers


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
