"""MEXC's pace for demos (engine.venues.traits): 12 places + cancels / s, shared."""

from __future__ import annotations

from engine.venues.traits import VenueTraits

__all__ = ["TRAITS"]

TRAITS = {"mexc": VenueTraits(quote_interval=1.0)}
