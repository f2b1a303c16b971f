"""The aiohttp application: one loopback port, every personality at its real paths.

=====================================  ==============================================
``/api/v3/...``                        Binance spot REST (:mod:`engine.sim.binance.spot`)
``/ws-api/v3``                         Binance spot WebSocket API
                                       (:mod:`engine.sim.binance.ws_api`)
``/fapi/...``                          Binance USD-M REST (:mod:`engine.sim.binance.usdm`)
``/ws/<listenKey>``,                   Binance USD-M user-data stream
``/private/ws?listenKey=``             (:mod:`engine.sim.binance.user_stream`)
``/v5/...``                            Bybit V5 REST (:mod:`engine.sim.bybit.rest`)
``/v5/private``, ``/v5/trade``         Bybit private stream and WebSocket trade
                                       (:mod:`engine.sim.bybit.ws`)
=====================================  ==============================================

REST faults are applied here, around the personality, so every endpoint gets them the
same way: latency, then at most one answer fault (:mod:`engine.sim.faults`), whose
request is processed never, first (its real answer thrown away) or later (a frozen copy
run by :mod:`engine.sim.deferred`); the answers themselves are in
:mod:`engine.sim.fault_answers`.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from engine.sim.binance import spot, usdm, user_stream
from engine.sim.binance.fault_answers import BinanceAnswers
from engine.sim.binance.rest import rest_handler
from engine.sim.binance.ws_api import serve_ws_api
from engine.sim.bybit import rest as bybit_rest
from engine.sim.bybit import ws as bybit_ws
from engine.sim.bybit.fault_answers import BybitAnswers
from engine.sim.core_types import now_ms
from engine.sim.decimals import exact
from engine.sim.deferred import FrozenRequest
from engine.sim.fault_answers import rest_answer
from engine.sim.wire import drop, json_response

__all__ = ["build_app"]

log = logging.getLogger("engine.sim.server")
SIM_KEY = web.AppKey("sim", object)


async def _process(sim, venue: str, request, path: str):
    """Run one request through its personality: ``(status, body, headers)`` or a ready
    response.  ``request`` is the live aiohttp request or a FrozenRequest (process=later)."""
    try:
        if venue == "spot":
            return await rest_handler(sim, request, spot.ROUTES, sim.spot_limiter, "spot", path)
        if venue == "usdm":
            return await rest_handler(sim, request, usdm.ROUTES, sim.usdm_limiter, "usdm", path)
        return await bybit_rest.rest_handler(sim, request, path)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, path)
        return _answers(sim, venue).internal_error()


def _answers(sim, venue: str):
    if venue == "bybit":
        return BybitAnswers()
    return BinanceAnswers(sim.spot_limiter if venue == "spot" else sim.usdm_limiter, venue)


def _unheard(result) -> tuple:
    """A processed request's real answer as the fault log keeps it: ``(status, body)``."""
    if isinstance(result, web.StreamResponse):
        return result.status, getattr(result, "text", None)
    return result[0], result[1]


@exact
async def dispatch(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    path = request.path
    # WebSocket endpoints
    if path == "/ws-api/v3":
        return await serve_ws_api(sim, request)
    if path.startswith("/ws/") or path in ("/private/ws", "/ws", "/private/stream", "/stream"):
        return await user_stream.serve(sim, request)
    if path in ("/v5/private", "/v5/trade"):
        return await bybit_ws.serve(sim, request, path[4:])
    if path.startswith("/api/v3/"):
        venue = "spot"
    elif path.startswith("/fapi/"):
        venue = "usdm"
    elif path.startswith("/v5/"):
        venue = "bybit"
    else:
        return json_response(404, {"code": -1000, "msg": "Unknown path."})
    short = path.lstrip("/")
    # The venue has the whole request before a fault delays or drops it: a client that
    # gives up during injected latency must still leave an order behind (read once,
    # aiohttp keeps the bytes, and the handlers' read() returns them).
    body = await request.read() if request.body_exists else b""
    faults = sim.faults.for_request((short, f"{request.method} {short}", "*"), ws=False)
    if faults.latency is not None:
        await asyncio.sleep(faults.latency.ms / 1000)
    fault = faults.answer
    if fault is None:
        result = await _process(sim, venue, request, path)
    else:
        result = None
        if fault.process == "first":
            result = await _process(sim, venue, request, path)
            faults.record.processed_ms, faults.record.unheard = now_ms(), _unheard(result)
        elif fault.process == "later":
            frozen = FrozenRequest(request, body)
            sim.deferred.schedule(fault.delay_ms,
                                  lambda: _later(sim, venue, frozen, path), faults.record)
        if fault.verb == "drop":
            return drop(request)
        return rest_answer(request, _answers(sim, venue), fault, result)
    if isinstance(result, web.StreamResponse):
        return result
    status, body_out, headers = result
    return json_response(status, body_out, headers)


async def _later(sim, venue: str, frozen: FrozenRequest, path: str) -> tuple:
    return _unheard(await _process(sim, venue, frozen, path))


def build_app(sim) -> web.Application:
    app = web.Application(client_max_size=1 << 20)
    app[SIM_KEY] = sim
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
