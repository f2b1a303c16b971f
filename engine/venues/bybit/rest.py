"""Bybit V5 REST: header-signed requests, time sync, orders (ack only), positions, wallet.

Business errors come with HTTP 200 and a ``retCode`` (see :mod:`.errors`).  Order
answers only acknowledge: fills, rejections and cancellations arrive on the private
stream (``order`` / ``execution``).  The general path uses ``dict`` parameters and
decoded JSON; the lean order path reuses the same signer, limiter and clock.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.transport.http import RestTransport
from engine.transport.ratelimit import Cost
from engine.transport.timesync import ClockSync
from engine.venues.bybit.errors import check_response
from engine.venues.bybit.limits import default_limiter
from engine.venues.errors import TimestampError

__all__ = ["BybitRest"]

log = logging.getLogger("engine.venues.bybit.rest")

class BybitRest:
    """One Bybit unified account; ``category`` is ``linear`` or ``spot`` per call."""

    def __init__(self, config: VenueConfig):
        if config.venue != "bybit":
            raise ValueError(f"BybitRest serves bybit, not {config.venue}")
        self.config = config
        self.api_key = config.api_key
        self._key_bytes = config.api_key.encode()
        self.recv_window = config.recv_window_ms
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self.limiter = default_limiter()
        self.http = RestTransport(
            config.endpoints.rest, limiter=self.limiter, check=lambda r: check_response(r, self.limiter),
            connect_timeout=config.connect_timeout, read_timeout=config.read_timeout,
            retry_delays=config.retry_delays,
        )
        self.clock = ClockSync(self.server_time)

    def __repr__(self) -> str:
        return f"BybitRest(rest={self.config.endpoints.rest!r})"

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

    # -- signing ---------------------------------------------------------------------
    def auth_headers(self, payload: str) -> dict[str, str]:
        """X-BAPI-* headers signing ``payload`` (the query string of a GET, the JSON body of a POST)."""
        ts = self.clock.now_ms()
        sign = self.signer.sign_bybit(ts, self.api_key, self.recv_window, payload)
        return {"X-BAPI-API-KEY": self.api_key, "X-BAPI-TIMESTAMP": str(ts), "X-BAPI-SIGN": sign,
                "X-BAPI-RECV-WINDOW": str(self.recv_window)}

    async def call(self, method: str, path: str, params: dict[str, Any] | None = None, *,
                   signed: bool = True, cancel: bool = False, idempotent: bool | None = None) -> dict:
        """One V5 call; returns ``result``.  On 10002 (time window) resync and retry once."""
        clean = {k: _wire(v) for k, v in (params or {}).items() if v is not None}
        cost = Cost(weight=1, endpoint=path, cancel=cancel)

        def sign():
            if method == "GET":
                query = urlencode(list(clean.items()))
                return query, None, self.auth_headers(query) if signed else None
            body = json.dumps(clean, separators=(",", ":"))
            headers = {"Content-Type": "application/json"}
            if signed:
                headers.update(self.auth_headers(body))
            return "", body.encode(), headers

        def check(resp):
            check_response(resp, self.limiter, path)

        try:
            resp = await self.http.request(method, path, cost=cost, idempotent=idempotent, sign=sign, check=check)
        except TimestampError:
            log.warning("bybit: request time outside recv_window; resyncing the clock and retrying once")
            await self.clock.sync()
            resp = await self.http.request(method, path, cost=cost, idempotent=idempotent, sign=sign, check=check)
        return resp.json()["result"]

    # -- market data --------------------------------------------------------------------
    async def server_time(self) -> int:
        resp = await self.http.request("GET", "/v5/market/time", cost=Cost(weight=1))
        return int(resp.json()["result"]["timeNano"]) // 1_000_000

    async def instruments(self, category: str, symbol: str | None = None) -> list:
        rows, cursor = [], None
        while True:
            res = await self.call("GET", "/v5/market/instruments-info",
                                  {"category": category, "symbol": symbol, "limit": 1000, "cursor": cursor},
                                  signed=False)
            rows.extend(res.get("list", []))
            cursor = res.get("nextPageCursor")
            if not cursor:
                return rows

    # -- orders (acknowledgements only; state comes on the private stream) -----------------
    async def place_order(self, params: dict[str, Any]) -> dict:
        """``/v5/order/create``; never resent on a lost answer (resolve by ``orderLinkId``)."""
        return await self.call("POST", "/v5/order/create", params, idempotent=False)

    async def amend_order(self, params: dict[str, Any]) -> dict:
        _one_id(params.get("orderId"), params.get("orderLinkId"))
        return await self.call("POST", "/v5/order/amend", params, idempotent=False)

    async def cancel_order(self, category: str, symbol: str, *, order_id: str | None = None,
                           order_link_id: str | None = None) -> dict:
        _one_id(order_id, order_link_id)
        return await self.call("POST", "/v5/order/cancel", {"category": category, "symbol": symbol,
                                                           "orderId": order_id, "orderLinkId": order_link_id},
                               cancel=True, idempotent=False)

    async def cancel_all(self, category: str, symbol: str) -> list:
        res = await self.call("POST", "/v5/order/cancel-all", {"category": category, "symbol": symbol},
                              cancel=True, idempotent=False)
        return res.get("list", [])

    async def get_order(self, category: str, symbol: str, *, order_id: str | None = None,
                        order_link_id: str | None = None) -> dict | None:
        """The order from open orders, else from history; None when the venue does not know it."""
        _one_id(order_id, order_link_id)
        ids = {"orderId": order_id, "orderLinkId": order_link_id}
        for path, extra in (("/v5/order/realtime", {"openOnly": 0}), ("/v5/order/history", {})):
            res = await self.call("GET", path, {"category": category, "symbol": symbol, **ids, **extra})
            if res.get("list"):
                return res["list"][0]
        return None

    async def open_orders(self, category: str, symbol: str | None = None) -> list:
        return await self._paged("/v5/order/realtime", {"category": category, "symbol": symbol,
                                                        "settleCoin": None if symbol or category == "spot" else "USDT",
                                                        "limit": 50})

    async def order_history(self, category: str, symbol: str | None = None, start_time: int | None = None,
                            most: int | None = None) -> list:
        """``/v5/order/history``, 50 a page, newest first; stops after ``most`` rows."""
        return await self._paged("/v5/order/history", {"category": category, "symbol": symbol,
                                                       "startTime": start_time, "limit": 50}, most)

    async def executions(self, category: str, symbol: str | None = None, start_time: int | None = None,
                         most: int | None = None) -> list:
        """``/v5/execution/list``, 100 a page, newest first; stops after ``most`` rows."""
        return await self._paged("/v5/execution/list", {"category": category, "symbol": symbol,
                                                        "startTime": start_time, "limit": 100}, most)

    # -- account --------------------------------------------------------------------------
    async def positions(self, symbol: str | None = None) -> list:
        return await self._paged("/v5/position/list", {"category": "linear", "symbol": symbol,
                                                       "settleCoin": None if symbol else "USDT", "limit": 200})

    async def wallet(self, coin: str | None = None) -> dict:
        res = await self.call("GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED", "coin": coin})
        return res["list"][0] if res.get("list") else {}

    async def balances(self) -> dict[str, dict]:
        """asset -> its unified-wallet coin row (walletBalance, locked, unrealisedPnl, totalPositionIM, ...)."""
        w = await self.wallet()
        return {c["coin"]: c for c in w.get("coin", [])}

    async def set_leverage(self, symbol: str, leverage: str | int) -> None:
        await self.call("POST", "/v5/position/set-leverage", {"category": "linear", "symbol": symbol,
                                                             "buyLeverage": leverage, "sellLeverage": leverage},
                        idempotent=True)

    async def _paged(self, path: str, params: dict[str, Any], most: int | None = None) -> list:
        rows, cursor = [], None
        while True:
            res = await self.call("GET", path, {**params, "cursor": cursor})
            rows.extend(res.get("list", []))
            cursor = res.get("nextPageCursor")
            if not cursor or (most is not None and len(rows) >= most):
                return rows if most is None else rows[:most]


def _one_id(a, b) -> None:
    if (a is None) == (b is None):
        raise ValueError("give exactly one of orderId and orderLinkId")


def _wire(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        raise TypeError("floats are never sent: pass str, Decimal or int")
    return str(v)
