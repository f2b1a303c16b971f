"""The scripted demo session: an engine trading against the embedded simulator.

Timeline for a session of ``duration`` seconds (the simulator's price moves every
``tick_interval`` seconds throughout):

1. start the simulator on a free loopback port and connect an engine to it;
2. quote BTCUSDT both sides (see :mod:`engine.demo.quoter`); place a bracket on
   ETHUSDT (market entry, stop-loss and take-profit managed by the engine, or the
   venue's where it has native brackets) and start quoting ETHUSDT once the bracket is
   over (or given up at 60 % of the session); MNQ and MES futures on TopstepX;
3. at 30 %: two orders that cannot rest, an IOC far from the market and a post-only
   order that would take;
4. at 50 %: the injected fault (:mod:`engine.demo.fault`), with quoting paused;
5. at the end: quotes withdrawn, anything left cancelled, the summary read from the
   engine.

Library code: it logs and reports progress through a callback; the command line
(:mod:`engine.demo.cli`) does the printing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Callable

from engine._enums import OrderState, Side
from engine._fixedpoint import to_decimal
from engine.api import connect
from engine.config import VenueConfig
from engine.demo.fault import run_fault_episode
from engine.demo.gate import Gate
from engine.demo.ledger import FillLedger
from engine.demo.logcapture import LogCapture
from engine.demo.parts import OTHER, OrderParts
from engine.demo.quoter import Quoter, QuoteStats, to_tick
from engine.demo.summary import (
    OUTCOMES,
    DemoSummary,
    engine_histograms,
    latency_table,
    order_outcomes,
    position_rows,
)
from engine.errors import EngineError
from engine.sim import SimExchange
from engine.venues.base import Capability
from engine.venues.registry import ADAPTERS, ORDER_ENTRY
from engine.venues.traits import traits

__all__ = ["DemoOptions", "DemoError", "run_demo", "VENUES", "WS_VENUES", "DEFAULT_VENUE", "ENTRIES", "demo_symbols"]

log = logging.getLogger("engine.demo")

DEFAULT_VENUE = "binance-usdm"      # the demo's venue when none is asked for (futures: positions, brackets)
VENUES = (DEFAULT_VENUE, *(v for v in ADAPTERS if v != DEFAULT_VENUE))      # every registered venue
WS_VENUES = tuple(v for v in VENUES if "ws" in ORDER_ENTRY[v])              # those with WebSocket order entry
ENTRIES = ("rest", "ws")
SYMBOLS = ("BTCUSDT", "ETHUSDT")
KEY, SECRET = "demo-key", "demo-secret-never-shown"
BRACKET_BPS = Decimal("0.0010")     # exits 0.10 % either side of the entry
# Each venue's pace (seconds between quoting steps per symbol, inside its order-rate limits), quote and
# bracket sizes, and the series it trades where they are not SYMBOLS: its traits (engine.venues.traits), in its folder.


def series_of(venue: str) -> tuple[str, ...]:
    """The fair-price series the demo trades on ``venue`` (:data:`SYMBOLS` on the crypto venues)."""
    return tuple(traits(venue).series or SYMBOLS)


def demo_symbols(venue: str) -> tuple[str, ...]:
    """The symbols the demo trades on ``venue``, as the engine names them (the crypto venues' series names)."""
    return tuple((traits(venue).series or {s: s for s in SYMBOLS}).values())


def venue_symbols(sim, venue: str) -> dict[str, str]:
    """Each series of :func:`series_of` (a fair-price series of the simulator) as ``venue`` spells it."""
    named = traits(venue).series
    if named:
        return dict(named)
    reg = sim.registry
    market = reg.market_named(venue)
    names = {inst.fair: symbol for (m, symbol), inst in reg.instruments.items() if m == market}
    return {s: names[s] for s in SYMBOLS}


class DemoError(Exception):
    """The demo could not run or finish (bad options, or the engine failed)."""


@dataclass
class DemoOptions:
    venue: str = DEFAULT_VENUE
    entry: str = "rest"
    duration: float = 20.0
    seed: int = 7
    tick_interval: float = 0.2

    def check(self) -> None:
        if self.venue not in VENUES:
            raise DemoError(f"unknown venue {self.venue!r}; one of {', '.join(VENUES)}")
        if self.entry not in ENTRIES:
            raise DemoError(f"order entry is 'rest' or 'ws', not {self.entry!r}")
        if self.entry not in ORDER_ENTRY[self.venue]:
            raise DemoError(f"{self.venue} has no WebSocket order entry in the engine; "
                            f"use --entry rest, or --venue {' / '.join(WS_VENUES)} with --entry ws")
        if not 2.0 <= self.duration <= 3600.0:
            raise DemoError(f"duration must be between 2 and 3600 seconds, got {self.duration:g}")
        if not 0.02 <= self.tick_interval <= 5.0:
            raise DemoError(f"tick interval must be between 0.02 and 5 seconds, got {self.tick_interval:g}")


Progress = Callable[[dict], None]


async def run_demo(options: DemoOptions, progress: Progress | None = None) -> DemoSummary:
    """Run one session and return its summary (raises :class:`DemoError` when it cannot)."""
    options.check()
    with LogCapture() as capture:
        async with SimExchange(seed=options.seed, accounts=[(KEY, SECRET)],
                               tick_interval=options.tick_interval) as sim:
            cfg = VenueConfig.local(options.venue, sim.urls[options.venue], KEY, SECRET)
            try:
                async with connect(cfg, order_entry=options.entry,
                                   retention_s=max(600.0, options.duration * 3)) as eng:
                    session = _Session(options, sim, eng, capture, progress)
                    return await session.run()
            except EngineError as exc:
                raise DemoError(f"the engine failed: {type(exc).__name__}: {exc}") from exc


class _Session:
    def __init__(self, options: DemoOptions, sim: SimExchange, eng, capture: LogCapture,
                 progress: Progress | None) -> None:
        self.opt = options
        self.sim = sim
        self.eng = eng
        self.capture = capture
        self.progress = progress
        self.ledger = FillLedger()
        self.parts = OrderParts()
        self.stats = QuoteStats()
        self.gate = Gate()
        self.stop = asyncio.Event()
        self.phase = "quoting"
        self.tasks: list[asyncio.Task] = []
        self.t0 = 0.0
        self.bracket_info: dict = {}
        self.tour: list[dict] = []
        can_amend = Capability.AMEND_IN_PLACE in eng.adapter.capabilities     # else cancel and place again
        # the venue's name of each symbol (BTC_USDT on some); the simulator's prices go by BTCUSDT
        self.series = series_of(eng.venue)
        self.traits = traits(eng.venue)
        self.bracket_qty, self.quote_qty = self.traits.bracket_qty, self.traits.quote_qty
        self.sym = venue_symbols(sim, eng.venue)
        series = {v: k for k, v in self.sym.items()}
        self.quoters = {s: Quoter(eng, self.sym[s], self.quote_qty[s], lambda v: sim.price(series[v]), self.ledger,
                                  self.stats, can_amend=can_amend, parts=self.parts)
                        for s in self.series}

    # -- timeline -------------------------------------------------------------------------------
    async def run(self) -> DemoSummary:
        eng, sim, d = self.eng, self.sim, self.opt.duration
        eng.on(self.ledger.on_event)
        balances_start = eng.balances()
        prices_start = {s: sim.price(s) for s in self.series}
        first, second = self.series
        self.t0 = time.monotonic()
        self._spawn(self._report_progress())
        self._spawn(self.quoters[first].run(self.stop, self.gate, self.traits.quote_interval))
        self._spawn(self._bracket_then_quote(second, give_up_at=0.6 * d))
        fault: dict = {}
        try:
            await self._until(0.3 * d)
            self.phase = "order tour"
            await self._order_tour(first)
            await self._until(0.5 * d)
            self.phase = "fault"
            async with self.gate.closed():
                t_fault = time.monotonic()
                outcome = await run_fault_episode(eng, sim, KEY, self.sym[first], self.quote_qty[first],
                                                  self.opt.entry, series=first)
                if outcome.client_order_id:
                    self.parts.add("fault", eng.get_order(outcome.client_order_id))
                fault = outcome.to_dict()
                fault["engine_log"] = self.capture.since(t_fault)
            self.phase = "quoting"
            await self._until(d)
        finally:
            self.phase = "winding down"
            self.stop.set()
            await self._join()
        for quoter in self.quoters.values():
            await quoter.withdraw()
        left = await eng.cancel_all()
        await asyncio.sleep(0.3)  # the last stream events
        if self.bracket_info and self.bracket_info.get("outcome") is None:
            self.bracket_info["outcome"] = "session ended first: open exits cancelled"
        return self._summary(balances_start, prices_start, fault, left)

    async def _until(self, t: float) -> None:
        """Sleep until ``t`` seconds into the session, failing fast if a background task died."""
        while True:
            remaining = self.t0 + t - time.monotonic()
            if remaining <= 0:
                return
            pending = [task for task in self.tasks if not task.done()]
            if pending:
                await asyncio.wait(pending, timeout=remaining, return_when=asyncio.FIRST_EXCEPTION)
            else:
                await asyncio.sleep(remaining)
            self._raise_failed()

    def _raise_failed(self) -> None:
        for task in self.tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                exc = task.exception()
                raise DemoError(f"{task.get_name()} failed: {type(exc).__name__}: {exc}") from exc

    def _spawn(self, coro) -> None:
        self.tasks.append(asyncio.get_running_loop().create_task(coro, name=coro.__qualname__))

    async def _join(self) -> None:
        try:
            await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 15.0)
        except asyncio.TimeoutError:
            for task in self.tasks:
                task.cancel()
            raise DemoError("the quoting loops did not stop within 15 s") from None
        self._raise_failed()

    # -- episodes -------------------------------------------------------------------------------
    async def _bracket_then_quote(self, symbol: str, give_up_at: float) -> None:
        eng = self.eng
        fair = self.sim.price(symbol)
        tick = self.quoters[symbol].tick
        stop_loss = to_tick(fair * (1 - BRACKET_BPS), tick, ROUND_FLOOR)
        take_profit = to_tick(fair * (1 + BRACKET_BPS), tick, ROUND_CEILING)
        info = self.bracket_info = {"symbol": symbol, "side": "BUY", "qty": self.bracket_qty, "stop_loss": stop_loss,
                                    "take_profit": take_profit, "outcome": None}
        if Capability.STOP_ORDERS not in eng.adapter.capabilities:
            info["outcome"] = f"not offered: {eng.venue} has no stop orders the engine can place"
            await self.quoters[symbol].run(self.stop, self.gate, self.traits.quote_interval)
            return
        try:
            bracket = await eng.place_bracket(self.sym[symbol], Side.BUY, self.bracket_qty, stop_loss=stop_loss,
                                              take_profit=take_profit)
        except EngineError as exc:
            self.parts.add_refused("bracket", symbol, Side.BUY)
            info["outcome"] = f"entry refused: {type(exc).__name__}: {exc}"
        else:
            self.parts.add("bracket", bracket.entry)
            info["entry_price"] = bracket.entry.average_price
            remaining = self.t0 + give_up_at - time.monotonic()
            done = await bracket.wait(max(remaining, 0.1))
            legs = {name: getattr(bracket, name) for name in ("stop", "take")}
            if not done:
                for leg in legs.values():
                    if leg is not None and eng.get_order(leg.client_order_id).is_open:
                        try:
                            await eng.cancel(leg)
                        except EngineError as exc:
                            log.info("bracket leg %s: cancel refused: %s", leg.client_order_id, exc)
                info["outcome"] = "neither exit reached in time: both exits cancelled, position kept"
            legs = {name: (eng.get_order(leg.client_order_id) if leg is not None else None)
                    for name, leg in legs.items()}
            for leg in legs.values():
                self.parts.add("bracket", leg)
            for name, leg in legs.items():
                info[f"{name}_state"] = leg.state.name if leg is not None else "not placed"
            if done:
                filled = [n for n, leg in legs.items() if leg is not None and leg.state == OrderState.FILLED]
                info["outcome"] = {"take": "take-profit filled, stop-loss cancelled",
                                   "stop": "stop-loss filled, take-profit cancelled"}.get(
                    filled[0] if filled else "", "bracket finished without an exit fill")
        await self.quoters[symbol].run(self.stop, self.gate, self.traits.quote_interval)

    async def _order_tour(self, symbol: str) -> None:
        """An IOC that cannot fill and a post-only that would take: orders that never rest."""
        eng, fair = self.eng, self.sim.price(symbol)
        tick = self.quoters[symbol].tick
        qty = self.quote_qty[symbol]
        cases = [("IOC buy 0.5 % below the market", dict(price=to_tick(fair * Decimal("0.995"), tick, ROUND_FLOOR),
                                                         tif="IOC")),
                 ("post-only buy 0.2 % above the market (would take)",
                  dict(price=to_tick(fair * Decimal("1.002"), tick, ROUND_CEILING), post_only=True))]
        for label, kwargs in cases:
            try:
                order = await eng.place_limit(self.sym[symbol], Side.BUY, qty, **kwargs)
            except EngineError as exc:
                self.parts.add_refused("tour", self.sym[symbol], Side.BUY, kwargs["price"])
                self.tour.append({"order": label, "result": f"refused by the venue: {type(exc).__name__}"
                                                            f"{f' {exc.code}' if getattr(exc, 'code', None) else ''}"})
                continue
            except ValueError as exc:       # a venue without that order kind (TopstepX has no time in force)
                self.parts.add_refused("tour", self.sym[symbol], Side.BUY, kwargs["price"])
                self.tour.append({"order": label, "result": f"refused before sending: {exc}"})
                continue
            self.parts.add("tour", order)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 3.0
            while eng.get_order(order.client_order_id).is_open and loop.time() < deadline:
                await asyncio.sleep(0.01)
            self.tour.append({"order": label, "result": eng.get_order(order.client_order_id).state.name})

    async def _report_progress(self) -> None:
        if self.progress is None:
            return
        while not self.stop.is_set():
            self.progress(self.snapshot())
            try:
                await asyncio.wait_for(self.stop.wait(), 0.5)
            except asyncio.TimeoutError:
                pass

    def snapshot(self) -> dict:
        eng = self.eng
        ack = eng.metrics.round_trip_ack
        return {"elapsed": time.monotonic() - self.t0, "duration": self.opt.duration, "phase": self.phase,
                "placed": eng.metrics.placed, "fills": sum(p.fills for p in self.ledger.positions.values()),
                "open": len(eng.open_orders()), "amended": self.stats.amended, "replaced": self.stats.replaced,
                "prices": {s: self.sim.price(s) for s in self.series},
                "ack_p50_us": ack.percentile(50) / 1000 if ack.count else None}

    # -- the end ----------------------------------------------------------------------------------
    def _summary(self, balances_start, prices_start, fault: dict, left_at_end: int) -> DemoSummary:
        eng, sim = self.eng, self.sim
        by_part, partial, part_of = order_outcomes(eng, self.parts)
        outcomes = {k: sum(counts[k] for counts in by_part.values()) for k in OUTCOMES}
        used = sum(outcomes.values())
        fills_by_part = dict.fromkeys(by_part, 0)
        for cid, n in self.ledger.fills_by_order.items():
            part = part_of.get(cid, OTHER)
            fills_by_part[part] = fills_by_part.get(part, 0) + n
        histos = engine_histograms(eng, {"cancel": self.stats.cancel_latency, "amend": self.stats.amend_latency})
        if not self.quoters[self.series[0]].can_amend:
            histos.pop("amend")
        latency, buckets = latency_table(histos)
        marks = {s: sim.price(s) for s in self.series}
        stats = eng.stats()
        warnings = self.capture.warnings()
        if used != eng.metrics.placed:
            warnings.append(f"the order store holds {used} orders but the engine placed {eng.metrics.placed}")
        return DemoSummary(
            venue=eng.venue, entry=self.opt.entry, seed=self.opt.seed, duration_s=self.opt.duration,
            elapsed_s=round(time.monotonic() - self.t0, 3), url=sim.urls[eng.venue], placed=eng.metrics.placed,
            outcomes=outcomes, outcomes_by_part=by_part, partially_filled_then_cancelled=partial,
            actions={"amended": self.stats.amended, "cancelled and replaced": self.stats.replaced,
                     "quote cancels confirmed": self.stats.cancelled},
            cancelled_at_end=left_at_end, refused=dict(self.stats.refused),
            fills=sum(self.ledger.fills_by_order.values()), fills_by_part=fills_by_part,
            positions=position_rows(eng, self.ledger, {self.sym[s]: marks[s] for s in self.series},
                                    [self.sym[s] for s in self.series]), balances_start=balances_start,
            balances_end=eng.balances(), prices_start=prices_start, prices_end=marks, latency=latency,
            buckets=buckets, bracket=self.bracket_info, tour=self.tour, fault=fault,
            engine_stats={"bad_messages": stats["bad_messages"], "unresolved": stats["unresolved"],
                          "events_dropped": stats["events_dropped"], "errors": stats["metrics"]["errors"],
                          "breaker": stats["breaker"].get("state") if isinstance(stats["breaker"], dict) else None,
                          "fees": fees_by_asset(eng)},
            warnings=warnings)


def fees_by_asset(eng) -> dict[str, Decimal]:
    """Fees paid by the session's orders, per asset (from the order store)."""
    arrays = eng.store.arrays
    names = eng.instruments.asset_names
    out: dict[str, Decimal] = {}
    for fee_key, asset_key in (("fee_raw", "fee_asset"), ("fee2_raw", "fee2_asset")):
        for raw, asset in zip(arrays[fee_key].tolist(), arrays[asset_key].tolist()):
            if raw and 0 <= asset < len(names):
                out[names[asset]] = out.get(names[asset], Decimal(0)) + to_decimal(raw)
    return out
