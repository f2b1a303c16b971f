"""General REST requests over aiohttp: keep-alive pool, TCP_NODELAY, timeouts, pacing, retries.

Orders take the lean path (:mod:`engine.transport.fast_http`); everything else (queries,
account, exchange info, listen keys) goes through :class:`RestTransport`.  Both share
the venue's :class:`~engine.transport.ratelimit.RateLimiter` and error mapping, so a
429, a ban or a venue error means the same thing whichever path met it.

Answers have the lean path's size caps (body bytes, header lines, head bytes): aiohttp
enforces the header-line count and each line's length while parsing, the body is read
in chunks up to its cap, and an answer over a cap is a :class:`ProtocolError`
(``sent=True``) whose connection is closed, not returned to the pool.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, Mapping

import aiohttp
from yarl import URL

from engine.hosts import check_cleartext
from engine.transport.errors import ConnectFailed, ConnectionLost, ProtocolError, RequestTimeout
from engine.transport.fast_http import MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADERS, HttpResponse
from engine.transport.ratelimit import Cost, RateLimiter
from engine.transport.retry import backoff_delays, retry_safe_call

__all__ = ["RestTransport"]

log = logging.getLogger("engine.transport.http")

# check(response) raises the venue's typed error for a failed answer (and feeds the limiter).
Checker = Callable[[HttpResponse], None]

_LINE_MAX = 8190  # aiohttp's own default for one header line and for the status line


class RestTransport:
    """One venue origin over a pooled aiohttp session.

    Raises
    ------
    ConfigError
        (a ``ValueError``) for an ``http://`` base URL whose host is not loopback.
    """

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
        max_body_bytes: int = MAX_BODY_BYTES,
        max_headers: int = MAX_HEADERS,
        max_header_bytes: int = MAX_HEADER_BYTES,
    ):
        check_cleartext(base_url, "REST base URL")
        if max_body_bytes <= 0 or max_headers <= 0 or max_header_bytes <= 0:
            raise ValueError("answer size caps must be positive")
        self.base_url = base_url.rstrip("/")
        self.max_body_bytes = max_body_bytes
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes
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
            line = min(_LINE_MAX, self.max_header_bytes)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout,
                                                  headers=self.headers, auto_decompress=True,
                                                  max_headers=self.max_headers, max_field_size=line,
                                                  max_line_size=line)

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
        ``(query, body, headers)`` (new timestamp and signature on each retry), and again
        after a wait for the rate budget, so a request never leaves with a timestamp its
        wait has aged past the venue's receive window.
        ``check`` replaces the transport's answer check for this call.
        ``idempotent`` defaults to True for GET: reads are retried on network errors
        and 5xx with backoff and jitter; other requests only on answers marked safe.
        """
        if idempotent is None:
            idempotent = method == "GET"
        checker = check or self.check

        async def attempt() -> HttpResponse:
            q, b, h = (query, body, headers) if sign is None else sign()   # bad input raises before the budget
            limiter = self.limiter
            if not limiter.try_take(cost):
                await limiter.acquire(cost)
                if sign is not None:
                    q, b, h = sign()     # signed with the time it leaves, not the time it began to wait
            response = await self._send(method, path, q, b, h)
            checker(response)
            return response

        return await retry_safe_call(attempt, delays=backoff_delays(self.retry_delays), idempotent=idempotent,
                                     what=f"{method} {path}")

    async def _send(self, method, path, query, body, headers) -> HttpResponse:
        if self._session is None:
            await self.start()
        # encoded=True: the query goes out byte for byte as the caller encoded (and signed) it; yarl would
        # otherwise decode the characters it thinks safe ("%28" -> "("), and the signature stops matching
        url = URL(f"{self.base_url}{path}" + (f"?{query}" if query else ""), encoded=True)
        try:
            async with self._session.request(method, url, data=body, headers=headers,  # type: ignore[union-attr]
                                             allow_redirects=False) as resp:
                return await self._read(resp, f"{method} {path}")
        except aiohttp.ClientConnectorError as exc:
            raise ConnectFailed(f"{method} {path}: connect failed: {exc.os_error}") from None
        except asyncio.TimeoutError:
            raise RequestTimeout(f"{method} {path}: no answer in time", sent=True) from None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError) as exc:
            raise ConnectionLost(f"{method} {path}: connection lost: {type(exc).__name__}", sent=True) from None
        except aiohttp.ClientResponseError as exc:
            # aiohttp's parser refused the answer (too many header lines, a line too long,
            # bytes that are not HTTP); its message may quote the peer's bytes, so only the status.
            raise ProtocolError(f"{method} {path}: invalid answer (aiohttp status {exc.status})",
                                sent=True) from None

    async def _read(self, resp: aiohttp.ClientResponse, what: str) -> HttpResponse:
        """The whole answer within the caps; over a cap the connection is closed, not pooled."""
        def refuse(reason: str) -> ProtocolError:
            resp.close()
            log.error("%s: %s; connection closed", what, reason)
            return ProtocolError(f"{what}: {reason}", sent=True)

        if resp.status < 200:
            # 1xx as the final status: aiohttp skips 100 Continue; a 101 means the peer left HTTP.
            raise refuse(f"{resp.status} as the final answer")
        head = sum(len(k) + len(v) for k, v in resp.raw_headers)
        if head > self.max_header_bytes:
            raise refuse(f"answer head over {self.max_header_bytes} bytes")
        cap = self.max_body_bytes
        if resp.content_length is not None and resp.content_length > cap:
            raise refuse(f"answer body of {resp.content_length} bytes is over the {cap}-byte cap")
        data = bytearray()
        while True:
            chunk = await resp.content.read(cap + 1 - len(data))
            if not chunk:
                break
            data += chunk
            if len(data) > cap:
                raise refuse(f"answer body over the {cap}-byte cap")
        raw_headers = [(k.lower(), v) for k, v in resp.raw_headers]
        return HttpResponse(resp.status, raw_headers, bytes(data))
