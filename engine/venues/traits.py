"""What demos and tests written once for every venue need to know of it, declared in the venue's own
folder (``engine/venues/<folder>/traits.py`` exports ``TRAITS``: engine venue -> :class:`VenueTraits`)
and looked up here over the registry, so neither the demo nor the test kit keeps a table of venues."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["VenueTraits", "traits"]


@dataclass(frozen=True)
class VenueTraits:
    """A venue's example instruments and pace, defaults those of a crypto venue.

    ``series``: fair-price series of the simulator -> the engine's symbol for it, for a venue whose
    engine symbols are not the simulator's instrument names (the first is its example; quoted first,
    bracketed second by the demo); empty: BTCUSDT and ETHUSDT, as the venue lists them.  ``qty`` and
    ``bid``: a small order size and a buy price resting below the example's starting market.
    ``quote_qty``: the demo's quote size per series; ``bracket_qty``: its bracket's size.  ``quote_interval``: seconds between the demo's quoting
    steps per symbol, inside the venue's order-rate limits.
    """

    series: dict[str, str] = field(default_factory=dict)
    qty: str = "0.01"
    bid: str = "49000"
    quote_qty: dict[str, Decimal] = field(default_factory=lambda: {"BTCUSDT": Decimal("0.003"),
                                                                   "ETHUSDT": Decimal("0.05")})
    bracket_qty: Decimal = Decimal("0.1")
    quote_interval: float = 1.0


def traits(venue: str) -> VenueTraits:
    """``venue``'s traits: the ``traits`` module beside its adapter (raises ConfigError without an adapter)."""
    from engine.venues.registry import ADAPTERS, adapter_class, folder
    if venue not in ADAPTERS:
        adapter_class(venue)        # raises the registry's ConfigError
    return importlib.import_module(f"{folder(venue)}.traits").TRAITS[venue]
