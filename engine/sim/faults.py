"""Fault injection: deterministic, per endpoint or stream, by probability or count.

Grammar (CLI ``--fault SPEC``, repeatable; several specs may also be joined by ``;``)::

    SPEC    := TARGET ":" ACTION [ ":" PARAMS ]
    PARAMS  := KEY "=" VALUE { "," KEY "=" VALUE }

TARGET names what the fault applies to:

* a REST path without the leading slash, optionally with its method:
  ``api/v3/order``, ``DELETE api/v3/order``, ``fapi/v1/order``, ``v5/order/create``;
* a WebSocket request method: ``order.place``, ``order.cancel``, ``order.status``
  (Binance WS API), ``order.create``, ``order.amend``, ``order.cancel`` (Bybit trade),
  ``userDataStream.subscribe.signature``, ...;
* a user-data stream: ``stream.binance-spot``, ``stream.binance-usdm``, ``stream.bybit``;
* ``*`` for every request (not streams).

ACTION is one of:

=====================  ==============================================================
``latency``            delay the answer by ``ms`` milliseconds (default 200)
``http500``            answer 500 without processing (``http502``/``http503`` likewise);
                       Binance bodies carry -1001/-1007, Bybit retCode 10016
``http429``            answer the venue's rate-limit refusal (Binance 429 -1003 with
                       Retry-After; Bybit retCode 10006)
``http418``            answer Binance's IP-ban refusal (418 -1003 with Retry-After)
``before_process_drop``close the connection before the request is processed
``after_process_drop`` process the request (the order exists) and close the
                       connection without answering
``stream_drop``        close the stream connection instead of sending an event
``stream_duplicate``   send an event twice
``stream_reorder``     hold an event back and send it after the next one
``listenkey_expire``   expire the listen key (USD-M) at this event or request,
                       sending ``listenKeyExpired`` and closing its streams
=====================  ==============================================================

PARAMS select when it fires (all optional; without them it fires every time):
``p=0.1`` with probability 0.1 (drawn from a generator seeded by the simulator seed
and the spec's position, so a run is reproducible); ``nth=3`` only on the 3rd matching
request or event; ``every=5`` on every 5th; ``times=2`` at most twice; ``ms=250`` for
``latency``.

Examples::

    order.place:after_process_drop:p=0.1
    fapi/v1/order:http500:nth=3
    POST api/v3/order:latency:ms=300,times=5
    stream.binance-usdm:listenkey_expire:nth=2
    stream.bybit:stream_duplicate:every=2
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["Fault", "FaultPlan", "parse_faults", "ACTIONS", "FaultSpecError"]

ACTIONS = {
    "latency", "http500", "http502", "http503", "http429", "http418", "before_process_drop",
    "after_process_drop", "stream_drop", "stream_duplicate", "stream_reorder", "listenkey_expire",
}
_ALIASES = {"drop_before": "before_process_drop", "drop_after": "after_process_drop"}


class FaultSpecError(ValueError):
    """A fault spec that does not follow the grammar."""


@dataclass
class Fault:
    target: str
    action: str
    p: float | None = None
    nth: int | None = None
    every: int | None = None
    times: int | None = None
    ms: int = 200
    seen: int = 0
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, names: tuple[str, ...]) -> bool:
        if self.target == "*":
            return not any(n.startswith("stream.") for n in names)
        return self.target in names

    def should_fire(self) -> bool:
        self.seen += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.nth is not None and self.seen != self.nth:
            return False
        if self.every is not None and self.seen % self.every:
            return False
        if self.p is not None and self.rng.random() >= self.p:
            return False
        self.fired += 1
        return True


def parse_faults(specs, seed: int = 0) -> list[Fault]:
    """Parse spec strings into :class:`Fault` objects (raises :class:`FaultSpecError`)."""
    out: list[Fault] = []
    if isinstance(specs, str):
        specs = [specs]
    for chunk in specs or ():
        for spec in str(chunk).split(";"):
            spec = spec.strip()
            if not spec:
                continue
            parts = spec.split(":")
            if len(parts) < 2 or len(parts) > 3:
                raise FaultSpecError(f"fault {spec!r}: expected TARGET:ACTION[:k=v,...]")
            target, action = parts[0].strip(), _ALIASES.get(parts[1].strip(), parts[1].strip())
            if action not in ACTIONS:
                raise FaultSpecError(f"fault {spec!r}: unknown action {action!r}; one of {sorted(ACTIONS)}")
            if target.startswith("/") or " /" in target:
                target = target.replace("/", "", 1) if target.startswith("/") else target.replace(" /", " ")
            fault = Fault(target=target, action=action)
            if len(parts) == 3 and parts[2].strip():
                for kv in parts[2].split(","):
                    if "=" not in kv:
                        raise FaultSpecError(f"fault {spec!r}: parameter {kv!r} is not key=value")
                    k, v = (x.strip() for x in kv.split("=", 1))
                    try:
                        if k == "p":
                            fault.p = float(v)
                            if not 0 <= fault.p <= 1:
                                raise ValueError
                        elif k in ("nth", "every", "times", "ms"):
                            setattr(fault, k, int(v))
                        else:
                            raise FaultSpecError(f"fault {spec!r}: unknown parameter {k!r}")
                    except ValueError:
                        raise FaultSpecError(f"fault {spec!r}: bad value for {k!r}: {v!r}") from None
            fault.rng = random.Random(f"{seed}:{len(out)}:{spec}")
            out.append(fault)
    return out


class FaultPlan:
    """The active faults; asks answer which actions fire for one request or event."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self.faults = list(faults or ())
        self.log: list[tuple[str, str]] = []

    def add(self, faults: list[Fault]) -> None:
        self.faults.extend(faults)

    def clear(self) -> None:
        self.faults.clear()

    def fire(self, names: tuple[str, ...]) -> list[Fault]:
        if not self.faults:
            return []
        fired = []
        for f in self.faults:
            if f.matches(names) and f.should_fire():
                fired.append(f)
                self.log.append((names[0], f.action))
        return fired
