"""The order store: the engine's memory of every order it has sent or adopted.

Owns one slot per order in preallocated numpy columns (capacity fixed at start-up),
the order lifecycle (one transition table, checked in ``apply_c`` only), client
order ids that encode their slot, and open-addressing indexes for exchange order
ids.  The hot methods (``create_c``, ``apply_c``, ``find_*_c``) take and return C
scalars, never allocate and never need the GIL; Python wrappers of the same names
without ``_c`` exist for the cold path and tests.

Invariants:

1. A slot is free (``state == SLOT_FREE``) or holds one order; ``gen[slot]`` changes
   every time the slot is handed out, and the client id embeds it, so an id of a
   reused slot never finds the new order.
2. An update either applies completely or changes nothing (every sum is computed
   and overflow-checked before anything is stored).
3. Updates that change nothing are counted (duplicates, stale, illegal, overflow,
   unknown slot), never raised from the hot path.
4. A terminal order keeps its slot for ``retention_ns`` after it ended; slots are
   reclaimed oldest first, and only then reused.
"""

import logging
import os
import re
import time

import numpy as np

from engine._enums import OrderState as PyOrderState
from engine._enums import OrderType as PyOrderType
from engine._enums import PositionSide as PyPositionSide
from engine._enums import Side as PySide
from engine._enums import TimeInForce as PyTimeInForce
from engine.errors import EngineError

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.stdint cimport int32_t
from libc.stdint cimport int64_t
from libc.stdint cimport uint8_t
from libc.stdint cimport uint32_t
from libc.string cimport memcmp
from libc.string cimport memcpy

from engine._enums cimport EXEC_AMENDMENT
from engine._enums cimport EXEC_TRADE
from engine._enums cimport CANCELLED
from engine._enums cimport EXPIRED
from engine._enums cimport FILLED
from engine._enums cimport JOIN_ASK
from engine._enums cimport MARKET
from engine._enums cimport NEW
from engine._enums cimport NOT_PLACED
from engine._enums cimport PARTIALLY_FILLED
from engine._enums cimport PENDING
from engine._enums cimport REJECTED
from engine._enums cimport UNKNOWN
from engine._fixedpoint cimport FP_HALF_EVEN
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport fp_add
from engine._fixedpoint cimport fp_mul

cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object s, Py_ssize_t *size) except NULL

__all__ = [
    "CapacityError",
    "ClientIdCodec",
    "Order",
    "OrderStore",
    "OrderStoreError",
    "UpdateResult",
    "make_session_prefix",
    "venue_client_id_rule",
]

_log = logging.getLogger("engine.order_store")

cdef const char *BASE62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
cdef extern from *:
    """
    /* The same alphabet as BASE62, as a C array the compiler can address directly. */
    static const char B62_DIGITS[63] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /* Value of each byte as a base62 digit, -1 for bytes outside the alphabet. */
    static const signed char B62_VALUE[256] = {
        [0 ... 255] = -1,
        ['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7,
        ['8'] = 8, ['9'] = 9,
        ['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15, ['G'] = 16, ['H'] = 17,
        ['I'] = 18, ['J'] = 19, ['K'] = 20, ['L'] = 21, ['M'] = 22, ['N'] = 23, ['O'] = 24, ['P'] = 25,
        ['Q'] = 26, ['R'] = 27, ['S'] = 28, ['T'] = 29, ['U'] = 30, ['V'] = 31, ['W'] = 32, ['X'] = 33,
        ['Y'] = 34, ['Z'] = 35,
        ['a'] = 36, ['b'] = 37, ['c'] = 38, ['d'] = 39, ['e'] = 40, ['f'] = 41, ['g'] = 42, ['h'] = 43,
        ['i'] = 44, ['j'] = 45, ['k'] = 46, ['l'] = 47, ['m'] = 48, ['n'] = 49, ['o'] = 50, ['p'] = 51,
        ['q'] = 52, ['r'] = 53, ['s'] = 54, ['t'] = 55, ['u'] = 56, ['v'] = 57, ['w'] = 58, ['x'] = 59,
        ['y'] = 60, ['z'] = 61};

    /* The four base62 digits of slot and of gen (each < 62**4) into out[0:8], most
     * significant first.  Each number is split at 62**2 first, so a digit is two
     * dependent multiply-shift divisions deep instead of four (this runs on every
     * order creation; the divisions by constants compile to multiplications).  */
    static inline void os_b62_digits8(uint32_t slot, uint32_t gen, char *out)
    {
        uint32_t sh = slot / 3844u, sl = slot - sh * 3844u;
        uint32_t gh = gen / 3844u, gl = gen - gh * 3844u;
        uint32_t s0 = sh / 62u, s2 = sl / 62u, g0 = gh / 62u, g2 = gl / 62u;
        out[0] = B62_DIGITS[s0];
        out[1] = B62_DIGITS[sh - s0 * 62u];
        out[2] = B62_DIGITS[s2];
        out[3] = B62_DIGITS[sl - s2 * 62u];
        out[4] = B62_DIGITS[g0];
        out[5] = B62_DIGITS[gh - g0 * 62u];
        out[6] = B62_DIGITS[g2];
        out[7] = B62_DIGITS[gl - g2 * 62u];
    }

    /* a[0:n] == b[0:n] with 8-byte compares (the last one overlapping), no library call. */
    static inline int os_same_bytes(const char *a, const char *b, size_t n)
    {
        uint64_t d = 0, x, y;
        size_t i;
        if (n < 8) return memcmp(a, b, n) == 0;
        for (i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8); memcpy(&y, b + i, 8); d |= x ^ y;
        }
        memcpy(&x, a + n - 8, 8); memcpy(&y, b + n - 8, 8);
        return (d | (x ^ y)) == 0;
    }
    """
    const char B62_DIGITS[63]
    const signed char B62_VALUE[256]
    bint os_same_bytes(const char *a, const char *b, size_t n) noexcept nogil
    void os_b62_digits8(uint32_t slot, uint32_t gen, char *out) noexcept nogil
cdef int64_t SESSION_EPOCH_S = 1704067200   # 2024-01-01T00:00:00Z: 30 bits of seconds last until 2058


class OrderStoreError(EngineError):
    """A request the order store cannot carry out (bad argument, unknown slot)."""


class CapacityError(OrderStoreError):
    """Every order slot is in use (live or still within its retention)."""


def venue_client_id_rule(str venue):
    """A venue's client-order-id rule (../shared/venues/*.md §4): (required prefix, longest id including
    that prefix, allowed characters), declared in the venue's folder
    (:func:`engine.venues.site.client_id_rule`); ValueError for a venue without one."""
    from engine.venues.site import client_id_rule
    return client_id_rule(venue)


# ---- lifecycle -----------------------------------------------------------------

# TRANSITIONS[from][to] == 1 when an order may move from state `from` to `to`.
# Index 0 is SLOT_FREE; 1..9 are OrderState values.  PARTIALLY_FILLED -> itself is a
# further fill.  UNKNOWN (answer lost) resolves to whatever the venue says, and is
# never taken as REJECTED by the engine itself.  NOT_PLACED (the venue said it never had
# the order) and REJECTED take a fill or a state the venue reports after all: the order
# existed, and its fills are never dropped (counted as unexpected).
cdef uint8_t TRANSITIONS[10][10]


cdef void _init_transitions() noexcept:
    cdef int a, b
    for a in range(10):
        for b in range(10):
            TRANSITIONS[a][b] = 0
    for b in (NEW, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, EXPIRED, UNKNOWN, NOT_PLACED):
        TRANSITIONS[<int>PENDING][b] = 1
    for b in (NEW, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, EXPIRED, NOT_PLACED):
        TRANSITIONS[<int>UNKNOWN][b] = 1
    for b in (NEW, PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED, EXPIRED):
        TRANSITIONS[<int>NOT_PLACED][b] = 1
    for b in (PARTIALLY_FILLED, FILLED):
        TRANSITIONS[<int>REJECTED][b] = 1
    for b in (PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED):
        TRANSITIONS[<int>NEW][b] = 1
    for b in (PARTIALLY_FILLED, FILLED, CANCELLED, EXPIRED):
        TRANSITIONS[<int>PARTIALLY_FILLED][b] = 1


_init_transitions()


cdef inline int _rank(int state) noexcept nogil:
    """Progress of a state along the lifecycle; a lower rank arriving later is stale."""
    if state == PENDING or state == UNKNOWN or state == NOT_PLACED:
        return 0
    if state == NEW:
        return 1
    if state == PARTIALLY_FILLED:
        return 2
    return 3


def transition_allowed(int from_state, int to_state):
    """Whether the lifecycle table lets an order move from ``from_state`` to ``to_state``."""
    if not (0 <= from_state <= 9 and 0 <= to_state <= 9):
        return False
    return TRANSITIONS[from_state][to_state] == 1


# ---- client order ids ----------------------------------------------------------

def make_session_prefix(seconds=None, pid=None, random_bits=None):
    """A 13-character base62 prefix unique to this process run.

    Packs 30 bits of seconds since 2024-01-01, 22 bits of the process id and 25
    random bits, so two runs (a restart, a second process, another host) do not
    make the same ids.
    """
    if seconds is None:
        seconds = int(time.time()) - SESSION_EPOCH_S
    if pid is None:
        pid = os.getpid()
    if random_bits is None:
        random_bits = int.from_bytes(os.urandom(4), "little")
    value = ((seconds & ((1 << 30) - 1)) << 47) | ((pid & ((1 << 22) - 1)) << 25) | (random_bits & ((1 << 25) - 1))
    cdef bytearray out = bytearray(SESSION_CHARS)
    cdef int i
    for i in range(SESSION_CHARS - 1, -1, -1):
        out[i] = BASE62[value % 62]
        value //= 62
    return out.decode("ascii")


cdef class ClientIdCodec:
    """Client order ids that carry their own slot: ``prefix + tag + session + slot + gen``.

    Parameters
    ----------
    venue : str
        A registered venue: its client-id rule (length, characters, required prefix) is
        :func:`venue_client_id_rule`'s.
    tag : str
        Optional user tag placed after the venue prefix (allowed characters only).
    session : str, optional
        13 base62 characters; default :func:`make_session_prefix`.

    Raises
    ------
    ValueError
        Unknown venue, or a tag that breaks the venue's rule or leaves no room.
    """

    def __init__(self, str venue="binance-spot", str tag="", session=None):
        prefix, max_length, charset = venue_client_id_rule(venue)
        if session is None:
            session = make_session_prefix()
        if len(session) != SESSION_CHARS or not re.fullmatch("[0-9A-Za-z]+", session):
            raise ValueError(f"session prefix must be {SESSION_CHARS} base62 characters, got {session!r}")
        if tag and not re.fullmatch(f"[{charset}]+", tag):
            raise ValueError(f"tag {tag!r} has characters outside [{charset}] allowed by {venue}")
        head = (prefix + tag + session).encode("ascii")
        length = len(head) + SLOT_CHARS + GEN_CHARS
        if length > max_length or length > CLIENT_ID_MAX:
            raise ValueError(
                f"client ids would be {length} characters; {venue} allows {max_length} "
                f"(tag {tag!r} is {len(tag)} characters, at most {max_length - length + len(tag)} fit)"
            )
        self.venue = venue
        self.max_length = max_length
        self.prefix_length = len(prefix)
        self.charset = charset
        memcpy(self.head, PyBytes_AS_STRING(head), len(head))
        self.head_length = len(head)
        self.id_length = length

    @property
    def prefix(self):
        """The fixed part of every id (venue prefix, tag, session)."""
        return self.head[:self.head_length].decode("ascii")

    @property
    def order_tag_room(self):
        """Longest per-order tag the venue's id rule leaves room for (the ``-`` after it included: one less)."""
        return max(0, self.max_length - self.id_length - 1)

    def check_order_tag(self, tag):
        """Raise ``ValueError``/``TypeError`` naming the problem unless ``tag`` can lead this venue's ids."""
        if not isinstance(tag, str):
            raise TypeError(f"client_tag must be a str, not {type(tag).__name__}")
        room = self.order_tag_room
        if not tag:
            raise ValueError("client_tag is empty (leave it out for untagged ids)")
        if len(tag) > room:
            raise ValueError(f"client_tag {tag!r} is {len(tag)} characters; {self.venue} client ids leave room "
                             f"for {room} (its ids are at most {self.max_length} characters)")
        if not re.fullmatch(f"[{self.charset}]+", tag):
            raise ValueError(f"client_tag {tag!r} has characters {self.venue} does not allow in a client id "
                             f"(allowed: {self.charset})")

    def format_tagged(self, int32_t slot, uint32_t gen, str tag):
        """The id of ``slot`` at generation ``gen`` led by the per-order ``tag`` and a ``-`` (str)."""
        self.check_order_tag(tag)
        plain = self.format(slot, gen)
        return plain[:self.prefix_length] + tag + "-" + plain[self.prefix_length:]

    cdef int format_c(self, int32_t slot, uint32_t gen, char *out) noexcept nogil:
        """Write the id of (slot, gen) into out (CLIENT_ID_MAX bytes; the id is id_length of them).

        The whole head buffer is copied (a fixed-size move, no library call), then the
        eight base62 digits are built in a local word and stored at once.
        """
        cdef char digits[SLOT_CHARS + GEN_CHARS]
        os_b62_digits8(<uint32_t>slot, gen, digits)
        memcpy(out, self.head, CLIENT_ID_MAX)
        memcpy(out + self.head_length, digits, SLOT_CHARS + GEN_CHARS)
        return self.id_length

    cdef int decode_c(self, const char *p, Py_ssize_t n, int32_t *slot, uint32_t *gen) noexcept nogil:
        """Read (slot, gen) back from an id this codec made; -1 if it did not make it."""
        cdef int i, bad = 0
        cdef int d
        cdef uint32_t s = 0, g = 0
        cdef const char *q
        cdef Py_ssize_t extra = n - self.id_length      # a per-order tag and its '-' (0 for untagged ids)
        if extra < 0 or n > self.max_length or extra == 1:
            return -1
        if extra == 0:
            if not os_same_bytes(p, self.head, <size_t>self.head_length):
                return -1
        elif (not os_same_bytes(p, self.head, <size_t>self.prefix_length)
              or p[self.prefix_length + extra - 1] != 45       # '-'
              or not os_same_bytes(p + self.prefix_length + extra, self.head + self.prefix_length,
                                   <size_t>(self.head_length - self.prefix_length))):
            return -1
        q = p + self.head_length + extra
        for i in range(SLOT_CHARS):      # table lookups, no branch per character
            d = B62_VALUE[<unsigned char>q[i]]
            bad |= d
            s = s * 62 + <uint32_t>d
        for i in range(GEN_CHARS):
            d = B62_VALUE[<unsigned char>q[SLOT_CHARS + i]]
            bad |= d
            g = g * 62 + <uint32_t>d
        if bad < 0:                      # a character outside the alphabet
            return -1
        slot[0] = <int32_t>s
        gen[0] = g
        return 0

    def format(self, int32_t slot, uint32_t gen):
        """The id of ``slot`` at generation ``gen`` (str)."""
        cdef char buf[CLIENT_ID_MAX]
        if slot < 0 or slot >= GEN_MODULUS or gen >= GEN_MODULUS:
            raise ValueError(f"slot {slot} / generation {gen} out of range")
        cdef int n = self.format_c(slot, gen, buf)
        return buf[:n].decode("ascii")

    def decode(self, text):
        """``(slot, gen)`` of an id this codec made, or None."""
        cdef bytes b = text.encode("ascii") if isinstance(text, str) else bytes(text)
        cdef int32_t slot
        cdef uint32_t gen
        if self.decode_c(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b), &slot, &gen) != 0:
            return None
        return slot, gen


# ---- the store -----------------------------------------------------------------

cdef inline const char *_text_ptr(object text, Py_ssize_t *n) except NULL:
    if isinstance(text, bytes):
        n[0] = PyBytes_GET_SIZE(text)
        return PyBytes_AS_STRING(text)
    if isinstance(text, str):
        return PyUnicode_AsUTF8AndSize(text, n)
    raise TypeError(f"expected str or bytes, got {type(text).__name__}")


class Order:
    """A snapshot of one order, made only when a caller asks (cold path).

    Quantities and prices are fixed-point raw ints (``_raw``), timestamps ns (``ts_``).
    """

    __slots__ = (
        "slot", "generation", "client_id", "exchange_id", "instrument", "side", "order_type", "tif", "state",
        "qty_raw", "price_raw", "stop_price_raw", "trailing_delta_raw", "reduce_only", "close_on_trigger",
        "position_side", "filled_raw", "cum_quote_raw", "avg_price_raw", "fee_raw", "fee_asset", "fee2_raw",
        "fee2_asset", "ts_created", "ts_acked", "ts_updated", "reject_code",
    )

    def __init__(self, **fields):
        for k, v in fields.items():
            setattr(self, k, v)

    def __repr__(self):
        return (
            f"Order(slot={self.slot}, client_id={self.client_id!r}, exchange_id={self.exchange_id!r}, "
            f"{self.side.name} {self.order_type.name} qty_raw={self.qty_raw} price_raw={self.price_raw} "
            f"state={self.state.name} filled_raw={self.filled_raw})"
        )


# Every memoryview column is set in __cinit__, which either completes or leaves no
# object behind, so no method can meet an uninitialised one: the per-access check
# (a load and a branch on each of the ~30 columns create_c touches) is switched off.
@cython.initializedcheck(False)
cdef class OrderStore:
    """Preallocated order slots with O(1) lookup by client id and exchange id.

    Parameters
    ----------
    capacity : int
        Orders that can be live or retained at once (e.g. 65,536).
    venue : str
        Its client-id rule (see :func:`venue_client_id_rule`).
    tag : str
        Optional tag embedded in every client id.
    retention_ns : int
        How long a finished order stays queryable before its slot may be reused.
    ack_timeout_ns : int
        PENDING/UNKNOWN orders older than this are returned by :meth:`stale`.
    session : str, optional
        Session prefix for client ids (default: derived from time, pid, randomness).
    """

    def __cinit__(self, int32_t capacity=65536, str venue="binance-spot", str tag="",
                  int64_t retention_ns=60_000_000_000, int64_t ack_timeout_ns=5_000_000_000, session=None):
        if capacity <= 0 or capacity > GEN_MODULUS:
            raise ValueError(f"capacity must be 1..{GEN_MODULUS}, got {capacity}")
        if retention_ns < 0 or ack_timeout_ns <= 0:
            raise ValueError("retention_ns must be >= 0 and ack_timeout_ns > 0")
        self.capacity = capacity
        self.retention_ns = retention_ns
        self.ack_timeout_ns = ack_timeout_ns
        self.codec = ClientIdCodec(venue, tag, session)
        a = {
            "instrument": np.zeros(capacity, np.int32),
            "side": np.zeros(capacity, np.uint8),
            "order_type": np.zeros(capacity, np.uint8),
            "tif": np.zeros(capacity, np.uint8),
            "state": np.zeros(capacity, np.uint8),
            "flags": np.zeros(capacity, np.uint8),
            "position_side": np.zeros(capacity, np.uint8),
            "qty_raw": np.zeros(capacity, np.int64),
            "price_raw": np.zeros(capacity, np.int64),
            "stop_price_raw": np.zeros(capacity, np.int64),
            "trailing_delta_raw": np.zeros(capacity, np.int64),
            "filled_raw": np.zeros(capacity, np.int64),
            "cum_quote_raw": np.zeros(capacity, np.int64),
            "fee_raw": np.zeros(capacity, np.int64),
            "fee_asset": np.full(capacity, -1, np.int32),
            "fee2_raw": np.zeros(capacity, np.int64),
            "fee2_asset": np.full(capacity, -1, np.int32),
            "ts_created": np.zeros(capacity, np.int64),
            "ts_acked": np.zeros(capacity, np.int64),
            "ts_updated": np.zeros(capacity, np.int64),
            "ts_terminal": np.zeros(capacity, np.int64),
            "reject_code": np.zeros(capacity, np.int32),
            "gen": np.zeros(capacity, np.uint32),
            "trade_ids": np.full((capacity, TRADE_IDS_KEPT), -1, np.int64),
            "trade_pos": np.zeros(capacity, np.uint8),
            "exch_id_int": np.zeros(capacity, np.int64),
            "exch_kind": np.zeros(capacity, np.uint8),
            "exch_id_str": np.zeros((capacity, EXCHANGE_ID_MAX), np.uint8),
            "exch_id_len": np.zeros(capacity, np.uint8),
            "client_id": np.zeros((capacity, CLIENT_ID_MAX), np.uint8),
            "client_id_len": np.zeros(capacity, np.uint8),
            "client_id_adopted": np.zeros(capacity, np.uint8),
            # slots handed out low first: the stack top is slot 0
            "free_stack": np.arange(capacity - 1, -1, -1, dtype=np.int32),
            "term_slot": np.zeros(capacity, np.int32),
            "term_gen": np.zeros(capacity, np.uint32),
        }
        self.arrays = a
        self.instrument = a["instrument"]
        self.side = a["side"]
        self.order_type = a["order_type"]
        self.tif = a["tif"]
        self.state = a["state"]
        self.flags = a["flags"]
        self.position_side = a["position_side"]
        self.qty_raw = a["qty_raw"]
        self.price_raw = a["price_raw"]
        self.stop_price_raw = a["stop_price_raw"]
        self.trailing_delta_raw = a["trailing_delta_raw"]
        self.filled_raw = a["filled_raw"]
        self.cum_quote_raw = a["cum_quote_raw"]
        self.fee_raw = a["fee_raw"]
        self.fee_asset = a["fee_asset"]
        self.fee2_raw = a["fee2_raw"]
        self.fee2_asset = a["fee2_asset"]
        self.ts_created = a["ts_created"]
        self.ts_acked = a["ts_acked"]
        self.ts_updated = a["ts_updated"]
        self.ts_terminal = a["ts_terminal"]
        self.reject_code = a["reject_code"]
        self.gen = a["gen"]
        self.trade_ids = a["trade_ids"]
        self.trade_pos = a["trade_pos"]
        self.exch_id_int = a["exch_id_int"]
        self.exch_kind = a["exch_kind"]
        self.exch_id_str = a["exch_id_str"]
        self.exch_id_len = a["exch_id_len"]
        self.client_id_buf = a["client_id"]
        self.client_id_len = a["client_id_len"]
        self.client_id_adopted = a["client_id_adopted"]
        self.free_stack = a["free_stack"]
        self.free_top = capacity
        self.slots_used = 0
        self.term_slot = a["term_slot"]
        self.term_gen = a["term_gen"]
        self.term_head = 0
        self.term_count = 0
        if ix_int_init(&self.ix_exch_int, capacity) != 0:
            raise MemoryError("order store: exchange-id index")
        if ix_str_init(&self.ix_exch_str, capacity, <const char *>&self.exch_id_str[0, 0],
                       &self.exch_id_len[0], EXCHANGE_ID_MAX) != 0:
            ix_int_free(&self.ix_exch_int)
            raise MemoryError("order store: exchange-id index")
        if ix_str_init(&self.ix_client, capacity, <const char *>&self.client_id_buf[0, 0],
                       &self.client_id_len[0], CLIENT_ID_MAX) != 0:
            ix_int_free(&self.ix_exch_int)
            ix_str_free(&self.ix_exch_str)
            raise MemoryError("order store: client-id index")
        self.ix_ready = True

    def __dealloc__(self):
        if self.ix_ready:
            ix_int_free(&self.ix_exch_int)
            ix_str_free(&self.ix_exch_str)
            ix_str_free(&self.ix_client)

    # ---- C level: the OMS and the stream handlers call these ----------------

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef bint is_live_c(self, int32_t slot) noexcept nogil:
        return 0 <= slot < self.capacity and self.state[slot] != SLOT_FREE

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef void unindex_c(self, int32_t slot) noexcept nogil:
        """Drop the slot's exchange id and adopted client id from the indexes (slot validated by caller)."""
        if self.exch_kind[slot] == 1:
            ix_int_remove(&self.ix_exch_int, self.exch_id_int[slot], slot)
        elif self.exch_kind[slot] == 2:
            ix_str_remove(&self.ix_exch_str, slot)
        self.exch_kind[slot] = 0
        if self.client_id_adopted[slot]:
            ix_str_remove(&self.ix_client, slot)
            self.client_id_adopted[slot] = 0

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef void reclaim_c(self, int64_t now_ns, int max_slots) noexcept nogil:
        """Free up to max_slots terminal orders whose retention has run out, oldest first."""
        cdef int32_t s
        while self.term_count > 0 and max_slots > 0:
            s = self.term_slot[self.term_head]
            if self.gen[s] == self.term_gen[self.term_head] and is_terminal(self.state[s]):
                # (a slot that came back to life, NOT_PLACED -> NEW, is queued again when it ends)
                if now_ns - self.ts_terminal[s] < self.retention_ns:
                    return
                self.unindex_c(s)
                self.state[s] = SLOT_FREE
                self.free_stack[self.free_top] = s
                self.free_top += 1
                self.live -= 1
            self.term_head += 1
            if self.term_head == self.capacity:
                self.term_head = 0
            self.term_count -= 1
            max_slots -= 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef void on_terminal_c(self, int32_t slot, int64_t ts_ns) noexcept nogil:
        """Queue a slot that just ended for reclamation after the retention (once per generation)."""
        cdef int32_t tail
        self.ts_terminal[slot] = ts_ns
        if self.term_count >= self.capacity:
            return                              # only after resurrections: that slot is kept for good
        tail = self.term_head + self.term_count
        if tail >= self.capacity:
            tail -= self.capacity
        self.term_slot[tail] = slot
        self.term_gen[tail] = self.gen[slot]
        self.term_count += 1

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int32_t create_c(self, int32_t instrument, int side, int order_type, int tif, int64_t qty_raw,
                          int64_t price_raw, int64_t stop_price_raw, int64_t trailing_delta_raw,
                          int flags, int position_side, int64_t ts_ns) noexcept nogil:
        """Take a slot for a new PENDING order; returns the slot, -1 when full, -2 for a bad argument."""
        cdef int32_t slot
        cdef uint32_t g
        if (side < 1 or side > 2 or order_type < MARKET or order_type > JOIN_ASK or tif < 0 or tif > 4 or qty_raw <= 0
                or price_raw < 0 or stop_price_raw < 0 or instrument < 0 or position_side < 0 or position_side > 2):
            return -2
        if self.term_count:              # (a call only when something waits for reclamation)
            self.reclaim_c(ts_ns, 2)
        if self.free_top == 0:
            self.n_capacity_rejects += 1
            return -1
        self.free_top -= 1
        slot = self.free_stack[self.free_top]
        if slot >= self.slots_used:
            self.slots_used = slot + 1
        g = self.gen[slot] + 1
        if g >= GEN_MODULUS:
            g = 0
        self.gen[slot] = g
        self.live += 1
        self.instrument[slot] = instrument
        self.side[slot] = <uint8_t>side
        self.order_type[slot] = <uint8_t>order_type
        self.tif[slot] = <uint8_t>tif
        self.state[slot] = PENDING
        self.flags[slot] = <uint8_t>flags
        self.position_side[slot] = <uint8_t>position_side
        self.qty_raw[slot] = qty_raw
        self.price_raw[slot] = price_raw
        self.stop_price_raw[slot] = stop_price_raw
        self.trailing_delta_raw[slot] = trailing_delta_raw
        self.filled_raw[slot] = 0
        self.cum_quote_raw[slot] = 0
        self.fee_raw[slot] = 0
        self.fee_asset[slot] = -1
        self.fee2_raw[slot] = 0
        self.fee2_asset[slot] = -1
        self.ts_created[slot] = ts_ns
        self.ts_acked[slot] = 0
        self.ts_updated[slot] = ts_ns
        self.ts_terminal[slot] = 0
        self.reject_code[slot] = 0
        self.trade_ids[slot, 0] = -1
        self.trade_ids[slot, 1] = -1
        self.trade_ids[slot, 2] = -1
        self.trade_ids[slot, 3] = -1
        self.trade_pos[slot] = 0
        self.exch_kind[slot] = 0
        self.exch_id_len[slot] = 0
        self.client_id_adopted[slot] = 0
        self.client_id_len[slot] = <uint8_t>self.codec.format_c(slot, g, <char *>&self.client_id_buf[slot, 0])
        return slot

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int64_t warm_next_c(self) noexcept nogil:
        """Read each column of the slot :meth:`create_c` takes next (the free stack's top), changing nothing: the
        lines the next order writes are in the caches before it comes (a busy-polling engine's warm-up,
        ``OrderEntry.warm``).  Returns a sum of what it read (so that the reads are made)."""
        cdef int32_t slot
        cdef char cid[64]
        if self.free_top == 0:
            return 0
        slot = self.free_stack[self.free_top - 1]
        return (self.codec.format_c(slot, self.gen[slot], cid) + self.gen[slot] + self.instrument[slot]
                + self.side[slot] + self.order_type[slot] + self.tif[slot] + self.state[slot] + self.flags[slot]
                + self.position_side[slot] + self.qty_raw[slot]
                + self.price_raw[slot] + self.stop_price_raw[slot] + self.trailing_delta_raw[slot]
                + self.filled_raw[slot] + self.cum_quote_raw[slot] + self.fee_raw[slot] + self.fee_asset[slot]
                + self.fee2_raw[slot] + self.fee2_asset[slot] + self.ts_created[slot] + self.ts_acked[slot]
                + self.ts_updated[slot] + self.ts_terminal[slot] + self.reject_code[slot] + self.trade_ids[slot, 0]
                + self.trade_pos[slot] + self.exch_kind[slot] + self.exch_id_len[slot]
                + self.client_id_adopted[slot] + self.client_id_len[slot] + self.client_id_buf[slot, 0])

    def warm_next(self):
        """:meth:`warm_next_c` from Python."""
        return self.warm_next_c()

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int32_t find_client_id_c(self, const char *p, Py_ssize_t n) noexcept nogil:
        """Slot of the live order with this client id, or -1 (decoded, no hashing, for our own ids)."""
        cdef int32_t slot
        cdef uint32_t g
        if self.codec.decode_c(p, n, &slot, &g) == 0:
            if (0 <= slot < self.capacity and self.state[slot] != SLOT_FREE and self.gen[slot] == g
                    and not self.client_id_adopted[slot]):
                return slot
            return -1
        if self.ix_client.count == 0 or n > CLIENT_ID_MAX:
            return -1
        return ix_str_find(&self.ix_client, p, <size_t>n)

    cdef int32_t find_exchange_int_c(self, int64_t exchange_id) noexcept nogil:
        """Slot of the order with this integer exchange id, or -1."""
        return ix_int_find(&self.ix_exch_int, exchange_id)

    cdef int32_t find_exchange_str_c(self, const char *p, Py_ssize_t n) noexcept nogil:
        """Slot of the order with this string exchange id, or -1."""
        if n <= 0 or n > EXCHANGE_ID_MAX:
            return -1
        return ix_str_find(&self.ix_exch_str, p, <size_t>n)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int set_exchange_int_c(self, int32_t slot, int64_t exchange_id) noexcept nogil:
        """Record and index the venue's integer order id; 0 ok, 1 same id already set,
        -1 slot not live, -2 id already belongs to another order, -3 slot already has another id."""
        cdef int32_t other = -1
        cdef int rc
        if not self.is_live_c(slot):
            return -1
        if self.exch_kind[slot] == 1:
            return 1 if self.exch_id_int[slot] == exchange_id else -3
        if self.exch_kind[slot] != 0:
            return -3
        rc = ix_int_insert(&self.ix_exch_int, exchange_id, slot, &other)
        if rc != 0:
            return -2
        self.exch_id_int[slot] = exchange_id
        self.exch_kind[slot] = 1
        return 0

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int set_exchange_str_c(self, int32_t slot, const char *p, Py_ssize_t n) noexcept nogil:
        """As set_exchange_int_c for string ids (UUIDs); -4 when the id is empty or too long."""
        cdef int32_t other = -1
        cdef int rc
        if not self.is_live_c(slot):
            return -1
        if n <= 0 or n > EXCHANGE_ID_MAX:
            return -4
        if self.exch_kind[slot] == 2:
            if self.exch_id_len[slot] == n and memcmp(&self.exch_id_str[slot, 0], p, <size_t>n) == 0:
                return 1
            return -3
        if self.exch_kind[slot] != 0:
            return -3
        if ix_str_find(&self.ix_exch_str, p, <size_t>n) >= 0:
            return -2
        memcpy(&self.exch_id_str[slot, 0], p, <size_t>n)
        self.exch_id_len[slot] = <uint8_t>n
        rc = ix_str_insert(&self.ix_exch_str, slot, &other)
        if rc != 0:
            self.exch_id_len[slot] = 0
            return -2
        self.exch_kind[slot] = 2
        return 0

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int apply_c(self, int32_t slot, int exec_type, int new_state, int64_t last_qty_raw,
                     int64_t last_price_raw, int64_t cum_qty_raw, int64_t trade_id, int64_t fee_raw,
                     int32_t fee_asset_id, int64_t ts_ns) noexcept nogil:
        """Apply one execution report / order update; returns an UpdateResult code.

        ``cum_qty_raw`` < 0 means the venue did not say (then trades are told apart by
        ``trade_id`` only); ``trade_id`` < 0 means no trade id.  A fill that arrives
        before the acknowledgement is applied (PENDING -> PARTIALLY_FILLED/FILLED).
        """
        cdef int cur, target, k
        cdef int64_t filled, new_filled, delta, quote, new_quote, fee_sum, fee2_sum
        cdef bint is_trade
        if not self.is_live_c(slot):
            self.n_unknown += 1
            return UNKNOWN_ORDER
        cur = self.state[slot]
        filled = self.filled_raw[slot]
        is_trade = exec_type == EXEC_TRADE
        if is_trade:
            if trade_id >= 0:
                for k in range(TRADE_IDS_KEPT):
                    if self.trade_ids[slot, k] == trade_id:
                        self.n_duplicates += 1
                        return DUPLICATE
            if cum_qty_raw >= 0 and cum_qty_raw <= filled:
                self.n_duplicates += 1
                return DUPLICATE
            if last_qty_raw <= 0 or last_price_raw <= 0:
                self.n_illegal += 1
                return BAD_VALUE
            if cum_qty_raw >= 0:
                new_filled = cum_qty_raw
            elif fp_add(filled, last_qty_raw, &new_filled) != FP_OK:
                self.n_overflows += 1
                return OVERFLOW
            if new_filled > self.qty_raw[slot]:
                self.n_illegal += 1
                return OVERFILL
            delta = new_filled - filled
            if (fp_mul(delta, last_price_raw, FP_HALF_EVEN, &quote) != FP_OK
                    or fp_add(self.cum_quote_raw[slot], quote, &new_quote) != FP_OK):
                self.n_overflows += 1
                return OVERFLOW
            fee_sum = self.fee_raw[slot]
            fee2_sum = self.fee2_raw[slot]
            if fee_raw != 0:
                if self.fee_asset[slot] == fee_asset_id or self.fee_asset[slot] < 0:
                    if fp_add(fee_sum, fee_raw, &fee_sum) != FP_OK:
                        self.n_overflows += 1
                        return OVERFLOW
                elif self.fee2_asset[slot] == fee_asset_id or self.fee2_asset[slot] < 0:
                    if fp_add(fee2_sum, fee_raw, &fee2_sum) != FP_OK:
                        self.n_overflows += 1
                        return OVERFLOW
            if cur == CANCELLED or cur == EXPIRED:
                target = cur                    # the fill happened before the cancel took: keep it
                self.n_late_fills += 1
            elif cur == REJECTED or cur == NOT_PLACED:
                # the venue had the order after all: its fill is kept (the engine raises the alarm)
                self.n_unexpected_fills += 1
                target = FILLED if new_state == FILLED or new_filled == self.qty_raw[slot] else PARTIALLY_FILLED
            elif new_state == FILLED or new_filled == self.qty_raw[slot]:
                target = FILLED
            else:
                target = PARTIALLY_FILLED
            if target != cur and not TRANSITIONS[cur][target]:
                self.n_illegal += 1
                return ILLEGAL
            # commit
            if delta != last_qty_raw:
                self.n_gaps += 1
            self.filled_raw[slot] = new_filled
            self.cum_quote_raw[slot] = new_quote
            if fee_raw != 0:
                if self.fee_asset[slot] == fee_asset_id or self.fee_asset[slot] < 0:
                    self.fee_raw[slot] = fee_sum
                    self.fee_asset[slot] = fee_asset_id
                elif self.fee2_asset[slot] == fee_asset_id or self.fee2_asset[slot] < 0:
                    self.fee2_raw[slot] = fee2_sum
                    self.fee2_asset[slot] = fee_asset_id
                else:
                    self.n_fee_assets_dropped += 1
            if trade_id >= 0:
                k = self.trade_pos[slot]
                self.trade_ids[slot, k] = trade_id
                self.trade_pos[slot] = <uint8_t>((k + 1) % TRADE_IDS_KEPT)
            if self.ts_acked[slot] == 0:
                self.ts_acked[slot] = ts_ns
            self.ts_updated[slot] = ts_ns
            if target != cur:
                self.state[slot] = <uint8_t>target
                if is_terminal(target):
                    self.on_terminal_c(slot, ts_ns)
            return APPLIED

        # not a trade: acknowledgement, cancel, expiry, rejection, amendment, trigger
        if new_state < 1 or new_state > 9:
            self.n_illegal += 1
            return BAD_VALUE
        if cum_qty_raw > self.qty_raw[slot]:
            self.n_illegal += 1
            return OVERFILL
        if new_state == cur:
            if exec_type == EXEC_AMENDMENT and not is_terminal(cur):
                self.ts_updated[slot] = ts_ns
                return APPLIED
            if cum_qty_raw > filled:
                pass                            # same state but the venue knows of more fills
            else:
                self.n_duplicates += 1
                return DUPLICATE
        elif _rank(new_state) < _rank(cur) and cum_qty_raw <= filled:
            self.n_stale += 1
            return STALE
        if new_state != cur and not TRANSITIONS[cur][new_state]:
            self.n_illegal += 1
            return ILLEGAL
        if cum_qty_raw > filled:
            # fills we were not told about one by one: take the venue's total, value the
            # missing part at the price given (if any) and count the gap for reconciliation
            delta = cum_qty_raw - filled
            quote = 0
            if last_price_raw > 0 and fp_mul(delta, last_price_raw, FP_HALF_EVEN, &quote) != FP_OK:
                self.n_overflows += 1
                return OVERFLOW
            if fp_add(self.cum_quote_raw[slot], quote, &new_quote) != FP_OK:
                self.n_overflows += 1
                return OVERFLOW
            self.filled_raw[slot] = cum_qty_raw
            self.cum_quote_raw[slot] = new_quote
            self.n_gaps += 1
        if (self.ts_acked[slot] == 0 and new_state != UNKNOWN and new_state != REJECTED
                and new_state != NOT_PLACED):
            self.ts_acked[slot] = ts_ns
        self.ts_updated[slot] = ts_ns
        self.state[slot] = <uint8_t>new_state
        if is_terminal(new_state) and not is_terminal(cur):
            self.on_terminal_c(slot, ts_ns)
        return APPLIED

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int amend_c(self, int32_t slot, int64_t qty_raw, int64_t price_raw, int64_t ts_ns) noexcept nogil:
        """The venue changed quantity/price in place (values <= 0 keep the old one)."""
        cdef int cur
        if not self.is_live_c(slot):
            self.n_unknown += 1
            return UNKNOWN_ORDER
        cur = self.state[slot]
        if is_terminal(cur):
            self.n_illegal += 1
            return ILLEGAL
        if qty_raw > 0:
            if qty_raw < self.filled_raw[slot]:
                self.n_illegal += 1
                return OVERFILL
            self.qty_raw[slot] = qty_raw
        if price_raw > 0:
            self.price_raw[slot] = price_raw
        self.ts_updated[slot] = ts_ns
        return APPLIED

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int reject_c(self, int32_t slot, int32_t reason_code, int64_t ts_ns) noexcept nogil:
        """The venue (or the engine's own risk check) refused the order."""
        cdef int rc = self.apply_c(slot, 0, REJECTED, 0, 0, -1, -1, 0, -1, ts_ns)
        if rc == APPLIED:
            self.reject_code[slot] = reason_code
        return rc

    @cython.boundscheck(False)
    @cython.wraparound(False)
    cdef int release_c(self, int32_t slot) noexcept nogil:
        """Give back the slot of an order that never left (still PENDING); -1 otherwise."""
        if not self.is_live_c(slot) or self.state[slot] != PENDING:
            return -1
        self.unindex_c(slot)
        self.state[slot] = SLOT_FREE
        self.free_stack[self.free_top] = slot
        self.free_top += 1
        self.live -= 1
        return 0

    # ---- Python wrappers (cold path and tests) ------------------------------

    def create(self, int32_t instrument, int side, int order_type, int tif, int64_t qty_raw,
               int64_t price_raw=0, int64_t stop_price_raw=0, int64_t trailing_delta_raw=0,
               bint reduce_only=False, bint close_on_trigger=False, int position_side=0, int64_t ts_ns=0):
        """Record a new order (state PENDING) and return its slot.

        Raises
        ------
        CapacityError
            Every slot is live or still retained.
        ValueError
            Side, type, time in force or position side out of range, quantity <= 0,
            negative price.
        """
        cdef int flags = (ORDER_FLAG_REDUCE_ONLY if reduce_only else 0) | (
            ORDER_FLAG_CLOSE_ON_TRIGGER if close_on_trigger else 0)
        cdef int32_t slot = self.create_c(instrument, side, order_type, tif, qty_raw, price_raw, stop_price_raw,
                                          trailing_delta_raw, flags, position_side, ts_ns)
        if slot >= 0:
            return slot
        self._create_failed(slot, instrument, side, order_type, tif, qty_raw, price_raw, stop_price_raw,
                            position_side)

    def create_limit(self, int32_t instrument, int side, int order_type, int tif, int64_t qty_raw,
                     int64_t price_raw, int64_t ts_ns=0):
        """``create`` for the common order (no stop, no trailing delta, no flags, position side 0),
        with every argument positional: a narrower call than ``create``'s twelve-parameter one.

        Returns
        -------
        int
            The slot, exactly as ``create(instrument, side, order_type, tif, qty_raw, price_raw,
            ts_ns=ts_ns)`` would.

        Raises
        ------
        CapacityError, ValueError
            As ``create``.
        """
        cdef int32_t slot = self.create_c(instrument, side, order_type, tif, qty_raw, price_raw, 0, 0, 0, 0, ts_ns)
        if slot >= 0:
            return slot
        self._create_failed(slot, instrument, side, order_type, tif, qty_raw, price_raw, 0, 0)

    cdef int _create_failed(self, int32_t slot, int32_t instrument, int side, int order_type, int tif,
                            int64_t qty_raw, int64_t price_raw, int64_t stop_price_raw,
                            int position_side) except -1:
        """Raise the error of a refused creation (create_c returned slot < 0)."""
        if slot == -1:
            raise CapacityError(
                f"order store full: {self.capacity} slots live or retained "
                f"(retention {self.retention_ns} ns); raise capacity or shorten retention")
        raise ValueError(
            f"bad order: instrument={instrument} side={side} order_type={order_type} tif={tif} "
            f"qty_raw={qty_raw} price_raw={price_raw} stop_price_raw={stop_price_raw} position_side={position_side}")

    def release(self, int32_t slot):
        """Free the slot of an order that was never sent (PENDING).  Raises OrderStoreError otherwise."""
        if self.release_c(slot) != 0:
            raise OrderStoreError(f"slot {slot} is not a PENDING order; only unsent orders can be released")

    def set_client_tag(self, int32_t slot, str tag):
        """Lead the client id of a just-created PENDING order with ``tag-`` (before anything is sent).

        Raises
        ------
        ValueError, TypeError
            A tag the venue's id rule does not allow (characters, length): names the limit.
        OrderStoreError
            The slot is not a PENDING order of ours.
        """
        self._check(slot)
        if self.state[slot] != PENDING or self.client_id_adopted[slot]:
            raise OrderStoreError(f"slot {slot} is not a new order of ours; its client id is fixed")
        cdef bytes b = self.codec.format_tagged(slot, self.gen[slot], tag).encode("ascii")
        memcpy(<char *>&self.client_id_buf[slot, 0], PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b))
        self.client_id_len[slot] = <uint8_t>PyBytes_GET_SIZE(b)

    def client_tag(self, int32_t slot):
        """The per-order tag leading the client id of a live slot of ours ("" when untagged)."""
        self._check(slot)
        cdef int extra = self.client_id_len[slot] - self.codec.id_length
        if self.client_id_adopted[slot] or extra < 2:
            return ""
        start = self.codec.prefix_length
        return bytes(self.client_id_buf[slot, start:start + extra - 1]).decode("ascii")

    def client_id(self, int32_t slot):
        """The client order id of a live slot (str)."""
        self._check(slot)
        return (<const char *>&self.client_id_buf[slot, 0])[:self.client_id_len[slot]].decode("ascii")

    def client_id_bytes(self, int32_t slot):
        """The client order id of a live slot (bytes, as the encoders write it)."""
        self._check(slot)
        return (<const char *>&self.client_id_buf[slot, 0])[:self.client_id_len[slot]]

    def find_client_id(self, text):
        """Slot of the live order with this client id (str or bytes), or -1."""
        cdef Py_ssize_t n
        cdef const char *p = _text_ptr(text, &n)
        return self.find_client_id_c(p, n)

    def set_exchange_id(self, int32_t slot, exchange_id):
        """Record the venue's order id (int or str/bytes) and index it.

        Raises
        ------
        OrderStoreError
            Slot not live, the id belongs to another order, or the slot has another id.
        """
        cdef Py_ssize_t n
        cdef const char *p
        cdef int rc
        if isinstance(exchange_id, int):
            rc = self.set_exchange_int_c(slot, exchange_id)
        else:
            p = _text_ptr(exchange_id, &n)
            rc = self.set_exchange_str_c(slot, p, n)
        if rc >= 0:
            return rc
        raise OrderStoreError({
            -1: f"slot {slot} is not live",
            -2: f"exchange order id {exchange_id!r} already belongs to another order",
            -3: f"slot {slot} already has a different exchange order id",
            -4: f"exchange order id {exchange_id!r} is empty or longer than {EXCHANGE_ID_MAX} bytes",
        }[rc])

    def find_exchange_id(self, exchange_id):
        """Slot of the order with this exchange id (int or str/bytes), or -1."""
        cdef Py_ssize_t n
        cdef const char *p
        if isinstance(exchange_id, int):
            return self.find_exchange_int_c(exchange_id)
        p = _text_ptr(exchange_id, &n)
        return self.find_exchange_str_c(p, n)

    def apply(self, int32_t slot, int exec_type, int new_state, int64_t last_qty_raw, int64_t last_price_raw,
              int64_t cum_qty_raw, int64_t trade_id, int64_t fee_raw, int32_t fee_asset_id, int64_t ts_ns):
        """Apply one update (see ``apply_c``); returns an :class:`UpdateResult` code as int.

        Illegal transitions, overfills, bad values and overflows are counted and logged;
        duplicates and stale updates are only counted.
        """
        cdef int rc = self.apply_c(slot, exec_type, new_state, last_qty_raw, last_price_raw, cum_qty_raw,
                                   trade_id, fee_raw, fee_asset_id, ts_ns)
        if rc >= ILLEGAL:
            self._log_refused(rc, slot, exec_type, new_state, last_qty_raw, cum_qty_raw)
        return rc

    def amend(self, int32_t slot, int64_t qty_raw=0, int64_t price_raw=0, int64_t ts_ns=0):
        """Apply an in-place amendment; returns an UpdateResult code."""
        cdef int rc = self.amend_c(slot, qty_raw, price_raw, ts_ns)
        if rc >= ILLEGAL:
            self._log_refused(rc, slot, EXEC_AMENDMENT, 0, qty_raw, -1)
        return rc

    def reject(self, int32_t slot, int32_t reason_code, int64_t ts_ns=0):
        """Mark the order REJECTED with a reason code; returns an UpdateResult code."""
        cdef int rc = self.reject_c(slot, reason_code, ts_ns)
        if rc >= ILLEGAL:
            self._log_refused(rc, slot, 0, REJECTED, 0, -1)
        return rc

    def mark_unknown(self, int32_t slot, int64_t ts_ns=0):
        """The request was sent and its answer lost: UNKNOWN until the venue is asked."""
        return self.apply(slot, 0, UNKNOWN, 0, 0, -1, -1, 0, -1, ts_ns)

    def _log_refused(self, int rc, int32_t slot, int exec_type, int new_state, int64_t qty_raw, int64_t cum_raw):
        cur = self.state[slot] if 0 <= slot < self.capacity else 0
        _log.warning(
            "order update refused (%s): slot=%d state=%s exec_type=%d new_state=%d qty_raw=%d cum_raw=%d",
            UpdateResult(rc).name, slot, PyOrderState(cur).name if cur else "FREE", exec_type, new_state,
            qty_raw, cum_raw)

    def _check(self, int32_t slot):
        if not self.is_live_c(slot):
            raise OrderStoreError(f"slot {slot} is not live")

    def state_of(self, int32_t slot):
        """OrderState of a live slot (int), 0 if free."""
        if slot < 0 or slot >= self.capacity:
            raise OrderStoreError(f"slot {slot} outside 0..{self.capacity - 1}")
        return self.state[slot]

    def stale(self, int64_t now_ns):
        """Slots of PENDING/UNKNOWN orders created more than ``ack_timeout_ns`` before ``now_ns``.  Only the
        slots ever taken are read (``slots_used``: a freed slot is handed out again before any new one, so that
        is the peak of orders kept at once, not the capacity): the once-a-second check does not stall
        the loop for a large store."""
        cdef list out = []
        cdef int32_t s
        cdef int st
        for s in range(self.slots_used):
            st = self.state[s]
            if (st == PENDING or st == UNKNOWN) and now_ns - self.ts_created[s] > self.ack_timeout_ns:
                out.append(s)
        return out

    def reclaim(self, int64_t now_ns):
        """Free every terminal slot whose retention has run out; returns how many were freed."""
        cdef int32_t before = self.live
        self.reclaim_c(now_ns, self.capacity)
        return before - self.live

    def adopt(self, client_id, int32_t instrument, int side, int order_type, int tif, int64_t qty_raw,
              int64_t price_raw=0, int64_t ts_ns=0):
        """Take in an order this session did not create (found by reconciliation).

        Its client id is indexed by hash; returns the slot (state PENDING until the
        caller applies the venue's state).
        """
        cdef Py_ssize_t n
        cdef const char *p = _text_ptr(client_id, &n)
        cdef int32_t other = -1
        if n <= 0 or n > CLIENT_ID_MAX:
            raise ValueError(f"client id {client_id!r} is empty or longer than {CLIENT_ID_MAX} bytes")
        if self.find_client_id_c(p, n) >= 0:
            raise OrderStoreError(f"client id {client_id!r} is already in the store")
        cdef int32_t slot = self.create(instrument, side, order_type, tif, qty_raw, price_raw, ts_ns=ts_ns)
        memcpy(&self.client_id_buf[slot, 0], p, <size_t>n)
        self.client_id_len[slot] = <uint8_t>n
        if ix_str_insert(&self.ix_client, slot, &other) != 0:
            self.release_c(slot)
            raise OrderStoreError(f"client id {client_id!r} could not be indexed")
        self.client_id_adopted[slot] = 1
        return slot

    def order(self, int32_t slot):
        """An :class:`Order` snapshot of a live slot (allocates; cold path)."""
        self._check(slot)
        kind = self.exch_kind[slot]
        if kind == 1:
            exchange_id = self.exch_id_int[slot]
        elif kind == 2:
            exchange_id = bytes(self.exch_id_str[slot, :self.exch_id_len[slot]]).decode("utf-8", "replace")
        else:
            exchange_id = None
        cdef int64_t avg = 0
        if self.filled_raw[slot] > 0:
            from engine._fixedpoint import div
            avg = div(self.cum_quote_raw[slot], self.filled_raw[slot], 7)   # HALF_EVEN
        return Order(
            slot=slot, generation=self.gen[slot], client_id=self.client_id(slot), exchange_id=exchange_id,
            instrument=self.instrument[slot], side=PySide(self.side[slot]),
            order_type=PyOrderType(self.order_type[slot]), tif=PyTimeInForce(self.tif[slot]),
            state=PyOrderState(self.state[slot]), qty_raw=self.qty_raw[slot], price_raw=self.price_raw[slot],
            stop_price_raw=self.stop_price_raw[slot], trailing_delta_raw=self.trailing_delta_raw[slot],
            reduce_only=bool(self.flags[slot] & ORDER_FLAG_REDUCE_ONLY),
            close_on_trigger=bool(self.flags[slot] & ORDER_FLAG_CLOSE_ON_TRIGGER),
            position_side=PyPositionSide(self.position_side[slot]), filled_raw=self.filled_raw[slot],
            cum_quote_raw=self.cum_quote_raw[slot], avg_price_raw=avg, fee_raw=self.fee_raw[slot],
            fee_asset=self.fee_asset[slot], fee2_raw=self.fee2_raw[slot], fee2_asset=self.fee2_asset[slot],
            ts_created=self.ts_created[slot], ts_acked=self.ts_acked[slot], ts_updated=self.ts_updated[slot],
            reject_code=self.reject_code[slot],
        )

    def counters(self):
        """All counters as a dict (cold path)."""
        return {
            "duplicates": self.n_duplicates, "stale": self.n_stale, "illegal": self.n_illegal,
            "overflows": self.n_overflows, "unknown": self.n_unknown, "gaps": self.n_gaps,
            "late_fills": self.n_late_fills, "unexpected_fills": self.n_unexpected_fills,
            "capacity_rejects": self.n_capacity_rejects,
            "fee_assets_dropped": self.n_fee_assets_dropped,
        }
