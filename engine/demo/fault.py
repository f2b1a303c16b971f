"""The injected fault: the venue processes an order and the answer is lost on the way back.

The next placement request on the order-entry path is dropped by the simulator after it
has created the order (``after_process_drop``): the venue has the order, the engine
never gets the answer.  The engine must neither fail the order nor send it twice; it
learns the outcome from the user-data stream or by querying the client order id.  The
episode runs with the quoting loops paused, so the faulted request is this one order's.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from engine._enums import OrderState, Side
from engine.demo.quoter import to_tick
from engine.oms.events import EventKind

__all__ = ["FaultOutcome", "run_fault_episode"]

_WATCHED = {EventKind.UNKNOWN, EventKind.RESOLVED, EventKind.STREAM_DISCONNECTED, EventKind.STREAM_RECONNECTED,
            EventKind.RECONCILED}


@dataclass
class FaultOutcome:
    spec: str
    fired: int = 0
    client_order_id: str = ""
    state_on_return: str = ""
    final_state: str = ""
    place_call_ms: float = 0.0
    settled_ms: float = 0.0
    venue_orders_with_id: int = 0
    reconnected_ms: float | None = None
    resolution: str = ""
    events: list[str] = field(default_factory=list)
    errors_counted: dict = field(default_factory=dict)
    survived: bool = False
    cancelled_after: bool = False     # still resting once settled: the episode cancelled it

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


async def run_fault_episode(eng, sim, api_key: str, symbol: str, qty: Decimal, entry: str,
                            settle_timeout: float = 10.0, series: str | None = None) -> FaultOutcome:
    """Inject the fault, place one resting buy, and watch the engine settle it (``series``: the simulator's
    price series of ``symbol``, when the venue spells the symbol otherwise)."""
    target = sim.registry.new_orders[(eng.venue, entry)]    # the personality's name of the placement request
    out = FaultOutcome(spec=f"{target}:after_process_drop:nth=1")
    errors_before = dict(eng.metrics.errors)
    seen: list[str] = []
    unsubscribe = eng.on(lambda ev: seen.append(ev.kind.value) if ev.kind in _WATCHED else None)
    ws = _order_entry_socket(eng)
    connects_before = ws.connects if ws is not None else 0
    sim.add_faults(out.spec)
    fault = sim.faults.faults[-1]
    tick = Decimal(str(eng.instruments.rules(eng.instruments.id(symbol))["tick_raw"])) / 100_000_000
    price = to_tick(sim.price(series or symbol) * Decimal("0.995"), tick, ROUND_FLOOR)   # rests below the market
    t0 = time.perf_counter()
    try:
        order = await eng.place_limit(symbol, Side.BUY, qty, price)
        out.place_call_ms = round((time.perf_counter() - t0) * 1e3, 3)
        out.client_order_id = order.client_order_id
        out.state_on_return = order.state.name
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settle_timeout
        while eng.get_order(order.client_order_id).state in (OrderState.PENDING, OrderState.UNKNOWN):
            if loop.time() > deadline:
                break
            await asyncio.sleep(0.01)
        out.settled_ms = round((time.perf_counter() - t0) * 1e3, 3)
        if ws is not None:  # the drop closed the order-entry WebSocket: wait until it is back
            while not (ws.connected and ws.connects > connects_before) and loop.time() < deadline:
                await asyncio.sleep(0.01)
            if ws.connected:
                out.reconnected_ms = round((time.perf_counter() - t0) * 1e3, 3)
        final = eng.get_order(order.client_order_id)
        out.final_state = final.state.name
        out.fired = fault.fired
        out.venue_orders_with_id = sim.client_order_count(api_key, eng.venue, order.client_order_id)
        if "unknown" in seen:
            out.resolution = ("the order became UNKNOWN (never 'failed'); the engine queried its client order id "
                              f"and settled it as {out.final_state}")
        elif out.state_on_return in ("NEW", "PARTIALLY_FILLED", "FILLED"):
            out.resolution = ("the answer was lost, but the user-data stream had already reported the order; "
                              f"the engine kept it as {out.state_on_return} without asking again")
        else:
            out.resolution = f"the order ended {out.final_state}"
        if final.is_open:
            await eng.cancel(final)
            out.cancelled_after = True
    finally:
        unsubscribe()
        if fault in sim.faults.faults:
            sim.faults.faults.remove(fault)
    out.events = seen
    out.errors_counted = {k: v - errors_before.get(k, 0) for k, v in eng.metrics.errors.items()
                          if v != errors_before.get(k, 0)}
    out.survived = (out.fired == 1 and out.venue_orders_with_id == 1
                    and out.final_state not in ("PENDING", "UNKNOWN", "REJECTED")
                    and (ws is None or out.reconnected_ms is not None))
    return out


def _order_entry_socket(eng):
    """The WebSocket orders go through (None for REST order entry)."""
    adapter = eng.adapter
    if getattr(adapter, "order_entry", "rest") != "ws":
        return None
    conn = getattr(adapter, "ws_api", None) or getattr(adapter, "trade", None)
    return getattr(conn, "ws", None)
