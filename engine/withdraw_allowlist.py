"""The engine's own withdrawal allow-list: the only addresses a withdrawal may go to.

Empty by default, and empty means no withdrawal is allowed at all.  Entries come from
``VenueConfig(withdraw_allowlist=...)`` and/or a file (``withdraw_allowlist_file=``),
read again at every withdrawal so an edit takes effect at once (and a removed line
stops the next withdrawal).

An entry is an address, optionally narrowed to one network, one asset and one memo::

    # withdraw_allowlist.txt: one entry a line, fields separated by blanks, "#" starts a comment
    0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c network=ETH asset=USDT
    rXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX network=XRP memo=12345

In the configuration an entry is the same text or an :class:`AllowedAddress`.  Addresses
and memos are compared exactly (an address in another letter case is another entry),
networks and assets without regard to case.  A file that others than its owner may write
(group- or world-writable) is refused: whoever can add a line can send the funds.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError

__all__ = ["AllowedAddress", "parse_entry", "parse_entries", "check_allowlist_file", "read_allowlist_file",
           "find_allowed", "shorten"]

_KEYS = ("network", "asset", "memo")


@dataclass(frozen=True, slots=True)
class AllowedAddress:
    """One allowed destination (``network``, ``asset``, ``memo`` None: any)."""

    address: str
    network: str | None = None
    asset: str | None = None
    memo: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.address, str) or not self.address or any(c.isspace() for c in self.address):
            raise ConfigError(f"withdraw allow-list: an address is a non-empty str without blanks, "
                              f"not {self.address!r}")
        for name in _KEYS:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ConfigError(f"withdraw allow-list: {name} of {shorten(self.address)} must be a non-empty "
                                  f"str or None")

    def allows(self, address: str, network: str, asset: str, memo: str | None) -> bool:
        return (address == self.address
                and (self.network is None or self.network.upper() == network.upper())
                and (self.asset is None or self.asset.upper() == asset.upper())
                and (self.memo is None or self.memo == (memo or "")))

    def __str__(self) -> str:
        extra = "".join(f" {k}={getattr(self, k)}" for k in _KEYS if getattr(self, k) is not None)
        return f"{shorten(self.address)}{extra}"


def parse_entry(text: str, where: str = "withdraw_allowlist") -> AllowedAddress:
    """``ADDRESS [network=N] [asset=A] [memo=M]`` as an :class:`AllowedAddress`."""
    fields = text.split()
    if not fields:
        raise ConfigError(f"{where}: an empty entry")
    extra: dict[str, str] = {}
    for item in fields[1:]:
        key, sep, value = item.partition("=")
        if not sep or key not in _KEYS or not value:
            raise ConfigError(f"{where}: {item!r} is not one of network=, asset=, memo= with a value")
        if key in extra:
            raise ConfigError(f"{where}: {key}= given twice")
        extra[key] = value
    return AllowedAddress(fields[0], **extra)


def parse_entries(entries) -> tuple[AllowedAddress, ...]:
    """The configuration's ``withdraw_allowlist`` (str entries and :class:`AllowedAddress`) as a tuple."""
    if isinstance(entries, (str, bytes)):
        raise ConfigError("withdraw_allowlist is a list of entries, not one str (wrap it: [address])")
    out = []
    for entry in entries:
        if isinstance(entry, AllowedAddress):
            out.append(entry)
        elif isinstance(entry, str):
            out.append(parse_entry(entry))
        else:
            raise ConfigError(f"withdraw_allowlist entries are str or AllowedAddress, not {type(entry).__name__}")
    return tuple(out)


def check_allowlist_file(path: str | os.PathLike) -> Path:
    """``path`` as a Path after the file's safety rules (a regular file only its owner may write)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise ConfigError(f"withdraw allow-list file {str(p)!r} cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"withdraw allow-list file {str(p)!r} is not a regular file")
    if os.name == "posix" and st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError(f"withdraw allow-list file {str(p)!r} may be written by others than its owner "
                          f"(mode {stat.S_IMODE(st.st_mode):o}); chmod go-w it")
    return p


def read_allowlist_file(path: str | os.PathLike) -> tuple[AllowedAddress, ...]:
    """Every entry of an allow-list file (format in the module docstring)."""
    p = check_allowlist_file(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"withdraw allow-list file {str(p)!r} cannot be read: {exc}") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(parse_entry(line, f"{p.name} line {n}"))
    return tuple(out)


def find_allowed(entries, address: str, network: str, asset: str, memo: str | None) -> AllowedAddress | None:
    """The first entry allowing this destination, or None."""
    return next((e for e in entries if e.allows(address, network, asset, memo)), None)


def shorten(address: str) -> str:
    """An address as logs and views show it: its first 6 and last 4 characters."""
    if not isinstance(address, str):
        return "?"
    return address if len(address) <= 12 else f"{address[:6]}...{address[-4:]}"
