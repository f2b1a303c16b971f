"""Bybit V5 answers to typed errors: business errors come with HTTP 200 and a retCode (§5)."""

from __future__ import annotations

from engine.transport.fast_http import HttpResponse
from engine.transport.ratelimit import RateLimiter
from engine.transport.retry_after import parse_retry_after
from engine.venues import errors as E

__all__ = ["check_response", "error_for"]

VENUE = "bybit"

_BY_CODE: dict[int, type[E.VenueError]] = {
    10000: E.OutcomeUnknown,        # server timeout
    10001: E.InvalidRequest,
    10002: E.TimestampError,
    10003: E.AuthenticationError,
    10004: E.AuthenticationError,   # error sign
    10005: E.AuthenticationError,
    10006: E.RateLimited,           # too many visits (per UID)
    10007: E.AuthenticationError,
    10008: E.AuthenticationError,   # user banned
    10009: E.AuthenticationError,
    10010: E.AuthenticationError,   # unmatched IP
    10014: E.InvalidRequest,
    10016: E.OutcomeUnknown,        # server error
    10017: E.InvalidRequest,        # route not found
    110001: E.UnknownOrder,
    110004: E.InsufficientFunds,
    110007: E.InsufficientFunds,
    110008: E.OrderNotOpen,         # already completed or cancelled
    110010: E.OrderNotOpen,
    110012: E.InsufficientFunds,
    110072: E.DuplicateClientOrderId,
    110079: E.OutcomeUnknown,       # "order is processing, retry later": it may exist
    110003: E.OrderRejected,        # price outside the allowable range
    110009: E.OrderRejected,        # too many conditional orders
    110017: E.InvalidRequest,       # qty truncated to zero
    110020: E.OrderRejected,        # more than 500 active orders
    110092: E.OrderRejected,        # triggerPrice on the wrong side for triggerDirection
    110093: E.OrderRejected,
    110094: E.OrderRejected,        # notional below the lower limit
    170132: E.OrderRejected,        # price too high
    170133: E.OrderRejected,        # price below the minimum
    170136: E.OrderRejected,        # qty below the minimum
    170140: E.OrderRejected,        # order value below the lower limit
    170210: E.OrderRejected,        # new order rejected
    170217: E.OrderRejected,        # only LIMIT-MAKER allowed
    170001: E.OutcomeUnknown,       # spot internal error
    170007: E.OutcomeUnknown,       # spot backend timeout
    170005: E.RateLimited,
    170121: E.InvalidRequest,
    170130: E.InvalidRequest,
    170131: E.InsufficientFunds,
    170134: E.InvalidRequest,
    170137: E.InvalidRequest,
    170139: E.OrderNotOpen,
    170141: E.DuplicateClientOrderId,
    170142: E.OrderNotOpen,
    170190: E.OrderNotOpen,
    170213: E.UnknownOrder,
    170218: E.PostOnlyWouldTake,
}


def error_for(code: int, msg: str, http_status: int | None = 200) -> E.VenueError:
    # only the codes documented in shared/venues/bybit-v5.md §5 are typed; any other code leaves an
    # order's outcome unknown (never taken as a rejection)
    cls = _BY_CODE.get(code, E.VenueError)
    return cls(VENUE, code, msg, http_status=http_status)


def check_response(resp: HttpResponse, limiter: RateLimiter | None = None, endpoint: str | None = None) -> dict:
    """Raise the typed error for a failed answer; return the decoded envelope on success.

    Feeds ``X-Bapi-Limit`` / ``X-Bapi-Limit-Status`` for ``endpoint`` to the limiter.
    """
    if limiter is not None and endpoint is not None:
        limit, remaining = resp.header(b"x-bapi-limit"), resp.header(b"x-bapi-limit-status")
        if limit and remaining:
            try:
                limiter.observe_endpoint(endpoint, int(limit), int(remaining))
            except ValueError:
                pass
    status = resp.status
    if status == 403:
        # "access too frequent": at least 10 minutes, longer when Retry-After says so
        ban = max(600.0, parse_retry_after(resp.header(b"retry-after")) or 0.0)
        if limiter is not None:
            limiter.on_banned(ban)
        raise E.IpBanned(VENUE, 403, "HTTP 403: IP rate limit breached (access too frequent)",
                         http_status=403, retry_after=ban)
    if status == 429:
        pause = parse_retry_after(resp.header(b"retry-after"))
        if limiter is not None:
            limiter.on_throttled(1.0 if pause is None else pause)
        raise E.RateLimited(VENUE, 429, "HTTP 429: system-level frequency protection", http_status=429,
                            retry_after=pause)
    if status == 401:
        raise E.AuthenticationError(VENUE, 401, "HTTP 401: invalid API key or missing auth headers",
                                    http_status=401)
    if status >= 500:
        raise E.OutcomeUnknown(VENUE, status, f"HTTP {status} from the venue", http_status=status)
    try:
        doc = resp.json()
    except ValueError:
        raise E.VenueError(VENUE, None, f"HTTP {status}: answer is not JSON", http_status=status) from None
    if not isinstance(doc, dict) or "retCode" not in doc:
        raise E.VenueError(VENUE, None, f"HTTP {status}: answer has no retCode", http_status=status)
    code = doc["retCode"]
    if code == 0 and status == 200:
        return doc
    if code == 10006 and limiter is not None:
        reset = resp.header(b"x-bapi-limit-reset-timestamp")
        try:
            pause = max(0.0, int(reset) / 1000.0 - _now()) if reset is not None else None
        except ValueError:
            pause = None            # a garbled header: the limiter's default pause
        limiter.on_throttled(pause)
    try:
        code = int(code)
    except (TypeError, ValueError):
        raise E.VenueError(VENUE, None, f"HTTP {status}: retCode {code!r} is not a number",
                           http_status=status) from None
    raise error_for(code, str(doc.get("retMsg", "")), status)


def _now() -> float:
    import time
    return time.time()
