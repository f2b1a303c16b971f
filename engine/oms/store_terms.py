"""Order terms the store's ``adopt`` does not take: trigger price and reduce-only.

``OrderStore.adopt`` (ext/order_store.pyx) records quantity and price only.  Orders adopted
from the venue (attached exits, children of triggered orders, external orders) keep their trigger price and
reduce-only flag through the store's own columns (``store.arrays``: the numpy arrays its
memoryviews are built on, so the compiled code and ``store.order()`` see the change).
"""

from __future__ import annotations

__all__ = ["set_terms"]

ORDER_FLAG_REDUCE_ONLY = 1      # ext/order_store.pxd


def set_terms(store, slot: int, stop_price_raw: int = 0, reduce_only: bool = False) -> None:
    """Give an adopted order (a live ``slot``) its trigger price and reduce-only flag."""
    if stop_price_raw < 0:
        raise ValueError(f"stop price must not be negative, got {stop_price_raw}")
    store.order(slot)           # raises for a slot that is not live
    cols = store.arrays
    if stop_price_raw:
        cols["stop_price_raw"][slot] = stop_price_raw
    if reduce_only:
        cols["flags"][slot] |= ORDER_FLAG_REDUCE_ONLY
    else:
        cols["flags"][slot] &= ~ORDER_FLAG_REDUCE_ONLY & 0xFF
