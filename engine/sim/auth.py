"""Key material and HMAC every personality's signature check uses, on stdlib ``hmac``/``hashlib``.

These checks are deliberately independent of the engine's own signer (ext/signer.pyx):
they are what the engine's client code is tested against.  Each personality checks its
venue's signatures with these (``engine/sim/<venue>/auth.py``).  Ed25519 public keys
(:func:`load_ed25519_public_key`) are read with the ``cryptography`` package.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["hmac_hex", "load_ed25519_public_key"]


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
