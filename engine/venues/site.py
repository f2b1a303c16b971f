"""Where each venue lives, declared in its own folder (``engine/venues/<folder>/endpoints.py``) and
collected here over the registry, so configuration names no venue.

A venue folder's ``endpoints`` module exports ``SITES``: engine venue -> :class:`VenueSite`, one
entry for each registry line whose adapter lives in that folder (the Binance folder serves two).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["Endpoints", "VenueSite", "sites", "client_id_rule"]


@dataclass(frozen=True)
class Endpoints:
    """Where a venue lives: REST base, WebSocket order entry, user-data stream."""

    rest: str
    ws_api: str | None = None   # WebSocket order entry (None: the venue has none)
    stream: str | None = None   # user-data stream base


@dataclass(frozen=True)
class VenueSite:
    """What the engine knows of one venue before anything connects.

    ``networks``: ``"mainnet"`` and, where the venue has a test or demo environment, ``"testnet"``
    (facts from the venue's sheet, section 1).  ``credentials``: the environment variables of the
    key and the secret.  ``mainnet_domains``: registered domains whose hosts trade real funds (the
    domain and every subdomain); ``test_hosts``: the test and demo hosts under them (exact hosts,
    or ``".zone"`` for a zone of test hosts only).  ``local_rest`` / ``local_ws_api`` /
    ``local_stream``: the paths of the venue's REST base, WebSocket order entry and user-data stream
    on the simulator's port (None: it has none there).  ``client_id_rule``: its client order ids
    (the sheet's section 4), as the order store makes them: (required prefix, longest id including
    that prefix, allowed characters as a regular-expression class).
    """

    networks: dict[str, Endpoints]
    credentials: tuple[str, str]
    mainnet_domains: tuple[str, ...]
    client_id_rule: tuple[str, int, str]
    test_hosts: tuple[str, ...] = ()
    local_rest: str = ""
    local_ws_api: str | None = None
    local_stream: str | None = None


def sites() -> dict[str, VenueSite]:
    """Every registered venue's site, in registry order: the ``endpoints`` module beside its adapter."""
    from engine.venues.registry import ADAPTERS, folder
    return {venue: importlib.import_module(f"{folder(venue)}.endpoints").SITES[venue] for venue in ADAPTERS}


def client_id_rule(venue: str) -> tuple[str, int, str]:
    """``venue``'s client-order-id rule (:attr:`VenueSite.client_id_rule`), from its folder.

    Raises
    ------
    ValueError
        ``venue`` is not registered.
    """
    from engine.venues.registry import ADAPTERS, folder
    if venue not in ADAPTERS:
        raise ValueError(f"no client-id rule for venue {venue!r}; known: {sorted(ADAPTERS)}")
    return importlib.import_module(f"{folder(venue)}.endpoints").SITES[venue].client_id_rule
