"""Binance instrument rules (spot and USD-M ``exchangeInfo``) into an :class:`Instruments` registry.

Cold path (start-up, refresh): plain Python over the parsed JSON.  Field names and
semantics follow shared/venues/binance-spot.md and binance-usdm-futures.md (filters
PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL/MIN_NOTIONAL, PERCENT_PRICE..., MAX_NUM_ORDERS).
"""

from __future__ import annotations

from engine._instruments import ContractType, Instruments

__all__ = ["load_binance_spot", "load_binance_usdm"]


def _filters(sym: dict) -> dict:
    return {f["filterType"]: f for f in sym.get("filters", [])}


def load_binance_spot(reg: Instruments, payload: dict) -> list[int]:
    """Binance spot ``GET /api/v3/exchangeInfo``: PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE,
    NOTIONAL (or legacy MIN_NOTIONAL), PERCENT_PRICE_BY_SIDE / PERCENT_PRICE, MAX_NUM_ORDERS.
    A "0" field disables its check, as on the venue.  Returns the ids loaded."""
    ids = []
    for sym in payload["symbols"]:
        f = _filters(sym)
        price = f.get("PRICE_FILTER", {})
        lot = f.get("LOT_SIZE", {})
        mlot = f.get("MARKET_LOT_SIZE", {})
        kw = dict(
            tick=price.get("tickSize", "0"), min_price=price.get("minPrice", "0"), max_price=price.get("maxPrice", "0"),
            step=lot.get("stepSize", "0"), min_qty=lot.get("minQty", "0"), max_qty=lot.get("maxQty", "0"),
            market_step=mlot.get("stepSize", "0"), market_min_qty=mlot.get("minQty", "0"),
            market_max_qty=mlot.get("maxQty", "0"),
        )
        if "NOTIONAL" in f:
            n = f["NOTIONAL"]
            kw.update(min_notional=n.get("minNotional", "0"), max_notional=n.get("maxNotional", "0"),
                      notional_applies_to_market=bool(n.get("applyMinToMarket", True)))
        elif "MIN_NOTIONAL" in f:
            n = f["MIN_NOTIONAL"]
            kw.update(min_notional=n.get("minNotional", "0"),
                      notional_applies_to_market=bool(n.get("applyToMarket", True)))
        if "PERCENT_PRICE_BY_SIDE" in f:
            p = f["PERCENT_PRICE_BY_SIDE"]
            kw.update(bid_up=p["bidMultiplierUp"], bid_down=p["bidMultiplierDown"],
                      ask_up=p["askMultiplierUp"], ask_down=p["askMultiplierDown"])
        elif "PERCENT_PRICE" in f:
            p = f["PERCENT_PRICE"]
            kw.update(bid_up=p["multiplierUp"], bid_down=p["multiplierDown"],
                      ask_up=p["multiplierUp"], ask_down=p["multiplierDown"])
        if "MAX_NUM_ORDERS" in f:
            kw["max_orders"] = int(f["MAX_NUM_ORDERS"]["maxNumOrders"])
        ids.append(reg.add(sym["symbol"], sym["baseAsset"], sym["quoteAsset"], ContractType.SPOT,
                           sym.get("status") == "TRADING", **kw))
    return ids


_USDM_CONTRACTS = {"PERPETUAL": ContractType.LINEAR_PERPETUAL}


def load_binance_usdm(reg: Instruments, payload: dict) -> list[int]:
    """Binance USD-M ``GET /fapi/v1/exchangeInfo``: PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE,
    MIN_NOTIONAL (key ``notional``), PERCENT_PRICE (multiplierUp/Down, around the mark price),
    MAX_NUM_ORDERS (key ``limit``).  Dated contracts load as LINEAR_FUTURE; the quote is the
    margin asset."""
    ids = []
    for sym in payload["symbols"]:
        f = _filters(sym)
        price = f.get("PRICE_FILTER", {})
        lot = f.get("LOT_SIZE", {})
        mlot = f.get("MARKET_LOT_SIZE", {})
        kw = dict(
            tick=price.get("tickSize", "0"), min_price=price.get("minPrice", "0"), max_price=price.get("maxPrice", "0"),
            step=lot.get("stepSize", "0"), min_qty=lot.get("minQty", "0"), max_qty=lot.get("maxQty", "0"),
            market_step=mlot.get("stepSize", "0"), market_min_qty=mlot.get("minQty", "0"),
            market_max_qty=mlot.get("maxQty", "0"),
            min_notional=f.get("MIN_NOTIONAL", {}).get("notional", "0"),
        )
        if "PERCENT_PRICE" in f:
            p = f["PERCENT_PRICE"]
            kw.update(bid_up=p["multiplierUp"], bid_down=p["multiplierDown"],
                      ask_up=p["multiplierUp"], ask_down=p["multiplierDown"])
        if "MAX_NUM_ORDERS" in f:
            kw["max_orders"] = int(f["MAX_NUM_ORDERS"]["limit"])
        ctype = _USDM_CONTRACTS.get(sym.get("contractType", ""), ContractType.LINEAR_FUTURE)
        ids.append(reg.add(sym["symbol"], sym["baseAsset"], sym.get("marginAsset", sym["quoteAsset"]), ctype,
                           sym.get("status") == "TRADING", **kw))
    return ids
