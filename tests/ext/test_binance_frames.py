"""engine._binance_frames.BinanceFrames: the Binance WebSocket API session's answers and events sorted in
C, against a pure-Python reference of its rules (the Python handler's before it), fuzzed, bounded by the frame."""

import asyncio
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._binance_frames import BinanceFrames
from tests.support import DATA
from tests.support.alloc import python_allocations_per_call_bytes
from tests.support.fuzzing import mutate


def _with_id(raw: bytes, rid: int) -> bytes:
    """An official example answer with the engine's integer request id in place of the example's string."""
    return re.sub(rb'^\{"id":"[^"]*"', b'{"id":%d' % rid, raw)


ANSWER = _with_id((DATA / "binance_wsapi_order_place_full.json").read_bytes().rstrip(b"\n"), 7)
ERROR = _with_id((DATA / "binance_wsapi_error.json").read_bytes().rstrip(b"\n"), 8)
EVENT = (DATA / "binance_spot_execution_report_wrapped.json").read_bytes().rstrip(b"\n")


def route_py(payload: bytes, pending) -> str:
    """The module's rules in Python: "settle", "event" or "other"."""
    if pending and payload.startswith(b'{"id":'):
        end = payload.find(b",", 6, 32)
        digits = payload[6:end] if end > 6 else b""
        if (digits.isdigit() and len(digits) <= 18 and payload.startswith(b'"status":200,', end + 1)
                and int(digits) in pending):
            return "settle"
        return "other"
    if payload.find(b'"subscriptionId"', 0, 32) >= 0:
        return "event"
    return "other"


class Harness:
    def __init__(self, loop, ids=(7, 8)):
        self.pending = {i: loop.create_future() for i in ids}
        self.others, self.events = [], []
        self.frames = BinanceFrames(self.pending, lambda p, t: self.others.append((p, t)), self.events.append)

    def route(self, payload: bytes) -> str:
        before = (len(self.others), len(self.events), self.frames.settled)
        self.frames.feed(payload)
        if self.frames.settled > before[2]:
            return "settle"
        if len(self.events) > before[1]:
            return "event"
        assert len(self.others) == before[0] + 1 and self.others[-1] == (payload, True)
        return "other"


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def test_an_answer_settles_its_request_and_an_event_goes_to_the_stream(loop):
    h = Harness(loop)
    fut = h.pending[7]
    assert h.route(ANSWER) == "settle" and fut.result() == ANSWER and 7 not in h.pending
    assert h.route(ANSWER) == "other"                       # no longer waiting: the Python path decides
    assert h.route(ERROR) == "other" and not h.pending[8].done()     # an error answer: the Python path
    assert h.route(EVENT) == "event" and h.events == [EVENT] and h.frames.events == 1
    h.frames.on_event = None
    h.frames.feed(EVENT)                                                # counted, handed to nobody
    assert h.frames.events == 2 and h.events == [EVENT] and len(h.others) == 2


def test_a_settled_request_whose_future_is_done_is_dropped_as_the_python_path_drops_it(loop):
    h = Harness(loop)
    h.pending[7].cancel()
    h.frames.feed(ANSWER)
    assert 7 not in h.pending and h.others == [] and h.frames.settled == 0


@pytest.mark.parametrize("frame", [
    b'{"id":7,"status":200}',                         # no comma after the status
    b'{"id":7 ,"status":200,"result":{}}',            # not digits up to the comma
    b'{"id":-7,"status":200,"result":{}}',
    b'{"id":1234567890123456789,"status":200,"result":{}}',      # 19 digits
    b'{"id":' + b"0" * 30 + b'7,"status":200,"result":{}}',       # the comma past the first 32 bytes
    b'{"id":7,"status":2000,"result":{}}',
    b'{"id":"7","status":200,"result":{}}',
    b'{"id":', b"", b"{", b'{"subscriptionId"', b' {"subscriptionId":0}',
    b'{"event":{},"subscriptionId":0}' + b" " * 40,
])
def test_edge_frames_take_the_reference_route(loop, frame):
    h = Harness(loop)
    expected = route_py(frame, h.pending)
    assert h.route(frame) == expected


def test_without_waiting_requests_an_answer_shaped_frame_is_the_python_paths(loop):
    h = Harness(loop, ids=())
    assert h.route(_with_id(ANSWER, 7)) == "other"


@given(st.data())
def test_mutated_frames_take_the_reference_route(data):
    loop = asyncio.new_event_loop()
    try:
        h = Harness(loop)
        raw = mutate(data.draw(st.sampled_from([ANSWER, ERROR, EVENT])), data)
        expected = route_py(raw, h.pending)
        assert h.route(raw) == expected
    finally:
        loop.close()


@given(st.binary(max_size=80))
def test_random_bytes_take_the_reference_route(raw):
    loop = asyncio.new_event_loop()
    try:
        h = Harness(loop)
        expected = route_py(raw, h.pending)
        assert h.route(raw) == expected
    finally:
        loop.close()


def test_every_cut_of_a_frame_is_read_within_its_length(loop):
    for whole in (ANSWER, ERROR, EVENT):
        for n in range(len(whole)):
            h = Harness(loop)
            cut = whole[:n]
            expected = route_py(cut, h.pending)
            assert h.route(cut) == expected


def test_an_event_counted_with_no_one_to_hand_it_to_allocates_nothing(loop):
    frames = BinanceFrames({}, lambda p, t: None, None)
    feed = frames.feed

    def call():
        feed(EVENT)

    assert python_allocations_per_call_bytes(call) == 0
    assert frames.events > 1000


def test_it_needs_a_callable_for_what_it_does_not_take():
    with pytest.raises(TypeError):
        BinanceFrames({}, None)
