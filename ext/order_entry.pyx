# cython: binding=True
"""The engine's compiled order entry: ``Engine.place_limit``, ``place_market``, ``cancel``, ``amend`` and
``submit_limit`` of a plain order, from the bot's arguments to the bytes on the socket and back, without a
Python frame of the order manager; and the same write at once, answer and view for every other order the
full admission recorded (``place_spec``, :meth:`Placement.place`'s).

What it runs, for an order the compiled admission takes whole (:class:`~engine._order_gate.OrderGate`:
a LIMIT / LIMIT_MAKER / MARKET without a tag), through the venue's
:class:`~engine._order_writer.OrderWriter` (compiled: Binance, Bybit; a venue that writes at once in Python:
:class:`~engine._order_writer.AdapterWriter` over the adapter's ``send_place_now``; any other venue: the base
writer, which writes nothing at once, so its orders take their instrument's turn in ``Placement``):

1. admission, the store slot and the spec (``OrderGate.limit_spec``: every check, every typed error);
2. the write at once (``OrderWriter.write_place``: encode, sign, rate budget, socket), counted
   (``placed``, the ``call_to_wire`` histogram);
3. the answer awaited in a compiled coroutine, read by the venue's compiled parser
   (``OrderWriter.read_place``), applied by the compiled stream loop (``RecordLoop.answer``),
   counted (``acknowledged``, ``round_trip_ack``, the slow-placement alert, the breaker's success);
4. the order's view made in C.

Every acknowledged order is counted and applied by :meth:`OrderEntry.acknowledged`, whichever path wrote it.

Everything else is :class:`engine.oms.placement.Placement`'s, unchanged, and this module hands it
over rather than repeat it: an order of an instrument whose turn is taken (orders leave in their
placing order), a writer that cannot write now (the connection not open, the rate budget full), a
write that failed (rule 1, or UNKNOWN when the bytes may have left), an answer that is an error
(a documented rejection rejects, everything else is UNKNOWN), a cancelled wait (UNKNOWN, never
re-sent), an order that still waits for the stream to show its state.  So the exactly-once rules
keep one owner.

A cancel is the same: the order found by view or client id, its cancel written at once by the
writer, the answer read and applied, the view returned; an order led by someone else (a bracket's
leg), a cancel that cannot be written now, and a venue that says the order is not open take the
engine's Python path.

An amendment is the same where the venue amends in place (``OrderWriter.write_amend``: Binance USD-M,
Bybit): judged whole by the compiled gate (``OrderGate.amend_pass``), written at once, the answer read;
a refusal counted and raised, a lost answer raised as it came (nothing is re-sent: the order's stream
says what the venue did, and the store follows it).  Where the venue amends by cancel-replace (Binance
spot: ``OrderWriter.replaces``), the gate also admits the replacement (``OrderGate.replace_spec``), the
request is written at once (``write_replace``) and each leg's answer applied (:meth:`OrderEntry.replaced`);
every outcome but success is :class:`engine.oms.cancel_replace.CancelReplace`'s, as on the Python path.
Anything the gate does not judge whole takes the engine's Python path.
"""

from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from posix.time cimport CLOCK_MONOTONIC
from posix.time cimport CLOCK_REALTIME

from engine._breaker_window cimport BreakerWindow
from engine._clocks cimport clock_ns
from engine._enums cimport FOK
from engine._enums cimport IOC
from engine._enums cimport MARKET
from engine._enums cimport PENDING
from engine._histogram cimport LatencyHistogram
from engine._order_spec cimport OrderSpec
from engine._order_store cimport OrderStore
from engine._order_store cimport is_terminal
from engine._order_writer cimport OrderWriter

import logging
from asyncio import CancelledError

from engine._order_view import Order
from engine._parse_common import ParseError as _ParseError
from engine.oms.breaker import CircuitBreaker
from engine.oms.events import EventKind
from engine.oms.placement import TOLD_BY_EVENTS as _TOLD_BY_EVENTS
from engine.oms.placement import _ready
from engine.venues.errors import VenueError as _VenueError

_log = logging.getLogger("engine.oms")

cdef object _AMENDED = EventKind.AMENDED

__all__ = ["OrderEntry"]


cdef class OrderEntry:
    """One engine's compiled place and cancel over its venue's :class:`OrderWriter` (module docstring).

    Built with the engine; ``place_limit`` / ``place_market`` / ``cancel`` return the awaitable of the order's
    view, or None where the engine's Python path is to run (nothing done); ``submit`` is
    :meth:`Placement.submit`'s write at once."""

    cdef readonly OrderWriter writer
    cdef readonly int64_t places        # orders this entry wrote
    cdef readonly int64_t cancels       # cancels this entry wrote
    cdef readonly int64_t amends        # amendments this entry wrote
    cdef public bint warming            # keep the last order's path warm (see warm)
    cdef readonly int64_t warm_failures # warm-ups that raised (warming then waits for the next order)
    cdef OrderSpec warm_spec            # the last order written, while warming
    cdef bytes warm_cid
    cdef object w_symbol, w_side, w_qty, w_price, w_tif     # the last LIMIT order's arguments, while warming
    cdef bint w_post
    cdef object eng
    cdef object gate
    cdef object limit_spec
    cdef object market_spec
    cdef object placement
    cdef dict writing
    cdef object metrics
    cdef object breaker
    cdef BreakerWindow breaker_counts
    cdef object breaker_clock
    cdef object loop
    cdef object stream
    cdef object tracker
    cdef dict specs
    cdef dict legs
    cdef object view
    cdef object bus
    cdef object replacing
    cdef OrderStore store
    cdef LatencyHistogram call_to_wire
    cdef LatencyHistogram round_trip_ack

    def __init__(self, engine, OrderWriter writer not None):
        self.eng = engine
        self.writer = writer
        self.gate = engine._gate
        self.limit_spec = self.gate.limit_spec
        self.market_spec = self.gate.market_spec
        self.placement = engine.placement
        self.writing = engine.placement._writing
        self.metrics = engine.metrics
        breaker = self.breaker = engine.breaker
        if type(breaker).record_success is CircuitBreaker.record_success:      # (not a subclass's own)
            self.breaker_counts = breaker.window
            self.breaker_clock = breaker.clock
        self.stream = engine.stream
        self.loop = engine.stream.loop
        self.tracker = engine.tracker
        self.specs = engine.tracker._specs
        self.legs = engine.tracker._legs
        self.view = engine.tracker.view
        self.bus = engine.bus
        self.replacing = engine.replacing
        self.store = engine.store
        self.call_to_wire = engine.metrics.call_to_wire
        self.round_trip_ack = engine.metrics.round_trip_ack

    # -- place ------------------------------------------------------------------------------------
    # The engine's awaitable entries: bound on an Engine in place of its methods of the same name without
    # ``engine_`` (Engine.__init__), so that ``await eng.place_limit(...)`` runs no Python frame of the
    # engine's.  Each is a coroutine, as the method it stands for: nothing runs and nothing raises before
    # it is awaited.
    async def engine_place_limit(self, symbol, side, qty, price, *, tif="GTC", bint post_only=False,
                                 bint reduce_only=False, client_tag=None):
        """``Engine.place_limit``: the clock read, the compiled admission, the write through the venue's
        writer where it can be now, the answer; an order the compiled gate does not take whole (a tagged
        one, or one the full admission must judge) goes to ``Engine.place_admitted``, which raises every
        typed error."""
        cdef int64_t t_call = clock_ns(CLOCK_MONOTONIC)
        if client_tag is None:
            spec = self.limit_spec(symbol, side, qty, price, tif, post_only, reduce_only)
            if spec is not None:
                if self.warming:
                    self._keep_limit(symbol, side, qty, price, tif, post_only)
                return await self._place(<OrderSpec>spec, self.gate.inst, t_call)
        return await self.eng.place_admitted(symbol, side, qty, price, tif, post_only, reduce_only, client_tag,
                                             t_call)

    async def engine_place_market(self, symbol, side, qty, *, bint reduce_only=False, client_tag=None):
        """``Engine.place_market``, as :meth:`engine_place_limit` (the full path: ``Engine.place_market_admitted``)."""
        cdef int64_t t_call = clock_ns(CLOCK_MONOTONIC)
        if client_tag is None:
            spec = self.market_spec(symbol, side, qty, reduce_only)
            if spec is not None:
                return await self._place(<OrderSpec>spec, self.gate.inst, t_call)
        return await self.eng.place_market_admitted(symbol, side, qty, reduce_only, client_tag, t_call)

    def place_spec(self, OrderSpec spec not None, int32_t inst, int64_t t_call):
        """The awaitable of an admitted order's view (:meth:`Placement.place`: any order the full admission
        recorded, a tagged one or a type the compiled gate does not take whole): written at once where the
        writer can and the instrument's turn is free, else in its turn.  Raises what :meth:`place_limit`
        raises when nothing was written."""
        return self._place(spec, inst, t_call)

    cdef object _place(self, OrderSpec spec, int32_t inst, int64_t t_call):
        if self.writing.get(inst):              # an order of this instrument holds or awaits its turn
            return self.placement.place_in_turn(spec, inst, t_call)
        cdef bytes cid = spec.client_id.encode("ascii")
        try:
            fut = self._write(spec, cid, t_call)
        except BaseException as exc:
            return self.placement.not_written_now(spec, exc)
        if fut is None:                         # (not now: nothing spent, nothing written)
            return self.placement.place_in_turn(spec, inst, t_call)
        return self._answered(spec, fut, self.writer.kind, cid, t_call)

    cdef object _write(self, OrderSpec spec, bytes cid, int64_t t_call):
        """The writer's ``write_place``, counted when written: the answer's future, or None (not now: nothing
        spent, nothing written).  Raises as the writer does."""
        spec.sent_ms = 0
        fut = self.writer.write_place(spec, cid)
        if fut is not None:
            self.places += 1
            self.metrics.placed += 1
            self.call_to_wire.record_c(clock_ns(CLOCK_MONOTONIC) - t_call)
            if self.warming:
                self.warm_spec = spec
                self.warm_cid = cid
        return fut

    cdef void _keep_limit(self, symbol, side, qty, price, tif, bint post_only):
        self.w_symbol = symbol
        self.w_side = side
        self.w_qty = qty
        self.w_price = price
        self.w_tif = tif
        self.w_post = post_only

    def warm(self):
        """Run the last order's place path, short of anything that counts: the compiled admission
        (``OrderGate.judge_limit`` with the last LIMIT order's arguments, the store's next slot read; or
        ``OrderGate.judge_spec``'s checks of the last order written) and the writer's ``warm_place`` (the venue
        clock, the rate budget read, the request encoded and signed, the connection looked at).  Nothing is
        written, recorded, spent or kept.  While :attr:`warming`, a busy-polling engine calls it on every turn
        of its loop, so the next order finds that code and data in the caches rather than evicted by the loop's
        other work (BENCHMARKS.md: call to wire with the caches cold and warm).  True when it ran; False before the first order written while
        warming, or when it raised (counted in :attr:`warm_failures`, logged, and not run again until the next
        order is written).  It makes no future: one made on every turn too (what the write registers its
        answer with) made the orders' call to wire slower, not faster (BENCHMARKS.md)."""
        spec = self.warm_spec
        if spec is None:
            return False
        try:
            if self.w_symbol is not None:
                self.gate.judge_limit(self.w_symbol, self.w_side, self.w_qty, self.w_price, self.w_tif, self.w_post)
            else:
                self.gate.judge_spec(spec)
            self.writer.warm_place(spec, self.warm_cid)
        except Exception:
            self.warm_failures += 1
            self.warm_spec = None
            _log.warning("warming the order path failed; it resumes with the next order written", exc_info=True)
            return False
        return True

    def submit_limit(self, symbol, side, qty, price, *, tif="GTC", bint post_only=False, bint reduce_only=False,
                     client_tag=None):
        """:meth:`Engine.submit_limit <engine.oms.engine.Engine.submit_limit>` from the call to the bytes
        written with no Python frame of the order manager's: the clock read, the compiled admission, the write
        through the venue's writer, or, when it cannot be written now, the instrument's turn in a task (the
        transport's rate budget, venue clock and connection steps remain Python).  An order the compiled gate
        does not take whole (a tagged one, or one the full admission must judge) goes to the engine's own
        path, which raises every typed error."""
        cdef int64_t t_call = clock_ns(CLOCK_MONOTONIC)
        if client_tag is None:
            spec = self.limit_spec(symbol, side, qty, price, tif, post_only, reduce_only)
            if spec is not None:
                if self.warming:
                    self._keep_limit(symbol, side, qty, price, tif, post_only)
                if not self._submit(<OrderSpec>spec, self.gate.inst, t_call):
                    self.placement.submit_in_turn(spec, self.gate.inst, t_call)
                return (<OrderSpec>spec).client_id
        return self.eng.submit_admitted(symbol, side, qty, price, tif, post_only, reduce_only, client_tag, t_call)

    def submit(self, OrderSpec spec not None, int32_t inst, int64_t t_call):
        """:meth:`Placement.submit`'s write at once: True when written (the answer applied by the future's
        callback, rules 2 and 3) or when the write failed after the bytes left (UNKNOWN); False when it cannot
        be written now (the instrument's turn taken, the writer not ready: nothing spent, nothing written).
        Raises, the order REJECTED locally, when the write failed with nothing sent (rule 1)."""
        return self._submit(spec, inst, t_call)

    cdef bint _submit(self, OrderSpec spec, int32_t inst, int64_t t_call) except -1:
        if self.writing.get(inst):
            return False
        cdef bytes cid = spec.client_id.encode("ascii")
        try:
            fut = self._write(spec, cid, t_call)
        except BaseException as exc:
            if self.placement.write_failed(spec, exc):
                return True
            raise
        if fut is None:
            return False
        fut.add_done_callback(_Answered(self, spec, self.writer.kind, cid, t_call))
        return True

    async def _answered(self, OrderSpec spec, fut, kind, bytes cid, int64_t t_call):
        """:meth:`Placement.answered` of an order this entry wrote."""
        try:
            raw = await fut
            answer = self.writer.read_place(kind, cid, raw)
        except CancelledError:
            self.placement.unknown(spec, "the placing task was cancelled with the answer outstanding",
                                   resend=False)
            raise
        except Exception as exc:
            return self.placement.failed(spec, exc)
        self._acknowledged(spec, answer, t_call)
        cdef int32_t slot = spec.slot
        cdef int state = self.store.state[slot]
        if state == PENDING or spec.order_type == MARKET or spec.tif == IOC or spec.tif == FOK:
            done = self.placement.unsettled(spec)
            if done is not None:
                await self.tracker.wait(slot, done, self.eng.ack_wait_s)
        return self.view(slot)

    def acknowledged(self, OrderSpec spec not None, answer, int64_t t_call):
        """The venue answered the order (``answer``: the parser holding it): counted (``acknowledged``, the
        round-trip histogram, the slow-placement alert), the breaker told, the answer applied.  Every
        acknowledged order passes here, whichever path wrote it (:meth:`Placement.answered` calls it)."""
        self._acknowledged(spec, answer, t_call)

    cdef int _acknowledged(self, OrderSpec spec, answer, int64_t t_call) except -1:
        cdef int64_t latency = clock_ns(CLOCK_MONOTONIC) - t_call
        metrics = self.metrics
        self.round_trip_ack.record_c(latency)
        if latency > metrics._threshold:
            metrics._alert("round_trip_ack", latency, spec.client_id)
        metrics.acknowledged += 1
        if self.breaker_counts is None:
            self.breaker.record_success()
        elif self.breaker_counts.success_c(self.breaker_clock()):   # (CircuitBreaker.record_success, in C)
            self.breaker.succeeded_while_not_closed()
        status = self.loop.answer(answer)          # -1: finished in C
        if status >= 0:
            self.stream.finish_answer(answer, status)
        return 0

    # -- cancel -----------------------------------------------------------------------------------
    cdef object _own(self, order):
        """The spec of the open order ``order`` (a view or a client id) this entry may write for: one the
        engine placed and leads itself (not a bracket's leg); None for the engine's Python path, which
        raises what it raises for an order it does not have or that is already finished."""
        cdef int32_t slot
        if type(order) is Order:
            slot = order.slot
            if self.store.client_id(slot) != order.client_order_id:
                return None                        # (no longer in the store: the engine's path raises)
        elif type(order) is str:
            slot = self.store.find_client_id(order)
            if slot < 0:
                return None                        # (an adopted order, or none: the engine's path)
        else:
            return None
        if is_terminal(self.store.state[slot]):
            return None                            # (the engine's path says which state, and raises)
        spec = self.specs.get(slot)
        if spec is None or self.legs.get(slot) is not None:
            return None
        return spec

    async def engine_cancel(self, order):
        """``Engine.cancel``: written by this entry when it can be now (:meth:`_cancel`), else
        ``Engine.cancel_through_adapter`` (a bracket's leg, an adopted order, the writer not ready), which raises
        what the engine raises for an order it does not have or that is already finished."""
        cancelled = self._cancel(order)
        if cancelled is not None:
            return await cancelled
        return await self.eng.cancel_through_adapter(order)

    cdef object _cancel(self, order):
        """The awaitable of the cancel's view when this entry can write it now; None for the engine's Python
        path (nothing sent)."""
        spec = self._own(order)
        if spec is None:
            return None
        cdef int32_t slot = (<OrderSpec>spec).slot
        cdef bytes cid = (<OrderSpec>spec).client_id.encode("ascii")
        fut = self.writer.write_cancel(<OrderSpec>spec, cid)
        if fut is None:
            return None
        self.cancels += 1
        return self._cancelled(slot, fut, self.writer.kind, cid)

    async def _cancelled(self, int32_t slot, fut, kind, bytes cid):
        """Engine.cancel's answer half, for a cancel this entry wrote."""
        try:
            answer = self.writer.read_cancel(kind, cid, await fut)
        except Exception as exc:
            return await self.eng.cancel_refused(slot, exc)
        status = self.loop.answer(answer)          # -1: finished in C
        if status >= 0:
            self.stream.finish_answer(answer, status)
        if not is_terminal(self.store.state[slot]):
            tracker = self.tracker
            await tracker.wait(slot, lambda: tracker.is_terminal(slot), self.eng.ack_wait_s)
        return self.view(slot)


    # -- amend ------------------------------------------------------------------------------------
    async def engine_amend(self, order, *, qty=None, price=None):
        """``Engine.amend``: written by this entry when it can be now (:meth:`amend`), else
        ``Engine.amend_through_adapter`` (a cancel-replace, an order the gate does not judge whole, one
        finished or unknown), which raises every typed error."""
        amended = self.amend(order, qty, price)
        if amended is not None:
            return await amended
        return await self.eng.amend_through_adapter(order, qty, price)

    def amend(self, order, qty, price):
        """The awaitable of ``Engine.amend(order, qty=, price=)``'s view when this entry can write it now:
        an amendment in place (``OrderWriter.write_amend``; where the venue amends by cancel-replace, a quantity
        lowered with the price kept, when it ``amends_down``) of a plain open limit order that the compiled
        gate judges whole (``OrderGate.amend_pass``: every check of the engine's, balance or margin for what
        it adds); None for the engine's Python path (nothing sent), which raises every typed error."""
        spec = self._own(order)
        if spec is None or (<OrderSpec>spec).reduce_only:
            return None
        gate = self.gate
        cdef int32_t slot = (<OrderSpec>spec).slot
        if not gate.amend_pass(slot, qty, price):
            return None
        cdef int64_t qty_raw = gate.amend_qty, price_raw = gate.amend_price
        if self.writer.replaces:
            # (a venue that amends by cancel-replace may lower a quantity in place, the price and the queue
            # priority kept: its whole new quantity sent)
            if not (self.writer.amends_down and gate.amended_price == self.store.price_raw[slot]
                    and gate.amended_qty < self.store.qty_raw[slot]):
                return self._replace(<OrderSpec>spec)
            qty_raw, price_raw = gate.amended_qty, 0
        cdef bytes cid = (<OrderSpec>spec).client_id.encode("ascii")
        fut = self.writer.write_amend(<OrderSpec>spec, cid, qty_raw, price_raw, gate.amended_qty, gate.amended_price)
        if fut is None:
            return None
        self.amends += 1
        return self._amend_answered(<OrderSpec>spec, fut, self.writer.kind, cid, qty_raw, price_raw)

    async def _amend_answered(self, OrderSpec spec, fut, kind, bytes cid, int64_t qty_raw, int64_t price_raw):
        """Engine.amend's answer half, for an amendment this entry wrote: a refusal counted and raised, a
        lost answer raised as it came (the order's stream shows what the venue did)."""
        try:
            answer = self.writer.read_amend(kind, cid, await fut)
        except _VenueError as exc:
            self.eng.amend_refused(spec.slot, exc)
            raise
        return self._amended(spec, answer, qty_raw, price_raw)

    def amended(self, OrderSpec spec not None, answer, int64_t qty_raw, int64_t price_raw):
        """The venue amended the order in place (``answer``: the parser holding its answer, or None;
        ``qty_raw`` / ``price_raw``: what was sent, 0 kept): the store and the spec amended, the answer
        applied, ``amended`` emitted; the order's view.  Every amendment in place passes here, whichever
        path wrote it."""
        return self._amended(spec, answer, qty_raw, price_raw)

    cdef object _amended(self, OrderSpec spec, answer, int64_t qty_raw, int64_t price_raw):
        cdef int32_t slot = spec.slot
        if not is_terminal(self.store.state[slot]):     # (ended meanwhile, its stream first: nothing to amend)
            self.store.amend(slot, qty_raw, price_raw, clock_ns(CLOCK_REALTIME))
        if qty_raw:
            spec.qty_raw = qty_raw
        if price_raw:
            spec.price_raw = price_raw
        if answer is not None:
            status = self.loop.answer(answer)      # -1: finished in C
            if status >= 0:
                self.stream.finish_answer(answer, status)
        view = self.view(slot)
        self.bus.emit(_AMENDED, order=view, symbol=view.symbol)
        return view


    # -- amend by cancel-replace --------------------------------------------------------------------
    cdef object _replace(self, OrderSpec old):
        """Engine.amend where the venue amends by cancel-replace (the gate's ``amend_pass`` passed): the
        replacement admitted by the gate (``replace_spec``), the request written at once; its outcomes are
        :class:`engine.oms.cancel_replace.CancelReplace`'s.  None for the full path (nothing recorded)."""
        new = self.gate.replace_spec(old.slot, old.symbol)
        if new is None:
            return None
        cdef bytes old_cid = old.client_id.encode("ascii")
        cdef bytes new_cid = (<OrderSpec>new).client_id.encode("ascii")
        replacing = self.replacing
        try:
            fut = self.writer.write_replace(old, old_cid, <OrderSpec>new, new_cid)
        except Exception as exc:
            self.metrics.placed += 1
            return _ready(replacing.failed(old.slot, old, new, exc, at_write=True))   # (or raises)
        if fut is None:                 # (not now: written by the adapter in its turn)
            return replacing.send(old.slot, old, new)
        self.metrics.placed += 1
        self.amends += 1
        return self._replace_answered(old, <OrderSpec>new, fut, self.writer.kind, new_cid)

    async def _replace_answered(self, OrderSpec old, OrderSpec new, fut, kind, bytes new_cid):
        """The answer half of a cancel-replace this entry wrote."""
        try:
            legs = self.writer.read_replace(kind, new_cid, await fut)
        except CancelledError:
            self.replacing.cancelled(old.slot, old, new)
            raise
        except Exception as exc:
            return self.replacing.failed(old.slot, old, new, exc)
        return self._replaced(old, new, (<tuple>legs)[0], (<tuple>legs)[1])

    def replaced(self, OrderSpec old not None, OrderSpec new not None, cancel_answer, new_answer):
        """The venue cancelled ``old`` and placed ``new`` (each leg's answer: JSON bytes for the stream's
        parser): both applied, ``amended`` emitted (``replaced``: the old client id); the replacement's view.
        A leg the parser cannot read leaves its order's outcome unknown (the replacement UNKNOWN, the old
        order asked for).  Every cancel-replace answered passes here, whichever path wrote it."""
        return self._replaced(old, new, cancel_answer, new_answer)

    cdef object _replaced(self, OrderSpec old, OrderSpec new, cancel_answer, new_answer):
        self.tracker.set_replacement(old.slot, new.slot)
        stream = self.stream
        parser = stream.parser
        for leg in (cancel_answer, new_answer):
            try:
                parser.parse(leg)
            except _ParseError as exc:
                return self.replacing.failed(old.slot, old, new, exc)
            status = self.loop.answer(parser)      # -1: finished in C
            if status >= 0:
                stream.finish_answer(parser, status)
        view = self.view(new.slot)
        self.bus.emit(_AMENDED, order=view, symbol=view.symbol, replaced=old.client_id)
        return view


cdef class _Answered:
    """A submitted order's answer, in its future's callback: rules 2 and 3 as ``_answered`` applies them, its
    errors told by events alone (``placement.TOLD_BY_EVENTS``), anything else logged."""

    cdef OrderEntry entry
    cdef OrderSpec spec
    cdef object kind
    cdef bytes cid
    cdef int64_t t_call

    def __cinit__(self, OrderEntry entry, OrderSpec spec, kind, bytes cid, int64_t t_call):
        self.entry, self.spec, self.kind, self.cid, self.t_call = entry, spec, kind, cid, t_call

    def __call__(self, fut):
        entry, spec = self.entry, self.spec
        try:
            if fut.cancelled():
                entry.placement.unknown(spec, "the answer's wait was cancelled with the answer outstanding",
                                        resend=False)
                return
            try:
                answer = entry.writer.read_place(self.kind, self.cid, fut.result())
            except Exception as exc:
                entry.placement.failed(spec, exc)
                return
            entry._acknowledged(spec, answer, self.t_call)
        except _TOLD_BY_EVENTS:
            pass
        except Exception:
            _log.exception("submitted order: unexpected error after the write")
