"""Typed venue errors: each keeps the venue's own code and message and says whether a retry is safe.

``retry_safe``: sending the same request again cannot do harm (nothing happened, or the
request is a read).  ``outcome_unknown``: the venue may have acted (an order may exist);
resolve by querying the client order id, never by resending blindly.

``not_executed``: the venue documents this answer as "the request was not acted on"
(a filter or balance refusal, a malformed request, bad credentials, a stale timestamp,
a rate-limit or ban refusal, a failure the venue calls certain).  Only such answers may
mark an order rejected (:func:`is_definite_rejection`); every other error, an unknown
code included, leaves the order's outcome unknown.
"""

from __future__ import annotations

from engine.errors import VenueError
from engine.transport.errors import IpBanned, RateLimited

__all__ = [
    "VenueError", "AuthenticationError", "TimestampError", "InvalidRequest", "OrderRejected",
    "InsufficientFunds", "DuplicateClientOrderId", "PostOnlyWouldTake", "UnknownOrder", "OrderNotOpen",
    "RateLimited", "IpBanned", "VenueUnavailable", "OutcomeUnknown", "WithdrawalRejected", "is_definite_rejection",
]


class AuthenticationError(VenueError):
    """Bad API key, bad signature, missing permission or IP not whitelisted."""

    not_executed = True
    fatal = True                # a connection refused with it is not retried


class TimestampError(VenueError):
    """Request timestamp outside the receive window: resync the clock, then retry once."""

    not_executed = True
    retry_safe = True
    resync_clock = True         # a retry only after the clock is synced again


class InvalidRequest(VenueError):
    """Malformed or unacceptable parameters (bad symbol, precision, enum, missing field)."""

    not_executed = True


class OrderRejected(VenueError):
    """The venue refused the order (filters, would trigger, market closed, ...): nothing exists."""

    not_executed = True


class InsufficientFunds(OrderRejected):
    """Balance or margin insufficient."""


class DuplicateClientOrderId(OrderRejected):
    """The client order id is already in use: the earlier order with it may exist."""

    not_executed = False        # an order with this id exists: whose, the venue must be asked


class PostOnlyWouldTake(OrderRejected):
    """A post-only order would have crossed the book."""


class WithdrawalRejected(VenueError):
    """The venue refused a withdrawal in a way it documents (network, amount, address, allow-list, balance):
    no withdrawal was created."""

    not_executed = True


class UnknownOrder(VenueError):
    """The venue does not know the order (never existed, already finished, or archived)."""


class OrderNotOpen(UnknownOrder):
    """The order exists but is already filled, cancelled or expired: nothing left to cancel or amend."""


class VenueUnavailable(VenueError):
    """The venue failed the request for certain (maintenance, overload): nothing happened."""

    not_executed = True

    retry_safe = True


class OutcomeUnknown(VenueError):
    """The venue could not say whether it acted (5xx, Binance -1006/-1007, Bybit 10016)."""

    outcome_unknown = True


def is_definite_rejection(exc: BaseException) -> bool:
    """Whether ``exc`` is an answer the venue documents as "the order was not placed"."""
    return isinstance(exc, VenueError) and exc.not_executed
