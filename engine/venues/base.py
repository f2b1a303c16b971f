"""What the order manager needs from a venue, and the plain records venues answer with.

Each venue folder provides an adapter with this shape (composed from its REST client,
lean order path, user-data stream and WebSocket order entry).  Hot answers come back
as the compiled parser holding its record (applied in C by ``engine._oms_apply``);
cold answers (queries, reconciliation) as :class:`VenueOrder` / :class:`VenuePosition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

__all__ = ["OrderSpec", "VenueOrder", "VenuePosition", "VenueAdapter"]


@dataclass(slots=True)
class OrderSpec:
    """One order as the engine sends it (raw fixed-point values, enums as ints)."""

    slot: int
    symbol: str
    client_id: str
    side: int
    order_type: int
    tif: int
    qty_raw: int
    price_raw: int = 0
    stop_raw: int = 0
    trailing_raw: int = 0        # callback rate (percent, raw) for trailing stops
    reduce_only: bool = False
    close_on_trigger: bool = False
    exchange_id: int | str | None = None
    sent_ms: int = 0             # the timestamp the last request for it was signed with (venue ms; 0: not sent)


@dataclass(slots=True)
class VenueOrder:
    """An order as the venue reports it on a query (cold path)."""

    symbol: str
    client_id: str
    exchange_id: int | str | None
    side: int
    order_type: int
    tif: int
    state: int
    qty_raw: int
    price_raw: int
    stop_raw: int
    filled_raw: int
    avg_price_raw: int           # average fill price (rounded half-even to 8 decimals)
    cum_quote_raw: int = 0       # cumulative quote of the fills (0 when the venue does not say)


@dataclass(slots=True)
class VenuePosition:
    symbol: str
    size_raw: int                # signed, base units
    entry_raw: int
    mark_raw: int | None = None
    leverage: int | None = None


class VenueAdapter(Protocol):
    venue: str
    futures: bool
    stream_kind: str             # "binance" or "bybit": which compiled parser reads the stream

    async def start(self, on_stream: Callable[[bytes], None], on_reconnected: Callable[[], Awaitable[None]],
                    on_disconnected: Callable[[], None]) -> None: ...
    async def stop(self) -> None: ...
    async def load_instruments(self, registry: Any) -> None: ...
    async def send_place(self, spec: OrderSpec) -> Awaitable[Any]: ...
    async def cancel(self, spec: OrderSpec) -> Any: ...
    async def cancel_all(self, symbol: str) -> None: ...
    async def amend(self, spec: OrderSpec, qty_raw: int, price_raw: int) -> Any: ...
    async def query(self, symbol: str, client_id: str) -> VenueOrder | None: ...
    async def open_orders(self, symbol: str | None = None) -> list[VenueOrder]: ...
    async def positions(self) -> list[VenuePosition]: ...
    async def balances(self) -> dict[str, tuple[int, int]]:
        """Spot: asset -> (free, locked); futures: asset -> (available, wallet balance)."""
