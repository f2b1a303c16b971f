"""Candles from the tape (:mod:`engine.sim.tickers`): every interval from the first one asked for
to the last, each with its open, high, low, close, base and quote volume, trade count and what
takers bought; an interval without trades opens, closes and stays at the close before it, with
no volume.  Only the last 24 hours of trades are kept, so older candles are flat at the price
that preceded the tape.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.sim.decimals import ZERO

__all__ = ["Candle", "candles"]


@dataclass
class Candle:
    open_ms: int
    close_ms: int           # the interval's last millisecond
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal = ZERO
    quote_volume: Decimal = ZERO
    count: int = 0
    taker_buy_volume: Decimal = ZERO
    taker_buy_quote: Decimal = ZERO


def candles(trades, before: Decimal, interval_ms: int, start_ms: int, end_ms: int, limit: int) -> list[Candle]:
    """The candles of ``interval_ms`` from the one holding ``start_ms`` to the one holding ``end_ms``
    (at most ``limit``, the latest ones when ``start_ms`` is None), from ``trades`` (oldest first:
    ``(ts, price, qty, trade id, taker side)``) and ``before``, the price before the first of them."""
    last_open = end_ms // interval_ms * interval_ms
    first_open = last_open - (limit - 1) * interval_ms if start_ms is None else start_ms // interval_ms * interval_ms
    first_open = max(first_open, 0)
    opens = list(range(first_open, last_open + 1, interval_ms))[:limit]
    if not opens:
        return []
    close = before
    out = []
    i = 0
    trades = list(trades)
    while i < len(trades) and trades[i][0] < opens[0]:
        close = trades[i][1]
        i += 1
    for t0 in opens:
        c = Candle(t0, t0 + interval_ms - 1, close, close, close, close)
        while i < len(trades) and trades[i][0] < t0 + interval_ms:
            _, price, qty, _, side = trades[i]
            if c.count == 0:
                c.open = c.high = c.low = price
            c.high, c.low, c.close = max(c.high, price), min(c.low, price), price
            c.volume += qty
            c.quote_volume += price * qty
            c.count += 1
            if side == "BUY":
                c.taker_buy_volume += qty
                c.taker_buy_quote += price * qty
            i += 1
        close = c.close
        out.append(c)
    return out
