"""What a fault answers in Bybit's words (bybit-v5.md, sections 5 and 8): retCode 10016
"Internal server error." for the unknown outcome and 5xx, retCode 10006 for the rate limit,
HTTP 403 "access too frequent" for the IP ban, on REST (:class:`BybitAnswers`, the answers
object of :mod:`engine.sim.fault_answers`) and on the trade socket (:func:`ws_answer`).
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.bybit.errors import envelope
from engine.sim.core_types import now_ms
from engine.sim.fault_answers import garbage_ws
from engine.sim.wire import json_response

__all__ = ["BybitAnswers", "ws_answer", "BYBIT_UNKNOWN"]

BYBIT_UNKNOWN = (10016, "Internal server error.")    # bybit-v5.md §5 and §8: server error / restarting


class BybitAnswers:
    """Fault answers of the Bybit V5 REST API."""

    @staticmethod
    def unknown() -> tuple[int, dict, dict]:
        return 200, envelope(*BYBIT_UNKNOWN), {}

    @staticmethod
    def internal_error() -> tuple[int, dict, dict]:
        return 200, envelope(*BYBIT_UNKNOWN), {}

    @staticmethod
    def refusal(verb: str) -> web.Response:
        if verb == "http429":
            return json_response(200, envelope(10006, "Too many visits!"),
                                 {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "0",
                                  "X-Bapi-Limit-Reset-Timestamp": str(now_ms() + 1000)})
        if verb == "http418":
            return web.Response(status=403, text="access too frequent")
        return json_response(int(verb[4:]), envelope(*BYBIT_UNKNOWN))


def ws_answer(fault, base: dict, real: dict | None) -> str | dict:
    """The trade-socket frame a fault sends instead of the real answer (not ``drop``); ``base``
    is the op's answer envelope before processing."""
    verb = fault.verb
    if verb in ("http429", "http418"):
        return {**base, "retCode": 10006, "retMsg": "Too many visits!"}
    unknown = {**base, "retCode": BYBIT_UNKNOWN[0], "retMsg": BYBIT_UNKNOWN[1]}
    if verb in ("http500", "http502", "http503", "unknown"):
        return unknown
    return garbage_ws(fault.kind, real if real is not None else unknown, "reqId")
