"""Bybit's pace for demos (engine.venues.traits): 10 requests / s per endpoint."""

from __future__ import annotations

from engine.venues.traits import VenueTraits

__all__ = ["TRAITS"]

TRAITS = {"bybit": VenueTraits(quote_interval=0.5)}
