"""TopstepX sessions end to end: the login refusals of the sheet, a cancel the account may not make, and a
session ended by a login elsewhere (GatewayLogout), against the simulator over loopback."""

import asyncio
import logging

import aiohttp
import pytest
import uvloop

import engine
from engine import OrderState
from engine.sim import SimExchange
from engine.testing import SIM_KEY, SIM_SECRET, simulated
from engine.venues import errors as E


def run(coro, timeout=40):
    return uvloop.run(asyncio.wait_for(coro, timeout))


@pytest.mark.parametrize("code, name", [(7, "AgreementsNotSigned"), (9, "ApiSubscriptionNotFound"),
                                        (10, "ApiKeyAuthenticationDisabled")])
def test_a_refused_login_stops_the_start_with_the_codes_name(code, name):
    async def main():
        async with SimExchange() as sim:
            sim.state["topstepx"].accounts[SIM_KEY].login_error = code
            with pytest.raises(E.AuthenticationError, match=name) as info:
                async with engine.connect("topstepx", sim=sim):
                    pass
            assert info.value.code == code and SIM_SECRET not in str(info.value)
    run(main())


def test_a_cancel_the_account_may_not_make_is_refused_and_the_order_stays_open():
    async def main():
        async with simulated("topstepx") as s:
            bid = await s.engine.place_limit("MNQ", "BUY", "1", "20000")
            s.sim.state["topstepx"].accounts[SIM_KEY].follower = True
            with pytest.raises(E.OrderRejected, match="Follower accounts cannot cancel orders"):
                await s.engine.cancel(bid)
            assert s.engine.get_order(bid.client_order_id).state == OrderState.NEW
            s.sim.state["topstepx"].accounts[SIM_KEY].follower = False
            await s.engine.cancel(bid)
            assert s.engine.get_order(bid.client_order_id).state == OrderState.CANCELLED
    run(main())


def test_a_login_elsewhere_ends_the_hub_session_and_the_engine_comes_back_with_the_fills(caplog):
    async def main():
        async with simulated("topstepx") as s:
            eng, st = s.engine, s.sim.state["topstepx"]
            st.logout_on_conflict = True
            hub = st.hubs.user
            bid = await eng.place_limit("MNQ", "BUY", "1", "20990")
            connections = hub.connections
            async with aiohttp.ClientSession() as other:         # the same login from somewhere else
                await other.post(s.sim.urls["topstepx"] + "/api/Auth/loginKey",
                                 json={"userName": SIM_KEY, "apiKey": SIM_SECRET})
            await s.until(lambda: eng.adapter.account_messages.logouts == 1, 5, "GatewayLogout read")
            s.move_price("NQ", "20980")                          # fills while the session is down or coming back
            await s.until(lambda: hub.connections > connections and any(c.subscriptions for c in hub.clients), 15,
                          "the hub back, subscribed")
            await s.until(lambda: eng.get_order(bid.client_order_id).state == OrderState.FILLED, 15, "the fill")
            await s.until(lambda: eng.positions().get("MNQ") is not None and eng.positions()["MNQ"].size == 1, 10)
    with caplog.at_level(logging.ERROR, logger="engine.venues.topstepx.decode"):
        run(main())
    assert any("GatewayLogout" in r.getMessage() for r in caplog.records)
