"""Markdown tables and the number formats the reports share."""

from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["md_table", "fmt_us", "fmt_ratio"]


def md_table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str | None = None) -> list[str]:
    """A GitHub Markdown table as lines; ``align`` is one letter per column (``l``/``r``), default left."""
    align = align or "l" * len(headers)
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(str(h) for h in headers) + " |", "|" + "|".join(sep) + "|"]
    for row in rows:
        out.append("| " + " | ".join("" if c is None else str(c) for c in row) + " |")
    return out


def fmt_us(ns: float | int | None, digits: int | None = None) -> str:
    """Nanoseconds as microseconds with a precision that suits the magnitude (``n/a`` for None)."""
    if ns is None:
        return "n/a"
    us = ns / 1000.0
    if digits is None:
        digits = 3 if us < 1 else 2 if us < 10 else 1 if us < 1000 else 0
    return f"{us:,.{digits}f}"


def fmt_ratio(x: float | None) -> str:
    """A speed-up factor such as ``9.8x`` (``n/a`` for None)."""
    if x is None:
        return "n/a"
    return f"{x:.2f}x" if x < 10 else f"{x:.1f}x"
