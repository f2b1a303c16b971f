"""Binance's pace for demos (engine.venues.traits): spot 50 orders / 10 s, USD-M 300 / 10 s."""

from __future__ import annotations

from engine.venues.traits import VenueTraits

__all__ = ["TRAITS"]

TRAITS = {"binance-spot": VenueTraits(quote_interval=1.0), "binance-usdm": VenueTraits(quote_interval=0.3)}
