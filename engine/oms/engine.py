"""The Engine: one venue account, asyncio-native, turning intents into orders and keeping the truth.

Data flow (see DESIGN.md): a ``place_*`` call is validated, risk-checked and recorded in
a store slot, then written by the venue adapter; the answer and the user-data stream
are parsed in C and applied in C (``engine._oms_apply``) to the store and positions;
events fan out to callbacks and ``async for`` consumers.

Exactly-once placement: an order whose answer never comes (timeout, 5xx, dropped
connection, cancelled task) becomes UNKNOWN, never rejected.  It is resolved by the
stream or by querying its client order id, then adopted, or re-sent with the same
client id when the venue has never seen it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from typing import Any, Callable

import numpy as np

from engine._account import Account
from engine._enums import OrderState, OrderType, Side, TimeInForce
from engine._fixedpoint import from_decimal, to_decimal
from engine._instruments import Instruments, UnknownInstrumentError
from engine._oms_apply import RecordApplier
from engine._order_store import OrderStore
from engine._parse_binance import BinanceParser
from engine._parse_bybit import BybitParser
from engine._positions import PositionBook
from engine.config import VenueConfig
from engine.errors import EngineError
from engine.oms.breaker import CircuitBreaker, is_breaker_failure
from engine.oms.events import EventBus, EventKind
from engine.oms.foreign import ForeignOrders
from engine.oms.liveness import Liveness
from engine.oms.metrics import EngineMetrics
from engine.oms.reconcile import Reconciler
from engine.oms.risk import RiskEngine, RiskLimits
from engine.oms.stream_apply import StreamApplication
from engine.oms.views import Order, Position, make_order
from engine.transport.errors import TransportError
from engine.venues.base import OrderSpec
from engine.venues.errors import OrderNotOpen, OutcomeUnknown, UnknownOrder, VenueError

__all__ = ["Engine", "OrderNotFound", "make_adapter"]

log = logging.getLogger("engine.oms")

_OPEN_STATES = (OrderState.PENDING, OrderState.NEW, OrderState.PARTIALLY_FILLED, OrderState.UNKNOWN)
_TERMINAL = {int(OrderState.FILLED), int(OrderState.CANCELLED), int(OrderState.REJECTED), int(OrderState.EXPIRED)}
_TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK, "POST_ONLY": TimeInForce.POST_ONLY}


class OrderNotFound(EngineError, KeyError):
    """No order of this engine has that client order id."""


def make_adapter(config: VenueConfig, order_entry: str = "rest"):
    if config.venue in ("binance-spot", "binance-usdm"):
        from engine.venues.binance.adapter import BinanceAdapter
        return BinanceAdapter(config, order_entry=order_entry)
    if config.venue == "bybit":
        from engine.venues.bybit.adapter import BybitAdapter
        return BybitAdapter(config, order_entry=order_entry)
    raise EngineError(f"{config.venue}: no engine adapter yet (Binance spot/USD-M and Bybit are supported)")


def _raw(value, what: str) -> int:
    """str / Decimal / int -> raw fixed point; floats refused before anything is sent."""
    if isinstance(value, float):
        raise TypeError(f"{what} must be str, Decimal or int, not float (floats are not exact)")
    try:
        raw = from_decimal(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise type(exc)(f"{what}: {exc}") from None
    if raw <= 0:
        raise ValueError(f"{what} must be positive, got {value}")
    return raw


class Engine(StreamApplication, Liveness):
    """One venue account.  Use ``async with engine.connect(venue) as eng`` rather than building it by hand."""

    def __init__(self, config: VenueConfig, *, adapter=None, order_entry: str = "rest",
                 risk_limits: RiskLimits | None = None, breaker: CircuitBreaker | None = None,
                 capacity: int = 65_536, max_instruments: int = 1024, ack_wait_s: float = 2.0,
                 stale_after_s: float = 5.0, retention_s: float = 300.0, alert_threshold_ms: float = 50.0,
                 cancel_all_on_start: bool = False, cancel_on_disconnect_s: float | None = None):
        self.config = config
        self.venue = config.venue
        self.adapter = adapter or make_adapter(config, order_entry)
        self.futures = self.adapter.futures
        self.instruments = Instruments(max_instruments)
        self.book = PositionBook(max_instruments)  # positions by instrument id (positions() gives views)
        self.account = Account(self.instruments, self.book,
                               margin_asset="USDT" if self.futures else None)
        store_venue = self.venue if self.venue != "bybit" else "bybit"
        self.store = OrderStore(capacity, venue=store_venue, ack_timeout_ns=int(stale_after_s * 1e9),
                                retention_ns=int(retention_s * 1e9))
        self.applier: RecordApplier | None = None
        self.risk = RiskEngine(risk_limits or RiskLimits(), self.instruments, self.account, self.book)
        self.breaker = breaker or CircuitBreaker()
        self.breaker.add_listener(self._on_breaker)
        self.bus = EventBus()
        self.metrics = EngineMetrics(int(alert_threshold_ms * 1e6), on_alert=self._on_latency_alert)
        self.reconciler = Reconciler(self)
        self.ack_wait_s = ack_wait_s
        self.cancel_all_on_start = cancel_all_on_start
        self.cancel_on_disconnect_s = cancel_on_disconnect_s
        self._dead_man_armed: set[str] = set()
        self._binance = self.adapter.stream_kind == "binance"
        self._parser = BinanceParser(futures=self.futures) if self._binance else BybitParser()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiters: dict[int, list[asyncio.Future]] = {}
        self._specs: dict[int, OrderSpec] = {}           # slot -> what was sent (for re-send and cancel)
        self._open: dict[int, int] = {}                   # slot -> instrument, for orders not terminal
        self._open_by_inst: dict[int, int] = {}
        self._last_price: dict[int, int] = {}
        self._brackets: dict[int, Any] = {}
        self._dormant: set[int] = set()                 # PENDING by design (pending legs of an order list)
        self._foreign_hook: Callable[[bytes], None] | None = None  # venue-created orders (attached TP/SL)
        self._venue_legs: dict[int, Any] = {}           # slot -> who queries/cancels an order the venue created
        self._adopt_venue_order: Callable[[Any], Any] | None = None  # reconciliation: async VenueOrder -> slot/-1
        self.foreign = ForeignOrders(self)              # orders we did not place, adopted from the stream
        self._child_of = self.foreign.child_of          # child slot -> algo slot (USD-M triggered conditionals)
        self._tasks: set[asyncio.Task] = set()
        self._halted = False
        self._started = False
        self.bad_messages = 0
        self.unresolved = 0

    def __repr__(self) -> str:
        return f"Engine(venue={self.venue!r}, open_orders={len(self._open)}, breaker={self.breaker.state.name})"

    # -- life ------------------------------------------------------------------------------------
    async def start(self) -> "Engine":
        await self.adapter.start(self._on_stream, self._on_reconnected, self._on_disconnected)
        await self.adapter.load_instruments(self.instruments)
        self.applier = RecordApplier(self.store, self.instruments, self.book if self.futures else None)
        self.risk.refresh()
        for symbol, inst in list(self.instruments.ids.items()):
            try:
                px = await self.adapter.last_price(symbol)
            except Exception as exc:  # a missing price only disables price-band checks for now
                log.info("no start price for %s: %s", symbol, exc)
                px = None
            if px:
                self._last_price[inst] = px
        await self.reconciler.run("start")
        if self.cancel_all_on_start:
            await self.cancel_all()
        if self.cancel_on_disconnect_s:
            await self._arm_dead_man()
        self._spawn(self._stale_loop(), "stale-orders")
        self._spawn(self.adapter.rest.clock.run(300.0), "clock-sync")
        self._started = True
        return self

    async def stop(self) -> None:
        for symbol in sorted(self._dead_man_armed):  # a clean stop keeps the orders: disarm the switch
            try:
                await self.adapter.dead_man(symbol, 0)
            except Exception as exc:
                log.warning("disarming the dead-man switch for %s failed: %s", symbol, exc)
        self._dead_man_armed.clear()
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            try:
                await t
            except (asyncio.CancelledError, Exception):
                pass
        await self.adapter.stop()

    async def __aenter__(self) -> "Engine":
        try:
            return await self.start()
        except BaseException:
            await self.adapter.stop()
            raise

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    def _spawn(self, coro, name: str) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- public: orders -----------------------------------------------------------------------------
    async def place_market(self, symbol: str, side: Side | str, qty, *, reduce_only: bool = False,
                           client_tag: str | None = None) -> Order:
        return await self._place(symbol, side, OrderType.MARKET, TimeInForce.TIF_NONE, qty,
                                 reduce_only=reduce_only)

    async def place_limit(self, symbol: str, side: Side | str, qty, price, *, tif: str | TimeInForce = "GTC",
                          post_only: bool = False, reduce_only: bool = False) -> Order:
        tif_v = _TIFS[tif.upper()] if isinstance(tif, str) else TimeInForce(tif)
        if post_only or tif_v == TimeInForce.POST_ONLY:
            return await self._place(symbol, side, OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY, qty, price=price,
                                     reduce_only=reduce_only)
        return await self._place(symbol, side, OrderType.LIMIT, tif_v, qty, price=price, reduce_only=reduce_only)

    async def place_stop_loss(self, symbol: str, side: Side | str, qty, stop_price, *, limit_price=None,
                              reduce_only: bool = False) -> Order:
        if limit_price is None:
            return await self._place(symbol, side, OrderType.STOP_LOSS, TimeInForce.TIF_NONE, qty, stop=stop_price,
                                     reduce_only=reduce_only)
        return await self._place(symbol, side, OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, qty, price=limit_price,
                                 stop=stop_price, reduce_only=reduce_only)

    async def place_take_profit(self, symbol: str, side: Side | str, qty, stop_price, *, limit_price=None,
                                reduce_only: bool = False) -> Order:
        if limit_price is None:
            return await self._place(symbol, side, OrderType.TAKE_PROFIT, TimeInForce.TIF_NONE, qty,
                                     stop=stop_price, reduce_only=reduce_only)
        return await self._place(symbol, side, OrderType.TAKE_PROFIT_LIMIT, TimeInForce.GTC, qty,
                                 price=limit_price, stop=stop_price, reduce_only=reduce_only)

    async def place_trailing_stop(self, symbol: str, side: Side | str, qty, callback_rate, *,
                                  activation_price=None, reduce_only: bool = False) -> Order:
        """Futures trailing stop: ``callback_rate`` in percent (Binance 0.1..10)."""
        if not self.futures or self.venue != "binance-usdm":
            raise EngineError("trailing stops are placed on Binance USD-M futures")
        return await self._place(symbol, side, OrderType.TRAILING_STOP, TimeInForce.TIF_NONE, qty,
                                 stop=activation_price, trailing=callback_rate, reduce_only=reduce_only)

    async def place_bracket(self, symbol: str, side: Side | str, qty, *, entry_price=None, stop_loss, take_profit,
                            native: bool | None = None):
        """An entry with a stop-loss and a take-profit; when one exit fills the other is cancelled.

        Placed natively where the venue supports it (Binance spot OTOCO with a limit entry;
        Bybit linear TP/SL attached on create), managed by the engine elsewhere.

        Parameters
        ----------
        symbol, side, qty :
            The entry.
        entry_price : str, Decimal, int or None
            Limit price of the entry; None for a market entry.
        stop_loss, take_profit : str, Decimal or int
            Exit prices (a buy: stop_loss < entry < take_profit; a sell the other way round).
        native : bool or None
            True: native or an error; False: engine-managed; None: native where supported.

        Returns
        -------
        Bracket or NativeBracket
            Either way with ``entry``, ``stop``, ``take`` views, ``done``, ``wait()`` and ``cancel()``.

        Raises
        ------
        NativeBracketUnsupported
            ``native=True`` where the venue cannot (nothing is sent).
        ValueError, TypeError, RiskRejected
            Bad input or a failed pre-trade check of any leg (nothing is sent).
        """
        from engine.oms.bracket import Bracket
        from engine.oms.native_bracket import NativeBracket, NativeBracketUnsupported, native_support
        side = _side(side)
        impl = native_support(self.adapter) if native is not False else None
        entry_type = OrderType.LIMIT if entry_price is not None else OrderType.MARKET
        if impl is not None and not impl.accepts(entry_type):
            impl = None
        if native and impl is None:
            raise NativeBracketUnsupported(
                f"{self.venue}: no native bracket for a {entry_type.name} entry here; "
                "pass native=None or False for an engine-managed one")
        if impl is not None:
            bracket = NativeBracket(self, impl, symbol, side, qty, entry_price, stop_loss, take_profit)
        else:
            bracket = Bracket(self, symbol, side, qty, entry_price, stop_loss, take_profit)
        await bracket.start()
        return bracket

    async def cancel(self, order: Order | str) -> Order:
        """Cancel one order (by view or client order id).  Cancels pass even when the breaker is open."""
        slot = self._slot_of(order)
        state = self.store.state_of(slot)
        if state in _TERMINAL:
            view = self.order(slot)
            raise OrderNotOpen(self.venue, None, f"order {view.client_order_id} is already {view.state.name}; "
                               "nothing to cancel")
        spec = self._specs[slot]
        leg = self._venue_legs.get(slot)
        try:
            answer = await (leg.cancel_leg(spec) if leg is not None else self.adapter.cancel(spec))
        except (UnknownOrder, OrderNotOpen):
            # the venue does not have it open: it may have filled, or never arrived; ask it
            await self.reconciler.settle(slot)
            if self.store.state_of(slot) in _TERMINAL:
                return self.order(slot)
            raise
        self._apply_answer(answer)
        if self.store.state_of(slot) not in _TERMINAL:
            await self._wait_slot(slot, lambda: self.store.state_of(slot) in _TERMINAL, self.ack_wait_s)
        return self.order(slot)

    async def cancel_all(self, symbol: str | None = None) -> int:
        """Cancel every open order (of ``symbol``, or everywhere we have any); returns how many were open."""
        symbols = [symbol] if symbol else sorted({self.instruments.symbol(i) for i in self._open.values()})
        if symbol is None and not symbols:
            symbols = []
        n = sum(1 for s, i in self._open.items() if symbol is None or self.instruments.symbol(i) == symbol)
        for s in symbols:
            await self.adapter.cancel_all(s)
        deadline = asyncio.get_running_loop().time() + self.ack_wait_s
        while any(symbol is None or self.instruments.symbol(i) == symbol for i in self._open.values()):
            if asyncio.get_running_loop().time() > deadline:
                await self.reconciler.run("cancel_all")
                break
            await asyncio.sleep(0.01)
        return n

    async def amend(self, order: Order | str, *, qty=None, price=None) -> Order:
        """New price and/or quantity.  In place on Binance USD-M and Bybit; on Binance spot by
        cancel-replace, which returns the replacement (a new order with its own client id)."""
        slot = self._slot_of(order)
        if self.store.state_of(slot) in _TERMINAL:
            raise OrderNotOpen(self.venue, None, "cannot amend a finished order")
        qty_raw = _raw(qty, "quantity") if qty is not None else 0
        price_raw = _raw(price, "price") if price is not None else 0
        spec = self._specs[slot]
        o = self.store.order(slot)
        if self.venue == "binance-spot":
            return await self._cancel_replace(slot, spec, qty_raw or o.qty_raw - o.filled_raw,
                                              price_raw or o.price_raw)
        if self.venue == "binance-usdm":  # modify needs both
            qty_raw = qty_raw or o.qty_raw
            price_raw = price_raw or o.price_raw
        answer = await self.adapter.amend(spec, qty_raw, price_raw)
        self.store.amend(slot, qty_raw=qty_raw, price_raw=price_raw, ts_ns=time.time_ns())
        if qty_raw:
            spec.qty_raw = qty_raw
        if price_raw:
            spec.price_raw = price_raw
        if answer is not None:
            self._apply_answer(answer)
        view = self.order(slot)
        self.bus.emit(EventKind.AMENDED, order=view, symbol=view.symbol)
        return view

    async def _cancel_replace(self, slot: int, spec: OrderSpec, qty_raw: int, price_raw: int) -> Order:
        inst = int(self.store.arrays["instrument"][slot])
        self.breaker.check_new_order()
        self.risk.check(inst, spec.side, spec.order_type, qty_raw, price_raw, spec.reduce_only,
                        self._open_by_inst.get(inst, 0) - 1, len(self._open) - 1, self._last_price.get(inst, 0))
        new_slot = self.store.create(inst, spec.side, spec.order_type, spec.tif, qty_raw, price_raw,
                                     stop_price_raw=spec.stop_raw, reduce_only=spec.reduce_only, ts_ns=time.time_ns())
        new = OrderSpec(new_slot, spec.symbol, self.store.client_id(new_slot), spec.side, spec.order_type, spec.tif,
                        qty_raw, price_raw, spec.stop_raw, spec.trailing_raw, spec.reduce_only)
        self._specs[new_slot] = new
        self._track_open(new_slot, inst)
        try:
            cancel_answer, new_answer = await self.adapter.cancel_replace(spec, new)
        except VenueError as exc:
            self.store.reject(new_slot, exc.code if isinstance(exc.code, int) else -1, time.time_ns())
            self._untrack(new_slot)
            raise
        parser = self._parser
        parser.parse(cancel_answer)
        self._apply_answer(parser)
        parser.parse(new_answer)
        self._apply_answer(parser)
        view = self.order(new_slot)
        self.bus.emit(EventKind.AMENDED, order=view, symbol=view.symbol, replaced=spec.client_id)
        return view

    def get_order(self, client_order_id: str) -> Order:
        return self.order(self._slot_of(client_order_id))

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        out = [self.order(s) for s, i in self._open.items()]
        return [o for o in out if symbol is None or o.symbol == symbol]

    def order(self, slot: int) -> Order:
        return make_order(self.store, self.instruments, slot)

    def positions(self) -> dict[str, Position]:
        out = {}
        for symbol, inst in self.instruments.ids.items():
            p = self.book.get(inst)
            if p["size_raw"] or p["realized_raw"]:
                out[symbol] = Position(symbol, to_decimal(p["size_raw"]), to_decimal(p["entry_raw"]),
                                       to_decimal(p["realized_raw"]), to_decimal(p["unrealized_raw"]),
                                       to_decimal(p["fees_raw"]), int(p["leverage"]))
        return out

    def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        """asset -> (free, locked) (futures: (available, wallet)) as last reported by the venue."""
        return {a: (to_decimal(f), to_decimal(l)) for a, (f, l) in self.reconciler.balances.items()}

    def set_last_price(self, symbol: str, price) -> None:
        """Reference price for price-band and notional checks (also updated from our fills)."""
        self._last_price[self._inst(symbol)] = _raw(price, "price")

    def events(self):
        """``async for ev in eng.events()``: every event from now on."""
        return self.bus.stream()

    def on(self, callback: Callable) -> Callable[[], None]:
        """Call ``callback(event)`` synchronously on every event (lowest latency); returns unsubscribe."""
        return self.bus.subscribe(callback)

    def stats(self) -> dict:
        return {"venue": self.venue, "metrics": self.metrics.snapshot(), "store": self.store.counters(),
                "applier": self.applier.counters() if self.applier else {}, "foreign": self.foreign.counters(),
                "breaker": self.breaker.snapshot(),
                "open_orders": len(self._open), "bad_messages": self.bad_messages, "unresolved": self.unresolved,
                "events_dropped": self.bus.dropped, "clock": self.adapter.rest.clock.health()}

    async def halt(self, reason: str = "halt") -> int:
        """Kill switch: refuse new orders from now on and cancel everything open."""
        self._halted = True
        self.breaker.trip(f"halted: {reason}", cooldown_s=10**9)
        n = await self.cancel_all()
        self.bus.emit(EventKind.HALTED, reason=reason, cancelled=n)
        return n

    # -- placement ---------------------------------------------------------------------------------
    def _inst(self, symbol: str) -> int:
        try:
            return self.instruments.id(symbol)
        except (UnknownInstrumentError, KeyError):
            raise UnknownInstrumentError(f"{symbol!r} is not an instrument of {self.venue}") from None

    def _lock(self, inst: int) -> asyncio.Lock:
        lock = self._locks.get(inst)
        if lock is None:
            lock = self._locks[inst] = asyncio.Lock()
        return lock

    async def _place(self, symbol: str, side, order_type: int, tif: int, qty, *, price=None, stop=None,
                     trailing=None, reduce_only: bool = False) -> Order:
        t_call = time.perf_counter_ns()
        inst = self._inst(symbol)
        side = _side(side)
        qty_raw = _raw(qty, "quantity")
        price_raw = _raw(price, "price") if price is not None else 0
        stop_raw = _raw(stop, "stop price") if stop is not None else 0
        trailing_raw = _raw(trailing, "callback rate") if trailing is not None else 0
        if order_type in (OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LOSS_LIMIT,
                          OrderType.TAKE_PROFIT_LIMIT) and not price_raw:
            raise ValueError(f"a {OrderType(order_type).name} order needs a price")
        if order_type in (OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT,
                          OrderType.TAKE_PROFIT_LIMIT) and not stop_raw:
            raise ValueError(f"a {OrderType(order_type).name} order needs a stop price")
        if self._halted:
            raise EngineError("engine halted: no new orders")
        self.breaker.check_new_order()
        last = self._last_price.get(inst, 0)
        self.risk.check(inst, side, order_type, qty_raw, price_raw or stop_raw, reduce_only,
                        self._open_by_inst.get(inst, 0), len(self._open), last)
        slot = self.store.create(inst, side, order_type, tif, qty_raw, price_raw, stop_price_raw=stop_raw,
                                 trailing_delta_raw=trailing_raw, reduce_only=reduce_only, ts_ns=time.time_ns())
        spec = OrderSpec(slot, symbol, self.store.client_id(slot), side, order_type, tif, qty_raw, price_raw,
                         stop_raw, trailing_raw, reduce_only)
        self._specs[slot] = spec
        self._track_open(slot, inst)
        self.metrics.placed += 1
        async with self._lock(inst):  # per-instrument order of placement: held only until the bytes are written
            try:
                pending = await self.adapter.send_place(spec)
            except asyncio.CancelledError:
                return self._unknown(slot, spec, "cancelled before the request was confirmed written")
            except TransportError as exc:
                if exc.sent:
                    return self._unknown(slot, spec, str(exc))
                return self._rejected_locally(slot, exc)
            except VenueError as exc:  # e.g. the limiter: IP banned, or rate limit beyond max wait
                return self._rejected_locally(slot, exc)
            except Exception as exc:  # encoder refused: nothing sent
                return self._rejected_locally(slot, exc)
        self.metrics.record_call_to_wire(time.perf_counter_ns() - t_call)
        try:
            answer = await pending
        except asyncio.CancelledError:
            self._unknown(slot, spec, "the placing task was cancelled with the answer outstanding")
            raise
        except (TransportError, OutcomeUnknown) as exc:
            self.breaker.record_failure(type(exc).__name__)
            self.metrics.count_error(getattr(exc, "code", None) or type(exc).__name__)
            return self._unknown(slot, spec, str(exc))
        except VenueError as exc:
            return self._rejected_by_venue(slot, exc)
        self.metrics.record_round_trip_ack(time.perf_counter_ns() - t_call, spec.client_id)
        self.metrics.acknowledged += 1
        self.breaker.record_success()
        self._apply_answer(answer)
        if order_type == OrderType.MARKET or tif in (TimeInForce.IOC, TimeInForce.FOK):
            # done at once on the venue: return it with its fills (they may follow the answer on the stream)
            await self._wait_slot(slot, lambda: self.store.state_of(slot) in _TERMINAL, self.ack_wait_s)
        elif self.store.state_of(slot) == OrderState.PENDING:
            # Bybit acknowledges receipt only; the state comes on the stream
            await self._wait_slot(slot, lambda: self.store.state_of(slot) != OrderState.PENDING, self.ack_wait_s)
        return self.order(slot)

    def _rejected_locally(self, slot: int, exc: Exception) -> Order:
        self.store.reject(slot, -1, time.time_ns())
        self._untrack(slot)
        self.metrics.rejected += 1
        raise exc

    def _rejected_by_venue(self, slot: int, exc: VenueError) -> Order:
        code = exc.code if isinstance(exc.code, int) else -1
        self.store.reject(slot, code, time.time_ns())
        self._untrack(slot)
        self.metrics.rejected += 1
        self.metrics.count_error(exc.code)
        if is_breaker_failure(exc):
            self.breaker.record_failure(f"{type(exc).__name__} {exc.code}")
        else:
            self.breaker.record_success()  # the venue answered: a rejection is not a venue failure
        if exc.http_status == 418 or type(exc).__name__ == "IpBanned":
            self.breaker.trip("IP banned by the venue", cooldown_s=exc.retry_after or None)
        view = self.order(slot)
        self.bus.emit(EventKind.REJECTED, order=view, symbol=view.symbol, error=str(exc), code=exc.code)
        raise exc

    def _unknown(self, slot: int, spec: OrderSpec, why: str) -> Order:
        if self.store.state_of(slot) != OrderState.PENDING:
            # the stream already told us what became of it: nothing is unknown
            log.info("order %s: answer lost (%s) but the stream already reported it", spec.client_id, why)
            return self.order(slot)
        self.store.mark_unknown(slot, time.time_ns())
        log.warning("order %s: outcome unknown (%s); resolving by its client order id", spec.client_id, why)
        view = self.order(slot)
        self.bus.emit(EventKind.UNKNOWN, order=view, symbol=view.symbol, reason=why)
        self._spawn(self.reconciler.resolve_unknown(slot), f"resolve:{spec.client_id}")
        return view

    # -- bookkeeping -----------------------------------------------------------------------------------
    def _track_open(self, slot: int, inst: int) -> None:
        if slot not in self._open:
            self._open[slot] = inst
            self._open_by_inst[inst] = self._open_by_inst.get(inst, 0) + 1

    def _untrack(self, slot: int) -> None:
        inst = self._open.pop(slot, None)
        if inst is not None:
            self._open_by_inst[inst] -= 1

    def _slot_of(self, order: Order | str) -> int:
        if isinstance(order, Order):
            slot = order.slot
            if self.store.client_id(slot) != order.client_order_id:
                raise OrderNotFound(f"order {order.client_order_id} is no longer in the store")
            return slot
        slot = self.store.find_client_id(order)
        if slot < 0:
            slot = self.foreign.slot_of(order)      # an adopted order, by the venue's client id
        if slot < 0:
            raise OrderNotFound(f"no order with client order id {order!r}")
        return slot

    def open_slots(self) -> list[int]:
        state = self.store.arrays["state"]
        mask = np.isin(state, np.array([int(s) for s in _OPEN_STATES], dtype=state.dtype))
        return [int(s) for s in np.flatnonzero(mask)]


def _side(side) -> Side:
    if isinstance(side, str):
        try:
            return Side[side.upper()]
        except KeyError:
            raise ValueError(f"side must be BUY or SELL, got {side!r}") from None
    return Side(side)
