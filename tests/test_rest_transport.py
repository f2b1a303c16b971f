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
