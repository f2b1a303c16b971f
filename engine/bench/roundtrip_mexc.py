"""Stages 4-5 on MEXC spot (the simulator's MEXC personality, on its own port): this engine's lean REST
order path, the plain aiohttp + hmac baseline, and ccxt's ``mexc`` (the stock client the MEXC issue
names).  Each places a resting LIMIT buy and cancels it, as on the other venues
(:mod:`engine.bench.roundtrip`); the floor row is MEXC's own (:func:`open_mexc_floor`, below).

The simulator's MEXC limits are lifted by the harness (``--mexc-per-second``), and so are the
engine client's own (12 place + cancel a second on the venue).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode, urlsplit

from engine.bench.floor import open_floor, signed_query_request
from engine.bench.peers import INSTALL_HINT
from engine.bench.roundtrip import KEY, PRICE, PRICE_RAW, QTY, QTY_RAW, SECRET, SYMBOL, Sample, Session
from engine.bench.timing import Skip

__all__ = ["VENUE", "ROWS", "MEXC", "open_mexc_floor", "open_mexc_engine_rest", "open_mexc_aiohttp_baseline",
           "open_ccxt_mexc"]

MEXC = "MEXC spot"


async def open_mexc_engine_rest(url) -> Session:
    from engine._enums import OrderType, Side, TimeInForce
    from engine.config import VenueConfig
    from engine.transport.ratelimit import Window
    from engine.venues.mexc.order_path import MexcOrderPath
    from engine.venues.mexc.rest import MexcRest

    rest = MexcRest(VenueConfig.local("mexc", url, KEY, SECRET))
    await rest.start()
    rest.limiter.set_windows([Window("requests-10s", 100_000_000, 10.0, aligned=False)],
                             [Window("orders-1s", 100_000_000, 1.0, aligned=False)])
    path = MexcOrderPath(rest)
    await path.start()

    async def place(i):
        cid = b"mx-%d" % i
        await path.place(SYMBOL.encode(), Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY_RAW, PRICE_RAW, cid)
        return cid

    async def cancel(cid):
        await path.cancel(SYMBOL.encode(), cid)

    async def close():
        await path.close()
        await rest.close()

    return Session(Sample("engine: REST lean order path", MEXC), place, cancel, lambda: path.http.last_write_ns,
                   close)


async def open_mexc_aiohttp_baseline(url) -> Session:
    import aiohttp

    wire = {"t": 0}

    async def on_sent(session, ctx, params):
        wire["t"] = time.perf_counter_ns()

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(on_sent)
    session = aiohttp.ClientSession(headers={"X-MEXC-APIKEY": KEY}, trace_configs=[trace])
    key = SECRET.encode()

    def signed(params):
        query = urlencode({**params, "timestamp": int(time.time() * 1000)})
        return query + "&signature=" + hmac.new(key, query.encode(), hashlib.sha256).hexdigest()

    async def place(i):
        cid = f"mb-{i}"
        q = signed({"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "quantity": QTY, "price": PRICE,
                    "newClientOrderId": cid})
        async with session.post(f"{url}/api/v3/order?{q}") as r:
            doc = await r.json()
            if "orderId" not in doc:
                raise RuntimeError(f"mexc baseline: {doc}")
        return cid

    async def cancel(cid):
        async with session.delete(f"{url}/api/v3/order?{signed({'symbol': SYMBOL, 'origClientOrderId': cid})}") as r:
            await r.json()

    return Session(Sample("baseline: aiohttp + urllib + hmac", MEXC, kind="baseline"), place, cancel,
                   lambda: wire["t"], session.close)


async def open_ccxt_mexc(url) -> Session:
    """ccxt's ``mexc``: its spot and contract API URLs pointed at the simulator, its own pacing off (as
    for the other peers: the benchmark measures the client, not its rate limiter)."""
    try:
        import ccxt.async_support as ccxt
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    ex = ccxt.mexc({"apiKey": KEY, "secret": SECRET, "enableRateLimit": False})
    ex.urls["api"]["spot"] = {"public": url, "private": url}
    ex.urls["api"]["contract"] = {"public": f"{url}/api/v1/contract", "private": f"{url}/api/v1/private"}
    try:
        await ex.load_markets()
    except Exception as exc:
        await ex.close()
        raise Skip(f"could not load markets from the simulator: {type(exc).__name__}: {str(exc)[:160]}") from None

    async def place(i):
        return (await ex.create_order("BTC/USDT", "limit", "buy", float(QTY), float(PRICE)))["id"]

    async def cancel(oid):
        await ex.cancel_order(oid, "BTC/USDT")

    async def close():
        await ex.close()

    session = Session(Sample("ccxt (mexc)", MEXC, kind="peer"), place, cancel, None, close)
    try:
        await session.cancel(await session.place(-1))
    except Exception as exc:
        await session.close()
        raise Skip(f"could not trade against the simulator: {type(exc).__name__}: {str(exc)[:160]}") from None
    return session



# -- MEXC spot: signed query, empty body (as the engine's MEXC path sends) ----------------------------------
async def open_mexc_floor(url) -> Session:
    """The floor row (:mod:`engine.bench.floor`): pre-built, pre-signed MEXC requests on a bare Protocol."""
    host = urlsplit(url).netloc

    def request(method: str, query: str) -> bytes:
        return signed_query_request(host, method, "/api/v3/order", query, "X-MEXC-APIKEY",
                                    "Content-Type: application/json\r\n")

    def prebuild(i):
        cid = f"mf-{i}"
        return (request("POST", f"symbol={SYMBOL}&side=BUY&type=LIMIT&quantity={QTY}&price={PRICE}"
                                f"&newClientOrderId={cid}"),
                request("DELETE", f"symbol={SYMBOL}&origClientOrderId={cid}"))

    return await open_floor(url, MEXC, prebuild)

# The report's rows of this venue (:mod:`engine.bench.runner` collects ``ROWS``, venue by venue in registry
# order): (label, opener, peer name or None, engine venue: the simulator URL it gets), in report order.
VENUE = MEXC
ROWS = [
    ("baseline (MEXC)", open_mexc_aiohttp_baseline, None, "mexc"),
    ("floor reference (MEXC)", open_mexc_floor, None, "mexc"),
    ("engine REST (MEXC)", open_mexc_engine_rest, None, "mexc"),
    ("ccxt (MEXC)", open_ccxt_mexc, "ccxt", "mexc"),
]
