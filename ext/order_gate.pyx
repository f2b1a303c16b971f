"""The compiled admission of a new order: from the bot's arguments to a PENDING store slot.

:class:`OrderGate` runs, in one C call, what :mod:`engine.oms.admission` runs in Python for
the common order (LIMIT, LIMIT_MAKER, MARKET; no stop, no trailing delta, not reduce-only: a reduce-only order is
judged with the reduce-only orders already open on its side, which the full path sums): the inputs read
(symbol, side, time in force, ``str``/``int`` quantities and prices straight to fixed
point), the halted and breaker state, every pre-trade check of
:class:`~engine.oms.risk.RiskEngine` in its order (instrument filters, max order quantity,
max notional, max position, max open orders in total and per instrument, price band,
balance/margin), and the store slot.

It never raises for a refusal and never decides one: whenever an input is not one it reads
(a ``Decimal``, a float, an unknown symbol...), a check fails, or new orders are not plainly
accepted (halted, breaker not closed), it creates nothing and answers -1, and the caller
takes the full Python path, which raises the typed error naming the value or the rule.  So
the gate can only let through what the full path lets through, and every error keeps its
one source.  A test drives both over the same inputs (tests/oms/test_order_gate.py).

:class:`OpenCounts` holds the open-order counts (per instrument and in total) the checks
read; the order tracker keeps them.
"""

from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from posix.time cimport CLOCK_REALTIME

from engine._account cimport Account
from engine._clocks cimport clock_ns
from engine._enums cimport BUY
from engine._enums cimport GTC
from engine._enums cimport FOK
from engine._enums cimport IOC
from engine._enums cimport LIMIT
from engine._enums cimport LIMIT_MAKER
from engine._enums cimport MARKET
from engine._enums cimport PENDING
from engine._enums cimport UNKNOWN
from engine._enums cimport POST_ONLY
from engine._enums cimport SELL
from engine._enums cimport TIF_NONE
from engine._fixedpoint cimport FP_EXACT
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport FP_SCALE
from engine._fixedpoint cimport fp_parse
from engine._instruments cimport Instruments
from engine._order_spec cimport OrderSpec
from engine._order_spec cimport new_spec
from engine._order_store cimport OrderStore
from engine._order_store cimport is_terminal
from engine._positions cimport PositionBook

cdef extern from *:
    ctypedef long long i128 "__int128"      # exact products of two raw values (as Python's ints are)

import numpy as np

from engine._enums import Side
from engine._enums import TimeInForce

__all__ = ["OrderGate", "OpenCounts", "NO_LIMIT"]

NO_LIMIT = -1            # a limit array entry that does not limit

cdef int32_t _REDUCE_ONLY_FLAG = 1       # ORDER_FLAG_REDUCE_ONLY of the store

cdef object _SIDE_BUY = Side.BUY
cdef object _SIDE_SELL = Side.SELL
cdef object _TIF_GTC = TimeInForce.GTC
cdef object _TIF_IOC = TimeInForce.IOC
cdef object _TIF_FOK = TimeInForce.FOK
cdef object _TIF_POST = TimeInForce.POST_ONLY


cdef class OpenCounts:
    """Open orders per instrument id and in total (the order tracker counts, the checks read)."""

    def __init__(self, int32_t capacity):
        self.array = np.zeros(capacity, dtype=np.int32)
        self.by_inst = self.array
        self.total = 0

    cpdef void opened(self, int32_t inst):
        if 0 <= inst < self.by_inst.shape[0]:
            self.by_inst[inst] += 1
        self.total += 1

    cpdef void closed(self, int32_t inst):
        if 0 <= inst < self.by_inst.shape[0]:
            self.by_inst[inst] -= 1
        self.total -= 1

    cpdef int32_t of(self, int32_t inst):
        """Open orders of instrument ``inst`` (0 for an id outside the table)."""
        if 0 <= inst < self.by_inst.shape[0]:
            return self.by_inst[inst]
        return 0


cdef inline bint _raw_of(object value, int64_t *out):
    """A positive ``str`` or ``int`` as raw fixed point; False for anything else (the full path decides)."""
    cdef const char *p
    cdef Py_ssize_t n
    cdef object raw
    if type(value) is str:
        p = PyUnicode_AsUTF8AndSize(value, &n)
        if fp_parse(p, <size_t>n, FP_EXACT, out) != FP_OK:
            return False
    elif type(value) is int:
        if not 0 < value <= 92233720368:
            return False
        out[0] = <int64_t>value * FP_SCALE
    else:
        return False
    return out[0] > 0


cdef class OrderGate:
    """Admission of the common order in C (module docstring); -1 sends the caller to the full path."""

    cdef Instruments instruments
    cdef OrderStore store
    cdef Account account
    cdef OpenCounts counts
    cdef dict ids                      # symbol -> instrument id (the registry's dict)
    cdef int64_t[::1] size_raw         # positions, by instrument id
    cdef int64_t[::1] ref_raw          # reference price by instrument id (last fill, or set), 0: none
    cdef int64_t[::1] max_qty
    cdef int64_t[::1] max_notional
    cdef int64_t[::1] max_position
    cdef int64_t[::1] max_open
    cdef int64_t[::1] band
    cdef readonly int32_t compiled     # instrument ids below this have their limits here
    cdef int64_t max_total
    cdef bint check_balance
    cdef readonly bint accepting       # False: halted, or the breaker not closed (the full path decides)
    cdef readonly object reference     # numpy view of ref_raw
    # what the last admitted order was, for the spec the caller builds
    cdef readonly int32_t inst
    cdef readonly int side
    cdef readonly int order_type
    cdef readonly int tif
    cdef readonly int64_t qty_raw
    cdef readonly int64_t price_raw
    # what the last amendment judged here sends (0 keeps) and makes of the order
    cdef readonly int64_t amend_qty
    cdef readonly int64_t amend_price
    cdef readonly int64_t amended_qty
    cdef readonly int64_t amended_price
    cdef readonly int64_t passed       # orders admitted here (and amendments)
    cdef readonly int64_t deferred     # calls sent to the full path
    cdef dict specs                    # the tracker's specs by slot and open set (keep_books), or None
    cdef dict open_set

    def __init__(self, Instruments instruments, OrderStore store, Account account, PositionBook positions,
                 OpenCounts counts):
        cdef int32_t cap = instruments.capacity
        self.instruments = instruments
        self.store = store
        self.account = account
        self.counts = counts
        self.ids = instruments.ids
        self.size_raw = positions.arrays["size_raw"]
        self.reference = np.zeros(cap, dtype=np.int64)
        self.ref_raw = self.reference
        self.max_qty = np.full(cap, NO_LIMIT, dtype=np.int64)
        self.max_notional = np.full(cap, NO_LIMIT, dtype=np.int64)
        self.max_position = np.full(cap, NO_LIMIT, dtype=np.int64)
        self.max_open = np.full(cap, NO_LIMIT, dtype=np.int64)
        self.band = np.full(cap, NO_LIMIT, dtype=np.int64)
        self.compiled = 0
        self.max_total = NO_LIMIT
        self.check_balance = True
        self.accepting = True

    # -- configuration (cold: the risk engine and admission keep these in step) --------------------
    def set_accepting(self, bint accepting):
        self.accepting = accepting

    def set_account_limits(self, max_total, bint check_balance):
        self.max_total = NO_LIMIT if max_total is None else max_total
        self.check_balance = check_balance

    def clear_limits(self):
        """Every instrument's limits forgotten (until set again): its orders take the full path."""
        self.compiled = 0

    def set_limits(self, int32_t inst, max_qty, max_notional, max_position, max_open, band):
        """Limits of instrument ``inst`` (None: no limit); ids must be set in order from 0."""
        if not 0 <= inst < self.max_qty.shape[0] or inst != self.compiled:
            return
        self.max_qty[inst] = NO_LIMIT if max_qty is None else max_qty
        self.max_notional[inst] = NO_LIMIT if max_notional is None else max_notional
        self.max_position[inst] = NO_LIMIT if max_position is None else max_position
        self.max_open[inst] = NO_LIMIT if max_open is None else max_open
        self.band[inst] = NO_LIMIT if band is None else band
        self.compiled = inst + 1

    cpdef void set_reference(self, int32_t inst, int64_t price_raw):
        if 0 <= inst < self.ref_raw.shape[0]:
            self.ref_raw[inst] = price_raw

    cpdef int64_t reference_of(self, int32_t inst):
        if 0 <= inst < self.ref_raw.shape[0]:
            return self.ref_raw[inst]
        return 0

    # -- the path (hot) ---------------------------------------------------------------------------
    def keep_books(self, dict specs not None, dict open_set not None):
        """The tracker's specs by slot and its open set (slot -> instrument): what :meth:`limit_spec` and
        :meth:`market_spec` record an admitted order in, as the tracker's ``admitted`` does."""
        self.specs = specs
        self.open_set = open_set

    def admit_limit(self, object symbol, object side, object qty, object price, object tif, bint post_only,
                    bint reduce_only, int64_t ts_ns):
        """A LIMIT (or post-only LIMIT_MAKER) order: its slot, or -1 for the full path."""
        return self._limit(symbol, side, qty, price, tif, post_only, reduce_only, ts_ns)

    def limit_spec(self, object symbol, object side, object qty, object price, object tif, bint post_only,
                   bint reduce_only):
        """:meth:`admit_limit` (stamped now), :meth:`spec_of` and the tracker's books (its specs, open set
        and the open counts) in one call: the new order's spec, its instrument in :attr:`inst`; None for
        the full path (nothing recorded)."""
        if self.specs is None:
            return None
        cdef int32_t slot = self._limit(symbol, side, qty, price, tif, post_only, reduce_only,
                                        clock_ns(CLOCK_REALTIME))
        return None if slot < 0 else self._recorded(slot, <str>symbol, reduce_only)

    def market_spec(self, object symbol, object side, object qty, bint reduce_only):
        """:meth:`limit_spec` for a MARKET order."""
        if self.specs is None:
            return None
        cdef int32_t slot = self._admit(symbol, side, MARKET, TIF_NONE, qty, None, reduce_only,
                                        clock_ns(CLOCK_REALTIME))
        return None if slot < 0 else self._recorded(slot, <str>symbol, reduce_only)

    def judge_limit(self, object symbol, object side, object qty, object price, object tif, bint post_only):
        """:meth:`limit_spec`'s admission of a LIMIT order from the same arguments, with nothing recorded, counted
        or created: True when it would be admitted whole.  A busy-polling engine runs it on each turn of its loop
        with the last order's arguments (``OrderEntry.warm``), to keep that code and data in the caches; it
        also reads the store's next slot (``OrderStore.warm_next``)."""
        if self.specs is None:
            return False
        self.store.warm_next_c()
        return self._limit(symbol, side, qty, price, tif, post_only, False, 0, True) >= 0

    def judge_spec(self, OrderSpec spec not None):
        """The checks :meth:`limit_spec` makes of an order like ``spec`` (its instrument's filters, the risk
        limits, the open-order counts and the balance), with nothing recorded, counted or created: True when
        they pass.  The busy-polling loop runs it to keep the admission's code and data in the caches
        (``OrderEntry.warm``)."""
        found = self.ids.get(spec.symbol) if self.specs is not None and self.accepting else None
        if found is None:
            return False
        cdef int32_t inst = found
        return self._checks(inst, spec.side, spec.order_type, spec.qty_raw, spec.price_raw, spec.reduce_only,
                            self.counts.total, self.counts.of(inst), True)

    cdef object _recorded(self, int32_t slot, str symbol, bint reduce_only):
        cdef OrderSpec spec = self._spec(slot, symbol, reduce_only)
        self.specs[slot] = spec
        if slot not in self.open_set:
            self.open_set[slot] = self.inst
            self.counts.opened(self.inst)
        return spec

    cdef int32_t _limit(self, object symbol, object side, object qty, object price, object tif, bint post_only,
                        bint reduce_only, int64_t ts_ns, bint dry=False):
        cdef int tif_v
        if tif is _TIF_GTC or (type(tif) is str and tif == "GTC"):
            tif_v = GTC
        elif tif is _TIF_IOC or (type(tif) is str and tif == "IOC"):
            tif_v = IOC
        elif tif is _TIF_FOK or (type(tif) is str and tif == "FOK"):
            tif_v = FOK
        elif tif is _TIF_POST or (type(tif) is str and tif == "POST_ONLY"):
            tif_v = POST_ONLY
        else:
            return self._defer(dry)
        if post_only:
            if tif_v == IOC or tif_v == FOK:
                return self._defer(dry)
            tif_v = POST_ONLY
        return self._admit(symbol, side, LIMIT_MAKER if tif_v == POST_ONLY else LIMIT, tif_v, qty, price,
                           reduce_only, ts_ns, dry)

    def spec_of(self, int32_t slot, str symbol not None, bint reduce_only):
        """The :class:`~engine._order_spec.OrderSpec` of the order the last admission recorded in ``slot``
        (its client id as the store holds it now, a tag included), made without a Python call."""
        if not self.store.is_live_c(slot):
            raise ValueError(f"slot {slot} holds no order")
        return self._spec(slot, symbol, reduce_only)

    cdef OrderSpec _spec(self, int32_t slot, str symbol, bint reduce_only):
        cdef const char *cid = <const char *>&self.store.client_id_buf[slot, 0]
        return new_spec(slot, symbol, cid[:self.store.client_id_len[slot]].decode("ascii"), self.side,
                        self.order_type, self.tif, self.qty_raw, self.price_raw, reduce_only)

    def admit_market(self, object symbol, object side, object qty, bint reduce_only, int64_t ts_ns):
        """A MARKET order: its slot, or -1 for the full path."""
        return self._admit(symbol, side, MARKET, TIF_NONE, qty, None, reduce_only, ts_ns)

    def amend_pass(self, int32_t slot, object qty, object price):
        """The amendment of the open order in ``slot`` to ``qty`` and/or ``price`` (None keeps the order's
        own), judged as ``Engine.amend`` and :meth:`RiskEngine.check_amend` judge it: True when each check
        passes, what to send in :attr:`amend_qty` / :attr:`amend_price` (0 keeps) and the order as amended
        in :attr:`amended_qty` / :attr:`amended_price`; False for the full path (nothing judged here: an
        input it does not read, an order it does not amend, a check that fails), which raises the typed
        error.  A plain LIMIT / LIMIT_MAKER order only (not reduce-only)."""
        cdef int64_t qty_raw = 0, price_raw = 0, new_qty, new_price, filled, old_left, last, old_px
        cdef int32_t inst
        cdef int side
        cdef int order_type, state
        cdef i128 extra
        cdef OrderStore store = self.store
        if not self.accepting or not store.is_live_c(slot) or (qty is None and price is None):
            return self._defer() >= 0
        state = store.state[slot]
        if state == PENDING or state == UNKNOWN or is_terminal(state) or store.flags[slot] & _REDUCE_ONLY_FLAG:
            return self._defer() >= 0
        order_type = store.order_type[slot]
        if order_type != LIMIT and order_type != LIMIT_MAKER:
            return self._defer() >= 0
        if qty is not None and not _raw_of(qty, &qty_raw):
            return self._defer() >= 0
        if price is not None and not _raw_of(price, &price_raw):
            return self._defer() >= 0
        new_qty = qty_raw or store.qty_raw[slot]
        new_price = price_raw or store.price_raw[slot]
        filled = store.filled_raw[slot]
        if (new_qty == store.qty_raw[slot] and new_price == store.price_raw[slot]) or new_qty <= filled:
            return self._defer() >= 0
        inst = store.instrument[slot]
        side = store.side[slot]
        if inst < 0 or not self._checks(inst, side, order_type, new_qty, new_price, False, self.counts.total - 1,
                                        self.counts.of(inst) - 1, False):
            return self._defer() >= 0
        if self.check_balance:
            # only what the amendment adds: the order already holds its remainder at its price
            last = self.ref_raw[inst]
            old_left = store.qty_raw[slot] - filled
            old_px = store.price_raw[slot] or last
            extra = <i128>(new_qty - filled) * new_price - <i128>old_left * old_px
            if extra > 0 and self.account.can_place_order_c(inst, side, <int64_t>((extra + new_price - 1) // new_price),
                                                            new_price, False):
                return self._defer() >= 0
        self.amend_qty = qty_raw
        self.amend_price = price_raw
        self.amended_qty = new_qty
        self.amended_price = new_price
        self.passed += 1
        return True

    def replace_spec(self, int32_t slot, str symbol not None):
        """After :meth:`amend_pass` passed for ``slot``: the replacement a cancel-replace venue places for the
        order as amended (its remainder at the new price, its own client id), admitted as ``Engine.amend``'s
        full path admits it (:meth:`Admission.admit` with ``replacing=1``: every check of a placement, the
        open-order counts without the order it replaces, the whole balance or margin), recorded in the
        tracker's books; None for the full path (nothing recorded: a tagged order, a check that fails)."""
        cdef OrderStore store = self.store
        cdef int32_t inst, new_slot
        cdef int64_t qty_raw, price_raw = self.amended_price
        cdef int side, order_type, tif
        if self.specs is None or not self.accepting or not store.is_live_c(slot) \
                or store.flags[slot] & _REDUCE_ONLY_FLAG or store.client_id_adopted[slot] \
                or store.client_id_len[slot] != store.codec.id_length:      # (a tagged order: the full path)
            self._defer()
            return None
        inst = store.instrument[slot]
        side = store.side[slot]
        order_type = store.order_type[slot]
        tif = store.tif[slot]
        qty_raw = self.amended_qty - store.filled_raw[slot]
        if inst < 0 or qty_raw <= 0 or not self._checks(inst, side, order_type, qty_raw, price_raw, False,
                                                         self.counts.total - 1, self.counts.of(inst) - 1, True):
            self._defer()
            return None
        new_slot = self._create(inst, side, order_type, tif, qty_raw, price_raw, False, clock_ns(CLOCK_REALTIME))
        return None if new_slot < 0 else self._recorded(new_slot, symbol, False)

    cdef int32_t _defer(self, bint dry=False):
        if not dry:
            self.deferred += 1
        return -1

    cdef int32_t _admit(self, object symbol, object side, int order_type, int tif, object qty, object price,
                        bint reduce_only, int64_t ts_ns, bint dry=False):
        cdef int64_t qty_raw = 0, price_raw = 0
        cdef int side_v
        cdef object found
        cdef int32_t inst, slot
        if not self.accepting or reduce_only or type(symbol) is not str:
            # (a reduce-only order is judged with the reduce-only orders already open: the full path)
            return self._defer(dry)
        found = self.ids.get(symbol)
        if found is None:
            return self._defer(dry)
        inst = found
        if side is _SIDE_BUY or (type(side) is str and side == "BUY"):
            side_v = BUY
        elif side is _SIDE_SELL or (type(side) is str and side == "SELL"):
            side_v = SELL
        else:
            return self._defer(dry)
        if not _raw_of(qty, &qty_raw):
            return self._defer(dry)
        if order_type != MARKET and not _raw_of(price, &price_raw):
            return self._defer(dry)
        if not self._passes(inst, side_v, order_type, qty_raw, price_raw, reduce_only):
            return self._defer(dry)
        if dry:
            return inst
        return self._create(inst, side_v, order_type, tif, qty_raw, price_raw, reduce_only, ts_ns)

    cdef int32_t _create(self, int32_t inst, int side, int order_type, int tif, int64_t qty_raw, int64_t price_raw,
                         bint reduce_only, int64_t ts_ns):
        """The admitted order's store slot, what it is kept for the spec the caller builds, counted; -1 (deferred)
        when the store refuses (the full path raises its error)."""
        cdef int32_t slot = self.store.create_c(inst, side, order_type, tif, qty_raw, price_raw, 0, 0,
                                                _REDUCE_ONLY_FLAG if reduce_only else 0, 0, ts_ns)
        if slot < 0:
            return self._defer()
        self.inst = inst
        self.side = side
        self.order_type = order_type
        self.tif = tif
        self.qty_raw = qty_raw
        self.price_raw = price_raw
        self.passed += 1
        return slot

    cdef bint _passes(self, int32_t inst, int side, int order_type, int64_t qty_raw, int64_t price_raw,
                      bint reduce_only) noexcept:
        """Every check of RiskEngine.check, in its order; True only when each passes."""
        return self._checks(inst, side, order_type, qty_raw, price_raw, reduce_only, self.counts.total,
                            self.counts.of(inst), True)

    cdef bint _checks(self, int32_t inst, int side, int order_type, int64_t qty_raw, int64_t price_raw,
                      bint reduce_only, int32_t open_total, int32_t open_inst, bint balance) noexcept:
        """:meth:`_passes` with the open-order counts given (an amended order's exclude itself) and the
        balance/margin check only when ``balance``."""
        cdef int64_t last, px, limit, size, after, dist
        cdef bint market
        if inst >= self.compiled or inst >= self.size_raw.shape[0]:
            return False
        last = self.ref_raw[inst]
        if self.instruments.check_order_c(inst, side, order_type, qty_raw, price_raw, last, reduce_only):
            return False
        market = order_type == MARKET or price_raw == 0
        px = last if market else price_raw
        limit = self.max_qty[inst]
        if limit >= 0 and qty_raw > limit:
            return False
        limit = self.max_notional[inst]
        if limit >= 0:
            if px <= 0:
                return False
            if <i128>qty_raw * px > <i128>limit * FP_SCALE:
                return False
        limit = self.max_position[inst]
        if limit >= 0 and not reduce_only:
            size = self.size_raw[inst]
            if side == BUY:
                if size > 0x3fffffffffffffff - qty_raw:
                    return False
                after = size + qty_raw
            else:
                if size < -0x3fffffffffffffff + qty_raw:
                    return False
                after = size - qty_raw
            if (after > limit or after < -limit) and not (0 < after < size or size < after < 0):
                return False
        if self.max_total >= 0 and open_total >= self.max_total:
            return False
        limit = self.max_open[inst]
        if limit >= 0 and open_inst >= limit:
            return False
        limit = self.band[inst]
        if limit >= 0 and not market and last > 0:
            dist = price_raw - last
            if dist < 0:
                dist = -dist
            if <i128>dist * FP_SCALE > <i128>last * limit:
                return False
        if balance and self.check_balance and self.account.can_place_order_c(inst, side, qty_raw, px, reduce_only):
            return False
        return True
