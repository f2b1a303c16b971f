"""One owner of order bookkeeping: which orders exist, what was sent, which are open, who waits.

The :class:`~engine._order_store.OrderStore` holds the orders themselves (compiled, numpy
columns); :class:`OrderTracker` holds everything else the order manager keeps per order
and is the only code that changes it:

- the :class:`~engine.venues.base.OrderSpec` of every order (what was sent, for cancels,
  queries and resolution);
- the open set (slot -> instrument) and per-instrument counts the risk checks use;
- callers waiting for an order to change;
- roles the engine gives some orders: dormant legs (PENDING by design: the exits of an
  order list before the venue activates them), venue-created legs (queried and cancelled
  through the object that adopted them), brackets listening to their legs.

Invariants:

1. An order is in the open set exactly when its store state is not terminal (checked in
   :meth:`settle` after every change; :meth:`reject` and friends untrack an order only
   when the store accepted the transition).
2. Every order in the store that the engine placed or adopted has a spec.
3. Waiters are woken after every change of their order, whatever made it (answer,
   stream, reconciliation, resolution).

The tracker decides nothing: placement policy (admission, exactly-once resolution, the
kill switch) lives in the modules that call its verbs.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any, Callable, Iterator

import numpy as np

from engine._enums import OrderState
from engine._order_gate import OpenCounts
from engine._order_store import OrderStore
from engine.oms.store_terms import set_terms
from engine._order_view import Order, order_view
from engine._record_loop import RecordLoop
from engine.venues.base import OrderSpec

__all__ = ["OrderTracker", "TERMINAL_STATES", "OPEN_STATES"]

# Terminal: nothing more happens to the order at the venue (NOT_PLACED: the venue confirmed,
# after the request could no longer be accepted, that it never had it).
TERMINAL_STATES = frozenset(int(s) for s in (OrderState.FILLED, OrderState.CANCELLED, OrderState.REJECTED,
                                               OrderState.EXPIRED, OrderState.NOT_PLACED))
OPEN_STATES = (OrderState.PENDING, OrderState.NEW, OrderState.PARTIALLY_FILLED, OrderState.UNKNOWN)
_OPEN_ARRAY = np.array([int(s) for s in OPEN_STATES], dtype=np.uint8)


_EXPIRED = object()      # what a waiter's future holds when its wait timed out


def _expire(fut: asyncio.Future) -> None:
    if not fut.done():
        fut.set_result(_EXPIRED)


class OrderTracker:
    """Order bookkeeping for one engine (see the module docstring for its rules)."""

    def __init__(self, store: OrderStore, instruments, counts: OpenCounts | None = None) -> None:
        self.store = store
        self.instruments = instruments
        self.counts = counts if counts is not None else OpenCounts(instruments.capacity)
        self._specs: dict[int, OrderSpec] = {}
        self._open: dict[int, int] = {}             # slot -> instrument, orders not terminal (counted in counts)
        self._waiters: dict[int, list[asyncio.Future]] = {}
        self._dormant: set[int] = set()
        self._legs: dict[int, Any] = {}             # slot -> who queries/cancels an order the venue created
        self._brackets: dict[int, Any] = {}         # slot -> the bracket listening to it
        self._replaced: dict[int, int] = {}         # slot -> the order that replaced it (cancel-replace)
        # view(slot) -> Order: the order's view, made by the compiled order_view with no Python frame
        self.view: Callable[[int], Order] = functools.partial(order_view, store, instruments)

    # -- recording ----------------------------------------------------------------------------
    def record(self, inst: int, symbol: str, side: int, order_type: int, tif: int, qty_raw: int,
               price_raw: int = 0, stop_raw: int = 0, trailing_raw: int = 0, reduce_only: bool = False,
               close_on_trigger: bool = False, client_tag: str | None = None) -> OrderSpec:
        """A new order of ours: a PENDING store slot with its client id (led by ``client_tag-`` when given,
        a tag the caller has checked), its spec, tracked open."""
        store = self.store
        slot = store.create(inst, side, order_type, tif, qty_raw, price_raw, stop_price_raw=stop_raw,
                            trailing_delta_raw=trailing_raw, reduce_only=reduce_only,
                            close_on_trigger=close_on_trigger, ts_ns=time.time_ns())
        if client_tag:
            store.set_client_tag(slot, client_tag)
        spec = OrderSpec(slot, symbol, store.client_id(slot), side, order_type, tif, qty_raw, price_raw, stop_raw,
                         trailing_raw, reduce_only, close_on_trigger)
        self._specs[slot] = spec
        self._track(slot, inst)
        return spec

    def lend_books(self, gate) -> None:
        """The compiled gate records the orders it admits in these books itself, as :meth:`admitted` does
        (its specs and open set: changed in place, never replaced)."""
        gate.keep_books(self._specs, self._open)

    def admitted(self, spec: OrderSpec, inst: int) -> OrderSpec:
        """A new order whose PENDING slot and spec the compiled gate (:class:`~engine._order_gate.OrderGate`)
        just made: tracked open."""
        slot = spec.slot
        self._specs[slot] = spec
        self._track(slot, inst)
        return spec

    def adopt(self, store_client_id: str, inst: int, symbol: str, side: int, order_type: int, tif: int,
              qty_raw: int, price_raw: int = 0, stop_raw: int = 0, reduce_only: bool = False, *,
              exchange_id=None, venue_client_id: str | None = None, leg: Any = None) -> int:
        """An order the engine did not place (or placed by another run): into the store and tracked.

        ``store_client_id`` is its id in the store; ``venue_client_id`` the one the venue knows
        it by (queries and cancels use it); ``leg`` queries and cancels it instead when the
        venue gave it no client id of ours.  Returns the slot.
        """
        store = self.store
        slot = store.adopt(store_client_id, inst, side, order_type, tif, qty_raw, price_raw, ts_ns=time.time_ns())
        if exchange_id is not None:
            store.set_exchange_id(slot, exchange_id)
        if stop_raw or reduce_only:
            set_terms(store, slot, stop_raw, reduce_only)
        self._specs[slot] = OrderSpec(slot, symbol, venue_client_id or store_client_id, side, order_type, tif,
                                      qty_raw, price_raw, stop_raw, 0, reduce_only, exchange_id=exchange_id)
        if leg is not None:
            self._legs[slot] = leg
        self._track(slot, inst)
        return slot

    # -- state changes ---------------------------------------------------------------------------
    def mark_unknown(self, slot: int) -> bool:
        """The request left and its answer was lost: PENDING -> UNKNOWN.  False when the order is no
        longer PENDING (the stream already said what became of it)."""
        if self.store.state_of(slot) != OrderState.PENDING:
            return False
        return self.store.mark_unknown(slot, time.time_ns()) == 0

    def reject(self, slot: int, code: int = -1) -> bool:
        """REJECTED (by the venue's documented refusal, or locally with nothing sent).  The order
        leaves the open set only when the store accepted the transition; returns whether it did."""
        ok = self.store.reject(slot, code, time.time_ns()) == 0
        self.settle(slot)
        return ok

    def apply(self, slot: int, exec_type: int, state: int, last_qty_raw: int = 0, last_price_raw: int = 0,
              cum_qty_raw: int = -1, trade_id: int = -1, fee_raw: int = 0, fee_asset: int = -1) -> int:
        """A cold-path store update (reconciliation, resolution); settles the order afterwards."""
        rc = self.store.apply(slot, exec_type, state, last_qty_raw, last_price_raw, cum_qty_raw, trade_id,
                              fee_raw, fee_asset, time.time_ns())
        self.settle(slot)
        return rc

    def settle(self, slot: int) -> None:
        """After any change of ``slot``: open set by its state (invariant 1), waiters woken (3)."""
        st = self.store.state_of(slot)
        if st in TERMINAL_STATES:
            self._untrack(slot)
            self._dormant.discard(slot)
        elif slot not in self._open and st:
            self._track(slot, int(self.store.arrays["instrument"][slot]))
        self.wake(slot)
        bracket = self._brackets.get(slot)
        if bracket is not None:
            bracket.on_update(slot, self.view(slot))

    def record_loop(self, parser, applier, bus, wire_to_event, on_other, on_record, on_bad, on_event) -> RecordLoop:
        """The compiled loop that applies stream records and keeps these books as :meth:`settle` does
        (it holds the open set, dormant legs, waiters and brackets, and the bus's subscriber lists)."""
        callbacks, streams = bus.listener_lists()
        loop = RecordLoop(parser, applier, self.store, self.counts, self._open, self._dormant, self._waiters,
                          self._brackets, callbacks, streams, wire_to_event, on_other, on_record, on_bad, on_event)
        loop.watch_balance_listeners(bus.balance_listeners())
        return loop

    def wake(self, slot: int) -> None:
        waiters = self._waiters.pop(slot, None)
        if waiters:
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    async def wait(self, slot: int, done: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``done()`` (checked after every change of ``slot``) or ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            fut = loop.create_future()
            self._waiters.setdefault(slot, []).append(fut)
            timer = loop.call_later(remaining, _expire, fut)     # (cheaper than asyncio.wait_for per wait)
            try:
                woken = await fut
            finally:
                timer.cancel()
            if woken is _EXPIRED:
                return done()
        return True

    def _track(self, slot: int, inst: int) -> None:
        if slot not in self._open:
            self._open[slot] = inst
            self.counts.opened(inst)

    def _untrack(self, slot: int) -> None:
        inst = self._open.pop(slot, None)
        if inst is not None:
            self.counts.closed(inst)

    # -- reading ------------------------------------------------------------------------------------
    def spec(self, slot: int) -> OrderSpec | None:
        return self._specs.get(slot)

    def state(self, slot: int) -> int:
        return self.store.state_of(slot)

    def is_terminal(self, slot: int) -> bool:
        return self.store.state_of(slot) in TERMINAL_STATES

    def is_open(self, slot: int) -> bool:
        return slot in self._open

    def open_count(self, inst: int | None = None) -> int:
        """Open orders of instrument ``inst`` (all instruments when None)."""
        return len(self._open) if inst is None else self.counts.of(inst)

    def open_slots(self) -> list[int]:
        return list(self._open)

    def open_items(self) -> Iterator[tuple[int, int]]:
        """(slot, instrument) of every open order (a snapshot)."""
        return iter(list(self._open.items()))

    def open_symbols(self) -> set[str]:
        return {self.instruments.symbol(i) for i in self._open.values()}

    def live_slots(self) -> list[int]:
        """Every store slot in an open state (PENDING, NEW, PARTIALLY_FILLED, UNKNOWN)."""
        state = self.store.arrays["state"]
        return [int(s) for s in np.flatnonzero(np.isin(state, _OPEN_ARRAY))]

    def slots_in(self, *states: int) -> list[int]:
        wanted = {int(s) for s in states}
        return [s for s in list(self._open) if self.store.state_of(s) in wanted]

    # -- roles ----------------------------------------------------------------------------------------
    def set_dormant(self, slot: int, dormant: bool = True) -> None:
        """PENDING by design (a leg of an order list the venue has not activated): never stale."""
        (self._dormant.add if dormant else self._dormant.discard)(slot)

    def is_dormant(self, slot: int) -> bool:
        return slot in self._dormant

    def spec_and_leg(self, slot: int) -> tuple:
        """(:meth:`spec`, :meth:`leg`) of ``slot`` in one call (the cancel's hot path)."""
        return self._specs.get(slot), self._legs.get(slot)

    def leg(self, slot: int):
        """Who queries and cancels this venue-created order (None: the adapter, by client id)."""
        return self._legs.get(slot)

    def set_replacement(self, slot: int, successor: int) -> None:
        """``successor`` replaced ``slot`` (an amend by cancel-replace)."""
        self._replaced[slot] = successor
        if len(self._replaced) > 65_536:
            self._replaced.pop(next(iter(self._replaced)))

    def replacement_of(self, slot: int) -> int | None:
        successor = self._replaced.get(slot)
        if successor is None or self.store.state_of(successor) == 0:
            return None
        return successor

    def attach_bracket(self, slot: int, bracket) -> None:
        self._brackets[slot] = bracket

    def bracket_of(self, slot: int):
        return self._brackets.get(slot)

    def has_brackets(self) -> bool:
        return bool(self._brackets)
