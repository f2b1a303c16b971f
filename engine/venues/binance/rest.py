"""Binance REST (spot ``/api/v3`` and USD-M ``/fapi``): signed requests, time sync, every account/order call.

This is the general (cold) path: parameters as ``dict``, answers as decoded JSON.
Placement on the lean path (pre-built bytes, compiled encoder and parser) builds on
the same signer, limiter, clock and error mapping.
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
from engine.venues.binance.errors import check_response
from engine.venues.binance.limits import default_limiter, limiter_from_exchange_info
from engine.venues.errors import TimestampError

__all__ = ["BinanceRest"]

log = logging.getLogger("engine.venues.binance.rest")

# Per-endpoint request weights (shared/venues/binance-*.md §4).  Successful order calls
# cost 0 weight on spot since 2026-04-02 but still count on the order limiters.
SPOT_WEIGHTS = {"order_get": 4, "open_orders_symbol": 6, "open_orders_all": 80, "all_orders": 20, "account": 20,
                "exchange_info": 20, "time": 1, "my_trades": 20, "amend": 4}
USDM_WEIGHTS = {"order_get": 1, "open_orders_symbol": 1, "open_orders_all": 40, "all_orders": 5, "account": 5,
                "exchange_info": 1, "time": 1, "my_trades": 5, "position_risk": 5, "listen_key": 1}


class BinanceRest:
    """One Binance account on spot (``config.venue == 'binance-spot'``) or USD-M futures."""

    def __init__(self, config: VenueConfig):
        if config.venue not in ("binance-spot", "binance-usdm"):
            raise ValueError(f"BinanceRest serves binance-spot and binance-usdm, not {config.venue}")
        self.config = config
        self.venue = config.venue
        self.futures = config.venue == "binance-usdm"
        self.prefix = "/fapi/v1" if self.futures else "/api/v3"
        self.weights = USDM_WEIGHTS if self.futures else SPOT_WEIGHTS
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self.limiter = default_limiter(self.venue)
        self.http = RestTransport(
            config.endpoints.rest, limiter=self.limiter, check=self._check,
            headers={"X-MBX-APIKEY": config.api_key}, connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout, retry_delays=config.retry_delays,
        )
        self.clock = ClockSync(self.server_time)

    def _check(self, response) -> None:
        check_response(self.venue, response, self.limiter)

    def __repr__(self) -> str:
        return f"BinanceRest(venue={self.venue!r}, rest={self.config.endpoints.rest!r})"

    # -- plumbing -------------------------------------------------------------------
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

    def sign_query(self, params: dict[str, Any]) -> str:
        """``params`` + recvWindow + timestamp + signature, percent-encoded as Binance REST signs it."""
        query = urlencode([(k, _wire(v)) for k, v in params.items() if v is not None])
        query = f"{query}&recvWindow={self.config.recv_window_ms}" if query else f"recvWindow={self.config.recv_window_ms}"
        ts = self.clock.now_ms()
        return f"{query}&timestamp={ts}&signature={self.signer.sign_binance(query, ts)}"

    async def public(self, method: str, path: str, params: dict[str, Any] | None = None, *, weight: int = 1):
        query = urlencode([(k, _wire(v)) for k, v in (params or {}).items() if v is not None])
        resp = await self.http.request(method, path, query=query, cost=Cost(weight=weight))
        return json.loads(resp.body)

    async def signed(self, method: str, path: str, params: dict[str, Any] | None = None, *, weight: int = 1,
                     orders: int = 0, cancel: bool = False, idempotent: bool | None = None):
        """A signed request; on -1021 (timestamp outside recvWindow) resync the clock and retry once."""
        params = params or {}
        cost = Cost(weight=weight, orders=orders, cancel=cancel)

        def sign():
            return self.sign_query(params), None, None

        try:
            resp = await self.http.request(method, path, cost=cost, idempotent=idempotent, sign=sign)
        except TimestampError:
            log.warning("%s: timestamp outside recvWindow; resyncing the clock and retrying once", self.venue)
            await self.clock.sync()
            resp = await self.http.request(method, path, cost=cost, idempotent=idempotent, sign=sign)
        return json.loads(resp.body)

    # -- market data and metadata -----------------------------------------------------
    async def server_time(self) -> int:
        resp = await self.http.request("GET", f"{self.prefix}/time", cost=Cost(weight=1))
        return int(json.loads(resp.body)["serverTime"])

    async def exchange_info(self) -> dict:
        """``exchangeInfo``; also adopts the venue's published rate limits."""
        info = await self.public("GET", f"{self.prefix}/exchangeInfo", weight=self.weights["exchange_info"])
        new = limiter_from_exchange_info(self.venue, info, self.limiter)
        self.limiter.set_windows(new.weight, new.orders)
        return info

    # -- orders -------------------------------------------------------------------------
    async def place_order(self, params: dict[str, Any]) -> dict:
        """POST order (plain orders; USD-M conditional orders go to :meth:`place_algo_order`).

        Never retried on a lost answer: the caller resolves it by ``newClientOrderId``.
        """
        return await self.signed("POST", f"{self.prefix}/order", params, weight=1, orders=1, idempotent=False)

    async def cancel_order(self, symbol: str, *, order_id: int | None = None,
                           client_order_id: str | None = None) -> dict:
        _one_id(order_id, client_order_id)
        params = {"symbol": symbol, "orderId": order_id, "origClientOrderId": client_order_id}
        return await self.signed("DELETE", f"{self.prefix}/order", params, weight=1, cancel=True, idempotent=False)

    async def cancel_all(self, symbol: str):
        path = f"{self.prefix}/allOpenOrders" if self.futures else f"{self.prefix}/openOrders"
        return await self.signed("DELETE", path, {"symbol": symbol}, weight=1, cancel=True, idempotent=False)

    async def get_order(self, symbol: str, *, order_id: int | None = None,
                        client_order_id: str | None = None) -> dict:
        _one_id(order_id, client_order_id)
        params = {"symbol": symbol, "orderId": order_id, "origClientOrderId": client_order_id}
        return await self.signed("GET", f"{self.prefix}/order", params, weight=self.weights["order_get"])

    async def open_orders(self, symbol: str | None = None) -> list:
        weight = self.weights["open_orders_symbol" if symbol else "open_orders_all"]
        return await self.signed("GET", f"{self.prefix}/openOrders", {"symbol": symbol}, weight=weight)

    async def all_orders(self, symbol: str, *, start_time: int | None = None, end_time: int | None = None,
                         limit: int | None = None) -> list:
        params = {"symbol": symbol, "startTime": start_time, "endTime": end_time, "limit": limit}
        return await self.signed("GET", f"{self.prefix}/allOrders", params, weight=self.weights["all_orders"])

    async def my_trades(self, symbol: str, *, start_time: int | None = None, limit: int | None = None) -> list:
        path = f"{self.prefix}/userTrades" if self.futures else f"{self.prefix}/myTrades"
        params = {"symbol": symbol, "startTime": start_time, "limit": limit}
        return await self.signed("GET", path, params, weight=self.weights["my_trades"])

    async def cancel_replace(self, params: dict[str, Any]) -> dict:
        """Spot ``order/cancelReplace`` (cancelReplaceMode etc. in ``params``)."""
        self._spot_only("cancel_replace")
        return await self.signed("POST", f"{self.prefix}/order/cancelReplace", params, weight=1, orders=1,
                                 idempotent=False)

    # -- spot order lists (OTOCO brackets) -------------------------------------------------
    async def place_otoco(self, params: dict[str, Any]) -> dict:
        """Spot ``POST /api/v3/orderList/otoco`` (weight 1, 3 on the unfilled-order count).

        Never retried on a lost answer: the caller resolves it by its client ids.
        """
        self._spot_only("place_otoco")
        return await self.signed("POST", f"{self.prefix}/orderList/otoco", params, weight=1, orders=3,
                                 idempotent=False)

    async def cancel_order_list(self, symbol: str, *, list_client_id: str | None = None,
                                order_list_id: int | None = None) -> dict:
        """Spot ``DELETE /api/v3/orderList``: every order of the list still open or pending."""
        self._spot_only("cancel_order_list")
        _one_id(order_list_id, list_client_id)
        params = {"symbol": symbol, "orderListId": order_list_id, "listClientOrderId": list_client_id}
        return await self.signed("DELETE", f"{self.prefix}/orderList", params, weight=1, cancel=True,
                                 idempotent=False)

    async def get_order_list(self, *, list_client_id: str | None = None, order_list_id: int | None = None) -> dict:
        """Spot ``GET /api/v3/orderList`` (by ``origClientOrderId`` = the list's client id), weight 4."""
        self._spot_only("get_order_list")
        _one_id(order_list_id, list_client_id)
        return await self.signed("GET", f"{self.prefix}/orderList",
                                 {"orderListId": order_list_id, "origClientOrderId": list_client_id}, weight=4)

    async def open_order_lists(self) -> list:
        """Spot ``GET /api/v3/openOrderList``, weight 6."""
        self._spot_only("open_order_lists")
        return await self.signed("GET", f"{self.prefix}/openOrderList", weight=6)

    async def amend_keep_priority(self, symbol: str, new_qty: str, *, order_id: int | None = None,
                                  client_order_id: str | None = None) -> dict:
        """Spot quantity-down amend that keeps queue priority."""
        self._spot_only("amend_keep_priority")
        _one_id(order_id, client_order_id)
        params = {"symbol": symbol, "orderId": order_id, "origClientOrderId": client_order_id, "newQty": new_qty}
        return await self.signed("PUT", f"{self.prefix}/order/amend/keepPriority", params,
                                 weight=self.weights["amend"], idempotent=False)

    async def modify_order(self, params: dict[str, Any]) -> dict:
        """USD-M ``PUT /fapi/v1/order``: new price and quantity for a resting LIMIT order."""
        self._futures_only("modify_order")
        return await self.signed("PUT", f"{self.prefix}/order", params, weight=1, orders=1, idempotent=False)

    async def place_algo_order(self, params: dict[str, Any]) -> dict:
        """USD-M conditional orders (STOP, TAKE_PROFIT, TRAILING_STOP_MARKET...) via ``/fapi/v1/algoOrder``."""
        self._futures_only("place_algo_order")
        params = {"algoType": "CONDITIONAL", **params}
        return await self.signed("POST", f"{self.prefix}/algoOrder", params, weight=1, orders=1, idempotent=False)

    async def cancel_algo_order(self, *, algo_id: int | None = None, client_algo_id: str | None = None) -> dict:
        self._futures_only("cancel_algo_order")
        _one_id(algo_id, client_algo_id)
        params = {"algoId": algo_id, "clientAlgoId": client_algo_id}
        return await self.signed("DELETE", f"{self.prefix}/algoOrder", params, weight=1, cancel=True,
                                 idempotent=False)

    async def get_algo_order(self, *, algo_id: int | None = None, client_algo_id: str | None = None) -> dict:
        """USD-M ``GET /fapi/v1/algoOrder`` by algoId or clientAlgoId (-2011/-2013: no such order)."""
        self._futures_only("get_algo_order")
        _one_id(algo_id, client_algo_id)
        return await self.signed("GET", f"{self.prefix}/algoOrder", {"algoId": algo_id, "clientAlgoId": client_algo_id},
                                 weight=1)

    async def open_algo_orders(self, symbol: str | None = None) -> list:
        self._futures_only("open_algo_orders")
        return await self.signed("GET", f"{self.prefix}/openAlgoOrders", {"symbol": symbol}, weight=1)

    # -- account ------------------------------------------------------------------------
    async def account(self) -> dict:
        path = "/fapi/v3/account" if self.futures else f"{self.prefix}/account"
        return await self.signed("GET", path, weight=self.weights["account"])

    async def balances(self) -> dict[str, tuple[str, str]]:
        """Spot: asset -> (free, locked).  USD-M: asset -> (availableBalance, walletBalance)."""
        if self.futures:
            rows = await self.signed("GET", "/fapi/v3/balance", weight=5)
            return {r["asset"]: (r["availableBalance"], r["balance"]) for r in rows}
        acct = await self.account()
        return {b["asset"]: (b["free"], b["locked"]) for b in acct["balances"]}

    async def positions(self, symbol: str | None = None) -> list:
        self._futures_only("positions")
        return await self.signed("GET", "/fapi/v3/positionRisk", {"symbol": symbol},
                                 weight=self.weights["position_risk"])

    async def set_leverage(self, symbol: str, leverage: int) -> dict:
        self._futures_only("set_leverage")
        return await self.signed("POST", f"{self.prefix}/leverage", {"symbol": symbol, "leverage": leverage},
                                 weight=1, idempotent=True)

    # -- USD-M listen key (the spot listen-key endpoints are retired) -----------------------
    async def create_listen_key(self) -> str:
        self._futures_only("create_listen_key")
        resp = await self.http.request("POST", f"{self.prefix}/listenKey", cost=Cost(weight=1), idempotent=True)
        return json.loads(resp.body)["listenKey"]

    async def keepalive_listen_key(self) -> None:
        self._futures_only("keepalive_listen_key")
        await self.http.request("PUT", f"{self.prefix}/listenKey", cost=Cost(weight=1), idempotent=True)

    async def close_listen_key(self) -> None:
        self._futures_only("close_listen_key")
        await self.http.request("DELETE", f"{self.prefix}/listenKey", cost=Cost(weight=1), idempotent=True)

    def _spot_only(self, what: str) -> None:
        if self.futures:
            raise NotImplementedError(f"{what} is a Binance spot call; use modify_order on USD-M")

    def _futures_only(self, what: str) -> None:
        if not self.futures:
            raise NotImplementedError(f"{what} exists on Binance USD-M futures only")


def _one_id(a, b) -> None:
    if (a is None) == (b is None):
        raise ValueError("give exactly one of the exchange order id and the client order id")


def _wire(v: Any) -> str:
    """Parameter values as Binance wants them: booleans lower-case, numbers as plain strings."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        raise TypeError("floats are never sent: pass str, Decimal or int")
    return str(v)
