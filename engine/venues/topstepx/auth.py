"""The session token: login with the API key, refresh through ``validate`` well before expiry, re-login on 401.

Wire facts (shared/venues/topstepx-projectx.md §2): ``POST /api/Auth/loginKey`` with
``{"userName", "apiKey"}`` answers ``{"token", "success", "errorCode", "errorMessage"}``
(a failed login is HTTP 200 with ``success: false``); ``POST /api/Auth/validate`` with the
bearer token answers ``newToken``; tokens last 24 hours; a re-login does not invalidate the
tokens issued before; one token serves REST and both hubs.

Rules:

1. The token is a :class:`~engine.secret.Secret`: no repr, log line or exception message
   shows it.  Holders of the raw value (the order path's pre-built header, the hubs' URL)
   ask for it when they build a request and are told when it changes (``on_change``).
2. The token's lifetime is read from its ``exp`` claim (not verified: the venue does
   that); a token that has none is taken to last the documented 24 hours.  It is
   refreshed once two thirds of its life have passed.
3. A request answered 401 calls :meth:`TokenManager.renew`: one renewal at a time (a
   validate, then a fresh login if validate is refused), which every caller that met
   the 401 waits for; a 401 is the venue's "not processed", so the request is sent again
   with the new token.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from typing import Awaitable, Callable

from engine.secret import Secret
from engine.venues import errors as E

__all__ = ["TokenManager", "token_lifetime_s", "DEFAULT_LIFETIME_S"]

log = logging.getLogger("engine.venues.topstepx.auth")

VENUE = "topstepx"
DEFAULT_LIFETIME_S = 24 * 3600.0
REFRESH_AT = 2 / 3              # share of the lifetime after which the token is refreshed
MIN_REFRESH_S = 1.0


def token_lifetime_s(token: str, now: float | None = None) -> float | None:
    """Seconds the JWT has left by its ``exp`` claim, or None when it has none (not a JWT, no claim)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp = float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return None
    return exp - (time.time() if now is None else now)


class TokenManager:
    """The account's bearer token and its renewal.

    ``post(path, body, token)`` is the REST client's raw JSON POST (returns the decoded
    answer, raises the venue's typed error); ``on_change`` listeners get no argument and
    read :attr:`token` again.
    """

    def __init__(self, user_name: str, api_key: Secret,
                 post: Callable[[str, dict, Secret | None], Awaitable[dict]]):
        self.user_name = user_name
        self._api_key = api_key
        self._post = post
        self.token: Secret | None = None
        self.expires_at = 0.0            # monotonic seconds
        self.issued_at = 0.0
        self.logins = 0
        self.validations = 0
        self._listeners: list[Callable[[], None]] = []
        self._renewing: asyncio.Task | None = None
        self._refresh_task: asyncio.Task | None = None

    def __repr__(self) -> str:
        return f"TokenManager(user={self.user_name!r}, token={'set' if self.token else 'none'}, logins={self.logins})"

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def reveal(self) -> str:
        """The raw token, for a request being built (never log or keep it beyond that)."""
        if self.token is None:
            raise E.AuthenticationError(VENUE, None, "not logged in")
        return self.token.reveal()

    # -- life -----------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.login()
        self._refresh_task = asyncio.get_running_loop().create_task(self._refresh_loop(), name="topstepx-token")

    async def stop(self) -> None:
        for task in (self._refresh_task, self._renewing):
            if task is not None:
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
        self._refresh_task = self._renewing = None

    async def login(self) -> None:
        """``/api/Auth/loginKey`` (a refusal raises :class:`AuthenticationError`, marked fatal)."""
        doc = await self._post("/api/Auth/loginKey", {"userName": self.user_name, "apiKey": self._api_key.reveal()},
                               None)
        token = doc.get("token")
        if not token or not isinstance(token, str):
            raise E.AuthenticationError(VENUE, doc.get("errorCode"), "login answered success without a token")
        self.logins += 1
        self._set(token)
        log.info("topstepx: logged in as %s (token valid %.0f s)", self.user_name, self.expires_at - time.monotonic())

    async def validate(self) -> None:
        """``/api/Auth/validate``: the venue's ``newToken`` replaces ours."""
        doc = await self._post("/api/Auth/validate", {}, self.token)
        token = doc.get("newToken")
        if not token or not isinstance(token, str):
            raise E.AuthenticationError(VENUE, doc.get("errorCode"), "validate answered success without newToken")
        self.validations += 1
        self._set(token)

    def _set(self, token: str) -> None:
        now = time.monotonic()
        left = token_lifetime_s(token)
        life = DEFAULT_LIFETIME_S if left is None else max(0.0, left)
        self.token = Secret(token)
        self.issued_at = now
        self.expires_at = now + life
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.exception("topstepx: a token listener failed")

    def refresh_due_in(self) -> float:
        """Seconds until the token should be refreshed (rule 2)."""
        life = self.expires_at - self.issued_at
        return max(MIN_REFRESH_S if life > 3 * MIN_REFRESH_S else 0.05,
                   self.issued_at + life * REFRESH_AT - time.monotonic())

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_due_in())
            try:
                await self.renew()
            except (E.VenueError, OSError, asyncio.TimeoutError) as exc:
                log.warning("topstepx: token refresh failed (%s); trying again shortly", type(exc).__name__)
                await asyncio.sleep(1.0)
            except Exception as exc:       # transport errors: same treatment
                log.warning("topstepx: token refresh failed (%s); trying again shortly", type(exc).__name__)
                await asyncio.sleep(1.0)

    async def renew(self, stale: Secret | None = None) -> None:
        """One renewal at a time (rule 3); ``stale``: the token a 401 refused (no renewal if it was already
        replaced)."""
        if stale is not None and self.token is not None and stale is not self.token:
            return                          # someone else renewed it meanwhile
        task = self._renewing
        if task is None or task.done():
            task = self._renewing = asyncio.get_running_loop().create_task(self._renew(), name="topstepx-renew")
        await asyncio.shield(task)

    async def _renew(self) -> None:
        if self.token is not None and time.monotonic() < self.expires_at:
            try:
                await self.validate()
                return
            except E.AuthenticationError as exc:
                log.info("topstepx: validate refused (%s); logging in again", exc.code)
        await self.login()
