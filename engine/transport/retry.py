"""Retries only where safe: exponential backoff with jitter for reads and failed-for-certain answers."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Awaitable, Callable, Iterable, TypeVar

__all__ = ["backoff_delays", "is_retryable", "retry_safe_call"]

T = TypeVar("T")
log = logging.getLogger("engine.transport.retry")


def backoff_delays(base: Iterable[float] = (0.75, 1.5, 3.0), jitter: float = 0.2,
                   rng: random.Random | None = None) -> list[float]:
    """The configured delays, each spread by +-``jitter`` (a fraction) so clients do not retry in step."""
    r = rng or random
    return [d * (1.0 + r.uniform(-jitter, jitter)) for d in base]


def is_retryable(exc: BaseException, idempotent: bool) -> bool:
    """Whether sending the same request again is safe after ``exc``.

    Anything marked ``retry_safe`` (nothing happened for certain, or throttled) is; for an
    idempotent request (a read, a query) a lost answer or a 5xx is too.  A placement whose
    answer was lost is never retried here: the order manager resolves it by client id.
    """
    from engine.transport.errors import TransportError

    if getattr(exc, "resync_clock", False):
        return False  # the caller resyncs its clock first, then retries once
    if getattr(exc, "retry_safe", False):
        return True
    return idempotent and (isinstance(exc, TransportError) or getattr(exc, "outcome_unknown", False))


async def retry_safe_call(fn: Callable[[], Awaitable[T]], *, delays: Iterable[float],
                          idempotent: bool = False, what: str = "request") -> T:
    """Call ``fn``; when the error allows it (:func:`is_retryable`), wait and try again."""
    delays = list(delays)
    for attempt in range(len(delays) + 1):
        try:
            return await fn()
        except Exception as exc:
            if attempt == len(delays) or not is_retryable(exc, idempotent):
                raise
            wait = delays[attempt]
            retry_after = getattr(exc, "retry_after", None)
            if retry_after:
                if retry_after > 2 * max(delays):
                    raise  # the venue asks for a long pause: the caller decides, nothing blocks here
                wait = max(wait, retry_after)
            log.info("%s failed (%s); retry %d/%d in %.2f s", what, type(exc).__name__, attempt + 1,
                     len(delays), wait)
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")
