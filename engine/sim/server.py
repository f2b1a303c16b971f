"""The main port's aiohttp application: every personality mounted at its real paths.

Each personality declares its routes (:meth:`engine.sim.registry.Registry.mount`): an exact
path, or a prefix (the longest matching prefix wins).  Binance serves ``/api/v3/``,
``/ws-api/v3``, ``/fapi/`` and its user-data stream paths; Bybit ``/v5/``, ``/v5/private``
and ``/v5/trade``.  A REST handler runs its requests through
:func:`engine.sim.frames.serve_rest`, which applies the faults.  A path nobody mounted
answers 404.  Personalities whose paths collide with these are served on ports of their own
(:meth:`~engine.sim.registry.Registry.own_port`, started by :class:`~engine.sim.exchange.SimExchange`).
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.decimals import exact, sim_decimal_context
from engine.sim.wire import json_response

__all__ = ["build_app", "exact_middleware", "SIM_KEY"]

SIM_KEY = web.AppKey("sim", object)


class _Routes:
    """Mounts by exact path, then by prefix, longest first."""

    def __init__(self, mounts) -> None:
        self.exact = {m.path: m.handler for m in mounts if not m.prefix}
        self.prefixes = sorted(((m.path, m.handler) for m in mounts if m.prefix), key=lambda pm: -len(pm[0]))

    def find(self, path: str):
        handler = self.exact.get(path)
        if handler is not None:
            return handler
        for prefix, handler in self.prefixes:
            if path.startswith(prefix):
                return handler
        return None


_ROUTES = web.AppKey("routes", _Routes)


@exact
async def dispatch(request: web.Request) -> web.StreamResponse:
    handler = request.app[_ROUTES].find(request.path)
    if handler is None:
        return json_response(404, {"code": -1000, "msg": "Unknown path."})
    return await handler(request.app[SIM_KEY], request)


@web.middleware
async def exact_middleware(request: web.Request, handler):
    """Runs a handler (and the tasks it starts) at the simulator's 60-digit decimal precision."""
    with sim_decimal_context():
        return await handler(request)


def build_app(sim) -> web.Application:
    app = web.Application(client_max_size=1 << 20)
    app[SIM_KEY] = sim
    app[_ROUTES] = _Routes(sim.registry.mounts)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
