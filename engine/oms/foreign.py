"""Orders the engine did not place: adopted from the user-data stream the moment they appear.

The compiled applier (``engine._oms_apply``) answers ``AP_FOREIGN`` for a record that
matches no order of the store.  Such records are read here, on the cold path (json):

1. Binance ``executionReport`` / ``ORDER_TRADE_UPDATE`` and Bybit ``order`` / ``execution``
   rows of an unknown order: the order is adopted into the store (venue id, trigger price,
   reduce-only; client id see rule 5), then the same payload (Bybit: the adopted
   rows) goes through the compiled applier again, so its fill reaches the store and the
   position exactly once.  A replay later is a duplicate for the store (trade id on both
   venues, cumulative quantity on Binance).
2. Binance USD-M conditional (algo) orders: when one triggers, the venue creates a regular
   order with its own ``orderId``, named by the ALGO_UPDATE's ``ai`` (the child's
   clientOrderId is not documented; it is never relied on).  The child is adopted with
   origin ``"algo"`` and linked to the algo order's slot, whichever of the ALGO_UPDATE and
   the child's first record comes first (a child seen first is adopted as ``"external"`` and
   linked when the ALGO_UPDATE arrives).  Each child fill is mirrored onto the algo order in
   the store only, so the user's view of the stop shows it filled; the position moves once,
   by the child's fill.
3. The algo order's own ALGO_UPDATE never moves the position: the applier moves positions
   for trades only and an ALGO_UPDATE carries none; its executed quantity (``aq``) meets the
   mirrored fills as a duplicate (or, arriving first, fills the algo order's view alone).
4. Origins, from the client id (Binance ORDER_TRADE_UPDATE docs): ``autoclose-`` liquidation,
   ``adl_autoclose`` ADL, ``settlement_autoclose-`` settlement; anything else ``external``.
   Bybit: ``createType`` CreateByLiq / CreateByAdl / CreateBySettle (the first two unconfirmed),
   else ``external``.
5. Store client ids.  Binance client ids are unique among *open* orders only (and every ADL
   close is ``adl_autoclose``), while the compiled applier finds an order by client id before
   its venue id, and the store keeps a finished order (and its id) for its retention time: a
   later order reusing the id would be applied to the old one.  So a Binance order is adopted
   as ``<clientOrderId>#<orderId>`` (found by its venue id); :meth:`slot_of` still finds it by
   the plain client id (the latest such order).  Bybit ids are unique for good: ``orderLinkId``
   as it is, its ``orderId`` when it has none.
"""

from __future__ import annotations

import json
import logging
import time

from engine._enums import ExecType, OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import Rounding, div, to_decimal
from engine._fixedpoint import parse as fp_parse
from engine._order_store import OrderStoreError
from engine.oms.events import EventKind

__all__ = ["ForeignOrders", "origin_of"]

log = logging.getLogger("engine.oms.foreign")

_PENDING_LINKS_MAX = 4096          # ALGO_UPDATE links whose child has not been seen yet
# createType names of Bybit's liquidation/ADL/settlement orders: unconfirmed (the enum page lists
# CreateBySettle and says "+ liquidation/ADL types" without naming them); unknown ones read "external"
_BYBIT_ORIGINS = {"CreateByLiq": "liquidation", "CreateByAdl": "adl", "CreateByAdlTrade": "adl",
                  "CreateBySettle": "settlement", "CreateByDelivery": "settlement"}
_BYBIT_TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK,
               "PostOnly": TimeInForce.POST_ONLY}


def _raw(text) -> int:
    return fp_parse(str(text)) if text not in (None, "") else 0


def origin_of(client_id: str) -> str:
    """What created a Binance order, from its client id (venue-reserved prefixes)."""
    if client_id.startswith("autoclose-"):
        return "liquidation"
    if client_id.startswith("adl_autoclose"):
        return "adl"
    if client_id.startswith("settlement_autoclose"):
        return "settlement"
    return "external"


def _doc(payload: bytes):
    try:
        doc = json.loads(payload)
    except ValueError:
        return None
    if isinstance(doc, dict) and isinstance(doc.get("event"), dict):
        doc = doc["event"]          # Binance spot WebSocket API subscription envelope
    return doc if isinstance(doc, dict) else None


class ForeignOrders:
    """Adoption of foreign orders for one engine (see the module docstring for the rules)."""

    def __init__(self, engine) -> None:
        self.eng = engine
        self.adopted = 0
        self.unadoptable = 0
        self.linked = 0
        self.child_of: dict[int, int] = {}        # child slot -> algo slot (the engine checks it per fill)
        self._algo_of_child: dict[int, int] = {}  # child orderId named by an ALGO_UPDATE, not seen yet -> algo slot
        self._by_venue_cid: dict[str, str] = {}   # the venue's client id -> store id of the latest (rule 5)

    def slot_of(self, venue_client_id: str) -> int:
        """The latest adopted order with this venue client id, or -1."""
        store_cid = self._by_venue_cid.get(venue_client_id)
        return self.eng.store.find_client_id(store_cid) if store_cid else -1

    def counters(self) -> dict[str, int]:
        return {"adopted": self.adopted, "unadoptable": self.unadoptable, "linked": self.linked}

    # -- Binance -------------------------------------------------------------------------------
    def on_binance(self, payload: bytes, *, conflict: bool = False) -> None:
        """A foreign executionReport / ORDER_TRADE_UPDATE: adopt its order, apply the payload again.

        ``conflict``: the report is of a second venue order carrying one of our client ids (the
        venue executed one intent twice); it is adopted like a foreign order (``origin`` "duplicate")
        so its fills reach positions, and the engine raises the alarm.
        """
        doc = _doc(payload)
        if doc is None:
            return
        e = doc.get("e")
        if e == "executionReport":
            row, cid = doc, doc.get("C") or doc.get("c") or ""   # a cancel's report: C is the order's id
        elif e == "ORDER_TRADE_UPDATE" and isinstance(doc.get("o"), dict):
            row = doc["o"]
            cid = row.get("c") or ""
        else:
            return
        try:
            slot = self._adopt_binance(row, str(cid), conflict)
        except (KeyError, TypeError, ValueError, OrderStoreError) as exc:
            self.unadoptable += 1
            log.warning("a foreign %s could not be adopted (%s: %s); reconciliation will catch up", e,
                        type(exc).__name__, exc)
            return
        if slot < 0:
            return
        self.eng.stream.reapply(payload)

    def _adopt_binance(self, row: dict, venue_cid: str, conflict: bool = False) -> int:
        from engine.venues.binance.adapter import TIFS, TYPES
        eng = self.eng
        inst = eng.instruments.ids.get(row.get("s"))
        oid = row.get("i")
        if inst is None or not isinstance(oid, int):
            self.unadoptable += 1
            log.warning("foreign order %s on %s: not an instrument of this engine; not adopted", oid, row.get("s"))
            return -1
        if eng.store.find_exchange_id(oid) >= 0:
            return -1
        otype = TYPES.get(row.get("o", ""), OrderType.MARKET)        # LIQUIDATION and the like: market
        tif = TimeInForce.TIF_NONE if otype == OrderType.MARKET else TIFS.get(row.get("f", ""), TimeInForce.GTC)
        qty = _raw(row.get("q")) or _raw(row.get("z"))
        stop = _raw(row.get("sp") if "sp" in row else row.get("P"))
        algo_slot = self._algo_of_child.pop(oid, -1)
        origin = "algo" if algo_slot >= 0 else ("duplicate" if conflict else origin_of(venue_cid))
        return self._adopt(inst, row["s"], venue_cid, f"{venue_cid[:47 - len(str(oid))]}#{oid}", oid,
                           Side.BUY if row.get("S") == "BUY" else Side.SELL,
                           otype, tif, qty, _raw(row.get("p")), stop, row.get("R") is True, origin, algo_slot)

    def on_algo_update(self, payload: bytes) -> None:
        """An ALGO_UPDATE of one of our algo orders: note or make the link to the order it created."""
        doc = _doc(payload)
        o = doc.get("o") if doc is not None else None
        if not isinstance(o, dict):
            return
        try:
            child_oid = int(o.get("ai") or 0)
        except (TypeError, ValueError):
            return
        if child_oid <= 0:
            return
        store = self.eng.store
        algo_slot = store.find_client_id(str(o.get("caid") or "")) if o.get("caid") else -1
        if algo_slot < 0:
            return
        child = store.find_exchange_id(child_oid)
        if child >= 0:
            if child not in self.child_of:
                self._link(child, algo_slot)         # the child came first
            return
        if len(self._algo_of_child) >= _PENDING_LINKS_MAX:
            self._algo_of_child.pop(next(iter(self._algo_of_child)))
        self._algo_of_child[child_oid] = algo_slot

    # -- Bybit -----------------------------------------------------------------------------------
    def on_bybit(self, payload: bytes) -> None:
        """``order`` / ``execution`` rows of orders the store does not know: adopt, apply those rows."""
        doc = _doc(payload)
        if doc is None:
            return
        topic = str(doc.get("topic", ""))
        if not topic.startswith(("order", "execution")):
            return
        eng = self.eng
        adopted = []
        for row in doc.get("data") or ():
            if not isinstance(row, dict):
                continue
            try:
                if self._adopt_bybit(row, topic.startswith("order")) >= 0:
                    adopted.append(row)
            except (KeyError, TypeError, ValueError, OrderStoreError) as exc:
                self.unadoptable += 1
                log.warning("a foreign bybit %s row could not be adopted (%s: %s)", topic, type(exc).__name__, exc)
        if adopted:
            eng.stream.reapply(json.dumps({"topic": topic, "data": adopted}).encode())

    def _adopt_bybit(self, row: dict, is_order: bool) -> int:
        eng = self.eng
        store = eng.store
        oid, link = str(row.get("orderId") or ""), str(row.get("orderLinkId") or "")
        if not oid or row.get("category", eng.adapter.category) != eng.adapter.category:
            return -1
        if store.find_exchange_id(oid) >= 0 or (link and store.find_client_id(link) >= 0):
            return -1                                   # ours, or adopted already (e.g. a bracket exit)
        inst = eng.instruments.ids.get(row.get("symbol"))
        if inst is None:
            self.unadoptable += 1
            return -1
        limit = row.get("orderType") == "Limit"
        stop = _raw(row.get("triggerPrice")) if is_order else 0
        if limit:
            otype = OrderType.STOP_LOSS_LIMIT if stop else OrderType.LIMIT
        else:
            otype = OrderType.STOP_LOSS if stop else OrderType.MARKET
        tif = _BYBIT_TIFS.get(row.get("timeInForce", ""), TimeInForce.GTC) if limit else TimeInForce.TIF_NONE
        qty = _raw(row.get("qty") if is_order else row.get("orderQty"))
        price = _raw(row.get("price") if is_order else row.get("orderPrice")) if limit else 0
        origin = _BYBIT_ORIGINS.get(row.get("createType", ""), "external")
        side = Side.BUY if row.get("side") == "Buy" else Side.SELL
        return self._adopt(inst, row["symbol"], link, link or oid, oid, side, otype, tif, qty, price, stop,
                           row.get("reduceOnly") is True, origin, -1)

    # -- common ----------------------------------------------------------------------------------
    def _adopt(self, inst: int, symbol: str, venue_cid: str, cid: str, oid, side: int, otype: int, tif: int,
               qty: int, price: int, stop: int, reduce_only: bool, origin: str, algo_slot: int) -> int:
        eng = self.eng
        store = eng.store
        if qty <= 0:
            raise ValueError(f"order {oid} reports no quantity")
        slot = eng.tracker.adopt(cid, inst, symbol, side, otype, tif, qty, price, stop, reduce_only,
                                 exchange_id=oid, venue_client_id=venue_cid or cid)
        if venue_cid:
            self._by_venue_cid.pop(venue_cid, None)
            self._by_venue_cid[venue_cid] = cid
            if len(self._by_venue_cid) > _PENDING_LINKS_MAX:
                self._by_venue_cid.pop(next(iter(self._by_venue_cid)))
        self.adopted += 1
        parent = store.client_id(algo_slot) if algo_slot >= 0 else None
        log.info("adopted %s order %s (%s) on %s%s", origin, cid, oid, symbol,
                 f" of algo order {parent}" if parent else "")
        view = eng.order(slot)
        eng.bus.emit(EventKind.ADOPTED, order=view, symbol=symbol, origin=origin, parent=parent)
        if algo_slot >= 0:
            self._link(slot, algo_slot)
        return slot

    def _link(self, child: int, algo_slot: int) -> None:
        eng = self.eng
        self.child_of[child] = algo_slot
        self.linked += 1
        view = eng.order(algo_slot)
        eng.bus.emit(EventKind.LINKED, order=view, symbol=view.symbol, child=eng.order(child))
        self.mirror(child)

    def mirror(self, child: int, fill_qty_raw: int = 0, price_raw: int = 0) -> None:
        """The child's fills so far, onto its algo order in the store only (the position moved once, by
        the child).  ``fill_qty_raw``/``price_raw``: the fill just applied to the child; a larger gap (a
        child linked after several fills) is valued at the child's average price."""
        eng = self.eng
        store = eng.store
        algo_slot = self.child_of.get(child)
        if algo_slot is None:
            return
        c, a = store.order(child), store.order(algo_slot)
        delta = c.filled_raw - a.filled_raw
        if delta <= 0:
            return                      # e.g. the ALGO_UPDATE's executed quantity came first
        if delta != fill_qty_raw or not price_raw:
            price_raw = div(c.cum_quote_raw - a.cum_quote_raw, delta, Rounding.HALF_EVEN)
        fee = c.fee_raw - a.fee_raw if a.fee_asset in (-1, c.fee_asset) else 0
        state = OrderState.FILLED if c.filled_raw >= a.qty_raw else OrderState.PARTIALLY_FILLED
        res = store.apply(algo_slot, int(ExecType.EXEC_TRADE), int(state), delta, price_raw, c.filled_raw, -1,
                          fee, c.fee_asset, time.time_ns())
        if res != 0:
            log.info("algo order %s: the fill of its child %s not mirrored (store result %d)",
                     a.client_id, c.client_id, res)
            return
        after = store.state_of(algo_slot)
        eng.tracker.settle(algo_slot)
        if after == OrderState.FILLED:
            eng.metrics.filled += 1
        view = eng.order(algo_slot)
        eng.bus.emit(EventKind.FILLED if after == OrderState.FILLED else EventKind.PARTIALLY_FILLED,
                     order=view, symbol=view.symbol, fill_qty=to_decimal(delta), fill_price=to_decimal(price_raw),
                     child=c.client_id)
        bracket = eng.tracker.bracket_of(algo_slot)
        if bracket is not None:
            bracket.on_update(algo_slot, view)
