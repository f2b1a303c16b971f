"""What the Bybit personality keeps per simulator: its rate limiter and fault answers, and
disconnection protection (each account's window, the timers armed when its last private
stream closed, its open private streams).  It lives at ``sim.state["bybit"]`` (:func:`state_of`).
"""

from __future__ import annotations

from engine.sim.bybit.fault_answers import BybitAnswers
from engine.sim.bybit.limits import BybitLimiter

__all__ = ["BybitState", "state_of"]


def state_of(sim) -> "BybitState":
    return sim.state["bybit"]


class BybitState:
    def __init__(self, sim) -> None:
        self.limiter = BybitLimiter(sim.limits)
        self.answers = BybitAnswers()
        self.dcp_windows: dict[str, int] = {}       # key -> seconds: disconnected-cancel-all
        self.dcp_timers: dict = {}                  # key -> timer armed when its last private stream closed
        self.private_conns: dict[str, int] = {}     # key -> authenticated private streams open

    def stop(self) -> None:
        for timer in self.dcp_timers.values():
            timer.cancel()
        self.dcp_timers.clear()

    def reset_rate_limits(self) -> None:
        self.limiter.reset()
