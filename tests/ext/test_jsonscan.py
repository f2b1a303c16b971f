"""The shared JSON scanner (ext/jsonscan.h) through its test hooks, against json.loads."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine._parse_common import ParseError, scan_skip, scan_string

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=20,
)


@given(json_values, st.booleans(), st.sampled_from([None, 0, 2]))
def test_skips_exactly_one_value(value, ascii_only, indent):
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    assert scan_skip(text) == len(text)
    assert scan_skip(b" \t\r\n" + text + b"\n ") == len(text) + 4


@given(st.text(max_size=40), st.booleans())
def test_string_escapes_decode_like_json(text, ascii_only):
    encoded = json.dumps(text, ensure_ascii=ascii_only).encode()
    assert scan_string(encoded) == text.encode("utf-8")


@given(st.binary(max_size=200))
def test_whatever_is_accepted_is_json(data):
    try:
        scan_skip(data)
    except ParseError:
        return
    json.loads(data)


@given(json_values)
def test_every_proper_prefix_of_a_container_is_rejected(value):
    text = json.dumps({"k": value}).encode()
    for cut in range(len(text)):
        with pytest.raises(ParseError):
            scan_skip(text[:cut])


@pytest.mark.parametrize(
    "bad",
    [b"", b"{", b"[1,]", b'{"a":1,}', b"{]", b"[}", b"01", b"1.", b".5", b"-", b"+1", b"1e", b"1e+",
     b'"\\x"', b'"\\u12G4"', b'"\x01"', b'"\xff"', b'"\xc0\x80"', b'"\xed\xa0\x80"', b'"\xf4\x90\x80\x80"',
     b"tru", b"nul", b"True", b"NaN", b"Infinity", b"[1 2]", b'{"a" 1}', b'{1:2}', b"{} {}"],
)
def test_rejects_invalid_json(bad):
    with pytest.raises(ParseError):
        scan_skip(bad)


def test_depth_limit():
    assert scan_skip(b"[" * 64 + b"]" * 64) == 128
    with pytest.raises(ParseError, match="nesting"):
        scan_skip(b"[" * 65 + b"]" * 65)
    with pytest.raises(ParseError, match="nesting"):
        scan_skip(b'{"a":' * 1000 + b"1" + b"}" * 1000)


def test_surrogates_and_capacity():
    assert scan_string(b'"\\ud83d\\ude00"') == "\U0001F600".encode()
    for lone in (b'"\\ud83d"', b'"\\ude00"', b'"\\ud83dx"', b'"\\ud83d\\u0041"'):
        with pytest.raises(ParseError, match="escape"):
            scan_string(lone)
    assert scan_string(b'"abcd"', 4) == b"abcd"
    with pytest.raises(ParseError, match="longer"):
        scan_string(b'"abcde"', 4)
    with pytest.raises(ParseError, match="longer"):
        scan_string(b'"a\\u00e9"', 2)


# The string scanner looks at 8 bytes at a time and stops at the first byte that
# needs a closer look; each such byte, at each position in and across those words,
# must be judged as json.loads judges it.
SPECIALS = [b'\\"', b"\\\\", b"\\n", b"\\u00e9", b"\\ud83d\\ude00", "\u00e9".encode(), "\u20ac".encode(),
            "\U0001f600".encode(), b"\x01", b"\x1f", b"\x7f", b"\x80", b"\xc0\x80", b"\xed\xa0\x80", b"\xff",
            b"\\x", b"\t", b" "]


@pytest.mark.parametrize("pos", range(0, 19))
def test_string_stop_bytes_at_every_word_position(pos):
    for special in SPECIALS:
        for tail in (b"", b"b" * 7, b"b" * 9):
            data = b'"' + b"a" * pos + special + tail + b'"'
            try:
                want = json.loads(data.decode("utf-8"))  # strict UTF-8 first: no encoded surrogates
            except ValueError:
                with pytest.raises(ParseError):
                    scan_string(data)
                with pytest.raises(ParseError):
                    scan_skip(data)
                continue
            assert scan_string(data) == want.encode("utf-8", "surrogatepass")
            assert scan_skip(data) == len(data)
            for cut in range(1, len(data)):
                with pytest.raises(ParseError):
                    scan_skip(data[:cut])


@pytest.mark.parametrize("digits", range(1, 20))
def test_number_digit_runs_of_every_length(digits):
    for lead in "0123456789":
        for shape in ("{}", "-{}", "{}.5", "{}.{}", "{}e7", "-{}.{}E-2"):
            text = shape.format(lead + "4" * (digits - 1), "3" * digits).encode()
            try:
                json.loads(text)
            except ValueError:
                with pytest.raises(ParseError):
                    scan_skip(text)
                continue
            assert scan_skip(text) == len(text)
            assert scan_skip(b"[" + text + b"," + text + b"]") == 2 * len(text) + 3
