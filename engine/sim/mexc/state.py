"""What the MEXC personality keeps per simulator, at ``sim.state["mexc"]`` (:func:`state_of`): its
limiter and fault answers, the listen keys, the symbols open to API trading, and the switches for
the behaviours the fact sheet marks unconfirmed or seen only in peer code (mexc-spot.md §4-5, §7):

- ``cancel_status``: what a single cancel answers as ``status``: ``"pre"`` (default) the order's
  status before the cancel, as live cancels do (peer code); ``"final"`` the ``CANCELED`` of the
  doc example.
- ``read_after_write_ms``: for this long after a create, ``GET /api/v3/order`` answers -2013
  for the new order (ccxt/ccxt#21614, peer code); 0 (default) turns it off.
- ``duplicate_client_id``: ``None`` (default) accepts a second order with a client id in use
  (no rule is documented); a ``(code, msg)`` pair refuses it with that answer instead.
- ``keepalive_min_s``: a listen-key keepalive sooner than this after the last one answers
  ``{"code":"730708",...}`` (peer code: every 10 s is too often).
- ``no_subscription_s`` / ``idle_s``: a stream connection without a subscription, or without
  any frame from the client, is closed after these (§7: 30 s and 60 s).
- ``key_ttl_s``: a listen key's life without keepalive (60 min).
- ``pongs``: ``{"method":"PING"}`` is answered ``PONG`` (default); ``False`` leaves it
  unanswered, as a stalled server would (a client must take the silence as a drop).
"""

from __future__ import annotations

import asyncio

from engine.sim.mexc.fault_answers import MexcAnswers
from engine.sim.mexc.instruments import MARKET
from engine.sim.mexc.limits import MexcLimiter
from engine.sim.mexc.listen_keys import expire_due

__all__ = ["MexcState", "state_of", "MAX_KEYS", "MAX_CONNS_PER_KEY"]

MAX_KEYS = 60                  # listen keys per account
MAX_CONNS_PER_KEY = 5


def state_of(sim) -> "MexcState":
    return sim.state["mexc"]


class MexcState:
    def __init__(self, sim) -> None:
        self.limiter = MexcLimiter(sim.limits)
        self.answers = MexcAnswers(self.limiter)
        self.api_symbols = {sym for (market, sym) in sim.core.instruments if market == MARKET}
        self.cancel_status = "pre"
        self.read_after_write_ms = 0
        self.unseen_answers = 0                     # -2013 answers given inside that window
        self.duplicate_client_id: tuple[int, str] | None = None
        self.keepalive_min_s = 10.0
        self.no_subscription_s = 30.0
        self.idle_s = 60.0
        self.key_ttl_s = min(3600.0, sim.listen_key_ttl)
        self.pongs = True
        self.listen_keys: dict[str, dict] = {}      # key -> {"account", "expires", "touched", "conns"}
        self.conns: set = set()
        self._sweeper: asyncio.Task | None = None

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, max(0.01, self.key_ttl_s / 4)))   # a short lifetime is seen soon after
            expire_due(self)

    def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()

    def reset_rate_limits(self) -> None:
        self.limiter.reset()
