"""engine.sim's fault model, order entry: what the client hears and what the venue does
are chosen apart (``process=never|first|later``), on every order entry.

For each of Binance spot REST and WS API, USD-M REST, Bybit REST and trade socket, and
for both unknown-outcome answers (``unknown`` and ``http503``): processed first (the order
exists, its stream event went out), processed later (nothing right after the answer,
the order and its event after the delay), later beyond the request's recvWindow (the
venue refuses it then: never an order) and never.
"""

import asyncio
import json

import pytest

from tests.support.sim_entries import ENTRIES, REST_ENTRIES, WS_ENTRIES, entry
from tests.support.sim_fixtures import now_ms, run, ws_signed

pytestmark = pytest.mark.timeout(60)

SPOT_UNKNOWN = {"code": -1007, "msg": "Timeout waiting for response from backend server. Send status unknown; "
                                      "execution status unknown."}
USDM_UNKNOWN = {"code": -1000, "msg": "Unknown error, please check your request or try again later."}


def assert_unknown_answer(e, text: str, action: str, cid: str) -> None:
    """The answer is the venue's documented unknown-outcome (or 5xx) answer for this entry."""
    body = json.loads(text)
    if e.name == "spot":
        assert e.last_status == 503 and body == SPOT_UNKNOWN
    elif e.name == "usdm":
        assert e.last_status == 503 and body == (USDM_UNKNOWN if action == "unknown" else SPOT_UNKNOWN)
    elif e.name == "bybit":
        assert e.last_status == (200 if action == "unknown" else 503)
        assert body["retCode"] == 10016 and body["result"] == {}
    elif e.name == "spot-ws":
        if action == "unknown":
            assert body == {"id": cid, "status": 503, "error": SPOT_UNKNOWN}
        else:
            assert body["id"] == cid and body["status"] == 500 and body["error"]["code"] == -1001
    else:
        assert body["reqId"] == cid and body["op"] == "order.create" and body["retCode"] == 10016


def answer_record(sim, cid_fault_spec: str):
    return next(r for r in reversed(sim.faults.log) if r.spec == cid_fault_spec)


@pytest.mark.parametrize("action", ["unknown", "http503"])
@pytest.mark.parametrize("name", ENTRIES)
def test_unknown_outcome_processed_first_later_too_late_and_never(name, action):
    async def go():
        async with entry(name) as e:
            sim = e.sim
            # process=first: the venue has the order, the client heard "unknown"
            spec = f"{e.target}:{action}:process=first,nth=1"
            sim.add_faults(spec)
            assert_unknown_answer(e, await e.place("first-1"), action, "first-1")
            assert await e.exists("first-1") and e.count("first-1") == 1
            await e.wait_event("first-1")
            rec = answer_record(sim, spec)
            assert (rec.action, rec.process) == (action, "first") and rec.unheard is not None
            # process=later: nothing right after the answer, the order ~300 ms later
            sim.clear_faults()
            spec = f"{e.target}:{action}:process=later,delay_ms=300,nth=1"
            sim.add_faults(spec)
            assert_unknown_answer(e, await e.place("later-1"), action, "later-1")
            assert not await e.exists("later-1") and e.count("later-1") == 0
            assert "later-1" not in e.cids_seen()
            await asyncio.sleep(0.5)
            assert await e.exists("later-1") and e.count("later-1") == 1
            await e.wait_event("later-1")
            rec = answer_record(sim, spec)
            assert (rec.action, rec.process, rec.delay_ms) == (action, "later", 300) and rec.processed_ms
            # process=later beyond the request's recvWindow: the venue refuses it when it gets to it
            sim.clear_faults()
            spec = f"{e.target}:{action}:process=later,delay_ms=600,nth=1"
            sim.add_faults(spec)
            assert_unknown_answer(e, await e.place("late-1", recv_window=200), action, "late-1")
            await sim.settle_later()
            assert not await e.exists("late-1") and e.count("late-1") == 0
            status, unheard = answer_record(sim, spec).unheard
            if e.family == "bybit":
                assert unheard["retCode"] == 10002                  # request time outside recv_window
            else:
                assert status == 400 and (unheard.get("error") or unheard)["code"] == -1021
            # process=never
            sim.clear_faults()
            sim.add_faults(f"{e.target}:{action}:process=never,nth=1")
            assert_unknown_answer(e, await e.place("never-1"), action, "never-1")
            await asyncio.sleep(0.3)
            assert not await e.exists("never-1") and e.count("never-1") == 0
            # the refused and the never-processed orders left no stream event either
            assert {"late-1", "never-1"}.isdisjoint(e.cids_seen())
            assert e.cids_seen().count("first-1") == 1 and e.cids_seen().count("later-1") == 1
    run(go())


@pytest.mark.parametrize("name", ["spot", "bybit-ws"])
def test_defaults_keep_todays_behaviour(name):
    """Without process=, 5xx/unknown/drop leave no order (as http5xx and
    before_process_drop always did) and after_process_drop still processes first."""
    async def go():
        async with entry(name) as e:
            e.sim.add_faults(f"{e.target}:unknown:nth=1", f"{e.target}:http500:nth=2",
                             f"{e.target}:drop:nth=3", f"{e.target}:after_process_drop:nth=4")
            for cid in ("d-1", "d-2", "d-3"):
                await e.place(cid)
                if e.ws is not None and e.ws.closed:
                    await e.reconnect()
            assert await e.place("d-4") is None                    # dropped after processing
            await asyncio.sleep(0.1)
            assert [e.count(c) for c in ("d-1", "d-2", "d-3", "d-4")] == [0, 0, 0, 1]
            assert [(r.action, r.process) for r in e.sim.faults.log] == [
                ("unknown", "never"), ("http500", "never"), ("drop", "never"), ("drop", "first")]
    run(go())


@pytest.mark.parametrize("name", ["usdm", "spot-ws", "bybit-ws"])
def test_drop_now_process_later(name):
    """The connection is closed with no answer and the order appears after the delay."""
    async def go():
        async with entry(name) as e:
            e.sim.add_faults(f"{e.target}:drop:process=later,delay_ms=200,nth=1")
            assert await e.place("gone-1") is None
            if e.ws is not None:
                await e.reconnect()
            assert not await e.exists("gone-1")
            await e.sim.settle_later()
            assert await e.exists("gone-1") and e.count("gone-1") == 1
            await e.wait_event("gone-1")
    run(go())


@pytest.mark.parametrize("name", REST_ENTRIES + WS_ENTRIES)
def test_stop_cancels_pending_later_processing(name):
    """A request put off past the simulator's life is never processed, and stop() does not wait for it."""
    async def go():
        async with entry(name) as e:
            e.sim.add_faults(f"{e.target}:unknown:process=later,delay_ms=5000,nth=1")
            await e.place("never-seen")
            tasks = set(e.sim.deferred.tasks)
            assert len(tasks) == 1
            sim = e.sim
        assert all(t.cancelled() for t in tasks) and not sim.deferred.tasks
        assert sim.client_order_count("test-key", e.venue, "never-seen") == 0
    run(go(), timeout=10)


def test_cancel_requests_take_the_same_modes():
    """Not only placement: a cancel answered "unknown" is carried out later (WS API order.cancel
    and Bybit's order.cancel op)."""
    async def go():
        async with entry("spot-ws") as e:
            await e.place("c-1")
            e.sim.add_faults("order.cancel:unknown:process=later,delay_ms=200,nth=1")
            await e.ws.send_json({"id": "x", "method": "order.cancel", "params": ws_signed(
                {"symbol": "BTCUSDT", "origClientOrderId": "c-1"})})
            assert json.loads((await e.ws.receive()).data)["status"] == 503
            order = e.sim.core.find_client("bspot", e.sim.account_for("test-key"), "c-1")
            assert order.is_open
            await e.sim.settle_later()
            assert not order.is_open and order.status == "CANCELED"
        async with entry("bybit-ws") as e:
            await e.place("c-2")
            e.sim.add_faults("order.cancel:unknown:process=first,nth=1")
            await e.ws.send_json({"reqId": "x", "op": "order.cancel", "header": {"X-BAPI-TIMESTAMP": str(now_ms())},
                                  "args": [{"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "c-2"}]})
            assert json.loads((await e.ws.receive()).data)["retCode"] == 10016
            order = e.sim.core.find_client("ylinear", e.sim.account_for("test-key"), "c-2")
            assert not order.is_open
    run(go())
