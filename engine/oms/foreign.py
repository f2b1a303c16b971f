"""Orders the engine did not place: adopted the moment they appear, so their fills are never lost.

The compiled applier (``engine._oms_apply``) answers ``AP_FOREIGN`` for a record that
matches no order of the store.  The venue adapter then says what that order is
(``adapter.foreign_order(parser, payload)``: a :class:`~engine.venues.base.ForeignOrder`,
decoded on the cold path), this module adopts it into the store, and the stream applier
applies the very same record again, so its fill reaches the store and the position
exactly once.  A replay later is a duplicate for the store.

Rules:

1. The store id is the venue's choice (``store_client_id``): unique in the store even on
   venues that reuse client ids; :meth:`ForeignOrders.slot_of` still finds the latest
   order by the id the venue knows it by.
2. Children: an order of ours that creates another venue order when it triggers names the
   child's venue id in its record (``linked_order_id``).  The child is adopted with origin
   ``child`` and linked to its parent, whichever of the two records comes first (a child
   seen first is adopted with the origin its venue gives it and linked when the parent's
   record arrives).  Each child fill is mirrored onto the parent in the store only, so the
   user's view of the parent shows it filled; the position moves once, by the child's fill.
3. Exits the venue attached to an order of ours (``origin`` "exit", ``parent_client_id`` the
   entry) join the entry's bracket in their role (stop / take), and are queried and
   cancelled through their ``leg``.
4. A second venue order under one of our client ids (the venue executed one intent twice)
   is adopted with origin ``duplicate``; the engine raises the alarm.
"""

from __future__ import annotations

import logging
import time

from engine._enums import ExecType, OrderState
from engine._fixedpoint import Rounding, div, to_decimal
from engine._order_store import OrderStoreError
from engine.oms.events import EventKind
from engine.venues.base import ForeignOrder

__all__ = ["ForeignOrders"]

log = logging.getLogger("engine.oms.foreign")

_PENDING_LINKS_MAX = 4096          # parent links whose child has not been seen yet


class ForeignOrders:
    """Adoption of foreign orders for one engine (see the module docstring for the rules)."""

    def __init__(self, engine) -> None:
        self.eng = engine
        self.adopted = 0
        self.unadoptable = 0
        self.linked = 0
        self.child_of: dict[int, int] = {}        # child slot -> parent slot (the applier checks it per fill)
        self._parent_of_child: dict = {}          # a child's venue id named by its parent, not seen yet -> slot
        self._by_venue_cid: dict[str, str] = {}   # the venue's client id -> store id of the latest (rule 1)

    def slot_of(self, venue_client_id: str) -> int:
        """The latest adopted order with this venue client id, or -1."""
        store_cid = self._by_venue_cid.get(venue_client_id)
        return self.eng.store.find_client_id(store_cid) if store_cid else -1

    def counters(self) -> dict[str, int]:
        return {"adopted": self.adopted, "unadoptable": self.unadoptable, "linked": self.linked}

    # -- adoption ----------------------------------------------------------------------------------
    def adopt_record(self, parser, payload: bytes, *, duplicate: bool = False) -> int:
        """The record ``parser`` holds names an order the store does not know: adopt it; returns its slot
        (-1: the venue says it is not one to adopt, or it could not be)."""
        try:
            found = self.eng.adapter.foreign_order(parser, payload)
        except (KeyError, TypeError, ValueError) as exc:
            self.unadoptable += 1
            log.warning("a foreign order record could not be decoded (%s: %s); reconciliation will catch up",
                        type(exc).__name__, exc)
            return -1
        if found is None:
            return -1
        if duplicate:
            found.origin = "duplicate"
        return self.adopt(found)

    def adopt(self, fo: ForeignOrder) -> int:
        """Take ``fo`` into the store and the open set; returns its slot (-1 when it cannot be)."""
        eng = self.eng
        store = eng.store
        inst = eng.instruments.ids.get(fo.symbol)
        if inst is None:
            self.unadoptable += 1
            log.warning("foreign order %s on %s: not an instrument of this engine; not adopted", fo.exchange_id,
                        fo.symbol)
            return -1
        if store.find_exchange_id(fo.exchange_id) >= 0:
            return -1
        if fo.qty_raw <= 0:
            self.unadoptable += 1
            log.warning("foreign order %s reports no quantity; not adopted", fo.exchange_id)
            return -1
        parent = self._parent_of_child.pop(fo.exchange_id, -1)
        if parent >= 0:
            fo.origin = "child"
        elif fo.parent_client_id:
            parent = store.find_client_id(fo.parent_client_id)
        bracket = eng.tracker.bracket_of(parent) if fo.origin == "exit" and parent >= 0 else None
        if fo.origin == "exit" and bracket is None:
            fo.origin = "external"          # an exit of an order that is not a bracket of this engine
        try:
            slot = eng.tracker.adopt(fo.store_client_id, inst, fo.symbol, fo.side, fo.order_type, fo.tif, fo.qty_raw,
                                     fo.price_raw, fo.stop_raw, fo.reduce_only, exchange_id=fo.exchange_id,
                                     venue_client_id=fo.venue_client_id or fo.store_client_id, leg=fo.leg)
        except (OrderStoreError, ValueError) as exc:
            self.unadoptable += 1
            log.warning("foreign order %s could not be adopted (%s: %s)", fo.exchange_id, type(exc).__name__, exc)
            return -1
        if fo.venue_client_id:
            self._by_venue_cid.pop(fo.venue_client_id, None)
            self._by_venue_cid[fo.venue_client_id] = fo.store_client_id
            if len(self._by_venue_cid) > _PENDING_LINKS_MAX:
                self._by_venue_cid.pop(next(iter(self._by_venue_cid)))
        self.adopted += 1
        parent_cid = store.client_id(parent) if parent >= 0 else None
        log.info("adopted %s order %s (%s) on %s%s", fo.origin, fo.store_client_id, fo.exchange_id, fo.symbol,
                 f" of {parent_cid}" if parent_cid else "")
        view = eng.order(slot)
        eng.bus.emit(EventKind.ADOPTED, order=view, symbol=fo.symbol, origin=fo.origin, parent=parent_cid)
        if bracket is not None:
            eng.metrics.placed += 1             # placed for us by the venue: counted with ours
            bracket.add_exit(slot, fo.role)
        elif fo.origin == "child":
            self._link(slot, parent)
        return slot

    # -- children (rule 2) ----------------------------------------------------------------------------------
    def on_linked(self, parent: int, child_exchange_id) -> None:
        """Our order ``parent`` says it created venue order ``child_exchange_id``: link it, now or when it appears."""
        store = self.eng.store
        child = store.find_exchange_id(child_exchange_id)
        if child >= 0:
            if child not in self.child_of:
                self._link(child, parent)         # the child came first
            return
        if len(self._parent_of_child) >= _PENDING_LINKS_MAX:
            self._parent_of_child.pop(next(iter(self._parent_of_child)))
        self._parent_of_child[child_exchange_id] = parent

    def _link(self, child: int, parent: int) -> None:
        eng = self.eng
        self.child_of[child] = parent
        self.linked += 1
        view = eng.order(parent)
        eng.bus.emit(EventKind.LINKED, order=view, symbol=view.symbol, child=eng.order(child))
        self.mirror(child)

    def mirror(self, child: int, fill_qty_raw: int = 0, price_raw: int = 0) -> None:
        """The child's fills so far, onto its parent in the store only (the position moved once, by the
        child).  ``fill_qty_raw``/``price_raw``: the fill just applied to the child; a larger gap (a child
        linked after several fills) is valued at the child's average price."""
        eng = self.eng
        store = eng.store
        parent = self.child_of.get(child)
        if parent is None:
            return
        c, a = store.order(child), store.order(parent)
        delta = c.filled_raw - a.filled_raw
        if delta <= 0:
            return                      # e.g. the parent's own executed quantity came first
        if delta != fill_qty_raw or not price_raw:
            price_raw = div(c.cum_quote_raw - a.cum_quote_raw, delta, Rounding.HALF_EVEN)
        fee = c.fee_raw - a.fee_raw if a.fee_asset in (-1, c.fee_asset) else 0
        state = OrderState.FILLED if c.filled_raw >= a.qty_raw else OrderState.PARTIALLY_FILLED
        res = store.apply(parent, int(ExecType.EXEC_TRADE), int(state), delta, price_raw, c.filled_raw, -1,
                          fee, c.fee_asset, time.time_ns())
        if res != 0:
            log.info("order %s: the fill of its child %s not mirrored (store result %d)",
                     a.client_id, c.client_id, res)
            return
        after = store.state_of(parent)
        eng.tracker.settle(parent)
        if after == OrderState.FILLED:
            eng.metrics.filled += 1
        view = eng.order(parent)
        eng.bus.emit(EventKind.FILLED if after == OrderState.FILLED else EventKind.PARTIALLY_FILLED,
                     order=view, symbol=view.symbol, fill_qty=to_decimal(delta), fill_price=to_decimal(price_raw),
                     child=c.client_id)
