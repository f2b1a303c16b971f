"""What a fault answers in Gate.io's words (gateio-spot.md §5, §8): the server group's
``INTERNAL``/``SERVER_ERROR`` for the unknown outcome and 5xx, HTTP 429 ``TOO_MANY_REQUESTS``
with the ``X-Gate-RateLimit-*`` headers for the rate limit; Gate has no IP-ban answer of its
own, so ``http418`` is a 403 ``FORBIDDEN`` (unconfirmed).  REST: :class:`GateAnswers`; the
WebSocket order API: :func:`ws_answer`.
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.core_types import now_ms
from engine.sim.fault_answers import garbage_ws
from engine.sim.gateio.errors import body_of
from engine.sim.wire import json_response

__all__ = ["GateAnswers", "ws_answer", "UNKNOWN", "error_frame"]

UNKNOWN = ("SERVER_ERROR", "Internal server error")


def _limit_headers() -> dict[str, str]:
    return {"X-Gate-RateLimit-Requests-Remain": "0", "X-Gate-RateLimit-Limit": "10",
            "X-Gate-RateLimit-Reset-Timestamp": str(now_ms() + 1000)}


class GateAnswers:
    """Fault answers of the Gate.io REST API."""

    @staticmethod
    def unknown() -> tuple[int, dict, dict]:
        return 500, body_of(*UNKNOWN), {}

    @staticmethod
    def internal_error() -> tuple[int, dict, dict]:
        return 500, body_of("INTERNAL", "Internal error"), {}

    @staticmethod
    def refusal(verb: str) -> web.Response:
        if verb == "http429":
            return json_response(429, body_of("TOO_MANY_REQUESTS", "Request Rate limit Exceeded (211)"),
                                 _limit_headers())
        if verb == "http418":
            return json_response(403, body_of("FORBIDDEN", "Forbidden"))
        return json_response(int(verb[4:]), body_of(*UNKNOWN))


def error_frame(base: dict, status: int, label: str, message: str, header: dict | None = None) -> dict:
    """An order API error result: ``header.status`` a string, ``data.errs`` the label."""
    frame = dict(base)
    frame["header"] = {**base["header"], "status": str(status), **(header or {})}
    frame["data"] = {"errs": body_of(label, message)}
    return frame


def ws_answer(fault, base: dict, real: dict | None) -> str | dict:
    """The order API frame a fault sends instead of the result (not ``drop``); ``base`` is the
    result envelope before processing."""
    verb = fault.verb
    if verb == "http429":
        reset = now_ms() + 1000
        return error_frame(base, 429, "TOO_MANY_REQUESTS", "Request Rate limit Exceeded (211)",
                           {"x_gate_ratelimit_requests_remain": 0, "x_gate_ratelimit_limit": 10,
                            "x_gate_ratelimit_reset_timestamp": reset})
    if verb == "http418":
        return error_frame(base, 403, "FORBIDDEN", "Forbidden")
    unknown = error_frame(base, 500, *UNKNOWN)
    if verb in ("http500", "http502", "http503", "unknown"):
        return unknown if verb in ("http500", "unknown") else error_frame(base, int(verb[4:]), *UNKNOWN)
    return garbage_ws(fault.kind, real if real is not None else unknown, "request_id")
