"""Binance answers to typed errors (spot and USD-M share codes; see shared/venues/binance-*.md §5)."""

from __future__ import annotations

import json

from engine.transport.fast_http import HttpResponse
from engine.transport.ratelimit import RateLimiter
from engine.transport.retry_after import parse_retry_after
from engine.venues import errors as E

__all__ = ["check_response", "error_for", "USAGE_HEADERS"]

# Usage headers -> limiter window names.
USAGE_HEADERS = {
    b"x-mbx-used-weight-1m": "weight-1m",
    b"x-mbx-order-count-10s": "orders-10s",
    b"x-mbx-order-count-1m": "orders-1m",
    b"x-mbx-order-count-1d": "orders-1d",
}

_BY_CODE: dict[int, type[E.VenueError]] = {
    -1000: E.OutcomeUnknown,        # UNKNOWN error while processing
    -1001: E.VenueUnavailable,      # DISCONNECTED: internal error, retry
    -1002: E.AuthenticationError,
    -1003: E.RateLimited,
    -1006: E.OutcomeUnknown,        # unexpected response: execution status unknown
    -1007: E.OutcomeUnknown,        # timeout waiting for the backend: status unknown
    -1008: E.VenueUnavailable,      # server busy / throttled by system protection
    -1013: E.OrderRejected,         # filter failure
    -1014: E.OrderRejected,
    -1015: E.RateLimited,           # too many new orders
    -1016: E.VenueUnavailable,
    -1020: E.InvalidRequest,
    -1021: E.TimestampError,
    -1022: E.AuthenticationError,
    -1125: E.InvalidRequest,        # listen key does not exist
    -2011: E.UnknownOrder,          # cancel rejected: "Unknown order sent."
    -2013: E.UnknownOrder,          # order does not exist
    -2014: E.AuthenticationError,
    -2015: E.AuthenticationError,
    -2018: E.InsufficientFunds,
    -2019: E.InsufficientFunds,
    -2026: E.UnknownOrder,          # archived
    -4116: E.DuplicateClientOrderId,
    -5022: E.PostOnlyWouldTake,
    -5028: E.TimestampError,        # outside the matching engine's recvWindow: not executed
}

# Order refusals the sheets document (shared/venues/binance-spot.md and binance-usdm-futures.md §5),
# beyond the codes mapped one by one above.  Only these (and the typed classes) reject an order.
_DOCUMENTED_REJECTIONS = frozenset({
    -2012, -2020, -2021, -2022, -2023, -2024, -2025, -2027, -2038, -2039,
    -4003, -4004, -4005, -4013, -4014, -4015, -4016, -4023, -4024, -4045, -4061, -4062, -4118, -4120,
    -4131, -4135, -4137, -4138, -4142, -4164,
    -5021, -5024, -5025, -5026, -5027, -5029, -5037, -5038, -5039, -5040, -5041, -5043,
})

_REJECT_2010 = (
    ("Duplicate order sent", E.DuplicateClientOrderId),
    ("insufficient balance", E.InsufficientFunds),
    ("would immediately match and take", E.PostOnlyWouldTake),
)


def _retry_after(resp: HttpResponse) -> float | None:
    return parse_retry_after(resp.header(b"retry-after"))


CANCEL_REPLACE_FAILED = (-2021, -2022)     # cancelReplace partly / wholly failed (each leg's answer in its data)


def error_for(venue: str, http_status: int | None, code: int | None, msg: str,
              retry_after: float | None = None) -> E.VenueError:
    """The typed error for one Binance answer (REST, or the WS API's ``error`` object)."""
    cls: type[E.VenueError]
    if http_status == 418:
        cls = E.IpBanned
    elif http_status == 429:
        cls = E.RateLimited
    elif http_status == 404:
        cls = E.InvalidRequest  # no such endpoint: nothing happened
    elif http_status is not None and http_status >= 500:
        # Spot: every 5xx leaves the execution status unknown (§5).  USD-M tells by the
        # message: "Service Unavailable." / "Internal error; ..." / -1008 failed for
        # certain; anything else ("Unknown error, please check...") may have executed.
        certain = venue == "binance-usdm" and (
            msg.startswith("Service Unavailable") or msg.startswith("Internal error") or code == -1008)
        cls = E.VenueUnavailable if certain else E.OutcomeUnknown
    elif code == -2010:
        cls = next((c for text, c in _REJECT_2010 if text.lower() in msg.lower()), E.OrderRejected)
    elif code == -2011 and "unknown order" not in msg.lower():
        cls = E.OrderRejected  # cancel restrictions
    elif code in _BY_CODE:
        cls = _BY_CODE[code]
    elif code is not None and -1199 <= code <= -1100:
        cls = E.InvalidRequest          # the documented "11xx: request issues" family
    elif venue == "binance-spot" and code in CANCEL_REPLACE_FAILED:
        cls = E.VenueError              # cancelReplace partly or wholly failed: the caller reads both legs
    elif code in _DOCUMENTED_REJECTIONS:
        cls = E.OrderRejected
    else:
        cls = E.VenueError              # an undocumented code: the order's outcome is unknown
    return cls(venue, code, msg, http_status=http_status, retry_after=retry_after)


def check_response(venue: str, resp: HttpResponse, limiter: RateLimiter | None = None) -> None:
    """Feed usage headers to the limiter; raise the typed error unless the answer is 2xx."""
    if limiter is not None:
        for name, value in resp.headers:
            window = USAGE_HEADERS.get(name)
            if window is not None:
                try:
                    limiter.observe_usage(window, int(value))
                except ValueError:
                    pass
    status = resp.status
    if 200 <= status < 300:
        return
    retry_after = _retry_after(resp)
    if limiter is not None:
        if status == 429:
            limiter.on_throttled(retry_after)
        elif status == 418:
            limiter.on_banned(retry_after)
    code, msg, doc = None, resp.body[:200].decode("utf-8", "replace"), None
    try:
        doc = json.loads(resp.body)
        if isinstance(doc, dict):
            code, msg = doc.get("code"), str(doc.get("msg", msg))
    except ValueError:
        pass
    err = error_for(venue, status, code if isinstance(code, int) else None, msg, retry_after)
    err.data = doc.get("data") if isinstance(doc, dict) else None   # cancelReplace: both legs' answers
    raise err


def leg_answers(exc: E.VenueError) -> tuple[bytes, ...]:
    """A partly or wholly failed cancelReplace (-2021 / -2022): each leg's own answer that is an order's (not
    an error), as JSON bytes for the order parser, set on ``exc.answers`` and returned; the new order's own
    error, when its leg is one, typed in ``exc.new_order_error`` (else None)."""
    data = exc.data if isinstance(getattr(exc, "data", None), dict) else {}
    exc.answers = tuple(json.dumps(data[k]).encode() for k in ("cancelResponse", "newOrderResponse")
                        if isinstance(data.get(k), dict) and "code" not in data[k])
    leg = data.get("newOrderResponse")
    exc.new_order_error = (error_for(exc.venue, exc.http_status or 400, leg["code"], str(leg.get("msg", "")))
                           if isinstance(leg, dict) and isinstance(leg.get("code"), int) else None)
    return exc.answers
