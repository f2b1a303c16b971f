"""TopstepX answers to typed errors: HTTP status first, then ``success`` / ``errorCode``, mapped per endpoint.

Wire facts (shared/venues/topstepx-projectx.md §5): 401 is a missing or expired token, 429
the rate limit, 400 a malformed body (ProblemDetails), 5xx an unknown outcome; business
failures are HTTP 200 with ``success: false`` and an ``errorCode`` whose meaning depends
on the endpoint (2 is OrderRejected on place, OrderNotFound on modify and cancel).

Only codes the venue documents as "not acted on" reject an order; Order/place's
UnknownError (7) and OrderPending (6), an unknown code, or a code on an endpoint whose
table lacks it leave the outcome unknown.
"""

from __future__ import annotations

from engine.transport.fast_http import HttpResponse
from engine.transport.ratelimit import RateLimiter
from engine.transport.retry_after import parse_retry_after
from engine.venues import errors as E

__all__ = ["VENUE", "check_response", "error_for", "TagInUse", "AutoOcoRequired", "BRACKET_MODE_MESSAGE"]

VENUE = "topstepx"
BRACKET_MODE_MESSAGE = "Brackets cannot be used with Position Brackets"


class TagInUse(E.DuplicateClientOrderId):
    """The customTag was used before on this account (by an order that may exist, or a rejected one)."""


class AutoOcoRequired(E.OrderRejected):
    """Brackets in ticks need the account in Auto OCO Brackets mode (TopstepX Settings > Risk Settings)."""


# endpoint -> errorCode -> type (§5); 0 is success everywhere
_PLACE = {1: E.InvalidRequest, 2: E.OrderRejected, 3: E.InsufficientFunds, 4: E.OrderRejected,
          5: E.OrderRejected, 6: E.OutcomeUnknown, 7: E.OutcomeUnknown, 8: E.InvalidRequest,
          9: E.OrderRejected, 10: E.OrderRejected}
_MODIFY = {1: E.InvalidRequest, 2: E.UnknownOrder, 3: E.OrderRejected, 4: E.OutcomeUnknown,
           5: E.OutcomeUnknown, 6: E.OrderRejected, 7: E.InvalidRequest}
_CANCEL = {1: E.InvalidRequest, 2: E.UnknownOrder, 3: E.OrderRejected, 4: E.OutcomeUnknown,
           5: E.OutcomeUnknown, 6: E.OrderRejected}
_CLOSE = {1: E.InvalidRequest, 2: E.UnknownOrder, 3: E.InvalidRequest, 4: E.OrderRejected, 5: E.OrderRejected,
          6: E.OutcomeUnknown, 7: E.OutcomeUnknown, 8: E.OrderRejected}
_PARTIAL = {1: E.InvalidRequest, 2: E.UnknownOrder, 3: E.InvalidRequest, 4: E.OrderRejected,
            5: E.InvalidRequest, 6: E.OrderRejected, 7: E.OutcomeUnknown, 8: E.OutcomeUnknown, 9: E.OrderRejected}
_SEARCH = {1: E.InvalidRequest}
_BY_ID = {1: E.UnknownOrder}
_BARS = {1: E.InvalidRequest, 2: E.InvalidRequest, 3: E.InvalidRequest, 4: E.InvalidRequest}
_LOGIN = {c: E.AuthenticationError for c in range(1, 11)}
_VALIDATE = {c: E.AuthenticationError for c in range(1, 5)}

_TABLES = {
    "/api/Order/place": _PLACE, "/api/Order/modify": _MODIFY, "/api/Order/cancel": _CANCEL,
    "/api/Position/closeContract": _CLOSE, "/api/Position/partialCloseContract": _PARTIAL,
    "/api/Order/search": _SEARCH, "/api/Order/searchOpen": _SEARCH, "/api/Order/v2/query": _SEARCH,
    "/api/Position/searchOpen": _SEARCH, "/api/Trade/search": _SEARCH, "/api/Order/searchById": _BY_ID,
    "/api/Contract/searchById": {1: E.InvalidRequest}, "/api/History/retrieveBars": _BARS,
    "/api/Auth/loginKey": _LOGIN, "/api/Auth/validate": _VALIDATE, "/api/Auth/logout": _VALIDATE,
}
# the names of the codes, for messages (swagger enums)
_NAMES = {
    "/api/Order/place": {1: "AccountNotFound", 2: "OrderRejected", 3: "InsufficientFunds", 4: "AccountViolation",
                         5: "OutsideTradingHours", 6: "OrderPending", 7: "UnknownError", 8: "ContractNotFound",
                         9: "ContractNotActive", 10: "AccountRejected"},
    "/api/Order/modify": {1: "AccountNotFound", 2: "OrderNotFound", 3: "Rejected", 4: "Pending", 5: "UnknownError",
                          6: "AccountRejected", 7: "ContractNotFound"},
    "/api/Order/cancel": {1: "AccountNotFound", 2: "OrderNotFound", 3: "Rejected", 4: "Pending", 5: "UnknownError",
                          6: "AccountRejected"},
    "/api/Auth/loginKey": {1: "UserNotFound", 2: "PasswordVerificationFailed", 3: "InvalidCredentials",
                           4: "AppNotFound", 5: "AppVerificationFailed", 6: "InvalidDevice", 7: "AgreementsNotSigned",
                           8: "UnknownError", 9: "ApiSubscriptionNotFound", 10: "ApiKeyAuthenticationDisabled"},
    "/api/Auth/validate": {1: "InvalidSession", 2: "SessionNotFound", 3: "ExpiredToken", 4: "UnknownError"},
}


def error_for(endpoint: str, code: int, message: str | None, http_status: int | None = 200) -> E.VenueError:
    """The typed error of ``errorCode`` on ``endpoint`` (an unknown code: a plain VenueError, outcome unknown)."""
    text = message or ""
    name = _NAMES.get(endpoint, {}).get(code)
    detail = f"{endpoint}: errorCode {code}" + (f" {name}" if name else "") + (f": {text}" if text else "")
    if endpoint == "/api/Order/place" and code == 2:
        low = text.lower()
        if "custom tag" in low or "customtag" in low:
            return TagInUse(VENUE, code, detail, http_status=http_status)
        if BRACKET_MODE_MESSAGE.lower() in low:
            return AutoOcoRequired(VENUE, code, detail + " (enable Auto OCO Brackets in the TopstepX risk settings)",
                                   http_status=http_status)
    cls = _TABLES.get(endpoint, {}).get(code, E.VenueError)
    err = cls(VENUE, code, detail, http_status=http_status)
    if endpoint in ("/api/Auth/loginKey", "/api/Auth/validate"):
        err.fatal = True
    return err


def check_response(resp: HttpResponse, endpoint: str, limiter: RateLimiter | None = None) -> dict:
    """Raise the typed error for a failed answer; return the decoded envelope on success (cold path)."""
    status = resp.status
    if status == 429:
        pause = parse_retry_after(resp.header(b"retry-after"))
        if limiter is not None:
            limiter.on_throttled(1.0 if pause is None else pause)
        raise E.RateLimited(VENUE, 429, f"{endpoint}: HTTP 429 Too Many Requests", http_status=429, retry_after=pause)
    if status == 401:
        raise E.AuthenticationError(VENUE, 401, f"{endpoint}: HTTP 401 (token missing or expired)", http_status=401)
    if status >= 500:
        raise E.OutcomeUnknown(VENUE, status, f"{endpoint}: HTTP {status} from the venue", http_status=status)
    if status == 400:
        raise E.InvalidRequest(VENUE, 400, f"{endpoint}: HTTP 400 (malformed request)", http_status=400)
    try:
        doc = resp.json()
    except ValueError:
        raise E.VenueError(VENUE, None, f"{endpoint}: HTTP {status}: answer is not JSON", http_status=status) from None
    if status != 200 or not isinstance(doc, dict) or "success" not in doc:
        raise E.VenueError(VENUE, None, f"{endpoint}: HTTP {status}: answer without success", http_status=status)
    if doc.get("success") is True:
        return doc
    code = doc.get("errorCode")
    if not isinstance(code, int) or isinstance(code, bool):
        raise E.VenueError(VENUE, None, f"{endpoint}: success false with errorCode {code!r}", http_status=status)
    raise error_for(endpoint, code, doc.get("errorMessage"), status)
