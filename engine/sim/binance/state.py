"""What the Binance personality keeps per simulator: the spot and USD-M rate limiters and their
fault answers, USD-M listen keys, countdown cancel-all timers and spot order lists.  It lives at
``sim.state["binance"]`` (:func:`state_of`).
"""

from __future__ import annotations

import asyncio
import logging

from engine.sim.binance.fault_answers import BinanceAnswers
from engine.sim.binance.limits import BinanceLimiter

__all__ = ["BinanceState", "state_of"]

log = logging.getLogger("engine.sim.binance")


def state_of(sim) -> "BinanceState":
    return sim.state["binance"]


class BinanceState:
    """``expire_due(sim)`` closes the listen keys whose time is up; it runs every 0.2 s while the
    simulator runs."""

    def __init__(self, sim, expire_due) -> None:
        self.sim = sim
        self.spot_limiter = BinanceLimiter(sim.limits, "spot")
        self.usdm_limiter = BinanceLimiter(sim.limits, "usdm")
        self.spot_answers = BinanceAnswers(self.spot_limiter, "spot")
        self.usdm_answers = BinanceAnswers(self.usdm_limiter, "usdm")
        self.listen_keys: dict[str, dict] = {}      # listenKey -> {"account", "expires", "conns"}
        self.countdowns: dict = {}                  # (key, symbol) -> timer: USD-M countdownCancelAll
        self.order_lists: dict = {}                 # orderListId -> OrderList (spot)
        self._expire_due = expire_due
        self._expirer: asyncio.Task | None = None

    def start(self) -> None:
        self._expirer = asyncio.get_running_loop().create_task(self._expiry_loop())

    def stop(self) -> None:
        for timer in self.countdowns.values():
            timer.cancel()
        self.countdowns.clear()
        if self._expirer is not None:
            self._expirer.cancel()
            self._expirer = None

    def reset_rate_limits(self) -> None:
        self.spot_limiter.reset()
        self.usdm_limiter.reset()

    async def _expiry_loop(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            try:
                self._expire_due(self.sim)
            except Exception:  # pragma: no cover - a bug here must not stop the server
                log.exception("listen-key expiry failed")
