"""MEXC spot answers to typed errors (shared/venues/mexc-spot.md §5, the official error table).

HTTP: 4xx the request's fault, 403 the WAF, 429 a rate limit (Retry-After), 418 an IP ban,
5xx "the execution status is UNKNOWN and could have been a success" (General Info, HTTP
Return Codes).  The body is ``{"code": <int>, "msg": ...}``; a few answers give ``code`` as
a string (``"730708"``).  Only the codes below are typed; any other code leaves an order's
outcome unknown, never taken as a rejection.  No code for a duplicate client order id is
documented, so none is mapped (an order refused for one is resolved by its client id).
"""

from __future__ import annotations

import json

from engine.transport.fast_http import HttpResponse
from engine.transport.ratelimit import RateLimiter
from engine.transport.retry_after import parse_retry_after
from engine.venues import errors as E

__all__ = ["check_response", "error_for", "VENUE"]

VENUE = "mexc"

_BY_CODE: dict[int, type[E.VenueError]] = {
    -2011: E.UnknownOrder,          # "Unknown order sent."
    -2013: E.UnknownOrder,          # "Order does not exist." (also briefly right after a create: see the adapter)
    26: E.OrderRejected,            # operation not allowed
    400: E.AuthenticationError,     # api key required
    401: E.AuthenticationError,     # no authority
    403: E.AuthenticationError,     # access denied
    429: E.RateLimited,             # too many requests
    500: E.OutcomeUnknown,          # internal error
    503: E.OutcomeUnknown,          # service not available
    504: E.OutcomeUnknown,          # gateway time-out
    602: E.AuthenticationError,     # signature verification failed
    10001: E.AuthenticationError,   # user does not exist
    10007: E.InvalidRequest,        # bad symbol, or "symbol not support api" (check selfSymbols)
    10015: E.AuthenticationError,   # user id cannot be null
    10072: E.AuthenticationError,   # invalid access key
    10073: E.TimestampError,        # invalid Request-Time
    10095: E.InvalidRequest,        # amount cannot be null
    10096: E.InvalidRequest,        # amount decimal places too long
    10097: E.InvalidRequest,        # amount is error
    10098: E.OrderRejected,         # risk control abnormal
    10101: E.InsufficientFunds,     # insufficient balance
    10102: E.InvalidRequest,        # amount cannot be zero or negative
    20001: E.InvalidRequest,        # subsystem not supported
    20002: E.OutcomeUnknown,        # internal system error
    22222: E.UnknownOrder,          # record does not exist
    30000: E.OrderRejected,         # trading suspended for the symbol
    30001: E.OrderRejected,         # trade direction not allowed
    30002: E.OrderRejected,         # below the minimum transaction volume
    30003: E.OrderRejected,         # above the maximum transaction volume
    30004: E.InsufficientFunds,     # insufficient position
    30005: E.InsufficientFunds,     # oversold
    30010: E.OrderRejected,         # no valid trade price
    30014: E.InvalidRequest,        # invalid symbol
    30016: E.OrderRejected,         # trading disabled
    30018: E.OrderRejected,         # market order disabled
    30019: E.OrderRejected,         # API market order disabled
    30020: E.OrderRejected,         # no permission for the symbol
    30021: E.InvalidRequest,        # invalid symbol
    30025: E.OrderRejected,         # no opposing order
    30026: E.InvalidRequest,        # invalid order ids
    30027: E.OrderRejected,         # buying suspended (maximum position)
    30028: E.OrderRejected,         # selling suspended (risk control)
    30029: E.OrderRejected,         # over the maximum order limit
    30032: E.OrderRejected,         # over the maximum position
    30041: E.OrderRejected,         # this order type cannot be placed
    30051: E.OrderRejected,         # "api market order is disabled", seen instead of 30019 (hummingbot#6932)
    33333: E.InvalidRequest,        # param error
    44444: E.InvalidRequest,        # param cannot be null
    60005: E.AuthenticationError,   # account abnormal
    70011: E.OrderRejected,         # pair user ban trade apikey
    700001: E.AuthenticationError,  # API-key format invalid
    700002: E.AuthenticationError,  # signature not valid
    700003: E.TimestampError,       # timestamp outside the recvWindow
    700004: E.InvalidRequest,       # origClientOrderId or orderId must be sent
    700005: E.InvalidRequest,       # recvWindow must be less than 60000
    700006: E.AuthenticationError,  # IP not in the whitelist
    700007: E.AuthenticationError,  # no permission for the endpoint
    700008: E.InvalidRequest,       # illegal characters in a parameter
    730708: E.InvalidRequest,       # "listen key information error": a keepalive sent too often
}


def error_for(code: int | None, msg: str, http_status: int | None = None,
              retry_after: float | None = None) -> E.VenueError:
    """The typed error for one MEXC answer."""
    cls: type[E.VenueError]
    if http_status == 418:
        cls = E.IpBanned
    elif http_status == 429:
        cls = E.RateLimited
    elif http_status is not None and http_status >= 500:
        cls = E.OutcomeUnknown          # the execution status is unknown (General Info)
    elif code is not None and code in _BY_CODE:
        cls = _BY_CODE[code]
    elif http_status == 403:
        cls = E.AuthenticationError     # the WAF, or access denied: nothing was done
    elif http_status == 404:
        cls = E.InvalidRequest          # no such endpoint: nothing happened
    else:
        cls = E.VenueError              # an undocumented code: an order's outcome is unknown
    return cls(VENUE, code, msg, http_status=http_status, retry_after=retry_after)


def _code(value) -> int | None:
    """``code`` as an int (a number, or a string of digits as some answers give it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def check_response(resp: HttpResponse, limiter: RateLimiter | None = None) -> None:
    """Raise the typed error unless the answer is a 2xx without an error code; pause or stop the
    limiter on 429 / 418 (Retry-After)."""
    status = resp.status
    retry_after = parse_retry_after(resp.header(b"retry-after"))
    if limiter is not None:
        if status == 429:
            limiter.on_throttled(retry_after)
        elif status == 418:
            limiter.on_banned(retry_after)
    code, msg = None, resp.body[:200].decode("utf-8", "replace")
    try:
        doc = json.loads(resp.body) if resp.body[:1] == b"{" else None
    except ValueError:
        doc = None
    if isinstance(doc, dict) and "code" in doc:
        code = _code(doc.get("code"))
        msg = str(doc.get("msg") or msg)
    if 200 <= status < 300 and (code is None or code in (0, 200)):
        return
    raise error_for(code, msg, status, retry_after)
