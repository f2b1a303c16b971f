"""The order records of a user-data stream message (and of an order answer) applied end to end in C.

:class:`RecordLoop` runs what :class:`engine.oms.stream_apply.StreamApplier` did per message
in Python: the venue's compiled parser reads the message, every order record it holds goes
through the :class:`~engine._oms_apply.RecordApplier` into the store (and positions), and the
order tracker's books follow (the open set and the open counts the risk checks read, dormant
legs, callers waiting on the order woken).  It does so without a Python frame and without
building anything for a record that needs nothing more:

- an order acknowledged, cancelled, expired, amended or rejected, or a record that changed
  nothing, when no bracket listens to the order (and when someone subscribes to events, only
  the events are made: ``on_event``, in C when it is an :class:`~engine._events.OrderEvents`);
- once :meth:`RecordLoop.settle_fills` gave it the means, a fill of such an order too: counted,
  its price made the instrument's reference price, its events made in C and the account book's
  step after a fill event called (``after_fill``), unless a subscriber takes a derivatives
  account's position event (made in Python) or the order is a child whose fills its parent
  shows.

Every other record is handed back to Python (``on_record(payload, status)``), the record still
in the parser and the applier's outcome still in the applier, for what only Python does:
an order whose answer was lost (resolution), a surprise (an alarm), a bracket's leg, a fill the
stream or the order's answer came short of (asked for), an order the engine did not place
(adoption), a second venue order under one of our client ids, and the fills named above.
A message with no order record goes to ``on_other(payload)`` (the account book) unless it is a
spot balance message the loop was given the means to read (:meth:`RecordLoop.read_spot_balances`),
or a futures wallet message (:meth:`RecordLoop.read_futures_balances`), and no subscriber takes
balance events (:meth:`RecordLoop.watch_balance_listeners`): then it is parsed and written to the
compiled account in C.  One the
parser refuses to ``on_bad(payload, error)`` (counted, logged, reconciled), after the records
before the bad one were applied.  Until :meth:`RecordLoop.start` gives it the applier (the
instruments loaded), order records are left to the reconciliation that follows the start.
"""

from cpython.dict cimport PyDict_Size
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from posix.time cimport CLOCK_MONOTONIC
from posix.time cimport CLOCK_REALTIME

from engine._clocks cimport clock_ns
from engine._enums cimport NOT_PLACED
from engine._enums cimport PENDING
from engine._enums cimport REJECTED
from engine._enums cimport UNKNOWN
from engine._events cimport OrderEvents
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport F_LINKED_ORDER_ID
from engine._exec_record cimport record_has
from engine._histogram cimport LatencyHistogram
from engine._oms_apply cimport AP_APPLIED
from engine._oms_apply cimport AP_CONFLICT
from engine._oms_apply cimport AP_FOREIGN
from engine._oms_apply cimport EV_CANCELLED
from engine._oms_apply cimport EV_FILLED
from engine._oms_apply cimport EV_NONE
from engine._oms_apply cimport RecordApplier
from engine._account cimport Account
from engine._order_gate cimport OpenCounts
from engine._order_store cimport OrderStore
from engine._order_store cimport is_terminal
from engine._parse_balances cimport BalanceParser
from engine._parse_common cimport RecordParser

from engine._parse_common import ParseError

__all__ = ["RecordLoop"]


cdef class RecordLoop:
    """One engine's stream records into its books (see the module docstring for what stays in Python).

    Parameters
    ----------
    parser, applier, store
        The venue's compiled parser, the engine's applier and store.
    counts, open_set, dormant, waiters, brackets
        The order tracker's open counts, open set (slot -> instrument), dormant legs, waiting
        callers (slot -> futures) and listening brackets (slot -> bracket): held, not copied.
    callbacks, streams
        The event bus's subscriber lists (held: while both are empty nobody listens).
    wire_to_event
        The histogram of the engine's cost per message (bytes received -> applied).
    on_other, on_record, on_bad, on_event
        ``on_other(payload)`` for a message with no order record; ``on_record(payload, status)``
        for a record the loop leaves to Python; ``on_bad(payload, error)`` for a message the
        parser refused; ``on_event(slot, event, previous state)`` for a record the loop settled
        while someone listens (an :class:`~engine._events.OrderEvents` is called in C).
    """

    cdef RecordParser parser
    cdef object parse
    cdef RecordApplier applier
    cdef OrderStore store
    cdef OpenCounts counts
    cdef dict open_set
    cdef set dormant
    cdef dict waiters
    cdef dict brackets
    cdef list callbacks
    cdef list streams
    cdef LatencyHistogram wire_to_event
    cdef object on_other
    cdef object on_record
    cdef object on_bad
    cdef object on_event
    cdef BalanceParser balances
    cdef list balance_listeners        # the bus's callbacks that take balance events (all of them by default)
    cdef Account account
    cdef list asset_names
    cdef bint futures_balances        # the balance parser's futures wallet rows (apply_futures), not spot
    cdef bint fills                   # fills are settled here (settle_fills)
    cdef int64_t[::1] reference       # the order gate's reference price by instrument, written per fill
    cdef dict child_of                # child slot -> parent slot: such a fill is handed to Python
    cdef object after_fill            # the account book's step after a fill event
    cdef object position_kind         # a derivatives account's position event kind (None: spot)
    cdef readonly int64_t filled      # orders it saw filled (the engine's metrics add them)
    cdef readonly int64_t settled     # records this loop finished in C
    cdef readonly int64_t handed      # records handed to Python
    cdef readonly int64_t cancelled   # cancels it counted (the engine's metrics add them)

    def __init__(self, RecordParser parser not None, RecordApplier applier, OrderStore store not None,
                 OpenCounts counts not None, dict open_set not None, set dormant not None, dict waiters not None,
                 dict brackets not None, list callbacks not None, list streams not None,
                 LatencyHistogram wire_to_event not None, on_other, on_record, on_bad, on_event=None):
        self.parser = parser
        self.parse = parser.parse
        self.applier = applier
        self.store = store
        self.counts = counts
        self.open_set = open_set
        self.dormant = dormant
        self.waiters = waiters
        self.brackets = brackets
        self.callbacks = callbacks
        self.streams = streams
        self.wire_to_event = wire_to_event
        self.on_other = on_other
        self.on_record = on_record
        self.on_bad = on_bad
        self.on_event = on_event
        self.balance_listeners = callbacks

    def start(self, RecordApplier applier not None):
        """The instruments are loaded: order records are applied from now on."""
        self.applier = applier

    def settle_fills(self, reference, dict child_of, after_fill, position_kind):
        """Fills are settled here from now on (see the module docstring): ``reference`` the order gate's
        reference prices by instrument (written), ``child_of`` the children whose fills their parent shows
        (held), ``after_fill()`` the account book's step after a fill event, ``position_kind`` the kind of a
        derivatives account's position event (a fill while a subscriber takes it goes to Python; None on a
        spot account).  ``reference`` None: fills are handed to Python again."""
        if reference is None:
            self.fills = False
            return
        if child_of is None or after_fill is None:
            raise ValueError("fills need the children's parents and the step after a fill")
        self.reference = reference
        self.child_of = child_of
        self.after_fill = after_fill
        self.position_kind = position_kind
        self.fills = True

    def read_spot_balances(self, BalanceParser parser, Account account, list asset_names):
        """Spot balance messages (what ``parser.apply_spot`` writes) go into ``account`` here, in one C
        call, while no subscriber takes balance events (then they go to ``on_other``, as does a message
        the parser cannot take whole: an unknown asset, another kind, an unreadable one).
        ``parser`` None: every message without an order record goes to ``on_other``."""
        if parser is not None and (account is None or asset_names is None):
            raise ValueError("spot balances need the account and the registry's asset names")
        self.balances = parser
        self.account = account
        self.asset_names = asset_names
        self.futures_balances = False

    def watch_balance_listeners(self, list listeners not None):
        """The callbacks that take balance events (the bus's own list, changed in place): a balance message
        is written here in C while it and the stream list are empty (by default: every callback)."""
        self.balance_listeners = listeners

    def read_futures_balances(self, BalanceParser parser, Account account, list asset_names):
        """:meth:`read_spot_balances` for a derivatives account's wallet messages (what
        ``parser.apply_futures`` writes: each coin's wallet and available balance)."""
        self.read_spot_balances(parser, account, asset_names)
        self.futures_balances = parser is not None

    def run(self, payload):
        """One user-data stream message."""
        try:
            self._run(payload)
        except ParseError as exc:
            self.on_bad(payload, exc)

    cdef int _run(self, payload) except -1:
        cdef int64_t t0 = clock_ns(CLOCK_MONOTONIC)
        cdef RecordParser parser = self.parser
        cdef const ExecRecord *r
        cdef int status
        self.parse(payload)
        if not parser.next_record_c():
            if (self.balances is None or len(self.balance_listeners) > 0 or len(self.streams) > 0
                    or self.balances.read_c(payload, self.account, self.asset_names, self.futures_balances) < 0):
                self.on_other(payload)
            return 0
        if self.applier is None:
            return 0
        while True:
            r = parser.record_c()
            if r.order_state != PENDING:        # (a record held back by the venue changes nothing)
                status = self.applier.apply_c(r, clock_ns(CLOCK_REALTIME))
                if self._settle(status, r):
                    self.settled += 1
                else:
                    self.handed += 1
                    self.on_record(payload, status)
            if not parser.next_record_c():
                break
        self.wire_to_event.record_c(clock_ns(CLOCK_MONOTONIC) - t0)
        return 0

    def answer(self, RecordParser parser not None):
        """An order answer (REST or WebSocket) ``parser`` holds: applied; -1 when finished here, else
        the ApplyStatus for Python to finish."""
        if self.applier is None:
            raise RuntimeError("an order answer before the engine started (no instruments, no applier)")
        cdef const ExecRecord *r = parser.record_c()
        cdef int status = self.applier.apply_c(r, clock_ns(CLOCK_REALTIME))
        if self._settle(status, r):
            self.settled += 1
            return -1
        self.handed += 1
        return status

    cdef bint _settle(self, int status, const ExecRecord *r) except -1:
        """Finish the applied record here when it needs nothing Python does (False: hand it over,
        nothing done)."""
        cdef RecordApplier ap = self.applier
        cdef int32_t slot = ap.slot
        cdef int prev
        cdef bint listening, fill
        cdef int32_t inst
        if status == AP_FOREIGN or status == AP_CONFLICT:
            return False
        if slot < 0:
            return True
        if (record_has(r, F_LINKED_ORDER_ID) and r.linked_order_id) or ap.short:
            return False
        if status != AP_APPLIED:
            self._wake(slot)
            return True
        prev = ap.prev_state
        listening = ap.event != EV_NONE and (len(self.callbacks) > 0 or len(self.streams) > 0)
        fill = ap.fill_qty_raw != 0
        if (prev == UNKNOWN or prev == REJECTED or prev == NOT_PLACED
                or (PyDict_Size(self.brackets) and slot in self.brackets)
                or (listening and self.on_event is None)):
            return False
        if fill and (not self.fills or (PyDict_Size(self.child_of) and slot in self.child_of)
                     or (listening and (type(self.on_event) is not OrderEvents or (
                         self.position_kind is not None
                         and (<OrderEvents>self.on_event).bus.takes(self.position_kind))))):
            return False
        self._track(slot)
        self._wake(slot)
        if ap.event == EV_NONE:
            return True
        if fill:
            if ap.event == EV_FILLED:
                self.filled += 1
            inst = self.store.instrument[slot]
            if 0 <= inst < self.reference.shape[0]:
                self.reference[inst] = ap.fill_price_raw
        elif ap.event == EV_CANCELLED:
            self.cancelled += 1
        if listening:                                # listeners: the events, the view made for them
            if type(self.on_event) is OrderEvents:
                (<OrderEvents>self.on_event).emit_c(slot, ap.event, prev, ap.fill_qty_raw, ap.fill_price_raw)
            else:
                self.on_event(slot, ap.event, prev)
            if fill:
                self.after_fill()
        return True

    cdef int _track(self, int32_t slot) except -1:
        """The open set (and counts) by the order's state now, as OrderTracker.settle keeps them."""
        cdef int state = self.store.state[slot]
        cdef int32_t inst
        if is_terminal(state):
            inst_obj = self.open_set.pop(slot, None)
            if inst_obj is not None:
                self.counts.closed(inst_obj)
            if self.dormant:
                self.dormant.discard(slot)
        elif state and slot not in self.open_set:
            inst = self.store.instrument[slot]
            self.open_set[slot] = inst
            self.counts.opened(inst)
        return 0

    cdef int _wake(self, int32_t slot) except -1:
        if not PyDict_Size(self.waiters):
            return 0
        futures = self.waiters.pop(slot, None)
        if futures:
            for fut in futures:
                if not fut.done():
                    fut.set_result(None)
        return 0
