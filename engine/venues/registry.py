"""The venues the engine trades on: one line per venue, naming its adapter class and order-entry paths.

Adding a venue is its folder (``engine/venues/<venue>/``, the shape in
``engine/venues/__init__.py``), its simulator personality (``engine/sim/<venue>/``) and
one line here (:data:`REGISTERED`: its adapter class and its order-entry paths).
The folder is found from the adapter's module: its ``endpoints`` and ``traits`` modules are
read beside it (:func:`folder`).  Adapters are imported when first used, so a bot pays only
for its venue.
"""

from __future__ import annotations

import importlib

from engine.errors import ConfigError

__all__ = ["REGISTERED", "ADAPTERS", "ORDER_ENTRY", "make_adapter", "has_adapter", "adapter_class", "order_paths", "folder",
           "folders"]

# One line per venue: venue (configuration key) -> ("module:Class" of its adapter, the order-entry paths
# it offers: "rest" always; "ws": WebSocket order entry)
REGISTERED: dict[str, tuple[str, tuple[str, ...]]] = {
    "binance-spot": ("engine.venues.binance.adapter:BinanceAdapter", ("rest", "ws")),
    "binance-usdm": ("engine.venues.binance.adapter:BinanceAdapter", ("rest",)),
    "bybit": ("engine.venues.bybit.adapter:BybitAdapter", ("rest", "ws")),
    "gateio": ("engine.venues.gateio.adapter:GateAdapter", ("rest", "ws")),
    "mexc": ("engine.venues.mexc.adapter:MexcAdapter", ("rest",)),
    "topstepx": ("engine.venues.topstepx.adapter:TopstepxAdapter", ("rest",)),
}

# venue -> "module:Class" of its adapter
ADAPTERS: dict[str, str] = {venue: adapter for venue, (adapter, _) in REGISTERED.items()}

# venue -> the order-entry paths its adapter offers
ORDER_ENTRY: dict[str, tuple[str, ...]] = {venue: entries for venue, (_, entries) in REGISTERED.items()}


def order_paths() -> list[tuple[str, str]]:
    """Every (venue, order_entry) pair the engine can trade through."""
    return [(venue, entry) for venue in ADAPTERS for entry in ORDER_ENTRY[venue]]


def folder(venue: str) -> str:
    """The package of ``venue``'s folder (``engine.venues.<folder>``): where its adapter lives, beside
    its other declarations (``endpoints``, ``traits``)."""
    return ADAPTERS[venue].partition(":")[0].rpartition(".")[0]


def folders() -> list[str]:
    """Every venue folder's name, once, in registry order (``binance`` serves two venues)."""
    return list(dict.fromkeys(folder(venue).rpartition(".")[2] for venue in ADAPTERS))


def has_adapter(venue: str) -> bool:
    return venue in ADAPTERS


def adapter_class(venue: str):
    """The adapter class of ``venue`` (raises :class:`ConfigError` for a venue without one)."""
    target = ADAPTERS.get(venue)
    if target is None:
        raise ConfigError(f"{venue}: the engine has no adapter for this venue yet "
                          f"(adapters: {', '.join(sorted(ADAPTERS))})")
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def make_adapter(config, order_entry: str = "rest"):
    """The adapter for ``config.venue`` (``order_entry``: "rest" or "ws", where the venue offers it)."""
    cls = adapter_class(config.venue)
    paths = ORDER_ENTRY[config.venue]
    if order_entry not in paths:
        raise ConfigError(f"{config.venue}: order_entry={order_entry!r} is not available; this venue takes "
                          f"orders over: {', '.join(paths)}")
    return cls(config, order_entry=order_entry)

