"""Apply parsed venue records to the order store and the position book, in C.

The stream handlers call :meth:`RecordApplier.apply` right after a compiled parser
(any :class:`~engine._parse_common.RecordParser`) has filled its record; nothing here makes a Python
object.  The outcome is left in small integer attributes (``status``, ``event``,
``slot``, ``fill_qty_raw``) that the order manager reads to emit events.

Rules (one place for the venue differences):

- The order is found by the original client id (Binance cancels carry the cancel
  request's own id in ``c`` and the order's in ``C``), else by the client id, else by
  the exchange id.  A record matching none of our orders is *foreign*: counted, and
  adopted later by reconciliation.
- Binance reports (executionReport, ORDER_TRADE_UPDATE, ALGO_UPDATE) carry the exec
  type, state, last fill and cumulative quantity: applied as they are.
- Every other venue's parser states its records in the venue-neutral kinds, so a new venue
  changes nothing here: ``MSG_TRADE`` records are the fills (trade id = a hash of the
  record's text id, else of its integer id); ``MSG_ORDER_STATE`` records give state changes
  only: their fill states are *deferred* to the trades, so a fill is never counted twice
  (Bybit ``execution``/``order``, TopstepX GatewayUserTrade/GatewayUserOrder, Gate.io
  ``spot.usertrades``/``spot.orders``, MEXC deals/orders pushes); ``MSG_ORDER_RECEIVED`` (an answer that the venue
  received the order) is deferred to the stream; ``MSG_ORDER_ACCEPTED`` makes it NEW.
- Each fill that changed the store moves the position (futures) by exactly the
  quantity the store added, at the fill price, with its fee.
"""

cimport cython
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint64_t
from libc.stdlib cimport free
from libc.stdlib cimport malloc
from libc.string cimport memcmp
from libc.string cimport memcpy

from engine._enums cimport CANCELLED
from engine._enums cimport EXEC_AMENDMENT
from engine._enums cimport EXEC_REPLACED
from engine._enums cimport EXEC_CANCELED
from engine._enums cimport EXEC_EXPIRED
from engine._enums cimport EXEC_NEW
from engine._enums cimport EXEC_REJECTED
from engine._enums cimport EXEC_TRADE
from engine._enums cimport EXEC_TRIGGERED
from engine._enums cimport EXPIRED
from engine._enums cimport FILLED
from engine._enums cimport JOIN_ASK
from engine._enums cimport JOIN_BID
from engine._enums cimport LIMIT
from engine._enums cimport LIMIT_MAKER
from engine._enums cimport NEW
from engine._enums cimport NOT_PLACED
from engine._enums cimport PARTIALLY_FILLED
from engine._enums cimport REJECTED
from engine._enums cimport STOP_LOSS_LIMIT
from engine._enums cimport TAKE_PROFIT_LIMIT
from engine._exec_record cimport F_CLIENT_ID
from engine._exec_record cimport F_COMMISSION
from engine._exec_record cimport F_COMMISSION_ASSET
from engine._exec_record cimport F_CUM_QTY
from engine._exec_record cimport F_LAST_PRICE
from engine._exec_record cimport F_LAST_QTY
from engine._exec_record cimport F_LEAVES_QTY
from engine._exec_record cimport F_ORDER_ID
from engine._exec_record cimport F_ORIG_CLIENT_ID
from engine._exec_record cimport F_PRICE
from engine._exec_record cimport F_QTY
from engine._exec_record cimport F_TRADE_ID
from engine._exec_record cimport F_VENUE_ORDER_ID
from engine._exec_record cimport MSG_ALGO_UPDATE
from engine._exec_record cimport F_FILLS
from engine._exec_record cimport MSG_TRADE
from engine._exec_record cimport REC_NO_AMEND
from engine._exec_record cimport MSG_ORDER_STATE
from engine._exec_record cimport MSG_ORDER_RECEIVED
from engine._exec_record cimport MSG_ORDER_ACCEPTED
from engine._exec_record cimport MSG_ORDER_RESPONSE
from engine._exec_record cimport MSG_EXECUTION_REPORT
from engine._exec_record cimport MSG_ORDER_TRADE_UPDATE
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport record_has
from engine._instruments cimport Instruments
from engine._order_store cimport APPLIED
from engine._order_store cimport DUPLICATE
from engine._order_store cimport STALE
from engine._order_store cimport OrderStore
from engine._parse_common cimport RecordParser
from engine._positions cimport FEE_BASE
from engine._positions cimport FEE_OTHER
from engine._positions cimport FEE_QUOTE
from engine._positions cimport POS_OK
from engine._positions cimport PositionBook

cdef enum:
    ASSET_NAME_CAP = 16          # bytes kept per asset name (fee assets are short: BNB, USDT)


cdef inline int64_t hash_id(const char *p, int n) noexcept nogil:
    """FNV-1a of a string id, folded to a non-negative int64 (Bybit execId -> trade id)."""
    cdef uint64_t h = 1469598103934665603ULL
    cdef int i
    for i in range(n):
        h = (h ^ <unsigned char>p[i]) * 1099511628211ULL
    return <int64_t>(h >> 1)


cdef inline int64_t hash_int_id(int64_t v) noexcept nogil:
    """hash_id of the decimal text of an integer id (TopstepX trade ids), so the trade id of a hub fill
    and of the same fill listed by Trade/search (``exec_id_hash(str(id))``) are one id."""
    cdef char digits[24]
    cdef char out[24]
    cdef int k = 0, n = 0
    cdef uint64_t m = <uint64_t>(-v) if v < 0 else <uint64_t>v
    if v < 0:
        out[n] = 45                     # '-'
        n += 1
    while True:
        digits[k] = <char>(48 + m % 10)
        k += 1
        m //= 10
        if m == 0:
            break
    while k > 0:
        k -= 1
        out[n] = digits[k]
        n += 1
    return hash_id(out, n)


def exec_id_hash(exec_id):
    """The trade id the applier gives a string execution id (Bybit ``execId``), for cold-path fills."""
    cdef bytes b = exec_id.encode() if isinstance(exec_id, str) else bytes(exec_id)
    return hash_id(b, len(b))


cdef inline int event_for(int state, int exec_type) noexcept nogil:
    if exec_type == EXEC_AMENDMENT:
        return EV_AMENDED
    if exec_type == EXEC_TRIGGERED:
        return EV_TRIGGERED
    if state == NEW:
        return EV_ACCEPTED
    if state == PARTIALLY_FILLED:
        return EV_PARTIALLY_FILLED
    if state == FILLED:
        return EV_FILLED
    if state == CANCELLED:
        return EV_CANCELLED
    if state == REJECTED:
        return EV_REJECTED
    if state == EXPIRED:
        return EV_EXPIRED
    return EV_NONE


cdef inline bint _ended(int state) noexcept nogil:
    return (state == FILLED or state == CANCELLED or state == EXPIRED or state == REJECTED
            or state == NOT_PLACED)


cdef class RecordApplier:
    """Applies records of one venue account to its store (and positions, for futures).

    Parameters
    ----------
    store : OrderStore
    instruments : Instruments
        For the base/quote assets of fills (fee kind) and fee asset ids.
    positions : PositionBook or None
        Moved by fills on futures accounts; None for spot (balances come from the
        venue's account events there).
    """

    def __cinit__(self, OrderStore store, Instruments instruments, PositionBook positions=None):
        self.store = store
        self.instruments = instruments
        self.positions = positions
        self.asset_names = NULL
        self.asset_lens = NULL
        self.n_assets = 0
        self.slot = -1
        self.refresh_assets()

    def __dealloc__(self):
        free(self.asset_names)
        free(self.asset_lens)

    def refresh_assets(self):
        """Re-read the asset names of the instrument registry (after loading instruments), and hand the
        instruments' multipliers (a future's point value) to the position book, whose PnL they scale."""
        names = [name.encode() for name in self.instruments.asset_names]
        cdef Py_ssize_t n = len(names), i
        cdef bytes b
        free(self.asset_names)
        free(self.asset_lens)
        self.asset_names = <char *>malloc(max(n, 1) * ASSET_NAME_CAP)
        self.asset_lens = <unsigned char *>malloc(max(n, 1))
        if self.asset_names == NULL or self.asset_lens == NULL:
            raise MemoryError("asset table")
        for i in range(n):
            b = names[i][:ASSET_NAME_CAP]
            memcpy(self.asset_names + i * ASSET_NAME_CAP, <const char *>b, len(b))
            self.asset_lens[i] = <unsigned char>len(b)
        self.n_assets = <int32_t>n
        if self.positions is not None:
            for i in range(min(self.instruments.count, self.positions.capacity)):
                self.positions.set_multiplier(i, self.instruments.multiplier_raw[i])

    cdef int32_t fee_asset_c(self, const ExecRecord *r) noexcept nogil:
        cdef int32_t i
        if not record_has(r, F_COMMISSION_ASSET) or r.commission_asset_len == 0:
            return -1
        for i in range(self.n_assets):
            if (self.asset_lens[i] == r.commission_asset_len
                    and memcmp(self.asset_names + i * ASSET_NAME_CAP, r.commission_asset,
                               r.commission_asset_len) == 0):
                return i
        return -1

    cdef int32_t find_slot_c(self, const ExecRecord *r) noexcept nogil:
        cdef int32_t slot = -1
        if record_has(r, F_ORIG_CLIENT_ID) and r.orig_client_id_len > 0:
            slot = self.store.find_client_id_c(r.orig_client_id, r.orig_client_id_len)
        if slot < 0 and record_has(r, F_CLIENT_ID) and r.client_id_len > 0:
            slot = self.store.find_client_id_c(r.client_id, r.client_id_len)
        if slot < 0 and record_has(r, F_ORDER_ID) and r.kind != MSG_ALGO_UPDATE:
            slot = self.store.find_exchange_int_c(r.order_id)
        if slot < 0 and record_has(r, F_VENUE_ORDER_ID) and r.venue_order_id_len > 0:
            slot = self.store.find_exchange_str_c(r.venue_order_id, r.venue_order_id_len)
        return slot

    @cython.boundscheck(False)  # slot comes from the store's own lookups (live), inst from its column
    @cython.wraparound(False)
    cdef int apply_c(self, const ExecRecord *r, int64_t ts_ns) noexcept nogil:
        """Apply one record; returns the ApplyStatus (also left in ``status``)."""
        cdef int32_t slot, fee_asset, other
        cdef int exec_type, state, res, rc, kind = r.kind
        cdef int64_t cum, trade_id, last_qty, last_price, before, fee
        self.event = EV_NONE
        self.fill_qty_raw = 0
        self.fill_price_raw = 0
        self.store_result = -1
        self.short = False
        if (kind != MSG_EXECUTION_REPORT and kind != MSG_ORDER_TRADE_UPDATE and kind != MSG_ALGO_UPDATE
                and kind != MSG_ORDER_STATE and kind != MSG_TRADE and kind != MSG_ORDER_RESPONSE
                and kind != MSG_ORDER_RECEIVED and kind != MSG_ORDER_ACCEPTED):
            self.slot = -1
            self.status = AP_NOT_ORDER
            return AP_NOT_ORDER
        slot = self.find_slot_c(r)
        self.slot = slot
        self.prev_state = 0
        if slot < 0:
            self.n_foreign += 1
            self.status = AP_FOREIGN
            return AP_FOREIGN
        # remember the venue's id for O(1) lookups of later records; a record whose venue id is
        # another order's than the one our client id names is that other order's (when we know
        # it), else a second venue order carrying our client id: a conflict, never folded into ours
        other = -1
        if record_has(r, F_ORDER_ID) and kind != MSG_ALGO_UPDATE:
            rc = self.store.set_exchange_int_c(slot, r.order_id)
            if rc == -2 or rc == -3:
                other = self.store.find_exchange_int_c(r.order_id)
        elif record_has(r, F_VENUE_ORDER_ID) and r.venue_order_id_len > 0:
            rc = self.store.set_exchange_str_c(slot, r.venue_order_id, r.venue_order_id_len)
            if rc == -2 or rc == -3:
                other = self.store.find_exchange_str_c(r.venue_order_id, r.venue_order_id_len)
        else:
            rc = 0
        if rc == -2 or rc == -3:
            if other < 0:
                self.n_conflicts += 1
                self.status = AP_CONFLICT
                return AP_CONFLICT
            slot = other
            self.slot = slot
        self.prev_state = self.store.state[slot]

        if kind == MSG_ORDER_RECEIVED:
            # an acknowledgement of receipt only; the order's state comes on the stream
            self.status = AP_DEFERRED
            return AP_DEFERRED
        if kind == MSG_ORDER_RESPONSE:
            return self.apply_response_c(slot, r, ts_ns)

        state = r.order_state
        exec_type = r.exec_type
        if exec_type == EXEC_REPLACED:     # (Binance spot's keepPriority: the same order, its quantity lowered)
            exec_type = EXEC_AMENDMENT
        cum = r.cum_qty_raw if record_has(r, F_CUM_QTY) else -1
        trade_id = r.trade_id if record_has(r, F_TRADE_ID) and r.trade_id >= 0 else -1
        last_qty = r.last_qty_raw if record_has(r, F_LAST_QTY) else 0
        last_price = r.last_price_raw if record_has(r, F_LAST_PRICE) else 0
        if record_has(r, F_QTY) and r.qty_raw > self.store.qty_raw[slot]:
            self._resize_c(slot, r, cum if cum >= 0 else (self.store.filled_raw[slot] + last_qty
                                                           if kind == MSG_TRADE or exec_type == EXEC_TRADE else 0),
                           ts_ns)
        if kind == MSG_ORDER_ACCEPTED:
            # the venue took the order (its later states and fills come on the user hub)
            exec_type = EXEC_NEW
            state = NEW
            cum = -1
        elif kind == MSG_TRADE:
            # (a trade that says nothing of what is left, as MEXC's deals, lets the store end the order
            # when it is all filled)
            # one fill, told apart by its trade id (text, else the integer id); the store completes
            # the order when its quantity is reached, or here when the record says nothing is left
            exec_type = EXEC_TRADE
            if r.exec_id_len > 0:
                trade_id = hash_id(r.exec_id, r.exec_id_len)
            elif record_has(r, F_TRADE_ID):
                trade_id = hash_int_id(r.trade_id)
            else:
                trade_id = -1
            cum = -1
            state = FILLED if record_has(r, F_LEAVES_QTY) and r.leaves_qty_raw == 0 else PARTIALLY_FILLED
            if (state == FILLED and last_qty > 0 and trade_id >= 0 and not _ended(self.store.state[slot])
                    and self.store.filled_raw[slot] + last_qty < self.store.qty_raw[slot]):
                # the venue says nothing is left, yet the fills we hold fall short of the order: one is
                # missing (lost or late on the stream); the order stays open and is asked for (``short``)
                state = PARTIALLY_FILLED
                self.short = True
                self.n_short += 1
        elif kind == MSG_ORDER_STATE:
            self._venue_price_c(slot, r)
            if state == PARTIALLY_FILLED or state == FILLED:
                self.status = AP_DEFERRED
                return AP_DEFERRED
            cum = -1
            if state == NEW:
                # (an open event arriving after the order ended, reordered or late, is stale: never an
                # amendment of an ended order)
                if ((r.flags & REC_NO_AMEND) == 0 and record_has(r, F_QTY) and record_has(r, F_PRICE)
                        and self.store.state[slot] != 1 and not _ended(self.store.state[slot])
                        and (r.qty_raw != self.store.qty_raw[slot] or r.price_raw != self.store.price_raw[slot])):
                    exec_type = EXEC_AMENDMENT
                else:
                    exec_type = EXEC_NEW
            elif state == CANCELLED:
                exec_type = EXEC_CANCELED
            elif state == REJECTED:
                exec_type = EXEC_REJECTED
            elif state == EXPIRED:
                exec_type = EXEC_EXPIRED
        if exec_type == EXEC_AMENDMENT and not _ended(self.store.state[slot]):
            # (an amendment heard after the order ended, its stream late or reordered, is stale: the store's
            # apply below says so)
            self.store.amend_c(slot, r.qty_raw if record_has(r, F_QTY) else 0,
                               r.price_raw if record_has(r, F_PRICE) else 0, ts_ns)
        if exec_type == EXEC_TRIGGERED and state == 0:
            state = NEW

        before = self.store.filled_raw[slot]
        fee_asset = self.fee_asset_c(r) if exec_type == EXEC_TRADE else -1
        fee = r.commission_raw if exec_type == EXEC_TRADE and record_has(r, F_COMMISSION) else 0
        res = self.store.apply_c(slot, exec_type, state, last_qty, last_price, cum, trade_id,
                                 fee, fee_asset, ts_ns)
        return self._finish_c(slot, res, exec_type, last_price, before, fee, fee_asset)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef void _resize_c(self, int32_t slot, const ExecRecord *r, int64_t filled, int64_t ts_ns) noexcept nogil:
        """A record filling a limit order beyond its quantity as the store holds it (``filled``), or up to it
        while saying some is left, within the quantity the record states: the venue amended the order and its
        word of that was lost or is late.  The venue's quantity is taken first, so the fill is never refused
        as an overfill, nor the order ended before its last fill."""
        cdef int t = self.store.order_type[slot]
        cdef int64_t held = self.store.qty_raw[slot]
        # (fills that reach the quantity held while the record says some is left would end the order early)
        cdef bint partly = r.order_state == PARTIALLY_FILLED or (record_has(r, F_LEAVES_QTY) and r.leaves_qty_raw > 0)
        if ((filled > held or (filled == held and partly)) and filled <= r.qty_raw
                and not _ended(self.store.state[slot])
                and (t == LIMIT or t == LIMIT_MAKER or t == STOP_LOSS_LIMIT or t == TAKE_PROFIT_LIMIT)):
            if self.store.amend_c(slot, r.qty_raw, 0, ts_ns) == 0:
                self.n_resized += 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef void _venue_price_c(self, int32_t slot, const ExecRecord *r) noexcept nogil:
        """A join bid / join ask is sent without a price: the first price the venue states for it is the
        price it rests at, taken as the order's own (not an amendment)."""
        cdef int t = self.store.order_type[slot]
        if ((t == JOIN_BID or t == JOIN_ASK) and self.store.price_raw[slot] == 0 and record_has(r, F_PRICE)
                and r.price_raw > 0):
            self.store.price_raw[slot] = r.price_raw

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int apply_response_c(self, int32_t slot, const ExecRecord *r, int64_t ts_ns) noexcept nogil:
        """A Binance order answer (REST or WS API: ACK, RESULT, FULL, cancel).

        A single fill in a FULL answer is applied exactly (its trade id makes the stream's
        copy a duplicate); several fills are left to the stream, which reports each one
        with its price and fee.  Otherwise the answer acknowledges (NEW) or ends the order
        (cancelled, expired, rejected), without fills: cumulative quantities it reports
        arrive as the stream's trades.
        """
        cdef int state = r.order_state, res, status
        cdef int nfills = r.fill_count if record_has(r, F_FILLS) else 0
        cdef int64_t before = self.store.filled_raw[slot]
        cdef int32_t fee_asset
        self.status = AP_IGNORED
        if nfills == 1 and record_has(r, F_TRADE_ID) and record_has(r, F_LAST_QTY):
            fee_asset = self.fee_asset_c(r)
            res = self.store.apply_c(slot, EXEC_TRADE, state, r.last_qty_raw, r.last_price_raw,
                                     r.cum_qty_raw if record_has(r, F_CUM_QTY) else -1, r.trade_id,
                                     r.commission_raw if record_has(r, F_COMMISSION) else 0, fee_asset, ts_ns)
            self._finish_c(slot, res, EXEC_TRADE, r.last_price_raw, before,
                           r.commission_raw if record_has(r, F_COMMISSION) else 0, fee_asset)
            if state == FILLED or state == PARTIALLY_FILLED:
                return self.status
        if state == PARTIALLY_FILLED or state == FILLED or state == NEW:
            res = self.store.apply_c(slot, EXEC_NEW, NEW, 0, 0, -1, -1, 0, -1, ts_ns)
            status = self._finish_c(slot, res, EXEC_NEW, 0, before, 0, -1)
        elif state == CANCELLED or state == EXPIRED or state == REJECTED:
            if record_has(r, F_CUM_QTY) and r.cum_qty_raw > before and not _ended(self.store.state[slot]):
                # it ends having filled more than we hold: a fill the stream has not brought (lost, or
                # still on its way); the caller asks the venue for it (``short``)
                self.short = True
                self.n_short += 1
            res = self.store.apply_c(slot, EXEC_CANCELED if state == CANCELLED else
                                     (EXEC_EXPIRED if state == EXPIRED else EXEC_REJECTED),
                                     state, 0, 0, -1, -1, 0, -1, ts_ns)
            status = self._finish_c(slot, res, EXEC_CANCELED, 0, before, 0, -1)
        else:
            status = self.status
        return status

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int _finish_c(self, int32_t slot, int res, int exec_type, int64_t price, int64_t before, int64_t fee,
                       int32_t fee_asset) noexcept nogil:
        """Book-keeping after a store update: counters, event, fill quantity, position."""
        cdef int32_t inst
        cdef int fee_kind
        self.store_result = res
        if res != APPLIED:
            if res == DUPLICATE or res == STALE:
                self.n_ignored += 1
                self.status = AP_IGNORED
            else:
                self.n_refused += 1
                self.status = AP_REFUSED
            return self.status
        self.n_applied += 1
        self.status = AP_APPLIED
        self.event = event_for(self.store.state[slot], exec_type)
        if exec_type == EXEC_TRADE:
            self.fill_qty_raw = self.store.filled_raw[slot] - before
            self.fill_price_raw = price
            if self.positions is not None and self.fill_qty_raw > 0:
                inst = self.store.instrument[slot]
                if fee_asset >= 0 and fee_asset == self.instruments.base_asset[inst]:
                    fee_kind = FEE_BASE
                elif fee_asset < 0 or fee_asset == self.instruments.quote_asset[inst]:
                    fee_kind = FEE_QUOTE
                else:
                    fee_kind = FEE_OTHER
                if self.positions.update_from_fill_c(inst, self.store.side[slot], self.fill_qty_raw, price,
                                                     fee, fee_kind, fee_asset) != POS_OK:
                    self.n_position_errors += 1
        return AP_APPLIED

    def apply(self, RecordParser parser, int64_t ts_ns=0):
        """Apply the record ``parser`` holds (an answer after ``parse``, a stream record after
        ``next_record``); returns the ApplyStatus."""
        return self.apply_c(parser.record_c(), ts_ns)

    def counters(self):
        """Counts by outcome (cold path)."""
        return {"applied": self.n_applied, "ignored": self.n_ignored, "foreign": self.n_foreign,
                "refused": self.n_refused, "position_errors": self.n_position_errors, "conflicts": self.n_conflicts,
                "resized": self.n_resized, "short": self.n_short}
