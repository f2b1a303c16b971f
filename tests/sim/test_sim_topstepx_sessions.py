"""TopstepX personality: Order/v2/query, logout, the login refusals, follower and live accounts, and the
GatewayLogout of a session ended by a login elsewhere (shared/venues/topstepx-projectx.md §2, §4, §5, §7)."""

import asyncio
import json

import aiohttp
import pytest

from tests.sim.test_sim_topstepx import FAR, KEY, MNQ, USER_KEY, on_sim


def test_v2_query_filters_pages_sorts_and_finds_suspended_bracket_children():
    async def test(sim, gw):
        ids = [(await gw.place(limitPrice=20000 - i))["orderId"] for i in range(3)]
        entry = (await gw.place(limitPrice=19990, stopLossBracket={"ticks": -8, "type": 4}))["orderId"]
        assert (await gw.post("/api/Order/cancel", {"accountId": gw.account, "orderId": ids[0]}))["success"]
        q = {"filter": {"accountId": gw.account, "statuses": [1, 8]}, "includeTotalCount": True}
        doc = await gw.post("/api/Order/v2/query", q)
        rows = doc["orders"]
        assert doc["success"] and doc["totalCount"] == 4 == len(rows)
        assert {r["id"] for r in rows if r["status"] == 1} == {ids[1], ids[2], entry}
        leg, = [r for r in rows if r["status"] == 8]             # what searchOpen leaves out
        assert leg["parentOrderId"] == entry
        page = await gw.post("/api/Order/v2/query", {**q, "pageSize": 2, "pageOffset": 1, "sortBy": 1,
                                                     "sortDirection": 1})
        assert [r["id"] for r in page["orders"]] == sorted((r["id"] for r in rows), reverse=True)[1:3]
        assert "totalCount" not in (await gw.post("/api/Order/v2/query", {"filter": {"accountId": gw.account}}))
        assert [r["id"] for r in (await gw.post("/api/Order/v2/query", {"filter": {
            "accountId": gw.account, "statuses": [3], "contractId": MNQ, "createdAfter": FAR}}))["orders"]] == [ids[0]]
        for bad in ({}, {"filter": {"accountId": gw.account, "statuses": [9]}},
                    {"filter": {"accountId": gw.account}, "pageSize": 0},
                    {"filter": {"accountId": gw.account}, "pageSize": 1001},
                    {"filter": {"accountId": gw.account, "createdAfter": "yesterday"}}):
            status, text = await gw.post("/api/Order/v2/query", bad)
            assert status == 400 and json.loads(text)["status"] == 400     # ProblemDetails, not the envelope
        assert (await gw.post("/api/Order/v2/query", {"filter": {"accountId": 5}}))["errorCode"] == 1
    on_sim(test)


def test_logout_ends_the_token_and_a_second_logout_is_invalid_session():
    async def test(sim, gw):
        assert (await gw.post("/api/Auth/logout"))["success"]
        assert (await gw.post("/api/Account/search", {}))[0] == 401
        assert (await gw.post("/api/Auth/logout")) == {"success": False, "errorCode": 1, "errorMessage": None}
        status, _ = await gw.post("/hubs/user/negotiate", {})
        assert status == 401                                      # the hubs refuse it too
    on_sim(test)


@pytest.mark.parametrize("code, message", [
    (7, "Please log into the ProjectX platform and complete the required agreements"),
    (9, None), (10, None)])
def test_login_refusals_an_account_is_set_to(code, message):
    async def test(sim, gw):
        sim.state["topstepx"].accounts[KEY].login_error = code
        doc = await gw.post("/api/Auth/loginKey", {"userName": KEY, "apiKey": USER_KEY}, token=False)
        assert doc == {"token": None, "success": False, "errorCode": code, "errorMessage": message}
    on_sim(test)


def test_follower_and_live_accounts_cannot_cancel_and_live_ones_not_partially_close():
    async def test(sim, gw):
        acct = sim.state["topstepx"].accounts[KEY]
        oid = (await gw.place())["orderId"]
        cancel = {"accountId": gw.account, "orderId": oid}
        acct.follower = True
        assert await gw.post("/api/Order/cancel", cancel) == {
            "success": False, "errorCode": 6, "errorMessage": "Follower accounts cannot cancel orders"}
        acct.follower, acct.simulated = False, False
        assert (await gw.post("/api/Order/cancel", cancel))["errorMessage"] == "Live accounts not supported"
        assert (await gw.post("/api/Account/search", {}))["accounts"][0]["simulated"] is False
        await gw.place(type=2, limitPrice=None)
        assert (await gw.post("/api/Position/partialCloseContract", {"accountId": gw.account, "contractId": MNQ,
                                                                     "size": 1}))["errorCode"] == 9
        acct.simulated = True
        assert (await gw.post("/api/Order/cancel", cancel))["success"]
    on_sim(test)


def test_a_login_elsewhere_ends_the_hub_session_with_gateway_logout_when_switched_on():
    async def test(sim, gw):
        sim.state["topstepx"].logout_on_conflict = True
        async with aiohttp.ClientSession() as s, s.ws_connect(f"{gw.url}/hubs/user?access_token={gw.token}") as ws:
            await ws.send_str('{"protocol":"json","version":1}\x1e')
            assert (await ws.receive_str()) == "{}\x1e"
            await gw.post("/api/Auth/loginKey", {"userName": KEY, "apiKey": USER_KEY}, token=False)
            records = []
            while not ws.closed:
                msg = await asyncio.wait_for(ws.receive(), 5)
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                records += [json.loads(r) for r in msg.data.split("\x1e") if r]
            events = [r for r in records if r.get("type") == 1]
            assert events == [{"type": 1, "target": "GatewayLogout", "arguments": []}]
            assert records[-1]["type"] == 7
    on_sim(test)


def test_join_bid_and_join_ask_rest_at_the_touch():
    async def test(sim, gw):
        book = sim.core.books[("tsx", MNQ)]
        for kind, side, best in ((6, 0, book.best("BUY")), (7, 1, book.best("SELL"))):
            doc = await gw.place(type=kind, side=side, limitPrice=None)
            assert doc["success"], doc
            row = (await gw.post("/api/Order/searchById", {"accountId": gw.account, "orderId": doc["orderId"]}))
            assert row["order"]["type"] == kind and row["order"]["limitPrice"] == float(best)
    on_sim(test)
