"""MEXC spot instrument rules (``GET /api/v3/exchangeInfo``) into an :class:`Instruments` registry.

Cold path (start-up, refresh).  Fields and their meaning (shared/venues/mexc-spot.md §4;
market-data-endpoints, Exchange Information):

- ``status``: ``"1"`` online, ``"2"`` paused, ``"3"`` offline, or ``"ENABLED"`` as the doc
  example still shows: tradable when online and ``isSpotTradingAllowed`` is not false;
- tick from ``quotePrecision`` (decimals of the price), quantity step and minimum from
  ``baseSizePrecision``, minimum order value from ``quoteAmountPrecision``, maximum from
  ``maxQuoteAmount``;
- ``filters``: empty in the 2024 docs; the 2025-09-17 change log updated them without
  saying how (unconfirmed).  When present they are read in Binance's shapes
  (``PRICE_FILTER``, ``LOT_SIZE``, ``NOTIONAL``/``MIN_NOTIONAL``) and take precedence.
"""

from __future__ import annotations

from decimal import Decimal

from engine._instruments import ContractType, Instruments

__all__ = ["load_mexc", "tradable"]

_ONLINE = ("1", "ENABLED")


def _decimals_step(decimals) -> str:
    """``3`` -> ``"0.001"`` (a precision given as a count of decimals)."""
    if decimals in (None, ""):
        return "0"
    n = int(decimals)
    return format(Decimal(1).scaleb(-n), "f") if n > 0 else "1"


def tradable(sym: dict) -> bool:
    return str(sym.get("status")) in _ONLINE and sym.get("isSpotTradingAllowed", True) is not False


def load_mexc(reg: Instruments, payload: dict) -> list[int]:
    """Every symbol of an ``exchangeInfo`` answer; returns the ids loaded."""
    ids = []
    for sym in payload["symbols"]:
        step = str(sym.get("baseSizePrecision") or "0")
        kw = dict(tick=_decimals_step(sym.get("quotePrecision")), price_from_min=False, qty_from_min=False,
                  step=step, min_qty=step, min_notional=str(sym.get("quoteAmountPrecision") or "0"),
                  max_notional=str(sym.get("maxQuoteAmount") or "0"))
        f = {x.get("filterType"): x for x in sym.get("filters") or () if isinstance(x, dict)}
        if "PRICE_FILTER" in f:
            p = f["PRICE_FILTER"]
            kw.update(tick=p.get("tickSize", kw["tick"]), min_price=p.get("minPrice", "0"),
                      max_price=p.get("maxPrice", "0"))
        if "LOT_SIZE" in f:
            lot = f["LOT_SIZE"]
            kw.update(step=lot.get("stepSize", step), min_qty=lot.get("minQty", step), max_qty=lot.get("maxQty", "0"))
        n = f.get("NOTIONAL") or f.get("MIN_NOTIONAL")
        if n:
            kw.update(min_notional=n.get("minNotional", kw["min_notional"]))
        ids.append(reg.add(sym["symbol"], sym["baseAsset"], sym["quoteAsset"], ContractType.SPOT, tradable(sym),
                           **kw))
    return ids
