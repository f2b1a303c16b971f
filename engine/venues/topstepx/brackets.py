"""Native brackets on TopstepX: stop-loss and take-profit in ticks attached to the entry on ``Order/place``.

Wire facts (shared/venues/topstepx-projectx.md §4):

1. ``stopLossBracket`` / ``takeProfitBracket`` = ``{ticks, type}`` on the entry; ``type`` is the
   leg's OrderType (4 Stop for the stop-loss, 1 Limit for the take-profit here).
2. Ticks are signed relative to the entry (peer code, observed): a long's stop-loss below it
   (negative), its take-profit above (positive); a short the other way round.  The engine's
   bracket prices are absolute, so the ticks are (price - entry) / tick, whole ticks only.
   A limit entry is measured from its price; a market entry from the last price known
   (the venue measures from the fill, so the exits may sit a few ticks off the prices asked).
3. Brackets need the account in Auto OCO Brackets mode; otherwise the venue answers
   errorCode 2 "Brackets cannot be used with Position Brackets..." (raised as
   :class:`~.errors.AutoOcoRequired`, a rejection: nothing was placed).
4. The venue creates the two exits itself, with no customTag of ours; they wait as status 8
   Suspended until the entry fills (``searchOpen`` leaves them out: reconciliation lists
   them through Order/search).  The exits are told from other orders by ``parentOrderId``
   when the event carries it (the swagger's OrderModel has it; its presence on the hub is
   unconfirmed), else by matching: same contract, opposite side, the leg's type, a role of
   a bracket entry of ours still waiting for it.  They are adopted (origin ``exit``) and then
   queried and cancelled by their venue id through this object (their ``leg``).
5. When one exit fills the venue cancels the other (OCO).
"""

from __future__ import annotations

import collections
import logging
from decimal import ROUND_HALF_UP, Decimal

from engine._enums import OrderType, Side
from engine._fixedpoint import to_decimal
from engine.venues.base import Fill, OrderSpec, VenueOrder

__all__ = ["TopstepxBrackets", "STOP_LEG_TYPE", "TAKE_LEG_TYPE"]

log = logging.getLogger("engine.venues.topstepx.brackets")

STOP_LEG_TYPE = 4           # Gateway OrderType Stop
TAKE_LEG_TYPE = 1           # Gateway OrderType Limit
_ENTRIES_KEPT = 1024


class _Entry:
    __slots__ = ("client_id", "contract_id", "exit_side", "order_id", "roles")

    def __init__(self, client_id: str, contract_id: str, exit_side: int):
        self.client_id = client_id
        self.contract_id = contract_id
        self.exit_side = exit_side
        self.order_id: int | None = None
        self.roles: set[str] = set()


class TopstepxBrackets:
    """Places entries with brackets in ticks and recognises the exits the venue creates (one adapter)."""

    kind = "topstepx-auto-oco"
    exits_known_up_front = False       # the venue creates the exits with the entry

    def __init__(self, adapter) -> None:
        self.adapter = adapter
        self._entries: collections.OrderedDict[str, _Entry] = collections.OrderedDict()

    @staticmethod
    def accepts(entry_type: int) -> bool:
        return entry_type in (OrderType.LIMIT, OrderType.MARKET)

    @staticmethod
    def exit_types(entry_side: int) -> tuple[int, int]:
        """(take-profit type, stop-loss type) as the store records the venue's exits."""
        return OrderType.LIMIT, OrderType.STOP_LOSS

    # -- placement ----------------------------------------------------------------------------------
    async def ticks(self, entry: OrderSpec, stop_raw: int, take_raw: int) -> tuple[int, int]:
        """(stop ticks, take ticks), signed from the entry (rule 2)."""
        contract = self.adapter.contracts.resolve(entry.symbol)
        if entry.price_raw:
            ref = to_decimal(entry.price_raw)
        else:
            last = await self.adapter.last_price(entry.symbol)
            if not last:
                raise ValueError(f"a market bracket entry on {entry.symbol} needs a last price (TopstepX brackets "
                                 "are ticks from the entry): none is known yet; give an entry price")
            ref = to_decimal(last)
        stop, take = to_decimal(stop_raw), to_decimal(take_raw)
        if entry.price_raw:
            return contract.ticks(stop - ref), contract.ticks(take - ref)
        tick = contract.tick_size
        as_ticks = lambda d: int((d / tick).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return as_ticks(stop - ref), as_ticks(take - ref)

    async def place(self, entry: OrderSpec, stop_raw: int, take_raw: int):
        """POST the entry with its brackets (lean path); returns the ack parser."""
        stop_ticks, take_ticks = await self.ticks(entry, stop_raw, take_raw)
        if entry.side == Side.BUY and not (stop_ticks < 0 < take_ticks) or \
                entry.side == Side.SELL and not (take_ticks < 0 < stop_ticks):
            raise ValueError(f"bracket of {entry.client_id}: stop {stop_ticks} / take {take_ticks} ticks are on the "
                             "wrong sides of the entry")
        contract = self.adapter.contracts.resolve(entry.symbol)
        exit_side = Side.SELL if entry.side == Side.BUY else Side.BUY
        e = self._entries[entry.client_id] = _Entry(entry.client_id, contract.id, exit_side)
        while len(self._entries) > _ENTRIES_KEPT:
            self._entries.popitem(last=False)
        answer = await self.adapter.place_spec(entry, stop_ticks=stop_ticks, take_ticks=take_ticks)
        e.order_id = answer.order_id or None
        return answer

    # -- the exits ----------------------------------------------------------------------------------
    def exit_of(self, d: dict) -> tuple[str, str] | None:
        """(entry client id, role) when order row ``d`` is an exit of a bracket of ours (rule 4), else None."""
        gw_type, side = d.get("type"), d.get("side")
        role = "stop" if gw_type == STOP_LEG_TYPE else ("take" if gw_type == TAKE_LEG_TYPE else None)
        if role is None or d.get("customTag"):
            return None
        parent = d.get("parentOrderId")
        exit_side = 1 if side == 1 else (0 if side == 0 else -1)
        for e in reversed(self._entries.values()):
            if parent is not None:
                if e.order_id is not None and int(parent) == e.order_id:
                    e.roles.add(role)
                    return e.client_id, role
                continue
            wire_exit_side = 0 if e.exit_side == Side.BUY else 1
            if e.contract_id == d.get("contractId") and wire_exit_side == exit_side and role not in e.roles:
                e.roles.add(role)
                return e.client_id, role
        return None

    def _order_id(self, spec: OrderSpec) -> int:
        if spec.exchange_id is not None:
            return int(spec.exchange_id)
        return int(str(spec.client_id).rsplit("-", 1)[-1])

    async def cancel_leg(self, spec: OrderSpec):
        return await self.adapter.cancel_order_id(self._order_id(spec))

    async def query_leg(self, spec: OrderSpec) -> VenueOrder | None:
        d = await self.adapter.rest.order_by_id(self.adapter.account_id, self._order_id(spec))
        return None if d is None else self.adapter.venue_order(d)

    async def fills_leg(self, symbol: str, order_id: str) -> list[Fill]:
        return await self.adapter.fills_of(int(str(order_id).rsplit("-", 1)[-1]))
