"""The Gate.io personality's own port (``reg.own_port("gateio", build_app)``): its ``/api/v4/`` and ``/ws/v4/`` would
collide with paths of the main port.  REST requests run through the fault frame
(:func:`engine.sim.frames.serve_rest`) with Gate's fault answers."""

from __future__ import annotations

from aiohttp import web

from engine.sim.frames import serve_rest
from engine.sim.gateio import ws
from engine.sim.gateio.errors import body_of
from engine.sim.gateio.rest import PREFIX, rest_handler
from engine.sim.gateio.state import state_of
from engine.sim.wire import json_response

__all__ = ["build_app"]


def build_app(sim) -> web.Application:
    async def rest(request: web.Request) -> web.StreamResponse:
        if request.path.startswith(("/api/v4/withdrawals", "/api/v4/wallet/")):
            sim.withdrawals.heard("gateio", request.method, request.path)
        return await serve_rest(sim, request, state_of(sim).answers, lambda req: rest_handler(sim, req))

    async def socket(request: web.Request) -> web.StreamResponse:
        return await ws.serve(sim, request)

    async def unknown(request: web.Request) -> web.StreamResponse:
        return json_response(404, body_of("NOT_FOUND", f"{request.path} not found"))

    app = web.Application(client_max_size=1 << 20)
    app.router.add_route("*", PREFIX + "{tail:.*}", rest)
    app.router.add_get("/ws/v4/", socket)
    app.router.add_get("/ws/v4", socket)
    app.router.add_route("*", "/{tail:.*}", unknown)
    return app
