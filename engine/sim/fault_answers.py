"""What the client gets when a fault answers instead of the venue.

The venue's own bodies (a 5xx, the documented unknown-outcome answer, a rate-limit
refusal) come from the personality's answers object (``engine/sim/<venue>/fault_answers.py``,
from the venue sheets, sections 5 and 8), so that a client classifies them exactly as it
would in production; what no venue documents but every client meets is written here once:
an HTML error page from a proxy, a cut JSON body, an empty body, an interim HTTP response,
a WebSocket answer without its request id.

A personality's answers object has:

* ``unknown() -> (status, body, headers)``: the venue's unknown-outcome REST answer;
* ``refusal(verb) -> web.Response``: ``http500``/``http502``/``http503``/``http429``/``http418``
  on REST;
* ``internal_error() -> (status, body, headers)``: what the venue answers when the
  simulator itself fails on a request (an unhandled exception in a handler).

``real`` is the venue's real answer when the request was processed first (REST:
``(status, body, headers)`` or a ready response; WebSocket: the answer dict), else None;
garbage cut from a real answer shows the client bytes of the answer it should have had.
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.wire import dumps, json_response

__all__ = ["INTERIM_BYTES", "HTML_PAGE", "REFUSALS", "rest_answer", "garbage_ws", "cut"]

HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
             "<body><h1>502 Bad Gateway</h1><p>The server returned an invalid or incomplete response.</p>"
             "</body></html>\n")
# Complete HTTP/1.1 interim responses (RFC 9110 §15.2), written raw before the final answer.
INTERIM_BYTES = {
    100: b"HTTP/1.1 100 Continue\r\n\r\n",
    103: b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n",
    101: b"HTTP/1.1 101 Switching Protocols\r\n\r\n",    # bogus: nobody asked to upgrade
}
REFUSALS = ("http500", "http502", "http503", "http429", "http418")


def cut(text: str) -> str:
    """The first half of a JSON text: never valid JSON, since no proper prefix of an object is."""
    return text[:max(1, len(text) // 2)]


def _garbage_rest(kind: str, answers, real) -> web.Response:
    if kind == "empty":
        return web.Response(status=200, body=b"", content_type="application/json")
    if kind == "truncated":
        status, body, headers = real if real is not None and not isinstance(real, web.StreamResponse) \
            else answers.unknown()
        return web.Response(status=200, text=cut(dumps(body)), content_type="application/json")
    return web.Response(status=200, text=HTML_PAGE, content_type="text/html")


def rest_answer(request: web.Request, answers, fault, real) -> web.StreamResponse:
    """The answer a REST fault gives (``drop`` is handled by the caller)."""
    verb = fault.verb
    if verb in REFUSALS:
        return answers.refusal(verb)
    if verb == "unknown":
        return json_response(*answers.unknown())
    if verb == "garbage":
        return _garbage_rest(fault.kind, answers, real)
    # interim: the raw interim response goes out before aiohttp writes anything for this
    # request (its writer writes straight to the same transport), then the final answer.
    transport = request.transport
    if transport is not None and not transport.is_closing():
        transport.write(INTERIM_BYTES[fault.code])
    if real is None:
        return json_response(*answers.unknown())
    if isinstance(real, web.StreamResponse):
        return real
    status, body, headers = real
    return json_response(status, body, headers)


def garbage_ws(kind: str, answer: dict, id_field: str) -> str | dict:
    """A WebSocket answer that is not the venue's JSON (``kind``: empty, truncated, noid, html)."""
    if kind == "empty":
        return ""
    if kind == "truncated":
        return cut(dumps(answer))
    if kind == "noid":
        return {k: v for k, v in answer.items() if k != id_field}
    return HTML_PAGE
