"""Exact decimal helpers for the simulator: strict parsing and venue-style formatting.

Money in the simulator is :class:`decimal.Decimal` end to end (never float); a wide
context keeps products of prices and quantities exact.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, InvalidOperation, localcontext

__all__ = ["D", "ZERO", "parse_number", "fixed", "plain", "floor_to", "ceil_to", "round_fee", "decimals_of",
           "SIM_CONTEXT", "sim_decimal_context", "exact"]

# 60 significant digits: a 20-digit price times a 20-digit quantity stays exact.  Set only
# around the simulator's own work (decimal contexts are per task), never process-wide: the
# simulator runs inside other programs (the demo, tests) whose Decimal context is theirs.
SIM_CONTEXT = Context(prec=60)


def sim_decimal_context():
    """``with sim_decimal_context():`` runs simulator arithmetic at 60 digits, restoring the caller's context."""
    return localcontext(SIM_CONTEXT)


def exact(fn):
    """Decorator: run ``fn`` (sync or async) inside :func:`sim_decimal_context`."""
    import functools
    import inspect

    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def run_async(*args, **kwargs):
            with localcontext(SIM_CONTEXT):
                return await fn(*args, **kwargs)
        return run_async

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with localcontext(SIM_CONTEXT):
            return fn(*args, **kwargs)
    return run

ZERO = Decimal(0)
_NUMBER = re.compile(r"^-?([0-9]{1,20})(\.[0-9]{1,20})?$")
_FEE_QUANTUM = Decimal("0.00000001")


def D(value) -> Decimal:
    """Decimal from a str/int/Decimal (floats are refused: they are not exact)."""
    if isinstance(value, float):
        raise TypeError("float is not exact; pass a str")
    return value if isinstance(value, Decimal) else Decimal(value)


def parse_number(text) -> Decimal | None:
    """The decimal a wire string spells, or None if it is not a plain decimal number."""
    if isinstance(text, (int,)) and not isinstance(text, bool):
        return Decimal(text)
    if not isinstance(text, str) or not _NUMBER.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already guards
        return None


def decimals_of(value: Decimal) -> int:
    """Number of significant fractional digits (trailing zeros do not count)."""
    exp = value.normalize().as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def fixed(value: Decimal | None, places: int) -> str:
    """``value`` with exactly ``places`` decimals (Binance style ``"0.00100000"``)."""
    if value is None:
        value = ZERO
    elif not isinstance(value, Decimal):
        value = D(value)
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"


def plain(value: Decimal | None) -> str:
    """Shortest exact string without exponent (Bybit style ``"0.01"``, ``"50000"``)."""
    if value is None:
        return "0"
    if value == 0:
        return "0"
    text = f"{value.normalize():f}"
    return text


def floor_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step


def ceil_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_UP) * step


def round_fee(value: Decimal) -> Decimal:
    """Commission rounded to 8 decimals, as the venues book it."""
    return value.quantize(_FEE_QUANTUM, rounding=ROUND_HALF_UP)
