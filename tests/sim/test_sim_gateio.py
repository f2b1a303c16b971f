"""engine.sim's Gate.io spot personality over REST (gateio-spot.md §2, §4, §5, §6), driven by a plain
client written from the sheet: signatures and their refusals, the create answer in its three modes,
outcomes from status + finish_as + filled_amount/left, lookups by text only while open, duplicate
texts, amend priority, cancels, batches, lists, trades, balances, market data, rate limits."""

import time

import pytest

from engine.sim.gateio.state import state_of
from tests.sim.gateio_client import Gate
from tests.support.sim_fixtures import run, sim_and_session

pytestmark = pytest.mark.timeout(60)


def test_signatures_timestamps_and_headers_are_checked_exactly():
    async def go():
        async with sim_and_session() as (sim, s):
            g = Gate(sim, s)
            assert (await g.call("GET", "/spot/accounts"))[0] == 200
            st, b, _ = await g.call("GET", "/spot/accounts", sign_with="wrong")
            assert (st, b["label"]) == (401, "INVALID_SIGNATURE")
            st, b, _ = await g.call("GET", "/spot/accounts", key="nobody")
            assert (st, b["label"]) == (401, "INVALID_KEY")
            st, b, _ = await g.call("GET", "/spot/accounts", signed=False)
            assert (st, b["label"]) == (401, "MISSING_REQUIRED_HEADER")
            st, b, _ = await g.call("GET", "/spot/accounts", ts=str(int(time.time()) - 61))
            assert (st, b["label"]) == (401, "REQUEST_EXPIRED")
            # the official SDK's float Timestamp is taken as the venue takes it
            assert (await g.call("GET", "/spot/accounts", ts=f"{time.time():.3f}"))[0] == 200
            # the query is signed exactly as sent: a comma encoded on one side only fails
            st, _, _ = await g.call("GET", "/spot/orders", "currency_pair=BTC_USDT&status=open")
            assert st == 200
            st, b, _ = await g.call("GET", "/spot/orders", "currency_pair=BTC_USDT&status=open",
                                    headers={"X-Gate-Exptime": str(int(time.time() * 1000) - 1)})
            assert (st, b["label"]) == (401, "REQUEST_EXPIRED")
            st, b, _ = await g.call("GET", "/spot/nothing")
            assert (st, b["label"]) == (404, "NOT_FOUND")
    run(go())


def test_create_answers_by_action_mode_and_outcomes_by_finish_as():
    async def go():
        async with sim_and_session() as (sim, s):
            g = Gate(sim, s)
            state_of(sim).limiter.place_per_s = 100
            st, full, _ = await g.call("POST", "/spot/orders", body=g.order(text="t-full"))
            assert st == 201 and full["status"] == "open" and full["finish_as"] == "open"
            assert isinstance(full["create_time_ms"], int) and isinstance(full["id"], str)
            assert (full["left"], full["filled_amount"], full["fee"]) == ("0.01", "0", "0")
            st, ack, _ = await g.call("POST", "/spot/orders", body=g.order(text="t-ack", action_mode="ACK"))
            assert st == 201 and set(ack) == {"id", "text", "amend_text"} and ack["text"] == "t-ack"
            st, res, _ = await g.call("POST", "/spot/orders", body=g.order(text="t-res", action_mode="RESULT"))
            assert st == 201 and "fee" not in res and res["status"] == "open"
            # post-only that would take, IOC and FOK that cannot fill: 201, cancelled, finish_as says why
            for tif, price, amount, finish in (("poc", "51000", "0.01", "poc"), ("ioc", "40000", "0.01", "ioc"),
                                               ("fok", "51000", "900", "fok")):
                st, b, _ = await g.call("POST", "/spot/orders",
                                        body=g.order(time_in_force=tif, price=price, amount=amount))
                assert (st, b["status"], b["finish_as"]) == (201, "cancelled", finish), (tif, b)
            state_of(sim).poc_error = state_of(sim).fok_error = True
            st, b, _ = await g.call("POST", "/spot/orders", body=g.order(time_in_force="poc", price="51000"))
            assert (st, b["label"]) == (400, "POC_FILL_IMMEDIATELY")
            st, b, _ = await g.call("POST", "/spot/orders", body=g.order(time_in_force="fok", price="51000",
                                                                           amount="900"))
            assert (st, b["label"]) == (400, "FOK_NOT_FILL")
            st, b, _ = await g.call("POST", "/spot/orders", body=g.order(price="51000", text="t-taker"))
            assert (st, b["status"], b["finish_as"], b["left"]) == (201, "closed", "filled", "0")
            assert b["filled_amount"] == "0.01" and b["fee_currency"] == "BTC" and b["fee"] == "0.00002"
            # a market BUY spends its amount in USDT
            st, b, _ = await g.call("POST", "/spot/orders", body=g.order(type="market", amount="100", price=None,
                                                                           time_in_force="ioc"))
            assert st == 201 and b["status"] == "closed" and b["amount"] == "100"
            assert 99 < float(b["filled_total"]) <= 100
            for change, label in (({"currency_pair": "NOPE_USDT"}, "INVALID_CURRENCY_PAIR"),
                                  ({"price": "49000.001"}, "INVALID_PRECISION"),
                                  ({"amount": "0.0000001"}, "INVALID_PRECISION"),
                                  ({"amount": "0.00001"}, "AMOUNT_TOO_LITTLE"),
                                  ({"amount": "5000"}, "AMOUNT_TOO_MUCH"),
                                  ({"amount": "5"}, "BALANCE_NOT_ENOUGH"),
                                  ({"text": "abc"}, "INVALID_PARAM_VALUE"),
                                  ({"text": "t-" + "x" * 29}, "INVALID_PARAM_VALUE"),
                                  ({"side": "long"}, "INVALID_PARAM_VALUE"),
                                  ({"amount": None}, "MISSING_REQUIRED_PARAM"),
                                  ({"type": "market", "time_in_force": "gtc"}, "INVALID_PARAM_VALUE")):
                st, b, _ = await g.call("POST", "/spot/orders", body=g.order(**change))
                assert (st, b["label"]) == (400, label), (change, b)
    run(go())


def test_text_lookups_only_while_open_and_the_later_order_takes_a_text():
    async def go():
        async with sim_and_session() as (sim, s):
            g = Gate(sim, s)
            _, first, _ = await g.call("POST", "/spot/orders", body=g.order(text="t-dup"))
            _, second, _ = await g.call("POST", "/spot/orders", body=g.order(text="t-dup", price="48000"))
            assert first["id"] != second["id"]                      # Gate does not refuse a text it holds
            assert sim.client_order_count("test-key", "gateio", "t-dup") == 2
            _, got, _ = await g.call("GET", "/spot/orders/t-dup", "currency_pair=BTC_USDT")
            assert got["id"] == second["id"]                        # the later order wins text lookups
            st, cancelled, _ = await g.call("DELETE", "/spot/orders/t-dup", "currency_pair=BTC_USDT")
            assert st == 200 and cancelled["status"] == "cancelled" and cancelled["id"] == second["id"]
            # the text is the later order's, now finished: not found by text, though the first is open
            st, b, _ = await g.call("GET", "/spot/orders/t-dup", "currency_pair=BTC_USDT")
            assert (st, b["label"]) == (404, "CLIENT_ID_NOT_FOUND")
            await g.call("DELETE", f"/spot/orders/{first['id']}", "currency_pair=BTC_USDT")
            st, b, _ = await g.call("GET", f"/spot/orders/{first['id']}", "currency_pair=BTC_USDT")
            assert st == 200 and b["status"] == "cancelled"         # by id whatever its state
            st, b, _ = await g.call("DELETE", f"/spot/orders/{first['id']}", "currency_pair=BTC_USDT")
            assert (st, b["label"]) == (400, "ORDER_CANCELLED")
            st, b, _ = await g.call("GET", "/spot/orders/99999999", "currency_pair=BTC_USDT")
            assert (st, b["label"]) == (404, "ORDER_NOT_FOUND")
            _, fin, _ = await g.call("GET", "/spot/orders", "currency_pair=BTC_USDT&status=finished&limit=10")
            assert [o["id"] for o in fin] == [second["id"], first["id"]]          # newest first
            st, b, _ = await g.call("GET", "/spot/orders", "currency_pair=BTC_USDT&status=open&limit=101")
            assert (st, b["label"]) == (400, "INVALID_PARAM_VALUE")
    run(go())


def test_amend_keeps_priority_only_on_a_smaller_amount_and_partial_cancels_keep_their_fills():
    async def go():
        async with sim_and_session() as (sim, s):
            g = Gate(sim, s)
            _, a, _ = await g.call("POST", "/spot/orders", body=g.order(text="t-a", amount="0.02", price="49995"))
            _, b, _ = await g.call("POST", "/spot/orders", body=g.order(text="t-b", amount="0.02", price="49995"))
            st, am, _ = await g.call("PATCH", f"/spot/orders/{a['id']}", "currency_pair=BTC_USDT",
                                     {"amount": "0.01", "amend_text": "smaller"})
            assert st == 200 and (am["amount"], am["amend_text"]) == ("0.01", "smaller")
            book = sim.core.books[("gate", "BTC_USDT")]       # our bids lead the market maker's 49990
            queue = [o.oid for o in book.orders("BUY") if o.price == 49995]
            assert queue.index(int(a["id"])) < queue.index(int(b["id"]))      # still ahead
            await g.call("PATCH", f"/spot/orders/{a['id']}", "currency_pair=BTC_USDT", {"amount": "0.03"})
            queue = [o.oid for o in book.orders("BUY") if o.price == 49995]
            assert queue.index(int(a["id"])) > queue.index(int(b["id"]))      # to the back
            # partly filled, then cancelled: left and filled_amount tell it
            sim.place_for("test-key-2", "gateio", "BTC_USDT", "SELL", "0.025")
            _, got, _ = await g.call("GET", f"/spot/orders/{b['id']}", "currency_pair=BTC_USDT")
            assert got["filled_amount"] == "0.02" and got["status"] == "closed"
            _, got, _ = await g.call("GET", f"/spot/orders/{a['id']}", "currency_pair=BTC_USDT")
            assert (got["filled_amount"], got["left"]) == ("0.005", "0.025")
            st, c, _ = await g.call("DELETE", f"/spot/orders/{a['id']}", "currency_pair=BTC_USDT")
            assert (c["status"], c["finish_as"], c["filled_amount"], c["left"]) == \
                ("cancelled", "cancelled", "0.005", "0.025")
            # an amount at or below the filled amount cancels
            _, d, _ = await g.call("POST", "/spot/orders", body=g.order(text="t-d", amount="0.02", price="49995"))
            sim.place_for("test-key-2", "gateio", "BTC_USDT", "SELL", "0.01")
            _, am, _ = await g.call("PATCH", f"/spot/orders/{d['id']}", "currency_pair=BTC_USDT",
                                    {"amount": "0.005"})
            assert (am["status"], am["filled_amount"]) == ("cancelled", "0.01")
            _, trades, _ = await g.call("GET", "/spot/my_trades", "currency_pair=BTC_USDT")
            assert {t["order_id"] for t in trades} == {a["id"], b["id"], d["id"]}
            assert all(isinstance(t["id"], str) and t["text"].startswith("t-") for t in trades)
            _, mine, _ = await g.call("GET", "/spot/my_trades", f"currency_pair=BTC_USDT&order_id={a['id']}")
            assert [t["amount"] for t in mine] == ["0.005"] and mine[0]["role"] == "maker"
    run(go())


def test_cancel_all_batches_and_balances():
    async def go():
        async with sim_and_session() as (sim, s):
            g = Gate(sim, s)
            st, placed, _ = await g.call("POST", "/spot/batch_orders", body=[
                g.order(text="t-b1"), g.order(text="t-b2", currency_pair="ETH_USDT", price="2900", amount="0.1"),
                g.order(text="t-b3", amount="5000"), g.order(text=None)])
            assert st == 200 and [p["succeeded"] for p in placed] == [True, True, False, False]
            assert placed[2]["label"] == "AMOUNT_TOO_MUCH" and placed[2]["text"] == "t-b3"
            assert placed[3]["label"] == "MISSING_REQUIRED_PARAM"
            _, amended, _ = await g.call("POST", "/spot/amend_batch_orders", body=[
                {"order_id": placed[0]["id"], "currency_pair": "BTC_USDT", "price": "48000"},
                {"order_id": "123", "currency_pair": "BTC_USDT", "price": "48000"}])
            assert [a["succeeded"] for a in amended] == [True, False] and amended[0]["price"] == "48000"
            _, accts, _ = await g.call("GET", "/spot/accounts", "currency=USDT")
            assert accts == [{"currency": "USDT", "available": "99230", "locked": "770", "update_id": 1}]
            _, groups, _ = await g.call("GET", "/spot/open_orders")
            assert {x["currency_pair"]: x["total"] for x in groups} == {"BTC_USDT": 1, "ETH_USDT": 1}
            _, cancelled, _ = await g.call("POST", "/spot/cancel_batch_orders", body=[
                {"currency_pair": "ETH_USDT", "id": placed[1]["id"]}, {"currency_pair": "ETH_USDT", "id": "1"}])
            assert [c["succeeded"] for c in cancelled] == [True, False]
            st, rows, _ = await g.call("DELETE", "/spot/orders", "currency_pair=BTC_USDT")
            assert st == 200 and [r["text"] for r in rows] == ["t-b1"] and rows[0]["status"] == "cancelled"
            _, accts, _ = await g.call("GET", "/spot/accounts", "currency=USDT")
            assert accts[0]["locked"] == "0"
            st, b, _ = await g.call("POST", "/spot/countdown_cancel_all", body={"timeout": 2,
                                                                                "currency_pair": "BTC_USDT"})
            assert (st, b["label"]) == (400, "INVALID_PARAM_VALUE")
    run(go())


def test_market_data_and_what_ccxt_loads():
    async def go():
        async with sim_and_session() as (sim, s):
            g = Gate(sim, s)
            _, t, _ = await g.call("GET", "/spot/time", signed=False)
            assert abs(t["server_time"] - time.time() * 1000) < 5000
            _, pairs, _ = await g.call("GET", "/spot/currency_pairs", signed=False)
            btc = next(p for p in pairs if p["id"] == "BTC_USDT")
            assert (btc["precision"], btc["amount_precision"], btc["trade_status"]) == (2, 6, "tradable")
            _, one, _ = await g.call("GET", "/spot/currency_pairs/ETH_USDT", signed=False)
            assert one["base"] == "ETH"
            _, book, _ = await g.call("GET", "/spot/order_book", "currency_pair=BTC_USDT&limit=2", signed=False)
            assert len(book["asks"]) == 2 and float(book["bids"][0][0]) < float(book["asks"][0][0])
            _, tick, _ = await g.call("GET", "/spot/tickers", "currency_pair=BTC_USDT", signed=False)
            assert tick[0]["lowest_ask"] == book["asks"][0][0]
            _, candles, _ = await g.call("GET", "/spot/candlesticks", "currency_pair=BTC_USDT&interval=1m&limit=3",
                                         signed=False)
            assert len(candles) == 3 and len(candles[0]) == 8
            for path in ("/margin/currency_pairs", "/futures/usdt/contracts", "/delivery/usdt/contracts",
                         "/options/underlyings"):
                assert (await g.call("GET", path, signed=False))[:2] == (200, [])
            _, detail, _ = await g.call("GET", "/account/detail")
            assert detail["key"]["mode"] == 1
    run(go())


def test_place_and_amend_share_ten_per_second_per_pair_and_cancels_have_their_own_window():
    async def go():
        async with sim_and_session() as (sim, s):
            g = Gate(sim, s)
            state_of(sim).limiter.cancel_per_s = 3
            codes = []
            for i in range(11):
                st, b, h = await g.call("POST", "/spot/orders", body=g.order(text=f"t-r{i}", price="40000"))
                codes.append(st)
            assert codes == [201] * 10 + [429] and b["label"] == "TOO_MANY_REQUESTS"
            assert h["X-Gate-RateLimit-Limit"] == "10" and h["X-Gate-RateLimit-Requests-Remain"] == "0"
            assert int(h["X-Gate-RateLimit-Reset-Timestamp"]) > time.time() * 1000
            st, _, _ = await g.call("POST", "/spot/orders", body=g.order(currency_pair="ETH_USDT", price="2000",
                                                                          amount="0.1"))
            assert st == 201                                           # another pair, another window
            cancels = [(await g.call("DELETE", f"/spot/orders/t-r{i}", "currency_pair=BTC_USDT"))[0]
                       for i in range(4)]
            assert cancels == [200, 200, 200, 429]
    run(go())


def test_the_limit_options_set_the_place_and_cancel_windows():
    from engine.sim.cli import build_parser
    from engine.sim.cli_limits import limits_from

    limits = limits_from(build_parser().parse_args(["--gateio-per-second", "7", "--gateio-cancels-per-second", "9"]))
    assert (limits.gateio_place_per_second, limits.gateio_cancel_per_second) == (7, 9)
    defaults = limits_from(build_parser().parse_args([]))
    assert (defaults.gateio_place_per_second, defaults.gateio_cancel_per_second) == (10, 200)
