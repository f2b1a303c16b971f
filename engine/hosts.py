"""Host names as the engine compares them, and the cleartext rule every transport enforces.

A host is compared in one normal form (:func:`normalize_host`): lower case, no trailing
dot, IDNA (so ``API.BINANCE.COM.``, ``api.binance.com`` and a full-width spelling are
one host).  Plain ``http://``/``ws://`` is allowed only to a loopback host (the local
simulator); :func:`check_cleartext` is called by :mod:`engine.config` and again by
each transport, so a transport built by hand cannot send keys or orders in clear
over a network.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from engine.errors import ConfigError

__all__ = ["normalize_host", "is_loopback_host", "check_cleartext"]

# A DNS name after IDNA: letters, digits and hyphens in dot-separated labels.
_LDH = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")


def normalize_host(host: str | None) -> str:
    """``host`` in the form hosts are compared in: lower case, trailing dot stripped, IDNA.

    IP literals come back in their canonical text (brackets removed).

    Raises
    ------
    ConfigError
        Not a DNS name or an IP address (empty, bad IDNA, characters such as ``%``
        that a URL library might decode into another host).
    """
    if not host:
        raise ConfigError("URL has no host")
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    try:
        # The idna codec splits on every dot Unicode has (U+3002, U+FF0E, U+FF61) and
        # maps full-width and other compatibility forms to their ASCII letters (nameprep).
        ascii_host = text.rstrip(".\u3002\uff0e\uff61").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ConfigError(f"host {host!r} is not a valid host name") from None
    if not _LDH.match(ascii_host):
        raise ConfigError(f"host {host!r} is not a valid host name")
    return ascii_host


def is_loopback_host(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost`` (in any case, with or without a trailing dot)."""
    if not host:
        return False
    try:
        name = normalize_host(host)
    except ConfigError:
        return False
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_cleartext(url: str, what: str = "URL") -> None:
    """Refuse ``http://``/``ws://`` to a host that is not loopback.

    Raises
    ------
    ConfigError
        (a ``ValueError``) for a cleartext URL whose host is not loopback.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "ws") and not is_loopback_host(parts.hostname):
        secure = "https" if scheme == "http" else "wss"
        # Only scheme and host in the message: a URL's path or query may carry a token.
        raise ConfigError(
            f"{what} {scheme}://{parts.hostname} uses plain {scheme}:// to a non-loopback host; "
            f"use {secure}:// (plain is for the local simulator on loopback only)"
        )
