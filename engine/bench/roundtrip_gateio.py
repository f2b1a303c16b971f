"""Stages 4-5 on Gate.io spot: place a resting LIMIT order on BTC_USDT and cancel it by its text,
against the simulator's Gate personality (its own port, ``urls["gateio"]``).

Clients: this engine's REST lean order path and its WebSocket order API path (after
``spot.login``), a plain aiohttp + json + hashlib/hmac baseline, two floor references (bare uvloop
Protocols writing pre-built Gate requests: pre-signed HTTP requests, and the order API's frames on its
WebSocket, against which the WebSocket row is measured) and ccxt's ``gate`` (a peer).
The simulator is started with ``--gateio-per-second`` and ``--gateio-cancels-per-second`` out of
the way (Gate allows 10 places per pair and 200 cancels per second), and the engine's limiter is
told the same.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from engine.bench.roundtrip import KEY, PRICE, PRICE_RAW, QTY, QTY_RAW, SECRET, Sample, Session
from engine.bench.timing import Skip

__all__ = ["VENUE", "ROWS", "GATE", "PAIR", "open_gate_engine_rest", "open_gate_engine_ws",
           "open_gate_aiohttp_baseline", "open_gate_floor_reference", "open_gate_ws_floor_reference",
           "open_gate_ccxt"]

GATE = "Gate.io spot"
PAIR = "BTC_USDT"
_API = "/api/v4"


def _gate_rest(url):
    from engine.config import VenueConfig
    from engine.transport.ratelimit import Window
    from engine.venues.gateio.limits import CANCEL
    from engine.venues.gateio.rest import GateRest

    rest = GateRest(VenueConfig.local("gateio", url, KEY, SECRET))
    # the limiter's per-pair place window and its cancel window (engine.venues.gateio.limits), lifted as the
    # simulator's are
    for name in (f"spot-place:{PAIR}", CANCEL):
        rest.limiter.endpoints[name] = Window(name, 100_000_000, 1.0, aligned=False)
    return rest


async def open_gate_engine_rest(url) -> Session:
    from engine._enums import OrderType, Side, TimeInForce
    from engine.venues.gateio.order_path import GateOrderPath

    rest = _gate_rest(url)
    await rest.start()
    path = GateOrderPath(rest)
    await path.start()
    async def place(i):
        text = b"t-gr%d" % i
        await path.place(PAIR, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY_RAW, PRICE_RAW, text)
        return text

    async def cancel(text):
        await path.cancel(PAIR, text=text)

    async def close():
        await path.close()
        await rest.close()

    return Session(Sample("engine: REST lean order path", GATE), place, cancel, lambda: path.http.last_write_ns,
                   close)


async def open_gate_engine_ws(url) -> Session:
    """The order API path the Engine uses: compiled order JSON out, result frames to the compiled parser."""
    from engine._enums import OrderType, Side, TimeInForce
    from engine._parse_gateio import GateParser
    from engine.venues.gateio.ws_orders import GateWsOrders

    rest = _gate_rest(url)
    await rest.start()
    ws = GateWsOrders(rest.config, rest.clock, limiter=rest.limiter)
    await ws.start()
    parser = GateParser()
    pair = PAIR.encode()

    async def place(i):
        text = b"t-gw%d" % i
        parser.parse(await ws.place_order(pair, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, QTY_RAW, PRICE_RAW,
                                          text))
        return text

    async def cancel(text):
        parser.parse(await ws.cancel_order(pair, text))

    async def close():
        await ws.stop()
        await rest.close()

    # measured against the venue's WebSocket floor (open_gate_ws_floor_reference): the same socket and frames
    return Session(Sample("engine: WebSocket order API", GATE, floor="ws"), place, cancel,
                   lambda: ws.ws.last_send_ns, close)


def _signed_headers(method: str, path: str, query: str, body: str) -> dict:
    ts = str(int(time.time()))
    text = "\n".join((method, _API + path, query, hashlib.sha512(body.encode()).hexdigest(), ts))
    return {"KEY": KEY, "Timestamp": ts, "SIGN": hmac.new(SECRET.encode(), text.encode(), hashlib.sha512).hexdigest(),
            "Content-Type": "application/json", "Accept": "application/json"}


async def open_gate_aiohttp_baseline(url) -> Session:
    import aiohttp

    wire = {"t": 0}

    async def on_sent(session, ctx, params):
        wire["t"] = time.perf_counter_ns()

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(on_sent)
    session = aiohttp.ClientSession(trace_configs=[trace])
    base = url + _API

    async def place(i):
        text = f"t-ga{i}"
        body = json.dumps({"text": text, "currency_pair": PAIR, "type": "limit", "account": "spot", "side": "buy",
                           "amount": QTY, "price": PRICE, "time_in_force": "gtc"}, separators=(",", ":"))
        async with session.post(base + "/spot/orders", data=body,
                                headers=_signed_headers("POST", "/spot/orders", "", body)) as r:
            doc = await r.json()
        if r.status != 201:
            raise RuntimeError(f"gate baseline: {r.status} {doc}")
        return text

    async def cancel(text):
        query = f"currency_pair={PAIR}"
        async with session.delete(f"{base}/spot/orders/{text}?{query}",
                                  headers=_signed_headers("DELETE", f"/spot/orders/{text}", query, "")) as r:
            await r.json()

    return Session(Sample("baseline: aiohttp + json + hmac", GATE, kind="baseline"), place, cancel,
                   lambda: wire["t"], session.close)


async def open_gate_floor_reference(url) -> Session:
    """The floor on this venue (:mod:`engine.bench.floor`): pre-built, pre-signed Gate requests on a bare
    uvloop Protocol that frames answers by Content-Length only (no encoding, signing, parsing, pacing or
    error mapping: not a client)."""
    from urllib.parse import urlsplit

    from engine.bench.floor import open_floor

    host = urlsplit(url).netloc

    def request(method: str, path: str, query: str, body: str) -> bytes:
        head = "".join(f"{k}: {v}\r\n" for k, v in _signed_headers(method, path, query, body).items())
        target = _API + path + ("?" + query if query else "")
        return (f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n{head}Content-Length: {len(body)}\r\n\r\n"
                f"{body}").encode()

    def prebuild(i):
        text = f"t-gf{i}"
        body = json.dumps({"text": text, "currency_pair": PAIR, "type": "limit", "account": "spot",
                           "side": "buy", "amount": QTY, "price": PRICE}, separators=(",", ":"))
        return (request("POST", "/spot/orders", "", body),
                request("DELETE", f"/spot/orders/{text}", f"currency_pair={PAIR}", ""))

    return await open_floor(url, GATE, prebuild)


async def open_gate_ws_floor_reference(url) -> Session:
    """The WebSocket order API's floor (:func:`engine.bench.floor.open_ws_floor`): ``spot.login`` once, then
    pre-built, masked ``spot.order_place`` / ``spot.order_cancel`` frames on a bare uvloop Protocol, each
    answer framed by its header only.  The venue answers a place with two frames, an ack then the result
    (gateio-spot.md §8), and a cancel with one, so the floor reads two and one: the same frames, TCP segments
    and acknowledgements the engine's order API row gets, where the HTTP floor gets one answer per request."""
    from engine.bench.floor import RECV_WINDOW, open_ws_floor

    ts = int(time.time())
    sign = hmac.new(SECRET.encode(), f"api\nspot.login\n\n{ts}".encode(), hashlib.sha512).hexdigest()
    login = json.dumps({"time": ts, "channel": "spot.login", "event": "api", "payload": {
        "api_key": KEY, "signature": sign, "timestamp": str(ts), "req_id": "floor-login"}}, separators=(",", ":"))

    def frame(channel: str, req_id: str, param: dict) -> bytes:
        now = time.time()
        return json.dumps({"time": int(now), "channel": channel, "event": "api", "payload": {
            "req_id": req_id, "req_header": {"x-gate-exptime": str(int(now * 1000) + RECV_WINDOW)},
            "req_param": param}}, separators=(",", ":")).encode()

    def prebuild(i):
        text = f"t-gv{i}"
        return (frame("spot.order_place", f"fp-{i}", {"text": text, "currency_pair": PAIR, "type": "limit",
                                                      "account": "spot", "side": "buy", "amount": QTY,
                                                      "price": PRICE, "time_in_force": "gtc"}),
                frame("spot.order_cancel", f"fc-{i}", {"currency_pair": PAIR, "order_id": text}))

    return await open_ws_floor(url, "/ws/v4/", GATE, prebuild, (2, 1), login.encode())


async def open_gate_ccxt(url) -> Session:
    """ccxt's ``gate`` (async), every URL pointed at the simulator, spot markets only."""
    from engine.bench.peers import INSTALL_HINT
    from engine.bench.roundtrip_peers import probed

    try:
        import ccxt.async_support as ccxt
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    ex = ccxt.gate({"apiKey": KEY, "secret": SECRET, "enableRateLimit": False,
                    "options": {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False}})
    for group in ex.urls["api"].values():
        for name in group:
            group[name] = url + _API
    try:
        await ex.load_markets()
    except Exception as exc:
        await ex.close()
        raise Skip(f"could not load markets from the simulator: {type(exc).__name__}: {str(exc)[:160]}") from None

    async def place(i):
        return (await ex.create_order("BTC/USDT", "limit", "buy", float(QTY), float(PRICE)))["id"]

    async def cancel(oid):
        await ex.cancel_order(oid, "BTC/USDT")

    return await probed(Session(Sample("ccxt gate (async_support)", GATE, kind="peer"), place, cancel, None,
                                ex.close))


# The report's rows of this venue (:mod:`engine.bench.runner` collects ``ROWS``, venue by venue in registry
# order): (label, opener, peer name or None, engine venue: the simulator URL it gets), in report order.
VENUE = GATE
ROWS = [
    ("baseline (Gate.io)", open_gate_aiohttp_baseline, None, "gateio"),
    ("floor reference (Gate.io)", open_gate_floor_reference, None, "gateio"),
    ("engine REST (Gate.io)", open_gate_engine_rest, None, "gateio"),
    ("floor reference, WebSocket (Gate.io)", open_gate_ws_floor_reference, None, "gateio"),
    ("engine WebSocket order API (Gate.io)", open_gate_engine_ws, None, "gateio"),
    ("ccxt gate", open_gate_ccxt, "ccxt", "gateio"),
]
