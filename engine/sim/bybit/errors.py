"""Bybit errors and the response envelope: business errors come back with HTTP 200 and a
non-zero ``retCode`` (:class:`BybitError`), every answer in ``{"retCode", "retMsg", "result",
"retExtInfo", "time"}`` (:func:`envelope`).
"""

from __future__ import annotations

from engine.sim.core_types import now_ms

__all__ = ["BybitError", "envelope"]


class BybitError(Exception):
    def __init__(self, code: int, msg: str, http: int = 200) -> None:
        super().__init__(code, msg)
        self.code, self.msg, self.http = code, msg, http


def envelope(code: int = 0, msg: str = "OK", result=None) -> dict:
    return {"retCode": code, "retMsg": msg, "result": result if result is not None else {},
            "retExtInfo": {}, "time": now_ms()}
