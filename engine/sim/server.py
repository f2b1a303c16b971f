"""The aiohttp application: one loopback port, every personality at its real paths.

=====================================  ==============================================
``/api/v3/...``                        Binance spot REST (:mod:`binance_spot`)
``/ws-api/v3``                         Binance spot WebSocket API (:mod:`ws_api`)
``/fapi/...``                          Binance USD-M REST (:mod:`binance_usdm`)
``/ws/<listenKey>``,                   Binance USD-M user-data stream
``/private/ws?listenKey=``             (:mod:`usdm_stream`)
``/v5/...``                            Bybit V5 REST (:mod:`bybit`)
``/v5/private``, ``/v5/trade``         Bybit private stream and WebSocket trade
                                       (:mod:`bybit_ws`)
=====================================  ==============================================

REST faults (latency, 5xx, 429/418, drops before/after processing) are applied here,
around the personality, so every endpoint gets them the same way.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from engine.sim.decimals import exact

from engine.sim import binance_spot, binance_usdm, bybit, bybit_ws, usdm_stream
from engine.sim.binance_common import BAN_MSG, TOO_MUCH_WEIGHT, dumps, rest_handler
from engine.sim.core import now_ms
from engine.sim.ws_api import serve_ws_api

__all__ = ["build_app"]

log = logging.getLogger("engine.sim.server")
SIM_KEY = web.AppKey("sim", object)


def _json(status: int, body, headers=None) -> web.Response:
    return web.Response(status=status, text=dumps(body), content_type="application/json", headers=headers)


def _fault_response(sim, venue: str, action: str):
    if venue == "bybit":
        if action in ("http429",):
            return _json(200, {"retCode": 10006, "retMsg": "Too many visits!", "result": {}, "retExtInfo": {},
                               "time": now_ms()}, {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "0",
                                                   "X-Bapi-Limit-Reset-Timestamp": str(now_ms() + 1000)})
        if action == "http418":
            return web.Response(status=403, text="access too frequent")
        status = int(action[4:])
        return _json(status, {"retCode": 10016, "retMsg": "Internal server error.", "result": {},
                              "retExtInfo": {}, "time": now_ms()})
    lim = sim.spot_limiter if venue == "spot" else sim.usdm_limiter
    if action == "http429":
        return _json(429, {"code": -1003, "msg": TOO_MUCH_WEIGHT.format(limit=lim.weight_limit)},
                     {"Retry-After": "60"})
    if action == "http418":
        return _json(418, {"code": -1003, "msg": BAN_MSG.format(until=now_ms() + 120000)}, {"Retry-After": "120"})
    if action == "http503":
        return _json(503, {"code": -1007, "msg": "Timeout waiting for response from backend server. "
                                                 "Send status unknown; execution status unknown."})
    return _json(int(action[4:]), {"code": -1001,
                                   "msg": "Internal error; unable to process your request. Please try again."})


def _drop(request: web.Request) -> web.Response:
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError


@exact
async def dispatch(request: web.Request) -> web.StreamResponse:
    sim = request.app[SIM_KEY]
    path = request.path
    # WebSocket endpoints
    if path == "/ws-api/v3":
        return await serve_ws_api(sim, request)
    if path.startswith("/ws/") or path in ("/private/ws", "/ws", "/private/stream", "/stream"):
        return await usdm_stream.serve(sim, request)
    if path in ("/v5/private", "/v5/trade"):
        return await bybit_ws.serve(sim, request, path[4:])
    if path.startswith("/api/v3/"):
        venue = "spot"
    elif path.startswith("/fapi/"):
        venue = "usdm"
    elif path.startswith("/v5/"):
        venue = "bybit"
    else:
        return _json(404, {"code": -1000, "msg": "Unknown path."})
    short = path.lstrip("/")
    if request.body_exists:
        # The venue has the whole request before a fault delays or drops it: a client that
        # gives up during injected latency must still leave an order behind (read once,
        # aiohttp keeps the bytes, and the handlers' read() returns them).
        await request.read()
    fired = {f.action: f for f in sim.faults.fire((short, f"{request.method} {short}", "*"))}
    if "latency" in fired:
        await asyncio.sleep(fired["latency"].ms / 1000)
    if "before_process_drop" in fired:
        return _drop(request)
    for action in ("http500", "http502", "http503", "http429", "http418"):
        if action in fired:
            return _fault_response(sim, venue, action)
    try:
        if venue == "spot":
            result = await rest_handler(sim, request, binance_spot.ROUTES, sim.spot_limiter, "spot", path)
        elif venue == "usdm":
            result = await rest_handler(sim, request, binance_usdm.ROUTES, sim.usdm_limiter, "usdm", path)
        else:
            result = await bybit.rest_handler(sim, request, path)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, path)
        if venue == "bybit":
            result = (200, {"retCode": 10016, "retMsg": "Internal server error.", "result": {}, "retExtInfo": {},
                            "time": now_ms()}, {})
        else:
            result = (500, {"code": -1000, "msg": "An unknown error occurred while processing the request."}, {})
    if isinstance(result, web.StreamResponse):
        return result
    if "after_process_drop" in fired:
        return _drop(request)
    status, body, headers = result
    return _json(status, body, headers)


def build_app(sim) -> web.Application:
    app = web.Application(client_max_size=1 << 20)
    app[SIM_KEY] = sim
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
