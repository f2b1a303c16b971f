"""MEXC request signatures and timestamps (mexc-spot.md §2).

``signature`` = lowercase hex HMAC-SHA256(secret, query + body), the ``signature`` parameter
left out, no separator between the two; upper-case hex is refused (700002), unlike Binance.
``recvWindow`` defaults to 5000 and may not pass 60000 (700005); a request is accepted iff
``timestamp < server + 1000`` and ``server - timestamp <= recvWindow`` (else 700003).
"""

from __future__ import annotations

import hmac
import re

from engine.sim.auth import hmac_hex
from engine.sim.mexc.errors import RECV_WINDOW, SIGNATURE, TIMESTAMP, MexcError, illegal, mandatory

__all__ = ["strip_signature", "signature_ok", "check_window", "key_error"]

_DIGITS = re.compile(r"[0-9]{1,20}")


def strip_signature(raw: str) -> tuple[str, str | None]:
    """``raw`` urlencoded params without their ``signature=`` component, and that value."""
    if "signature=" not in raw:
        return raw, None
    kept, sig = [], None
    for part in raw.split("&"):
        if part.startswith("signature="):
            sig = part[len("signature="):]
        else:
            kept.append(part)
    return "&".join(kept), sig


def signature_ok(secret: str, payload: bytes, signature: str | None) -> None:
    if not signature:
        raise mandatory("signature")
    # lowercase hex only: compare as sent
    if not hmac.compare_digest(hmac_hex(secret, payload), signature):
        raise SIGNATURE()


def check_window(params: dict, now_ms: int) -> None:
    ts_raw = params.get("timestamp")
    if not ts_raw:
        raise mandatory("timestamp")
    if not _DIGITS.fullmatch(ts_raw):
        raise illegal("timestamp")
    recv = 5000
    recv_raw = params.get("recvWindow")
    if recv_raw:
        if not _DIGITS.fullmatch(recv_raw):
            raise illegal("recvWindow")
        recv = int(recv_raw)
        if recv > 60000:
            raise RECV_WINDOW()
    ts = int(ts_raw)
    if not (ts < now_ms + 1000 and now_ms - ts <= recv):
        raise TIMESTAMP()


def key_error(api_key: str | None) -> MexcError:
    if not api_key:
        return MexcError(400, "api key required", http=400)
    return MexcError(10072, "Api key info invalid", http=400)
