"""Rolling 24-hour statistics of every book, from the simulator's own trades: what each
personality's ticker reports.

:class:`Tape` keeps the trades of the last 24 hours per ``(market, symbol)`` (settlement records
each fill); :meth:`Tape.ticker` sums them up with the book's best bid and ask and the core's last
price (the last trade, or the fair price the market maker last quoted around, which the
simulator reports as its last price between trades).  Before the first trade of the window the
opening price is the last price before it; a window without trades opens and closes at the
last price, with no volume.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO
from engine.sim.klines import Candle, candles

__all__ = ["Tape", "Ticker", "WINDOW_MS"]

WINDOW_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Ticker:
    """One book's last 24 hours.  ``first_id``/``last_id`` are -1 and ``count`` 0 without trades."""

    last: Decimal
    last_qty: Decimal
    open: Decimal           # the first trade of the window, else the last price before it
    prev_close: Decimal     # the last price before the window
    high: Decimal
    low: Decimal
    volume: Decimal         # base quantity
    quote_volume: Decimal   # price x quantity
    count: int
    first_id: int
    last_id: int
    open_ms: int
    close_ms: int
    bid: Decimal | None
    bid_qty: Decimal
    ask: Decimal | None
    ask_qty: Decimal

    @property
    def change(self) -> Decimal:
        return self.last - self.open

    @property
    def change_ratio(self) -> Decimal:
        """The change as a fraction of the opening price (0.01 = 1 %)."""
        return self.change / self.open if self.open else ZERO

    @property
    def weighted_avg(self) -> Decimal:
        return self.quote_volume / self.volume if self.volume else self.last


class Tape:
    """The trades of the last :data:`WINDOW_MS` per book."""

    def __init__(self) -> None:
        # (market, symbol) -> (ts, price, qty, trade id, taker side), oldest first
        self._trades: dict[tuple[str, str], deque] = {}
        self._before: dict[tuple[str, str], Decimal] = {}   # the last price that left the window

    def record(self, market: str, symbol: str, ts: int, price: Decimal, qty: Decimal, trade_id: int,
               prev: Decimal, taker_side: str) -> None:
        """One trade; ``prev`` is the book's last price before it, ``taker_side`` BUY or SELL."""
        key = (market, symbol)
        self._before.setdefault(key, prev)
        self._trades.setdefault(key, deque()).append((ts, price, qty, trade_id, taker_side))

    def trades(self, market: str, symbol: str) -> list[tuple]:
        """The last 24 hours' trades of a book, oldest first: ``(ts, price, qty, trade id, taker side)``."""
        return list(self._window((market, symbol), now_ms()))

    def candles(self, core, market: str, symbol: str, interval_ms: int, start_ms: int | None, end_ms: int,
                limit: int) -> list[Candle]:
        """Candles of the tape (:func:`engine.sim.klines.candles`)."""
        key = (market, symbol)
        trades = self._window(key, now_ms())
        return candles(trades, self._before.get(key, core.last[key]), interval_ms, start_ms, end_ms, limit)

    def _window(self, key: tuple[str, str], now: int) -> deque:
        trades = self._trades.get(key)
        if trades is None:
            return deque()
        while trades and trades[0][0] < now - WINDOW_MS:
            self._before[key] = trades.popleft()[1]
        return trades

    def price_at(self, core, market: str, symbol: str, ts: int) -> Decimal:
        """The last trade price at or before ``ts`` (within the window), else the window's opening."""
        key = (market, symbol)
        price = None
        for t in self._window(key, now_ms()):
            if t[0] > ts:
                break
            price = t[1]
        return self._before.get(key, core.last[key]) if price is None else price

    def ticker(self, core, market: str, symbol: str, now: int | None = None) -> Ticker:
        now = now_ms() if now is None else now
        key = (market, symbol)
        trades = self._window(key, now)
        last = core.last[key]
        book = core.books[key]
        bid, ask = book.best("BUY"), book.best("SELL")
        bid_qty = book.depth("BUY", 1)[0][1] if bid is not None else ZERO
        ask_qty = book.depth("SELL", 1)[0][1] if ask is not None else ZERO
        if not trades:
            before = self._before.get(key, last)
            return Ticker(last, ZERO, before, before, last, last, ZERO, ZERO, 0, -1, -1, now - WINDOW_MS, now,
                          bid, bid_qty, ask, ask_qty)
        prices = [t[1] for t in trades]
        first = trades[0]
        before = self._before[key]
        return Ticker(last, trades[-1][2], first[1], before, max(prices + [last]), min(prices + [last]),
                      sum((t[2] for t in trades), ZERO), sum((t[1] * t[2] for t in trades), ZERO), len(trades),
                      first[3], trades[-1][3], now - WINDOW_MS, now, bid, bid_qty, ask, ask_qty)
