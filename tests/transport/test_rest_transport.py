"""RestTransport over a loopback aiohttp server: retries reads only, re-signs each attempt, maps errors."""

import asyncio
import json

import pytest
import uvloop
from aiohttp import web

from engine.transport.errors import RequestTimeout
from engine.transport.http import RestTransport
from engine.transport.ratelimit import RateLimiter, Window
from engine.venues import errors as E
from engine.venues.binance.errors import check_response


async def server(script):
    """``script``: list of (status, body, headers, delay) answered in turn."""
    seen = []

    async def handler(request):
        seen.append((request.method, request.path_qs, await request.read()))
        status, body, headers, delay = script[min(len(seen) - 1, len(script) - 1)]
        if delay:
            await asyncio.sleep(delay)
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers,
                            content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}", seen


def make(url, venue="binance-spot", **kw):
    rl = RateLimiter(venue, weight=[Window("weight-1m", 6000, 60)])
    return RestTransport(url, limiter=rl, check=lambda r: check_response(venue, r, rl),
                         retry_delays=(0.01, 0.01, 0.01), headers={"X-MBX-APIKEY": "k"}, **kw), rl


def run(coro):
    return uvloop.run(asyncio.wait_for(coro, 20))


def test_get_retries_5xx_then_succeeds_and_resigns():
    async def main():
        runner, url, seen = await server([(503, {"msg": "Service Unavailable."}, {}, 0),
                                          (500, {"code": -1007, "msg": "Timeout"}, {}, 0),
                                          (200, {"ok": 1}, {"X-MBX-USED-WEIGHT-1M": "12"}, 0)])
        t, rl = make(url)
        n = iter(range(10))
        r = await t.request("GET", "/api/v3/order", sign=lambda: (f"ts={next(n)}", None, None))
        assert r.status == 200 and json.loads(r.body) == {"ok": 1}
        assert [q for _, q, _ in seen] == ["/api/v3/order?ts=0", "/api/v3/order?ts=1", "/api/v3/order?ts=2"]
        assert rl.weight[0].used >= 12
        await t.close()
        await runner.cleanup()

    run(main())


def test_post_with_unknown_outcome_is_not_resent():
    async def main():
        runner, url, seen = await server([(500, {"code": -1007, "msg": "Timeout waiting"}, {}, 0)])
        t, _ = make(url)
        with pytest.raises(E.OutcomeUnknown):
            await t.request("POST", "/api/v3/order", body=b"symbol=BTCUSDT")
        assert len(seen) == 1
        await t.close()
        await runner.cleanup()

    run(main())


def test_post_failed_for_certain_is_retried():
    async def main():
        runner, url, seen = await server([(503, {"msg": "Service Unavailable."}, {}, 0), (200, {}, {}, 0)])
        t, _ = make(url, "binance-usdm")  # USD-M says "Service Unavailable." failed for certain
        await t.request("POST", "/fapi/v1/listenKey")
        assert len(seen) == 2
        await t.close()
        await runner.cleanup()

    run(main())


def test_read_timeout_on_a_post_is_unknown():
    async def main():
        runner, url, seen = await server([(200, {}, {}, 1.0)])
        t, _ = make(url, read_timeout=0.2)
        with pytest.raises(RequestTimeout) as err:
            await t.request("POST", "/api/v3/order", body=b"x=1")
        assert err.value.outcome_unknown and len(seen) == 1
        await t.close()
        await runner.cleanup()

    run(main())


def test_rejection_is_typed_and_not_retried():
    async def main():
        runner, url, seen = await server([(400, {"code": -2010, "msg": "Duplicate order sent."}, {}, 0)])
        t, _ = make(url)
        with pytest.raises(E.DuplicateClientOrderId):
            await t.request("GET", "/api/v3/order")
        assert len(seen) == 1
        await t.close()
        await runner.cleanup()

    run(main())


# -- answer size caps, 1xx, cleartext (hardening) ------------------------------------------

async def raw_answer_server(answer: bytes, chunks: int = 1):
    """A raw server writing ``answer`` verbatim (in ``chunks`` pieces) to every request."""
    tasks = set()

    async def handler(reader, writer):
        tasks.add(asyncio.current_task())
        try:
            await reader.readuntil(b"\r\n\r\n")
            step = -(-len(answer) // chunks)
            for i in range(0, len(answer), step):
                writer.write(answer[i:i + step])
                await writer.drain()
            await reader.read()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    srv = await asyncio.start_server(handler, "127.0.0.1", 0)

    async def stop():
        srv.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    return f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}", stop


def _chunked(body: bytes, size: int = 4096) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize("answer, caps, match", [
    (OK_HEAD + b"Content-Length: %d\r\n\r\n" % (2 << 20) + b"x" * (2 << 20), {}, "over the 1048576-byte cap"),
    (OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + _chunked(b"x" * 5000), dict(max_body_bytes=4096), "body over"),
    (OK_HEAD + b"".join(b"X-%d: v\r\n" % i for i in range(101)) + b"Content-Length: 2\r\n\r\n{}", {}, "invalid answer"),
    (OK_HEAD + b"X-Big: " + b"a" * 20000 + b"\r\nContent-Length: 2\r\n\r\n{}", {}, "invalid answer"),
    (OK_HEAD + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 1000) for i in range(70)) + b"Content-Length: 2\r\n\r\n{}",
     {}, "head over 65536"),
    (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", {}, "101"),
], ids=["content-length", "chunked-body", "header-count", "header-line", "head-bytes", "101"])
def test_answers_over_a_cap_are_protocol_errors(answer, caps, match):
    from engine.transport.errors import ProtocolError

    async def main():
        url, stop = await raw_answer_server(answer, chunks=8)
        t, _ = make(url, **caps)
        try:
            with pytest.raises(ProtocolError, match=match) as err:
                await t.request("POST", "/api/v3/order", body=b"x=1")
            assert err.value.sent and err.value.outcome_unknown
        finally:
            await t.close()
            await stop()

    run(main())


def test_answers_within_the_caps_pass():
    answers = [OK_HEAD + b"Content-Length: 4096\r\n\r\n" + b"x" * 4096,
               OK_HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + _chunked(b"y" * 4096),
               OK_HEAD + b"".join(b"X-%d: v\r\n" % i for i in range(97)) + b"Content-Length: 2\r\n\r\n{}"]

    async def main():
        for answer in answers:
            url, stop = await raw_answer_server(answer, chunks=4)
            t, _ = make(url, max_body_bytes=4096)
            try:
                r = await t.request("POST", "/api/v3/order", body=b"x=1")
                assert r.status == 200 and len(r.body) in (2, 4096)
            finally:
                await t.close()
                await stop()

    run(main())


@pytest.mark.parametrize("url", ["http://example.com", "http://10.1.2.3:80", "HTTP://API.BYBIT.COM"])
def test_cleartext_to_a_remote_host_is_refused(url):
    from engine.errors import ConfigError

    with pytest.raises(ConfigError, match="plain http"):
        make(url)


def test_a_request_that_waits_for_the_budget_is_signed_again_when_it_leaves():
    """Signed, then held by the rate limiter: it leaves with a timestamp taken after the wait (a venue's
    receive window counts from the signature; a request aged by the wait would be refused)."""
    async def main():
        runner, url, seen = await server([(200, {"ok": 1}, {}, 0)])
        t, rl = make(url)
        t.limiter = RateLimiter("binance-spot", weight=[Window("weight-1s", 1, 0.3, aligned=False)])
        loop = asyncio.get_running_loop()
        stamps = []

        def sign():
            stamps.append(loop.time())
            return f"ts={len(stamps)}", None, None

        await t.request("GET", "/api/v3/order", sign=sign)           # takes the one unit of the window
        assert [q for _, q, _ in seen] == ["/api/v3/order?ts=1"] and len(stamps) == 1
        await t.request("GET", "/api/v3/order", sign=sign)           # waits for the window to roll
        assert len(stamps) == 3 and stamps[2] - stamps[1] > 0.1      # signed, waited, signed again
        assert [q for _, q, _ in seen][-1] == "/api/v3/order?ts=3"    # the fresh signature went out
        await t.close()
        await runner.cleanup()

    run(main())
