"""429 and 418 from the venue, end to end: the client pauses or stops by itself and says so."""

import asyncio

import pytest
import uvloop

from engine.config import VenueConfig
from engine.oms.breaker import BreakerState, CircuitOpen
from engine.sim import SimExchange
from engine.venues import errors as E
from engine.venues.binance.rest import BinanceRest
from tests.support.engine_fixtures import engine_on_sim

KEY, SECRET = "throttle-key", "throttle-secret"


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


def test_429_pauses_every_request_for_retry_after():
    async def main():
        async with SimExchange(seed=1, accounts=[(KEY, SECRET)], faults=["POST api/v3/order:http429:nth=1"]) as sim:
            rest = BinanceRest(VenueConfig.local("binance-spot", sim.url, KEY, SECRET))
            await rest.start()
            try:
                order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                         "quantity": "0.01", "price": "48000"}
                with pytest.raises(E.RateLimited) as err:
                    await rest.place_order(order)
                assert err.value.retry_after == 60 and err.value.retry_safe
                rest.limiter.max_wait = 0.5  # the next request would have to wait 60 s: refused, not sent
                with pytest.raises(E.RateLimited):
                    await rest.place_order(order)
                assert rest.limiter.paused_until > 0 and rest.limiter.waits == 0
            finally:
                await rest.close()

    run(main())


def test_418_stops_all_requests_until_the_ban_ends_and_trips_the_breaker():
    async def main():
        async with engine_on_sim("binance-spot", faults=["POST api/v3/order:http418:nth=1"]) as (sim, eng):
            with pytest.raises(E.IpBanned) as err:
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            assert err.value.retry_after == 120
            assert eng.breaker.state == BreakerState.OPEN
            with pytest.raises(CircuitOpen):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            with pytest.raises(E.IpBanned):  # every request, reads included, stops at once
                await eng.adapter.rest.open_orders("BTCUSDT")

    run(main())


def test_bybit_10006_pauses_the_endpoint():
    async def main():
        async with engine_on_sim("bybit", faults=["POST v5/order/create:http429:nth=1"]) as (sim, eng):
            with pytest.raises(E.RateLimited):
                await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")
            o = await eng.place_limit("BTCUSDT", "BUY", "0.01", "48000")  # waits out the reset, then goes
            assert o.is_open

    run(main())
