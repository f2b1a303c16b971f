"""The kill switch: no new order, no re-send, every open order at the venue cancelled, until flat.

:meth:`KillSwitch.halt` (``Engine.halt``):

1. Refuses new orders from now on (admission) and trips the breaker for good.
2. Stops every resolution of UNKNOWN orders, so nothing is re-sent after it returns (an order
   whose answer is lost after the halt is still asked about and concluded, never re-sent).
3. Rounds, until flat or ``timeout_s``: read the venue's open-order lists (every symbol,
   not only the ones the engine tracks), cancel per symbol everywhere there is anything
   (cancels use their own share of the rate budget and go out during a rate-limit pause),
   read the lists again.  Flat means the venue lists nothing open *and* no request of
   ours can still be accepted (every PENDING or UNKNOWN order is past its
   ``timestamp + recvWindow``): a request the venue queues and processes late would
   otherwise open an order after the switch reported flat.
4. Orders still UNKNOWN at the end are asked for once more; the venue not having them
   (their requests can no longer be accepted) makes them NOT_PLACED.
5. Reports exactly what is left (:class:`HaltReport`), as the return value and in the
   ``halted`` event.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from engine._enums import ExecType, OrderState
from engine.oms.events import EventKind
from engine.transport.errors import TransportError
from engine.venues.errors import UnknownOrder, VenueError

__all__ = ["KillSwitch", "HaltReport"]

log = logging.getLogger("engine.oms.killswitch")


@dataclass
class HaltReport:
    """What the kill switch did and what it could not do."""

    reason: str
    cancelled: int                 # orders open (venue or local) when the switch was used
    flat: bool                     # the venue lists nothing open and nothing of ours can still land
    left: list[str] = field(default_factory=list)        # client (or venue) ids still open at the venue
    unresolved: list[str] = field(default_factory=list)  # ours whose fate is still unknown
    errors: list[str] = field(default_factory=list)      # what failed on the way (last few)
    rounds: int = 0


class KillSwitch:
    def __init__(self, engine) -> None:
        self.eng = engine
        self.report: HaltReport | None = None

    async def halt(self, reason: str = "halt", timeout_s: float = 30.0) -> HaltReport:
        eng = self.eng
        tracker = eng.tracker
        eng.admission.halted = True
        eng.breaker.trip(f"halted: {reason}", cooldown_s=10**9)
        # no new order can go out any more: the reads and cancels below stop waiting for a 429 pause
        eng.adapter.limiter.risk_off = True
        await eng.resolver.stop()
        loop = asyncio.get_running_loop()
        give_up = loop.time() + timeout_s
        errors: list[str] = []
        seen_open: set[str] = {tracker.store.client_id(s) for s in tracker.open_slots()}
        left: list[str] = []
        flat = False
        rounds = 0
        while True:
            rounds += 1
            venue_open = await self._venue_open(errors)
            if venue_open is not None:
                seen_open.update(vo.client_id or str(vo.exchange_id) for vo in venue_open)
            symbols = tracker.open_symbols() | {vo.symbol for vo in venue_open or ()}
            for symbol in sorted(symbols):
                try:
                    await eng.adapter.cancel_all(symbol)
                except UnknownOrder:
                    pass
                except (TransportError, VenueError) as exc:
                    errors.append(f"cancel_all {symbol}: {type(exc).__name__}: {exc}")
            await asyncio.sleep(0.05)
            venue_open = await self._venue_open(errors)
            can_land = self._latest_deadline_ms()
            if venue_open is not None:
                left = [vo.client_id or str(vo.exchange_id) for vo in venue_open]
                if not left and eng.resolver.venue_now_ms() > can_land:
                    flat = True
                    break
            now = loop.time()
            if now >= give_up:
                break
            wait = 0.2
            if venue_open == [] and can_land:
                wait = max(0.05, (can_land - eng.resolver.venue_now_ms()) / 1000 + 0.05)
            await asyncio.sleep(min(wait, max(0.0, give_up - now)))
        unresolved = await self._conclude_unknown(errors, max(give_up, loop.time() + 5.0))
        try:
            await eng.reconciler.run("halt")
        except (TransportError, VenueError) as exc:
            errors.append(f"reconciliation: {type(exc).__name__}: {exc}")
        report = HaltReport(reason, len(seen_open), flat, left, unresolved, errors[-10:], rounds)
        self.report = report
        if not flat:
            log.error("kill switch: NOT flat after %d rounds: left %s, unresolved %s, errors %s", rounds, left,
                      unresolved, errors[-3:])
        eng.bus.emit(EventKind.HALTED, reason=reason, cancelled=report.cancelled, flat=flat, left=left,
                     unresolved=unresolved, report=report)
        return report

    async def _venue_open(self, errors: list[str]):
        try:
            return await self.eng.adapter.open_orders()
        except (TransportError, VenueError) as exc:
            errors.append(f"open orders: {type(exc).__name__}: {exc}")
            return None

    def _latest_deadline_ms(self) -> int:
        """Venue time until which a request of ours may still be accepted (0: none outstanding)."""
        eng = self.eng
        slots = eng.tracker.slots_in(OrderState.PENDING, OrderState.UNKNOWN)
        slots = [s for s in slots if not eng.tracker.is_dormant(s) and eng.tracker.spec(s) is not None]
        return max((eng.resolver.deadline_ms(s) for s in slots), default=0)

    async def _conclude_unknown(self, errors: list[str], give_up: float) -> list[str]:
        """Settle every UNKNOWN order by asking the venue: NOT_PLACED once it cannot land any more, else the
        venue's word; a query that fails (the venue still faulting) is asked again until ``give_up`` (loop
        time).  Returns the client ids still unknown."""
        eng = self.eng
        tracker = eng.tracker
        loop = asyncio.get_running_loop()
        pending = list(tracker.slots_in(OrderState.UNKNOWN))
        while pending:
            still = []
            for slot in pending:
                spec = tracker.spec(slot)
                try:
                    known = await eng.reconciler.settle(slot)
                except (TransportError, VenueError) as exc:
                    errors.append(f"query {spec.client_id}: {type(exc).__name__}: {exc}")
                    still.append(slot)
                    continue
                if tracker.state(slot) != OrderState.UNKNOWN:
                    continue
                if not known and eng.resolver.venue_now_ms() > eng.resolver.deadline_ms(slot):
                    tracker.apply(slot, int(ExecType.EXEC_NONE), int(OrderState.NOT_PLACED))
                    eng.resolver.not_placed += 1
                    view = tracker.view(slot)
                    eng.bus.emit(EventKind.NOT_PLACED, order=view, symbol=spec.symbol, reason="halted")
                else:
                    still.append(slot)
            pending = still
            if not pending or loop.time() >= give_up:
                break
            await asyncio.sleep(0.2)
        return [tracker.spec(s).client_id for s in pending]
