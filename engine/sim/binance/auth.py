"""Binance signatures and timestamps (spot, USD-M, WebSocket API).

HMAC-SHA256 hex over ``query + body`` (no separator, the ``signature`` parameter
removed), case-insensitive hex; WebSocket API: over the params (``apiKey`` included,
``signature`` excluded) sorted by name, joined ``k=v&...`` raw.  Ed25519 API keys sign
the same payloads; their signature is base64 (case-sensitive), percent-encoded when it
travels in a URL, and is checked with the ``cryptography`` package against the public
key registered with the simulator.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import unquote

from engine.sim.auth import hmac_hex

__all__ = ["strip_signature", "binance_payload", "binance_signature_ok", "ws_api_payload", "binance_time_error",
           "ed25519_signature_ok"]


def ed25519_signature_ok(public_key, payload: bytes, signature: str) -> bool:
    """Binance Ed25519: base64 of the 64-byte signature over ``payload`` (percent-decoded first)."""
    from cryptography.exceptions import InvalidSignature

    try:
        raw = base64.b64decode(unquote(signature.strip()), validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 64:
        return False
    try:
        public_key.verify(raw, payload)
    except InvalidSignature:
        return False
    return True


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


def binance_payload(raw_query: str, raw_body: str) -> bytes:
    q, _ = strip_signature(raw_query)
    b, _ = strip_signature(raw_body)
    return (q + b).encode()


def binance_signature_ok(secret: str, payload: bytes, signature: str) -> bool:
    expected = hmac_hex(secret, payload)
    return hmac.compare_digest(expected, signature.strip().lower())


def ws_api_payload(params: dict) -> bytes:
    """WebSocket API signing payload: sorted ``k=v`` pairs, raw UTF-8, no signature."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "signature").encode()


def binance_time_error(timestamp: int, recv_window_ms: float, now_ms: int) -> str | None:
    """The -1021 message for a timestamp the venue refuses, else None.

    Accepted iff ``timestamp < now + 1000`` and ``now - timestamp <= recvWindow``;
    16-digit timestamps are microseconds.
    """
    ts_ms = timestamp / 1000 if timestamp >= 10**15 else timestamp
    if ts_ms >= now_ms + 1000:
        return "Timestamp for this request was 1000ms ahead of the server's time."
    if now_ms - ts_ms > recv_window_ms:
        return "Timestamp for this request is outside of the recvWindow."
    return None
