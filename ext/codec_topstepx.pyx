"""TopstepX (ProjectX Gateway) order encoder: ``/api/Order/place``, ``/api/Order/cancel``, ``/api/Order/modify``.

This module owns the translation from the engine's order vocabulary to the Gateway's
JSON bodies (shared/venues/topstepx-projectx.md §4).  Rules:

1. Compact JSON with keys in a fixed order; enums are integers (side 0 buy / 1 sell,
   type 1 Limit, 2 Market, 4 Stop, 5 TrailingStop, 6 JoinBid, 7 JoinAsk), prices JSON numbers written from
   fixed point (never float), absent prices ``null`` as in the documented examples.
2. ``size`` is an integer number of contracts: a fractional quantity is refused.
3. The engine's types the Gateway has: MARKET, LIMIT (GTC: the Gateway has no time in
   force), STOP_LOSS (stop-market, ``stopPrice``) and TRAILING_STOP (``trailPrice``, a
   price level on place and modify), JOIN_BID and JOIN_ASK (JoinBid 6 / JoinAsk 7: the
   venue prices them at its best bid / ask, so every price is ``null``, as the place page's
   "if applicable" prices and peer code (project-x-py) send them; whether the Gateway
   refuses a price sent with them is unconfirmed).  StopLimit (3) is refused: the place
   page does not list it (unconfirmed whether it is accepted); post-only, IOC and FOK do
   not exist.
4. Brackets (Auto OCO accounts): ``stopLossBracket`` / ``takeProfitBracket`` with signed
   ticks relative to the entry; the caller computes the sign from the side.
5. ``customTag`` (our client id): at most 36 of ``[A-Za-z0-9_-]``; ``contractId`` at most
   64 of ``[A-Za-z0-9._-]``, so nothing needs JSON escaping.
6. Bad input raises :class:`~engine._codec_errors.EncodeError`; C entry points return a
   negative status.  Nothing is signed: the JWT goes in the request's header.
"""

from engine._codec_errors import encode_error

from libc.stdint cimport int64_t

from engine._codec_wire cimport CODEC_E_CALLBACK
from engine._codec_wire cimport CODEC_E_CLIENT_ID
from engine._codec_wire cimport CODEC_E_NOTHING
from engine._codec_wire cimport CODEC_E_ORDER_REF
from engine._codec_wire cimport CODEC_E_OVERFLOW
from engine._codec_wire cimport CODEC_E_POSITION
from engine._codec_wire cimport CODEC_E_PRICE
from engine._codec_wire cimport CODEC_E_PRICE_FORBIDDEN
from engine._codec_wire cimport CODEC_E_QTY
from engine._codec_wire cimport CODEC_E_SIDE
from engine._codec_wire cimport CODEC_E_STOP
from engine._codec_wire cimport CODEC_E_STOP_FORBIDDEN
from engine._codec_wire cimport CODEC_E_SYMBOL
from engine._codec_wire cimport CODEC_E_TYPE
from engine._codec_wire cimport borrow_text as _borrow_text
from engine._codec_wire cimport json_key as _key
from engine._codec_wire cimport json_str_field as _str_field
from engine._codec_wire cimport wire_bytes
from engine._codec_wire cimport wire_fp
from engine._codec_wire cimport wire_i64
from engine._codec_wire cimport wire_id_ok
from engine._codec_wire cimport wire_start
from engine._codec_wire cimport wire_t
from engine._enums cimport BUY
from engine._enums cimport JOIN_ASK
from engine._enums cimport JOIN_BID
from engine._enums cimport LIMIT
from engine._enums cimport MARKET
from engine._enums cimport SELL
from engine._enums cimport STOP_LOSS
from engine._enums cimport TRAILING_STOP

cdef enum:
    CONTRACT_MAX = 64
    CLIENT_ID_MAX = 36                  # customTag: the engine's ids (length/charset unconfirmed at the venue)
    DEFAULT_CAPACITY = 1024
    SCALE = 100000000                   # 8-decimal fixed point
    MAX_TICKS = 100000                  # a bracket this many ticks away is a mistake, not a strategy
    # Gateway OrderType values (§4)
    GW_LIMIT = 1
    GW_MARKET = 2
    GW_STOP = 4
    GW_TRAILING_STOP = 5
    GW_JOIN_BID = 6
    GW_JOIN_ASK = 7

ENDPOINTS = {0: b"", 1: b"/api/Order/place", 2: b"/api/Order/cancel", 3: b"/api/Order/modify"}

cdef const char *CONTRACT_EXTRA = b"._-"
cdef const char *ID_EXTRA = b"-_"


cdef inline void _price_field(wire_t *w, const char *name, int64_t raw) noexcept nogil:
    """A price as a JSON number (fixed point written exactly), or null when absent (0)."""
    _key(w, name)
    if raw:
        wire_fp(w, raw)
    else:
        wire_bytes(w, b"null", 4)


cdef inline void _bracket(wire_t *w, const char *name, int64_t ticks, int gw_type) noexcept nogil:
    _key(w, name)
    wire_bytes(w, b"{\"ticks\":", 9)
    wire_i64(w, ticks)
    wire_bytes(w, b",\"type\":", 8)
    wire_i64(w, gw_type)
    wire_bytes(w, b"}", 1)


cdef class TopstepxOrderEncoder(WireBuffer):
    """Gateway order bodies for one account, written into a reusable buffer.

    Parameters
    ----------
    account_id : int
        The account every body names (``accountId``).

    .. DANGER:: ``buffer`` is overwritten by the next call; one encoder per thread.
    """

    def __cinit__(self, int64_t account_id, *, Py_ssize_t capacity=DEFAULT_CAPACITY):
        if account_id <= 0:
            raise ValueError(f"account_id must be a positive integer, got {account_id}")
        self._allocate(capacity)
        self.account_id = account_id
        self.endpoint = 0

    def __repr__(self):
        return f"TopstepxOrderEncoder(account_id={self.account_id}, length={self.length})"

    @property
    def path(self):
        """URL path of the last request (all are POST)."""
        return ENDPOINTS[self.endpoint]

    def body(self):
        """The last body as bytes (cold path)."""
        return self._copy(0, self.length)

    cdef void _start(self, wire_t *w) noexcept nogil:
        wire_start(w, self.buf, self.capacity)
        _key(w, b"accountId")
        wire_i64(w, self.account_id)

    cdef Py_ssize_t _finish(self, wire_t *w, int endpoint) noexcept nogil:
        wire_bytes(w, b"}", 1)
        if w.overflow:
            return CODEC_E_OVERFLOW
        self.length = <Py_ssize_t>w.len
        self.endpoint = endpoint
        return self.length

    cdef Py_ssize_t new_order_c(self, const char *contract, size_t contract_len, int side, int order_type,
                                int64_t qty_raw, int64_t price_raw, int64_t stop_raw, int64_t trail_raw,
                                const char *client_id, size_t client_id_len, int64_t stop_ticks, int stop_type,
                                int64_t take_ticks, int take_type) noexcept nogil:
        cdef wire_t w
        cdef int gw_type
        if not wire_id_ok(contract, contract_len, CONTRACT_MAX, CONTRACT_EXTRA):
            return CODEC_E_SYMBOL
        if side != BUY and side != SELL:
            return CODEC_E_SIDE
        if qty_raw <= 0 or qty_raw % SCALE != 0:
            return CODEC_E_QTY               # whole contracts only
        if price_raw < 0:
            return CODEC_E_PRICE
        if stop_raw < 0:
            return CODEC_E_STOP
        if trail_raw < 0:
            return CODEC_E_CALLBACK
        if order_type == MARKET:
            gw_type = GW_MARKET
        elif order_type == LIMIT:
            gw_type = GW_LIMIT
            if price_raw == 0:
                return CODEC_E_PRICE
        elif order_type == STOP_LOSS:
            gw_type = GW_STOP
            if stop_raw == 0:
                return CODEC_E_STOP
        elif order_type == TRAILING_STOP:
            gw_type = GW_TRAILING_STOP
            if trail_raw == 0:
                return CODEC_E_CALLBACK
        elif order_type == JOIN_BID:
            gw_type = GW_JOIN_BID            # priced by the venue: no price of ours (rule 3)
        elif order_type == JOIN_ASK:
            gw_type = GW_JOIN_ASK
        else:
            return CODEC_E_TYPE
        if gw_type != GW_LIMIT and price_raw != 0:
            return CODEC_E_PRICE_FORBIDDEN
        if gw_type != GW_STOP and stop_raw != 0:
            return CODEC_E_STOP_FORBIDDEN
        if gw_type != GW_TRAILING_STOP and trail_raw != 0:
            return CODEC_E_CALLBACK
        if client_id_len and not wire_id_ok(client_id, client_id_len, CLIENT_ID_MAX, ID_EXTRA):
            return CODEC_E_CLIENT_ID
        if (stop_ticks < -MAX_TICKS or stop_ticks > MAX_TICKS or take_ticks < -MAX_TICKS or take_ticks > MAX_TICKS
                or (stop_ticks and stop_type != GW_STOP and stop_type != GW_MARKET and stop_type != GW_LIMIT)
                or (take_ticks and take_type != GW_LIMIT and take_type != GW_MARKET)):
            return CODEC_E_POSITION
        self._start(&w)
        _str_field(&w, b"contractId", contract, contract_len)
        _key(&w, b"type")
        wire_i64(&w, gw_type)
        _key(&w, b"side")
        wire_bytes(&w, b"0" if side == BUY else b"1", 1)
        _key(&w, b"size")
        wire_i64(&w, qty_raw // SCALE)
        _price_field(&w, b"limitPrice", price_raw)
        _price_field(&w, b"stopPrice", stop_raw)
        _price_field(&w, b"trailPrice", trail_raw)
        if client_id_len:
            _str_field(&w, b"customTag", client_id, client_id_len)
        if stop_ticks:
            _bracket(&w, b"stopLossBracket", stop_ticks, stop_type)
        if take_ticks:
            _bracket(&w, b"takeProfitBracket", take_ticks, take_type)
        return self._finish(&w, 1)

    cdef Py_ssize_t cancel_order_c(self, int64_t order_id) noexcept nogil:
        cdef wire_t w
        if order_id <= 0:
            return CODEC_E_ORDER_REF
        self._start(&w)
        _key(&w, b"orderId")
        wire_i64(&w, order_id)
        return self._finish(&w, 2)

    cdef Py_ssize_t modify_order_c(self, int64_t order_id, int64_t qty_raw, int64_t price_raw,
                                   int64_t stop_raw, int64_t trail_raw) noexcept nogil:
        cdef wire_t w
        if order_id <= 0:
            return CODEC_E_ORDER_REF
        if qty_raw < 0 or qty_raw % SCALE != 0:
            return CODEC_E_QTY
        if price_raw < 0:
            return CODEC_E_PRICE
        if stop_raw < 0:
            return CODEC_E_STOP
        if trail_raw < 0:
            return CODEC_E_CALLBACK
        if qty_raw == 0 and price_raw == 0 and stop_raw == 0 and trail_raw == 0:
            return CODEC_E_NOTHING
        self._start(&w)
        _key(&w, b"orderId")
        wire_i64(&w, order_id)
        # as the documented example: every field named, null where it does not change (whether an omitted
        # field means "unchanged" or "cleared" is unconfirmed, so nothing is left to that question)
        _key(&w, b"size")
        if qty_raw:
            wire_i64(&w, qty_raw // SCALE)
        else:
            wire_bytes(&w, b"null", 4)
        _price_field(&w, b"limitPrice", price_raw)
        _price_field(&w, b"stopPrice", stop_raw)
        _price_field(&w, b"trailPrice", trail_raw)
        return self._finish(&w, 3)

    def new_order(self, contract_id, int side, int order_type, int64_t qty_raw, int64_t price_raw=0,
                  int64_t stop_raw=0, client_id=None, *, int64_t trail_raw=0, int64_t stop_ticks=0,
                  int stop_type=GW_STOP, int64_t take_ticks=0, int take_type=GW_LIMIT):
        """Encode ``/api/Order/place``.

        Parameters
        ----------
        contract_id : bytes or str
            ``CON.F.US.MNQ.Z26``.
        side : Side
        order_type : OrderType
            MARKET, LIMIT, STOP_LOSS (stop-market), TRAILING_STOP, JOIN_BID or JOIN_ASK (no prices).
        qty_raw : int
            Fixed-point raw; whole contracts only.
        price_raw, stop_raw : int
            Limit price (LIMIT), stop price (STOP_LOSS); 0 = absent.
        client_id : bytes, str or None
            ``customTag`` (<= 36 of ``[A-Za-z0-9_-]``).
        trail_raw : int, keyword-only
            TRAILING_STOP: ``trailPrice``, the price level the trail distance is measured from.
        stop_ticks, take_ticks : int, keyword-only
            Signed bracket ticks from the entry (0: no bracket); ``stop_type`` / ``take_type`` the
            legs' Gateway order types (4 Stop, 1 Limit by default).

        Returns
        -------
        int
            Body length in :attr:`buffer`.

        Raises
        ------
        EncodeError
        """
        cdef const char *k
        cdef const char *c
        cdef Py_ssize_t kn, cn
        _borrow_text(contract_id, &k, &kn)
        _borrow_text(client_id, &c, &cn)
        cdef Py_ssize_t n = self.new_order_c(k, <size_t>kn, side, order_type, qty_raw, price_raw, stop_raw, trail_raw,
                                             c, <size_t>cn, stop_ticks, stop_type, take_ticks, take_type)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "topstepx", f"contract={contract_id!r} side={side} type={order_type} "
                               f"qty_raw={qty_raw} price_raw={price_raw} stop_raw={stop_raw} trail_raw={trail_raw} "
                               f"client_id={client_id!r} brackets={stop_ticks}/{take_ticks}")
        return n

    def cancel_order(self, int64_t order_id):
        """Encode ``/api/Order/cancel`` (the Gateway cancels by its own order id).  Returns the body length."""
        cdef Py_ssize_t n = self.cancel_order_c(order_id)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "topstepx", f"order_id={order_id}")
        return n

    def modify_order(self, int64_t order_id, int64_t qty_raw=0, int64_t price_raw=0, int64_t stop_raw=0,
                     int64_t trail_raw=0):
        """Encode ``/api/Order/modify``: new size and/or prices (0 = unchanged, sent as null).

        Returns the body length; raises :class:`EncodeError` (nothing to change, a fractional size, ...).
        """
        cdef Py_ssize_t n = self.modify_order_c(order_id, qty_raw, price_raw, stop_raw, trail_raw)
        if n < 0:
            self.length = 0
            raise encode_error(<int>n, "topstepx", f"order_id={order_id} qty_raw={qty_raw} price_raw={price_raw} "
                               f"stop_raw={stop_raw} trail_raw={trail_raw}")
        return n
