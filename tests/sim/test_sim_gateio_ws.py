"""engine.sim's Gate.io WebSocket v4 (gateio-spot.md §7, §8): channel auth and errors, ping, the
private channels with the venue's own field types, the order API's login, ack and result frames,
errors in data.errs with a string status, the shared place budget, and the upgrade notice."""

import time

import pytest

from tests.sim.gateio_client import Gate, api_request, channel_request, login_request, receive_until
from tests.support.sim_fixtures import run, sim_and_session

pytestmark = pytest.mark.timeout(60)

ORDER = {"currency_pair": "BTC_USDT", "type": "limit", "account": "spot", "side": "buy", "amount": "0.01",
         "price": "49995", "text": "t-ws1"}


async def socket(sim, s):
    return await s.ws_connect(sim.urls["gateio"].replace("http", "ws") + "/ws/v4/")


def test_channels_auth_ping_and_pushes_with_the_venue_field_types():
    async def go():
        async with sim_and_session() as (sim, s):
            ws = await socket(sim, s)
            await ws.send_json({"time": int(time.time()), "channel": "spot.ping"})
            pong = await ws.receive_json()
            assert (pong["channel"], pong["event"], pong["result"]) == ("spot.pong", "", None)
            await ws.send_json(channel_request("spot.orders", secret="wrong"))
            bad = await ws.receive_json()
            assert bad["error"] == {"code": 4, "message": "authentication fail"} and bad["result"] is None
            await ws.send_json(channel_request("spot.nothing"))
            assert (await ws.receive_json())["error"]["code"] == 2
            await ws.send_str("{not json")
            assert (await ws.receive_json())["error"]["code"] == 1
            for i, ch in enumerate(("spot.orders", "spot.usertrades", "spot.balances")):
                await ws.send_json(channel_request(ch, payload=None if ch == "spot.balances" else ["!all"],
                                                   req_id=10 + i))
                ok = await ws.receive_json()
                assert ok["error"] is None and ok["result"] == {"status": "success"} and ok["id"] == 10 + i
            g = Gate(sim, s)
            _, placed, _ = await g.call("POST", "/spot/orders", body=ORDER)
            put, _ = await receive_until(ws, lambda m: m["channel"] == "spot.orders")
            row = put["result"][0]
            assert put["event"] == "update" and row["event"] == "put" and row["id"] == placed["id"]
            assert isinstance(row["user"], int) and isinstance(row["create_time_ms"], str)
            assert isinstance(row["update_time_ms"], str) and "status" not in row
            bal, _ = await receive_until(ws, lambda m: m["channel"] == "spot.balances")
            usdt = next(b for b in bal["result"] if b["currency"] == "USDT")
            assert (usdt["change_type"], usdt["freeze_change"], usdt["change"]) == ("order-create", "499.95", "0")
            assert isinstance(usdt["user"], str) and isinstance(usdt["timestamp_ms"], str)
            sim.place_for("test-key-2", "gateio", "BTC_USDT", "SELL", "0.004")
            trade, _ = await receive_until(ws, lambda m: m["channel"] == "spot.usertrades")
            t = trade["result"][0]
            assert isinstance(t["id"], int) and isinstance(t["create_time"], int)
            assert isinstance(t["create_time_ms"], str) and "." in t["create_time_ms"]
            assert (t["order_id"], t["amount"], t["role"], t["text"]) == (placed["id"], "0.004", "maker", "t-ws1")
            upd, _ = await receive_until(ws, lambda m: m["channel"] == "spot.orders")
            assert upd["result"][0]["event"] == "update" and upd["result"][0]["left"] == "0.006"
            bal, _ = await receive_until(ws, lambda m: m["channel"] == "spot.balances")
            assert {b["change_type"] for b in bal["result"]} == {"order-match"}
            await g.call("DELETE", f"/spot/orders/{placed['id']}", "currency_pair=BTC_USDT")
            fin, _ = await receive_until(ws, lambda m: m["channel"] == "spot.orders")
            f = fin["result"][0]
            assert (f["event"], f["finish_as"], f["filled_amount"], f["left"]) == ("finish", "cancelled", "0.004",
                                                                                  "0.006")
            bal, _ = await receive_until(ws, lambda m: m["channel"] == "spot.balances")
            assert bal["result"][0]["change_type"] == "order-update"        # a cancel: there is no order-cancel
            await ws.close()
    run(go())


def test_order_api_login_ack_then_result_and_errors():
    async def go():
        async with sim_and_session() as (sim, s):
            ws = await socket(sim, s)
            await ws.send_json(api_request("spot.order_place", "early", ORDER))
            early, _ = await receive_until(ws, lambda m: m.get("request_id") == "early" and "ack" not in m)
            assert early["header"]["status"] == "401" and early["data"]["errs"]["label"] == "INVALID_KEY"
            await ws.send_json(login_request(secret="wrong", req_id="l0"))
            refused = await ws.receive_json()
            assert refused["header"]["status"] == "401" and refused["data"]["errs"]["label"] == "INVALID_SIGNATURE"
            await ws.send_json(login_request())
            login = await ws.receive_json()
            assert login["header"]["status"] == "200" and "clientId" in login["header"]
            assert login["data"]["result"]["uid"].isdigit()
            exptime = int(time.time() * 1000) + 5000
            await ws.send_json(api_request("spot.order_place", "r1", ORDER, exptime))
            ack = await ws.receive_json()
            assert ack["ack"] is True and ack["request_id"] == "r1"
            assert ack["data"]["result"]["req_param"] == ORDER
            result = await ws.receive_json()
            assert "ack" not in result and result["header"]["status"] == "200"
            order = result["data"]["result"]
            assert isinstance(order["create_time_ms"], int) and order["status"] == "open"
            assert result["header"]["x_gate_ratelimit_limit"] == 10
            await ws.send_json(api_request("spot.order_amend", "r2", {"order_id": "t-ws1",
                                                                      "currency_pair": "BTC_USDT", "price": "49000"}))
            amended = await ws.receive_json()
            assert "ack" not in amended and amended["data"]["result"]["price"] == "49000"
            await ws.send_json(api_request("spot.order_status", "r3", {"order_id": order["id"],
                                                                       "currency_pair": "BTC_USDT"}))
            assert (await ws.receive_json())["data"]["result"]["id"] == order["id"]
            await ws.send_json(api_request("spot.order_cancel", "r4", {"order_id": "t-ws1",
                                                                       "currency_pair": "BTC_USDT"}))
            assert (await ws.receive_json())["data"]["result"]["status"] == "cancelled"
            await ws.send_json(api_request("spot.order_cancel", "r5", {"order_id": "t-ws1",
                                                                       "currency_pair": "BTC_USDT"}))
            gone = await ws.receive_json()
            assert gone["header"]["status"] == "404" and gone["data"]["errs"]["label"] == "CLIENT_ID_NOT_FOUND"
            await ws.send_json(api_request("spot.order_place", "r6", {**ORDER, "amount": "500"}))
            await ws.receive_json()                                             # the ack
            poor = await ws.receive_json()
            assert poor["header"]["status"] == "400" and poor["data"]["errs"]["label"] == "BALANCE_NOT_ENOUGH"
            await ws.send_json(api_request("spot.order_place", "r7", ORDER, int(time.time() * 1000) - 1))
            await ws.receive_json()
            late = await ws.receive_json()
            assert late["data"]["errs"]["label"] == "REQUEST_EXPIRED"
            await ws.send_json(api_request("spot.order_cancel_cp", "r8", {"currency_pair": "BTC_USDT"}))
            assert (await ws.receive_json())["data"]["result"] == []
            await ws.close()
    run(go())


def test_rest_and_the_order_api_share_each_pairs_place_budget():
    async def go():
        async with sim_and_session() as (sim, s):
            g = Gate(sim, s)
            for i in range(9):
                assert (await g.call("POST", "/spot/orders", body={**ORDER, "text": f"t-r{i}"}))[0] == 201
            ws = await socket(sim, s)
            await ws.send_json(login_request())
            await ws.receive_json()
            answers = []
            for i in range(2):
                await ws.send_json(api_request("spot.order_place", f"w{i}", {**ORDER, "text": f"t-w{i}"}))
                await ws.receive_json()
                answers.append(await ws.receive_json())
            assert [a["header"]["status"] for a in answers] == ["200", "429"]
            assert answers[1]["data"]["errs"] == {"label": "TOO_MANY_REQUESTS",
                                                  "message": "Request Rate limit Exceeded (211)"}
            assert answers[1]["header"]["x_gate_ratelimit_requests_remain"] == 0
            await ws.close()
    run(go())


def test_the_upgrade_notice_then_the_socket_closes():
    async def go():
        async with sim_and_session() as (sim, s):
            ws = await socket(sim, s)
            await ws.send_json(channel_request("spot.orders"))
            await ws.receive_json()
            assert await sim.state["gateio"].sockets.upgrade(grace=0.05) == 1
            notice = await ws.receive_json()
            assert notice["event"] == "upgrade"
            msg = await ws.receive()
            assert msg.type.name in ("CLOSE", "CLOSED", "CLOSING")
    run(go())


def test_order_api_batches_and_cancels_by_ids():
    async def go():
        async with sim_and_session() as (sim, s):
            ws = await socket(sim, s)
            await ws.send_json(login_request())
            await ws.receive_json()
            batch = [{**ORDER, "text": "t-wb1"}, {**ORDER, "text": "t-wb2", "amount": "5000"}]
            await ws.send_json(api_request("spot.order_place", "b1", batch))
            assert (await ws.receive_json())["ack"] is True
            placed = (await ws.receive_json())["data"]["result"]
            assert [p["succeeded"] for p in placed] == [True, False] and placed[1]["label"] == "AMOUNT_TOO_MUCH"
            await ws.send_json(api_request("spot.order_cancel_ids", "c1", [
                {"id": placed[0]["id"], "currency_pair": "BTC_USDT"}, {"text": "t-none", "currency_pair": "BTC_USDT"}]))
            cancelled = (await ws.receive_json())["data"]["result"]
            assert [c["succeeded"] for c in cancelled] == [True, False]
            assert cancelled[1]["label"] == "CLIENT_ID_NOT_FOUND"
            await ws.send_json(api_request("spot.order_list", "l1", {"currency_pair": "BTC_USDT",
                                                                     "status": "finished"}))
            assert [o["text"] for o in (await ws.receive_json())["data"]["result"]] == ["t-wb1"]
            await ws.close()
    run(go())
