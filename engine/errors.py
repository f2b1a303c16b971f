"""Exception types shared across the engine.

:class:`VenueError` is the base of every answer from a venue that is not success: the
transport raises some of them itself (its rate limiter's refusals,
:mod:`engine.transport.errors`), the venue clients the rest (:mod:`engine.venues.errors`).
"""

__all__ = ["EngineError", "ConfigError", "NotBuiltError", "VenueError"]


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class ConfigError(EngineError, ValueError):
    """A configuration that must not be used: names the problem, never a secret."""


class NotBuiltError(EngineError):
    """A part of the engine that does not exist yet."""


class VenueError(EngineError):
    """An answer from the venue that is not success."""

    retry_safe = False
    outcome_unknown = False
    not_executed = False        # documented as "not acted on" (engine.venues.errors explains)
    data = None                 # the answer's extra payload, when the venue sent one

    def __init__(self, venue: str, code: int | str | None, message: str, *,
                 http_status: int | None = None, retry_after: float | None = None):
        self.venue = venue
        self.code = code
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after  # seconds, when the venue said
        super().__init__(f"{venue}: {message}{_detail(code, http_status)}")


def _detail(code, http_status) -> str:
    """" (code -2010, HTTP 400)" with only the parts the venue gave; empty for local refusals."""
    parts = []
    if code is not None:
        parts.append(f"code {code}")
    if http_status is not None:
        parts.append(f"HTTP {http_status}")
    return f" ({', '.join(parts)})" if parts else ""
