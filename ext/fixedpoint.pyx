"""Fixed-point numbers: int64 raw values with 8 decimals (scale 10**8).

The Python face of ``fixedpoint.h``.  Values cross this boundary as plain ``int``
raw values (``1.5`` is ``150_000_000``); strings and bytes are parsed exactly and
never pass through float.  Anything that would lose precision raises unless the
caller names a :class:`Rounding` mode, and anything that would not fit in int64
raises ``OverflowError``.
"""

from decimal import Decimal

from engine.errors import EngineError

from cpython.bytes cimport PyBytes_AS_STRING
from cpython.bytes cimport PyBytes_GET_SIZE
from cpython.unicode cimport PyUnicode_DecodeASCII
from libc.stdint cimport int64_t

from engine._fixedpoint cimport FP_BADARG
from engine._fixedpoint cimport FP_DIVZERO
from engine._fixedpoint cimport FP_FORMAT_MAX
from engine._fixedpoint cimport FP_INEXACT
from engine._fixedpoint cimport FP_OK
from engine._fixedpoint cimport FP_OVERFLOW
from engine._fixedpoint cimport FP_SCALE
from engine._fixedpoint cimport FP_SYNTAX
from engine._fixedpoint cimport fp_add
from engine._fixedpoint cimport fp_div
from engine._fixedpoint cimport fp_format
from engine._fixedpoint cimport fp_format_fixed
from engine._fixedpoint cimport fp_mul
from engine._fixedpoint cimport fp_muldiv
from engine._fixedpoint cimport fp_parse
from engine._fixedpoint cimport fp_quantize
from engine._fixedpoint cimport fp_sub

cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object s, Py_ssize_t *size) except NULL


SCALE = FP_SCALE
DECIMALS = 8


cpdef enum Rounding:
    """How to round when a result has more than 8 decimals (names as in ``decimal``)."""
    EXACT = 0        # refuse: raise PrecisionError
    DOWN = 1         # toward zero
    UP = 2           # away from zero
    FLOOR = 3        # toward -infinity
    CEILING = 4      # toward +infinity
    HALF_UP = 5      # nearest, ties away from zero
    HALF_DOWN = 6    # nearest, ties toward zero
    HALF_EVEN = 7    # nearest, ties to even


class FixedPointError(EngineError, ValueError):
    """A decimal string or value that is not a valid fixed-point number."""


class PrecisionError(FixedPointError):
    """The value needs more decimals than allowed and no rounding mode was given."""


cdef int raise_status(int status, object what) except -1:
    """Turn a C status into the matching exception; FP_OK returns 0."""
    if status == FP_OK:
        return 0
    if status == FP_SYNTAX:
        raise FixedPointError(f"{what!r} is not a plain decimal number (-?digits[.digits])")
    if status == FP_OVERFLOW:
        raise OverflowError(f"{what} does not fit a fixed-point int64 with 8 decimals")
    if status == FP_INEXACT:
        raise PrecisionError(f"{what} needs rounding; pass a Rounding mode")
    if status == FP_DIVZERO:
        raise ZeroDivisionError(f"{what}: division by zero")
    raise ValueError(f"{what}: bad argument")


cpdef int64_t parse(object text, int rounding=Rounding.EXACT) except? -1:
    """Parse a decimal ``str`` or ``bytes`` into a raw value.

    Raises FixedPointError (syntax), PrecisionError (more than 8 decimals and
    ``rounding`` is EXACT) or OverflowError.
    """
    cdef const char *p
    cdef Py_ssize_t n
    cdef int64_t out = 0
    if isinstance(text, bytes):
        p = PyBytes_AS_STRING(text)
        n = PyBytes_GET_SIZE(text)
    elif isinstance(text, str):
        p = PyUnicode_AsUTF8AndSize(text, &n)
    else:
        raise TypeError(f"expected str or bytes, got {type(text).__name__}")
    cdef int status = fp_parse(p, <size_t>n, rounding, &out)
    if status != FP_OK:
        raise_status(status, text)
    return out


cpdef str format(int64_t raw, int decimals=-1, int rounding=Rounding.EXACT):
    """Format a raw value: shortest form by default, or exactly ``decimals`` (0..8)."""
    cdef char buf[32]
    cdef size_t n = 0
    cdef int status
    if decimals < 0:
        n = fp_format(raw, buf)
    else:
        status = fp_format_fixed(raw, decimals, rounding, buf, &n)
        if status != FP_OK:
            if status == FP_BADARG:
                raise ValueError(f"decimals must be 0..8 or -1, got {decimals}")
            raise_status(status, f"{fp_str(raw)} at {decimals} decimals")
    return PyUnicode_DecodeASCII(buf, <Py_ssize_t>n, NULL)


cdef str fp_str(int64_t raw):
    cdef char buf[32]
    cdef size_t n = fp_format(raw, buf)
    return PyUnicode_DecodeASCII(buf, <Py_ssize_t>n, NULL)


cpdef int64_t add(int64_t a, int64_t b) except? -1:
    """a + b; OverflowError instead of wrapping."""
    cdef int64_t out = 0
    if fp_add(a, b, &out) != FP_OK:
        raise OverflowError(f"{fp_str(a)} + {fp_str(b)} overflows")
    return out


cpdef int64_t sub(int64_t a, int64_t b) except? -1:
    """a - b; OverflowError instead of wrapping."""
    cdef int64_t out = 0
    if fp_sub(a, b, &out) != FP_OK:
        raise OverflowError(f"{fp_str(a)} - {fp_str(b)} overflows")
    return out


cpdef int64_t mul(int64_t a, int64_t b, int rounding=Rounding.EXACT) except? -1:
    """a * b through a 128-bit product, rounded by ``rounding``."""
    cdef int64_t out = 0
    cdef int status = fp_mul(a, b, rounding, &out)
    if status != FP_OK:
        raise_status(status, f"{fp_str(a)} * {fp_str(b)}")
    return out


cpdef int64_t div(int64_t a, int64_t b, int rounding=Rounding.EXACT) except? -1:
    """a / b through a 128-bit dividend, rounded by ``rounding``."""
    cdef int64_t out = 0
    cdef int status = fp_div(a, b, rounding, &out)
    if status != FP_OK:
        raise_status(status, f"{fp_str(a)} / {fp_str(b)}")
    return out


cpdef int64_t muldiv(int64_t a, int64_t b, int64_t c, int rounding=Rounding.EXACT) except? -1:
    """a * b / c with a single rounding (128-bit intermediate)."""
    cdef int64_t out = 0
    cdef int status = fp_muldiv(a, b, c, rounding, &out)
    if status != FP_OK:
        raise_status(status, f"{fp_str(a)} * {fp_str(b)} / {fp_str(c)}")
    return out


cpdef int64_t quantize(int64_t raw, int64_t step, int rounding=Rounding.EXACT) except? -1:
    """Round ``raw`` to a multiple of ``step`` (> 0), e.g. a price to its tick."""
    cdef int64_t out = 0
    cdef int status
    if step <= 0:
        raise ValueError(f"step must be positive, got {fp_str(step)}")
    status = fp_quantize(raw, step, rounding, &out)
    if status != FP_OK:
        raise_status(status, f"{fp_str(raw)} to a multiple of {fp_str(step)}")
    return out


def from_decimal(value, int rounding=Rounding.EXACT):
    """Raw value of a ``Decimal``, ``int`` or decimal ``str`` (never a float)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{type(value).__name__} is not accepted: pass str, Decimal or int")
    if isinstance(value, int):
        raw = value * FP_SCALE
        if not -2**63 <= raw < 2**63:
            raise OverflowError(f"{value} does not fit a fixed-point int64 with 8 decimals")
        return raw
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise FixedPointError(f"{value} is not a finite number")
        return parse(f"{value:f}", rounding)
    if isinstance(value, (str, bytes)):
        return parse(value, rounding)
    raise TypeError(f"{type(value).__name__} is not accepted: pass str, Decimal or int")


def to_decimal(int64_t raw):
    """The exact ``Decimal`` of a raw value."""
    return Decimal(fp_str(raw))
