"""Gate.io APIv4 REST (``/api/v4/...``): routing and the request frame (headers, signature, time
window, ``X-Gate-Exptime``, rate limits), then the handlers of :mod:`.orders`, :mod:`.account`,
:mod:`.market_data` and :mod:`.wallet` (withdrawals).

Answers: 200 with the JSON (201 for a created order), or the refusal's status with
``{"label","message"}``; every private answer carries the endpoint's ``X-Gate-RateLimit-*``
headers.  ``X-Gate-Exptime`` (ms): a request the venue receives after it is refused
``REQUEST_EXPIRED`` (the label is unconfirmed; the docs say only "rejected"), also when a
fault made the venue process it late.
"""

from __future__ import annotations

import json

from engine.sim.core_types import now_ms
from engine.sim.gateio import account as acct_routes
from engine.sim.gateio import orders, wallet
from engine.sim.gateio.auth import rest_signature_ok, time_ok
from engine.sim.gateio.errors import GateError
from engine.sim.gateio.market_data import EMPTY_PREFIXES, PUBLIC, currency_pairs
from engine.sim.gateio.state import state_of

__all__ = ["rest_handler", "PREFIX"]

PREFIX = "/api/v4/"


def _create(sim, account, q, body, tail):
    o, mode = orders.create(sim, account, _merge(q, body))
    return 201, orders.result_of(o, mode)


def _merge(q: dict, body) -> dict:
    """Query parameters under the body's (the body wins, as on the venue's amend)."""
    if body is None:
        return dict(q)
    if not isinstance(body, dict):
        raise GateError("INVALID_REQUEST_BODY", "the body must be a JSON object")
    return {**q, **body}


# (method, path) -> handler(sim, account, query, body, tail) -> answer or (status, answer)
PRIVATE = {
    ("POST", "spot/orders"): _create,
    ("GET", "spot/orders"): lambda s, a, q, b, t: orders.list_orders(s, a, q),
    ("DELETE", "spot/orders"): lambda s, a, q, b, t: orders.cancel_all(s, a, q),
    ("GET", "spot/orders/"): lambda s, a, q, b, t: orders.get(s, a, q, t),
    ("DELETE", "spot/orders/"): lambda s, a, q, b, t: orders.cancel(s, a, q, t),
    ("PATCH", "spot/orders/"): lambda s, a, q, b, t: orders.amend(s, a, _merge(q, b), t),
    ("GET", "spot/open_orders"): lambda s, a, q, b, t: orders.open_orders(s, a, q),
    ("GET", "spot/my_trades"): lambda s, a, q, b, t: orders.my_trades(s, a, q),
    ("POST", "spot/batch_orders"): lambda s, a, q, b, t: acct_routes.batch_place(s, a, b),
    ("POST", "spot/amend_batch_orders"): lambda s, a, q, b, t: acct_routes.batch_amend(s, a, b),
    ("POST", "spot/cancel_batch_orders"): lambda s, a, q, b, t: acct_routes.batch_cancel(s, a, b),
    ("POST", "spot/countdown_cancel_all"): lambda s, a, q, b, t: acct_routes.countdown(s, a, b),
    ("GET", "spot/accounts"): lambda s, a, q, b, t: acct_routes.accounts(s, a, q),
    ("GET", "account/detail"): lambda s, a, q, b, t: acct_routes.detail(s, a),
    **wallet.ROUTES,                # withdrawals (engine.sim.gateio.wallet)
}
_PLACE = {"spot/orders", "spot/orders/", "spot/batch_orders", "spot/amend_batch_orders"}
_CANCEL = {"spot/cancel_batch_orders", "spot/countdown_cancel_all"}


def _route(method: str, endpoint: str) -> tuple[tuple[str, str], str]:
    """(the PRIVATE key, the path's tail: an order id) for a private request."""
    for base in ("spot/orders/", "withdrawals/"):
        if endpoint.startswith(base) and len(endpoint) > len(base):
            return (method, base), endpoint[len(base):]
    return (method, endpoint), ""


def _limit(sim, account, key: tuple[str, str], q: dict, body):
    limiter = state_of(sim).limiter
    method, path = key
    if path in _CANCEL or (method == "DELETE" and path.startswith("spot/orders")):
        return limiter.cancel(account.uid)
    if (method, path) in (("POST", "spot/orders"), ("PATCH", "spot/orders/"), ("POST", "spot/batch_orders"),
                          ("POST", "spot/amend_batch_orders")):
        items = body if isinstance(body, list) else [body if isinstance(body, dict) else {}]
        pairs = sorted({str(i.get("currency_pair") or q.get("currency_pair") or "") for i in items
                        if isinstance(i, dict)}) or [""]
        verdict = None
        for pair in pairs:
            verdict = limiter.place(account.uid, pair)
            if not verdict[0]:
                return verdict
        return verdict
    return limiter.other(account.uid, path)


async def rest_handler(sim, request):
    """``(status, body, headers)`` for one request below ``/api/v4/``."""
    endpoint = request.path[len(PREFIX):]
    method = request.method
    q = dict(request.query)
    headers: dict[str, str] = {}
    try:
        if method == "GET" and endpoint in PUBLIC:
            return 200, PUBLIC[endpoint](sim, q), headers
        if method == "GET" and endpoint.startswith("spot/currency_pairs/"):
            return 200, currency_pairs(sim, q, endpoint[len("spot/currency_pairs/"):]), headers
        if method == "GET" and endpoint.startswith(EMPTY_PREFIXES):
            return 200, [], headers
        key, tail = _route(method, endpoint)
        handler = PRIVATE.get(key)
        if handler is None:
            if any(k[1] == key[1] for k in PRIVATE):
                raise GateError("METHOD_NOT_ALLOWED", f"Method {method} not allowed", 405)
            raise GateError("NOT_FOUND", f"{request.path} not found", 404)
        api_key, ts, sign = (request.headers.get(h) for h in ("KEY", "Timestamp", "SIGN"))
        if not api_key or not ts or not sign:
            raise GateError("MISSING_REQUIRED_HEADER", "KEY, Timestamp and SIGN headers are required")
        account = sim.account_for(api_key)
        if account is None:
            raise GateError("INVALID_KEY", "Invalid key provided")
        raw = await request.read()
        if not rest_signature_ok(account.secret, method, request.path, request.rel_url.raw_query_string, raw, ts,
                                 sign):
            raise GateError("INVALID_SIGNATURE", "Signature mismatch")
        now = now_ms()
        if not time_ok(ts, now):
            raise GateError("REQUEST_EXPIRED", "gap between request Timestamp and server time exceeds 60 s")
        exptime = request.headers.get("X-Gate-Exptime")
        if exptime:
            if not exptime.isdigit():
                raise GateError("INVALID_PARAM_VALUE", "X-Gate-Exptime must be a time in ms")
            if now > int(exptime):
                raise GateError("REQUEST_EXPIRED", "Request expired: received after X-Gate-Exptime")
        body = None
        if raw.strip():
            try:
                body = json.loads(raw, parse_float=str)
            except ValueError:
                raise GateError("INVALID_REQUEST_BODY", "the body is not JSON") from None
        verdict = _limit(sim, account, key, q, body)
        headers.update(verdict.headers)
        if not verdict[0]:
            raise GateError("TOO_MANY_REQUESTS", "Request Rate limit Exceeded (211)", 429)
        out = handler(sim, account, q, body, tail)
        if isinstance(out, tuple):
            return out[0], out[1], headers
        return 200, out, headers
    except GateError as exc:
        return exc.status, exc.body(), headers
