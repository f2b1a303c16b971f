"""Live queries: the venue's own word on the account, asked for on demand, never served from a cache.

The engine keeps orders, positions and balances from the venue's answers and user-data stream,
which is right for the hot path; a bot also needs the venue's word when it asks.  Each query
here is one venue request (paged where the venue pages), answered with typed records in
``Decimal`` (:mod:`engine.oms.views`).  A difference from the engine's own books is logged,
counted (:attr:`LiveQueries.differences`) and, unless ``reconcile=False``, makes the engine
reconcile (the venue's word is the truth; the stream may only be late).

What may be cached is: the instruments' rules (loaded at start).
"""

from __future__ import annotations

import datetime as _dt
import logging

from engine._enums import OrderState, Side
from engine._fixedpoint import to_decimal
from engine.errors import EngineError
from engine.oms.views import Balance, Order, PositionSnapshot, Trade, venue_order_view
from engine.venues.base import Capability

__all__ = ["LiveQueries"]

log = logging.getLogger("engine.oms.live")

DEFAULT_LIMIT = 500


def since_ms(since) -> int | None:
    """``since`` as venue milliseconds: None, an int of ms since the epoch, or an aware datetime."""
    if since is None:
        return None
    if isinstance(since, _dt.datetime):
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime (e.g. datetime.now(timezone.utc)), not a naive one")
        return int(since.timestamp() * 1000)
    if isinstance(since, int) and not isinstance(since, bool) and since >= 0:
        return since
    raise TypeError(f"since must be None, a datetime or ms since the epoch (int), not {since!r}")


class LiveQueries:
    """The live queries of one engine (composed into :class:`~engine.oms.engine.Engine`)."""

    def __init__(self, engine) -> None:
        self.eng = engine
        self.differences = 0

    def _history(self) -> None:
        if Capability.LIVE_QUERIES not in self.eng.adapter.capabilities:
            raise EngineError(f"{self.eng.venue} has no order or trade history queries")

    def _differ(self, what: str, reconcile: bool) -> None:
        self.differences += 1
        log.info("%s: the venue's word differs from the engine's books (%s)%s", self.eng.venue, what,
                 "; reconciling" if reconcile else "")
        if reconcile:
            self.eng.request_reconciliation(f"live query: {what}")

    # -- queries ------------------------------------------------------------------------------------
    async def balances(self, *, reconcile: bool = True) -> dict[str, Balance]:
        eng = self.eng
        fresh = await eng.adapter.balances()
        out = {}
        for asset, (a, b) in fresh.items():
            if eng.futures:        # (available, wallet)
                out[asset] = Balance(asset, to_decimal(a), to_decimal(b - a))
            else:
                out[asset] = Balance(asset, to_decimal(a), to_decimal(b))
        mine = eng.account_book.balances
        if eng.futures:
            # the wallet balance is the ledger; the available margin moves with every order the venue
            # reserves margin for, which venues need not push (some send no account update for it)
            differ = sorted(a for a, v in fresh.items() if a in mine and mine[a][1] != v[1])
        else:
            differ = sorted(a for a, v in fresh.items() if a in mine and mine[a] != v)
        if differ:
            self._differ(f"balances of {', '.join(differ)}", reconcile)
        return out

    async def order(self, order, *, reconcile: bool = True) -> Order | None:
        """The venue's report of one order (an Order of ours, or a client order id with ``symbol=``); None
        when the venue has no such order."""
        eng = self.eng
        slot = eng.slot_of(order)
        spec = eng.tracker.spec(slot)
        vo = await eng.adapter.query(spec.symbol, spec.client_id, spec.order_type)
        mine = eng.order(slot)
        if vo is None:
            if mine.state not in (OrderState.NOT_PLACED, OrderState.REJECTED):
                self._differ(f"order {spec.client_id}: the venue has none, the engine says {mine.state.name}",
                             reconcile)
            return None
        view = venue_order_view(vo, slot)
        if view.state != mine.state or view.filled != mine.filled:
            self._differ(f"order {spec.client_id}: venue {view.state.name} filled {view.filled}, engine "
                         f"{mine.state.name} filled {mine.filled}", reconcile)
        return view

    async def open_orders(self, symbol: str | None = None, *, reconcile: bool = True) -> list[Order]:
        eng = self.eng
        if symbol is not None:
            eng.admission.instrument(symbol)
        vos = await eng.adapter.open_orders(symbol)
        out = []
        for vo in vos:
            slot = eng.store.find_client_id(vo.client_id) if vo.client_id else -1
            out.append(venue_order_view(vo, slot))
        venue_ids = {vo.client_id for vo in vos if vo.client_id}
        ours = {o.client_order_id for o in eng.open_orders(symbol) if o.state != OrderState.PENDING}
        missing, unknown = ours - venue_ids, venue_ids - ours
        if missing or unknown:
            self._differ(f"open orders: {len(missing)} open here only, {len(unknown)} open at the venue only",
                         reconcile)
        return out

    async def order_history(self, symbol: str, since=None, limit: int = DEFAULT_LIMIT) -> list[Order]:
        self._history()
        eng = self.eng
        eng.admission.instrument(symbol)
        vos = await eng.adapter.order_history(symbol, since_ms(since), limit)
        return [venue_order_view(vo, eng.store.find_client_id(vo.client_id) if vo.client_id else -1)
                for vo in vos]

    async def trades(self, symbol: str, since=None, limit: int = DEFAULT_LIMIT) -> list[Trade]:
        self._history()
        eng = self.eng
        eng.admission.instrument(symbol)
        out = []
        for t in await eng.adapter.trades(symbol, since_ms(since), limit):
            cid = t.client_id or self._client_id_of(t.exchange_order_id)
            out.append(Trade(t.symbol, t.trade_id, t.exchange_order_id, cid or None,
                             Side(t.side), to_decimal(t.qty_raw), to_decimal(t.price_raw),
                             to_decimal(t.fee_raw), t.fee_asset or None, t.is_maker, t.time_ms))
        return out

    async def positions(self, *, reconcile: bool = True) -> dict[str, PositionSnapshot]:
        eng = self.eng
        out = {}
        for p in await eng.adapter.positions():
            out[p.symbol] = PositionSnapshot(p.symbol, to_decimal(p.size_raw), to_decimal(p.entry_raw),
                                             to_decimal(p.mark_raw) if p.mark_raw else None, p.leverage)
        mine = {s: p.size for s, p in eng.positions().items()}
        differ = sorted(s for s in set(mine) | set(out)
                        if mine.get(s, 0) != (out[s].size if s in out else 0))
        if differ:
            self._differ(f"positions of {', '.join(differ)}", reconcile)
        return out

    def _client_id_of(self, exchange_order_id) -> str:
        """Our client id for a venue order id the store knows ("" if none)."""
        if exchange_order_id is None:
            return ""
        slot = self.eng.store.find_exchange_id(exchange_order_id)
        return self.eng.store.client_id(slot) if slot >= 0 else ""
