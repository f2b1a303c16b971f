"""MEXC spot REST (``/api/v3``): signed requests, time sync, every account and order call.

The general (cold) path: parameters as ``dict``, answers as decoded JSON.  Signing
(shared/venues/mexc-spot.md §2): every parameter goes in the query string, then
``recvWindow`` and ``timestamp``, and ``signature`` = lowercase hex HMAC-SHA256 of exactly
those bytes (the body stays empty, so "query + body" is the query).  Values are
percent-encoded once, and that encoded string is both signed and sent, so a value with
reserved characters (``BEP20(BSC)``, the JSON of ``batchOrders``) can never be signed in
one spelling and sent in another (700002).  Placement on the lean path
(:mod:`.order_path`) shares this client's signer, limiter and clock.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.transport.http import RestTransport
from engine.transport.ratelimit import Cost
from engine.transport.timesync import ClockSync
from engine.venues.errors import TimestampError
from engine.venues.mexc.errors import check_response
from engine.venues.mexc.limits import default_limiter

__all__ = ["MexcRest", "encode_params"]

log = logging.getLogger("engine.venues.mexc.rest")

PREFIX = "/api/v3"
# Request weights of the 2024 docs (spot-account-trade, market-data-endpoints); the current
# docs limit each endpoint to 500 requests per 10 s instead (see .limits).
WEIGHTS = {"order_get": 2, "open_orders": 3, "all_orders": 10, "account": 10, "my_trades": 10,
           "exchange_info": 10, "time": 1, "depth": 1, "book_ticker": 1}


def encode_params(params: dict[str, Any]) -> str:
    """``k=v&...`` with every reserved character percent-encoded in upper-case hex (the spelling
    the batch endpoint's signature needs, and a safe one everywhere); None values left out."""
    return "&".join(f"{k}={quote(_wire(v), safe='')}" for k, v in params.items() if v is not None)


class MexcRest:
    """One MEXC spot account over the general REST path."""

    def __init__(self, config: VenueConfig):
        if config.venue != "mexc":
            raise ValueError(f"MexcRest serves mexc, not {config.venue}")
        self.config = config
        self.venue = "mexc"
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self.limiter = default_limiter()
        self.http = RestTransport(
            config.endpoints.rest, limiter=self.limiter, check=lambda r: check_response(r, self.limiter),
            headers={"X-MEXC-APIKEY": config.api_key, "Content-Type": "application/json"},
            connect_timeout=config.connect_timeout, read_timeout=config.read_timeout,
            retry_delays=config.retry_delays,
        )
        self.clock = ClockSync(self.server_time)

    def __repr__(self) -> str:
        return f"MexcRest(rest={self.config.endpoints.rest!r})"

    async def start(self, sync_clock: bool = True) -> None:
        await self.http.start()
        if sync_clock:
            try:
                await self.clock.sync()
            except BaseException:
                await self.http.close()
                raise

    async def close(self) -> None:
        await self.http.close()

    # -- plumbing -------------------------------------------------------------------
    def sign_query(self, params: dict[str, Any]) -> str:
        """``params`` + recvWindow + timestamp + signature, as sent: the signature covers these very bytes."""
        query = encode_params(params)
        rw = f"recvWindow={self.config.recv_window_ms}"
        query = f"{query}&{rw}" if query else rw
        ts = self.clock.now_ms()
        return f"{query}&timestamp={ts}&signature={self.signer.sign_binance(query, ts)}"

    async def public(self, path: str, params: dict[str, Any] | None = None, *, weight: int = 1):
        resp = await self.http.request("GET", f"{PREFIX}{path}", query=encode_params(params or {}),
                                       cost=Cost(weight=weight))
        return json.loads(resp.body)

    async def signed(self, method: str, path: str, params: dict[str, Any] | None = None, *, weight: int = 1,
                     orders: int = 0, cancel: bool = False, endpoint: str | None = None,
                     idempotent: bool | None = None):
        """A signed request; on a stale timestamp (700003, 10073) the clock is synced and it is tried once more."""
        params = params or {}
        cost = Cost(weight=weight, orders=orders, cancel=cancel, endpoint=endpoint)

        def sign():
            return self.sign_query(params), None, None

        full = f"{PREFIX}{path}"
        try:
            resp = await self.http.request(method, full, cost=cost, idempotent=idempotent, sign=sign)
        except TimestampError:
            log.warning("mexc: timestamp outside recvWindow; resyncing the clock and retrying once")
            await self.clock.sync()
            resp = await self.http.request(method, full, cost=cost, idempotent=idempotent, sign=sign)
        return json.loads(resp.body)

    # -- market data and metadata -----------------------------------------------------
    async def server_time(self) -> int:
        resp = await self.http.request("GET", f"{PREFIX}/time", cost=Cost(weight=1))
        return int(json.loads(resp.body)["serverTime"])

    async def exchange_info(self, symbols: list[str] | None = None) -> dict:
        params = {"symbols": ",".join(symbols)} if symbols else None
        return await self.public("/exchangeInfo", params, weight=WEIGHTS["exchange_info"])

    async def book_ticker(self, symbol: str) -> dict:
        return await self.public("/ticker/bookTicker", {"symbol": symbol}, weight=WEIGHTS["book_ticker"])

    async def depth(self, symbol: str, limit: int = 5) -> dict:
        return await self.public("/depth", {"symbol": symbol, "limit": limit}, weight=WEIGHTS["depth"])

    async def default_symbols(self) -> list[str]:
        """The symbols open to API trading (``/api/v3/defaultSymbols``)."""
        return list((await self.public("/defaultSymbols")).get("data") or [])

    async def self_symbols(self) -> list[str]:
        """The symbols this key may trade (``/api/v3/selfSymbols``; others answer 10007)."""
        return list((await self.signed("GET", "/selfSymbols")).get("data") or [])

    # -- orders -------------------------------------------------------------------------
    async def place_order(self, params: dict[str, Any]) -> dict:
        """``POST /api/v3/order`` on the general path; never retried on a lost answer (resolve by client id)."""
        return await self.signed("POST", "/order", params, orders=1, idempotent=False)

    async def cancel_order(self, symbol: str, *, order_id: str | None = None,
                           client_order_id: str | None = None) -> dict:
        _one_id(order_id, client_order_id)
        params = {"symbol": symbol, "orderId": order_id, "origClientOrderId": client_order_id}
        return await self.signed("DELETE", "/order", params, orders=1, cancel=True, idempotent=False)

    async def cancel_all(self, symbol: str) -> list:
        """``DELETE /api/v3/openOrders``: every open order of ``symbol``."""
        return await self.signed("DELETE", "/openOrders", {"symbol": symbol}, orders=1, cancel=True,
                                 idempotent=False)

    async def batch_orders(self, orders: list[dict[str, Any]]) -> list:
        """``POST /api/v3/batchOrders``: up to 20 orders of one symbol, one answer per order."""
        if not 1 <= len(orders) <= 20:
            raise ValueError("a batch holds 1 to 20 orders")
        if len({o.get("symbol") for o in orders}) != 1:
            raise ValueError("every order of a batch is for the same symbol")
        batch = json.dumps([{k: _wire(v) for k, v in o.items() if v is not None} for o in orders],
                           separators=(",", ":"))
        return await self.signed("POST", "/batchOrders", {"batchOrders": batch}, orders=1,
                                 endpoint="/api/v3/batchOrders", idempotent=False)

    async def get_order(self, symbol: str, *, order_id: str | None = None,
                        client_order_id: str | None = None) -> dict:
        _one_id(order_id, client_order_id)
        params = {"symbol": symbol, "orderId": order_id, "origClientOrderId": client_order_id}
        return await self.signed("GET", "/order", params, weight=WEIGHTS["order_get"])

    async def open_orders(self, symbol: str) -> list:
        """``GET /api/v3/openOrders`` (the symbol is required on MEXC)."""
        return await self.signed("GET", "/openOrders", {"symbol": symbol}, weight=WEIGHTS["open_orders"])

    async def all_orders(self, symbol: str, *, start_time: int | None = None, end_time: int | None = None,
                         limit: int | None = None) -> list:
        params = {"symbol": symbol, "startTime": start_time, "endTime": end_time, "limit": limit}
        return await self.signed("GET", "/allOrders", params, weight=WEIGHTS["all_orders"])

    async def my_trades(self, symbol: str, *, order_id: str | None = None, start_time: int | None = None,
                        limit: int | None = None) -> list:
        params = {"symbol": symbol, "orderId": order_id, "startTime": start_time, "limit": limit}
        return await self.signed("GET", "/myTrades", params, weight=WEIGHTS["my_trades"])

    # -- account ------------------------------------------------------------------------
    async def account(self) -> dict:
        return await self.signed("GET", "/account", weight=WEIGHTS["account"], endpoint="/api/v3/account")

    async def balances(self) -> dict[str, tuple[str, str]]:
        """asset -> (free, locked)."""
        return {b["asset"]: (b["free"], b["locked"]) for b in (await self.account()).get("balances", [])}

    # -- user-data stream listen keys (signed, SPOT_ACCOUNT_READ) ---------------------------
    async def create_listen_key(self) -> str:
        return (await self.signed("POST", "/userDataStream", idempotent=True))["listenKey"]

    async def listen_keys(self) -> list[str]:
        keys = (await self.signed("GET", "/userDataStream")).get("listenKey") or []
        return [keys] if isinstance(keys, str) else list(keys)

    async def keepalive_listen_key(self, key: str) -> None:
        await self.signed("PUT", "/userDataStream", {"listenKey": key}, idempotent=True)

    async def close_listen_key(self, key: str) -> None:
        await self.signed("DELETE", "/userDataStream", {"listenKey": key}, idempotent=True)


def _one_id(a, b) -> None:
    if (a is None) == (b is None):
        raise ValueError("give exactly one of the exchange order id and the client order id")


def _wire(v: Any) -> str:
    """Parameter values as MEXC wants them: booleans lower-case, numbers as plain strings."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        raise TypeError("floats are never sent: pass str, Decimal or int")
    return str(v)
