"""The TopstepX user hub (SignalR ``/hubs/user``): the account's orders, fills, positions and balance.

After every handshake it subscribes again (``SubscribeAccounts``, then ``SubscribeOrders``,
``SubscribePositions``, ``SubscribeTrades`` with the account id): the venue keeps no
subscription across connections and replays nothing, so after a reconnect the engine's
reconciliation (``on_reconnected``) asks for what was missed, Suspended bracket children
included (shared/venues/topstepx-projectx.md §7, §10).

The token rides in the URL's ``access_token`` query, as the official client sends it; the
URL is made per connection, so a reconnect uses the current token.  A token already past
its expiry when a connection is made asks for a renewal, so the next attempt has a
fresh one.  Log lines of the WebSocket layer are scrubbed of it (:class:`.signalr.RedactTokens`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable
from urllib.parse import quote

from engine.venues.topstepx.auth import TokenManager
from engine.venues.topstepx.signalr import HubConnection

__all__ = ["UserHub", "SUBSCRIPTIONS", "hub_url"]

log = logging.getLogger("engine.venues.topstepx.user_stream")

SUBSCRIPTIONS = ("SubscribeOrders", "SubscribePositions", "SubscribeTrades")


def hub_url(base_url: str, tokens: TokenManager) -> str:
    """A hub's URL for the next connection, with the current token; a token already past its expiry asks
    for a renewal first, so the attempt after this one has a fresh token."""
    if tokens.token is not None and time.monotonic() >= tokens.expires_at:
        try:
            asyncio.get_running_loop().create_task(tokens.renew(tokens.token), name="topstepx-hub-renew")
        except RuntimeError:
            pass
    return f"{base_url}?access_token={quote(tokens.reveal(), safe='')}"


class UserHub:
    """The account's user hub (module docstring)."""

    def __init__(self, url: str, tokens: TokenManager, account_id: int, on_event: Callable[[bytes], None], *,
                 on_reconnected: Callable[[], Awaitable[None]] | None = None,
                 on_disconnected: Callable[[], None] | None = None, name: str = "topstepx-user-hub"):
        self.base_url = url
        self.tokens = tokens
        self.account_id = account_id
        self.on_reconnected = on_reconnected
        self.on_disconnected_cb = on_disconnected
        self._first = True
        self.subscribed = 0
        self.hub = HubConnection(self._url, on_event, name=name, on_ready=self._subscribe,
                                 on_disconnected=self._disconnected)

    def __repr__(self) -> str:
        return f"UserHub(url={self.base_url!r}, account={self.account_id}, connected={self.hub.connected})"

    @property
    def connected(self) -> bool:
        return self.hub.connected

    def _url(self) -> str:
        return hub_url(self.base_url, self.tokens)

    async def start(self, timeout: float = 10.0) -> None:
        await self.hub.start(timeout)

    async def stop(self) -> None:
        await self.hub.stop()

    def drop(self) -> None:
        self.hub.drop()

    async def _subscribe(self, hub: HubConnection) -> None:
        await hub.invoke("SubscribeAccounts")
        for target in SUBSCRIPTIONS:
            await hub.invoke(target, self.account_id)
        self.subscribed += 1
        if not self._first and self.on_reconnected is not None:
            await self.on_reconnected()
        self._first = False

    def _disconnected(self) -> None:
        if self.on_disconnected_cb is not None:
            self.on_disconnected_cb()
