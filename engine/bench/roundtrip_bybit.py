"""The Bybit linear rows of stages 4-5 (:mod:`engine.bench.runner` collects ``ROWS``, venue by venue in
registry order) and Bybit's peer, configured only with the simulator's URL and keys:

* pybit: ``unified_trading.HTTP``; it has no base-URL option, so its ``endpoint``
  attribute is set after construction; blocking (requests).

The engine's clients and the baseline are in :mod:`engine.bench.roundtrip`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

from engine.bench import roundtrip
from engine.bench.floor import RECV_WINDOW, open_floor
from engine.bench.peers import INSTALL_HINT
from engine.bench.roundtrip import BYBIT, KEY, PRICE, QTY, SECRET, SYMBOL, Sample, Session, alone
from engine.bench.roundtrip_peers import probed
from engine.bench.timing import Skip

__all__ = ["VENUE", "ROWS", "open_pybit", "pybit_client", "open_bybit_floor", "open_bybit_engine_rest_stream"]

VENUE = BYBIT


async def open_pybit(url) -> Session:
    try:
        from pybit.unified_trading import HTTP
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    session = HTTP(testnet=True, api_key=KEY, api_secret=SECRET)
    session.endpoint = url   # pybit has no base-URL option

    async def place(i):
        link = f"pb-{i}"
        session.place_order(category="linear", symbol=SYMBOL, side="Buy", orderType="Limit", qty=QTY, price=PRICE,
                            timeInForce="GTC", orderLinkId=link)
        return link

    async def cancel(link):
        session.cancel_order(category="linear", symbol=SYMBOL, orderLinkId=link)

    async def close():
        session.client.close()

    return await probed(Session(Sample("pybit (HTTP, blocking)", BYBIT, kind="peer"), place, cancel, None, close))


pybit_client = alone(open_pybit)


# -- Bybit linear: signed JSON body (X-BAPI-* headers) --------------------------------------------------------
async def open_bybit_floor(url) -> Session:
    """The floor row (:mod:`engine.bench.floor`): pre-built, pre-signed Bybit requests on a bare Protocol."""
    host, key = urlsplit(url).netloc, SECRET.encode()

    def request(path: str, args: dict) -> bytes:
        body = json.dumps(args, separators=(",", ":"))
        ts = str(int(time.time() * 1000))
        sign = hmac.new(key, (ts + KEY + str(RECV_WINDOW) + body).encode(), hashlib.sha256).hexdigest()
        return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nX-BAPI-API-KEY: {KEY}\r\nX-BAPI-RECV-WINDOW: {RECV_WINDOW}"
                f"\r\nContent-Type: application/json\r\nX-BAPI-TIMESTAMP: {ts}\r\nX-BAPI-SIGN: {sign}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n{body}").encode()

    def prebuild(i):
        link = f"bf-{i}"
        return (request("/v5/order/create", {"category": "linear", "symbol": SYMBOL, "side": "Buy",
                                             "orderType": "Limit", "qty": QTY, "price": PRICE, "timeInForce": "GTC",
                                             "orderLinkId": link}),
                request("/v5/order/cancel", {"category": "linear", "symbol": SYMBOL, "orderLinkId": link}))

    return await open_floor(url, BYBIT, prebuild)


async def open_bybit_engine_api(url, order_entry: str = "rest") -> Session:
    """The full Engine a bot uses on a Bybit linear account: risk checks, order store, private stream applied."""
    return await roundtrip.open_engine_api(url, order_entry, venue="bybit", report=BYBIT,
                                           prepare=lambda eng: roundtrip._bybit_rest_unthrottled(eng.adapter.rest),
                                           ws_of=lambda eng: eng.adapter.trade.ws, ws_label="WebSocket trade")


async def open_bybit_engine_api_ws(url) -> Session:
    """:func:`open_bybit_engine_api` with ``order_entry="ws"``: orders over the trade WebSocket."""
    return await open_bybit_engine_api(url, order_entry="ws")


async def open_bybit_engine_rest_stream(url, order_entry: str = "rest") -> Session:
    """The lean REST path with the account's private stream read beside it (no order manager): every push
    through the compiled order parser, and the balance parser when it holds no order record.  Bybit's REST
    answer acknowledges receipt only, so place and cancel return when the order's own push has come (the
    state an ``Engine.place_limit`` returns): what a full Engine cannot do without on Bybit.  ``order_entry="ws"``:
    the orders over the trade WebSocket instead, each ack read by the compiled parser."""
    import asyncio

    from engine._enums import OrderState, OrderType, Side, TimeInForce
    from engine._parse_balances import BalanceParser
    from engine._parse_bybit import BybitParser
    from engine.config import VenueConfig
    from engine.venues.bybit.order_path import BybitOrderPath
    from engine.venues.bybit.rest import BybitRest
    from engine.venues.bybit.user_stream import BybitPrivateStream
    from engine.venues.bybit.ws_orders import BybitWsTrade

    cfg = VenueConfig.local("bybit", url, KEY, SECRET)
    rest = BybitRest(cfg)
    await rest.start()
    roundtrip._bybit_rest_unthrottled(rest)
    orders, balances = BybitParser(), BalanceParser()
    loop = asyncio.get_running_loop()
    waiting: list = [b"", None, OrderState.NEW]      # (orderLinkId, future, the state it waits for)

    def on_push(payload: bytes) -> None:
        orders.parse(payload)
        if not orders.next_record():
            balances.parse(payload)
            return
        while True:
            fut = waiting[1]
            if fut is not None and orders.order_state == waiting[2] and orders.names_client(waiting[0]):
                waiting[1] = None
                fut.set_result(None)
            if not orders.next_record():
                return

    stream = BybitPrivateStream(cfg, rest.clock, on_push)
    await stream.start()
    symbol = SYMBOL.encode()
    if order_entry == "ws":
        ws = BybitWsTrade(cfg, rest.clock, limiter=rest.limiter, category="linear")
        await ws.start()
        acks = BybitParser()

        async def acked(fut) -> None:
            acks.parse(await fut)

        def write_place(link):
            return acked(ws.place_order(symbol, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, roundtrip.QTY_RAW,
                                        roundtrip.PRICE_RAW, 0, link))

        def write_cancel(link):
            return acked(ws.cancel_order(symbol, client_id=link))
        wire, stop = (lambda: ws.ws.last_send_ns), ws.stop
    else:
        path = BybitOrderPath(rest, category="linear")
        await path.start()

        def write_place(link):
            return path.place(symbol, Side.BUY, OrderType.LIMIT, TimeInForce.GTC, roundtrip.QTY_RAW,
                              roundtrip.PRICE_RAW, 0, link)

        def write_cancel(link):
            return path.cancel(symbol, client_id=link)
        wire, stop = (lambda: path.http.last_write_ns), path.close

    async def pushed(link: bytes, state: int, write) -> None:
        fut = loop.create_future()
        waiting[:] = [link, fut, state]
        await write
        await asyncio.wait_for(fut, 10.0)

    async def place(i):
        link = b"bs-%d" % i
        await pushed(link, OrderState.NEW, write_place(link))
        return link

    async def cancel(link):
        await pushed(link, OrderState.CANCELLED, write_cancel(link))

    async def close():
        await stop()
        await stream.stop()
        await rest.close()

    label = "WebSocket trade" if order_entry == "ws" else "REST lean order path"
    return Session(Sample(f"engine: {label} + private stream parsed", BYBIT,
                          note="no order manager; waits for the order's push"), place, cancel, wire, close)


async def open_bybit_engine_ws_stream(url) -> Session:
    """:func:`open_bybit_engine_rest_stream` with the orders over the trade WebSocket."""
    return await open_bybit_engine_rest_stream(url, order_entry="ws")


# (label, opener, peer name or None, engine venue: the simulator URL it gets), in report order
ROWS = [
    ("baseline (Bybit)", roundtrip.open_bybit_aiohttp_baseline, None, "bybit"),
    ("floor reference (Bybit)", open_bybit_floor, None, "bybit"),
    ("engine REST (Bybit)", roundtrip.open_bybit_engine_rest, None, "bybit"),
    ("engine WebSocket trade (Bybit)", roundtrip.open_bybit_engine_ws, None, "bybit"),
    ("engine REST + private stream (Bybit)", open_bybit_engine_rest_stream, None, "bybit"),
    ("engine WebSocket trade + private stream (Bybit)", open_bybit_engine_ws_stream, None, "bybit"),
    ("engine Engine API (Bybit)", open_bybit_engine_api, None, "bybit"),
    ("engine Engine API over WebSocket trade (Bybit)", open_bybit_engine_api_ws, None, "bybit"),
    ("pybit", open_pybit, "pybit", "bybit"),
]
