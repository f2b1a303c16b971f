"""A venue adapter in the same process, without sockets: an Engine measured apart from the kernel (the memory
test, the fill benchmarks)."""

import asyncio
import contextlib
import json

from engine._parse_binance import BinanceParser


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


@contextlib.contextmanager
def started_engine(capacity: int = 1024):
    """An Engine over an :class:`InProcessVenue`, started on an event loop of its own; its stream fed by hand
    (``eng.stream.on_message``), outside a running loop."""
    from engine.config import VenueConfig
    from engine.oms.engine import Engine
    from engine.oms.risk import RiskLimits
    loop = asyncio.new_event_loop()
    eng = Engine(VenueConfig.local("binance-spot", "http://127.0.0.1:9", "k", "s"), adapter=InProcessVenue(),
                 capacity=capacity, retention_s=0.0, risk_limits=RiskLimits(check_balance=False))
    loop.run_until_complete(eng.start())
    try:
        yield eng
    finally:
        loop.run_until_complete(eng.stop())
        loop.close()
