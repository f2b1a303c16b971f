"""The Gateway's REST API on the personality's port: ``POST /api/<Controller>/<action>`` with JSON.

Wire facts (shared/venues/topstepx-projectx.md §1, §2, §5, §6):

1. Routes and body property names are case-insensitive (ASP.NET binding); answers are
   camelCase and carry ``success``, ``errorCode`` and ``errorMessage``; business refusals
   are HTTP 200 with ``success: false``.
2. Everything but ``Auth/loginKey`` needs ``Authorization: Bearer <JWT>``: a missing,
   forged or expired token is HTTP 401 with no body.  A login body without ``userName`` or
   ``apiKey``, or a body that is not a JSON object, is HTTP 400 ProblemDetails.
3. A failed login is HTTP 200 ``{"token": null, "success": false, "errorCode": 3}``.
4. Rate limits per login (:mod:`.limits`): HTTP 429.
5. ``GET /api/Status/ping`` answers ``pong`` (its schema is not published).
6. Login refusals an account is set to (``login_error``) answer their errorCode (7 with the
   documented message); ``Auth/logout`` ends its token when ``logout_revokes`` is on (a
   second logout: errorCode 1 InvalidSession); a login may end the user's hub sessions
   (``logout_on_conflict``, :meth:`.hubs.Hubs.logout`).
"""

from __future__ import annotations

import json

from aiohttp import web

from engine.sim.topstepx import account, order_query, orders
from engine.sim.topstepx.limits import BARS_PATH
from engine.sim.topstepx.orders import Refusal
from engine.sim.topstepx.state import state_of

__all__ = ["handle", "ROUTES"]

ROUTES = {
    "/api/order/place": orders.place,
    "/api/order/modify": orders.modify,
    "/api/order/cancel": orders.cancel,
    "/api/order/search": orders.search,
    "/api/order/searchopen": orders.search_open,
    "/api/order/searchbyid": orders.search_by_id,
    "/api/order/v2/query": order_query.query,
    **account.ROUTES,
}


LOGIN_MESSAGES = {7: "Please log into the ProjectX platform and complete the required agreements"}


def _problem(status: int, title: str, errors: dict | None = None) -> tuple[int, dict, dict]:
    body = {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": title, "status": status}
    if errors:
        body["errors"] = errors
    return status, body, {}


def _lower(obj):
    return {str(k).lower(): v for k, v in obj.items()}


def _login(st, b: dict) -> tuple[int, dict, dict]:
    user, key = b.get("username"), b.get("apikey")
    missing = {name: [f"The {name} field is required."] for name, v in (("userName", user), ("apiKey", key))
               if not isinstance(v, str) or not v}
    if missing:
        return _problem(400, "One or more validation errors occurred.", missing)
    acct = st.accounts.get(user)
    if acct is None or acct.account.secret != key:
        return 200, {"token": None, "success": False, "errorCode": 3, "errorMessage": None}, {}
    if acct.login_error:
        return 200, {"token": None, "success": False, "errorCode": acct.login_error,
                     "errorMessage": LOGIN_MESSAGES.get(acct.login_error)}, {}
    if st.logout_on_conflict:
        st.hubs.logout(user)
    return 200, {"token": st.issue(user), "success": True, "errorCode": 0, "errorMessage": None}, {}


def _bearer(request) -> str | None:
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


async def handle(sim, request) -> tuple[int, dict, dict] | web.StreamResponse:
    st = state_of(sim)
    path = request.path.lower().rstrip("/")
    if path == "/api/status/ping":
        return web.Response(text="pong")
    if request.method != "POST":
        return web.Response(status=405)
    raw = await request.read()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _problem(400, "One or more validation errors occurred.", {"$": ["The JSON value is not valid."]})
    if not isinstance(body, dict):
        return _problem(400, "One or more validation errors occurred.", {"$": ["A JSON object is expected."]})
    body = _lower(body)
    if path == "/api/auth/loginkey":
        login = body.get("username")
        if isinstance(login, str) and st.limiter.hit(login, path) is not None:
            return web.Response(status=429)
        return _login(st, body)
    token = _bearer(request)
    if path == "/api/auth/logout" and token in st.revoked:
        return 200, {"success": False, "errorCode": 1, "errorMessage": None}, {}
    login = st.login_of(token)
    acct = st.accounts.get(login) if login else None
    if acct is None:
        return web.Response(status=401)
    if path not in ROUTES and path not in ("/api/auth/validate", "/api/auth/logout"):
        return web.Response(status=404)
    if st.limiter.hit(login, path if path == BARS_PATH else "") is not None:
        return web.Response(status=429)
    if path == "/api/auth/validate":
        return 200, {"success": True, "errorCode": 0, "errorMessage": None, "newToken": st.issue(login)}, {}
    if path == "/api/auth/logout":
        if st.logout_revokes:
            st.revoked.add(token)
        return 200, {"success": True, "errorCode": 0, "errorMessage": None}, {}
    try:
        out = ROUTES[path](sim, st, acct, body)
    except order_query.BadRequest as exc:
        return _problem(400, "One or more validation errors occurred.", exc.errors)
    except Refusal as r:
        out = {"orderId": r.order_id} if path == "/api/order/place" else {}
        out.update(success=False, errorCode=r.code, errorMessage=r.message)
        return 200, out, {}
    return 200, {**out, "success": True, "errorCode": 0, "errorMessage": None}, {}
