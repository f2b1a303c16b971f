"""engine._marked_frames.MarkedFrames: a stream's frames sorted by a mark in their head, every read bounded."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine._marked_frames import MarkedFrames


def sorter(mark=b'"topic"', window=64):
    marked, other = [], []
    return MarkedFrames(mark, window, marked.append, other.append), marked, other


def test_a_frame_with_the_mark_in_its_head_goes_one_way_every_other_the_other():
    frames, marked, other = sorter()
    push = b'{"topic":"order","data":[{"orderId":"1"}]}'
    answer = b'{"success":true,"op":"auth","conn_id":"x"}'
    late = b'{"op":"pong","args":["' + b"x" * 80 + b'"],"topic":"late"}'     # the mark past the window
    for payload in (push, answer, late, b"", b'"topi'):
        frames.feed(payload)
    assert marked == [push] and other == [answer, late, b"", b'"topi']
    assert frames.marked == 1 and frames.others == 4


def test_the_mark_may_end_exactly_at_the_window():
    frames, marked, _ = sorter(b"ABC", 8)
    frames.feed(b"xxxxxABCyyyy")             # ends at byte 8: inside
    frames.feed(b"xxxxxxABCyyy")             # ends at byte 9: outside
    assert marked == [b"xxxxxABCyyyy"]


def test_handlers_can_be_replaced_and_bad_arguments_are_refused():
    frames, _, _ = sorter()
    got = []
    frames.on_marked = got.append
    frames.feed(b'{"topic":"wallet"}')
    assert got == [b'{"topic":"wallet"}']
    with pytest.raises(ValueError):
        MarkedFrames(b"", 8, print, print)
    with pytest.raises(ValueError):
        MarkedFrames(b"abcdef", 4, print, print)
    with pytest.raises(TypeError):
        MarkedFrames(b"a", 4, None, print)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.binary(min_size=1, max_size=8), st.integers(min_value=8, max_value=128))
def test_any_bytes_are_sorted_as_a_slice_search_would_sort_them(payload, mark, window):
    frames, marked, other = sorter(mark, window)
    frames.feed(payload)
    expect_marked = mark in payload[:window]
    assert (marked, other) == (([payload], []) if expect_marked else ([], [payload]))
