"""The fault frames every personality runs its requests through, on any port.

:func:`serve_rest` wraps one REST request and :func:`answer_ws_request` one WebSocket request:
latency first, then at most one answer fault (:mod:`engine.sim.faults`), whose request the
venue processes never, first (its real answer thrown away, kept in the fault's record) or
later (a frozen copy run by :mod:`engine.sim.deferred`, checked against the clock then).
The venue's own words for a fault come from the personality's answers object
(:mod:`engine.sim.fault_answers`).

Fault targets: a REST request is named by its path without the leading slash and by
``"METHOD path"``; a WebSocket request by the names its personality gives (its method or op,
the socket's path); ``*`` names every request, and ``order`` every request whose names include
a new-order request of a personality (:meth:`~engine.sim.registry.Registry.new_order`).
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from engine.sim.core_types import now_ms
from engine.sim.deferred import FrozenRequest
from engine.sim.fault_answers import rest_answer
from engine.sim.wire import drop, json_response

__all__ = ["serve_rest", "answer_ws_request", "unheard"]

log = logging.getLogger("engine.sim.frames")


def unheard(result) -> tuple:
    """A processed request's real answer as the fault log keeps it: ``(status, body)``."""
    if isinstance(result, web.StreamResponse):
        return result.status, getattr(result, "text", None)
    return result[0], result[1]


async def _guarded(process, request, answers):
    try:
        return await process(request)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return answers.internal_error()


async def _later(process, frozen: FrozenRequest, answers) -> tuple:
    return unheard(await _guarded(process, frozen, answers))


async def serve_rest(sim, request: web.Request, answers, process) -> web.StreamResponse:
    """Answer one REST request with faults applied.

    ``process(request)`` is the personality's handling, awaited: ``(status, body, headers)`` or a
    ready response; ``request`` is the live request or, for ``process=later``, a
    :class:`~engine.sim.deferred.FrozenRequest` (same ``method``, ``path``, ``rel_url``, ``query``,
    ``headers``, ``remote`` and ``read()``).  ``answers`` is the personality's fault-answers object.
    """
    short = request.path.lstrip("/")
    # The venue has the whole request before a fault delays or drops it: a client that gives up
    # during injected latency must still leave an order behind (read once, aiohttp keeps the bytes,
    # and the handlers' read() returns them).
    body = await request.read() if request.body_exists else b""
    faults = sim.faults.for_request((short, f"{request.method} {short}", "*"), ws=False)
    if faults.latency is not None:
        await asyncio.sleep(faults.latency.ms / 1000)
    fault = faults.answer
    if fault is None:
        result = await _guarded(process, request, answers)
    else:
        result = None
        if fault.process == "first":
            result = await _guarded(process, request, answers)
            faults.record.processed_ms, faults.record.unheard = now_ms(), unheard(result)
        elif fault.process == "later":
            frozen = FrozenRequest(request, body)
            sim.deferred.schedule(fault.delay_ms, lambda: _later(process, frozen, answers), faults.record)
        if fault.verb == "drop":
            return drop(request)
        return rest_answer(request, answers, fault, result)
    if isinstance(result, web.StreamResponse):
        return result
    status, body_out, headers = result
    return json_response(status, body_out, headers)


async def answer_ws_request(sim, names: tuple[str, ...], run, send, close, fault_answer,
                            status_of=lambda answer: 200) -> bool:
    """Answer one WebSocket request with faults applied; True when a fault closed the connection.

    ``run()`` processes the request and returns its answer (a dict); ``send(answer)`` queues a
    frame; ``await close()`` closes the connection; ``fault_answer(fault, real)`` is the frame a
    fault sends instead (``real``: the processed answer, or None); ``status_of(answer)`` is the
    status the fault log records for an answer.
    """
    faults = sim.faults.for_request(names, ws=True)
    if faults.latency is not None:
        await asyncio.sleep(faults.latency.ms / 1000)
    fault = faults.answer
    if fault is None:
        send(run())
        return False
    real = None
    if fault.process == "first":
        real = run()
        faults.record.processed_ms, faults.record.unheard = now_ms(), (status_of(real), real)
    elif fault.process == "later":
        # Run later on this connection's state (its authentication, its sessions), as the venue's
        # service would when the request finally reaches it.
        def later():
            answer = run()
            return status_of(answer), answer
        sim.deferred.schedule(fault.delay_ms, later, faults.record)
    if fault.verb == "drop":
        await asyncio.sleep(0)
        await close()
        return True
    send(fault_answer(fault, real))
    return False
