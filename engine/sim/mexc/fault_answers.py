"""What a fault answers in MEXC's words (mexc-spot.md §5-6): a 5xx means the execution status is
unknown (the body ``{"code":500,...}``, ``503``, ``504`` of the error table), 429 and 418 carry
``Retry-After``.  The answers object of :mod:`engine.sim.fault_answers`.
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.mexc.errors import INTERNAL
from engine.sim.wire import json_response

__all__ = ["MexcAnswers"]

_BODIES = {500: INTERNAL, 502: {"code": 500, "msg": "Internal error"},
           503: {"code": 503, "msg": "service not available"}}


class MexcAnswers:
    def __init__(self, limiter) -> None:
        self.limiter = limiter

    def unknown(self) -> tuple[int, dict, dict]:
        return 504, {"code": 504, "msg": "Gateway Time-out"}, {}

    def internal_error(self) -> tuple[int, dict, dict]:
        return 500, dict(INTERNAL), {}

    def refusal(self, verb: str) -> web.Response:
        if verb == "http429":
            return json_response(429, {"code": 429, "msg": "Too Many Requests"}, {"Retry-After": "10"})
        if verb == "http418":
            return json_response(418, {"code": 418, "msg": "IP banned: too many requests"},
                                 {"Retry-After": str(self.limiter.ban_seconds)})
        status = int(verb[4:])
        return json_response(status, _BODIES.get(status, INTERNAL))
