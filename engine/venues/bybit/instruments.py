"""Bybit V5 instrument rules (``/v5/market/instruments-info``) into an :class:`Instruments` registry.

Cold path (start-up, refresh): plain Python over the parsed JSON (``priceFilter``,
``lotSizeFilter``; shared/venues/bybit-v5.md).
"""

from __future__ import annotations

from engine._instruments import ContractType, Instruments

__all__ = ["load_bybit"]


def load_bybit(reg: Instruments, payload: dict, category: str | None = None) -> list[int]:
    """Bybit V5 ``GET /v5/market/instruments-info`` (``category`` spot or linear; taken from
    ``result.category`` when not given).

    Spot: ``priceFilter.tickSize``, ``lotSizeFilter.basePrecision`` (quantity step),
    ``minOrderQty``, ``maxLimitOrderQty``/``maxMarketOrderQty`` (or the deprecated
    ``maxOrderQty``), ``minOrderAmt`` (minimum order value).  Linear: ``priceFilter``
    min/max/tick, ``lotSizeFilter`` minOrderQty, maxOrderQty, maxMktOrderQty, qtyStep,
    minNotionalValue.  Bybit grids start at zero.  Status ``Trading`` means tradable.
    """
    result = payload.get("result", payload)
    category = category or result.get("category")
    if category not in ("spot", "linear"):
        raise ValueError(f"Bybit category {category!r} not supported (spot, linear)")
    ids = []
    for it in result["list"]:
        pf = it.get("priceFilter", {})
        lf = it.get("lotSizeFilter", {})
        trading = it.get("status") == "Trading"
        if category == "spot":
            kw = dict(
                tick=pf.get("tickSize", "0"), price_from_min=False, qty_from_min=False,
                step=lf.get("basePrecision", "0"), min_qty=lf.get("minOrderQty", "0"),
                max_qty=lf.get("maxLimitOrderQty") or lf.get("maxOrderQty", "0"),
                market_max_qty=lf.get("maxMarketOrderQty", "0"),
                min_notional=lf.get("minOrderAmt", "0"),
            )
            ids.append(reg.add(it["symbol"], it["baseCoin"], it["quoteCoin"], ContractType.SPOT, trading, **kw))
        else:
            kw = dict(
                tick=pf.get("tickSize", "0"), min_price=pf.get("minPrice", "0"), max_price=pf.get("maxPrice", "0"),
                price_from_min=False, qty_from_min=False,
                step=lf.get("qtyStep", "0"), min_qty=lf.get("minOrderQty", "0"), max_qty=lf.get("maxOrderQty", "0"),
                market_max_qty=lf.get("maxMktOrderQty", "0"), min_notional=lf.get("minNotionalValue", "0"),
            )
            ctype = ContractType.LINEAR_PERPETUAL if it.get("contractType") == "LinearPerpetual" \
                else ContractType.LINEAR_FUTURE
            ids.append(reg.add(it["symbol"], it["baseCoin"], it.get("settleCoin") or it["quoteCoin"], ctype,
                               trading, **kw))
    return ids
