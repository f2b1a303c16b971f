"""What every peer's stage 4-5 client shares: each peer is configured only with the simulator's URL
and keys, and first places and cancels one probe order; a peer that is missing, or whose probe fails
against the simulator, raises :class:`~engine.bench.timing.Skip`.  The peers themselves are with their
venue's rows (``engine/bench/roundtrip_<venue>.py``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from engine.bench.roundtrip import Session
from engine.bench.timing import Skip

__all__ = ["probed", "loopback_urls"]


def loopback_urls(urls: dict, base: str) -> dict:
    """Every http(s)/ws(s) URL in ``urls`` (nested) moved to the simulator at ``base``, path kept."""
    ws_base = base.replace("http://", "ws://", 1)
    out = {}
    for k, v in urls.items():
        if isinstance(v, dict):
            out[k] = loopback_urls(v, base)
        elif isinstance(v, str) and v.startswith(("http://", "https://", "ws://", "wss://")):
            path = urlsplit(v).path
            out[k] = (ws_base if v.startswith("ws") else base) + path
        else:
            out[k] = v
    return out


async def probed(session: Session) -> Session:
    """Place and cancel one probe order; a peer that cannot is closed and skipped, never faked."""
    try:
        await session.cancel(await session.place(-1))
    except Exception as exc:
        await session.close()
        raise Skip(f"could not trade against the simulator: {type(exc).__name__}: {str(exc)[:160]}") from None
    return session
