"""The TopstepX personality's own port: the Gateway's REST API (:mod:`.rest`) under ``/api/`` and the
SignalR hubs (:mod:`.hubs`) at ``/hubs/user`` and ``/hubs/market`` (with their negotiate POSTs), every
path case-insensitive.  REST requests go through the fault frames (:func:`engine.sim.frames.serve_rest`:
targets by path, e.g. ``POST api/Order/place``, and the venue-neutral ``order``).
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.frames import serve_rest
from engine.sim.topstepx import rest
from engine.sim.topstepx.state import state_of

__all__ = ["build_app"]


def build_app(sim) -> web.Application:
    st = state_of(sim)
    hubs = {"/hubs/user": st.hubs.user, "/hubs/market": st.hubs.market}

    async def dispatch(request: web.Request) -> web.StreamResponse:
        path = request.path.lower().rstrip("/")
        if path.startswith("/hubs/"):
            if path.endswith("/negotiate"):
                hub = hubs.get(path[: -len("/negotiate")])
                return web.Response(status=404) if hub is None else await hub.negotiate(request)
            hub = hubs.get(path)
            return web.Response(status=404) if hub is None else await hub.serve(request)
        if not path.startswith("/api/"):
            return web.Response(status=404)
        return await serve_rest(sim, request, st.answers, lambda req: rest.handle(sim, req))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
