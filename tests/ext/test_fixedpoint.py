"""Fixed-point codec against Python's decimal.Decimal (the reference)."""

import decimal
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import _fixedpoint as fp
from engine._fixedpoint import FixedPointError, PrecisionError, Rounding

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
Q8 = Decimal("0.00000001")
MODES = {
    Rounding.DOWN: decimal.ROUND_DOWN,
    Rounding.UP: decimal.ROUND_UP,
    Rounding.FLOOR: decimal.ROUND_FLOOR,
    Rounding.CEILING: decimal.ROUND_CEILING,
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_DOWN: decimal.ROUND_HALF_DOWN,
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
}
CTX = decimal.Context(prec=100)
raws = st.integers(INT64_MIN, INT64_MAX)
small_raws = st.integers(-(10**15), 10**15)
modes = st.sampled_from(sorted(MODES))


def dec(raw: int) -> Decimal:
    return CTX.divide(Decimal(raw), Decimal(10**8))


def ref_round(value: Decimal, mode: int) -> int:
    """Raw of ``value`` rounded to 8 decimals by ``mode`` (reference)."""
    return int(CTX.multiply(value.quantize(Q8, rounding=MODES[mode], context=CTX), Decimal(10**8)))


def plain(d: Decimal) -> str:
    s = f"{d:f}"
    return s


# -- parse -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, raw",
    [("0.1", 10_000_000), ("50000", 5_000_000_000_000), ("-0.00000001", -1), ("0", 0), ("-0", 0),
     ("0.10000000", 10_000_000), ("92233720368.54775807", INT64_MAX), ("-92233720368.54775808", INT64_MIN),
     ("000123.4500", 12_345_000_000)],
)
def test_parse_examples(text, raw):
    assert fp.parse(text) == raw
    assert fp.parse(text.encode()) == raw


@pytest.mark.parametrize(
    "text",
    ["", "-", "1e-5", "1E5", " 1", "1 ", "+1", ".5", "5.", "1..2", "1.2.3", "0x10", "nan", "inf", "1,5", "--1",
     "１", "1_000", "\x00", "-.1"],
)
def test_parse_rejects_bad_syntax(text):
    with pytest.raises(FixedPointError):
        fp.parse(text)


def test_parse_precision_and_overflow():
    with pytest.raises(PrecisionError):
        fp.parse("0.000000001")
    assert fp.parse("0.000000001", Rounding.UP) == 1
    assert fp.parse("0.0000000050", Rounding.HALF_EVEN) == 0
    assert fp.parse("0.000000015", Rounding.HALF_EVEN) == 2
    assert fp.parse("1.00000000000000000000", Rounding.EXACT) == 10**8  # zeros are not precision
    for text in ("92233720368.54775808", "-92233720368.54775809", "1" * 40):
        with pytest.raises(OverflowError):
            fp.parse(text)
    with pytest.raises(TypeError):
        fp.parse(1.5)


@given(raws)
def test_parse_roundtrips_format(raw):
    assert fp.parse(fp.format(raw)) == raw


@given(st.decimals(allow_nan=False, allow_infinity=False, places=12, min_value=-(10**10), max_value=10**10), modes)
def test_parse_rounds_like_decimal(value, mode):
    text = plain(value)
    assume("E" not in text and "e" not in text)
    assert fp.parse(text, mode) == ref_round(value, mode)
    exact = value == value.quantize(Q8, context=CTX)
    if exact:
        assert fp.parse(text) == ref_round(value, Rounding.DOWN)
    else:
        with pytest.raises(PrecisionError):
            fp.parse(text)


# -- format ------------------------------------------------------------------------

@given(raws)
def test_format_is_shortest_decimal(raw):
    s = fp.format(raw)
    assert Decimal(s) == dec(raw)
    assert "e" not in s.lower()
    if "." in s:
        assert not s.endswith("0") and not s.endswith(".")
    assert s == plain(dec(raw).normalize(CTX)) or (raw % 10**8 == 0 and s == str(raw // 10**8))


@given(raws, st.integers(0, 8), modes)
def test_format_fixed_decimals(raw, decimals, mode):
    q = Decimal(1).scaleb(-decimals)
    expected = dec(raw).quantize(q, rounding=MODES[mode], context=CTX)
    try:
        s = fp.format(raw, decimals, mode)
    except OverflowError:
        assert not INT64_MIN <= int(expected.scaleb(decimals)) <= INT64_MAX
        return
    assert Decimal(s) == expected
    assert (len(s.split(".")[1]) if "." in s else 0) == decimals


def test_format_examples():
    assert fp.format(0) == "0"
    assert fp.format(-1) == "-0.00000001"
    assert fp.format(INT64_MIN) == "-92233720368.54775808"
    assert fp.format(123_450_000, 4) == "1.2345"
    assert fp.format(123_450_000, 0, Rounding.HALF_EVEN) == "1"
    assert fp.format(5_000_000_000_000, 2) == "50000.00"
    with pytest.raises(PrecisionError):
        fp.format(123_450_000, 2)
    with pytest.raises(ValueError):
        fp.format(1, 9)


# -- arithmetic --------------------------------------------------------------------

@given(raws, raws)
def test_add_sub_never_wrap(a, b):
    for op, ref in ((fp.add, a + b), (fp.sub, a - b)):
        if INT64_MIN <= ref <= INT64_MAX:
            assert op(a, b) == ref
        else:
            with pytest.raises(OverflowError):
                op(a, b)


@given(raws, raws, modes)
def test_mul_matches_decimal(a, b, mode):
    expected = ref_round(CTX.multiply(dec(a), dec(b)), mode)
    if INT64_MIN <= expected <= INT64_MAX:
        assert fp.mul(a, b, mode) == expected
    else:
        with pytest.raises(OverflowError):
            fp.mul(a, b, mode)


@given(raws, raws.filter(bool), modes)
def test_div_matches_decimal(a, b, mode):
    expected = ref_round(CTX.divide(dec(a), dec(b)), mode)
    if INT64_MIN <= expected <= INT64_MAX:
        assert fp.div(a, b, mode) == expected
    else:
        with pytest.raises(OverflowError):
            fp.div(a, b, mode)


@given(small_raws, small_raws, small_raws.filter(bool), modes)
def test_muldiv_single_rounding(a, b, c, mode):
    expected = ref_round(CTX.divide(CTX.multiply(dec(a), dec(b)), dec(c)), mode)
    if INT64_MIN <= expected <= INT64_MAX:
        assert fp.muldiv(a, b, c, mode) == expected
    else:
        with pytest.raises(OverflowError):
            fp.muldiv(a, b, c, mode)


@given(raws, st.integers(1, 10**12), modes)
def test_quantize_matches_decimal(a, step, mode):
    n = CTX.divide(Decimal(a), Decimal(step)).quantize(Decimal(1), rounding=MODES[mode], context=CTX)
    expected = int(n) * step
    if INT64_MIN <= expected <= INT64_MAX:
        assert fp.quantize(a, step, mode) == expected
    else:
        with pytest.raises(OverflowError):
            fp.quantize(a, step, mode)


def test_exact_mode_refuses_to_round():
    with pytest.raises(PrecisionError):
        fp.mul(1, 1)  # 0.00000001 * 0.00000001
    with pytest.raises(PrecisionError):
        fp.div(10**8, 3 * 10**8)
    assert fp.div(10**8, 3 * 10**8, Rounding.HALF_EVEN) == 33_333_333
    with pytest.raises(ZeroDivisionError):
        fp.div(1, 0, Rounding.HALF_EVEN)
    with pytest.raises(ValueError):
        fp.quantize(1, 0)


def test_notional_examples_are_exact():
    # 10^9 units at 0.000012 and 100 units at 10^7: both exact, no overflow
    assert fp.mul(fp.parse("1000000000"), fp.parse("0.000012")) == fp.parse("12000")
    assert fp.mul(fp.parse("100"), fp.parse("10000000")) == fp.parse("1000000000")


def test_from_and_to_decimal():
    assert fp.from_decimal(Decimal("1.5")) == 150_000_000
    assert fp.from_decimal(Decimal("1E+2")) == 10**10
    assert fp.from_decimal(7) == 7 * 10**8
    assert fp.from_decimal("0.1") == 10**7
    assert fp.to_decimal(-1) == Decimal("-0.00000001")
    for bad in (1.5, True, None):
        with pytest.raises(TypeError):
            fp.from_decimal(bad)
    with pytest.raises(OverflowError):
        fp.from_decimal(10**11)
    with pytest.raises(FixedPointError):
        fp.from_decimal(Decimal("NaN"))
