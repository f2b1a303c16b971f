"""The TopstepX personality over loopback with a plain aiohttp client: the Gateway's REST API, its error
codes per endpoint, tokens, rate limits, brackets, and its hubs read by pysignalr (a stock SignalR client)."""

import asyncio
from decimal import Decimal

import aiohttp
import pytest
import uvloop

from engine.sim import SimExchange

KEY, USER_KEY = "tsx-user", "tsx-api-key-never-shown"
MNQ, EXPIRED = "CON.F.US.MNQ.Z26", "CON.F.US.MNQ.U26"
FAR = "2000-01-01T00:00:00+00:00"


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 30))


class Gateway:
    """A logged-in plain client of the personality."""

    def __init__(self, sim, session):
        self.sim, self.s = sim, session
        self.url = sim.urls["topstepx"]
        self.token = None
        self.account = None

    async def post(self, path, body=None, token=True, raw=False):
        headers = {"Authorization": f"Bearer {self.token if token is True else token}"} if token else {}
        async with self.s.post(self.url + path, json=body if body is not None else {}, headers=headers) as r:
            if raw or r.status != 200:
                return r.status, await r.text()
            return await r.json()

    async def login(self):
        doc = await self.post("/api/Auth/loginKey", {"userName": KEY, "apiKey": USER_KEY}, token=False)
        self.token = doc["token"]
        self.account = (await self.post("/api/Account/search", {"onlyActiveAccounts": True}))["accounts"][0]["id"]
        return self

    async def place(self, **fields):
        body = {"accountId": self.account, "contractId": MNQ, "type": 1, "side": 0, "size": 1,
                "limitPrice": 20000}
        body.update(fields)
        return await self.post("/api/Order/place", body)


async def gateway(sim, session):
    return await Gateway(sim, session).login()


def on_sim(test):
    async def main():
        async with SimExchange(accounts=[(KEY, USER_KEY)]) as sim, aiohttp.ClientSession() as session:
            await test(sim, await gateway(sim, session))
    run(main())


def test_login_validate_and_401():
    async def test(sim, gw):
        bad = await gw.post("/api/Auth/loginKey", {"userName": KEY, "apiKey": "wrong"}, token=False)
        assert bad == {"token": None, "success": False, "errorCode": 3, "errorMessage": None}
        status, _ = await gw.post("/api/Auth/loginKey", {"userName": KEY}, token=False)
        assert status == 400
        assert (await gw.post("/api/Account/search", {}, token=False))[0] == 401
        assert (await gw.post("/api/Account/search", {}, token=gw.token[:-2] + "xx"))[0] == 401
        new = (await gw.post("/api/Auth/validate"))["newToken"]
        assert new != gw.token and (await gw.post("/api/Account/search", {}, token=new))["success"]
        assert (await gw.post("/api/Account/search", {}))["success"]      # the old token still works
        sim.state["topstepx"].token_lifetime = 0.2
        short = (await gw.post("/api/Auth/validate"))["newToken"]
        await asyncio.sleep(0.3)
        assert (await gw.post("/api/Account/search", {}, token=short))[0] == 401
    on_sim(test)


def test_routes_and_property_names_are_case_insensitive_answers_camel_case():
    async def test(sim, gw):
        doc = await gw.post("/API/order/PLACE", {"AccountID": gw.account, "contractid": MNQ, "TYPE": 1, "Side": 0,
                                                  "size": 1, "limitprice": 20000})
        assert doc["success"] and isinstance(doc["orderId"], int)
        row, = (await gw.post("/api/order/searchopen", {"accountid": gw.account}))["orders"]
        assert {"id", "accountId", "contractId", "symbolId", "creationTimestamp", "updateTimestamp", "status", "type",
                "side", "size", "limitPrice", "stopPrice", "fillVolume", "filledPrice", "customTag"} <= set(row)
    on_sim(test)


@pytest.mark.parametrize("fields, code, words", [
    ({"accountId": 1}, 1, None),
    ({"contractId": "CON.F.US.XXX.Z26"}, 8, None),
    ({"contractId": EXPIRED}, 9, None),
    ({"size": 1.5}, 2, "size"),
    ({"size": 0}, 2, "size"),
    ({"limitPrice": 20000.1}, 2, "tick"),
    ({"type": 0}, 2, "type"),
    ({"side": 2}, 2, "side"),
    ({"size": 100000}, 3, None),
    ({"type": 5, "limitPrice": None}, 2, "Trail Distance not set."),
    ({"type": 5, "trailPrice": 0.25}, 2, "Trail Distance exceeds maximum (1000)"),   # a distance sent as a level
    ({"type": 5, "trailPrice": 20000.1}, 2, "Invalid trail price. Price is not aligned to tick size."),
    ({"stopLossBracket": {"ticks": 20, "type": 4}}, 2, "Ticks should be less than zero when longing"),
])
def test_place_error_codes(fields, code, words):
    async def test(sim, gw):
        doc = await gw.place(**fields)
        assert doc["success"] is False and doc["errorCode"] == code, doc
        if words:
            assert words in doc["errorMessage"]
        assert "orderId" in doc
    on_sim(test)


def test_custom_tags_are_unique_and_burnt_by_a_rejected_order():
    async def test(sim, gw):
        sim.state["topstepx"].accounts[KEY].auto_oco = False
        doc = await gw.place(customTag="t-1", stopLossBracket={"ticks": -20, "type": 4})
        assert doc["errorCode"] == 2 and doc["errorMessage"].startswith("Brackets cannot be used with Position")
        assert doc["orderId"] is not None                    # the rejected order exists
        rejected, = (await gw.post("/api/Order/search", {"accountId": gw.account, "startTimestamp": FAR}))["orders"]
        assert rejected["status"] == 5 and rejected["customTag"] == "t-1"
        again = await gw.place(customTag="t-1")
        assert again["errorCode"] == 2 and "custom tag" in again["errorMessage"].lower()
        assert (await gw.place(customTag="t-2"))["success"]
    on_sim(test)


def test_modify_cancel_and_search_codes():
    async def test(sim, gw):
        oid = (await gw.place())["orderId"]
        assert (await gw.post("/api/Order/modify", {"accountId": gw.account, "orderId": 1, "size": 2}))["errorCode"] \
            == 2
        ok = await gw.post("/api/Order/modify", {"accountId": gw.account, "orderId": oid, "size": 2,
                                                 "limitPrice": None, "stopPrice": None, "trailPrice": None})
        assert ok["success"]
        row = (await gw.post("/api/Order/searchById", {"accountId": gw.account, "orderId": oid}))["order"]
        assert row["size"] == 2 and row["limitPrice"] == 20000          # null left the price as it was
        bad = await gw.post("/api/Order/modify", {"accountId": gw.account, "orderId": oid, "limitPrice": 20000.1})
        assert bad["errorCode"] == 3
        assert (await gw.post("/api/Order/cancel", {"accountId": gw.account, "orderId": oid}))["success"]
        assert (await gw.post("/api/Order/cancel", {"accountId": gw.account, "orderId": oid}))["errorCode"] == 3
        assert (await gw.post("/api/Order/cancel", {"accountId": gw.account, "orderId": 7}))["errorCode"] == 2
        assert (await gw.post("/api/Order/searchById", {"accountId": gw.account, "orderId": 7}))["errorCode"] == 1
        assert (await gw.post("/api/Order/search", {"accountId": 5, "startTimestamp": FAR}))["errorCode"] == 1
    on_sim(test)


def test_trailing_stop_level_in_distance_out_and_modify_without_maximum():
    async def test(sim, gw):
        last = sim.core.last[("tsx", MNQ)]
        doc = await gw.place(type=5, side=1, limitPrice=None, trailPrice=float(last - Decimal("1.5")))
        assert doc["success"], doc
        row = (await gw.post("/api/Order/searchById", {"accountId": gw.account, "orderId": doc["orderId"]}))["order"]
        assert row["trailPrice"] == 1.5 and row["trailDistance"] == 6
        far = await gw.post("/api/Order/modify", {"accountId": gw.account, "orderId": doc["orderId"],
                                                  "trailPrice": 0.25})
        assert far["success"]                                  # ~84000 ticks: no maximum on modify
    on_sim(test)


def test_bracket_legs_are_suspended_left_out_of_search_open_and_live_after_the_fill():
    async def test(sim, gw):
        doc = await gw.place(type=2, limitPrice=None, stopLossBracket={"ticks": -20, "type": 4},
                             takeProfitBracket={"ticks": 40, "type": 1}, customTag="entry-1")
        assert doc["success"]
        rows = (await gw.post("/api/Order/search", {"accountId": gw.account, "startTimestamp": FAR}))["orders"]
        legs = [r for r in rows if r.get("parentOrderId") == doc["orderId"]]
        assert len(legs) == 2 and {r["status"] for r in legs} == {1}     # the market entry filled at once
        entry = next(r for r in rows if r["id"] == doc["orderId"])
        stop = next(r for r in legs if r["type"] == 4)
        take = next(r for r in legs if r["type"] == 1)
        assert Decimal(str(stop["stopPrice"])) == Decimal(str(entry["filledPrice"])) - 5
        assert Decimal(str(take["limitPrice"])) == Decimal(str(entry["filledPrice"])) + 10
        assert stop["linkedOrderId"] == take["id"]
        # a resting entry's legs wait, Suspended, and searchOpen leaves them out
        rest = await gw.place(limitPrice=20000, stopLossBracket={"ticks": -8, "type": 4})
        waiting = [r for r in (await gw.post("/api/Order/search", {"accountId": gw.account,
                                                                   "startTimestamp": FAR}))["orders"]
                   if r.get("parentOrderId") == rest["orderId"]]
        assert [r["status"] for r in waiting] == [8]
        open_ids = {r["id"] for r in (await gw.post("/api/Order/searchOpen", {"accountId": gw.account}))["orders"]}
        assert rest["orderId"] in open_ids and waiting[0]["id"] not in open_ids
        assert (await gw.post("/api/Order/cancel", {"accountId": gw.account, "orderId": rest["orderId"]}))["success"]
        leg = (await gw.post("/api/Order/searchById", {"accountId": gw.account, "orderId": waiting[0]["id"]}))
        assert leg["order"]["status"] == 3                     # the entry ended unfilled: its leg too
    on_sim(test)


def test_positions_closes_trades_and_the_balance_in_dollars():
    async def test(sim, gw):
        await gw.place(type=2, limitPrice=None, size=3, contractId="CON.F.US.EP.Z26")
        pos, = (await gw.post("/api/Position/searchOpen", {"accountId": gw.account}))["positions"]
        assert pos["type"] == 1 and pos["size"] == 3
        close = {"accountId": gw.account, "contractId": "CON.F.US.EP.Z26"}
        assert (await gw.post("/api/Position/partialCloseContract", {**close, "size": 4}))["errorCode"] == 5
        assert (await gw.post("/api/Position/partialCloseContract", {**close, "size": 1}))["success"]
        assert (await gw.post("/api/Position/closeContract", close))["success"]
        assert (await gw.post("/api/Position/closeContract", close))["errorCode"] == 2
        assert (await gw.post("/api/Position/closeContract", {**close, "contractId": "X"}))["errorCode"] == 3
        assert (await gw.post("/api/Position/searchOpen", {"accountId": gw.account}))["positions"] == []
        trades = (await gw.post("/api/Trade/search", {"accountId": gw.account, "startTimestamp": FAR}))["trades"]
        opening = [t for t in trades if t["side"] == 0]
        closing = [t for t in trades if t["side"] == 1]
        assert all(t["profitAndLoss"] is None for t in opening) and all(t["profitAndLoss"] is not None
                                                                         for t in closing)
        pnl = sum(Decimal(str(t["profitAndLoss"])) for t in closing)
        fees = sum(Decimal(str(t["fees"])) for t in trades)
        assert fees == Decimal("1.40") * 6
        cost = sum(Decimal(str(t["price"])) * t["size"] for t in opening)
        proceeds = sum(Decimal(str(t["price"])) * t["size"] for t in closing)
        assert pnl == (proceeds - cost) * 50                   # ES: $50 a point
        acct, = (await gw.post("/api/Account/search", {"onlyActiveAccounts": True}))["accounts"]
        assert Decimal(str(acct["balance"])) == Decimal("150000") + pnl - fees
        assert sim.totals() == sim.initial_totals
    on_sim(test)


def test_contracts_and_bars():
    async def test(sim, gw):
        found = (await gw.post("/api/Contract/search", {"searchText": "NQ", "live": False}))["contracts"]
        assert {c["id"] for c in found} == {MNQ, "CON.F.US.ENQ.Z26"} and len(found) <= 20
        old = (await gw.post("/api/Contract/searchById", {"contractId": EXPIRED}))["contract"]
        assert old["activeContract"] is False
        assert (await gw.post("/api/Contract/searchById", {"contractId": "nope"}))["errorCode"] == 1
        for price in (21000.25, 21001.5):
            await gw.place(type=2, limitPrice=None)
            sim.set_price("NQ", str(price))
        bars = {"contractId": MNQ, "live": False, "startTime": FAR, "endTime": "2100-01-01T00:00:00+00:00",
                "unit": 1, "unitNumber": 1, "limit": 10, "includePartialBar": True}
        got = (await gw.post("/api/History/retrieveBars", bars))["bars"]
        assert got and got == sorted(got, key=lambda b: b["t"], reverse=True) and sum(b["v"] for b in got) == 2
        assert (await gw.post("/api/History/retrieveBars", {**bars, "unit": 7}))["errorCode"] == 2
        assert (await gw.post("/api/History/retrieveBars", {**bars, "limit": 0}))["errorCode"] == 4
    on_sim(test)


def test_rate_limit_is_http_429():
    async def test(sim, gw):
        sim.state["topstepx"].limiter.requests = (3, 60.0)
        sim.reset_rate_limits()
        got = [await gw.post("/api/Account/search", {}, raw=True) for _ in range(4)]
        assert [status for status, _ in got] == [200, 200, 200, 429]
    on_sim(test)


def test_pysignalr_receives_user_and_market_events_from_the_hubs():
    pysignalr = pytest.importorskip("pysignalr.client")

    async def test(sim, gw):
        orders, quotes, depth = [], [], []
        user = pysignalr.SignalRClient(f"{gw.url}/hubs/user?access_token={gw.token}")
        market = pysignalr.SignalRClient(f"{gw.url}/hubs/market?access_token={gw.token}")

        async def on_order(args):
            orders.append(args[0])

        async def on_quote(args):
            quotes.append(args)

        async def user_open():
            await user.send("SubscribeOrders", [gw.account])

        async def on_depth(args):
            depth.append(args)

        async def market_open():
            await market.send("SubscribeContractQuotes", [MNQ])
            await market.send("SubscribeContractMarketDepth", [MNQ])

        user.on("GatewayUserOrder", on_order)
        user.on_open(user_open)
        market.on("GatewayQuote", on_quote)
        market.on("GatewayDepth", on_depth)
        market.on_open(market_open)
        st = sim.state["topstepx"]
        tasks = [asyncio.get_running_loop().create_task(c.run()) for c in (user, market)]
        try:
            while not (any(c.subscriptions for c in st.hubs.user.clients)
                       and any(c.subscriptions for c in st.hubs.market.clients)):
                await asyncio.sleep(0.01)
            doc = await gw.place(customTag="hub-1")
            sim.set_price("NQ", "21050")
            while not (orders and quotes and depth):
                await asyncio.sleep(0.01)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        assert orders[0]["id"] == doc["orderId"] and orders[0]["customTag"] == "hub-1" and orders[0]["status"] == 1
        contract_id, quote = quotes[-1]
        assert contract_id == MNQ and quote["symbol"] == "F.US.MNQ" and "bestBid" in quote
        contract_id, levels = depth[-1]
        assert contract_id == MNQ and levels[0]["type"] == 6 and {lv["type"] for lv in levels[1:]} == {1, 2}
    on_sim(test)
