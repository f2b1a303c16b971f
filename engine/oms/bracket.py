"""Bracket orders managed by the engine: the entry, then stop-loss and take-profit exits as one-cancels-other.

Where the venue runs brackets itself (``Capability.NATIVE_BRACKETS``, for the entry type
asked), :meth:`Engine.place_bracket` uses :class:`~engine.oms.native_bracket.NativeBracket`
instead; each venue folder's ``brackets.py`` says which brackets it places natively and why
the others are left to this engine-managed kind.

Rules (a position is never left unprotected without the bot hearing of it):

1. Nothing is sent before every leg passed: the input is checked (no floats, prices on the
   right sides: a buy needs stop_loss < entry < take_profit), and the entry and both exits
   pass the instrument filters and the pre-trade risk checks (the exits without the
   balance/margin check, which the entry's fill pays for).  A failure raises, nothing sent.
2. Exits are placed as the entry fills, partial fills included: each fill adds a *tranche*,
   a stop-loss and a take-profit sized to that fill (reduce-only on derivatives).  A fill
   too small for the venue's minimum quantity waits for the next one (or for the end of the
   entry); each tranche is its own one-cancels-other pair.
3. When a tranche's take-profit fills, its stop-loss is cancelled (a partial take fill shrinks
   the stop to what remains: amended in place where the venue can, else cancelled and placed
   again); when its stop fills, its take-profit is cancelled.
4. An exit that cannot be placed (a refusal, a lost answer that ends NOT_PLACED, the engine
   halted) applies ``on_exit_failure``: ``"flatten"`` (default) sends a reduce-only market
   order closing that tranche, ``"alert"`` leaves the position to the bot.  Either way the
   event ``bracket_exit_failed`` says what happened (``policy``, ``reason``, ``unprotected``
   quantity, and ``flatten`` the closing order or ``flatten_error``).
5. ``done`` is set once the entry has ended and every tranche has ended; :meth:`Bracket.wait`
   always ends (it takes a timeout).
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import to_decimal
from engine.oms.admission import to_raw
from engine.oms.events import EventKind
from engine.oms.native_bracket import check_prices
from engine.oms.tracker import TERMINAL_STATES
from engine.venues.base import Capability

__all__ = ["Bracket", "EXIT_FAILURE_POLICIES"]

log = logging.getLogger("engine.oms.bracket")

EXIT_FAILURE_POLICIES = ("flatten", "alert")
_FILLED = int(OrderState.FILLED)
_DEAD = frozenset({int(OrderState.CANCELLED), int(OrderState.EXPIRED), int(OrderState.REJECTED),
                   int(OrderState.NOT_PLACED)})


class _Tranche:
    """One stop-loss / take-profit pair covering ``qty_raw`` of the entry's fills."""

    __slots__ = ("qty_raw", "stop", "take", "closed")

    def __init__(self, qty_raw: int):
        self.qty_raw = qty_raw
        self.stop: int | None = None      # store slots
        self.take: int | None = None
        self.closed = False               # protection no longer needed (an exit filled, or it was flattened)


class Bracket:
    """One engine-managed bracket.  Build with :meth:`Engine.place_bracket`."""

    native = False

    def __init__(self, engine, symbol: str, side: Side, qty, entry_price, stop_loss, take_profit, *,
                 on_exit_failure: str = "flatten", client_tag: str | None = None):
        if on_exit_failure not in EXIT_FAILURE_POLICIES:
            raise ValueError(f"on_exit_failure must be one of {EXIT_FAILURE_POLICIES}, got {on_exit_failure!r}")
        self.eng = engine
        self.symbol = symbol
        self.side = side
        self.qty = qty
        self.entry_price = entry_price
        self.stop_loss = stop_loss
        self.take_profit = take_profit
        self.on_exit_failure = on_exit_failure
        self.client_tag = client_tag
        self.done = asyncio.Event()
        self.tranches: list[_Tranche] = []
        self.failures: list[dict] = []
        self._entry: int | None = None
        self._covered = 0                 # entry fill quantity given to tranches
        self._wake = asyncio.Event()
        self._worker: asyncio.Task | None = None
        self._inst = -1
        self._stop_raw = self._take_raw = 0
        self._exit_side = Side.SELL

    # -- views ---------------------------------------------------------------------------------
    def _view(self, slot):
        return None if slot is None else self.eng.order(slot)

    @property
    def entry(self):
        return self._view(self._entry)

    @property
    def stop(self):
        """The first tranche's stop-loss (``stops`` has them all)."""
        return self._view(self.tranches[0].stop) if self.tranches and self.tranches[0].stop is not None else None

    @property
    def take(self):
        """The first tranche's take-profit (``takes`` has them all)."""
        return self._view(self.tranches[0].take) if self.tranches and self.tranches[0].take is not None else None

    @property
    def stops(self) -> list:
        return [self._view(t.stop) for t in self.tranches if t.stop is not None]

    @property
    def takes(self) -> list:
        return [self._view(t.take) for t in self.tranches if t.take is not None]

    @property
    def legs(self) -> list[int]:
        out = [self._entry] if self._entry is not None else []
        for t in self.tranches:
            out += [s for s in (t.stop, t.take) if s is not None]
        return out

    @property
    def filled(self) -> Decimal:
        v = self.entry
        return v.filled if v is not None else Decimal(0)

    def __repr__(self) -> str:
        return f"Bracket({self.symbol}, entry={self._entry}, tranches={len(self.tranches)}, done={self.done.is_set()})"

    # -- placement (rule 1) ----------------------------------------------------------------------------
    async def start(self) -> None:
        eng = self.eng
        adm = eng.admission
        entry_type = OrderType.LIMIT if self.entry_price is not None else OrderType.MARKET
        entry_tif = TimeInForce.GTC if self.entry_price is not None else TimeInForce.TIF_NONE
        inst, side, qty_raw, entry_raw, _, _ = adm.validate(self.symbol, self.side, entry_type, entry_tif, self.qty,
                                                            self.entry_price)
        stop_raw = to_raw(self.stop_loss, "stop_loss")
        take_raw = to_raw(self.take_profit, "take_profit")
        check_prices(side, entry_raw, stop_raw, take_raw)
        adm.check_open()
        exit_side = Side.SELL if side == Side.BUY else Side.BUY
        last = adm.reference_of(inst)
        n_sym, n_all = eng.tracker.open_count(inst), eng.tracker.open_count()
        adm.risk_check(inst, side, entry_type, qty_raw, entry_raw, False, extra_open=0)
        eng.risk.check_exit(inst, exit_side, OrderType.STOP_LOSS, qty_raw, stop_raw, n_sym + 1, n_all + 1, last)
        eng.risk.check_exit(inst, exit_side, OrderType.LIMIT, qty_raw, take_raw, n_sym + 2, n_all + 2, last)
        eng.risk.check_trigger(inst, stop_raw, "stop_loss")
        self.side, self._inst, self._exit_side = side, inst, exit_side
        self._stop_raw, self._take_raw = stop_raw, take_raw
        # every leg passed: the entry goes out, and the exits follow its fills
        self._worker = eng.spawn(self._run_exits(), "bracket-exits")
        if entry_type == OrderType.MARKET:
            entry = await eng.place_market(self.symbol, side, self.qty, client_tag=self.client_tag)
        else:
            entry = await eng.place_limit(self.symbol, side, self.qty, self.entry_price, client_tag=self.client_tag)
        self._entry = entry.slot
        eng.tracker.attach_bracket(entry.slot, self)
        self.on_update(entry.slot, eng.order(entry.slot))

    # -- life (rules 2, 3) ------------------------------------------------------------------------------
    def on_update(self, slot: int, view) -> None:
        """Called by the engine on every event of a leg."""
        self._wake.set()

    async def _run_exits(self) -> None:
        """One task places and manages the exits, so tranches never race each other."""
        try:
            while not self.done.is_set():
                await self._wake.wait()
                self._wake.clear()
                if self._entry is None:
                    continue
                await self._cover_fills()
                await self._one_cancels_other()
                self._check_done()
        except asyncio.CancelledError:
            raise
        except Exception as exc:                      # never die silently: say it, and end
            log.exception("bracket %s: managing the exits failed", self)
            self._failure(None, f"{type(exc).__name__}: {exc}", self._unprotected())
            self.done.set()

    def _min_qty(self) -> int:
        rules = self.eng.instruments.rules(self._inst)
        return max(rules.get("min_qty_raw", 0), rules.get("step_raw", 0), 1)

    async def _cover_fills(self) -> None:
        eng = self.eng
        entry = eng.store.order(self._entry)
        need = entry.filled_raw - self._covered
        if need <= 0:
            return
        entry_done = entry.state in TERMINAL_STATES
        if need < self._min_qty():
            if entry_done:       # a remainder below the venue's minimum can never be protected on its own
                self._covered += need
                self._failure(None, "the last fill is below the venue's minimum quantity", need, flattening=False)
            return
        self._covered += need
        t = _Tranche(need)
        self.tranches.append(t)
        reduce = eng.futures
        for leg in ("stop", "take"):
            try:
                if leg == "stop":
                    o = await eng.place_protective(self.symbol, self._exit_side, OrderType.STOP_LOSS, need,
                                                   stop_raw=self._stop_raw, reduce_only=reduce,
                                                   client_tag=self.client_tag)
                else:
                    o = await eng.place_protective(self.symbol, self._exit_side, OrderType.LIMIT, need,
                                                   price_raw=self._take_raw, reduce_only=reduce,
                                                   client_tag=self.client_tag)
            except Exception as exc:
                await self._exit_failed(t, f"{leg}: {type(exc).__name__}: {exc}")
                return
            setattr(t, leg, o.slot)
            eng.tracker.attach_bracket(o.slot, self)
            if eng.store.state_of(o.slot) in _DEAD and not eng.store.order(o.slot).filled_raw:
                await self._exit_failed(t, f"{leg} ended {OrderState(eng.store.state_of(o.slot)).name}")
                return

    async def _one_cancels_other(self) -> None:
        eng = self.eng
        store = eng.store
        for t in self.tranches:
            if t.closed or t.stop is None or t.take is None:
                continue
            stop, take = store.order(t.stop), store.order(t.take)
            if take.state == _FILLED or stop.state == _FILLED:
                t.closed = True
                other = t.stop if take.state == _FILLED else t.take
                await self._cancel(other)
            elif take.filled_raw and stop.state not in TERMINAL_STATES and stop.qty_raw > t.qty_raw - take.filled_raw:
                await self._shrink_stop(t, t.qty_raw - take.filled_raw)
            elif take.state in _DEAD and stop.state in _DEAD:
                t.closed = True
            elif (take.state in _DEAD and not take.filled_raw) or (stop.state in _DEAD and not stop.filled_raw):
                # one exit is gone without filling (cancelled by hand, expired, never placed): the
                # tranche is half protected; the policy decides
                if not (take.state == _FILLED or stop.state == _FILLED):
                    await self._exit_failed(t, "an exit ended without filling")

    async def _shrink_stop(self, t: _Tranche, remaining: int) -> None:
        """A partial take-profit fill: the stop covers only what remains of the tranche."""
        eng = self.eng
        if Capability.AMEND_IN_PLACE in eng.adapter.capabilities:
            try:
                await eng.amend(eng.order(t.stop), qty=to_decimal(remaining))
                return
            except Exception as exc:
                log.info("bracket: the stop could not be amended (%s); replacing it", exc)
        await self._cancel(t.stop)
        try:
            o = await eng.place_protective(self.symbol, self._exit_side, OrderType.STOP_LOSS, remaining,
                                           stop_raw=self._stop_raw, reduce_only=eng.futures, client_tag=self.client_tag)
        except Exception as exc:
            await self._exit_failed(t, f"stop (replacement): {type(exc).__name__}: {exc}", remaining)
            return
        t.stop = o.slot
        eng.tracker.attach_bracket(o.slot, self)

    async def _cancel(self, slot: int) -> None:
        eng = self.eng
        if eng.tracker.is_terminal(slot):
            return
        try:
            await eng.cancel(eng.order(slot))
        except Exception as exc:
            log.info("bracket: cancelling %s: %s", eng.store.client_id(slot), exc)

    # -- failures (rule 4) ------------------------------------------------------------------------------
    async def _exit_failed(self, t: _Tranche, reason: str, qty_raw: int | None = None) -> None:
        t.closed = True
        qty = t.qty_raw if qty_raw is None else qty_raw
        for slot in (t.stop, t.take):
            if slot is not None:
                await self._cancel(slot)
        flatten = self.on_exit_failure == "flatten"
        data = {}
        if flatten:
            try:
                o = await self.eng.place_protective(self.symbol, self._exit_side, OrderType.MARKET, qty,
                                                    reduce_only=self.eng.futures,
                                                    client_tag=self.client_tag)
                data["flatten"] = o
            except Exception as exc:
                data["flatten_error"] = f"{type(exc).__name__}: {exc}"
                self.eng.breaker.trip(f"bracket exit failed and the tranche could not be flattened: {exc}")
        self._failure(t, reason, qty, flattening=flatten, **data)

    def _failure(self, t, reason: str, qty_raw: int, *, flattening: bool | None = None, **data) -> None:
        policy = self.on_exit_failure if flattening is not False else "alert"
        info = {"reason": reason, "policy": policy, "unprotected": to_decimal(qty_raw), **data}
        self.failures.append(info)
        log.error("bracket on %s: an exit could not be placed (%s); policy %s", self.symbol, reason, policy)
        view = self.entry
        self.eng.bus.emit(EventKind.BRACKET_EXIT_FAILED, order=view, symbol=self.symbol, **info)

    def _unprotected(self) -> int:
        eng = self.eng
        if self._entry is None:
            return 0
        return max(0, eng.store.order(self._entry).filled_raw - sum(t.qty_raw for t in self.tranches if not t.closed))

    # -- end (rule 5) -----------------------------------------------------------------------------------
    def _check_done(self) -> None:
        eng = self.eng
        if self.done.is_set() or self._entry is None:
            return
        entry = eng.store.order(self._entry)
        if entry.state not in TERMINAL_STATES or entry.filled_raw > self._covered:
            return
        for t in self.tranches:
            legs = [s for s in (t.stop, t.take) if s is not None]
            if not t.closed and not all(eng.tracker.is_terminal(s) for s in legs):
                return
        self.done.set()

    async def cancel(self) -> None:
        """Cancel whatever of the bracket is still open (the entry, and the exits if placed)."""
        for slot in self.legs:
            await self._cancel(slot)
        self._wake.set()

    async def wait(self, timeout: float | None = None) -> bool:
        """Until the bracket is done (True), or ``timeout`` seconds (False)."""
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False
