"""Gate.io currency pairs (``GET /spot/currency_pairs``) into an :class:`Instruments` registry.

Cold path.  A pair has no tick or step field: ``precision`` is the number of decimals of
a price and ``amount_precision`` of an amount, so tick = 10^-precision and step =
10^-amount_precision, both counted from zero; ``min_base_amount`` / ``max_base_amount``
bound the amount, ``min_quote_amount`` / ``max_quote_amount`` its value (shared/venues/
gateio-spot.md §4).  ``trade_status`` ``tradable`` is tradable; ``buyable``/``sellable``/
``untradable`` are not registered as trading (one side only is beyond the registry's rules).
"""

from __future__ import annotations

from decimal import Decimal

from engine._instruments import ContractType, Instruments

__all__ = ["load_gateio", "step_of"]


def step_of(decimals) -> str:
    """10^-decimals as a decimal string ("0" when the venue gave none)."""
    if decimals in (None, ""):
        return "0"
    n = int(decimals)
    if n < 0 or n > 8:
        raise ValueError(f"a precision of {n} decimals is beyond the engine's 8")
    return str(Decimal(1).scaleb(-n))


def _amount(value) -> str:
    return "0" if value in (None, "") else str(value)


def load_gateio(reg: Instruments, pairs: list[dict]) -> list[int]:
    """Register every pair of ``pairs`` (the currency_pairs answer); returns their ids."""
    ids = []
    for p in pairs:
        ids.append(reg.add(
            p["id"], p["base"], p["quote"], ContractType.SPOT, p.get("trade_status") == "tradable",
            tick=step_of(p.get("precision")), price_from_min=False, step=step_of(p.get("amount_precision")),
            qty_from_min=False, min_qty=_amount(p.get("min_base_amount")), max_qty=_amount(p.get("max_base_amount")),
            min_notional=_amount(p.get("min_quote_amount")), max_notional=_amount(p.get("max_quote_amount")),
        ))
    return ids
