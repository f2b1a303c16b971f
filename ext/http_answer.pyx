"""Framing of a plain HTTP/1.1 answer in one read, in C, without a parser callback per header.

Almost every answer on the lean order path has one shape: ``HTTP/1.1`` and a status from 200
to 599, a few header lines, one ``Content-Length``, and the whole body in the read that brought
the head.  :func:`frame_plain` frames those with one pass over the head bytes, where httptools
calls back into Python once per header line; the headers are split only when someone asks
(:attr:`HttpResponse.headers`); :func:`take_plain` frames the answers of a read and settles the
waiting requests' futures with them (:class:`HttpResponse`, the answer type of the whole transport),
without a Python call per answer.

Anything else is left to httptools, where every rule about odd answers lives, so this module
is strict and declines (returns None, nothing consumed) rather than deciding:

1. Only ``HTTP/1.1 ddd`` with a status from 200 to 599, not 204 or 304 (answers that carry no
   body whatever their headers say); interim 1xx and 101 go to httptools.
2. The reason phrase and every header value of HTAB, SP, VCHAR and obs-text only; header
   names of token characters followed at once by ``:`` (RFC 9110 §5.1, §5.5); every line
   ends with CRLF (no bare CR or LF, no obs-fold).
3. Exactly one ``Content-Length`` of 1 to 18 decimal digits between optional spaces and tabs;
   no ``Transfer-Encoding`` and no ``Connection`` header (httptools then decides chunked
   framing and keep-alive).
4. Within the caps: head bytes, header lines, body bytes (over a cap, httptools fails the
   connection with its own message).
5. The whole answer already in ``data``: a partial one is httptools' to buffer.

Every read of ``data`` is checked against its length first.
"""

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.bytes cimport PyBytes_GET_SIZE
from libc.string cimport memchr
from libc.string cimport memcmp

__all__ = ["frame_plain", "take_plain", "header_value", "header_counts", "HttpResponse", "split_head"]

cdef enum:
    MAX_LENGTH_DIGITS = 18      # a Content-Length that fits int64 whatever its digits


cdef inline bint _is_tchar(unsigned char c) noexcept:
    """RFC 9110 §5.6.2 token character."""
    if (c >= 0x30 and c <= 0x39) or (c >= 0x41 and c <= 0x5a) or (c >= 0x61 and c <= 0x7a):
        return True
    return (c == 0x21 or c == 0x23 or c == 0x24 or c == 0x25 or c == 0x26 or c == 0x27 or c == 0x2a
            or c == 0x2b or c == 0x2d or c == 0x2e or c == 0x5e or c == 0x5f or c == 0x60 or c == 0x7c
            or c == 0x7e)


cdef inline bint _all_text(const unsigned char* p, Py_ssize_t n) noexcept:
    """Every byte of ``p[:n]`` may be in a reason phrase or field value (HTAB, SP, VCHAR, obs-text): one
    branch-free pass the compiler vectorizes."""
    cdef unsigned char bad = 0
    cdef Py_ssize_t k
    for k in range(n):
        bad |= ((p[k] < 0x20) & (p[k] != 0x09)) | (p[k] == 0x7f)
    return bad == 0


cdef inline unsigned char _lower(unsigned char c) noexcept:
    return c | 0x20 if 0x41 <= c <= 0x5a else c


cdef inline bint _name_is(const unsigned char* p, Py_ssize_t n, const char* lower, Py_ssize_t size) noexcept:
    """``p[:n]`` equals the lower-case ``lower[:size]``, ASCII case-insensitively."""
    cdef Py_ssize_t k
    if n != size:
        return False
    for k in range(n):
        if (p[k] | 0x20) != <unsigned char>lower[k]:
            return False
    return True


cdef int _frame(const unsigned char* p, Py_ssize_t n, Py_ssize_t pos, Py_ssize_t max_headers,
                Py_ssize_t max_header_bytes, Py_ssize_t max_body_bytes, Py_ssize_t* head_end,
                Py_ssize_t* body_start, Py_ssize_t* body_len) noexcept:
    """The status of the plain answer at ``p[pos:n]`` (head ``p[pos:head_end]``, body ``body_len`` bytes
    from ``body_start``), or 0: not a plain answer (module docstring) or not whole in ``p[:n]``."""
    cdef Py_ssize_t i, name, name_len, value, value_end, start, digits
    cdef const unsigned char* cr
    cdef Py_ssize_t lines = 0
    cdef long long length = -1
    cdef int status
    if pos < 0 or n - pos < 13 or memcmp(p + pos, b"HTTP/1.1 ", 9) != 0:
        return 0
    i = pos + 9
    if not (0x30 <= p[i] <= 0x39 and 0x30 <= p[i + 1] <= 0x39 and 0x30 <= p[i + 2] <= 0x39 and p[i + 3] == 0x20):
        return 0
    status = (p[i] - 0x30) * 100 + (p[i + 1] - 0x30) * 10 + (p[i + 2] - 0x30)
    if status < 200 or status > 599 or status == 204 or status == 304:
        return 0
    i += 4
    # a line's text runs to its CR (found with memchr) and must all be text: where the byte-by-byte
    # scan stopped at the first other byte, which had to be that CR
    cr = <const unsigned char*>memchr(p + i, 0x0d, <size_t>(n - i))
    if cr == NULL or not _all_text(p + i, cr - p - i):
        return 0
    i = cr - p
    while True:
        # at the end of a line: CRLF, then another header line or the empty line ending the head
        if n - i < 4:
            return 0                                # the head is not whole in this read
        if p[i] != 0x0d or p[i + 1] != 0x0a:
            return 0                                # a bare CR or LF, or a character no line may hold
        i += 2
        if p[i] == 0x0d and p[i + 1] == 0x0a:
            head_end[0] = i - 2
            start = i + 2
            break
        name = i
        while i < n and _is_tchar(p[i]):
            i += 1
        name_len = i - name
        if name_len == 0 or i >= n or p[i] != 0x3a:
            return 0                                # obs-fold, an empty name or no colon
        i += 1
        while i < n and (p[i] == 0x20 or p[i] == 0x09):
            i += 1
        value = i
        cr = <const unsigned char*>memchr(p + i, 0x0d, <size_t>(n - i))
        if cr == NULL or not _all_text(p + i, cr - p - i):
            return 0
        i = value_end = cr - p
        while value_end > value and (p[value_end - 1] == 0x20 or p[value_end - 1] == 0x09):
            value_end -= 1
        lines += 1
        if lines > max_headers or i - pos > max_header_bytes:
            return 0
        if _name_is(p + name, name_len, b"content-length", 14):
            digits = value_end - value
            if length >= 0 or digits < 1 or digits > MAX_LENGTH_DIGITS:
                return 0
            length = 0
            while value < value_end:
                if not 0x30 <= p[value] <= 0x39:
                    return 0
                length = length * 10 + (p[value] - 0x30)
                value += 1
        elif _name_is(p + name, name_len, b"transfer-encoding", 17) or _name_is(p + name, name_len, b"connection", 10):
            return 0
    if start - pos > max_header_bytes or length < 0 or length > max_body_bytes or length > n - start:
        return 0
    body_start[0] = start
    body_len[0] = <Py_ssize_t>length
    return status


def frame_plain(bytes data, Py_ssize_t pos, Py_ssize_t max_headers, Py_ssize_t max_header_bytes,
                Py_ssize_t max_body_bytes):
    """The plain answer starting at ``data[pos]``: ``(status, head, body, next_pos)``, or None.

    ``head`` is the status line and header lines without the final CRLF CRLF and ``next_pos``
    the index after the body.  None: not a plain answer (module docstring) or not whole in
    ``data``; nothing was consumed.
    """
    cdef const unsigned char* p = <const unsigned char*>PyBytes_AS_STRING(data)
    cdef Py_ssize_t head_end = 0, start = 0, length = 0
    cdef int status = _frame(p, PyBytes_GET_SIZE(data), pos, max_headers, max_header_bytes, max_body_bytes,
                             &head_end, &start, &length)
    if status == 0:
        return None
    return (status, PyBytes_FromStringAndSize(<const char*>p + pos, head_end - pos),
            PyBytes_FromStringAndSize(<const char*>p + start, length), start + length)


cdef Py_ssize_t _find_value(const unsigned char* p, Py_ssize_t n, const unsigned char* want, Py_ssize_t size,
                            Py_ssize_t* end) noexcept:
    """Start of the value of the last header line called ``want`` (leading spaces and tabs skipped), its
    end in ``end[0]``; -1 when there is none.  Every read is within ``p[:n]``: line ends are found with
    ``memchr`` (the status line is skipped first: it has no colon right after a token), and only a line
    whose name has ``want``'s length and is followed by a colon is compared."""
    cdef Py_ssize_t i, k, value, stop
    cdef Py_ssize_t found = -1
    cdef const unsigned char* nl = <const unsigned char*>memchr(p, 0x0a, <size_t>n)
    while nl != NULL:
        i = nl - p + 1
        if n - i <= size:
            break
        if p[i + size] == 0x3a:
            k = 0
            while k < size and _lower(p[i + k]) == _lower(want[k]):
                k += 1
            if k == size:
                value = i + size + 1
                while value < n and (p[value] == 0x20 or p[value] == 0x09):
                    value += 1
                stop = value
                while stop < n and p[stop] != 0x0d:
                    stop += 1
                found, end[0] = value, stop
        nl = <const unsigned char*>memchr(p + i, 0x0a, <size_t>(n - i))
    return found


cdef long long _decimal(const unsigned char* p, Py_ssize_t start, Py_ssize_t end) noexcept:
    """The decimal at ``p[start:end]`` (trailing spaces and tabs allowed), or -1: empty, another
    character, or more than 18 digits."""
    cdef long long out = 0
    while end > start and (p[end - 1] == 0x20 or p[end - 1] == 0x09):
        end -= 1
    if end <= start or end - start > MAX_LENGTH_DIGITS:
        return -1
    while start < end:
        if not 0x30 <= p[start] <= 0x39:
            return -1
        out = out * 10 + (p[start] - 0x30)
        start += 1
    return out


cdef object _value_in(const unsigned char* p, Py_ssize_t n, bytes name):
    cdef Py_ssize_t end = 0
    cdef Py_ssize_t at = _find_value(p, n, <const unsigned char*>PyBytes_AS_STRING(name), PyBytes_GET_SIZE(name),
                                     &end)
    if at < 0:
        return None
    return PyBytes_FromStringAndSize(<const char*>p + at, end - at)


cdef object _counts_in(const unsigned char* p, Py_ssize_t n, bytes first, bytes second):
    cdef Py_ssize_t end_a = 0, end_b = 0
    cdef Py_ssize_t at_a = _find_value(p, n, <const unsigned char*>PyBytes_AS_STRING(first),
                                       PyBytes_GET_SIZE(first), &end_a)
    cdef Py_ssize_t at_b = _find_value(p, n, <const unsigned char*>PyBytes_AS_STRING(second),
                                       PyBytes_GET_SIZE(second), &end_b)
    cdef long long a, b
    if at_a < 0 or at_b < 0:
        return None
    a = _decimal(p, at_a, end_a)
    b = _decimal(p, at_b, end_b)
    if a < 0 or b < 0:
        return None
    return a, b


def header_value(bytes head, bytes name):
    """The value of the last header line called ``name`` (lower-case bytes) in a head :func:`frame_plain`
    returned, without its leading spaces and tabs (as httptools gives it), or None.

    Searched in place, case-insensitively: no copy of the head, no split into lines.
    """
    return _value_in(<const unsigned char*>PyBytes_AS_STRING(head), PyBytes_GET_SIZE(head), name)


def header_counts(bytes head, bytes first, bytes second):
    """The values of the last header lines called ``first`` and ``second`` (lower-case bytes) as
    non-negative decimals (e.g. a rate limit and what remains of it), or None when either is
    missing or is not 1 to 18 digits between spaces and tabs."""
    return _counts_in(<const unsigned char*>PyBytes_AS_STRING(head), PyBytes_GET_SIZE(head), first, second)


@cython.no_gc
cdef class HttpResponse:
    """A complete HTTP answer: status, headers (lower-cased names, bytes) and body bytes.

    An answer framed by :func:`frame_plain` / :func:`take_plain` keeps its head as bytes and
    splits it into headers when :attr:`headers` is first read (most answers never are); one
    :func:`take_plain` settled keeps the read it came in and its head's place there, not a copy.
    It holds bytes, a list of byte pairs and a decoded JSON document, none of which can refer back
    to it, so the cyclic garbage collector does not track it (one object fewer per answer to count).
    """

    cdef readonly int status
    cdef readonly object body
    cdef object _headers            # [(lower-cased name, value), ...], or None until split from the head
    cdef object _json
    cdef bytes _src                 # holds the head at [_head_at, _head_at + _head_len): the read it came in
    cdef Py_ssize_t _head_at
    cdef Py_ssize_t _head_len

    def __init__(self, int status, headers, body, bytes head=b""):
        self.status = status
        self._headers = headers
        self.body = body
        self._src = head
        self._head_at = 0
        self._head_len = len(head)

    cdef inline const unsigned char* _head_p(self):
        return <const unsigned char*>PyBytes_AS_STRING(self._src) + self._head_at

    @property
    def headers(self):
        """(lower-cased name, value without its leading spaces and tabs) of each header line, in order."""
        if self._headers is None:
            self._headers = split_head(self._src[self._head_at:self._head_at + self._head_len])
        return self._headers

    def json(self):
        """The body decoded as JSON (decoded once, then cached).  Cold path only."""
        if self._json is None:
            import json
            self._json = json.loads(self.body)
        return self._json

    def value(self, bytes name):
        """The raw value of the last header called ``name`` (lower-case bytes), or None.

        For the order path's per-answer reads (rate-limit headers): a plain answer's head is
        searched in place, not split into headers.
        """
        if self._headers is None:
            return _value_in(self._head_p(), self._head_len, name)
        found = None
        for k, v in self._headers:
            if k == name:
                found = v
        return found

    def counts(self, bytes first, bytes second):
        """The last headers called ``first`` and ``second`` (lower-case bytes) as non-negative decimals,
        e.g. a rate limit and what remains of it; None when either is missing or is not 1 to 18
        digits between spaces and tabs (a garbled figure is no figure)."""
        if self._headers is None:
            return _counts_in(self._head_p(), self._head_len, first, second)
        a, b = _count(self.value(first)), _count(self.value(second))
        return None if a is None or b is None else (a, b)

    def header(self, name, default=None):
        """Value of a header (case-insensitive name) as str, or ``default``."""
        key = (name.encode() if isinstance(name, str) else name).lower()
        for k, v in self.headers:
            if k == key:
                return v.decode("latin-1")
        return default

    def __repr__(self):
        return f"HttpResponse(status={self.status}, body={len(self.body)} bytes)"


def take_plain(bytes data, pending, Py_ssize_t max_headers, Py_ssize_t max_header_bytes,
               Py_ssize_t max_body_bytes):
    """Settle the requests at the head of ``pending`` (a deque of tuples whose first item is the
    request's future) with the plain answers at the start of ``data``, in order, one each, as
    :class:`HttpResponse` (a future already done loses its answer, as a cancelled request does);
    returns the bytes they took (0: none, the read is another parser's).  What
    ``frame_plain`` in a loop would do, without a Python tuple per answer."""
    cdef const unsigned char* p = <const unsigned char*>PyBytes_AS_STRING(data)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(data)
    cdef Py_ssize_t pos = 0, head_end = 0, start = 0, length = 0
    cdef int status
    cdef HttpResponse response
    while pending:
        status = _frame(p, n, pos, max_headers, max_header_bytes, max_body_bytes, &head_end, &start, &length)
        if status == 0:
            break
        response = HttpResponse.__new__(HttpResponse)
        response.status = status
        response.body = PyBytes_FromStringAndSize(<const char*>p + start, length)
        response._src = data            # the head stays where it came: no copy (most answers never read it)
        response._head_at = pos
        response._head_len = head_end - pos
        pos = start + length
        fut = pending.popleft()[0]
        if not fut.done():
            fut.set_result(response)
    return pos


def _count(value):
    """``header_counts``' reading of one value, for headers already split."""
    if value is None:
        return None
    value = value.strip(b" \t")
    return int(value) if value.isdigit() and len(value) <= 18 else None


def split_head(bytes head):
    """The header lines of a head ``frame_plain`` accepted (every line has a name and a colon)."""
    out = []
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        out.append((name.lower(), value.lstrip(b" \t")))     # as httptools: leading spaces and tabs dropped
    return out
