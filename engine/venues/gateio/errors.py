"""Gate.io APIv4 answers to typed errors: a non-2xx HTTP status with ``{"label","message"}`` (§5).

Only the label counts (the message is for people).  Every label of the sheet's table is
mapped; a label the sheet does not list, and every server-group label, leaves an order's
outcome unknown (never taken as a rejection).  The WebSocket order API carries the same
labels in ``data.errs`` with the HTTP status as a string in ``header.status`` (§8).
"""

from __future__ import annotations

import json
import time

from engine.transport.fast_http import HttpResponse
from engine.transport.ratelimit import RateLimiter
from engine.transport.retry_after import parse_retry_after
from engine.venues import errors as E

__all__ = ["VENUE", "LABELS", "error_for", "check_response", "reset_pause", "observe_limits", "LIMIT_HEADER",
           "REMAIN_HEADER"]

VENUE = "gateio"

# gateio-spot.md §5, group by group.  Refusals the venue documents ("not executed" classes) and the
# labels whose outcome is unclear (VenueError, OutcomeUnknown, DuplicateClientOrderId).
LABELS: dict[str, type[E.VenueError]] = {
    # request
    "INVALID_PARAM_VALUE": E.InvalidRequest, "INVALID_PROTOCOL": E.InvalidRequest,
    "INVALID_ARGUMENT": E.InvalidRequest, "INVALID_REQUEST_BODY": E.InvalidRequest,
    "MISSING_REQUIRED_PARAM": E.InvalidRequest, "BAD_REQUEST": E.InvalidRequest,
    "INVALID_CONTENT_TYPE": E.InvalidRequest, "NOT_ACCEPTABLE": E.InvalidRequest,
    "METHOD_NOT_ALLOWED": E.InvalidRequest, "NOT_FOUND": E.InvalidRequest,
    # authentication
    "INVALID_CREDENTIALS": E.AuthenticationError, "INVALID_KEY": E.AuthenticationError,
    "IP_FORBIDDEN": E.AuthenticationError, "READ_ONLY": E.AuthenticationError,
    "INVALID_SIGNATURE": E.AuthenticationError, "MISSING_REQUIRED_HEADER": E.AuthenticationError,
    "REQUEST_EXPIRED": E.TimestampError, "ACCOUNT_LOCKED": E.AuthenticationError,
    "FORBIDDEN": E.AuthenticationError,
    # wallet (refusals of wallet operations; the order paths never expect them)
    "SUB_ACCOUNT_NOT_FOUND": E.InvalidRequest, "SUB_ACCOUNT_LOCKED": E.OrderRejected,
    "MARGIN_BALANCE_EXCEPTION": E.InsufficientFunds, "MARGIN_TRANSFER_FAILED": E.OrderRejected,
    "TOO_MUCH_FUTURES_AVAILABLE": E.OrderRejected, "FUTURES_BALANCE_NOT_ENOUGH": E.InsufficientFunds,
    "ACCOUNT_EXCEPTION": E.OrderRejected, "SUB_ACCOUNT_TRANSFER_FAILED": E.OrderRejected,
    "ADDRESS_NOT_USED": E.OrderRejected, "TOO_FAST": E.RateLimited, "WITHDRAWAL_OVER_LIMIT": E.OrderRejected,
    "API_WITHDRAW_DISABLED": E.OrderRejected, "INVALID_WITHDRAW_ID": E.InvalidRequest,
    "INVALID_WITHDRAW_CANCEL_STATUS": E.OrderNotOpen,
    "DUPLICATE_REQUEST": E.DuplicateClientOrderId, "ORDER_EXISTS": E.DuplicateClientOrderId,
    "INVALID_CLIENT_ORDER_ID": E.InvalidRequest,
    # spot
    "INVALID_PRECISION": E.InvalidRequest, "INVALID_CURRENCY": E.InvalidRequest,
    "INVALID_CURRENCY_PAIR": E.InvalidRequest, "POC_FILL_IMMEDIATELY": E.PostOnlyWouldTake,
    "ORDER_NOT_FOUND": E.UnknownOrder, "CLIENT_ID_NOT_FOUND": E.UnknownOrder,
    "ORDER_CLOSED": E.OrderNotOpen, "ORDER_CANCELLED": E.OrderNotOpen,
    "QUANTITY_NOT_ENOUGH": E.OrderRejected, "BALANCE_NOT_ENOUGH": E.InsufficientFunds,
    "MARGIN_NOT_SUPPORTED": E.InvalidRequest, "MARGIN_BALANCE_NOT_ENOUGH": E.InsufficientFunds,
    "AMOUNT_TOO_LITTLE": E.OrderRejected, "AMOUNT_TOO_MUCH": E.OrderRejected,
    # "repeated creation": the venue says it has this request already: whose order, it must be asked
    "REPEATED_CREATION": E.DuplicateClientOrderId,
    "TOO_MANY_CURRENCY_PAIRS": E.InvalidRequest, "TOO_MANY_ORDERS": E.OrderRejected,
    "MIXED_ACCOUNT_TYPE": E.InvalidRequest, "AUTO_BORROW_TOO_MUCH": E.OrderRejected,
    "TRADE_RESTRICTED": E.OrderRejected, "FOK_NOT_FILL": E.OrderRejected,
    "INITIAL_MARGIN_TOO_LOW": E.InsufficientFunds, "ORDER_BOOK_NOT_FOUND": E.OrderRejected,
    "FAILED_RETRIEVE_ASSETS": E.VenueError,    # the sheet does not say whether anything happened
    "CANCEL_FAIL": E.VenueError,
    "NO_CHANGE": E.InvalidRequest,
    # server: the request may have been acted on
    "INTERNAL": E.OutcomeUnknown, "SERVER_ERROR": E.OutcomeUnknown, "TOO_BUSY": E.OutcomeUnknown,
    # rate limit (HTTP 429; the order API's "Request Rate limit Exceeded (211)")
    "TOO_MANY_REQUESTS": E.RateLimited,
}

_REMAIN = REMAIN_HEADER = b"x-gate-ratelimit-requests-remain"
_LIMIT = LIMIT_HEADER = b"x-gate-ratelimit-limit"
_RESET = b"x-gate-ratelimit-reset-timestamp"


def error_for(label: str | None, message: str, http_status: int | None,
              retry_after: float | None = None) -> E.VenueError:
    """The typed error of one refusal (REST, or the order API's ``data.errs``).

    Without a label the HTTP status decides: 5xx and unknown statuses leave the outcome
    unknown, 401 is an authentication failure, 429 a rate-limit refusal.
    """
    if label:
        cls = LABELS.get(label, E.VenueError)
    elif http_status is not None and http_status >= 500:
        cls = E.OutcomeUnknown
    elif http_status == 401:
        cls = E.AuthenticationError
    elif http_status == 429:
        cls = E.RateLimited
    else:
        cls = E.VenueError
    text = message or label or f"HTTP {http_status}"
    return cls(VENUE, label, text, http_status=http_status, retry_after=retry_after)


def reset_pause(value: str | int | None) -> float | None:
    """Seconds until ``X-Gate-RateLimit-Reset-Timestamp`` (documented in ms, seen in s: both read)."""
    if value is None:
        return None
    try:
        stamp = float(value)
    except (TypeError, ValueError):
        return None
    if stamp > 1e11:
        stamp /= 1000.0
    return max(0.0, stamp - time.time())


def observe_limits(resp: HttpResponse, limiter: RateLimiter | None, endpoint: str | None) -> None:
    """Feed the endpoint's ``X-Gate-RateLimit-Limit`` / ``-Requests-Remain`` to the limiter."""
    if limiter is None or endpoint is None:
        return
    counts = resp.counts(_LIMIT, _REMAIN)
    if counts is not None:          # None: missing or garbled, our own count stands
        limiter.observe_endpoint(endpoint, *counts)


def check_response(resp: HttpResponse, limiter: RateLimiter | None = None, endpoint: str | None = None) -> None:
    """Raise the typed error for a refused answer (non-2xx); feed the rate-limit headers to the limiter."""
    observe_limits(resp, limiter, endpoint)
    status = resp.status
    if 200 <= status < 300:
        return
    label, message = None, ""
    try:
        doc = json.loads(resp.body)
        if isinstance(doc, dict):
            raw = doc.get("label")
            label = raw if isinstance(raw, str) and raw else None
            message = str(doc.get("message") or doc.get("detail") or "")
    except ValueError:
        message = resp.body[:200].decode("utf-8", "replace")
    pause = None
    if status == 429 or label == "TOO_MANY_REQUESTS":
        pause = reset_pause(resp.header(_RESET))
        if pause is None:
            pause = parse_retry_after(resp.header(b"retry-after"))
        if limiter is not None:
            limiter.on_throttled(pause)
    raise error_for(label, message, status, pause)
