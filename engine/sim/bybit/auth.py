"""Bybit V5 signatures and timestamps.

REST: lowercase hex HMAC-SHA256 over ``timestamp + apiKey + recvWindow + (query | body)``;
private and trade WebSocket auth: over ``"GET/realtime" + expires``.
"""

from __future__ import annotations

import hmac

from engine.sim.auth import hmac_hex
from engine.sim.core_types import now_ms

__all__ = ["bybit_signature_ok", "bybit_time_ok", "bybit_ws_auth_ok", "ws_auth"]


def bybit_signature_ok(secret: str | None, timestamp: str, api_key: str, recv_window: str, payload: str,
                       signature: str) -> bool:
    if secret is None:   # an Ed25519-only key has no HMAC secret (Bybit has no Ed25519 keys)
        return False
    expected = hmac_hex(secret, (timestamp + api_key + recv_window + payload).encode())
    return hmac.compare_digest(expected, signature)   # Bybit wants lowercase hex: exact match


def bybit_time_ok(timestamp: int, recv_window: int, now_ms: int) -> bool:
    return now_ms - recv_window <= timestamp < now_ms + 1000


def bybit_ws_auth_ok(secret: str | None, expires, signature: str) -> bool:
    if secret is None:
        return False
    expected = hmac_hex(secret, f"GET/realtime{expires}".encode())
    return isinstance(signature, str) and hmac.compare_digest(expected, signature)


def ws_auth(sim, args) -> tuple[object | None, str]:
    """The account a WebSocket ``auth`` op (``[apiKey, expires, signature]``) proves, or (None, why not)."""
    if not isinstance(args, list) or len(args) != 3:
        return None, "Params Error"
    key, expires, sig = args
    account = sim.account_for(str(key))
    if account is None:
        return None, "Invalid apikey"
    try:
        exp = int(expires)
    except (TypeError, ValueError):
        return None, "Params Error"
    if exp <= now_ms():
        return None, "Request expired"
    if not bybit_ws_auth_ok(account.secret, expires, sig):
        return None, "Signature verification failed"
    return account, ""
