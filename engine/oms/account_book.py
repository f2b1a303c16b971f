"""The engine's balances as the venue last reported them, fed by account messages and reconciliation.

The venue adapter reads its account messages (``adapter.account_message(payload, sink)``;
the compiled balance parser on the hot messages, json for the rest) and calls this
book's :class:`~engine.venues.base.AccountSink` methods with neutral values:

- ``spot_balance(asset, free, locked)``;
- ``futures_balance(asset, wallet, available, cross_wallet)`` (``None``: the message did
  not say: the available amount is then asked of the venue, at most once every
  ``refresh_s`` seconds, so it is the venue's own figure as of the last balance event);
- ``position_mark(symbol, mark)``;
- ``reference_price(symbol, price)``: a market price from the venue's market data, which
  the risk checks value market orders and price bands with (as they do the last fill);
- ``spot_parsed(parser)``: a compiled balance parser's spot rows, in one call;
- ``futures_parsed(parser)``: a compiled balance parser's futures wallet rows (wallet and
  available balance), in one call;
- ``changed(assets)`` once per message (one ``balance_changed`` event);  a fill is always
  followed by a ``balance_changed``: when the venue's account update overtook the fill's
  record (a venue whose account and order updates travel apart), it is told again right after the fill
  (data ``early=True``), see :meth:`AccountBook.after_fill`;
- ``unreadable(why)``: counted, logged, and the venue asked for the truth.

Every applied asset shows in :attr:`AccountBook.balances` (asset -> (free, locked), or
(available, wallet) on derivatives accounts), which reconciliation compares and
``Engine.balances()`` shows.  Balances live in the compiled account only (a compiled parser's
rows go there in one call, :meth:`AccountBook.spot_parsed` / :meth:`AccountBook.futures_parsed`,
with no Python object made); derivatives balances with their available figure.
"""

from __future__ import annotations

import asyncio
import logging
import time

from engine.oms.events import EventKind

__all__ = ["AccountBook"]

log = logging.getLogger("engine.oms.account_book")


class AccountBook:
    """Balances of one engine's account (an :class:`~engine.venues.base.AccountSink`)."""

    def __init__(self, engine, *, refresh_s: float = 1.0) -> None:
        self.eng = engine
        self.messages = 0
        self.bad_messages = 0
        self.refresh_s = refresh_s
        self.refreshes = 0
        self._refresh_task = None
        self._last_refresh = 0.0
        self._early: tuple[int, list[str]] | None = None    # (monotonic ns, assets) of a change no fill claimed
        self._awaiting_until = 0                             # a fill's balance change is expected until then (ns)

    @property
    def balances(self) -> dict[str, tuple[int, int]]:
        """Every reported asset: asset -> (free, locked) raw, or (available, wallet) on derivatives accounts
        (a snapshot; spot balances live in the compiled account, which the hot path writes)."""
        eng = self.eng
        if eng.futures:
            return eng.account.futures_balances(eng.instruments.asset_names)
        return eng.account.spot_balances(eng.instruments.asset_names)

    # -- AccountSink ------------------------------------------------------------------------------
    def spot_balance(self, asset: str, free_raw: int, locked_raw: int) -> None:
        eng = self.eng
        eng.account.apply_balance(eng.instruments.asset_id(asset), free_raw, locked_raw)

    def spot_parsed(self, parser) -> bool:
        """The spot balance rows a compiled balance parser holds, applied in one C call, then
        :meth:`changed` (the asset names made only for a listener).  False, with nothing applied, when a
        row names an asset the registry does not have yet: the caller then reads the rows one by one."""
        eng = self.eng
        n = parser.apply_spot(eng.account, eng.instruments.asset_names)
        if n < 0:
            return False
        if n:
            self.changed(None, parser, n)
        return True

    def futures_parsed(self, parser) -> bool:
        """A compiled balance parser's futures wallet rows (wallet and available balance) applied in one C
        call, then :meth:`changed`; False, with nothing applied, as :meth:`spot_parsed`."""
        eng = self.eng
        n = parser.apply_futures(eng.account, eng.instruments.asset_names)
        if n < 0:
            return False
        if n:
            self.changed(None, parser, n)
        return True

    def futures_balance(self, asset: str, wallet_raw: int, available_raw: int | None = None,
                        cross_wallet_raw: int | None = None) -> None:
        eng = self.eng
        aid = eng.instruments.asset_id(asset)
        if available_raw is None:
            available_raw = eng.account.futures_available(aid)
            if available_raw is None:
                available_raw = wallet_raw
            self.refresh_soon()
        eng.account.apply_futures_available(aid, wallet_raw, wallet_raw if cross_wallet_raw is None
                                            else cross_wallet_raw, available_raw)

    def position_mark(self, symbol: str, mark_raw: int) -> None:
        eng = self.eng
        inst = eng.instruments.ids.get(symbol)
        if inst is not None and mark_raw > 0:
            eng.book.set_mark(inst, mark_raw)

    def reference_price(self, symbol: str, price_raw: int) -> None:
        eng = self.eng
        inst = eng.instruments.ids.get(symbol)
        if inst is not None and price_raw > 0:
            eng.admission.set_reference(inst, price_raw)

    def changed(self, assets: list[str] | None, parser=None, rows: int = 0) -> None:
        """One message changed ``assets`` (or the ``rows`` assets ``parser`` holds, named only when someone
        listens): one ``balance_changed`` event."""
        if assets or rows:
            bus = self.eng.bus
            listening = bus.wants_balance
            if assets is None and listening:
                assets = [parser.asset(i) for i in range(rows)]
            now = time.monotonic_ns()
            if now < self._awaiting_until:
                self._awaiting_until = 0
            else:
                self._early = (now, assets)
            if listening:                   # no event (nor its data) made for nobody
                bus.emit(EventKind.BALANCE_CHANGED, assets=assets)

    EARLY_NS = 250_000_000      # an account update this close before a fill is taken as that fill's
    AWAIT_NS = 2_000_000_000    # an account update this soon after a fill is taken as that fill's

    def after_fill(self) -> None:
        """A fill event was just emitted: its balance change is told after it (again, if it came first)."""
        early, now = self._early, time.monotonic_ns()
        self._early = None
        if early is not None and now - early[0] < self.EARLY_NS:
            if early[1] is not None:        # None: nobody listened when it came
                self.eng.bus.emit(EventKind.BALANCE_CHANGED, assets=early[1], early=True)
        else:
            self._awaiting_until = now + self.AWAIT_NS

    def unreadable(self, why: str) -> None:
        self.bad_messages += 1
        log.warning("%s; counted, reconciling", why)
        self.eng.request_reconciliation("unreadable account event")

    def refresh_soon(self) -> None:
        """Ask the venue for its balances (available included) shortly, at most once every ``refresh_s``."""
        if self._refresh_task is not None and not self._refresh_task.done():
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:        # no running loop (messages fed by hand, outside an engine's life)
            return
        self._refresh_task = self.eng.spawn(self._refresh(), "balances-refresh")

    async def _refresh(self) -> None:
        wait = max(0.05, self._last_refresh + self.refresh_s - time.monotonic())
        await asyncio.sleep(wait)
        self._last_refresh = time.monotonic()
        try:
            fresh = await self.eng.adapter.balances()
        except Exception as exc:
            log.warning("balances refresh failed: %s: %s", type(exc).__name__, exc)
            return
        self.refreshes += 1
        changed = [asset for asset, (a, b) in fresh.items() if self.set(asset, a, b)]
        self.changed(changed)

    # -- the engine's side ------------------------------------------------------------------------------
    def on_message(self, payload: bytes) -> None:
        """A non-order message of the user-data stream: the venue reads it into this book."""
        self.messages += 1
        self.eng.adapter.account_message(payload, self)

    def set(self, asset: str, a: int, b: int) -> bool:
        """A balance from reconciliation ((free, locked), or (available, wallet) on derivatives); whether it
        differed from what the book had."""
        if self.balances.get(asset) == (a, b):
            return False
        if self.eng.futures:
            self.futures_balance(asset, b, a)
        else:
            self.spot_balance(asset, a, b)
        return True
