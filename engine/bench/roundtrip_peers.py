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
from engine.bench.roundtrip import BYBIT, KEY, PRICE, QTY, SECRET, SYMBOL, Sample, Session, alone
from engine.bench.timing import Skip

__all__ = ["probed", "open_ccxt", "open_python_binance", "open_binance_connector", "open_pybit", "ccxt_client",
           "python_binance_client", "binance_connector_client", "pybit_client"]


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


async def probed(session: Session) -> Session:
    """Place and cancel one probe order; a peer that cannot is closed and skipped, never faked."""
    try:
        await session.cancel(await session.place(-1))
    except Exception as exc:
        await session.close()
        raise Skip(f"could not trade against the simulator: {type(exc).__name__}: {str(exc)[:160]}") from None
    return session


async def open_ccxt(url) -> Session:
    try:
        import ccxt.async_support as ccxt
    except ImportError:
        raise Skip(INSTALL_HINT) from None
    ex = ccxt.binance({"apiKey": KEY, "secret": SECRET, "enableRateLimit": False,
                       "options": {"fetchCurrencies": False, "defaultType": "spot", "adjustForTimeDifference": False,
                                   "fetchMarkets": {"types": ["spot"]}, "fetchMargins": False}})
    ex.urls["api"] = _loopback_urls(ex.urls["api"], url)
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


ccxt_client = alone(open_ccxt)
python_binance_client = alone(open_python_binance)
binance_connector_client = alone(open_binance_connector)
pybit_client = alone(open_pybit)
