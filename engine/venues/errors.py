"""Typed venue errors: each keeps the venue's own code and message and says whether a retry is safe.

``retry_safe``: sending the same request again cannot do harm (nothing happened, or the
request is a read).  ``outcome_unknown``: the venue may have acted (an order may exist);
resolve by querying the client order id, never by resending blindly.
"""

from __future__ import annotations

from engine.errors import EngineError

__all__ = [
    "VenueError", "AuthenticationError", "TimestampError", "InvalidRequest", "OrderRejected",
    "InsufficientFunds", "DuplicateClientOrderId", "PostOnlyWouldTake", "UnknownOrder", "OrderNotOpen",
    "RateLimited", "IpBanned", "VenueUnavailable", "OutcomeUnknown",
]


class VenueError(EngineError):
    """An answer from the venue that is not success."""

    retry_safe = False
    outcome_unknown = False

    def __init__(self, venue: str, code: int | str | None, message: str, *,
                 http_status: int | None = None, retry_after: float | None = None):
        self.venue = venue
        self.code = code
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after  # seconds, when the venue said
        super().__init__(f"{venue}: {message} (code {code}, HTTP {http_status})")


class AuthenticationError(VenueError):
    """Bad API key, bad signature, missing permission or IP not whitelisted."""


class TimestampError(VenueError):
    """Request timestamp outside the receive window: resync the clock, then retry once."""

    retry_safe = True


class InvalidRequest(VenueError):
    """Malformed or unacceptable parameters (bad symbol, precision, enum, missing field)."""


class OrderRejected(VenueError):
    """The venue refused the order (filters, would trigger, market closed, ...): nothing exists."""


class InsufficientFunds(OrderRejected):
    """Balance or margin insufficient."""


class DuplicateClientOrderId(OrderRejected):
    """The client order id is already in use: the earlier order with it may exist."""


class PostOnlyWouldTake(OrderRejected):
    """A post-only order would have crossed the book."""


class UnknownOrder(VenueError):
    """The venue does not know the order (never existed, already finished, or archived)."""


class OrderNotOpen(UnknownOrder):
    """The order exists but is already filled, cancelled or expired: nothing left to cancel or amend."""


class RateLimited(VenueError):
    """Request rate over the venue's limit (HTTP 429, Binance -1003/-1015, Bybit 10006)."""

    retry_safe = True


class IpBanned(VenueError):
    """The venue banned this IP (Binance 418, Bybit 403): every request waits until ``retry_after``."""


class VenueUnavailable(VenueError):
    """The venue failed the request for certain (maintenance, overload): nothing happened."""

    retry_safe = True


class OutcomeUnknown(VenueError):
    """The venue could not say whether it acted (5xx, Binance -1006/-1007, Bybit 10016)."""

    outcome_unknown = True
