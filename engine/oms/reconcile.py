"""Reconciliation: the venue's view replaces ours after start-up, reconnects and lost answers.

- :meth:`Reconciler.run`: open orders (adopting ones we did not know), orders we think are
  open that the venue closed while we were away (their fills are not lost), positions and
  balances.  Every difference is logged and evented; a position mismatch after a
  reconnect trips the circuit breaker.
- :meth:`Reconciler.settle`: one order, by a query of its client id (what the resolution
  of UNKNOWN orders, :mod:`engine.oms.resolve`, and the stuck-order check use).
"""

from __future__ import annotations

import asyncio
import logging
import time

from engine._enums import TERMINAL_STATES, ExecType, OrderState, OrderType
from engine._fixedpoint import to_decimal
from engine.oms.events import EventKind
from engine.transport.errors import TransportError
from engine.venues.base import VenueOrder
from engine.venues.errors import VenueError

__all__ = ["Reconciler"]

log = logging.getLogger("engine.oms.reconcile")

_EXEC_FOR_STATE = {OrderState.NEW: ExecType.EXEC_NEW, OrderState.CANCELLED: ExecType.EXEC_CANCELED,
                   OrderState.EXPIRED: ExecType.EXEC_EXPIRED, OrderState.REJECTED: ExecType.EXEC_REJECTED,
                   OrderState.PARTIALLY_FILLED: ExecType.EXEC_NONE, OrderState.FILLED: ExecType.EXEC_NONE}
# sent without a price, they rest at the one the venue gives them (join bid / join ask)
_VENUE_PRICED = frozenset({OrderType.JOIN_BID, OrderType.JOIN_ASK})
_AMENDABLE = frozenset({OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT})


class Reconciler:
    def __init__(self, engine):
        self.eng = engine
        self.runs = 0
        self.mismatches = 0

    # -- snapshots into the store ----------------------------------------------------------------------
    async def apply_snapshot_with_fills(self, slot: int, vo: VenueOrder) -> bool:
        """Like :meth:`apply_snapshot`; first the order's executions the venue lists (``adapter.fills``:
        venues whose stream fills carry no cumulative quantity list them, so each missing fill is
        applied by its execution id and the stream's late copy of it is a duplicate)."""
        eng = self.eng
        leg = eng.tracker.leg(slot)
        fills = leg.fills_leg if leg is not None else eng.adapter.fills
        changed = False
        first = eng.store.order(slot)
        self._venue_size(slot, vo)
        if vo.filled_raw > eng.store.order(slot).filled_raw:
            from engine._oms_apply import exec_id_hash
            spec = eng.tracker.spec(slot)
            for f in await fills(spec.symbol, spec.client_id):
                exec_id, qty, price, fee, asset = f.exec_id, f.qty_raw, f.price_raw, f.fee_raw, f.fee_asset
                before = eng.store.order(slot)
                fee_asset = eng.instruments.asset_ids.get(asset, -1)
                res = eng.store.apply(slot, int(ExecType.EXEC_TRADE), int(OrderState.PARTIALLY_FILLED), qty, price,
                                      -1, exec_id_hash(exec_id), fee, fee_asset, time.time_ns())
                delta = eng.store.order(slot).filled_raw - before.filled_raw
                if res == 0 and delta > 0:
                    changed = True
                    if eng.futures:
                        eng.book.update_from_fill(before.instrument, before.side, delta, price, fee)
        changed = self._apply_snapshot(slot, vo) or changed
        eng.tracker.settle(slot)     # the fills alone may have ended it
        if changed:
            self._tell(slot, first)
        return changed

    def _tell(self, slot: int, before) -> None:
        """The events of what reconciliation changed, as the stream would have told them: ``resolved`` for an
        UNKNOWN order, ``accepted`` before anything else, the new state's event, a balance event after a fill."""
        eng = self.eng
        view = eng.order(slot)
        after = view.state
        if before.state == OrderState.UNKNOWN:
            eng.resolver.heard(slot)
        unaccepted = before.state in (OrderState.PENDING, OrderState.UNKNOWN, OrderState.REJECTED,
                                      OrderState.NOT_PLACED)
        if unaccepted and after not in (OrderState.NEW, OrderState.REJECTED, OrderState.PENDING,
                                        OrderState.UNKNOWN, OrderState.NOT_PLACED):
            eng.bus.emit(EventKind.ACCEPTED, order=view, symbol=view.symbol, source="reconciliation")
        kind = {OrderState.NEW: EventKind.ACCEPTED, OrderState.PARTIALLY_FILLED: EventKind.PARTIALLY_FILLED,
                OrderState.FILLED: EventKind.FILLED, OrderState.CANCELLED: EventKind.CANCELLED,
                OrderState.EXPIRED: EventKind.EXPIRED, OrderState.REJECTED: EventKind.REJECTED}.get(after)
        if kind is not None and (after != before.state or view.filled != to_decimal(before.filled_raw)):
            eng.bus.emit(kind, order=view, symbol=view.symbol, source="reconciliation")
        if view.filled > to_decimal(before.filled_raw):
            eng.account_book.after_fill()
        if before.state in (OrderState.REJECTED, OrderState.NOT_PLACED) and after != before.state:
            eng.unexpected_execution(view, f"the venue reports {after.name} for an order taken as "
                                           f"{before.state.name}")

    def _venue_size(self, slot: int, vo: VenueOrder) -> None:
        """A limit order the venue reports filled beyond its quantity as the store holds it, or up to it and
        still open, or open with less than the store holds (lowered in place): the venue amended it and its
        word of that was lost or is late.  The venue's quantity is taken, so the fills are never refused as an
        overfill, nor the order ended before its last fill, nor counted for more than the venue holds."""
        store = self.eng.store
        o = store.order(slot)
        still_open = vo.state in (OrderState.NEW, OrderState.PARTIALLY_FILLED)
        if (o.order_type in _AMENDABLE and o.state not in TERMINAL_STATES and vo.filled_raw <= vo.qty_raw
                and (o.qty_raw < vo.filled_raw or (o.qty_raw == vo.filled_raw < vo.qty_raw and still_open)
                     or (still_open and o.filled_raw <= vo.filled_raw < vo.qty_raw < o.qty_raw))):
            store.amend(slot, qty_raw=vo.qty_raw, ts_ns=time.time_ns())

    def _apply_snapshot(self, slot: int, vo: VenueOrder) -> bool:
        """Make the store agree with the venue's report of one order; returns whether anything changed."""
        eng = self.eng
        store = eng.store
        if vo.exchange_id is not None:
            store.set_exchange_id(slot, vo.exchange_id)
        self._venue_size(slot, vo)
        before = store.order(slot)
        state = OrderState(vo.state) if vo.state else OrderState.UNKNOWN
        if state in (OrderState.UNKNOWN, OrderState.PENDING):
            return False        # PENDING: a pending leg of an order list, nothing to apply yet
        if (before.order_type in _VENUE_PRICED and not before.price_raw and vo.price_raw > 0
                and before.state not in TERMINAL_STATES):
            store.amend(slot, price_raw=vo.price_raw, ts_ns=time.time_ns())   # the price the venue gave it
        # fills we have not seen: the venue's cumulative quantity, valued at the price that makes our
        # cumulative quote agree with the venue's (the average price when it does not say)
        missing = vo.filled_raw - before.filled_raw
        gap_price = vo.avg_price_raw
        if missing > 0 and vo.cum_quote_raw > before.cum_quote_raw:
            from engine._fixedpoint import Rounding, div
            gap_price = div(vo.cum_quote_raw - before.cum_quote_raw, missing, Rounding.HALF_EVEN)
        res = store.apply(slot, int(_EXEC_FOR_STATE.get(state, ExecType.EXEC_NONE)), int(state), 0,
                          gap_price, vo.filled_raw if missing > 0 else -1, -1, 0, -1, time.time_ns())
        after = store.order(slot)
        delta = after.filled_raw - before.filled_raw
        if delta > 0 and eng.futures and gap_price > 0:
            eng.book.update_from_fill(after.instrument, after.side, delta, gap_price)
        changed = res == 0
        eng.tracker.settle(slot)
        return changed

    async def settle(self, slot: int) -> bool:
        """Query one order by its client id and apply what the venue says.

        Returns True when the venue knows it, False when it says it does not; query failures
        raise (:class:`TransportError`, :class:`VenueError`).
        """
        spec = self.eng.tracker.spec(slot)
        if spec is None:
            return False
        vo = await self.query(slot, spec)
        if vo is None:
            return False
        await self.apply_snapshot_with_fills(slot, vo)
        return True

    async def query(self, slot: int, spec):
        """The venue's report of one of our orders (by client id; by venue id for orders the venue created, and
        for one the venue no longer finds by client id but acknowledged, where the adapter can ask by id)."""
        leg = self.eng.tracker.leg(slot)
        if leg is not None:
            return await leg.query_leg(spec)
        eng = self.eng
        vo = await eng.adapter.query(spec.symbol, spec.client_id, spec.order_type)
        by_id = getattr(eng.adapter, "query_by_id", None)      # optional (engine.venues.base.Adapter)
        if vo is None and by_id is not None:
            exchange_id = eng.tracker.view(slot).exchange_order_id
            if exchange_id is not None:
                vo = await by_id(spec.symbol, exchange_id)
        return vo

    # -- full reconciliation -------------------------------------------------------------------------------
    async def run(self, reason: str) -> dict:
        eng = self.eng
        store = eng.store
        self.runs += 1
        diffs: dict[str, list] = {"adopted": [], "orders": [], "positions": [], "balances": []}
        venue_open = await eng.adapter.open_orders()
        seen = set()
        for vo in venue_open:
            slot = store.find_client_id(vo.client_id) if vo.client_id else -1
            if slot < 0 and vo.exchange_id is not None:
                slot = store.find_exchange_id(vo.exchange_id)
            if slot < 0:
                # an open order the engine does not know: the venue says what it is (an exit it attached to
                # an order of ours, one placed by hand, ...), and it is adopted
                found = await eng.adapter.describe_found(vo)
                slot = eng.foreign.adopt(found) if found is not None else -1
                if slot < 0:
                    continue
                await self.apply_snapshot_with_fills(slot, vo)
                diffs["adopted"].append(vo.client_id or str(vo.exchange_id))
            elif await self.apply_snapshot_with_fills(slot, vo):
                diffs["orders"].append(vo.client_id)
            seen.add(slot)
        for slot in eng.tracker.live_slots():
            spec = eng.tracker.spec(slot)
            if slot in seen or spec is None:
                continue
            try:
                vo = await self.query(slot, spec)
            except (TransportError, VenueError) as exc:
                log.warning("reconcile: query of %s failed: %s", spec.client_id, exc)
                continue
            if vo is not None and await self.apply_snapshot_with_fills(slot, vo):
                diffs["orders"].append(spec.client_id)
        if eng.futures:
            diffs["positions"] = await self._positions(reason)
        book = eng.account_book
        for asset, (a, b) in (await eng.adapter.balances()).items():
            known = asset in book.balances
            if book.set(asset, a, b) and known:
                diffs["balances"].append(asset)
        n = sum(len(v) for v in diffs.values())
        if n:
            log.info("reconciliation (%s): %s", reason, {k: v for k, v in diffs.items() if v})
        if any(d.get("size_raw") for d in diffs["positions"]) and reason != "start":
            self.mismatches += 1
            eng.breaker.trip(f"reconciliation mismatch after {reason}: positions differed")
        eng.bus.emit(EventKind.RECONCILED, reason=reason, differences=diffs)
        return diffs

    async def _positions(self, reason: str, grace_s: float = 0.5) -> list[dict]:
        """Positions: the venue's replace ours where they differ.

        Our positions move with the fills we apply (each once); the venue's snapshot can be
        ahead of fills still on their way to us.  So after start-up a difference is given
        ``grace_s`` to close by itself before the snapshot overrides, and counts as a mismatch
        only if it stays.
        """
        eng = self.eng

        async def differing():
            venue = {}
            for vp in await eng.adapter.positions():
                inst = eng.instruments.ids.get(vp.symbol)
                if inst is not None:
                    venue[inst] = vp
            out = {}
            for symbol, inst in eng.instruments.ids.items():
                vp = venue.get(inst)
                size = vp.size_raw if vp is not None else 0
                mine = eng.book.get(inst)
                if mine["size_raw"] != size:
                    out[inst] = vp
                elif size and abs(mine["entry_raw"] - vp.entry_raw) > 1:
                    # same size, another average: the entry of an average-cost position depends on the
                    # order fills were applied in; the venue's is the one its PnL uses
                    out[inst] = vp
            return out

        diff = await differing()
        if diff and reason != "start":
            await asyncio.sleep(grace_s)
            diff = await differing()
            # an instrument with orders still PENDING or UNKNOWN has fills on their way to us
            # through their resolution: its comparison waits for the next reconciliation
            unsettled = {eng.store.arrays["instrument"][s] for s in eng.tracker.live_slots()
                         if eng.store.state_of(s) in (OrderState.PENDING, OrderState.UNKNOWN)}
            for inst in [i for i in diff if i in unsettled]:
                log.info("reconcile: %s has unsettled orders; its position is compared later",
                         eng.instruments.symbol(inst))
                del diff[inst]
        changes = []
        for inst, vp in diff.items():
            if vp is None:
                d = eng.book.reconcile(inst, 0, 0)
            else:
                d = eng.book.reconcile(inst, vp.size_raw, vp.entry_raw, mark_raw=vp.mark_raw or None,
                                       leverage=vp.leverage)
            changes.append({"symbol": eng.instruments.symbol(inst), **d})
        return changes
