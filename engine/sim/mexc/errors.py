"""MEXC refusals in the venue's words (mexc-spot.md §5): :class:`MexcError` (code, message, HTTP
status, headers) and the texts the personality answers with.
"""

from __future__ import annotations

__all__ = ["MexcError", "UNKNOWN_ORDER", "NO_ORDER", "SIGNATURE", "TIMESTAMP", "RECV_WINDOW", "mandatory",
           "illegal", "bad_symbol", "TOO_MANY", "BANNED", "INTERNAL", "INVALID_KEY_TEXT"]

INVALID_KEY_TEXT = "Invalid listen key"           # §7: the plain-text frame for an expired or unknown key


class MexcError(Exception):
    def __init__(self, code: int | str, msg: str, http: int = 400, headers: dict | None = None) -> None:
        super().__init__(code, msg)
        self.code = code
        self.msg = msg
        self.http = http
        self.headers = headers or {}

    def body(self) -> dict:
        return {"code": self.code, "msg": self.msg}


def UNKNOWN_ORDER() -> MexcError:
    return MexcError(-2011, "Unknown order sent.")


def NO_ORDER() -> MexcError:
    return MexcError(-2013, "Order does not exist.")


def SIGNATURE() -> MexcError:
    return MexcError(700002, "Signature for this request is not valid.")


def TIMESTAMP() -> MexcError:
    return MexcError(700003, "Timestamp for this request is outside of the recvWindow.")


def RECV_WINDOW() -> MexcError:
    return MexcError(700005, "recvWindow must less than 60000")


def mandatory(name: str) -> MexcError:
    return MexcError(44444, f"param cannot be null: {name}")


def illegal(name: str) -> MexcError:
    return MexcError(700008, f"Illegal characters found in parameter '{name}'")


def bad_symbol() -> MexcError:
    return MexcError(10007, "bad symbol")


def TOO_MANY(retry: int) -> MexcError:
    return MexcError(429, "Too Many Requests", http=429, headers={"Retry-After": str(retry)})


def BANNED(retry: int) -> MexcError:
    # §6: continuing over the limit gets the IP banned (418, Retry-After); the body text is unconfirmed
    return MexcError(418, "IP banned: too many requests", http=418, headers={"Retry-After": str(retry)})


INTERNAL = {"code": 500, "msg": "Internal error"}
