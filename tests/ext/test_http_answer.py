"""engine._http_answer.frame_plain: what it frames, httptools reads the same; everything else it declines."""

import functools

import httptools
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from engine._http_answer import frame_plain, header_counts, header_value, take_plain
from engine.transport.fast_http import HttpResponse, split_head
from tests.support.alloc import allocated_blocks_delta, python_allocations_per_call_bytes

CAPS = (100, 64 << 10, 1 << 20)
PLAIN = (b"HTTP/1.1 200 OK\r\nX-MBX-USED-WEIGHT-1M: 25\r\nContent-Type: application/json; charset=utf-8\r\n"
         b"Content-Length: 11\r\nDate: Sat, 05 Dec 2026 05:15:53 GMT\r\n\r\n{\"ok\":true}")


class Reader:
    """httptools' reading of the same bytes: every complete message, as the connection's callbacks see it."""

    def __init__(self):
        self.messages, self.headers, self.body = [], [], b""
        self.parser = httptools.HttpResponseParser(self)

    def on_message_begin(self):
        self.headers, self.body = [], b""

    def on_header(self, name, value):
        self.headers.append((name.lower(), value))

    def on_body(self, body):
        self.body += body

    def on_message_complete(self):
        self.messages.append((self.parser.get_status_code(), self.headers, self.body,
                              self.parser.should_keep_alive()))


def httptools_read(data: bytes):
    reader = Reader()
    reader.parser.feed_data(data)
    return reader.messages


def test_a_plain_answer_is_framed_as_httptools_reads_it():
    status, head, body, end = frame_plain(PLAIN + b"HTTP/1.1 404", 0, *CAPS)
    assert (status, body, end) == (200, b'{"ok":true}', len(PLAIN))
    assert head == PLAIN[:PLAIN.index(b"\r\n\r\n")]
    assert httptools_read(PLAIN) == [(status, split_head(head), body, True)]


def test_answers_one_after_another_in_one_read():
    second = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After:  7 \t\r\ncontent-length:\t2\r\n\r\n{}"
    data = PLAIN + second
    first = frame_plain(data, 0, *CAPS)
    status, head, body, end = frame_plain(data, first[3], *CAPS)
    assert (status, body, end) == (429, b"{}", len(data))
    assert split_head(head) == [(b"retry-after", b"7 \t"), (b"content-length", b"2")]


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 100 Continue\r\n\r\n",                                          # interim: httptools skips it
    b"HTTP/1.1 101 Switching Protocols\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",                   # no body whatever it says
    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
    b"HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",       # keep-alive is httptools' call
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 2 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n\r\n",                                                 # no length: read to the close
    b"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",                              # bare LF
    b"HTTP/1.1 200 OK\r\nContent-Length: 0\rX: y\r\n\r\n",                      # bare CR
    b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",              # obs-fold
    b"HTTP/1.1 200 OK\r\nX : a\r\nContent-Length: 0\r\n\r\n",                   # space before the colon
    b"HTTP/1.1 200 OK\r\nX\x00: a\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX: a\x00b\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",                         # partial body
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r",                              # partial head
    b"HTTP/1.1 200",
    b"",
])
def test_everything_else_is_declined(answer):
    assert frame_plain(answer, 0, *CAPS) is None


def test_caps_are_left_to_httptools():
    many = b"HTTP/1.1 200 OK\r\n" + b"X: v\r\n" * 100 + b"Content-Length: 0\r\n\r\n"
    assert frame_plain(many, 0, *CAPS) is None
    assert frame_plain(many, 0, 101, *CAPS[1:]) is not None
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n" + b"x" * 11
    assert frame_plain(big, 0, 100, 1000, 10) is None
    assert frame_plain(big, 0, 100, 20, 100) is None         # head over 20 bytes
    assert frame_plain(big, 0, 100, 1000, 11)[2] == b"x" * 11


def test_positions_outside_the_data_are_declined():
    for pos in (-1, len(PLAIN), len(PLAIN) + 5):
        assert frame_plain(PLAIN, pos, *CAPS) is None


_NAMES = st.sampled_from([b"X-A", b"Date", b"Retry-After", b"X-Bapi-Limit", b"content-type", b"Server"])
_VALUES = st.one_of(st.sampled_from([b"0", b" 5 ", b"\t3", b"", b"x\xffy", b"a, b; c=d"]),
                    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8).map(str.encode),
                    st.binary(max_size=3))
_ODD = st.sampled_from([(b"Transfer-Encoding", b"chunked"), (b"Connection", b"close"), (b"Content-Length", b"1"),
                        (b"", b"x"), (b"X Y", b"1"), (b"X", b"a\r\n b")])


@settings(max_examples=400, deadline=None)
@given(status=st.sampled_from([b"200 OK", b"201 Created", b"400 Bad", b"503 x", b"200 ", b"204 y", b"100 z", b"2000"]),
       lines=st.lists(st.tuples(_NAMES, _VALUES), max_size=5), at=st.integers(0, 5),
       length=st.sampled_from([b"%d", b" %d\t", b"%d ", b"0%d"]), odd=st.one_of(st.just([]), st.just([]), st.just([]), st.lists(_ODD, min_size=1, max_size=1)),
       body=st.binary(max_size=12), cut=st.integers(0, 900), flip=st.integers(0, 900), tail=st.binary(max_size=8))
def test_a_framed_answer_is_what_httptools_reads(status, lines, at, length, odd, body, cut, flip, tail):
    lines = lines[:at] + [(b"Content-Length", length % len(body))] + lines[at:] + odd
    data = b"HTTP/1.1 " + status + b"".join(b"\r\n" + n + b":" + v for n, v in lines) + b"\r\n\r\n" + body
    if flip < len(data) and flip % 3 == 0:
        data = data[:flip] + bytes([data[flip] ^ 0x41]) + data[flip + 1:]
    data = data[:cut] + tail if cut < len(data) else data + tail
    got = frame_plain(data, 0, *CAPS)
    event("framed" if got is not None else "declined")
    if got is None:
        return
    status_code, head, framed_body, end = got
    assert 0 < end <= len(data)
    headers = split_head(head)
    assert httptools_read(data[:end]) == [(status_code, headers, framed_body, True)]
    response = HttpResponse(status_code, None, framed_body, head)
    split = HttpResponse(status_code, headers, b"")
    names = {n for n, _ in headers} | {b"x-absent"}
    for name in names:     # the head searched in place: the last of each name, as in the split headers
        assert response.value(name) == dict(headers).get(name) == split.value(name)
        for other in names:
            assert response.counts(name, other) == split.counts(name, other)


class Waiting:
    """A request's future as take_plain sees it."""

    def __init__(self, done=False):
        self.result, self._done = None, done

    def done(self):
        return self._done

    def set_result(self, value):
        self.result, self._done = value, True


def test_take_plain_settles_the_waiting_requests_in_order_and_leaves_the_rest():
    import collections

    second = PLAIN.replace(b"200 OK", b"201 Created").replace(b"WEIGHT-1M: 25", b"WEIGHT-1M: 26")
    partial = PLAIN[:40]
    a, gone, b, c = Waiting(), Waiting(done=True), Waiting(), Waiting()
    pending = collections.deque([(a, 1.0, 1.0), (gone, 1.0, 1.0), (b, 1.0, 1.0), (c, 1.0, 1.0)])
    data = PLAIN + PLAIN + second + partial
    assert take_plain(data, pending, *CAPS) == len(data) - len(partial)    # the partial answer is httptools'
    assert list(pending) == [(c, 1.0, 1.0)] and c.result is None and gone.result is None
    status, head, body, _ = frame_plain(second, 0, *CAPS)
    for fut, want_status, want_head in ((a, 200, frame_plain(PLAIN, 0, *CAPS)[1]), (b, status, head)):
        got = fut.result
        assert (got.status, got.body) == (want_status, b'{"ok":true}')
        assert got.headers == split_head(want_head)                       # the head is this answer's own
        assert got.counts(b"x-mbx-used-weight-1m", b"content-length") == (25 if fut is a else 26, 11)
        assert got.value(b"date") == b"Sat, 05 Dec 2026 05:15:53 GMT"
    assert take_plain(b"", collections.deque([(Waiting(), 1.0, 1.0)]), *CAPS) == 0
    assert take_plain(PLAIN, collections.deque(), *CAPS) == 0                   # nothing waits: nothing taken


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), pos=st.integers(-5, 310))
def test_any_bytes_never_crash(data, pos):
    got = frame_plain(data, pos, *CAPS)
    assert got is None or pos <= got[3] <= len(data)


def test_header_value_is_the_last_line_of_that_name_only():
    head = (b"HTTP/1.1 200 x-limit: 1\r\nX-Limit-Status: 5\r\nx-limit:\t 7 \r\nX-LIMIT: 9\r\nX^Y: a\r\n"
            b"Content-Length: 0")
    assert frame_plain(head + b"\r\n\r\n", 0, *CAPS)[1] == head
    assert header_value(head, b"x-limit") == b"9"               # the last of three, whatever its case
    assert header_value(head, b"x-limit-status") == b"5"        # not a prefix match of another name
    assert header_value(head, b"x~y") is None and header_value(head, b"x^y") == b"a"
    assert header_value(head, b"http/1.1 200 x-limit") is None   # the status line is no header
    assert header_value(head, b"x-absent") is None and header_value(b"", b"x") is None


def test_header_counts_are_two_decimals_or_nothing():
    head = (b"HTTP/1.1 200 OK\r\nX-Bapi-Limit: 20\r\nX-Bapi-Limit-Status:\t19 \r\nX-Odd: 1x\r\nX-Sign: +5\r\n"
            b"X-Long: 1234567890123456789\r\nX-Limit: 7\r\nx-limit: 10\r\nContent-Length: 0")
    assert header_counts(head, b"x-bapi-limit", b"x-bapi-limit-status") == (20, 19)
    assert header_counts(head, b"x-limit", b"x-bapi-limit") == (10, 20)          # the last of a name
    for garbled in (b"x-odd", b"x-sign", b"x-long", b"x-absent"):
        assert header_counts(head, b"x-limit", garbled) is None
        assert header_counts(head, garbled, b"x-limit") is None


def test_framing_keeps_nothing_and_a_declined_read_allocates_nothing():
    head = PLAIN[:PLAIN.index(b"\r\n\r\n")]
    declined = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    for call in (functools.partial(frame_plain, PLAIN, 0, *CAPS),
                 functools.partial(header_counts, head, b"content-length", b"x-mbx-used-weight-1m"),
                 functools.partial(header_value, head, b"date")):
        # what the calls return is freed with it: the same few blocks (a freed tuple on CPython's free
        # list) whether it ran a thousand times or forty thousand
        assert allocated_blocks_delta(call, 1_000) == allocated_blocks_delta(call, 40_000) <= 2
    lines, head_bytes, body_bytes = CAPS

    def one():      # declined (chunked): nothing made, not even for a moment
        frame_plain(declined, 0, lines, head_bytes, body_bytes)
    assert python_allocations_per_call_bytes(one, 20_000) == 0
