"""Transport-level failures, and whether the request's outcome is known."""

from engine.errors import EngineError, VenueError

__all__ = ["TransportError", "ConnectFailed", "RequestTimeout", "ConnectionLost", "ProtocolError", "RateLimited",
           "IpBanned"]


class TransportError(EngineError):
    """The request did not get an HTTP answer.

    ``sent`` says whether the request bytes were handed to the socket: if they were,
    the venue may have acted on it (an order may exist) and the outcome is unknown.
    """

    retry_safe = False

    def __init__(self, message: str, *, sent: bool):
        super().__init__(message)
        self.sent = sent

    @property
    def outcome_unknown(self) -> bool:
        return self.sent


class ConnectFailed(TransportError):
    """No connection could be made; nothing was sent."""

    retry_safe = True

    def __init__(self, message: str):
        super().__init__(message, sent=False)


class RequestTimeout(TransportError):
    """No complete answer within the read timeout."""


class ConnectionLost(TransportError):
    """The connection closed before the answer was complete."""


class ProtocolError(TransportError):
    """The peer sent bytes that are not valid HTTP/1.1."""


class RateLimited(VenueError):
    """Request rate over the venue's limit: the venue said so (HTTP 429, Binance -1003/-1015, Bybit 10006),
    or the limiter would have to wait longer than it may for the request to fit."""

    not_executed = True
    retry_safe = True


class IpBanned(VenueError):
    """The venue banned this IP (Binance 418, Bybit 403): every request waits until ``retry_after``."""

    not_executed = True
