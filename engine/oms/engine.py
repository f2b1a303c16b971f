"""The Engine: one venue account, asyncio-native, turning intents into orders and keeping the truth.

Data flow (see DESIGN.md): a ``place_*`` call goes through admission (validate, halted,
breaker, risk, record: :mod:`engine.oms.admission`) and is written by the venue adapter
(:mod:`engine.oms.placement`); answers and the user-data stream are parsed in C and
applied in C to the store and positions (:mod:`engine.oms.stream_apply`); events fan out
to callbacks and ``async for`` consumers.

The Engine composes its parts and owns none of their rules:

- :class:`~engine.oms.tracker.OrderTracker`: order bookkeeping (specs, open set, waiters);
- :class:`~engine.oms.admission.Admission`: the one path of a new order before sending;
- :class:`~engine.oms.placement.Placement`: sending, and what each outcome means;
- :class:`~engine.oms.resolve.UnknownResolver`: exactly-once resolution of UNKNOWN orders;
- :class:`~engine.oms.stream_apply.StreamApplier`: answers and stream messages;
- :class:`~engine.oms.reconcile.Reconciler`: the venue's view replacing ours;
- :class:`~engine.oms.liveness.Liveness`: dead-man switch, reconnects, stuck orders;
- :class:`~engine.oms.killswitch.KillSwitch`: ``halt()``.

Exactly-once placement: an order whose answer never comes (timeout, 5xx, dropped
connection, unreadable answer, cancelled task) becomes UNKNOWN, never rejected.  It is
resolved by its client order id; it is sent again only once the venue can no longer
accept the original, and never when it executes at once (unless ``resend_lost="all"``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from typing import Callable

from engine._account import Account
from engine._enums import OrderType, Side, TimeInForce
from engine._fixedpoint import to_decimal
from engine._instruments import Instruments
from engine._order_entry import OrderEntry
from engine._order_gate import OpenCounts, OrderGate
from engine._order_store import OrderStore
from engine._order_writer import AdapterWriter, OrderWriter
from engine._positions import PositionBook
from engine.config import VenueConfig
from engine.errors import EngineError
from engine.oms.account_book import AccountBook
from engine.oms.live import LiveQueries
from engine.oms.admission import Admission, parse_side, parse_tif, to_raw
from engine.oms.breaker import CircuitBreaker
from engine.oms.busy_poll import BusyPoll
from engine.oms.cancel_replace import CancelReplace
from engine.oms.events import EventBus, EventKind
from engine.oms.foreign import ForeignOrders
from engine.oms.killswitch import HaltReport, KillSwitch
from engine.oms.liveness import Liveness
from engine.oms.metrics import EngineMetrics
from engine.oms.placement import Placement
from engine.oms.reconcile import Reconciler
from engine.oms.resolve import UnknownResolver
from engine.oms.risk import RiskEngine, RiskLimits
from engine.oms.stream_apply import StreamApplier
from engine.oms.tracker import TERMINAL_STATES, OrderTracker
from engine.oms.views import Balance, Order, Position, PositionSnapshot, Trade, Withdrawal
from engine.oms.withdrawals import Withdrawals
from engine.transport.errors import TransportError
from engine.venues.base import Capability, OrderSpec
from engine.venues.errors import OrderNotOpen, UnknownOrder, VenueError, is_definite_rejection
from engine.venues.registry import make_adapter

__all__ = ["Engine", "OrderNotFound", "HaltReport"]

log = logging.getLogger("engine.oms")


class OrderNotFound(EngineError, KeyError):
    """No order of this engine has that client order id."""


class Engine:
    """One venue account.  Use ``async with engine.connect(venue) as eng`` rather than building it by hand.

    Parameters (beyond the configuration)
    -------------------------------------
    resend_lost : {"resting", "never", "all"}
        What to do with an order whose answer was lost and that the venue turns out never to
        have had (checked only once the request can no longer be accepted): re-send resting
        orders with the same client id (default), re-send nothing, or re-send everything,
        MARKET/IOC/FOK included.  Not re-sent means the terminal state NOT_PLACED.
    busy_poll : bool
        Keep the event loop from sleeping while the engine runs (:mod:`engine.oms.busy_poll`), and on each of its
        turns run the last order's place path short of the write (``OrderEntry.warm``): that path stays in the
        caches and an order leaves sooner after the call, at the price of the loop's core at 100 %.  For a bot
        on a core of its own; off by default.
    """

    def __init__(self, config: VenueConfig, *, adapter=None, order_entry: str = "rest",
                 risk_limits: RiskLimits | None = None, breaker: CircuitBreaker | None = None,
                 capacity: int = 65_536, max_instruments: int = 1024, ack_wait_s: float = 2.0,
                 stale_after_s: float = 5.0, retention_s: float = 300.0, alert_threshold_ms: float = 50.0,
                 cancel_all_on_start: bool = False, cancel_on_disconnect_s: float | None = None,
                 resend_lost: str = "resting", busy_poll: bool = False):
        self.config = config
        self.venue = config.venue
        self.adapter = adapter or make_adapter(config, order_entry)
        self.sim = None         # the in-process simulator, when connected with engine.connect(..., sim=...)
        self.futures = self.adapter.futures
        self.instruments = Instruments(max_instruments)
        self.book = PositionBook(max_instruments)  # positions by instrument id (positions() gives views)
        self.account = Account(self.instruments, self.book, margin_asset=self.adapter.margin_asset)
        self.store = OrderStore(capacity, venue=self.venue, ack_timeout_ns=int(stale_after_s * 1e9),
                                retention_ns=int(retention_s * 1e9))
        counts = OpenCounts(max_instruments)
        self.tracker = OrderTracker(self.store, self.instruments, counts)
        self.risk = RiskEngine(risk_limits or RiskLimits(), self.instruments, self.account, self.book)
        gate = OrderGate(self.instruments, self.store, self.account, self.book, counts)
        self._gate = gate                                        # (the hot path's admission, one call)
        self.risk.attach_gate(gate)
        self.breaker = breaker or CircuitBreaker()
        self.admission = Admission(self.venue, self.instruments, self.tracker, self.risk, self.breaker, gate)
        self.bus = EventBus()
        self.liveness = Liveness(self)
        self.breaker.add_listener(self.liveness.on_breaker)
        self.metrics = EngineMetrics(int(alert_threshold_ms * 1e6), on_alert=self.liveness.on_latency_alert)
        self.reconciler = Reconciler(self)
        self.account_book = AccountBook(self)       # balances as the venue reports them
        self.live = LiveQueries(self)               # the venue's own word on demand
        self.withdrawals = Withdrawals(self)        # checked, sent once, resolved by client id
        self.stream = StreamApplier(self)
        self.foreign = ForeignOrders(self)          # orders we did not place, adopted from the stream
        self.resolver = UnknownResolver(self, resend=resend_lost)
        self.placement = Placement(self)
        self.replacing = CancelReplace(self)
        # the compiled place and cancel of a plain order: written at once through the venue's compiled writer, or
        # its adapter's Python send_place_now when it has none; a venue that cannot write at once has the base
        # writer (nothing written at once: every order takes its instrument's turn)
        if Capability.WRITE_NOW in self.adapter.capabilities:
            writer = getattr(self.adapter, "order_writer", None)
            writer = writer() if writer is not None else AdapterWriter(self.adapter)
        else:
            writer = OrderWriter()
        self._entry = OrderEntry(self, writer)
        # the compiled entries bound in place of the methods that call them (where the class keeps them, not a
        # subclass's own): ``await eng.place_limit(...)`` runs no Python frame of the engine's
        for name, compiled in (("submit_limit", self._entry.submit_limit),
                               ("place_limit", self._entry.engine_place_limit),
                               ("place_market", self._entry.engine_place_market),
                               ("cancel", self._entry.engine_cancel),
                               ("amend", self._entry.engine_amend)):
            if getattr(type(self), name) is getattr(Engine, name):
                setattr(self, name, compiled)
        self.kill_switch = KillSwitch(self)
        self.ack_wait_s = ack_wait_s
        self.cancel_all_on_start = cancel_all_on_start
        self.cancel_on_disconnect_s = cancel_on_disconnect_s
        self.tasks: set[asyncio.Task] = set()
        self._reconciling: asyncio.Task | None = None
        self._started = False
        self.busy_poll = None                                   # the loop kept from sleeping while running
        if busy_poll:
            self._entry.warming = True
            self.busy_poll = BusyPoll(warm=self._entry.warm)

    def __repr__(self) -> str:
        return (f"Engine(venue={self.venue!r}, open_orders={self.tracker.open_count()}, "
                f"breaker={self.breaker.state.name})")

    # -- life ------------------------------------------------------------------------------------
    async def start(self) -> "Engine":
        liveness = self.liveness
        await self.adapter.start(self.stream.loop.run, liveness.on_reconnected, liveness.on_disconnected)
        await self.adapter.load_instruments(self.instruments)
        self.stream.start()
        self.risk.refresh()
        for symbol, inst in list(self.instruments.ids.items()):
            try:
                px = await self.adapter.last_price(symbol)
            except Exception as exc:  # a missing price only disables price-band checks for now
                log.info("no start price for %s: %s", symbol, exc)
                px = None
            if px:
                self.admission.set_reference(inst, px)
        await self.reconciler.run("start")
        if self.cancel_all_on_start:
            await self.cancel_all()
        if self.cancel_on_disconnect_s:
            await liveness.arm_dead_man(self.cancel_on_disconnect_s)
        self.spawn(liveness.stale_loop(), "stale-orders")
        self.spawn(self.adapter.clock.run(300.0), "clock-sync")
        if self.busy_poll is not None:
            self.busy_poll.start(asyncio.get_running_loop())
        self._started = True
        return self

    async def stop(self) -> None:
        if self.busy_poll is not None:
            self.busy_poll.stop()
        await self.liveness.disarm_dead_man()
        for t in list(self.tasks):
            t.cancel()
        for t in list(self.tasks):
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

    def spawn(self, coro, name: str) -> asyncio.Task:
        """A background task of this engine (cancelled by :meth:`stop`)."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("engine task %s failed: %s: %s", task.get_name(), type(task.exception()).__name__,
                      task.exception())

    def request_reconciliation(self, reason: str) -> None:
        """Reconcile soon (once, however many ask while one is pending)."""
        if self._reconciling is not None and not self._reconciling.done():
            return
        if not self._started:
            return
        self._reconciling = self.spawn(self._reconcile_soon(reason), f"reconcile:{reason}")

    async def _reconcile_soon(self, reason: str) -> None:
        await asyncio.sleep(0.05)
        try:
            await self.reconciler.run(reason)
        except (TransportError, VenueError) as exc:
            log.warning("reconciliation (%s) failed: %s", reason, exc)

    def unexpected_execution(self, view: Order | None, reason: str) -> None:
        """Alarm: the venue executed something the engine had not counted on (its fill is applied)."""
        log.error("UNEXPECTED EXECUTION%s: %s; breaker tripped",
                  f" of {view.client_order_id}" if view is not None else "", reason)
        self.metrics.unexpected_executions += 1
        self.bus.emit(EventKind.UNEXPECTED_EXECUTION, order=view, symbol=view.symbol if view else None,
                      reason=reason)
        self.breaker.trip(f"unexpected execution: {reason}")

    # -- public: orders -----------------------------------------------------------------------------
    async def place_market(self, symbol: str, side: Side | str, qty, *, reduce_only: bool = False,
                           client_tag: str | None = None) -> Order:
        """A market order.  ``client_tag``, on every ``place_*``: a short readable tag leading the order's
        client id (``grid7-...``) within the venue's id rules (characters, length: a ``ValueError`` names
        the limit), so the venue's own records say which part of a bot placed it."""
        # (an Engine whose class keeps this method has the compiled OrderEntry.engine_place_market bound in its
        # place, in __init__, so this frame is skipped; a subclass's own place_market reaches it through super())
        return await self._entry.engine_place_market(symbol, side, qty, reduce_only=reduce_only,
                                                     client_tag=client_tag)

    async def place_market_admitted(self, symbol, side, qty, reduce_only, client_tag, t_call) -> Order:
        """:meth:`place_market` of an order the compiled gate did not take whole: a tagged order the gate
        admits, else the full path (every typed error)."""
        if client_tag is not None:
            adm = self.admission
            spec = adm.fast_market(symbol, side, qty, reduce_only, client_tag)
            if spec is not None:
                return await self.placement.place(spec, adm.gate.inst, t_call)
        return await self._place(symbol, side, OrderType.MARKET, TimeInForce.TIF_NONE, qty,
                                 reduce_only=reduce_only, client_tag=client_tag, t_call=t_call)

    async def place_limit(self, symbol: str, side: Side | str, qty, price, *, tif: str | TimeInForce = "GTC",
                          post_only: bool = False, reduce_only: bool = False, client_tag: str | None = None) -> Order:
        """A limit order: ``tif`` GTC, IOC, FOK or POST_ONLY (``post_only=True`` is the same as POST_ONLY;
        with IOC or FOK it is refused: an order cannot both rest only and never rest)."""
        # (bound in its place as :meth:`place_market` is: OrderEntry.engine_place_limit)
        return await self._entry.engine_place_limit(symbol, side, qty, price, tif=tif, post_only=post_only,
                                                    reduce_only=reduce_only, client_tag=client_tag)

    async def place_admitted(self, symbol, side, qty, price, tif, post_only, reduce_only, client_tag, t_call) -> Order:
        """:meth:`place_limit` of an order the compiled gate did not take whole: admitted by the full path
        (every typed error), recorded, placed."""
        spec, inst = self._admit_limit(symbol, side, qty, price, tif, post_only, reduce_only, client_tag)
        return await self.placement.place(spec, inst, t_call)

    def submit_limit(self, symbol: str, side: Side | str, qty, price, *, tif: str | TimeInForce = "GTC",
                     post_only: bool = False, reduce_only: bool = False, client_tag: str | None = None) -> str:
        """:meth:`place_limit` without awaiting: returns the order's client order id as soon as it is
        recorded, with its bytes already written where the venue allows (``Capability.WRITE_NOW``: its
        connection open and its rate budget with room; else written by a task at once).  Call it from
        the event loop's thread.

        Every check and typed error of :meth:`place_limit` is raised here, before anything is sent.
        Nothing is returned later: the outcome comes as events (:meth:`on`: ``accepted``, ``filled``,
        ``rejected``, ``unknown``/``resolved``, ...) and :meth:`get_order` reads the order any time.
        Use it where the moment the order leaves matters most (a quote refreshed on every tick);
        ``await place_limit`` where the bot's next step needs the venue's answer.
        """
        # (an Engine whose class keeps this method has the compiled OrderEntry.submit_limit bound in its place,
        # in __init__, so this frame is skipped; a subclass's own submit_limit reaches it through super())
        return self._entry.submit_limit(symbol, side, qty, price, tif=tif, post_only=post_only,
                                        reduce_only=reduce_only, client_tag=client_tag)

    def submit_admitted(self, symbol, side, qty, price, tif, post_only, reduce_only, client_tag, t_call) -> str:
        """:meth:`submit_limit` of an order the compiled gate did not take whole: admitted by the full path
        (every typed error), recorded, submitted."""
        spec, inst = self._admit_limit(symbol, side, qty, price, tif, post_only, reduce_only, client_tag)
        self.placement.submit(spec, inst, t_call)
        return spec.client_id

    def _admit_limit(self, symbol, side, qty, price, tif, post_only, reduce_only, client_tag) -> tuple:
        """(spec, instrument) of an admitted, recorded limit order the compiled gate did not take whole (a
        tagged order the gate admits, else the full path, which raises every typed error)."""
        adm = self.admission
        spec = None
        if client_tag is not None:
            spec = adm.fast_limit(symbol, side, qty, price, tif, post_only, reduce_only, client_tag)
        if spec is not None:
            return spec, adm.gate.inst
        order_type, tif_v = self._limit_kind(tif, post_only)
        inst, side, qty_raw, price_raw, stop_raw, trailing_raw = adm.validate(symbol, side, order_type, tif_v, qty,
                                                                             price, None, None, client_tag)
        return adm.admit(symbol, inst, side, order_type, tif_v, qty_raw, price_raw, stop_raw, trailing_raw,
                         reduce_only, client_tag=client_tag), inst

    @staticmethod
    def _limit_kind(tif, post_only: bool) -> tuple[int, int]:
        """(order type, time in force) of a limit order's ``tif`` and ``post_only`` (ValueError if they clash)."""
        tif_v = parse_tif(tif)
        if post_only and tif_v in (TimeInForce.IOC, TimeInForce.FOK):
            raise ValueError(f"post_only=True with tif={tif_v.name!r} contradict each other: a post-only order "
                             f"only rests, an {tif_v.name} order never rests; choose one")
        if post_only or tif_v == TimeInForce.POST_ONLY:
            return OrderType.LIMIT_MAKER, TimeInForce.POST_ONLY
        return OrderType.LIMIT, tif_v

    async def place_stop_loss(self, symbol: str, side: Side | str, qty, stop_price, *, limit_price=None,
                              reduce_only: bool = False, client_tag: str | None = None) -> Order:
        self._require_stop_orders()
        if limit_price is None:
            return await self._place(symbol, side, OrderType.STOP_LOSS, TimeInForce.TIF_NONE, qty, stop=stop_price,
                                     reduce_only=reduce_only, client_tag=client_tag)
        return await self._place(symbol, side, OrderType.STOP_LOSS_LIMIT, TimeInForce.GTC, qty, price=limit_price,
                                 stop=stop_price, reduce_only=reduce_only, client_tag=client_tag)

    async def place_take_profit(self, symbol: str, side: Side | str, qty, stop_price, *, limit_price=None,
                                reduce_only: bool = False, client_tag: str | None = None) -> Order:
        self._require_stop_orders()
        if limit_price is None:
            return await self._place(symbol, side, OrderType.TAKE_PROFIT, TimeInForce.TIF_NONE, qty,
                                     stop=stop_price, reduce_only=reduce_only, client_tag=client_tag)
        return await self._place(symbol, side, OrderType.TAKE_PROFIT_LIMIT, TimeInForce.GTC, qty,
                                 price=limit_price, stop=stop_price, reduce_only=reduce_only, client_tag=client_tag)

    def _require_stop_orders(self, what: str = "stop-loss and take-profit orders") -> None:
        if Capability.STOP_ORDERS not in self.adapter.capabilities:
            raise EngineError(f"{self.venue} has no {what} (nothing was sent)")

    async def place_trailing_stop(self, symbol: str, side: Side | str, qty, callback_rate, *,
                                  activation_price=None, reduce_only: bool = False,
                                  client_tag: str | None = None) -> Order:
        """Trailing stop: ``callback_rate`` in percent (the venue's range applies), armed at ``activation_price``."""
        if Capability.TRAILING_STOP not in self.adapter.capabilities:
            raise EngineError(f"{self.venue} has no trailing-stop orders")
        return await self._place(symbol, side, OrderType.TRAILING_STOP, TimeInForce.TIF_NONE, qty,
                                 stop=activation_price, trailing=callback_rate, reduce_only=reduce_only,
                                 client_tag=client_tag)

    async def place_join(self, symbol: str, side: Side | str, qty, *, reduce_only: bool = False,
                         client_tag: str | None = None) -> Order:
        """Join the touch: a BUY rests at the venue's best bid (``OrderType.JOIN_BID``), a SELL at its best
        ask (``JOIN_ASK``), priced by the venue when it arrives; the order's price is the one the venue
        reports.  Valued by the risk checks at the reference price, like a market order (none known:
        ``RiskRejected``, rule ``no_price``).  Where the venue has no such order
        (``Capability.JOIN_ORDERS``) an :class:`EngineError` is raised and nothing is sent."""
        if Capability.JOIN_ORDERS not in self.adapter.capabilities:
            raise EngineError(f"{self.venue} has no join bid / join ask orders (nothing was sent); "
                              "place a limit order at the price you want instead")
        side = parse_side(side)
        order_type = OrderType.JOIN_BID if side == Side.BUY else OrderType.JOIN_ASK
        return await self._place(symbol, side, order_type, TimeInForce.GTC, qty, reduce_only=reduce_only,
                                 client_tag=client_tag)

    async def place_protective(self, symbol: str, side: Side | str, order_type: int, qty_raw: int, *,
                               price_raw: int = 0, stop_raw: int = 0, reduce_only: bool = False,
                               client_tag: str | None = None) -> Order:
        """An order that takes risk off (a bracket's exit, a market order closing an unprotected part of
        a position): the same checks as any order, but it passes an open circuit breaker, as cancels do
        (the kill switch still refuses it).  Raw fixed-point quantity and prices."""
        t_call = time.perf_counter_ns()
        adm = self.admission
        inst = adm.instrument(symbol)
        side = parse_side(side)
        tif = TimeInForce.GTC if order_type in (OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT,
                                                OrderType.TAKE_PROFIT_LIMIT) else TimeInForce.TIF_NONE
        adm.check_client_tag(client_tag)
        spec = adm.admit(symbol, inst, side, order_type, tif, qty_raw, price_raw, stop_raw, 0, reduce_only,
                         protective=True, client_tag=client_tag)
        return await self.placement.place(spec, inst, t_call)

    async def place_bracket(self, symbol: str, side: Side | str, qty, *, entry_price=None, stop_loss, take_profit,
                            native: bool | None = None, on_exit_failure: str = "flatten",
                            client_tag: str | None = None):
        """An entry with a stop-loss and a take-profit; when one exit fills the other is cancelled.

        Placed natively where the venue supports it (``Capability.NATIVE_BRACKETS``: an order list,
        or exits attached to the entry), managed by the engine elsewhere.

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
        on_exit_failure : {"flatten", "alert"}
            Engine-managed brackets: what to do when an exit cannot be placed (see
            :mod:`engine.oms.bracket`): close that part with a reduce-only market order
            (default), or only say so (event ``bracket_exit_failed`` either way).
        client_tag : str or None
            Leads the client id of every leg (see :meth:`place_market`).

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
        side = parse_side(side)
        self.admission.check_client_tag(client_tag)
        impl = native_support(self.adapter) if native is not False else None
        entry_type = OrderType.LIMIT if entry_price is not None else OrderType.MARKET
        if impl is not None and not impl.accepts(entry_type):
            impl = None
        if native and impl is None:
            raise NativeBracketUnsupported(
                f"{self.venue}: no native bracket for a {entry_type.name} entry here; "
                "pass native=None or False for an engine-managed one")
        if impl is not None:
            bracket = NativeBracket(self, impl, symbol, side, qty, entry_price, stop_loss, take_profit,
                                    client_tag=client_tag)
        else:
            self._require_stop_orders("stop orders, which an engine-managed bracket's stop-loss needs")
            bracket = Bracket(self, symbol, side, qty, entry_price, stop_loss, take_profit,
                              on_exit_failure=on_exit_failure, client_tag=client_tag)
        await bracket.start()
        return bracket

    async def cancel(self, order: Order | str) -> Order:
        """Cancel one order (by view or client order id).  Cancels pass even when the breaker is open."""
        # (bound in its place as :meth:`place_market` is: OrderEntry.engine_cancel)
        return await self._entry.engine_cancel(order)

    async def cancel_through_adapter(self, order: Order | str) -> Order:
        """:meth:`cancel` of an order the compiled entry does not write (a bracket's leg, an adopted order, one
        unknown or already finished: the typed error, the writer not ready): through the venue's adapter."""
        tracker, store = self.tracker, self.store
        slot = self.slot_of(order)
        if store.state_of(slot) in TERMINAL_STATES:
            view = self.order(slot)
            raise OrderNotOpen(self.venue, None, f"order {view.client_order_id} is already {view.state.name}; "
                               "nothing to cancel")
        spec, leg = tracker.spec_and_leg(slot)
        try:
            answer = await (leg.cancel_leg(spec) if leg is not None else self.adapter.cancel(spec))
        except (UnknownOrder, OrderNotOpen) as exc:
            return await self.cancel_refused(slot, exc)
        stream = self.stream
        status = stream.loop.answer(answer)         # -1: finished in C
        if status >= 0:
            stream.finish_answer(answer, status)
        if store.state_of(slot) not in TERMINAL_STATES:
            await tracker.wait(slot, lambda: tracker.is_terminal(slot), self.ack_wait_s)
        return tracker.view(slot)

    async def cancel_refused(self, slot: int, exc: Exception) -> Order:
        """A cancel the venue answered with ``exc``: when it does not have the order open (``UnknownOrder``,
        ``OrderNotOpen``), the order may have filled or never arrived: asked, and its view returned once
        finished; else (and when still open) ``exc`` raised."""
        if isinstance(exc, (UnknownOrder, OrderNotOpen)):
            await self.reconciler.settle(slot)
            if self.tracker.is_terminal(slot):
                return self.order(slot)
        raise exc

    async def cancel_all(self, symbol: str | None = None) -> int:
        """Cancel every open order of ``symbol`` (or everywhere the account has any: the venue's open-order
        lists and ours); returns how many were open."""
        tracker = self.tracker
        if symbol is not None:
            self.admission.instrument(symbol)
            symbols = {symbol}
        else:
            symbols = tracker.open_symbols()
            try:
                symbols |= {vo.symbol for vo in await self.adapter.open_orders()}
            except (TransportError, VenueError) as exc:
                log.warning("cancel_all: the venue's open orders could not be read (%s); cancelling ours", exc)
        mine = lambda: [s for s, i in tracker.open_items() if symbol is None or self.instruments.symbol(i) == symbol]
        n = len(mine())
        for s in sorted(symbols):
            try:
                await self.adapter.cancel_all(s)
            except UnknownOrder:
                pass
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ack_wait_s
        while any(not tracker.is_dormant(s) for s in mine()):
            if loop.time() > deadline:
                await self.reconciler.run("cancel_all")
                break
            await asyncio.sleep(0.01)
        return n

    async def amend(self, order: Order | str, *, qty=None, price=None) -> Order:
        """New price and/or quantity, under the same checks as a placement (the instrument's filters, the
        user's risk limits, balance or margin for what the amendment adds).

        In place where the venue amends orders; elsewhere by cancel-replace, which returns the
        *replacement*: a new order with its own client id (keep the returned order; the old one ends).
        Where the venue amends by cancel-replace but lowers a quantity in place (its capability
        AMEND_QTY_DOWN), a quantity lowered with the price kept is amended in place: the same order, its client
        id and its place in the queue kept.

        Raises
        ------
        ValueError, TypeError
            No new value, a value like the order's own (nothing would change), a quantity at or below
            what has filled, bad input.
        RiskRejected
            A check the amended order fails (nothing is sent).
        OrderNotOpen
            The order has ended (or was replaced by an earlier amend: the message names the replacement).
        VenueError
            The venue's refusal (counted); one saying it has no such open order (``UnknownOrder``) also
            has the order asked for, so its end is known even when its stream message was lost.
        """
        # (bound in its place as :meth:`place_market` is: OrderEntry.engine_amend)
        return await self._entry.engine_amend(order, qty=qty, price=price)

    async def amend_through_adapter(self, order: Order | str, qty, price) -> Order:
        """:meth:`amend` of what the compiled entry does not write now (a cancel-replace, an order the gate
        does not judge whole, one finished or unknown: the typed error): the engine's path, through the
        venue's adapter."""
        slot = self.slot_of(order)
        tracker = self.tracker
        if tracker.is_terminal(slot):
            view = self.order(slot)
            successor = tracker.replacement_of(slot)
            if successor is not None:
                raise OrderNotOpen(self.venue, None, f"order {view.client_order_id} was replaced by "
                                   f"{self.store.client_id(successor)} when it was amended ({self.venue} amends by "
                                   "cancel-replace): amend the order amend() returned")
            raise OrderNotOpen(self.venue, None, f"cannot amend order {view.client_order_id}: it is already "
                               f"{view.state.name}")
        qty_raw, price_raw, new_qty, new_price = self.admission.amendment(slot, qty, price)
        spec = tracker.spec(slot)
        o = self.store.order(slot)
        caps = self.adapter.capabilities
        spec.qty_raw, spec.price_raw = o.qty_raw, o.price_raw      # (as the venue last said: its stream too)
        if Capability.AMEND_IN_PLACE not in caps:
            if Capability.AMEND_QTY_DOWN in caps and new_price == o.price_raw and new_qty < o.qty_raw:
                qty_raw, price_raw = new_qty, 0             # lowered in place, its queue priority kept
            elif Capability.CANCEL_REPLACE not in caps:
                raise EngineError(f"{self.venue} can neither amend nor cancel-replace an order")
            else:
                return await self._cancel_replace(slot, spec, new_qty - o.filled_raw, new_price)
        try:
            answer = await self.adapter.amend(spec, qty_raw, price_raw)
        except VenueError as exc:
            self.amend_refused(slot, exc)
            raise
        return self._entry.amended(spec, answer, qty_raw, price_raw)

    def amend_refused(self, slot: int, exc: VenueError) -> None:
        """An amendment's answer was the venue's error: counted, and as refused when the venue documents it as
        a refusal (the order stays as it was; an unknown outcome is not one: the stream says what happened).
        When the venue says it has no such open order (it filled or ended before the stream told us), the
        order is asked for, in the background."""
        self.metrics.count_error(exc.code if exc.code is not None else type(exc).__name__)
        if is_definite_rejection(exc):
            self.metrics.amend_rejected += 1
        if isinstance(exc, UnknownOrder) and not self.tracker.is_terminal(slot):
            self.spawn(self.reconciler.settle(slot), f"settle:{self.store.client_id(slot)}")

    async def _cancel_replace(self, slot: int, spec: OrderSpec, qty_raw: int, price_raw: int) -> Order:
        """Amend by cancel-replace (:mod:`engine.oms.cancel_replace`): the replacement admitted like any order
        (it replaces one, so the open-order counts do not grow), then sent."""
        inst = int(self.store.arrays["instrument"][slot])
        new = self.admission.admit(spec.symbol, inst, spec.side, spec.order_type, spec.tif, qty_raw, price_raw,
                                   spec.stop_raw, spec.trailing_raw, spec.reduce_only, replacing=1,
                                   client_tag=self.store.client_tag(slot) or None)
        return await self.replacing.send(slot, spec, new)

    def get_order(self, client_order_id: str) -> Order:
        return self.order(self.slot_of(client_order_id))

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        out = [self.order(s) for s in self.tracker.open_slots()]
        return [o for o in out if symbol is None or o.symbol == symbol]

    def order(self, slot: int) -> Order:
        return self.tracker.view(slot)

    def positions(self) -> dict[str, Position]:
        out = {}
        for symbol in self.instruments.ids:
            p = self.position_of(symbol)
            if p is not None:
                out[symbol] = p
        return out

    def position_of(self, symbol: str) -> Position | None:
        """The position in ``symbol`` as :meth:`positions` has it (None: flat, nothing realised)."""
        p = self.book.get(self.admission.instrument(symbol))      # (an unknown symbol: a typed error)
        if p["size_raw"] or p["realized_raw"]:
            return Position(symbol, to_decimal(p["size_raw"]), to_decimal(p["entry_raw"]),
                            to_decimal(p["realized_raw"]), to_decimal(p["unrealized_raw"]),
                            to_decimal(p["fees_raw"]), int(p["leverage"]))
        return None

    def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        """asset -> (free, locked) (futures: (available, wallet)) as last reported by the venue."""
        return {a: (to_decimal(f), to_decimal(l)) for a, (f, l) in self.account_book.balances.items()}

    # -- public: the venue's own word (live queries, never cached; engine.oms.live) ------------------------
    async def fetch_balances(self, *, reconcile: bool = True) -> dict[str, Balance]:
        """The account's balances as the venue reports them now (one request)."""
        return await self.live.balances(reconcile=reconcile)

    async def fetch_order(self, order: Order | str, *, reconcile: bool = True) -> Order | None:
        """One order of ours as the venue reports it now (None: the venue has no such order)."""
        return await self.live.order(order, reconcile=reconcile)

    async def fetch_open_orders(self, symbol: str | None = None, *, reconcile: bool = True) -> list[Order]:
        """Every open order the venue lists now (ours and any other), for ``symbol`` or all."""
        return await self.live.open_orders(symbol, reconcile=reconcile)

    async def fetch_order_history(self, symbol: str, since=None, limit: int = 500) -> list[Order]:
        """Orders of ``symbol`` the venue keeps (open and closed), oldest first; ``since``: an aware datetime
        or ms since the epoch; ``limit`` within the venue's page where it does not page."""
        return await self.live.order_history(symbol, since, limit)

    async def fetch_trades(self, symbol: str, since=None, limit: int = 500) -> list[Trade]:
        """The account's executions of ``symbol`` with their fees, oldest first (as fetch_order_history)."""
        return await self.live.trades(symbol, since, limit)

    async def fetch_positions(self, *, reconcile: bool = True) -> dict[str, PositionSnapshot]:
        """Derivatives positions as the venue reports them now ({} on spot accounts)."""
        return await self.live.positions(reconcile=reconcile)

    # -- public: withdrawals (engine.oms.withdrawals; checks in engine.oms.withdraw_checks) -----------------
    async def withdraw(self, asset: str, amount, address: str, network: str, memo: str | None = None,
                       client_id: str | None = None) -> Withdrawal:
        """Withdraw ``amount`` of ``asset`` to ``address`` on ``network`` (the venue's network name).

        Every check runs before anything is sent: the engine's allow-list (empty by default: no
        withdrawal allowed), the network (exists, enabled), the amount (minimum, maximum, step),
        the address and memo (the network's rules), the venue's address book where it keeps one,
        your daily limit, the free balance (amount + fee).  Sent once, never retried: a lost answer
        returns the withdrawal UNKNOWN and it is resolved by its client id.  A second call with the
        client id of a withdrawal already made returns that one and sends nothing.

        Raises
        ------
        WithdrawalRefused
            (a subclass per check, ``.rule`` naming it) a check refused it; nothing was sent.
        TypeError, ValueError
            Bad input (a float amount, a client id outside 1-32 of ``0-9A-Za-z_.-``).
        VenueError
            The venue's documented refusal (``WithdrawalRejected``, ``InsufficientFunds``...): nothing exists.
        """
        return await self.withdrawals.withdraw(asset, amount, address, network, memo, client_id)

    async def withdrawal_status(self, id_or_client_id: str) -> Withdrawal:
        """One withdrawal as the venue reports it now (by our client id or the venue's id)."""
        return await self.withdrawals.status(id_or_client_id)

    async def withdrawal_history(self, asset: str | None = None, since=None, limit: int = 1000) -> list[Withdrawal]:
        """The account's withdrawals the venue lists (``since``: an aware datetime or ms), oldest first."""
        return await self.withdrawals.history(asset, since, limit)

    async def withdrawal_networks(self, asset: str, *, refresh: bool = False) -> list:
        """The networks ``asset`` can be withdrawn on (fee, minimum, maximum, step, address rules), from the
        venue's coin configuration, cached for 5 minutes (``refresh=True`` asks the venue again)."""
        return await self.withdrawals.networks(asset, refresh=refresh)

    async def cancel_withdrawal(self, id_or_client_id: str) -> Withdrawal:
        """Cancel a withdrawal the venue still holds, where the venue offers it."""
        return await self.withdrawals.cancel(id_or_client_id)

    def set_last_price(self, symbol: str, price) -> None:
        """Reference price for price-band and notional checks (also updated from our fills)."""
        self.admission.set_reference(self.admission.instrument(symbol), to_raw(price, "price"))

    def events(self):
        """``async for ev in eng.events()``: every event from now on."""
        return self.bus.stream()

    def on(self, callback: Callable, kinds=None) -> Callable[[], None]:
        """Call ``callback(event)`` synchronously on every event (lowest latency), or only on those of
        ``kinds`` (e.g. ``{EventKind.ACCEPTED, EventKind.FILLED}``: the engine then makes no event, and
        no Python object, for the rest, such as the balance messages nobody asked for); returns
        unsubscribe."""
        return self.bus.subscribe(callback, kinds)

    def stats(self) -> dict:
        return {"venue": self.venue, "metrics": self.metrics.snapshot(), "store": self.store.counters(),
                "applier": self.stream.applier.counters() if self.stream.applier else {},
                "stream_loop": self.stream.loop_counters(),
                "foreign": self.foreign.counters(), "breaker": self.breaker.snapshot(),
                "resolution": self.resolver.counters(),
                "open_orders": self.tracker.open_count(), "bad_messages": self.bad_messages,
                "unresolved": self.unresolved, "unexpected": self.stream.unexpected,
                "events_dropped": self.bus.dropped, "live_differences": self.live.differences,
                "withdrawals": self.withdrawals.counters(),
                "clock": self.adapter.clock.health(),
                "busy_poll": None if self.busy_poll is None else {
                    "running": self.busy_poll.running, "warming": self._entry.warming,
                    "warm_failures": self._entry.warm_failures}}

    @property
    def bad_messages(self) -> int:
        """Unreadable stream and account messages (each counted, logged and followed by reconciliation)."""
        return self.stream.bad_messages + self.account_book.bad_messages

    @property
    def unresolved(self) -> int:
        return self.resolver.unresolved

    @property
    def halted(self) -> bool:
        return self.admission.halted

    async def halt(self, reason: str = "halt", timeout_s: float = 30.0) -> HaltReport:
        """Kill switch: refuse new orders from now on, stop every re-send, cancel everything open at the
        venue until flat (see :mod:`engine.oms.killswitch`); returns what was done and what is left."""
        return await self.kill_switch.halt(reason, timeout_s)

    # -- placement ---------------------------------------------------------------------------------
    async def _place(self, symbol: str, side, order_type: int, tif: int, qty, *, price=None, stop=None,
                     trailing=None, reduce_only: bool = False, client_tag: str | None = None,
                     t_call: int = 0) -> Order:
        t_call = t_call or time.perf_counter_ns()
        adm = self.admission
        inst, side, qty_raw, price_raw, stop_raw, trailing_raw = adm.validate(symbol, side, order_type, tif, qty,
                                                                             price, stop, trailing, client_tag)
        spec = adm.admit(symbol, inst, side, order_type, tif, qty_raw, price_raw, stop_raw, trailing_raw,
                         reduce_only, client_tag=client_tag)
        return await self.placement.place(spec, inst, t_call)

    def slot_of(self, order: Order | str) -> int:
        """The store slot of an order of ours (by view or client order id)."""
        if isinstance(order, Order):
            slot = order.slot
            if self.store.client_id(slot) != order.client_order_id:
                raise OrderNotFound(f"order {order.client_order_id} is no longer in the store")
            return slot
        if not isinstance(order, str):
            raise TypeError(f"expected an Order or its client order id (str), got {type(order).__name__} "
                            f"{order!r}; a venue's own order id is not accepted here")
        slot = self.store.find_client_id(order)
        if slot < 0:
            slot = self.foreign.slot_of(order)      # an adopted order, by the venue's client id
        if slot < 0:
            raise OrderNotFound(f"no order with client order id {order!r}")
        return slot

    def open_slots(self) -> list[int]:
        return self.tracker.live_slots()
