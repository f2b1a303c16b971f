"""MEXC under the simulator's other faults: unreadable, 5xx-after-processing and interim answers to an
order, a cancel whose answer is lost after it was done, duplicated, reordered and late protobuf pushes, and
a key the venue does not take.  The rules: only documented refusals reject; an unclear answer leaves the
order UNKNOWN, resolved by its client id and never sent again; every fill is counted once."""

import asyncio
import contextlib
from decimal import Decimal

import pytest

from engine import connect
from engine._enums import OrderState
from engine.config import VenueConfig
from engine.oms.events import EventKind
from engine.sim import SimExchange
from engine.transport.errors import TransportError
from engine.venues.errors import AuthenticationError
from tests.support.engine_fixtures import KEY, SECRET, run, until

pytestmark = pytest.mark.timeout(60)
FAST = {"recv_window_ms": 500, "options": {"read_after_write_s": 1.0}}


@contextlib.asynccontextmanager
async def mexc(*, faults=None, key=KEY, secret=SECRET, **config):
    async with SimExchange(seed=3, accounts=[(KEY, SECRET)], faults=faults) as sim:
        cfg = VenueConfig.local("mexc", sim.urls["mexc"], key, secret, **config)
        async with connect(cfg) as eng:
            yield sim, eng


def kinds(events, kind):
    return [e for e in events if e.kind == kind]


def fired(sim, action):
    return [f for f in sim.faults.log if f.action == action]


@pytest.mark.parametrize("fault", [
    "POST api/v3/order:garbage:kind=html,nth=1",
    "POST api/v3/order:garbage:kind=truncated,nth=1",
    "POST api/v3/order:garbage:kind=empty,nth=1",
    "POST api/v3/order:http500:process=first,nth=1",
    "POST api/v3/order:interim:code=101,nth=1",          # a bogus 101 Switching Protocols: refused
])
def test_an_unclear_answer_to_a_processed_order_is_resolved_by_client_id_once(fault):
    async def main():
        async with mexc(faults=[fault], read_timeout=1.0, **FAST) as (sim, eng):
            events = []
            eng.on(events.append)
            o = await eng.place_limit("BTCUSDT", "BUY", "0.001", "48000")
            assert o.state in (OrderState.UNKNOWN, OrderState.NEW)        # never REJECTED
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.NEW, 10, "resolved")
            assert sim.client_order_count(KEY, "mexc", o.client_order_id) == 1 and eng.resolver.resent == 0
            assert not kinds(events, EventKind.REJECTED) and fired(sim, fault.split(":")[1])

    run(main())


@pytest.mark.parametrize("code", [100, 103])
def test_interim_answers_are_not_taken_as_the_answer(code):
    async def main():
        async with mexc(faults=[f"POST api/v3/order:interim:code={code},nth=1"]) as (sim, eng):
            a = await eng.place_limit("BTCUSDT", "BUY", "0.001", "48000")
            b = await eng.place_limit("BTCUSDT", "BUY", "0.001", "48100")
            assert a.state == b.state == OrderState.NEW
            assert a.exchange_order_id != b.exchange_order_id and a.exchange_order_id.startswith("C02__")
            assert fired(sim, "interim")

    run(main())


def test_a_cancel_whose_answer_is_lost_after_it_was_done_ends_cancelled():
    async def main():
        async with mexc(faults=["DELETE api/v3/order:drop:process=first,nth=1"], **FAST) as (sim, eng):
            o = await eng.place_limit("BTCUSDT", "BUY", "0.001", "48000")
            with pytest.raises(TransportError):        # the answer is lost: the outcome comes from the venue
                await eng.cancel(o)
            await until(lambda: eng.get_order(o.client_order_id).state == OrderState.CANCELLED, 10, "cancelled")
            assert not [x for x in sim.core.orders.values() if x.market == "mexc" and x.is_open]
            assert eng.balances()["USDT"][1] == 0 and fired(sim, "drop")    # nothing left locked

    run(main())


@pytest.mark.parametrize("stream_fault", ["stream_duplicate:times=30", "stream_reorder:times=30",
                                          "stream_delay:ms=200,times=30"])
def test_fills_are_counted_once_whatever_the_stream_does(stream_fault):
    async def main():
        async with mexc(faults=[f"stream.mexc:{stream_fault}"]) as (sim, eng):
            levels = sim.core.books[("mexc", "BTCUSDT")].depth("SELL", 3)
            qty = sum(size for _, size in levels[:2]) + levels[2][1] / 2         # sweeps two levels and part of a third
            bid = await eng.place_limit("BTCUSDT", "BUY", str(qty), str(levels[2][0]))
            await until(lambda: eng.get_order(bid.client_order_id).state == OrderState.FILLED, 10, "filled")
            await asyncio.sleep(0.4)                                  # late and repeated pushes arrive
            got = eng.get_order(bid.client_order_id)
            assert got.filled == Decimal(str(qty)) and got.state == OrderState.FILLED
            assert sim.client_order_count(KEY, "mexc", bid.client_order_id) == 1
            assert fired(sim, stream_fault.split(":")[0])
            if stream_fault.startswith("stream_duplicate"):
                # a repeated account push is the same balance again; a late one is older than what came after
                # it and carries no sequence to tell (not asserted for those)
                free, _ = sim.balance(KEY, "BTC", "mexc")
                await until(lambda: eng.balances()["BTC"][0] == free, 5, "BTC balance")

    run(main())


@pytest.mark.parametrize("credentials, code", [({"secret": "not-the-secret"}, 700002),     # signature refused
                                                ({"key": "mx0-nobody"}, 10072)])            # key unknown
def test_credentials_the_venue_does_not_take_are_an_authentication_error(credentials, code):
    async def main():
        with pytest.raises(AuthenticationError, match=str(code)):
            async with mexc(**credentials) as (sim, eng):
                await eng.place_limit("BTCUSDT", "BUY", "0.001", "48000")

    run(main())


def test_silence_is_a_drop_the_stream_reconnects_and_subscribes_again():
    """PING unanswered (the personality's ``pongs`` off): the private stream is taken as dropped, replaced,
    subscribed again, and the order manager is told to reconcile."""
    from engine.sim.mexc.state import state_of
    from engine.venues.mexc.rest import MexcRest
    from engine.venues.mexc.user_stream import MexcUserStream

    async def main():
        async with SimExchange(seed=3, accounts=[(KEY, SECRET)]) as sim:
            rest = MexcRest(VenueConfig.local("mexc", sim.urls["mexc"], KEY, SECRET))
            await rest.start()
            reconnected = []

            async def on_reconnected():
                reconnected.append(1)

            stream = MexcUserStream(rest, lambda payload: None, on_reconnected=on_reconnected, ping_interval=0.3,
                                    reply_timeout=0.2)
            try:
                await stream.start()
                await asyncio.sleep(0.5)                       # PINGs answered: nothing happens
                assert stream.ws.disconnects == 0
                state_of(sim).pongs = False
                await until(lambda: stream.ws.disconnects >= 1, 5, "silence taken as a drop")
                state_of(sim).pongs = True
                await until(lambda: reconnected, 5, "subscribed again")
                assert stream.ws.connects >= 2 and len(state_of(sim).listen_keys) == 1
            finally:
                await stream.stop()
                await rest.close()

    run(main())
