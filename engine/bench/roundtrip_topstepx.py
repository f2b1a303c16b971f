"""Stages 4-5 on TopstepX (the simulator's ProjectX Gateway personality, on its own port): this engine's
lean REST order path, a plain aiohttp client doing the same JSON POSTs with the bearer token, and
project-x-py (the stock client the TopstepX issue names) where it can run.  Each places a resting
LIMIT buy of one MNQ contract below the market and cancels it by its order id, as on the other
venues (:mod:`engine.bench.roundtrip`); the floor row is TopstepX's own
(:func:`open_topstepx_floor`, below).

The simulator's TopstepX limit (200 requests / 60 s) is lifted by the harness
(``--topstepx-per-minute``), and so is the engine client's own.
"""

from __future__ import annotations

import sys
import time
from urllib.parse import urlsplit

from engine.bench.floor import open_floor
from engine.bench.roundtrip import KEY, SECRET, Sample, Session
from engine.bench.timing import Skip

__all__ = ["VENUE", "ROWS", "TOPSTEPX", "open_topstepx_floor", "open_topstepx_engine_rest",
           "open_topstepx_aiohttp_baseline", "open_project_x_py"]

TOPSTEPX = "TopstepX MNQ"
CONTRACT = "CON.F.US.MNQ.Z26"
PRICE, PRICE_RAW, QTY_RAW = 20000, 20000 * 100_000_000, 100_000_000


async def open_topstepx_engine_rest(url) -> Session:
    from engine._enums import OrderType, Side
    from engine.config import VenueConfig
    from engine.transport.ratelimit import Window
    from engine.venues.topstepx.order_path import CANCEL, PLACE, TopstepxOrderPath
    from engine.venues.topstepx.rest import TopstepxRest

    rest = TopstepxRest(VenueConfig.local("topstepx", url, KEY, SECRET))
    await rest.start()
    rest.limiter.set_windows([Window("requests-60s", 100_000_000, 60.0, aligned=False)], [])
    account = int((await rest.accounts())[0]["id"])
    path = TopstepxOrderPath(rest, account)
    await path.start()
    contract = CONTRACT.encode()

    async def place(i):
        cid = b"tb-%d" % i
        parser = await path.call(PLACE, lambda enc: enc.new_order(contract, Side.BUY, OrderType.LIMIT, QTY_RAW,
                                                                  PRICE_RAW, 0, cid), cid)
        return parser.order_id

    async def cancel(order_id):
        await path.call(CANCEL, lambda enc: enc.cancel_order(order_id))

    async def close():
        await path.close()
        await rest.close()

    return Session(Sample("engine: REST lean order path", TOPSTEPX), place, cancel, lambda: path.http.last_write_ns,
                   close)


async def open_topstepx_aiohttp_baseline(url) -> Session:
    import aiohttp

    wire = {"t": 0}

    async def on_sent(session, ctx, params):
        wire["t"] = time.perf_counter_ns()

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(on_sent)
    session = aiohttp.ClientSession(trace_configs=[trace])
    async with session.post(f"{url}/api/Auth/loginKey", json={"userName": KEY, "apiKey": SECRET}) as r:
        token = (await r.json())["token"]
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(f"{url}/api/Account/search", json={"onlyActiveAccounts": True}, headers=headers) as r:
        account = (await r.json())["accounts"][0]["id"]

    async def place(i):
        body = {"accountId": account, "contractId": CONTRACT, "type": 1, "side": 0, "size": 1, "limitPrice": PRICE,
                "stopPrice": None, "trailPrice": None, "customTag": f"tp-{i}"}
        async with session.post(f"{url}/api/Order/place", json=body, headers=headers) as r:
            doc = await r.json()
        if not doc.get("success"):
            raise RuntimeError(f"topstepx baseline: {doc}")
        return doc["orderId"]

    async def cancel(order_id):
        async with session.post(f"{url}/api/Order/cancel", json={"accountId": account, "orderId": order_id},
                                headers=headers) as r:
            await r.json()

    return Session(Sample("baseline: aiohttp + json", TOPSTEPX, kind="baseline"), place, cancel, lambda: wire["t"],
                   session.close)


async def open_project_x_py(url) -> Session:
    """project-x-py needs Python 3.12 or later: elsewhere it is skipped, saying so (its test runs it in a
    3.12 interpreter against the simulator, tests/sim/test_stock_project_x_py.py)."""
    if sys.version_info < (3, 12):
        raise Skip(f"project-x-py needs Python 3.12+; this interpreter is {sys.version_info.major}."
                   f"{sys.version_info.minor}")
    raise Skip("project-x-py is not benchmarked in-process yet (its round trip is measured by its test only)")



# -- TopstepX: JSON bodies behind the bearer token; the cancel names the order id of the place answer --------
async def open_topstepx_floor(url) -> Session:
    """The floor row (:mod:`engine.bench.floor`): TopstepX cancels by the venue's order id, which only the
    place answer tells, so the floor finds ``"orderId":`` in it and formats the cancel body around it (a few
    bytes operations per order, which the engine row does in its compiled parser)."""
    import aiohttp

    async with aiohttp.ClientSession() as session:      # the token and account, before the clock starts
        async with session.post(f"{url}/api/Auth/loginKey", json={"userName": KEY, "apiKey": SECRET}) as r:
            token = (await r.json())["token"]
        async with session.post(f"{url}/api/Account/search", json={"onlyActiveAccounts": True},
                                headers={"Authorization": f"Bearer {token}"}) as r:
            account = (await r.json())["accounts"][0]["id"]
    host = urlsplit(url).netloc

    def head(path: str) -> bytes:
        return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAccept: text/plain\r\n"
                f"Authorization: Bearer {token}\r\nContent-Length: ").encode()

    place_head, cancel_head = head("/api/Order/place"), head("/api/Order/cancel")
    cancel_body = b'{"accountId":%d,"orderId":%%s}' % account

    def prebuild(i):
        body = (f'{{"accountId":{account},"contractId":"{CONTRACT}","type":1,"side":0,"size":1,'
                f'"limitPrice":{PRICE},"stopPrice":null,"trailPrice":null,"customTag":"tf-{i}"}}').encode()
        return place_head + b"%d\r\n\r\n" % len(body) + body, None

    def cancel_bytes(_, answer: bytes) -> bytes:
        at = answer.find(b'"orderId":') + 10
        body = cancel_body % answer[at:answer.find(b",", at)]
        return cancel_head + b"%d\r\n\r\n" % len(body) + body

    return await open_floor(url, TOPSTEPX, prebuild, cancel_bytes)

# The report's rows of this venue (:mod:`engine.bench.runner` collects ``ROWS``, venue by venue in registry
# order): (label, opener, peer name or None, engine venue: the simulator URL it gets), in report order.
VENUE = TOPSTEPX
ROWS = [
    ("baseline (TopstepX)", open_topstepx_aiohttp_baseline, None, "topstepx"),
    ("floor reference (TopstepX)", open_topstepx_floor, None, "topstepx"),
    ("engine REST (TopstepX)", open_topstepx_engine_rest, None, "topstepx"),
    ("project-x-py", open_project_x_py, None, "topstepx"),
]
