"""General REST requests over aiohttp: keep-alive pool, TCP_NODELAY, timeouts, pacing, retries.

Orders take the lean path (:mod:`engine.transport.fast_http`); everything else (queries,
account, exchange info, listen keys) goes through :class:`RestTransport`.  Both share
the venue's :class:`~engine.transport.ratelimit.RateLimiter` and error mapping, so a
429, a ban or a venue error means the same thing whichever path met it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, Mapping

import aiohttp

from engine.transport.errors import ConnectFailed, ConnectionLost, RequestTimeout
from engine.transport.fast_http import HttpResponse
from engine.transport.ratelimit import Cost, RateLimiter
from engine.transport.retry import backoff_delays, retry_safe_call

__all__ = ["RestTransport"]

log = logging.getLogger("engine.transport.http")

# check(response) raises the venue's typed error for a failed answer (and feeds the limiter).
Checker = Callable[[HttpResponse], None]


class RestTransport:
    """One venue origin over a pooled aiohttp session."""

    def __init__(
        self,
        base_url: str,
        *,
        limiter: RateLimiter,
        check: Checker,
        headers: Mapping[str, str] | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        retry_delays: tuple[float, ...] = (0.75, 1.5, 3.0),
        pool_size: int = 8,
    ):
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.check = check
        self.headers = dict(headers or {})
        self.timeout = aiohttp.ClientTimeout(total=None, connect=connect_timeout, sock_read=read_timeout)
        self.retry_delays = retry_delays
        self.pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self.pool_size, keepalive_timeout=60, enable_cleanup_closed=True)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout,
                                                  headers=self.headers, auto_decompress=True)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        cost: Cost = Cost(),
        idempotent: bool | None = None,
        sign: Callable[[], tuple[str, bytes | None, Mapping[str, str] | None]] | None = None,
        check: Checker | None = None,
    ) -> HttpResponse:
        """Send one request and return the checked answer.

        ``sign``, when given, is called before every attempt and returns a fresh
        ``(query, body, headers)`` (new timestamp and signature on each retry).
        ``check`` replaces the transport's answer check for this call.
        ``idempotent`` defaults to True for GET: reads are retried on network errors
        and 5xx with backoff and jitter; other requests only on answers marked safe.
        """
        if idempotent is None:
            idempotent = method == "GET"
        checker = check or self.check

        async def attempt() -> HttpResponse:
            q, b, h = (query, body, headers) if sign is None else sign()
            await self.limiter.acquire(cost)
            response = await self._send(method, path, q, b, h)
            checker(response)
            return response

        return await retry_safe_call(attempt, delays=backoff_delays(self.retry_delays), idempotent=idempotent,
                                     what=f"{method} {path}")

    async def _send(self, method, path, query, body, headers) -> HttpResponse:
        if self._session is None:
            await self.start()
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        try:
            async with self._session.request(method, url, data=body, headers=headers,  # type: ignore[union-attr]
                                             allow_redirects=False) as resp:
                data = await resp.read()
                raw_headers = [(k.lower(), v) for k, v in resp.raw_headers]
                return HttpResponse(resp.status, raw_headers, data)
        except aiohttp.ClientConnectorError as exc:
            raise ConnectFailed(f"{method} {path}: connect failed: {exc.os_error}") from None
        except asyncio.TimeoutError:
            raise RequestTimeout(f"{method} {path}: no answer in time", sent=True) from None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError) as exc:
            raise ConnectionLost(f"{method} {path}: connection lost: {type(exc).__name__}", sent=True) from None
