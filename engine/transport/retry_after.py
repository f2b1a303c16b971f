"""The ``Retry-After`` header read once, the same way for every venue (RFC 9110 §10.2.3).

``Retry-After = HTTP-date / delay-seconds``.  A value that is neither (``inf``,
``nan``, a negative number, an exponent, text) means "the venue did not say", never
"wait forever" or "wait a negative time": the caller falls back to its own default,
and :class:`~engine.transport.ratelimit.RateLimiter` clamps whatever it is given.
"""

from __future__ import annotations

import datetime
import email.utils
import math
import re
import time

__all__ = ["parse_retry_after"]

# delay-seconds is 1*DIGIT (RFC 9110 §10.2.3); a decimal fraction is accepted as well,
# since venues write "1.5".  No sign, no exponent, no "inf"/"nan", no digit separators.
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_MAX_LEN = 64  # longer than any date or sane number: not worth parsing


def parse_retry_after(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or None when it says nothing usable.

    Parameters
    ----------
    value
        The header value (``str`` or raw ``bytes``, read as latin-1), or None (no header).
    now
        The current time as a Unix timestamp in seconds, for the HTTP-date form
        (default: ``time.time()``).

    Returns
    -------
    float or None
        delay-seconds: the number, finite and not negative.  HTTP-date (IMF-fixdate,
        and the obsolete RFC 850 and asctime forms a recipient must accept): seconds
        from ``now`` to that date, 0.0 for a date in the past.  None for anything else,
        including ``inf``, ``nan``, negative numbers and a number too large for a float.
    """
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        text = bytes(value).decode("latin-1")
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = text.strip(" \t")  # optional whitespace around a field value (RFC 9110 §5.5)
    if not text or len(text) > _MAX_LEN:
        return None
    if _SECONDS.fullmatch(text):
        seconds = float(text)
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)  # HTTP-date is always GMT; asctime carries no zone
    try:
        at = when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
    if not math.isfinite(at):
        return None
    if now is None:
        now = time.time()
    return max(0.0, at - now)
