"""What a fault answers in Binance's words (binance-spot.md and binance-usdm-futures.md,
sections 5 and 8): the unknown-outcome answers, 5xx bodies, the 429/418 refusals with
``Retry-After``, on REST (:class:`BinanceAnswers`, the answers object of
:mod:`engine.sim.fault_answers`) and on the spot WebSocket API (:func:`ws_answer`).
"""

from __future__ import annotations

from aiohttp import web

from engine.sim.binance.errors import BAN_MSG, TOO_MUCH_WEIGHT
from engine.sim.core_types import now_ms
from engine.sim.fault_answers import garbage_ws
from engine.sim.wire import json_response

__all__ = ["BinanceAnswers", "ws_answer", "SPOT_UNKNOWN", "USDM_UNKNOWN"]

SPOT_UNKNOWN = {"code": -1007, "msg": "Timeout waiting for response from backend server. "
                                      "Send status unknown; execution status unknown."}
# binance-usdm-futures.md §5: the 503 whose text says "execution UNKNOWN"; the sheet gives no code
# for it, -1000 is the venue's UNKNOWN.
USDM_UNKNOWN = {"code": -1000, "msg": "Unknown error, please check your request or try again later."}
BINANCE_5XX = {"code": -1001, "msg": "Internal error; unable to process your request. Please try again."}
INTERNAL = {"code": -1000, "msg": "An unknown error occurred while processing the request."}


class BinanceAnswers:
    """Fault answers of one Binance REST API (``product``: ``spot`` or ``usdm``), whose weight
    limit the 429 text names."""

    def __init__(self, limiter, product: str) -> None:
        self.limiter = limiter
        self.product = product

    def unknown(self) -> tuple[int, dict, dict]:
        return 503, dict(SPOT_UNKNOWN if self.product == "spot" else USDM_UNKNOWN), {}

    def internal_error(self) -> tuple[int, dict, dict]:
        return 500, dict(INTERNAL), {}

    def refusal(self, verb: str) -> web.Response:
        if verb == "http429":
            return json_response(429, {"code": -1003, "msg": TOO_MUCH_WEIGHT.format(limit=self.limiter.weight_limit)},
                                 {"Retry-After": "60"})
        if verb == "http418":
            return json_response(418, {"code": -1003, "msg": BAN_MSG.format(until=now_ms() + 120000)},
                                 {"Retry-After": "120"})
        if verb == "http503":
            return json_response(503, SPOT_UNKNOWN)
        return json_response(int(verb[4:]), BINANCE_5XX)


def ws_answer(limiter, fault, rid, real: dict | None) -> str | dict:
    """The WebSocket API frame a fault sends instead of the real answer (not ``drop``)."""
    verb = fault.verb
    if verb in ("http500", "http502", "http503"):
        return {"id": rid, "status": 500, "error": dict(BINANCE_5XX)}
    if verb in ("http429", "http418"):
        status = 418 if verb == "http418" else 429
        until = now_ms() + 120000
        msg = BAN_MSG.format(until=until) if status == 418 else TOO_MUCH_WEIGHT.format(limit=limiter.weight_limit)
        return {"id": rid, "status": status, "error": {"code": -1003, "msg": msg,
                                                       "data": {"serverTime": now_ms(), "retryAfter": until}}}
    unknown = {"id": rid, "status": 503, "error": dict(SPOT_UNKNOWN)}
    if verb == "unknown":
        return unknown
    return garbage_ws(fault.kind, real if real is not None else unknown, "id")
