"""What the Gate.io personality keeps per simulator (``sim.state["gateio"]``): its rate limiter,
fault answers, the countdown cancel-all timers, and the switches for behaviours the sheet leaves
open (:mod:`engine.sim.gateio`)."""

from __future__ import annotations

from engine.sim.gateio.fault_answers import GateAnswers
from engine.sim.gateio.limits import GateLimiter
from engine.sim.gateio.sockets import GateSockets

__all__ = ["GateState", "state_of"]


def state_of(sim) -> "GateState":
    return sim.state["gateio"]


class GateState:
    def __init__(self, sim) -> None:
        self.limiter = GateLimiter(place_per_s=sim.limits.gateio_place_per_second,
                                   cancel_per_s=sim.limits.gateio_cancel_per_second)
        self.answers = GateAnswers()
        self.poc_error = False          # True: a post-only order that would take is POC_FILL_IMMEDIATELY
        self.fok_error = False          # True: an FOK order that cannot fill is FOK_NOT_FILL
        self.countdowns: dict = {}      # (account key, pair) -> timer of countdown_cancel_all
        # wall-clock seconds one countdown second lasts: 1.0 as on the venue; tests shorten it (the venue's
        # shortest countdown is 5 s) to see the switch fire within a bounded test
        self.countdown_second = 1.0
        self.sockets = GateSockets()    # open /ws/v4/ sockets
        # (label, HTTP status) the next order creates are refused with, unprocessed, one each: the venue's
        # other refusals on demand (REST and the order API alike), for tests of every label of the sheet
        self.refusals: list[tuple[str, int]] = []
        self.pongs = True               # False: spot.ping goes unanswered (a venue gone silent)

    def stop(self) -> None:
        for timer in self.countdowns.values():
            timer.cancel()
        self.countdowns.clear()

    def reset_rate_limits(self) -> None:
        self.limiter.reset()
