"""The TopstepX market hub (SignalR ``/hubs/market``): quotes of the contracts the engine trades.

Wire facts (shared/venues/topstepx-projectx.md §7): the client invokes
``SubscribeContractQuotes`` with ``[contractId]``; ``GatewayQuote`` events carry two
arguments, ``(contractId, quote)``, the quote holding only the fields that changed (peer
code: merged into the last one, :class:`QuoteBook`); the hub keeps no subscription across
connections and replays nothing.

Rules:

1. After every handshake each traded contract is subscribed again.  A contract the hub
   refuses is logged and counted, not retried in a loop (the connection stays up for the
   others).
2. Its records go to the same sink as the user hub's (``on_event``): the compiled parser
   finds no order in them and the account decoder (:class:`.decode.AccountMessages`)
   merges the quote and gives the engine its reference price (the last trade, else the
   middle of the best bid and ask) for the risk checks.
3. A roll subscribes the new contract (:meth:`MarketHub.follow`).
4. The hub is not needed to trade: while it is down the reference stays the last one known
   (the bars' close at start, our fills), and nothing waits for it.

The token rides in the URL as on the user hub (:func:`.user_stream.hub_url`).
"""

from __future__ import annotations

import logging
from typing import Callable

from engine.venues.topstepx.auth import TokenManager
from engine.venues.topstepx.signalr import HubConnection, HubError
from engine.venues.topstepx.user_stream import hub_url

__all__ = ["MarketHub", "QuoteBook", "market_url"]

log = logging.getLogger("engine.venues.topstepx.market_stream")

SUBSCRIBE = "SubscribeContractQuotes"
UNSUBSCRIBE = "UnsubscribeContractQuotes"


def market_url(user_hub_url: str) -> str:
    """The market hub beside the user hub (``.../hubs/user`` -> ``.../hubs/market``)."""
    base = user_hub_url.rstrip("/")
    if base.lower().endswith("/hubs/user"):
        return base[: -len("user")] + "market"
    return base.rsplit("/", 1)[0] + "/market"


class QuoteBook:
    """The last quote of every contract, merged from the hub's deltas (raw fixed point; 0: not known)."""

    FIELDS = ("lastPrice", "bestBid", "bestAsk")

    def __init__(self) -> None:
        self.quotes: dict[str, list[int]] = {}       # contract id -> [last, bid, ask]
        self.updates = 0

    def merge(self, contract_id: str, values: dict[str, int]) -> list[int]:
        """Merge the fields a quote event carried; returns the contract's quote after it."""
        q = self.quotes.setdefault(contract_id, [0, 0, 0])
        for i, name in enumerate(self.FIELDS):
            v = values.get(name)
            if v is not None:
                q[i] = v
        self.updates += 1
        return q

    @staticmethod
    def reference(q: list[int]) -> int:
        """The last trade, else the middle of a two-sided quote, else 0."""
        last, bid, ask = q
        if last > 0:
            return last
        if bid > 0 and ask > 0:
            return (bid + ask) // 2
        return 0

    def get(self, contract_id: str) -> tuple[int, int, int] | None:
        q = self.quotes.get(contract_id)
        return None if q is None else (q[0], q[1], q[2])


class MarketHub:
    """Quote subscriptions of the traded contracts (module docstring).

    Parameters
    ----------
    url : str
        The market hub's URL (without the token).
    tokens : TokenManager
        The session token (shared with REST and the user hub).
    contract_ids : callable
        Returns the ids of the contracts to subscribe (read at every handshake).
    on_event : callable
        ``on_event(record)`` for every hub event (raw bytes with their 0x1E).
    """

    def __init__(self, url: str, tokens: TokenManager, contract_ids: Callable[[], list[str]],
                 on_event: Callable[[bytes], None], *, name: str = "topstepx-market-hub"):
        self.base_url = url
        self.tokens = tokens
        self.contract_ids = contract_ids
        self.subscribed: set[str] = set()
        self.refused: dict[str, str] = {}            # contract id -> the hub's error
        self.handshakes = 0
        self.hub = HubConnection(lambda: hub_url(self.base_url, self.tokens), on_event, name=name,
                                 on_ready=self._subscribe_all, on_disconnected=self._disconnected)

    def __repr__(self) -> str:
        return f"MarketHub(url={self.base_url!r}, contracts={len(self.subscribed)}, connected={self.hub.connected})"

    @property
    def connected(self) -> bool:
        return self.hub.connected

    async def start(self, timeout: float = 10.0) -> None:
        await self.hub.start(timeout)

    async def stop(self) -> None:
        await self.hub.stop()

    def drop(self) -> None:
        self.hub.drop()

    async def _subscribe_all(self, hub: HubConnection) -> None:
        self.subscribed.clear()
        self.handshakes += 1
        for cid in self.contract_ids():
            await self._subscribe(cid)

    async def _subscribe(self, contract_id: str) -> None:
        try:
            await self.hub.invoke(SUBSCRIBE, contract_id)
        except HubError as exc:                      # rule 1: refused, not retried in a loop
            self.refused[contract_id] = str(exc)
            log.warning("topstepx: the market hub refused quotes of %s: %s", contract_id, exc)
            return
        self.subscribed.add(contract_id)

    async def follow(self, old: str | None, new: str) -> None:
        """A roll: quotes of ``new`` (and none of ``old`` any more), while connected (rule 3)."""
        if not self.connected:
            return                                    # the next handshake subscribes what contract_ids says
        if old is not None and old in self.subscribed:
            self.subscribed.discard(old)
            try:
                await self.hub.invoke(UNSUBSCRIBE, old)
            except (HubError, ConnectionError, TimeoutError) as exc:
                log.info("topstepx: unsubscribing quotes of %s: %s", old, exc)
        try:
            await self._subscribe(new)
        except (ConnectionError, TimeoutError) as exc:
            log.info("topstepx: subscribing quotes of %s after a roll: %s (the next connection will)", new, exc)

    def _disconnected(self) -> None:
        self.subscribed.clear()
