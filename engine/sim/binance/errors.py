"""Binance errors: :class:`BinanceError` (a refusal in the venue's words: code, message, HTTP
status, headers), the mandatory-parameter error and the rate-limit texts.
"""

from __future__ import annotations

__all__ = ["BinanceError", "mandatory", "LEGAL_NUMBER", "TOO_MUCH_WEIGHT", "BAN_MSG"]

LEGAL_NUMBER = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
TOO_MUCH_WEIGHT = ("Too much request weight used; current limit is {limit} request weight per 1 MINUTE. "
                   "Please use WebSocket Streams for live updates to avoid polling the API.")
BAN_MSG = "Way too much request weight used; IP banned until {until}. Please use WebSocket Streams for live updates to avoid bans."


class BinanceError(Exception):
    def __init__(self, code: int, msg: str, http: int = 400, headers: dict | None = None, data=None) -> None:
        super().__init__(code, msg)
        self.code = code
        self.msg = msg
        self.http = http
        self.headers = headers or {}
        self.data = data

    def body(self) -> dict:
        out = {"code": self.code, "msg": self.msg}
        if self.data is not None:
            out["data"] = self.data
        return out


def mandatory(name: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")
