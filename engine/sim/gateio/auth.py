"""Gate.io APIv4 signatures (gateio-spot.md §2, §7, §8), all hex HMAC-SHA512 with the account's secret.

* REST: over ``METHOD\\n/api/v4/path\\nquery as sent\\nhex(SHA512(body))\\nTimestamp``; the
  ``Timestamp`` header in seconds, within 60 s of the server's clock either way; decimals are
  accepted (the official SDK sends a float, as the venue takes it).
* WebSocket channel auth: over ``channel=<channel>&event=<event>&time=<time>``.
* WebSocket order API login: over ``<event>\\n<channel>\\n<req_param>\\n<timestamp>``, with the
  empty ``req_param`` the docs give for ``spot.login`` (the official WS SDKs sign ``{}`` or the
  text they send: switchable, :data:`LOGIN_REQ_PARAMS`).
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["sign", "rest_signature_ok", "time_ok", "channel_signature_ok", "login_signature_ok", "WINDOW_S",
           "LOGIN_REQ_PARAMS"]

WINDOW_S = 60
# req_param texts a login signature may cover: "" (the docs); "{}" (the gatews SDKs, peer code)
LOGIN_REQ_PARAMS = ("", "{}")


def sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def _same(expected: str, got) -> bool:
    return isinstance(got, str) and hmac.compare_digest(expected, got)


def rest_signature_ok(secret: str | None, method: str, path: str, query: str, body: bytes, timestamp: str,
                      signature: str) -> bool:
    if secret is None:
        return False
    text = "\n".join((method.upper(), path, query, hashlib.sha512(body).hexdigest(), timestamp))
    return _same(sign(secret, text), signature)


def time_ok(timestamp: str, now_ms: int) -> bool:
    """``Timestamp`` (seconds, decimals allowed) within :data:`WINDOW_S` of ``now_ms``."""
    try:
        ts = float(timestamp)
    except (TypeError, ValueError):
        return False
    return abs(ts * 1000 - now_ms) <= WINDOW_S * 1000


def channel_signature_ok(secret: str | None, channel: str, event: str, t, signature) -> bool:
    if secret is None:
        return False
    return _same(sign(secret, f"channel={channel}&event={event}&time={t}"), signature)


def login_signature_ok(secret: str | None, event: str, channel: str, timestamp: str, signature) -> bool:
    if secret is None:
        return False
    return any(_same(sign(secret, f"{event}\n{channel}\n{param}\n{timestamp}"), signature)
               for param in LOGIN_REQ_PARAMS)
