"""Gate.io APIv4 REST: signed requests, time sync, orders, trades, balances, pairs (the general, cold path).

Signing (shared/venues/gateio-spot.md §2): headers ``KEY``, ``Timestamp`` (unix seconds)
and ``SIGN`` = hex HMAC-SHA512 of ``METHOD\\n/api/v4<path>\\n<query as sent>\\n
hex(SHA512(body))\\n<Timestamp>``.  The query is written here, in the order given, from
values that need no escaping (pairs, ids, texts, digits), and sent as written, so the
venue reads the very string that was signed.  A refusal is a non-2xx status with a
``label`` (:mod:`.errors`); ``REQUEST_EXPIRED`` resyncs the clock and retries once.
Requests that may create an order carry ``X-Gate-Exptime`` (the venue refuses them once
it is past), so a lost one can no longer be taken after ``timestamp + recv_window``.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote, urlsplit

from engine._signer import RequestSigner
from engine.config import VenueConfig
from engine.transport.http import RestTransport
from engine.transport.ratelimit import Cost
from engine.transport.timesync import ClockSync
from engine.venues.errors import TimestampError
from engine.venues.gateio.errors import check_response
from engine.venues.gateio.limits import GateLimits

__all__ = ["GateRest", "API_PREFIX", "api_prefix"]

log = logging.getLogger("engine.venues.gateio.rest")

API_PREFIX = "/api/v4"
_PUBLIC = Cost(weight=0)


def api_prefix(rest_url: str) -> str:
    """The path before ``/api/v4`` in the REST base URL ("" for ``https://api.gateio.ws/api/v4``)."""
    path = urlsplit(rest_url).path.rstrip("/")
    if not path.endswith(API_PREFIX):
        raise ValueError(f"a Gate.io REST base URL ends with {API_PREFIX} (e.g. https://api.gateio.ws/api/v4), "
                         f"not {rest_url!r}")
    return path[:-len(API_PREFIX)]


def query_string(params: dict[str, Any] | None) -> str:
    """``k=v&...`` in the given order, None values left out; values are percent-encoded only where
    they must be (never for the pairs, ids and digits the engine sends)."""
    if not params:
        return ""
    parts = []
    for k, v in params.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, float):
            raise TypeError("floats are never sent: pass str, Decimal or int")
        parts.append(f"{k}={quote(str(v), safe='-_.~!')}")
    return "&".join(parts)


class GateRest:
    """One Gate.io spot account over REST (queries, account, metadata; orders on the general path)."""

    def __init__(self, config: VenueConfig, limits: GateLimits | None = None):
        if config.venue != "gateio":
            raise ValueError(f"GateRest serves gateio, not {config.venue}")
        self.config = config
        self.api_key = config.api_key
        self.base_path = api_prefix(config.endpoints.rest) + API_PREFIX      # what the venue signs
        self.recv_window = config.recv_window_ms
        self.signer = RequestSigner(config.api_secret.reveal_bytes())
        self.limits = limits or GateLimits()
        self.limiter = self.limits.limiter
        self.http = RestTransport(
            config.endpoints.rest, limiter=self.limiter, check=lambda r: check_response(r, self.limiter),
            connect_timeout=config.connect_timeout, read_timeout=config.read_timeout,
            retry_delays=config.retry_delays,
        )
        self.clock = ClockSync(self.server_time)

    def __repr__(self) -> str:
        return f"GateRest(rest={self.config.endpoints.rest!r})"

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
    def auth_headers(self, method: str, path: str, query: str, body: str) -> dict[str, str]:
        """KEY / Timestamp / SIGN for one request (``path`` below ``/api/v4``)."""
        ts = self.clock.now_ms() // 1000
        sign = self.signer.sign_gateio(method, self.base_path + path, query, body, ts)
        return {"KEY": self.api_key, "Timestamp": str(ts), "SIGN": sign}

    async def call(self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None, *,
                   signed: bool = True, cost: Cost | None = None, idempotent: bool | None = None,
                   expires: bool = False) -> Any:
        """One request; returns the decoded JSON answer (None for an empty body).

        ``params`` go in the query string, ``body`` (a dict or list) as compact JSON.
        ``expires``: send ``X-Gate-Exptime`` (venue time + recv window, ms).
        """
        query = query_string(params)
        payload = json.dumps(body, separators=(",", ":")) if body is not None else ""
        if cost is None:
            cost = self.limits.other(path) if signed else _PUBLIC

        def sign():
            headers = {"Accept": "application/json"}
            if payload:
                headers["Content-Type"] = "application/json"
            if signed:
                headers.update(self.auth_headers(method, path, query, payload))
            if expires:
                headers["X-Gate-Exptime"] = str(self.clock.now_ms() + self.recv_window)
            return query, payload.encode() if payload else None, headers

        try:
            resp = await self.http.request(method, path, cost=cost, idempotent=idempotent, sign=sign)
        except TimestampError:
            log.warning("gateio: request timestamp refused (REQUEST_EXPIRED); resyncing the clock, retrying once")
            await self.clock.sync()
            resp = await self.http.request(method, path, cost=cost, idempotent=idempotent, sign=sign)
        return resp.json() if resp.body else None

    # -- public ------------------------------------------------------------------------------
    async def server_time(self) -> int:
        """``GET /spot/time``: the venue's clock in ms."""
        resp = await self.http.request("GET", "/spot/time", cost=_PUBLIC)
        return int(resp.json()["server_time"])

    async def currency_pairs(self) -> list[dict]:
        return await self.call("GET", "/spot/currency_pairs", signed=False)

    async def order_book(self, pair: str, limit: int = 1) -> dict:
        return await self.call("GET", "/spot/order_book", {"currency_pair": pair, "limit": limit}, signed=False)

    # -- orders ----------------------------------------------------------------------------
    async def place_order(self, body: dict) -> dict:
        """``POST /spot/orders`` on the general path; never resent on a lost answer (resolve by ``text``)."""
        return await self.call("POST", "/spot/orders", body=body, cost=self.limits.place(body["currency_pair"]),
                               idempotent=False, expires=True)

    async def get_order(self, pair: str, order_id: str) -> dict:
        """``GET /spot/orders/{id}``: ``order_id`` is the venue's id, or the order's ``text`` while it is open."""
        return await self.call("GET", f"/spot/orders/{order_id}", {"currency_pair": pair})

    async def cancel_order(self, pair: str, order_id: str) -> dict:
        return await self.call("DELETE", f"/spot/orders/{order_id}", {"currency_pair": pair},
                               cost=self.limits.cancel, idempotent=False)

    async def amend_order(self, pair: str, order_id: str, body: dict) -> dict:
        return await self.call("PATCH", f"/spot/orders/{order_id}", {"currency_pair": pair}, body,
                               cost=self.limits.place(pair), idempotent=False)

    async def cancel_all(self, pair: str) -> list:
        """``DELETE /spot/orders?currency_pair=``: every open order of the pair (a list of Orders)."""
        return await self.call("DELETE", "/spot/orders", {"currency_pair": pair}, cost=self.limits.cancel,
                               idempotent=False) or []

    async def orders(self, pair: str, status: str, *, limit: int = 100, page: int | None = None,
                     start_s: int | None = None) -> list:
        """``GET /spot/orders``: ``status`` open (limit <= 100) or finished (limit <= 1000, from ``start_s``
        when given), newest first."""
        return await self.call("GET", "/spot/orders", {"currency_pair": pair, "status": status, "page": page,
                                                       "limit": limit, "from": start_s}) or []

    async def open_orders(self, pair: str | None = None) -> list:
        """Every open order (of ``pair``, or of every pair through ``GET /spot/open_orders``), all pages."""
        rows: list = []
        page = 1
        while True:
            if pair is not None:
                batch = await self.orders(pair, "open", limit=100, page=page)
                rows.extend(batch)
                full = len(batch) >= 100
            else:
                groups = await self.call("GET", "/spot/open_orders", {"page": page, "limit": 100}) or []
                full = False
                for g in groups:
                    batch = g.get("orders") or []
                    rows.extend(batch)
                    full |= len(batch) >= 100
            if not full:
                return rows
            page += 1

    async def my_trades(self, pair: str, *, order_id: str | None = None, limit: int = 1000,
                        start_s: int | None = None) -> list:
        return await self.call("GET", "/spot/my_trades", {"currency_pair": pair, "limit": limit,
                                                          "order_id": order_id, "from": start_s}) or []

    async def accounts(self) -> list:
        return await self.call("GET", "/spot/accounts") or []

    async def countdown_cancel_all(self, seconds: int, pair: str) -> dict:
        """``POST /spot/countdown_cancel_all``: the venue cancels ``pair``'s orders unless renewed (0: off)."""
        return await self.call("POST", "/spot/countdown_cancel_all", body={"timeout": int(seconds),
                                                                          "currency_pair": pair}, idempotent=True)
