"""Binance's compiled order writer (spot and USD-M): what the engine's compiled order entry
(:mod:`engine._order_entry`) asks of the venue, written at once.

- Over REST (the lean path): the order (and a USD-M amendment, ``write_amend``) encoded and signed
  by the compiled encoder straight into its buffer, stamped with the venue's clock, the rate budget
  taken and the bytes written on the warm keep-alive connection (``LeanHttpPath.write_now``); the
  answer read by the order path's reader (``BinanceOrderPath.read_naming``: the typed error, or the
  compiled parser holding it, its client id checked).
- A spot amendment that only lowers the quantity (``write_amend``, ``amends_down``): ``PUT
  /api/v3/order/amend/keepPriority`` (``order.amend.keepPriority`` on the WebSocket API when orders go there),
  the order amended in place, its queue priority and client id kept; its ``amendedOrder`` found in C
  (:func:`amended_order`) for the compiled parser.
- A spot amendment by cancel-replace (``write_replace``): ``POST /api/v3/order/cancelReplace``
  (STOP_ON_FAILURE) encoded and signed by the compiled encoder and written at once on the lean REST
  path (``order.cancelReplace`` on the WebSocket API when orders go there); its answer split in C into the cancel's and the new order's own answers
  (:func:`cancel_replace_legs`, the new one's client id checked), each for the compiled parser.
- Over the WebSocket API, when orders go there and its session is up: paced by the account's limiter
  as REST is, the ``order.place`` / ``order.cancel`` frame written by the session (``BinanceWsApi``),
  the answer's raw bytes read by the order path's compiled parser, its client id checked
  (:meth:`BinanceWriter.ws_write` and :meth:`BinanceWriter.ws_read` are also the adapter's, for the
  orders it writes after waiting its turn).

Nothing here decides an outcome: a write that cannot happen now returns None with nothing spent or
written, and every error is the adapter's, raised as it raises it.
"""

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int64_t
from libc.string cimport memcmp

from engine._codec_binance cimport BinanceOrderEncoder
from engine._jsonscan cimport JS_E_SHAPE
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_enter
from engine._jsonscan cimport js_finish
from engine._jsonscan cimport js_key_is
from engine._jsonscan cimport js_next_key
from engine._jsonscan cimport js_skip
from engine._jsonscan cimport js_span
from engine._jsonscan cimport js_string
from engine._order_spec cimport OrderSpec
from engine._order_writer cimport OrderWriter
from engine._parse_common cimport raise_parse_error

from engine.venues.binance.decode import ALGO_TYPES as _ALGO_TYPES
from engine.venues.binance.order_path import AMEND_COST as _AMEND_COST
from engine.venues.binance.order_path import CANCEL_COST as _CANCEL_COST
from engine.venues.binance.order_path import PLACE_COST as _PLACE_COST
from engine.transport.errors import ConnectionLost as _ConnectionLost
from engine.venues.binance.errors import check_response as _check_response
from engine.venues.binance.errors import leg_answers as _leg_answers
from engine.venues.errors import OutcomeUnknown as _OutcomeUnknown
from engine.venues.errors import VenueError as _VenueError

__all__ = ["BinanceWriter", "REST", "REST_ALGO", "WS_API", "amended_order", "cancel_replace_legs"]

REST = 0        # kind: written on the REST lean path
REST_ALGO = 2   # kind: a USD-M conditional order written on the REST lean path
WS_API = 1      # kind: written on the WebSocket API session

cdef int _REST = REST
cdef int _REST_ALGO = REST_ALGO
cdef int _WS_API = WS_API


cdef enum:
    LEGS_OTHER_ORDER = 1        # _legs: the new order's answer names another client id


cdef int _legs_object(js_cur *c, const char *buf, const char *cid, Py_ssize_t cid_len, Py_ssize_t *spans,
                      int *named, bint amended) noexcept:
    """The object at the cursor that holds the legs (as :func:`_legs` reads them), read through its closing
    brace: JS_OK, or a negative js_status.  ``amended``: a keepPriority amendment's answer, whose one leg is
    ``amendedOrder`` (in ``spans[2:4]``, its client id checked as the new order's)."""
    cdef js_span key, text
    cdef int first = 1, inner, st, leg
    cdef const char *start
    st = js_enter(c, b'{')
    while st == JS_OK:
        st = js_next_key(c, &first, &key)
        if st <= 0:
            break
        if amended:
            leg = 2 if js_key_is(&key, b"amendedOrder", 12) else -1
        elif js_key_is(&key, b"cancelResponse", 14):
            leg = 0
        elif js_key_is(&key, b"newOrderResponse", 16):
            leg = 2
        else:
            leg = -1
        if leg < 0:
            st = js_skip(c)
            continue
        if spans[leg] >= 0:
            return JS_E_SHAPE
        start = c.p
        st = js_enter(c, b'{')
        if leg == 0:                    # the cancel's object, whole
            if st == JS_OK:
                c.p = start
                st = js_skip(c)
        else:                           # the new order's, its client id read on the way
            inner = 1
            while st == JS_OK:
                st = js_next_key(c, &inner, &key)
                if st <= 0:
                    break
                if js_key_is(&key, b"clientOrderId", 13):
                    st = js_string(c, &text)
                    if st == JS_OK and not text.escaped and <Py_ssize_t>text.n == cid_len \
                            and memcmp(text.s, cid, <size_t>cid_len) == 0:
                        named[0] = 1
                else:
                    st = js_skip(c)
        spans[leg] = start - buf
        spans[leg + 1] = c.p - buf
    return st                           # (0: its closing brace read)


cdef int _legs(const char *buf, Py_ssize_t size, const char *cid, Py_ssize_t cid_len, Py_ssize_t *spans,
               bint wrapped, bint amended) noexcept:
    """The two legs of a cancelReplace answer ``{..., "cancelResponse":{...}, "newOrderResponse":{...}}`` (REST),
    or of its WebSocket API answer, where that object is the envelope's ``result`` (``wrapped``):
    ``spans[0:2]`` the cancel's object, ``spans[2:4]`` the new order's (offsets into ``buf``).  JS_OK;
    LEGS_OTHER_ORDER when ``cid`` is given and the new order's ``clientOrderId`` is not it; a negative
    js_status (JS_E_SHAPE: a leg or the result missing, not an object, or twice), ``spans[0]`` the offset it
    stopped at.  ``amended``: the answer of a keepPriority amendment, ``{..., "amendedOrder":{...}}``, its one leg
    in ``spans[2:4]`` (``spans[0:2]`` left -1), its client id checked as the new order's."""
    cdef js_cur c
    cdef js_span key
    cdef int first = 1, st, named = 0, found = 0
    spans[0] = spans[1] = spans[2] = spans[3] = -1
    c.p = buf
    c.end = buf + size
    if wrapped:
        st = js_enter(&c, b'{')
        while st == JS_OK:
            st = js_next_key(&c, &first, &key)
            if st <= 0:
                break
            if js_key_is(&key, b"result", 6):
                if found:
                    st = JS_E_SHAPE
                    break
                found = 1
                st = _legs_object(&c, buf, cid, cid_len, spans, &named, amended)
            else:
                st = js_skip(&c)
    else:
        st = _legs_object(&c, buf, cid, cid_len, spans, &named, amended)
    if st == JS_OK:
        st = js_finish(&c)
    if st == JS_OK and ((spans[0] < 0 and not amended) or spans[2] < 0):
        st = JS_E_SHAPE
    if st != JS_OK:
        spans[0] = c.p - buf
        return st
    if cid_len and not named:
        return LEGS_OTHER_ORDER
    return JS_OK


cdef tuple _cut(bytes body, bytes client_id, bint wrapped, bint amended, int *other):
    """:func:`_legs` of ``body``: ``(cancel answer or None, the new or amended order's answer)`` as bytes, each
    its own JSON object; ParseError when the answer is not that shape.  When that order is not ``client_id``'s,
    ``other[0]`` is set and None returned (what that means is the caller's)."""
    cdef Py_ssize_t spans[4]
    cdef Py_ssize_t n = PyBytes_GET_SIZE(body)
    cdef int st = _legs(PyBytes_AS_STRING(body), n, PyBytes_AS_STRING(client_id) if client_id else NULL,
                        len(client_id) if client_id else 0, spans, wrapped, amended)
    other[0] = st == LEGS_OTHER_ORDER
    if other[0]:
        return None
    if st != JS_OK:
        raise_parse_error(st, spans[0], n)
    return None if amended else body[spans[0]:spans[1]], body[spans[2]:spans[3]]


cdef tuple _legs_of(bytes body, bytes client_id, bint wrapped, bint amended):
    """:func:`_cut` from Python: ValueError when the order is not ``client_id``'s."""
    cdef int other
    legs = _cut(body, client_id, wrapped, amended, &other)
    if other:
        raise ValueError(f"the {'amended' if amended else 'new'} order's answer names another order than "
                         f"{client_id.decode()}")
    return legs


def cancel_replace_legs(bytes body not None, bytes client_id=None, bint wrapped=False):
    """A cancelReplace answer's legs: ``(cancel answer, new-order answer)``, each the bytes of its own JSON
    object for the compiled parser (no JSON round trip); ``wrapped``: a WebSocket API answer (the legs in its
    ``result``).  With ``client_id``, the new order's answer must name it (else ValueError).  Raises
    ParseError when the answer is not that shape (bounds-checked: any bytes)."""
    return _legs_of(body, client_id, wrapped, False)


def amended_order(bytes body not None, bytes client_id=None, bint wrapped=False):
    """A keepPriority amendment's answer ``{..., "amendedOrder":{...}}``: the bytes of its ``amendedOrder`` object
    for the compiled parser; ``wrapped``: a WebSocket API answer (that object in its ``result``).  With
    ``client_id``, the amended order must name it (else ValueError).  Raises ParseError when the answer is not
    that shape (bounds-checked: any bytes)."""
    return _legs_of(body, client_id, wrapped, True)[1]


cdef class BinanceWriter(OrderWriter):
    """The writer of one Binance adapter (module docstring)."""

    cdef object adapter
    cdef object orders
    cdef object parser
    cdef object limiter
    cdef object lean
    cdef object place_cost
    cdef object cancel_cost
    cdef BinanceOrderEncoder encoder
    cdef int64_t recv_window
    cdef bint ws_entry
    cdef bint futures

    def __init__(self, adapter):
        orders = adapter.orders
        self.adapter = adapter
        self.orders = orders
        self.parser = orders.parser
        self.limiter = adapter.limiter
        self.lean = orders.lean
        self.encoder = orders.encoder
        self.recv_window = orders.recv_window
        self.ws_entry = adapter.order_entry == "ws"
        self.futures = adapter.futures
        self.place_cost = _PLACE_COST
        self.cancel_cost = _CANCEL_COST
        self.replaces = not adapter.futures
        self.amends_down = not adapter.futures

    cdef object _ws(self):
        """The WebSocket API when orders go there and its session is up, else None."""
        if not self.ws_entry:
            return None
        ws = self.adapter.ws_api
        return ws if ws is not None and ws.ready else None

    cdef object write_place(self, OrderSpec spec, bytes cid):
        ws = self._ws()
        if ws is not None:
            if not self.limiter.try_take(self.place_cost):
                return None
            self.kind = _WS_API
            return self._ws_write(ws, spec, cid)
        cdef int64_t ts = self.lean.clock.now_ms()
        fut = self.lean.write_now(self.place_cost, self.encoder.spec_request(spec, cid, ts, self.recv_window), ts)
        if fut is not None:
            spec.sent_ms = ts
            self.kind = _REST_ALGO if self._algo(spec) else _REST
        return fut

    cdef int warm_place(self, OrderSpec spec, bytes cid) except -1:
        self.limiter._gate.fits(self.place_cost)
        ws = self._ws()
        if ws is not None:
            ws.warm_place(spec.symbol.encode(), spec.side, spec.order_type, spec.tif, spec.qty_raw, spec.price_raw,
                          spec.stop_raw, cid)
            return 0
        cdef int64_t ts = self.lean.clock.now_ms()
        self.encoder.spec_request(spec, cid, ts, self.recv_window)
        self.lean.http.current()
        return 0

    cdef object _ws_write(self, ws, OrderSpec spec, bytes cid):
        """The ``order.place`` frame written, its timestamp kept: the future of its answer, or None when the
        socket was found down before the write (nothing sent)."""
        try:
            fut = ws.place_order(spec.symbol.encode(), spec.side, spec.order_type, spec.tif, spec.qty_raw,
                                 spec.price_raw, spec.stop_raw, cid)
        except _ConnectionLost as exc:
            if exc.sent:
                raise
            return None
        spec.sent_ms = ws.last_ts
        return fut

    def ws_write(self, OrderSpec spec not None, bytes cid not None):
        """:meth:`_ws_write` on the adapter's WebSocket API session (the rate budget already taken)."""
        return self._ws_write(self.adapter.ws_api, spec, cid)

    cdef object _ws_read(self, bytes cid, raw):
        parser = self.parser
        parser.parse(raw)
        if cid is not None and not parser.names_client(cid):
            raise _OutcomeUnknown(self.adapter.venue, None, f"the answer names another order than {cid.decode()}")
        return parser

    def ws_read(self, bytes cid, raw):
        """A WebSocket API answer to the compiled parser (an answer naming another order than ``cid``:
        outcome unknown); the parser holding it."""
        return self._ws_read(cid, raw)

    cdef object read_place(self, object kind, bytes cid, object raw):
        if kind == _WS_API:
            return self._ws_read(cid, raw)
        return self.orders.read_naming(cid if kind == _REST else None, raw)

    cdef bint _algo(self, OrderSpec spec):
        """A USD-M conditional order: placed and cancelled as an algo order, whose answers name
        ``clientAlgoId`` (not read hot: its client id is not checked in the answer)."""
        return self.futures and spec.order_type in _ALGO_TYPES

    cdef object write_cancel(self, OrderSpec spec, bytes cid):
        ws = self._ws()
        if ws is not None:
            if not self.limiter.try_take(self.cancel_cost):
                return None
            self.kind = _WS_API
            return ws.cancel_order(spec.symbol.encode(), client_id=cid)
        self.kind = _REST
        return self.orders.cancel_now(spec.symbol.encode(), cid, self._algo(spec))

    cdef object read_cancel(self, object kind, bytes cid, object raw):
        if kind == _WS_API:
            return self._ws_read(None, raw)
        return self.orders.read_naming(None, raw)

    cdef object write_amend(self, OrderSpec spec, bytes cid, int64_t qty_raw, int64_t price_raw, int64_t new_qty,
                            int64_t new_price):
        """USD-M ``PUT /fapi/v1/order`` (it wants both quantity and price: the order as amended) on the lean
        REST path.  Spot (asked only for a quantity lowered, the price kept: ``amends_down``): ``PUT
        /api/v3/order/amend/keepPriority`` to ``new_qty`` in place, its queue priority and client id kept;
        ``order.amend.keepPriority`` on the WebSocket API when orders go there."""
        if self._algo(spec):
            return None
        if self.futures:
            self.kind = _REST
            return self.orders.modify_now(spec.symbol.encode(), spec.side, new_qty, new_price, cid)
        ws = self._ws()
        if ws is not None:
            if not self.limiter.try_take(_AMEND_COST):
                return None
            try:
                fut = ws.amend_keep_priority_order(spec.symbol.encode(), cid, new_qty)
            except _ConnectionLost as exc:
                if exc.sent:
                    raise
                return None
            self.kind = _WS_API
            return fut
        self.kind = _REST
        return self.orders.keep_priority_now(spec.symbol.encode(), cid, new_qty)

    cdef object read_amend(self, object kind, bytes cid, object raw):
        """USD-M: the answer to the compiled parser (its client id checked).  Spot: the typed error of a refused
        keepPriority amendment, or its ``amendedOrder`` found in C (:func:`amended_order`, its client id
        checked) for the compiled parser."""
        if self.futures:
            return self.orders.read_naming(cid, raw)
        if kind == _WS_API:
            legs = self._split(raw, cid, True, True)
        else:
            if raw.status != 200:
                _check_response(self.adapter.venue, raw, self.limiter)
            legs = self._split(raw.body, cid, False, True)
        parser = self.parser
        parser.parse((<tuple>legs)[1])
        return parser

    def read_amended(self, kind, bytes cid, raw):
        """``read_amend`` from Python (an adapter's amendment written in its turn)."""
        return self.read_amend(kind, cid, raw)

    cdef object write_replace(self, OrderSpec old, bytes old_cid, OrderSpec new, bytes new_cid):
        """Spot ``order/cancelReplace`` (STOP_ON_FAILURE: the new order only once the old one is cancelled), paced
        as a place: ``order.cancelReplace`` on the WebSocket API when orders go there, else on the lean REST
        path."""
        if self.futures:
            return None
        ws = self._ws()
        if ws is not None:
            if not self.limiter.try_take(self.place_cost):
                return None
            try:
                fut = ws.cancel_replace_order(new.symbol.encode(), new.side, new.order_type, new.tif, new.qty_raw,
                                              new.price_raw, new.stop_raw, old_cid, new_cid)
            except _ConnectionLost as exc:
                if exc.sent:
                    raise
                return None
            new.sent_ms = ws.last_ts
            self.kind = _WS_API
            return fut
        cdef int64_t ts = self.lean.clock.now_ms()
        cdef bytes symbol = new.symbol.encode()
        cdef Py_ssize_t n = self.encoder.cancel_replace_c(symbol, len(symbol), new.side, new.order_type, new.tif,
                                                          new.qty_raw, new.price_raw, new.stop_raw, old_cid,
                                                          len(old_cid), new_cid, len(new_cid), ts, self.recv_window)
        if n < 0:        # refused: the encoder's own call raises its typed error, naming the field
            self.encoder.cancel_replace(symbol, new.side, new.order_type, new.tif, new.qty_raw, new.price_raw,
                                        new.stop_raw, old_cid, new_cid, ts, self.recv_window)
            raise AssertionError("the encoder refused a cancel-replace its checked call accepts")
        fut = self.lean.write_now(self.place_cost, self.encoder._framed(self.encoder.endpoint), ts)
        if fut is not None:
            new.sent_ms = ts
            self.kind = _REST
        return fut

    cdef object read_replace(self, object kind, bytes new_cid, object raw):
        """The typed error of a refused or partly failed cancel-replace (with its legs' own answers in
        ``answers``), or its two legs split in C (:func:`cancel_replace_legs`); an answer whose new order is
        another client id's is not this request's (:meth:`_split`)."""
        if kind == _WS_API:             # (an error answer raised its typed error, its legs in ``answers``)
            return self._split(raw, new_cid, True, False)
        if raw.status != 200:
            try:
                _check_response(self.adapter.venue, raw, self.limiter)
            except _VenueError as exc:
                _leg_answers(exc)
                raise
        return self._split(raw.body, new_cid, False, False)

    cdef tuple _split(self, bytes body, bytes new_cid, bint wrapped, bint amended):
        """:func:`_legs` of an answer to a cancel-replace this writer wrote: its two legs' bytes (``amended``: to a
        keepPriority amendment, ``(None, its amendedOrder's bytes)``).  One naming another order: over REST the
        connection's pairing broke (it is failed), over the WebSocket API the outcome is unknown; either way not
        this request's answer."""
        cdef int other
        legs = _cut(body, new_cid, wrapped, amended, &other)
        if other:
            what = f"answer names another order than {new_cid.decode()}"
            if wrapped:
                raise _OutcomeUnknown(self.adapter.venue, None, f"the {what}")
            raise self.lean.unpaired(what)
        return legs
