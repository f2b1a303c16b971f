"""Gate.io's pace for demos (engine.venues.traits): 10 places and amends / s per pair."""

from __future__ import annotations

from engine.venues.traits import VenueTraits

__all__ = ["TRAITS"]

TRAITS = {"gateio": VenueTraits(quote_interval=0.5)}
