"""TopstepX orders on the lean path: compiled encoder -> pre-built HTTP/1.1 bytes -> warm connection -> compiled parser.

Per order: one C call writes the Order/place JSON body into the encoder's buffer, one
bytes join puts it behind the pre-built request line and headers (the bearer token
among them), one socket write; the answer is read by httptools and parsed by the
compiled parser (``orderId``, ``success``, ``errorCode``).  The order's fate arrives on
the user hub.

Invariants:

1. Bad input raises :class:`~engine._codec_errors.EncodeError` before anything is sent or
   any rate budget is spent (:mod:`engine.transport.lean_path` encodes first).
2. The pre-built head holds the token: it is rebuilt whenever the token changes and never
   shown (this object's repr names the URL only).
3. Errors map exactly as on the general path (:func:`.errors.check_response`); a 2xx
   answer that is not what was asked for, or cannot be read, is an unknown outcome.
4. A 401 is the venue's "not processed": the caller renews the token and may send the
   same request again (:meth:`TopstepxOrderPath.call`).  Anything else after the write is
   never re-sent here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from engine._codec_topstepx import ENDPOINTS, TopstepxOrderEncoder
from engine._parse_common import MessageKind, ParseError
from engine._parse_topstepx import TopstepxParser
from engine.transport.fast_http import FastHttpClient, HttpResponse
from engine.transport.lean_path import LeanHttpPath
from engine.venues import errors as E
from engine.venues.topstepx.errors import VENUE, check_response, error_for
from engine.venues.topstepx.limits import CANCEL_COST, COST
from engine.venues.topstepx.rest import TopstepxRest

__all__ = ["TopstepxOrderPath", "PLACE", "CANCEL", "MODIFY"]

log = logging.getLogger("engine.venues.topstepx.order_path")

PLACE, CANCEL, MODIFY = 1, 2, 3                  # TopstepxOrderEncoder.endpoint values
_PATHS = {ep: path.decode() for ep, path in ENDPOINTS.items() if path}
_COSTS = {PLACE: COST, CANCEL: CANCEL_COST, MODIFY: COST}
_ACK, _ERROR, _OTHER = int(MessageKind.ORDER_ACCEPTED), int(MessageKind.ERROR), int(MessageKind.OTHER)


class TopstepxOrderPath:
    """Place, cancel and modify orders of one account (sharing the REST client's token, limiter and clock)."""

    def __init__(self, rest: TopstepxRest, account_id: int, *, capacity: int = 1024):
        cfg = rest.config
        self.rest = rest
        self.tokens = rest.tokens
        self.limiter = rest.limiter
        self.encoder = TopstepxOrderEncoder(account_id, capacity=capacity)
        self.parser = TopstepxParser()
        self.http = FastHttpClient(cfg.endpoints.rest, connect_timeout=cfg.connect_timeout,
                                   read_timeout=cfg.read_timeout)
        self.lean = LeanHttpPath(self.http, rest.limiter, rest.clock)
        self._heads: dict[int, bytes] = {}
        self.rebuild_heads()
        self.tokens.on_change(self.rebuild_heads)

    def __repr__(self) -> str:
        return f"TopstepxOrderPath(rest={self.rest.config.endpoints.rest!r}, account={self.encoder.account_id})"

    @property
    def orders_sent(self) -> int:
        return self.lean.sent

    @property
    def last_ts(self) -> int:
        return self.lean.last_ts

    def rebuild_heads(self) -> None:
        """Request line and headers of each endpoint with the current token (rule 2)."""
        if self.tokens.token is None:
            self._heads = {}
            return
        prefix = self.http.path_prefix.encode()
        common = (b" HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: text/plain\r\n"
                  b"Authorization: Bearer %s\r\nContent-Length: ") % (self.http.host_header,
                                                                      self.tokens.token.reveal_bytes())
        self._heads = {ep: b"POST " + prefix + path + common for ep, path in ENDPOINTS.items() if path}

    async def start(self) -> None:
        await self.lean.start()

    async def close(self) -> None:
        await self.lean.close()

    def submit(self, endpoint: int, encode: Callable[[TopstepxOrderEncoder], int],
               timeout: float | None = None) -> Awaitable[asyncio.Future]:
        """Encode, pace and write one request; returns the future of its HTTP answer (rule 1)."""
        enc = self.encoder
        heads = self._heads

        def request(ts: int) -> bytes:
            n = encode(enc)
            return b"".join((heads[endpoint], b"%d\r\n\r\n" % n, enc.buffer[:n]))

        return self.lean.submit(_COSTS[endpoint], request, timeout)

    def read(self, response: HttpResponse, endpoint: int, client_id: bytes | None = None) -> TopstepxParser:
        """The answer of a request of ``endpoint``: the parser holding it, or the typed error (rule 3)."""
        path = _PATHS[endpoint]
        parser = self.parser
        if response.status == 200:
            try:
                kind = parser.parse_ack(response.body, client_id) if client_id else parser.parse(response.body)
            except ParseError:
                kind = -1
            if kind == _ACK and endpoint == PLACE:
                return parser
            if kind == _OTHER and endpoint != PLACE:
                return parser
            if kind == _ERROR:
                raise error_for(path, parser.error_code, parser.error_message or None, 200)
        check_response(response, path, self.limiter)     # 401, 429, 5xx, 400, not JSON: raises
        raise E.OutcomeUnknown(VENUE, None, f"{path}: success without an orderId; resolve the order by its "
                               "customTag", http_status=response.status)

    async def call(self, endpoint: int, encode: Callable[[TopstepxOrderEncoder], int],
                   client_id: bytes | None = None, timeout: float | None = None) -> TopstepxParser:
        """Submit and read, renewing the token and sending again once on a 401 (rule 4)."""
        token = self.tokens.token
        fut = await self.submit(endpoint, encode, timeout)
        try:
            return self.read(await fut, endpoint, client_id)
        except E.AuthenticationError as exc:
            if exc.http_status != 401:
                raise
        await self.tokens.renew(token)
        return self.read(await (await self.submit(endpoint, encode, timeout)), endpoint, client_id)

    async def finish(self, fut: asyncio.Future, endpoint: int, encode: Callable[[TopstepxOrderEncoder], int],
                     client_id: bytes | None = None) -> TopstepxParser:
        """The answer of a request already written by :meth:`submit` (``encode`` sends it again after a 401)."""
        token = self.tokens.token
        try:
            return self.read(await fut, endpoint, client_id)
        except E.AuthenticationError as exc:
            if exc.http_status != 401:
                raise
        log.info("topstepx: %s answered 401; renewing the token and sending it again", _PATHS[endpoint])
        await self.tokens.renew(token)
        return self.read(await (await self.submit(endpoint, encode)), endpoint, client_id)
