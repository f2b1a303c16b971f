"""Per-venue signature and timestamp verification, on stdlib ``hmac``/``hashlib`` only.

These checks are deliberately independent of the engine's own signer (ext/signer.pyx):
they are what the engine's client code is tested against.

Binance (spot, USD-M): HMAC-SHA256 hex over ``query + body`` (no separator, the
``signature`` parameter removed), case-insensitive hex; WebSocket API: over the params
(``apiKey`` included, ``signature`` excluded) sorted by name, joined ``k=v&...`` raw.
Ed25519 API keys sign the same payloads; their signature is base64 (case-sensitive),
percent-encoded when it travels in a URL, and is checked with the ``cryptography``
package against the public key registered with the simulator.
Bybit V5 REST: lowercase hex HMAC-SHA256 over ``timestamp + apiKey + recvWindow +
(query | body)``; private/trade WebSocket auth: over ``"GET/realtime" + expires``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from urllib.parse import unquote

__all__ = [
    "hmac_hex", "strip_signature", "binance_payload", "binance_signature_ok", "ws_api_payload",
    "binance_time_error", "bybit_signature_ok", "bybit_time_ok", "bybit_ws_auth_ok",
    "load_ed25519_public_key", "ed25519_signature_ok",
]


def hmac_hex(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def load_ed25519_public_key(value):
    """An ``Ed25519PublicKey`` from a key object, PEM text/bytes, DER bytes or the raw 32 bytes.

    Raises
    ------
    ValueError
        ``value`` is not an Ed25519 public key in one of those forms.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if isinstance(value, Ed25519PublicKey):
        return value
    if isinstance(value, str):
        value = value.encode()
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise ValueError(f"an Ed25519 public key must be PEM, DER or 32 raw bytes, not {type(value).__name__}")
    data = bytes(value)
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        elif len(data) == 32:
            key = Ed25519PublicKey.from_public_bytes(data)
        else:
            key = serialization.load_der_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a readable public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"the key is {type(key).__name__}, not an Ed25519 public key")
    return key


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
