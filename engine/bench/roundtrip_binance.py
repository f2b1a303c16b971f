"""The Binance spot rows of stages 4-5 (:mod:`engine.bench.runner` collects ``ROWS``, venue by venue in
registry order) and Binance's peers, each configured only with the simulator's URL and keys:

* ccxt (async): every URL of its ``urls["api"]`` is pointed at the simulator (so nothing
  can leave loopback) and only spot markets are loaded.
* python-binance: ``AsyncClient`` with ``API_URL`` set to the simulator.
* binance-connector: ``Spot(base_url=...)``; blocking (requests), run in this thread.

The engine's clients and the baseline are in :mod:`engine.bench.roundtrip`.
"""

from __future__ import annotations

from engine.bench import roundtrip
from engine.bench.peers import INSTALL_HINT
from engine.bench.roundtrip import BINANCE, KEY, PRICE, QTY, SECRET, SYMBOL, Sample, Session, alone
from engine.bench.roundtrip_peers import loopback_urls, probed
from engine.bench.timing import Skip

__all__ = ["VENUE", "VENUES", "USDM", "ROWS", "open_ccxt", "open_python_binance", "open_binance_connector", "ccxt_client",
           "python_binance_client", "binance_connector_client"]

VENUE = BINANCE
USDM = "Binance USD-M"
VENUES = (BINANCE, USDM)          # the report names of this folder's rows (spot and USD-M)


async def open_ccxt(url) -> Session:
    try:
        import ccxt.async_support as ccxt
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    ex = ccxt.binance({"apiKey": KEY, "secret": SECRET, "enableRateLimit": False,
                       "options": {"fetchCurrencies": False, "defaultType": "spot", "adjustForTimeDifference": False,
                                   "fetchMarkets": {"types": ["spot"]}, "fetchMargins": False}})
    ex.urls["api"] = loopback_urls(ex.urls["api"], url)
    try:
        await ex.load_markets()
    except Exception as exc:
        await ex.close()
        raise Skip(f"could not load markets from the simulator: {type(exc).__name__}: {str(exc)[:160]}") from None

    async def place(i):
        return (await ex.create_order("BTC/USDT", "limit", "buy", float(QTY), float(PRICE)))["id"]

    async def cancel(oid):
        await ex.cancel_order(oid, "BTC/USDT")

    return await probed(Session(Sample("ccxt (async_support)", kind="peer"), place, cancel, None, ex.close))


async def open_python_binance(url) -> Session:
    try:
        from binance.async_client import AsyncClient
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    client = AsyncClient(KEY, SECRET)
    client.API_URL = url + "/api"

    async def place(i):
        return (await client.create_order(symbol=SYMBOL, side="BUY", type="LIMIT", timeInForce="GTC", quantity=QTY,
                                          price=PRICE))["orderId"]

    async def cancel(oid):
        await client.cancel_order(symbol=SYMBOL, orderId=oid)

    return await probed(Session(Sample("python-binance (AsyncClient)", kind="peer"), place, cancel, None,
                                 client.close_connection))


async def open_binance_connector(url) -> Session:
    try:
        from binance.spot import Spot
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    client = Spot(api_key=KEY, api_secret=SECRET, base_url=url)

    async def place(i):
        return client.new_order(symbol=SYMBOL, side="BUY", type="LIMIT", timeInForce="GTC", quantity=QTY,
                                price=PRICE)["orderId"]

    async def cancel(oid):
        client.cancel_order(SYMBOL, orderId=oid)

    async def close():
        client.session.close()

    return await probed(Session(Sample("binance-connector (Spot, blocking)", kind="peer"), place, cancel, None,
                                 close))


# -- Binance USD-M: the same signed query strings on /fapi/v1/order ------------------------------------------
async def open_usdm_baseline(url) -> Session:
    """The pure-Python baseline on USD-M's order endpoint."""
    return await roundtrip.open_aiohttp_baseline(url, path="/fapi/v1/order", venue=USDM)


async def open_usdm_floor(url) -> Session:
    """The USD-M floor row: pre-built, pre-signed /fapi/v1/order requests on a bare Protocol."""
    return await roundtrip.open_floor_reference(url, path="/fapi/v1/order", venue=USDM)


async def open_usdm_engine_rest(url) -> Session:
    """The USD-M lean REST order path alone (no order manager, no stream)."""
    return await roundtrip.open_engine_rest(url, venue="binance-usdm", report=USDM)


async def open_usdm_engine_rest_stream(url) -> Session:
    """The USD-M lean REST order path with the account's user-data stream read and parsed beside it."""
    return await roundtrip.open_engine_rest(url, user_stream=True, venue="binance-usdm", report=USDM)


async def open_usdm_engine_api(url) -> Session:
    """The full Engine on a USD-M account: risk checks, order store, user-data stream applied, events."""
    return await roundtrip.open_engine_api(url, venue="binance-usdm", report=USDM)


ccxt_client = alone(open_ccxt)
python_binance_client = alone(open_python_binance)
binance_connector_client = alone(open_binance_connector)

# (label, opener, peer name or None, engine venue: the simulator URL it gets), in report order
ROWS = [
    ("baseline (Binance)", roundtrip.open_aiohttp_baseline, None, "binance-spot"),
    ("floor reference (Binance)", roundtrip.open_floor_reference, None, "binance-spot"),
    ("engine REST (Binance)", roundtrip.open_engine_rest, None, "binance-spot"),
    ("engine REST + user stream (Binance)", roundtrip.open_engine_rest_stream, None, "binance-spot"),
    ("engine WebSocket API (Binance)", roundtrip.open_engine_ws, None, "binance-spot"),
    ("engine WebSocket API + user stream (Binance)", roundtrip.open_engine_ws_stream, None, "binance-spot"),
    ("engine Engine API (Binance)", roundtrip.open_engine_api, None, "binance-spot"),
    ("engine Engine API, busy-polling (Binance)", roundtrip.open_engine_api_busy, None, "binance-spot"),
    ("engine Engine API over WebSocket (Binance)", roundtrip.open_engine_api_ws, None, "binance-spot"),
    ("engine Engine submit (Binance)", roundtrip.open_engine_submit, None, "binance-spot"),
    ("engine Engine submit, busy-polling (Binance)", roundtrip.open_engine_submit_busy, None, "binance-spot"),
    ("ccxt", open_ccxt, "ccxt", "binance-spot"),
    ("python-binance", open_python_binance, "python-binance", "binance-spot"),
    ("binance-connector", open_binance_connector, "binance-connector", "binance-spot"),
    ("baseline (Binance USD-M)", open_usdm_baseline, None, "binance-usdm"),
    ("floor reference (Binance USD-M)", open_usdm_floor, None, "binance-usdm"),
    ("engine REST (Binance USD-M)", open_usdm_engine_rest, None, "binance-usdm"),
    ("engine REST + user stream (Binance USD-M)", open_usdm_engine_rest_stream, None, "binance-usdm"),
    ("engine Engine API (Binance USD-M)", open_usdm_engine_api, None, "binance-usdm"),
]
