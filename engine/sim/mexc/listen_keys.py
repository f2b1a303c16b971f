"""The MEXC listen keys' ends (mexc-spot.md §7): a key closed by its owner, or lapsed 60 minutes
after its creation or last keepalive; its connections are told ``Invalid listen key`` (when it
lapsed) and closed.  Works on the personality's state (:mod:`.state`), which sweeps every second.
"""

from __future__ import annotations

import time

from engine.sim.mexc.errors import INVALID_KEY_TEXT

__all__ = ["close_key", "expire_due"]


def close_key(state, key: str, *, invalid: bool) -> None:
    """Forget ``key``; its connections are closed (``invalid``: told ``Invalid listen key`` first)."""
    rec = state.listen_keys.pop(key, None)
    if rec is None:
        return
    for conn in list(rec["conns"]):
        if invalid:
            conn.send(INVALID_KEY_TEXT)
        conn.close_soon()


def expire_due(state) -> None:
    now = time.monotonic()
    for key, rec in list(state.listen_keys.items()):
        if rec["expires"] <= now:
            close_key(state, key, invalid=True)
