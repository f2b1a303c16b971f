"""Requests in flight on a message socket, matched to answers by id, each with its own deadline."""

from __future__ import annotations

import asyncio
from typing import Hashable

from engine.transport.errors import ConnectionLost, RequestTimeout

__all__ = ["send_tracked"]


def send_tracked(ws, pending: dict, raw_ids: set, rid: Hashable, frame: bytes, what: str,
                 timeout: float) -> asyncio.Future:
    """Write ``frame`` now and return the future its answer will settle.

    The future is registered in ``pending`` (and ``rid`` in ``raw_ids``: the answer goes back as
    raw bytes); after ``timeout`` seconds without an answer it fails with :class:`RequestTimeout`
    (``sent=True``: the outcome is unknown).  If the socket is down nothing is sent and
    :class:`ConnectionLost` (``sent=False``) is raised.
    """
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    pending[rid] = fut
    raw_ids.add(rid)
    try:
        ws.send(frame)
    except ConnectionError:
        pending.pop(rid, None)
        raw_ids.discard(rid)
        raise ConnectionLost(f"{what}: socket not connected; nothing was sent", sent=False) from None

    def expire() -> None:
        late = pending.pop(rid, None)
        raw_ids.discard(rid)
        if late is not None and not late.done():
            late.set_exception(RequestTimeout(f"{what}: no answer within {timeout:.3f} s", sent=True))

    handle = loop.call_later(timeout, expire)
    fut.add_done_callback(lambda f: handle.cancel())
    return fut
