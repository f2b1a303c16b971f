"""TopstepX REST (ProjectX Gateway): JSON POSTs with the bearer token, the general (cold) path.

Every call is ``POST /api/...`` with a JSON body (shared/venues/topstepx-projectx.md §1, §4);
answers carry ``success`` / ``errorCode`` / ``errorMessage`` (see :mod:`.errors`).  Reads
are retried on 5xx and lost answers with the configured delays (0.75, 1.5, 3 s by
default); orders never are (their fate is resolved by customTag).  A 401 renews the token
(:mod:`.auth`) and sends the request once more: the venue did not process it.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from engine.config import VenueConfig
from engine.transport.http import RestTransport
from engine.transport.ratelimit import Cost
from engine.transport.timesync import ClockSync
from engine.venues import errors as E
from engine.venues.topstepx.auth import TokenManager
from engine.venues.topstepx.errors import check_response
from engine.venues.topstepx.limits import BARS, BARS_COST, CANCEL_COST, COST, default_limiter

__all__ = ["TopstepxRest", "BearerValue", "iso"]

log = logging.getLogger("engine.venues.topstepx.rest")

_JSON_HEADERS = {"Content-Type": "application/json", "Accept": "text/plain"}


class BearerValue(str):
    """An ``Authorization`` header value whose repr hides the token (tracebacks that print locals)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'Bearer <redacted>'"


async def _local_ms() -> int:
    return int(time.time() * 1000)


def iso(ts: datetime) -> str:
    """ISO-8601 with the UTC offset, as the Gateway writes its timestamps."""
    return ts.astimezone(timezone.utc).isoformat()


class TopstepxRest:
    """The account's general REST client: login, contracts, orders (cold path), positions, trades, bars."""

    def __init__(self, config: VenueConfig):
        if config.venue != "topstepx":
            raise ValueError(f"TopstepxRest serves topstepx, not {config.venue}")
        self.config = config
        self.limiter = default_limiter()
        self.http = RestTransport(config.endpoints.rest, limiter=self.limiter, check=lambda r: None,
                                  connect_timeout=config.connect_timeout, read_timeout=config.read_timeout,
                                  retry_delays=config.retry_delays)
        self.tokens = TokenManager(config.api_key, config.api_secret, self._post_raw)
        # the Gateway has no server-time endpoint: venue time is our clock (it matters only for the
        # exactly-once deadline of a lost order, which has no timestamp on this venue)
        self.clock = ClockSync(_local_ms, samples=1)

    def __repr__(self) -> str:
        return f"TopstepxRest(rest={self.config.endpoints.rest!r}, user={self.config.api_key!r})"

    async def start(self) -> None:
        await self.http.start()
        try:
            await self.tokens.start()
        except BaseException:
            await self.http.close()
            raise

    async def close(self) -> None:
        await self.tokens.stop()
        await self.http.close()

    # -- the one request shape ------------------------------------------------------------------
    async def _post_raw(self, path: str, body: dict, token, *, idempotent: bool = True,
                        cost: Cost = COST) -> dict:
        payload = json.dumps(body, separators=(",", ":")).encode()

        def sign():
            headers = dict(_JSON_HEADERS)
            if token is not None:
                headers["Authorization"] = BearerValue("Bearer " + token.reveal())
            return "", payload, headers

        resp = await self.http.request("POST", path, cost=cost, idempotent=idempotent, sign=sign,
                                       check=lambda r: check_response(r, path, self.limiter))
        return resp.json()

    async def post(self, path: str, body: dict, *, idempotent: bool = True, cancel: bool = False,
                   cost: Cost | None = None) -> dict:
        """One authenticated call; returns the decoded answer (``success`` true), raises the typed error.

        A 401 renews the token and sends the request once more (it was not processed)."""
        cost = cost or (CANCEL_COST if cancel else COST)
        token = self.tokens.token
        try:
            return await self._post_raw(path, body, token, idempotent=idempotent, cost=cost)
        except E.AuthenticationError as exc:
            if exc.http_status != 401:
                raise
        log.info("topstepx: %s answered 401; renewing the token and sending it again", path)
        await self.tokens.renew(token)
        return await self._post_raw(path, body, self.tokens.token, idempotent=idempotent, cost=cost)

    # -- account and contracts --------------------------------------------------------------------
    async def accounts(self, only_active: bool = True) -> list[dict]:
        return (await self.post("/api/Account/search", {"onlyActiveAccounts": only_active})).get("accounts") or []

    async def contracts_available(self, live: bool = False) -> list[dict]:
        return (await self.post("/api/Contract/available", {"live": live})).get("contracts") or []

    async def contract_search(self, text: str, live: bool = False) -> list[dict]:
        """At most 20 contracts matching ``text`` (the venue does not page)."""
        return (await self.post("/api/Contract/search", {"searchText": text, "live": live})).get("contracts") or []

    async def contract_by_id(self, contract_id: str) -> dict | None:
        try:
            return (await self.post("/api/Contract/searchById", {"contractId": contract_id})).get("contract")
        except E.InvalidRequest:
            return None

    # -- orders (general path; the lean one is order_path) ------------------------------------------
    async def place(self, body: dict) -> dict:
        """``/api/Order/place`` with a body built elsewhere; never sent twice (resolve by customTag)."""
        return await self.post("/api/Order/place", body, idempotent=False)

    async def modify(self, body: dict) -> dict:
        return await self.post("/api/Order/modify", body, idempotent=False)

    async def cancel(self, account_id: int, order_id: int) -> dict:
        return await self.post("/api/Order/cancel", {"accountId": account_id, "orderId": int(order_id)},
                               idempotent=False, cancel=True)

    async def orders(self, account_id: int, since: datetime, until: datetime | None = None) -> list[dict]:
        body: dict[str, Any] = {"accountId": account_id, "startTimestamp": iso(since)}
        if until is not None:
            body["endTimestamp"] = iso(until)
        return (await self.post("/api/Order/search", body)).get("orders") or []

    async def open_orders(self, account_id: int) -> list[dict]:
        """Open orders (the venue leaves out Suspended bracket children: see :meth:`working_orders`)."""
        return (await self.post("/api/Order/searchOpen", {"accountId": account_id})).get("orders") or []

    async def working_orders(self, account_id: int, lookback: timedelta = timedelta(days=1)) -> list[dict]:
        """Open orders and Suspended bracket children (status 1 or 8), from Order/search over ``lookback``:
        searchOpen leaves the children out, and they are the account's protective stops."""
        since = datetime.now(timezone.utc) - lookback
        return [o for o in await self.orders(account_id, since) if o.get("status") in (1, 6, 7, 8)]

    async def order_by_id(self, account_id: int, order_id: int) -> dict | None:
        try:
            return (await self.post("/api/Order/searchById", {"accountId": account_id,
                                                              "orderId": int(order_id)})).get("order")
        except E.UnknownOrder:
            return None

    # -- positions, trades, bars ----------------------------------------------------------------------
    async def positions(self, account_id: int) -> list[dict]:
        return (await self.post("/api/Position/searchOpen", {"accountId": account_id})).get("positions") or []

    async def close_position(self, account_id: int, contract_id: str) -> dict:
        return await self.post("/api/Position/closeContract", {"accountId": account_id, "contractId": contract_id},
                               idempotent=False)

    async def partial_close(self, account_id: int, contract_id: str, size: int) -> dict:
        return await self.post("/api/Position/partialCloseContract",
                               {"accountId": account_id, "contractId": contract_id, "size": int(size)},
                               idempotent=False)

    async def trades(self, account_id: int, since: datetime, until: datetime | None = None) -> list[dict]:
        body: dict[str, Any] = {"accountId": account_id, "startTimestamp": iso(since)}
        if until is not None:
            body["endTimestamp"] = iso(until)
        return (await self.post("/api/Trade/search", body)).get("trades") or []

    async def bars(self, contract_id: str, start: datetime, end: datetime, *, unit: int = 2, unit_number: int = 1,
                   limit: int = 1, live: bool = False, partial: bool = True) -> list[dict]:
        """``/api/History/retrieveBars`` (newest first); unit 2 = minutes."""
        return (await self.post(BARS, {"contractId": contract_id, "live": live, "startTime": iso(start),
                                       "endTime": iso(end), "unit": unit, "unitNumber": unit_number,
                                       "limit": limit, "includePartialBar": partial},
                                cost=BARS_COST)).get("bars") or []
