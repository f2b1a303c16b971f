"""Stages 4-5 by the peers, each configured only with the simulator's URL and keys.

* ccxt (async): every URL of its ``urls["api"]`` is pointed at the simulator (so nothing
  can leave loopback) and only spot markets are loaded.
* python-binance: ``AsyncClient`` with ``API_URL`` set to the simulator.
* binance-connector: ``Spot(base_url=...)``; blocking (requests), run in this thread.
* pybit: ``unified_trading.HTTP``; it has no base-URL option, so its ``endpoint``
  attribute is set after construction; blocking (requests).

Each client first places and cancels one probe order; a peer that is missing, or
whose probe fails against the simulator, raises :class:`~engine.bench.timing.Skip`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from engine.bench.peers import INSTALL_HINT
from engine.bench.roundtrip import BYBIT, KEY, PRICE, QTY, SECRET, SYMBOL, Sample, measure
from engine.bench.timing import Skip

__all__ = ["ccxt_client", "python_binance_client", "binance_connector_client", "pybit_client"]


def _loopback_urls(urls: dict, base: str) -> dict:
    """Every http(s)/ws(s) URL in ``urls`` (nested) moved to the simulator at ``base``, path kept."""
    ws_base = base.replace("http://", "ws://", 1)
    out = {}
    for k, v in urls.items():
        if isinstance(v, dict):
            out[k] = _loopback_urls(v, base)
        elif isinstance(v, str) and v.startswith(("http://", "https://", "ws://", "wss://")):
            path = urlsplit(v).path
            out[k] = (ws_base if v.startswith("ws") else base) + path
        else:
            out[k] = v
    return out


async def _probe(name, place, cancel):
    try:
        await cancel(await place(-1))
    except Exception as exc:  # a peer that cannot run against the simulator is skipped, never faked
        raise Skip(f"could not trade against the simulator: {type(exc).__name__}: {str(exc)[:160]}") from None


async def ccxt_client(url, n, warmup, deadline=None, progress=None) -> Sample:
    try:
        import ccxt.async_support as ccxt
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    ex = ccxt.binance({"apiKey": KEY, "secret": SECRET, "enableRateLimit": False,
                       "options": {"fetchCurrencies": False, "defaultType": "spot", "adjustForTimeDifference": False,
                                   "fetchMarkets": {"types": ["spot"]}, "fetchMargins": False}})
    ex.urls["api"] = _loopback_urls(ex.urls["api"], url)
    try:
        try:
            await ex.load_markets()
        except Exception as exc:
            raise Skip(f"could not load markets from the simulator: {type(exc).__name__}: {str(exc)[:160]}") from None

        async def place(i):
            return (await ex.create_order("BTC/USDT", "limit", "buy", float(QTY), float(PRICE)))["id"]

        async def cancel(oid):
            await ex.cancel_order(oid, "BTC/USDT")

        await _probe("ccxt", place, cancel)
        s = Sample("ccxt (async_support)", kind="peer")
        await measure(s, place, cancel, n, warmup, None, deadline, progress)
        return s
    finally:
        await ex.close()


async def python_binance_client(url, n, warmup, deadline=None, progress=None) -> Sample:
    try:
        from binance.async_client import AsyncClient
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    client = AsyncClient(KEY, SECRET)
    client.API_URL = url + "/api"
    try:
        async def place(i):
            return (await client.create_order(symbol=SYMBOL, side="BUY", type="LIMIT", timeInForce="GTC",
                                              quantity=QTY, price=PRICE))["orderId"]

        async def cancel(oid):
            await client.cancel_order(symbol=SYMBOL, orderId=oid)

        await _probe("python-binance", place, cancel)
        s = Sample("python-binance (AsyncClient)", kind="peer")
        await measure(s, place, cancel, n, warmup, None, deadline, progress)
        return s
    finally:
        await client.close_connection()


async def binance_connector_client(url, n, warmup, deadline=None, progress=None) -> Sample:
    try:
        from binance.spot import Spot
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    client = Spot(api_key=KEY, api_secret=SECRET, base_url=url)
    try:
        async def place(i):
            return client.new_order(symbol=SYMBOL, side="BUY", type="LIMIT", timeInForce="GTC", quantity=QTY,
                                    price=PRICE)["orderId"]

        async def cancel(oid):
            client.cancel_order(SYMBOL, orderId=oid)

        await _probe("binance-connector", place, cancel)
        s = Sample("binance-connector (Spot, blocking)", kind="peer")
        await measure(s, place, cancel, n, warmup, None, deadline, progress)
        return s
    finally:
        client.session.close()


async def pybit_client(url, n, warmup, deadline=None, progress=None) -> Sample:
    try:
        from pybit.unified_trading import HTTP
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    session = HTTP(testnet=True, api_key=KEY, api_secret=SECRET)
    session.endpoint = url   # pybit has no base-URL option
    try:
        async def place(i):
            link = f"pb-{i}"
            session.place_order(category="linear", symbol=SYMBOL, side="Buy", orderType="Limit", qty=QTY,
                                price=PRICE, timeInForce="GTC", orderLinkId=link)
            return link

        async def cancel(link):
            session.cancel_order(category="linear", symbol=SYMBOL, orderLinkId=link)

        await _probe("pybit", place, cancel)
        s = Sample("pybit (HTTP, blocking)", BYBIT, kind="peer")
        await measure(s, place, cancel, n, warmup, None, deadline, progress)
        return s
    finally:
        session.client.close()
