"""What the client gets when a fault answers instead of the venue, per personality.

The bodies are the venue's own (from the venue sheets, section 5 and 8) so that a
client classifies them exactly as it would in production: a 5xx, the documented
unknown-outcome answer, a rate-limit refusal; plus what no venue documents but every
client meets: an HTML error page from a proxy, a cut JSON body, an empty body, an
interim HTTP response, a WebSocket answer without its request id.

``real`` is the venue's real answer when the request was processed first (REST:
``(status, body, headers)``; WebSocket: the answer dict), else None; garbage cut from a
real answer shows the client bytes of the answer it should have had.
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.binance_common import BAN_MSG, TOO_MUCH_WEIGHT, dumps
from engine.sim.core import now_ms

__all__ = ["INTERIM_BYTES", "rest_answer", "binance_ws_answer", "bybit_ws_answer", "unknown_rest"]

SPOT_UNKNOWN = {"code": -1007, "msg": "Timeout waiting for response from backend server. "
                                      "Send status unknown; execution status unknown."}
# binance-usdm-futures.md §5: the 503 whose text says "execution UNKNOWN"; the sheet gives no code
# for it, -1000 is the venue's UNKNOWN.
USDM_UNKNOWN = {"code": -1000, "msg": "Unknown error, please check your request or try again later."}
BINANCE_5XX = {"code": -1001, "msg": "Internal error; unable to process your request. Please try again."}
BYBIT_UNKNOWN = (10016, "Internal server error.")    # bybit-v5.md §5 and §8: server error / restarting
HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
             "<body><h1>502 Bad Gateway</h1><p>The server returned an invalid or incomplete response.</p>"
             "</body></html>\n")
# Complete HTTP/1.1 interim responses (RFC 9110 §15.2), written raw before the final answer.
INTERIM_BYTES = {
    100: b"HTTP/1.1 100 Continue\r\n\r\n",
    103: b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n",
    101: b"HTTP/1.1 101 Switching Protocols\r\n\r\n",    # bogus: nobody asked to upgrade
}


def _json(status: int, body, headers=None) -> web.Response:
    return web.Response(status=status, text=dumps(body), content_type="application/json", headers=headers)


def _bybit_envelope(code: int, msg: str) -> dict:
    return {"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": now_ms()}


def unknown_rest(venue: str) -> tuple[int, dict, dict]:
    """The venue's unknown-outcome REST answer as ``(status, body, headers)``."""
    if venue == "bybit":
        return 200, _bybit_envelope(*BYBIT_UNKNOWN), {}
    return 503, dict(SPOT_UNKNOWN if venue == "spot" else USDM_UNKNOWN), {}


def _refusal(sim, venue: str, verb: str) -> web.Response:
    """http5xx / http429 / http418 on REST."""
    if venue == "bybit":
        if verb == "http429":
            return _json(200, _bybit_envelope(10006, "Too many visits!"),
                         {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "0",
                          "X-Bapi-Limit-Reset-Timestamp": str(now_ms() + 1000)})
        if verb == "http418":
            return web.Response(status=403, text="access too frequent")
        return _json(int(verb[4:]), _bybit_envelope(*BYBIT_UNKNOWN))
    lim = sim.spot_limiter if venue == "spot" else sim.usdm_limiter
    if verb == "http429":
        return _json(429, {"code": -1003, "msg": TOO_MUCH_WEIGHT.format(limit=lim.weight_limit)},
                     {"Retry-After": "60"})
    if verb == "http418":
        return _json(418, {"code": -1003, "msg": BAN_MSG.format(until=now_ms() + 120000)}, {"Retry-After": "120"})
    if verb == "http503":
        return _json(503, SPOT_UNKNOWN)
    return _json(int(verb[4:]), BINANCE_5XX)


def _cut(text: str) -> str:
    """The first half of a JSON text: never valid JSON, since no proper prefix of an object is."""
    return text[:max(1, len(text) // 2)]


def _garbage_rest(kind: str, venue: str, real) -> web.Response:
    if kind == "empty":
        return web.Response(status=200, body=b"", content_type="application/json")
    if kind == "truncated":
        status, body, headers = real if real is not None and not isinstance(real, web.StreamResponse) \
            else unknown_rest(venue)
        return web.Response(status=200, text=_cut(dumps(body)), content_type="application/json")
    return web.Response(status=200, text=HTML_PAGE, content_type="text/html")


def rest_answer(request: web.Request, sim, venue: str, fault, real) -> web.StreamResponse:
    """The answer a REST fault gives (``drop`` is handled by the caller)."""
    verb = fault.verb
    if verb in ("http500", "http502", "http503", "http429", "http418"):
        return _refusal(sim, venue, verb)
    if verb == "unknown":
        return _json(*unknown_rest(venue))
    if verb == "garbage":
        return _garbage_rest(fault.kind, venue, real)
    # interim: the raw interim response goes out before aiohttp writes anything for this
    # request (its writer writes straight to the same transport), then the final answer.
    transport = request.transport
    if transport is not None and not transport.is_closing():
        transport.write(INTERIM_BYTES[fault.code])
    if real is None:
        return _json(*unknown_rest(venue))
    if isinstance(real, web.StreamResponse):
        return real
    status, body, headers = real
    return _json(status, body, headers)


def _garbage_ws(kind: str, answer: dict, id_field: str) -> str | dict:
    if kind == "empty":
        return ""
    if kind == "truncated":
        return _cut(dumps(answer))
    if kind == "noid":
        return {k: v for k, v in answer.items() if k != id_field}
    return HTML_PAGE


def binance_ws_answer(sim, fault, rid, real: dict | None) -> str | dict:
    """The Binance WS API frame a fault sends instead of the real answer (not ``drop``)."""
    verb = fault.verb
    if verb in ("http500", "http502", "http503"):
        return {"id": rid, "status": 500, "error": dict(BINANCE_5XX)}
    if verb in ("http429", "http418"):
        status = 418 if verb == "http418" else 429
        until = now_ms() + 120000
        msg = BAN_MSG.format(until=until) if status == 418 else TOO_MUCH_WEIGHT.format(
            limit=sim.spot_limiter.weight_limit)
        return {"id": rid, "status": status, "error": {"code": -1003, "msg": msg,
                                                       "data": {"serverTime": now_ms(), "retryAfter": until}}}
    unknown = {"id": rid, "status": 503, "error": dict(SPOT_UNKNOWN)}
    if verb == "unknown":
        return unknown
    return _garbage_ws(fault.kind, real if real is not None else unknown, "id")


def bybit_ws_answer(fault, base: dict, real: dict | None) -> str | dict:
    """The Bybit trade-socket frame a fault sends instead of the real answer (not ``drop``);
    ``base`` is the op's answer envelope before processing."""
    verb = fault.verb
    if verb in ("http429", "http418"):
        return {**base, "retCode": 10006, "retMsg": "Too many visits!"}
    unknown = {**base, "retCode": BYBIT_UNKNOWN[0], "retMsg": BYBIT_UNKNOWN[1]}
    if verb in ("http500", "http502", "http503", "unknown"):
        return unknown
    return _garbage_ws(fault.kind, real if real is not None else unknown, "reqId")
