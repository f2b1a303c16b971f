"""Bracket orders managed by the engine: entry, then stop-loss and take-profit as one-cancels-other.

Placed as plain orders and watched through the engine's order events: when the entry
fills (partly or fully) the exits are placed for the filled quantity; when one exit
fills, the other is cancelled.  Works on every venue.

Where the venue runs brackets itself (``Capability.NATIVE_BRACKETS``, for the entry type
asked), :meth:`Engine.place_bracket` uses :class:`~engine.oms.native_bracket.NativeBracket`
instead; each venue folder's ``brackets.py`` says which brackets it places natively and why
the others are left to this engine-managed kind.
"""

from __future__ import annotations

import asyncio
import logging

from engine._enums import OrderState, Side

__all__ = ["Bracket"]

log = logging.getLogger("engine.oms.bracket")


class Bracket:
    def __init__(self, engine, symbol: str, side: Side, qty, entry_price, stop_loss, take_profit):
        self.eng = engine
        self.symbol = symbol
        self.side = side
        self.qty = qty
        self.entry_price = entry_price
        self.stop_loss = stop_loss
        self.take_profit = take_profit
        self.entry = None
        self.stop = None
        self.take = None
        self.done = asyncio.Event()
        self._placing = False

    async def start(self) -> None:
        if self.entry_price is None:
            self.entry = await self.eng.place_market(self.symbol, self.side, self.qty)
        else:
            self.entry = await self.eng.place_limit(self.symbol, self.side, self.qty, self.entry_price)
        self.eng.tracker.attach_bracket(self.entry.slot, self)
        if self.entry.state == OrderState.FILLED:
            await self._place_exits()

    def on_update(self, slot: int, view) -> None:
        """Called by the engine on every event of a leg."""
        if self.entry is not None and slot == self.entry.slot:
            self.entry = view
            if view.state == OrderState.FILLED and self.stop is None and not self._placing:
                self.eng.spawn(self._place_exits(), f"bracket-exits:{view.client_order_id}")
            elif view.state in (OrderState.CANCELLED, OrderState.REJECTED, OrderState.EXPIRED) and not view.filled:
                self.done.set()
            return
        for leg, other in (("stop", "take"), ("take", "stop")):
            mine = getattr(self, leg)
            if mine is not None and slot == mine.slot:
                setattr(self, leg, view)
                if view.state == OrderState.FILLED:
                    twin = getattr(self, other)
                    if twin is not None and twin.is_open:
                        self.eng.spawn(self._cancel(twin), f"bracket-oco:{twin.client_order_id}")
                    else:
                        self.done.set()
                elif view.state in (OrderState.CANCELLED, OrderState.EXPIRED, OrderState.REJECTED):
                    twin = getattr(self, other)
                    if twin is None or not twin.is_open:
                        self.done.set()

    async def _place_exits(self) -> None:
        self._placing = True
        exit_side = Side.SELL if self.side == Side.BUY else Side.BUY
        qty = self.entry.filled
        reduce = self.eng.futures
        self.stop = await self.eng.place_stop_loss(self.symbol, exit_side, qty, self.stop_loss, reduce_only=reduce)
        self.eng.tracker.attach_bracket(self.stop.slot, self)
        self.take = await self.eng.place_limit(self.symbol, exit_side, qty, self.take_profit, reduce_only=reduce)
        self.eng.tracker.attach_bracket(self.take.slot, self)
        # a leg may have filled while the other was being placed
        for leg in (self.stop, self.take):
            current = self.eng.order(leg.slot)
            self.on_update(leg.slot, current)

    native = False

    async def cancel(self) -> None:
        """Cancel whatever of the bracket is still open (entry, and exits if placed)."""
        for leg in (self.entry, self.stop, self.take):
            if leg is None:
                continue
            current = self.eng.order(leg.slot)
            if not current.is_open:
                continue
            try:
                await self.eng.cancel(current)
            except Exception as exc:
                log.info("bracket cancel: %s: %s", current.client_order_id, exc)
        if not self.entry.is_open and self.stop is None and not self._placing:
            self.done.set()

    async def _cancel(self, order) -> None:
        try:
            await self.eng.cancel(order)
        except Exception as exc:
            log.warning("bracket: cancelling the other leg %s failed: %s", order.client_order_id, exc)
        self.done.set()

    async def wait(self, timeout: float | None = None) -> bool:
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False
