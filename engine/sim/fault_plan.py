"""The active faults of a running simulator: which fire for a request or stream event,
and the log a test reads back.

The spec language (targets, actions, ``process=`` and the selectors) is in
:mod:`engine.sim.faults`; this module applies parsed faults.  An answer fault's record
is filled in by whoever processes its request (first: at once; later:
:mod:`engine.sim.deferred`), so a test can see what the venue did and what it would
have answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.sim.faults import ANSWERS, Fault

__all__ = ["FaultPlan", "FaultRecord", "RequestFaults"]


@dataclass
class FaultRecord:
    """One firing, as a test reads it back from :attr:`FaultPlan.log`."""

    name: str                        # the request or stream hit (its first name: path, method, stream)
    action: str                      # canonical action (``drop`` for the drop aliases)
    process: str | None = None       # answer actions: never | first | later
    spec: str = ""
    delay_ms: int | None = None      # process=later
    processed_ms: int | None = None  # first/later: when the venue processed it (sim clock, ms)
    unheard: tuple | None = None     # first/later: (status, body) of the real answer nobody heard


@dataclass
class RequestFaults:
    """What fired for one request: the latency to add and the answer to give instead."""

    latency: Fault | None = None
    answer: Fault | None = None
    record: FaultRecord | None = None    # the answer fault's log record



class FaultPlan:
    """The active faults; asks answer which actions fire for one request or event.

    ``new_orders``: the requests that place one new order, on every venue and order-entry path, as the
    personalities declare them (:meth:`engine.sim.registry.Registry.new_order`): the target ``order``
    names them all (a test written once for every venue).
    """

    def __init__(self, faults: list[Fault] | None = None, new_orders=frozenset()) -> None:
        self.faults = list(faults or ())
        self.log: list[FaultRecord] = []
        self.new_orders = frozenset(new_orders)

    def add(self, faults: list[Fault]) -> None:
        self.faults.extend(faults)

    def clear(self) -> None:
        self.faults.clear()

    def _fire(self, names: tuple[str, ...], skip=()) -> list[tuple[Fault, FaultRecord]]:
        fired = []
        for f in self.faults:
            if f.action not in skip and f.matches(names) and f.should_fire():
                rec = FaultRecord(names[0], f.verb, f.process, f.spec,
                                  f.delay_ms if f.process == "later" else None)
                self.log.append(rec)
                fired.append((f, rec))
        return fired

    def fire(self, names: tuple[str, ...]) -> list[Fault]:
        """The faults firing for one request or stream event (each logged)."""
        if not self.faults:
            return []
        return [f for f, _ in self._fire(names)]

    def for_request(self, names: tuple[str, ...], *, ws: bool) -> RequestFaults:
        """Latency and the one answer fault for a request (``ws``: on a WebSocket, where
        ``interim`` does not exist).  When several answer faults fire, the first in
        :data:`ANSWERS` order wins: a dropped connection beats any answer."""
        out = RequestFaults()
        if not self.faults:
            return out
        if any(n in self.new_orders for n in names):
            names = (*names, "order")          # the venue-neutral target: a new order, any venue and path
        chosen = None
        for f, rec in self._fire(names, skip=("interim",) if ws else ()):
            if f.verb == "latency":
                out.latency = f
            elif f.verb in ANSWERS and (chosen is None or ANSWERS.index(f.verb) < ANSWERS.index(chosen[0].verb)):
                chosen = (f, rec)
        if chosen is not None:
            out.answer, out.record = chosen
        return out
