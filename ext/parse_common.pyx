"""Shared run-time pieces of the hot-message parsers (cold path only).

Owns :class:`ParseError` (the one exception bad wire bytes raise), the
:class:`MessageKind` numbering of parsed messages, the ``to_dict`` view of an
``ExecRecord``, and thin wrappers over the JSON scanner used by its tests.
"""

from enum import IntEnum

from engine.errors import EngineError

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.bytes cimport PyBytes_GET_SIZE

from engine._enums import ExecType
from engine._enums import OrderState
from engine._enums import OrderType
from engine._enums import PositionSide
from engine._enums import Side
from engine._enums import TimeInForce

from engine._exec_record cimport CAT_INVERSE
from engine._exec_record cimport CAT_LINEAR
from engine._exec_record cimport CAT_OPTION
from engine._exec_record cimport CAT_SPOT
from engine._exec_record cimport ExecRecord
from engine._exec_record cimport record_names_client
from engine._exec_record cimport F_AVG_PRICE
from engine._exec_record cimport F_CATEGORY
from engine._exec_record cimport F_CLIENT_ID
from engine._exec_record cimport F_COMMISSION
from engine._exec_record cimport F_COMMISSION_ASSET
from engine._exec_record cimport F_CUM_QTY
from engine._exec_record cimport F_CUM_QUOTE
from engine._exec_record cimport F_ERROR_CODE
from engine._exec_record cimport F_ERROR_MSG
from engine._exec_record cimport F_EVENT_TIME
from engine._exec_record cimport F_EXEC_ID
from engine._exec_record cimport F_EXEC_TYPE
from engine._exec_record cimport F_FILLS
from engine._exec_record cimport F_IS_MAKER
from engine._exec_record cimport F_LAST_PRICE
from engine._exec_record cimport F_LAST_QTY
from engine._exec_record cimport F_LAST_QUOTE
from engine._exec_record cimport F_LEAVES_QTY
from engine._exec_record cimport F_LINKED_ORDER_ID
from engine._exec_record cimport F_ORDER_ID
from engine._exec_record cimport F_ORDER_STATE
from engine._exec_record cimport F_ORDER_TYPE
from engine._exec_record cimport F_ORIG_CLIENT_ID
from engine._exec_record cimport F_POSITION_SIDE
from engine._exec_record cimport F_PRICE
from engine._exec_record cimport F_QTY
from engine._exec_record cimport F_REALIZED_PNL
from engine._exec_record cimport F_REDUCE_ONLY
from engine._exec_record cimport F_REJECT_REASON
from engine._exec_record cimport F_SIDE
from engine._exec_record cimport F_STOP_PRICE
from engine._exec_record cimport F_SYMBOL
from engine._exec_record cimport F_TIME_IN_FORCE
from engine._exec_record cimport F_TRADE_ID
from engine._exec_record cimport F_TRANSACT_TIME
from engine._exec_record cimport F_VENUE_ORDER_ID
from engine._exec_record cimport MSG_ALGO_UPDATE
from engine._exec_record cimport MSG_TRADE
from engine._exec_record cimport MSG_ORDER_STATE
from engine._exec_record cimport MSG_ORDER_RECEIVED
from engine._exec_record cimport MSG_ORDER_ACCEPTED
from engine._exec_record cimport MSG_ERROR
from engine._exec_record cimport MSG_EXECUTION_REPORT
from engine._exec_record cimport MSG_NONE
from engine._exec_record cimport MSG_ORDER_RESPONSE
from engine._exec_record cimport MSG_ORDER_TRADE_UPDATE
from engine._exec_record cimport MSG_OTHER
from engine._exec_record cimport REC_MIXED_ASSETS
from engine._exec_record cimport REC_NO_AMEND
from engine._exec_record cimport REC_ROUNDED
from engine._exec_record cimport REC_TRUNCATED
from engine._exec_record cimport REC_UNKNOWN_ENUM
from engine._exec_record cimport record_has
from engine._jsonscan cimport JS_E_DECIMAL
from engine._jsonscan cimport JS_E_DEPTH
from engine._jsonscan cimport JS_E_EOF
from engine._jsonscan cimport JS_E_ESCAPE
from engine._jsonscan cimport JS_E_NUMBER
from engine._jsonscan cimport JS_E_SHAPE
from engine._jsonscan cimport JS_E_SYNTAX
from engine._jsonscan cimport JS_E_TOOLONG
from engine._jsonscan cimport JS_E_TRAILING
from engine._jsonscan cimport JS_E_TYPE
from engine._jsonscan cimport JS_E_UTF8
from engine._jsonscan cimport JS_OK
from engine._jsonscan cimport js_cur
from engine._jsonscan cimport js_finish
from engine._jsonscan cimport js_peek
from engine._jsonscan cimport js_skip
from engine._jsonscan cimport js_span
from engine._jsonscan cimport js_string
from engine._jsonscan cimport js_unescape


class ParseError(EngineError, ValueError):
    """Wire bytes that are not the well-formed message the parser expects.

    Attributes
    ----------
    status : int
        The scanner's status code (negative).
    offset : int
        Byte offset in the input where parsing stopped.
    """

    def __init__(self, message, status=0, offset=-1):
        super().__init__(message)
        self.status = status
        self.offset = offset


class MessageKind(IntEnum):
    """What a parser found in the last message (``ExecRecord.kind``)."""
    NONE = MSG_NONE
    OTHER = MSG_OTHER
    EXECUTION_REPORT = MSG_EXECUTION_REPORT
    ORDER_TRADE_UPDATE = MSG_ORDER_TRADE_UPDATE
    ALGO_UPDATE = MSG_ALGO_UPDATE
    ORDER_RESPONSE = MSG_ORDER_RESPONSE
    ERROR = MSG_ERROR
    ORDER_STATE = MSG_ORDER_STATE
    TRADE = MSG_TRADE
    ORDER_RECEIVED = MSG_ORDER_RECEIVED
    ORDER_ACCEPTED = MSG_ORDER_ACCEPTED


class RecordFlag(IntEnum):
    """Bits of ``ExecRecord.flags``."""
    ROUNDED = REC_ROUNDED
    UNKNOWN_ENUM = REC_UNKNOWN_ENUM
    TRUNCATED = REC_TRUNCATED
    MIXED_ASSETS = REC_MIXED_ASSETS
    NO_AMEND = REC_NO_AMEND


_REASONS = {
    JS_E_EOF: "truncated input",
    JS_E_SYNTAX: "invalid JSON syntax",
    JS_E_ESCAPE: "invalid string escape",
    JS_E_UTF8: "invalid UTF-8 in string",
    JS_E_DEPTH: "nesting too deep",
    JS_E_NUMBER: "invalid or out-of-range integer",
    JS_E_TYPE: "field of the wrong JSON type",
    JS_E_TOOLONG: "identifier longer than its buffer",
    JS_E_DECIMAL: "decimal not representable as 8-decimal fixed point",
    JS_E_TRAILING: "bytes after the JSON value",
    JS_E_SHAPE: "not the expected message shape",
}

_CATEGORIES = {CAT_SPOT: "spot", CAT_LINEAR: "linear", CAT_INVERSE: "inverse", CAT_OPTION: "option"}


cdef class RecordParser:
    """The base of every venue parser: one reusable C record, read by the applier.

    ``parse(payload)`` returns the message's :class:`MessageKind`; the order records it
    carries are then handed out one at a time by ``next_record()`` (True while one is in
    ``rec``): once for a message holding one order (Binance reports), once per row for a
    batch (Bybit ``order``/``execution`` pushes).  Subclasses set ``_records_left`` in
    their parse, or override ``next_record_c``.
    """

    def __cinit__(self, *args, **kwargs):      # (subclasses' constructor arguments pass through)
        self.error_offset = -1
        self._records_left = 0

    cdef const ExecRecord *record_c(self) noexcept:
        return &self.rec

    cdef int next_record_c(self) except -1:
        if self._records_left > 0:
            self._records_left = 0
            return 1
        return 0

    def next_record(self):
        """Hand out the next order record of the last message (True), or say there is none (False)."""
        return self.next_record_c() == 1

    @property
    def kind(self):
        """MessageKind of the last parse (int)."""
        return self.rec.kind

    @property
    def exec_type(self):
        """ExecType of the current record (int, 0 when absent)."""
        return self.rec.exec_type

    @property
    def order_state(self):
        """OrderState of the current record (int, 0 when absent)."""
        return self.rec.order_state

    @property
    def order_id(self):
        """The venue's integer order id of the current record (0 when absent)."""
        return self.rec.order_id

    @property
    def linked_order_id(self):
        """The venue order id of an order the current record's order created when it triggered (0: none)."""
        return self.rec.linked_order_id if record_has(&self.rec, F_LINKED_ORDER_ID) else 0

    def to_dict(self):
        """The current record as a dict of the fields present (cold path: allocates).

        Returns
        -------
        dict
            Keys as in ``ExecRecord`` (``*_raw`` are 8-decimal fixed-point ints).
        """
        return record_to_dict(&self.rec)

    def names_client(self, bytes client_id not None):
        """Whether the current record names ``client_id`` (its client id, or the original one of a cancel).

        An order path checks an answer with it: an answer naming another order means answers and
        requests are no longer paired.  Allocates nothing.
        """
        return record_names_client(&self.rec, client_id, len(client_id))


cdef int raise_parse_error(int status, Py_ssize_t offset, Py_ssize_t size) except -1:
    """Raise ParseError for a scanner status (the one boundary from C status to exception)."""
    reason = _REASONS.get(status, "parse failure")
    raise ParseError(f"{reason} at byte {offset} of {size}", status, offset)


cdef inline str _text(const char *p, Py_ssize_t n):
    return p[:n].decode("utf-8", "replace")


cdef dict record_to_dict(const ExecRecord *r):
    """The fields a message carried, as Python values (enums as IntEnum; decimals as raw ints)."""
    cdef dict d = {"kind": MessageKind(r.kind), "flags": r.flags}
    if record_has(r, F_EVENT_TIME): d["ts_event_ms"] = r.ts_event_ms
    if record_has(r, F_TRANSACT_TIME): d["ts_transact_ms"] = r.ts_transact_ms
    if record_has(r, F_SYMBOL): d["symbol"] = _text(r.symbol, r.symbol_len)
    if record_has(r, F_CLIENT_ID): d["client_id"] = _text(r.client_id, r.client_id_len)
    if record_has(r, F_ORIG_CLIENT_ID): d["orig_client_id"] = _text(r.orig_client_id, r.orig_client_id_len)
    if record_has(r, F_ORDER_ID): d["order_id"] = r.order_id
    if record_has(r, F_VENUE_ORDER_ID): d["venue_order_id"] = _text(r.venue_order_id, r.venue_order_id_len)
    if record_has(r, F_LINKED_ORDER_ID): d["linked_order_id"] = r.linked_order_id
    if record_has(r, F_SIDE): d["side"] = Side(r.side) if r.side else 0
    if record_has(r, F_ORDER_TYPE): d["order_type"] = OrderType(r.order_type) if r.order_type else 0
    if record_has(r, F_TIME_IN_FORCE): d["time_in_force"] = TimeInForce(r.time_in_force)
    if record_has(r, F_EXEC_TYPE): d["exec_type"] = ExecType(r.exec_type)
    if record_has(r, F_ORDER_STATE): d["order_state"] = OrderState(r.order_state) if r.order_state else 0
    if record_has(r, F_QTY): d["qty_raw"] = r.qty_raw
    if record_has(r, F_PRICE): d["price_raw"] = r.price_raw
    if record_has(r, F_STOP_PRICE): d["stop_price_raw"] = r.stop_price_raw
    if record_has(r, F_LAST_QTY): d["last_qty_raw"] = r.last_qty_raw
    if record_has(r, F_LAST_PRICE): d["last_price_raw"] = r.last_price_raw
    if record_has(r, F_LAST_QUOTE): d["last_quote_raw"] = r.last_quote_raw
    if record_has(r, F_CUM_QTY): d["cum_qty_raw"] = r.cum_qty_raw
    if record_has(r, F_CUM_QUOTE): d["cum_quote_raw"] = r.cum_quote_raw
    if record_has(r, F_AVG_PRICE): d["avg_price_raw"] = r.avg_price_raw
    if record_has(r, F_LEAVES_QTY): d["leaves_qty_raw"] = r.leaves_qty_raw
    if record_has(r, F_COMMISSION): d["commission_raw"] = r.commission_raw
    if record_has(r, F_COMMISSION_ASSET): d["commission_asset"] = _text(r.commission_asset, r.commission_asset_len)
    if record_has(r, F_TRADE_ID): d["trade_id"] = r.trade_id
    if record_has(r, F_EXEC_ID): d["exec_id"] = _text(r.exec_id, r.exec_id_len)
    if record_has(r, F_REJECT_REASON): d["reject_reason"] = _text(r.reject_reason, r.reject_reason_len)
    if record_has(r, F_REDUCE_ONLY): d["reduce_only"] = bool(r.reduce_only)
    if record_has(r, F_IS_MAKER): d["is_maker"] = bool(r.is_maker)
    if record_has(r, F_POSITION_SIDE): d["position_side"] = PositionSide(r.position_side)
    if record_has(r, F_REALIZED_PNL): d["realized_pnl_raw"] = r.realized_pnl_raw
    if record_has(r, F_FILLS): d["fill_count"] = r.fill_count
    if record_has(r, F_ERROR_CODE): d["error_code"] = r.error_code
    if record_has(r, F_ERROR_MSG): d["error_msg"] = _text(r.error_msg, r.error_msg_len)
    if record_has(r, F_CATEGORY): d["category"] = _CATEGORIES.get(r.category, "")
    return d


def scan_skip(bytes data):
    """Test hook: skip one JSON value and require only whitespace after it.

    Returns
    -------
    int
        Offset just past the value.

    Raises
    ------
    ParseError
        If ``data`` is not exactly one valid JSON value.
    """
    cdef js_cur c
    cdef int st
    cdef Py_ssize_t end
    c.p = PyBytes_AS_STRING(data)
    c.end = c.p + PyBytes_GET_SIZE(data)
    st = js_skip(&c)
    end = c.p - PyBytes_AS_STRING(data)
    if st == JS_OK:
        st = js_finish(&c)
    if st != JS_OK:
        raise_parse_error(st, c.p - PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    return end


def scan_string(bytes data, Py_ssize_t cap=4096):
    """Test hook: read one JSON string (leading whitespace allowed) and decode its escapes.

    Returns
    -------
    bytes
        The decoded UTF-8 bytes (at most ``cap``).

    Raises
    ------
    ParseError
        If the string is malformed or decodes to more than ``cap`` bytes.
    """
    cdef js_cur c
    cdef js_span sp
    cdef int st
    cdef size_t n = 0
    cdef bytearray out = bytearray(cap)
    c.p = PyBytes_AS_STRING(data)
    c.end = c.p + PyBytes_GET_SIZE(data)
    if js_peek(&c) < 0:
        raise_parse_error(JS_E_EOF, 0, 0)
    st = js_string(&c, &sp)
    if st == JS_OK:
        st = js_unescape(&sp, <char *>out, <size_t>cap, &n)
    if st != JS_OK:
        raise_parse_error(st, c.p - PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    return bytes(out[:n])
