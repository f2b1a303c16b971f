"""The Gate.io WebSocket order API in C (gateio-spot.md §8): requests written, answers paired.

Writing (:meth:`GateAnswers.write`, after :meth:`GateAnswers.bind`): the encoder's ``req_param``
(just written) framed as the request of a channel with the next request id (``<prefix>-<n>``),
handed to the socket's picows transport, and registered with the
:class:`~engine.transport.inflight.InflightRequests` (``register``: the dict the answers are looked
up in, and its deadline: a request with no answer in time fails with ``sent=True``), in one call.  A socket that is down raises :class:`~engine.transport.errors.ConnectionLost`
(``sent=False``) and nothing is written or registered.

Reading: every order request gets an ack frame (``"ack":true``: received) and then its result frame (no
``ack`` key), both led by ``"request_id"``.  :class:`GateAnswers` takes each frame from the
compiled listener (:class:`engine._ws_listener.FrameListener`), the payload borrowed from
picows's read buffer, and:

1. While requests wait, it finds the request id (the first member: its key looked for in the
   frame's first 64 bytes, the id's closing quote within 96 bytes of the key).
2. A frame with an id and ``"ack":true`` is an ack (received; the result follows): counted and
   dropped, nothing made.  (An ack is never anything else: the JSON path ignores acks too.)
3. A frame with an id and ``"status":"200"`` in its head (the first 400 bytes) settles the
   request of that id, if it waits (the :class:`~engine.transport.inflight.InflightRequests`
   dict, shared, never copied), with the frame as bytes.
4. Every other frame goes to ``other`` (Python, as bytes): errors (``data.errs``), the login
   answer, pongs, notices, frames of requests no longer waiting, unreadable frames.  That path
   decides what they mean, with the JSON parsed.

Every read of the payload is bounded by its length.
"""

from engine.transport.errors import ConnectionLost

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.dict cimport PyDict_Size
from libc.stdint cimport int64_t
from libc.string cimport memchr
from libc.string cimport memcmp
from libc.string cimport memcpy
from picows.picows cimport WSMsgType
from picows.picows cimport WSTransport
from posix.time cimport CLOCK_MONOTONIC

from engine._clocks cimport clock_ns
from engine._codec_gateio cimport GateOrderEncoder
from engine._ws_listener cimport FrameSink
from engine._ws_listener cimport NOT_WAITING
from engine._ws_listener cimport SETTLED
from engine._ws_listener cimport settle_waiting

__all__ = ["GateAnswers"]

cdef enum:
    RID_WINDOW = 64         # the request id's key is looked for in the frame's first 64 bytes
    ID_WINDOW = 96          # its closing quote within 96 bytes of the key
    STATUS_WINDOW = 400     # "status":"200" in the header, near the head of the frame

cdef const char *RID = b'"request_id":"'
cdef const char *ACK = b'"ack":true'
cdef const char *OK = b'"status":"200"'


cdef inline Py_ssize_t _find(const char *p, Py_ssize_t n, const char *pat, Py_ssize_t m, Py_ssize_t anchor) noexcept:
    """Offset of ``pat[:m]`` in ``p[:n]``, or -1: memchr for ``pat[anchor]`` (a byte that is rare in
    Gate's frames, so few candidates are compared), then the whole pattern around each hit."""
    cdef const char *hit
    cdef Py_ssize_t i = anchor
    while i <= n - m + anchor:
        hit = <const char *>memchr(p + i, pat[anchor], <size_t>(n - m + anchor + 1 - i))
        if hit == NULL:
            return -1
        i = hit - p
        if memcmp(hit - anchor, pat, <size_t>m) == 0:
            return i - anchor
        i += 1
    return -1


cdef inline Py_ssize_t _decimal(char *out, long long value) noexcept:
    """``value`` (>= 0) in decimal at ``out`` (20 bytes of room); returns its length."""
    cdef char tmp[20]
    cdef Py_ssize_t n = 0, k
    while True:
        tmp[n] = <char>(48 + value % 10)
        n += 1
        value //= 10
        if value == 0:
            break
    for k in range(n):
        out[k] = tmp[n - 1 - k]
    return n


cdef class GateAnswers(FrameSink):
    """Writes the order API's requests and pairs their answers with them (module docstring).

    Parameters
    ----------
    pending : dict
        Request id (bytes, as written in the request's ``req_id``) to its future: the
        :attr:`InflightRequests.pending <engine.transport.inflight.InflightRequests.pending>`
        dict itself.
    other : callable
        ``(payload: bytes) -> None`` for every frame not settled or dropped here.
    """

    def __init__(self, dict pending not None, other):
        if not callable(other):
            raise TypeError("GateAnswers needs a callable for the frames it does not settle")
        self.pending = pending
        self.other = other

    def bind(self, GateOrderEncoder encoder not None, ws, inflight, bytes prefix not None):
        """What :meth:`write` needs: the encoder holding each request's ``req_param``, the socket (its
        picows transport), the requests' :class:`~engine.transport.inflight.InflightRequests` (whose
        ``pending`` this object reads) and the request ids' prefix (1-23 bytes of ``[0-9A-Za-z_.]``)."""
        cdef Py_ssize_t n = PyBytes_GET_SIZE(prefix)
        if inflight.pending is not self.pending:
            raise ValueError("bind needs the InflightRequests whose pending dict this object reads")
        if not 0 < n < PREFIX_CAP or not all(c.isalnum() or c in "_." for c in prefix.decode("ascii", "replace")):
            raise ValueError(f"request id prefix must be 1-{PREFIX_CAP - 1} bytes of [0-9A-Za-z_.]: {prefix!r}")
        self.encoder = encoder
        self.ws = ws
        self.inflight = inflight
        memcpy(self.prefix, PyBytes_AS_STRING(prefix), <size_t>n)
        self.prefix_len = n

    def write(self, bytes channel not None, int64_t ts_ms, int64_t exptime_ms, what, double timeout):
        """Write the encoder's ``req_param`` as a ``channel`` request with the next id; returns the future
        its result settles (module docstring).

        Raises
        ------
        ConnectionLost
            The socket is down (``sent=False``): nothing was written or registered.
        ValueError
            No ``req_param`` in the encoder (its last call failed), or a bad channel or time.
        """
        cdef char rid[PREFIX_CAP + 21]
        cdef Py_ssize_t rn
        if self.encoder is None:
            raise RuntimeError("GateAnswers.write needs bind() first")
        transport = self.ws._transport
        if transport is None:
            raise ConnectionLost(f"{what}: socket not connected; nothing was sent", sent=False)
        memcpy(rid, self.prefix, <size_t>self.prefix_len)
        rid[self.prefix_len] = b'-'
        rn = self.prefix_len + 1 + _decimal(rid + self.prefix_len + 1, self.seq + 1)
        frame = self.encoder.ws_frame_c(PyBytes_AS_STRING(channel), PyBytes_GET_SIZE(channel), rid, rn, ts_ms,
                                        exptime_ms)
        self.seq += 1                               # ids never repeat, whatever the write does
        self.ws.last_send_ns = clock_ns(CLOCK_MONOTONIC)     # (perf_counter_ns's clock on Linux; the socket's rule)
        (<WSTransport?>transport).send(WSMsgType.TEXT, frame)
        return self.inflight.register(PyBytes_FromStringAndSize(rid, rn), what, timeout)

    cdef int on_frame(self, const char *data, Py_ssize_t size, bint is_text) except -1:
        cdef Py_ssize_t at, start, stop
        cdef const char *end
        cdef int st
        if PyDict_Size(self.pending) != 0:
            at = _find(data, min(size, RID_WINDOW), RID, 14, 3)                # anchored on 'q'
            if at >= 0:
                start = at + 14
                stop = min(size, at + ID_WINDOW)
                end = <const char *>memchr(data + start, b'"', <size_t>(stop - start)) if stop > start else NULL
                if end != NULL:
                    if _find(data, size, ACK, 10, 3) >= 0:                         # anchored on 'k'
                        self.acks += 1              # received; the result follows (nothing made)
                        return 0
                    if _find(data, min(size, STATUS_WINDOW), OK, 14, 5) >= 0:      # anchored on 'u'
                        key = PyBytes_FromStringAndSize(data + start, end - (data + start))
                        st = settle_waiting(self.pending, key, data, size)
                        if st != NOT_WAITING:
                            self.settled += st == SETTLED
                            return 0
        self.other(PyBytes_FromStringAndSize(data, size))
        return 0
