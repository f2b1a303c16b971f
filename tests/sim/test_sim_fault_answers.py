"""engine.sim's fault model, the answers themselves: the grammar, garbage answers on REST
and WebSocket order entry, and HTTP/1.1 interim responses checked byte for byte on a
raw socket.
"""

import asyncio
import json

import aiohttp
import pytest

from engine.sim.faults import FaultSpecError, parse_faults
from tests.support.sim_entries import REST_ENTRIES, WS_ENTRIES, binance_order_params, binance_rest_request, bybit_headers, entry
from tests.support.sim_fixtures import run, sim_and_session

pytestmark = pytest.mark.timeout(60)


# -- grammar ---------------------------------------------------------------------------------------
def test_grammar_defaults_aliases_and_params():
    f = parse_faults(["POST api/v3/order:unknown", "fapi/v1/order:http503:process=later,delay_ms=300",
                      "v5/order/create:garbage:kind=truncated", "order.place:garbage:kind=noid,process=never",
                      "api/v3/order:interim:code=103", "x/y:drop", "order.create:before_process_drop",
                      "order.create:drop_after", "stream.bybit:stream_delay:ms=50,nth=2",
                      "stream.binance-spot:stream_lose", "*:http429"])
    got = [(x.target, x.verb, x.process, x.delay_ms, x.kind, x.code, x.ms) for x in f]
    assert got == [
        ("POST api/v3/order", "unknown", "never", 1500, "html", 100, 200),
        ("fapi/v1/order", "http503", "later", 300, "html", 100, 200),
        ("v5/order/create", "garbage", "first", 1500, "truncated", 100, 200),
        ("order.place", "garbage", "never", 1500, "noid", 100, 200),
        ("api/v3/order", "interim", "first", 1500, "html", 103, 200),
        ("x/y", "drop", "never", 1500, "html", 100, 200),
        ("order.create", "drop", "never", 1500, "html", 100, 200),
        ("order.create", "drop", "first", 1500, "html", 100, 200),
        ("stream.bybit", "stream_delay", None, 1500, "html", 100, 50),
        ("stream.binance-spot", "stream_lose", None, 1500, "html", 100, 200),
        ("*", "http429", None, 1500, "html", 100, 200)]
    assert [x.action for x in f[6:8]] == ["before_process_drop", "after_process_drop"]   # as written
    for bad in ("order.place:interim",                    # interim is HTTP only
                "ws-api/v3:interim", "api/v3/order:garbage:kind=noid",   # noid is for WebSocket answers
                "api/v3/order:garbage:kind=xml", "api/v3/order:interim:code=200",
                "api/v3/order:unknown:process=sometimes", "api/v3/order:unknown:delay_ms=300",
                "api/v3/order:after_process_drop:process=later",   # the alias fixes the mode
                "api/v3/order:http429:process=first", "api/v3/order:latency:process=first",
                "api/v3/order:unknown:ms=5", "stream.bybit:unknown", "api/v3/order:stream_lose",
                "stream.bybit:stream_lose:kind=html"):
        with pytest.raises(FaultSpecError):
            parse_faults([bad])


# -- garbage -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["html", "truncated", "empty"])
@pytest.mark.parametrize("name", REST_ENTRIES)
def test_rest_garbage_answer_after_processing(name, kind):
    async def go():
        async with entry(name) as e:
            e.sim.add_faults(f"{e.target}:garbage:kind={kind},nth=1")
            text = await e.place("g-1")
            assert e.last_status == 200
            if kind == "html":
                assert e.last_content_type.startswith("text/html") and text.startswith("<!DOCTYPE html>")
            elif kind == "empty":
                assert text == ""
            else:
                with pytest.raises(ValueError):
                    json.loads(text)
                real = e.sim.faults.log[-1].unheard[1]          # the answer it was cut from
                assert json.dumps(real, separators=(",", ":")).startswith(text) and len(text) > 1
            assert await e.exists("g-1") and e.count("g-1") == 1   # garbage defaults to process=first
            await e.wait_event("g-1")
    run(go())


@pytest.mark.parametrize("kind", ["html", "truncated", "empty", "noid"])
@pytest.mark.parametrize("name", WS_ENTRIES)
def test_ws_garbage_answer_after_processing(name, kind):
    async def go():
        async with entry(name) as e:
            e.sim.add_faults(f"{e.target}:garbage:kind={kind},nth=1")
            text = await e.place("g-1")
            id_field = "id" if name == "spot-ws" else "reqId"
            if kind == "html":
                assert text.startswith("<!DOCTYPE html>")
            elif kind == "empty":
                assert text == ""
            elif kind == "truncated":
                with pytest.raises(ValueError):
                    json.loads(text)
                assert text.startswith("{")
            else:
                body = json.loads(text)
                assert id_field not in body                             # the real answer, minus its id
                assert body.get("status") == 200 or body.get("retCode") == 0
            assert await e.exists("g-1") and e.count("g-1") == 1
            # the socket is still usable: the next request is answered normally
            nxt = json.loads(await e.place("g-2"))
            assert nxt[id_field] == "g-2" and (nxt.get("status") == 200 or nxt.get("retCode") == 0)
    run(go())


def test_ws_garbage_never_processed_is_the_unknown_answer_cut():
    async def go():
        async with entry("spot-ws") as e:
            e.sim.add_faults("order.place:garbage:kind=noid,process=never,nth=1")
            body = json.loads(await e.place("g-0"))
            assert body == {"status": 503, "error": {"code": -1007, "msg": body["error"]["msg"]}}
            assert not await e.exists("g-0")
    run(go())


# -- interim responses on a raw socket -------------------------------------------------------------
INTERIM = {100: b"HTTP/1.1 100 Continue\r\n\r\n",
           103: b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n",
           101: b"HTTP/1.1 101 Switching Protocols\r\n\r\n"}


async def raw_exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 5)      # the server closes: Connection: close
    writer.close()
    return data


def split_final(data: bytes) -> tuple[bytes, dict, bytes]:
    """One complete HTTP/1.1 response: (status line, headers, body); nothing may follow it."""
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(b":", 1) for ln in lines[1:])}
    n = int(headers[b"content-length"])
    assert len(rest) == n, (len(rest), n, rest)
    return lines[0], headers, rest


@pytest.mark.parametrize("code", [100, 103, 101])
def test_interim_then_final_answer_exact_bytes(code):
    async def go():
        async with sim_and_session(faults=[f"POST api/v3/order:interim:code={code},nth=1"]) as (sim, s):
            url, headers = binance_rest_request(sim.url, "/api/v3/order", binance_order_params("i-1"))
            req = (f"POST {url.raw_path_qs} HTTP/1.1\r\nHost: 127.0.0.1:{sim.port}\r\n"
                   f"X-MBX-APIKEY: {headers['X-MBX-APIKEY']}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            data = await raw_exchange(sim.port, req.encode())
            assert data.startswith(INTERIM[code])
            status, hdrs, body = split_final(data[len(INTERIM[code]):])
            assert status == b"HTTP/1.1 200 OK" and hdrs[b"content-type"].startswith(b"application/json")
            assert json.loads(body)["clientOrderId"] == "i-1"           # the real answer: processed first
            assert sim.client_order_count("test-key", "binance-spot", "i-1") == 1
            rec = sim.faults.log[-1]
            assert (rec.action, rec.process) == ("interim", "first")
    run(go())


def test_interim_on_bybit_never_processed_ends_with_the_unknown_answer():
    async def go():
        async with sim_and_session(faults=["v5/order/create:interim:process=never,nth=1"]) as (sim, s):
            body = json.dumps({"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit",
                               "qty": "0.01", "price": "49000", "orderLinkId": "i-2"})
            h = bybit_headers(body)
            req = ("POST /v5/order/create HTTP/1.1\r\nHost: x\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items())
                   + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n" + body)
            data = await raw_exchange(sim.port, req.encode())
            assert data.startswith(INTERIM[100])
            status, _, final = split_final(data[len(INTERIM[100]):])
            assert status == b"HTTP/1.1 200 OK" and json.loads(final)["retCode"] == 10016
            assert sim.client_order_count("test-key", "bybit", "i-2") == 0
    run(go())


@pytest.mark.parametrize("code", [100, 103])
def test_stock_client_reads_through_interim_answers(code):
    """aiohttp's client skips 100/103 and reads the final answer: the interim bytes are well formed."""
    async def go():
        async with sim_and_session(faults=[f"fapi/v1/order:interim:code={code}"]) as (sim, s):
            url, headers = binance_rest_request(sim.url, "/fapi/v1/order", binance_order_params("i-3"))
            async with s.post(url, headers=headers) as r:
                assert r.status == 200 and (await r.json())["clientOrderId"] == "i-3"
            # keep-alive survives: the next request on the pooled connection is fine
            url, headers = binance_rest_request(sim.url, "/fapi/v1/order", binance_order_params("i-4"))
            async with s.post(url, headers=headers) as r:
                assert r.status == 200 and (await r.json())["clientOrderId"] == "i-4"
    run(go())


def test_bogus_101_is_not_a_final_answer_for_a_stock_client():
    async def go():
        async with sim_and_session(faults=["api/v3/order:interim:code=101,nth=1"]) as (sim, s):
            url, headers = binance_rest_request(sim.url, "/api/v3/order", binance_order_params("i-6"))
            try:
                async with s.post(url, headers=headers) as r:
                    ok = r.status == 200
            except aiohttp.ClientError:
                ok = False
            assert not ok              # whatever the client makes of it, it is not the order's answer
            assert sim.client_order_count("test-key", "binance-spot", "i-6") == 1
    run(go())
