"""TopstepX's examples and pace for demos and tests (engine.venues.traits): CME micro futures named by
product root (the simulator lists contract ids), whole contracts, 200 requests / 60 s for everything."""

from __future__ import annotations

from decimal import Decimal

from engine.venues.traits import VenueTraits

__all__ = ["TRAITS"]

TRAITS = {"topstepx": VenueTraits(series={"NQ": "MNQ", "ES": "MES"}, qty="1", bid="20000",
                                  quote_qty={"NQ": Decimal("1"), "ES": Decimal("1")}, bracket_qty=Decimal("1"),
                                  quote_interval=2.0)}
