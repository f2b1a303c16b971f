"""Fault injection: deterministic, per endpoint or stream, by probability or count.

An order engine's exactly-once promise breaks where what the client hears and what the
venue did disagree.  So a fault chooses the two independently: the ACTION is what the
client gets, ``process=`` is what the venue does with the request.

Grammar (CLI ``--fault SPEC``, repeatable; several specs may also be joined by ``;``)::

    SPEC    := TARGET ":" ACTION [ ":" PARAMS ]
    PARAMS  := KEY "=" VALUE { "," KEY "=" VALUE }

TARGET names what the fault applies to:

* a REST path without the leading slash, optionally with its method:
  ``api/v3/order``, ``DELETE api/v3/order``, ``fapi/v1/order``, ``v5/order/create``;
* a WebSocket order-entry request: a Binance WS API method (``order.place``,
  ``order.cancel``, ``order.cancelReplace``, ``order.status``,
  ``userDataStream.subscribe.signature``, ...) or a Bybit trade op (``order.create``,
  ``order.amend``, ``order.cancel``); ``ws-api/v3`` and ``v5/trade`` name every request
  on that socket;
* TopstepX REST paths as the client spells them (routes are case-insensitive there, targets
  are not): ``POST api/Order/place``, ``POST api/Order/cancel``, ...;
* a user-data stream: ``stream.binance-spot``, ``stream.binance-usdm``, ``stream.bybit``,
  ``stream.topstepx`` (both TopstepX hubs' events);
* ``order`` for every request that places one new order, on any venue and path (Binance
  ``POST api/v3/order``, ``POST fapi/v1/order``, ``order.place``; Bybit ``v5/order/create``,
  ``order.create``; TopstepX ``POST api/Order/place``), so one spec serves a test run on every venue;
* ``*`` for every request (not streams).

Answer actions (requests, REST and WebSocket order entry):

=====================  ==============================================================
``latency``            delay the answer (and the processing) by ``ms`` (default 200)
``http500``            5xx with the venue's body (``http502``/``http503`` likewise):
                       Binance REST 500/502 -1001, 503 -1007; Binance WS API status 500
                       -1001; Bybit REST that HTTP status with retCode 10016, Bybit
                       trade socket retCode 10016
``unknown``            the venue's documented unknown-outcome answer: Binance spot REST
                       HTTP 503 ``{"code":-1007,"msg":"Timeout waiting for response from
                       backend server. Send status unknown; execution status unknown."}``;
                       USD-M REST HTTP 503 ``{"code":-1000,"msg":"Unknown error, please
                       check your request or try again later."}`` (the sheet documents
                       the text, not a code); Binance WS API the -1007 object in
                       ``{"id","status":503,"error"}``; Bybit REST HTTP 200 retCode 10016
                       "Internal server error."; Bybit trade socket retCode 10016
``garbage``            an answer that is not the venue's JSON, ``kind=``: ``html``
                       (default; REST: HTTP 200 ``text/html`` error page; WS: the same
                       page as a text frame), ``truncated`` (the first half of the JSON
                       answer: the real one when processed first, else the ``unknown``
                       one; REST with HTTP 200), ``empty`` (REST: HTTP 200, empty body;
                       WS: an empty text frame), ``noid`` (WS targets only: the JSON
                       answer without its ``id``/``reqId``)
``interim``            REST only: a complete HTTP/1.1 interim response on the same
                       connection before the final answer, ``code=``: ``100`` (default,
                       ``HTTP/1.1 100 Continue``), ``103`` (``HTTP/1.1 103 Early Hints``
                       with ``Link: </x>; rel=preload``), ``101`` (a bogus
                       ``HTTP/1.1 101 Switching Protocols``, which a client must refuse)
``drop``               close the connection without answering
``http429``            the venue's rate-limit refusal (Binance 429 -1003 with
                       Retry-After; Bybit retCode 10006); never processed
``http418``            Binance's IP-ban refusal (418 -1003 with Retry-After; Bybit REST
                       HTTP 403 "access too frequent"); never processed
=====================  ==============================================================

``before_process_drop`` and ``after_process_drop`` (also ``drop_before``/``drop_after``)
stay as aliases of ``drop:process=never`` and ``drop:process=first``.

When several answer faults fire for one request, one answers, the first of ``drop``,
``http429``, ``http418``, ``http500``, ``http502``, ``http503``, ``unknown``,
``garbage``, ``interim``; ``latency`` adds to any of them.

``process=`` (on ``http500``/``http502``/``http503``, ``unknown``, ``garbage``,
``interim``, ``drop``; not on ``latency``, ``http429``, ``http418``, nor on the drop
aliases, which fix it):

* ``never``: the venue never acts on the request (default for http5xx, unknown, drop);
* ``first``: the venue processes it (the order exists, stream events go out), then the
  client gets the chosen answer instead of the real one (default for garbage, interim);
* ``later``: the client gets the answer at once and the venue processes the request
  ``delay_ms`` later (default 1500), from its original bytes, exactly as if it had
  just arrived: signature, timestamp and recvWindow are checked then, against the
  simulator's clock, so a delay beyond the request's recvWindow makes the venue
  refuse it (-1021 / retCode 10002) and nobody hears it.  The normal user-data events
  follow a later success.

With ``interim`` and ``process=never|later`` the final answer after the interim one is
the venue's ``unknown`` answer (there is no real one to give).  ``interim`` on a
WebSocket target is refused (:class:`FaultSpecError`); ``*:interim`` applies to REST
requests only and does not count WebSocket requests.

Stream actions (``stream.*`` targets):

=====================  ==============================================================
``stream_drop``        close the stream connection instead of sending an event
``stream_duplicate``   send an event twice
``stream_reorder``     hold an event back and send it after the next one
``stream_lose``        never send this event; the connection stays up
``stream_delay``       send this event ``ms`` later (default 200); later events go
                       out on time, so it arrives out of order
``listenkey_expire``   expire the listen key (USD-M) at this event, sending
                       ``listenKeyExpired`` and closing its streams
=====================  ==============================================================

PARAMS select when it fires (all optional; without them it fires every time):
``p=0.1`` with probability 0.1 (drawn from a generator seeded by the simulator seed
and the spec's position, so a run is reproducible); ``nth=3`` only on the 3rd matching
request or event; ``every=5`` on every 5th; ``times=2`` at most twice.  ``ms=`` for
``latency`` and ``stream_delay``; ``process=``, ``delay_ms=`` (only with
``process=later``), ``kind=`` (garbage) and ``code=`` (interim) as above.  A parameter
that does not apply to its action, or a request action on a ``stream.*`` target (and the
reverse), is refused with :class:`FaultSpecError`, so a typo cannot pass silently.

Every firing is recorded in ``SimExchange.faults.log`` as a
:class:`~engine.sim.fault_plan.FaultRecord` (what was hit, the action, the process mode;
for ``first``/``later`` the real answer nobody heard and when it was made), and
``await SimExchange.settle_later()`` waits until every ``process=later`` request has been
processed; ``SimExchange.client_order_count(key, venue, client_id)`` says how many venue
orders carry a client order id (1 when exactly-once held).

Examples::

    order.place:after_process_drop:p=0.1
    fapi/v1/order:http500:nth=3
    POST api/v3/order:latency:ms=300,times=5
    POST api/v3/order:unknown:process=first,nth=1
    POST fapi/v1/order:http503:process=later,delay_ms=300
    v5/order/create:garbage:kind=truncated
    order.create:unknown:process=later,delay_ms=600
    POST api/v3/order:interim:code=103
    stream.binance-usdm:listenkey_expire:nth=2
    stream.bybit:stream_delay:ms=300,nth=1
    stream.binance-spot:stream_lose:nth=2
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["Fault", "parse_faults", "ACTIONS", "ANSWERS", "FaultSpecError"]

ANSWERS = ("drop", "http429", "http418", "http500", "http502", "http503", "unknown", "garbage", "interim")
STREAM_ACTIONS = ("stream_drop", "stream_duplicate", "stream_reorder", "stream_lose", "stream_delay")
ACTIONS = {"latency", "listenkey_expire", "before_process_drop", "after_process_drop", *ANSWERS, *STREAM_ACTIONS}
_ALIASES = {"drop_before": "before_process_drop", "drop_after": "after_process_drop"}
_DROP_ALIASES = {"before_process_drop": "never", "after_process_drop": "first"}
PROCESS_MODES = ("never", "first", "later")
_DEFAULT_PROCESS = {"garbage": "first", "interim": "first"}     # the rest: never
GARBAGE_KINDS = ("html", "truncated", "empty", "noid")
INTERIM_CODES = (100, 101, 103)


class FaultSpecError(ValueError):
    """A fault spec that does not follow the grammar."""


def ws_endpoints() -> list[str]:
    """The WebSocket order-entry endpoints the personalities declare (:meth:`~engine.sim.registry.Registry.ws_endpoint`)."""
    from engine.sim.registry import declared
    return list(declared().ws_endpoints)


def _is_ws_target(target: str) -> bool:
    """A WebSocket request name: a method/op (no slash) or a whole WS endpoint."""
    return target in ws_endpoints() or ("/" not in target and target != "*" and not target.startswith("stream."))


@dataclass
class Fault:
    target: str
    action: str                      # as written, aliases normalised (``after_process_drop`` stays)
    p: float | None = None
    nth: int | None = None
    every: int | None = None
    times: int | None = None
    ms: int = 200
    process: str | None = None       # answer actions: never | first | later
    delay_ms: int = 1500
    kind: str = "html"
    code: int = 100
    spec: str = ""
    seen: int = 0
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def verb(self) -> str:
        """The canonical action: ``drop`` for the drop aliases, else :attr:`action`."""
        return "drop" if self.action in _DROP_ALIASES else self.action

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


def _set_param(fault: Fault, spec: str, k: str, v: str) -> None:
    if k == "p":
        fault.p = float(v)
        if not 0 <= fault.p <= 1:
            raise ValueError
    elif k in ("nth", "every", "times", "ms", "delay_ms"):
        setattr(fault, k, int(v))
        if getattr(fault, k) < 0:
            raise ValueError
    elif k == "process":
        if v not in PROCESS_MODES:
            raise ValueError
        fault.process = v
    elif k == "kind":
        if v not in GARBAGE_KINDS:
            raise ValueError
        fault.kind = v
    elif k == "code":
        fault.code = int(v)
        if fault.code not in INTERIM_CODES:
            raise ValueError
    else:
        raise FaultSpecError(f"fault {spec!r}: unknown parameter {k!r}")


def _check(fault: Fault, spec: str, given: set[str]) -> None:
    """Refuse parameters that mean nothing for the action, so a typo cannot pass silently."""
    verb = fault.verb
    allowed = {"p", "nth", "every", "times"}
    if verb in ("latency", "stream_delay"):
        allowed.add("ms")
    if verb in ("http500", "http502", "http503", "unknown", "garbage", "interim", "drop") \
            and fault.action not in _DROP_ALIASES:      # the aliases fix their process mode
        allowed |= {"process", "delay_ms"}
    if verb == "garbage":
        allowed.add("kind")
    if verb == "interim":
        allowed.add("code")
    extra = given - allowed
    if extra:
        raise FaultSpecError(f"fault {spec!r}: parameter(s) {sorted(extra)} do not apply to {fault.action!r}")
    stream_target = fault.target.startswith("stream.")
    if verb in STREAM_ACTIONS and not stream_target:
        raise FaultSpecError(f"fault {spec!r}: {verb!r} needs a stream.* target")
    if (verb in ANSWERS or verb == "latency") and stream_target:
        raise FaultSpecError(f"fault {spec!r}: {verb!r} applies to requests, not to {fault.target!r}")
    if verb == "interim" and _is_ws_target(fault.target):
        raise FaultSpecError(f"fault {spec!r}: interim answers are HTTP only; {fault.target!r} is a WebSocket request")
    if verb == "garbage" and fault.kind == "noid" and not _is_ws_target(fault.target):
        raise FaultSpecError(f"fault {spec!r}: kind=noid is for WebSocket requests only")
    if verb in ANSWERS and verb not in ("http429", "http418"):
        fault.process = _DROP_ALIASES.get(fault.action) or fault.process or _DEFAULT_PROCESS.get(verb, "never")
    if "delay_ms" in given and fault.process != "later":
        raise FaultSpecError(f"fault {spec!r}: delay_ms needs process=later")


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
            fault = Fault(target=target, action=action, spec=spec)
            given: set[str] = set()
            if len(parts) == 3 and parts[2].strip():
                for kv in parts[2].split(","):
                    if "=" not in kv:
                        raise FaultSpecError(f"fault {spec!r}: parameter {kv!r} is not key=value")
                    k, v = (x.strip() for x in kv.split("=", 1))
                    try:
                        _set_param(fault, spec, k, v)
                    except ValueError:
                        raise FaultSpecError(f"fault {spec!r}: bad value for {k!r}: {v!r}") from None
                    given.add(k)
            _check(fault, spec, given)
            fault.rng = random.Random(f"{seed}:{len(out)}:{spec}")
            out.append(fault)
    return out
