"""The venue contract: what the order manager needs from a venue, and the plain records venues answer with.

Each venue folder (``engine/venues/<venue>/``) provides one adapter class with this shape,
composed from its REST client, lean order path, user-data stream and WebSocket order
entry, and registers it (:mod:`engine.venues.registry`).  The order manager talks to the
adapter only; it never reads venue JSON, never switches on a venue name: venue knowledge
stays behind these members.

Hot answers come back as the venue's compiled parser holding its record (a
:class:`~engine._parse_common.RecordParser`, applied in C by ``engine._oms_apply``);
cold answers (queries, reconciliation, adoption) as the neutral records below.

Required members (:class:`VenueAdapter`)
---------------------------------------
==========================  ===============================================================================
``venue``, ``futures``      the venue's name (configuration key) and whether positions are kept (derivatives)
``margin_asset``            the asset derivatives margin is kept in (None for spot)
``capabilities``            the optional :class:`Capability` values it implements (and nothing else)
``clock``                   :class:`~engine.transport.timesync.ClockSync`: venue time (``now_ms``, ``rtt_ms``)
``limiter``                 the account's :class:`~engine.transport.ratelimit.RateLimiter`
``parser``                  its compiled :class:`~engine._parse_common.RecordParser` for the user-data
                            stream (answers come in parsers of their own)
``start`` / ``stop``        connect everything (REST, stream, order entry) / close it
``load_instruments``        fill the instrument registry from the venue's metadata
``send_place``              write one order; returns once the bytes are on the socket, or raises with
                            nothing sent (it never awaits after writing); sets ``spec.sent_ms``
``cancel``, ``cancel_all``  cancel one order (by client id) / every order of a symbol
``query``                   one order by client id (``None``: the venue has none)
``open_orders``             every open order, conditional ones included
``fills``                   an order's executions, when its snapshot cannot tell them apart (``[]`` else)
``positions``, ``balances`` the account's positions (derivatives) and balances
``last_price``              a reference price for risk checks (``None`` without a book)
``foreign_order``           decode the record the parser holds (an order the engine did not place) into a
                            :class:`ForeignOrder` to adopt, or ``None``
``describe_found``          the same for an open order reconciliation found without a client id of ours
``account_message``         apply a non-order stream message (balances, positions) to an
                            :class:`AccountSink`
==========================  ===============================================================================

Errors: requests raise :mod:`engine.venues.errors` types (the venue's answer) and
:mod:`engine.transport.errors` types (no answer: ``sent`` says whether it left).

Optional capabilities (:class:`Capability`), each with its members
------------------------------------------------------------------
==========================  ===============================================================================
``AMEND_IN_PLACE``          ``amend(spec, qty_raw, price_raw)``: 0 keeps the value; answers a parser or None
``AMEND_QTY_DOWN``          where the venue does not amend in place otherwise: ``amend(spec, qty_raw, 0)``
                            for a quantity lowered with the price kept (``qty_raw`` the whole new quantity),
                            amended in place, the order's queue priority and client id kept; the engine asks
                            nothing else of it (every other amendment is a ``cancel_replace``)
``CANCEL_REPLACE``          ``cancel_replace(old, new)``: (cancel answer, new-order answer) raw JSON bytes
``NATIVE_BRACKETS``         ``native_brackets``: the venue's bracket implementation
``WS_ORDER_ENTRY``          ``order_entry="ws"`` accepted by the constructor
``CANCEL_ON_DISCONNECT``    ``cancel_on_disconnect(seconds, symbols)`` (renewed by the engine every
                            ``seconds / 3``; 0 disarms), ``disarm_cancel_on_disconnect()``
``TRAILING_STOP``           trailing-stop orders (``OrderType.TRAILING_STOP``)
``JOIN_ORDERS``             join bid / join ask orders (``OrderType.JOIN_BID``, ``JOIN_ASK``): sent without a
                            price, resting at the venue's best bid / ask (no members)
``STOP_ORDERS``             stop-loss and take-profit orders (``OrderType.STOP_LOSS``, ``STOP_LOSS_LIMIT``,
                            ``TAKE_PROFIT``, ``TAKE_PROFIT_LIMIT``) held by the venue until they trigger;
                            an engine-managed bracket's stop leg is one
``WITHDRAWALS``             crypto withdrawals, with the records of :mod:`engine.venues.wallet`:
                            ``withdrawal_networks(asset)`` (list of :class:`WithdrawNetwork` from the coin
                            configuration); ``withdraw(request)`` (a :class:`WithdrawRequest`; sets its
                            ``sent_ms``; answers a :class:`VenueWithdrawal`, never retried by the transport);
                            ``withdrawal_history(asset, since_ms, limit, withdrawal_id=, client_id=)``
                            (list of :class:`VenueWithdrawal`, oldest first); ``withdraw_address_book(asset)``
                            (list of :class:`WithdrawAddress`, or None where the venue keeps no address
                            book); ``cancel_withdrawal(withdrawal_id)`` (the venue's answer as a
                            :class:`VenueWithdrawal`; ``withdrawal_cancel`` says whether the venue offers it)
``LIVE_QUERIES``            the account's history fetched from the venue on demand:
                            ``order_history(symbol, since_ms, limit)`` (list of :class:`VenueOrder`, newest
                            last) and ``trades(symbol, since_ms, limit)`` (list of :class:`VenueTrade`),
                            each one request where the venue answers in one page (paged where it pages)
``NEVER_RESEND``            the venue does not refuse a second order under a client id it already holds, so
                            an order whose answer was lost is never sent again, whatever ``resend_lost``
                            says: found absent once its request can no longer be accepted, it ends
                            NOT_PLACED (no members)
``WRITE_NOW``               ``send_place_now(spec)``: write the order without awaiting, when the venue's
                            connection is open and its rate budget has room: returns ``(future, read)``,
                            the future of the transport's answer and ``read(answer)`` turning it into what
                            ``send_place``'s awaitable gives (the parser; raising the same typed errors),
                            or None with nothing written nor spent (the engine then sends it as
                            ``send_place``); raises as ``send_place`` does before writing (the engine's
                            no-await ``submit_*``: no task per order, the answer applied in the future's
                            callback)
==========================  ===============================================================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol, runtime_checkable

from engine._order_spec import OrderSpec   # one order as the engine sends it (compiled: made per order)

__all__ = ["OrderSpec", "VenueOrder", "VenuePosition", "VenueTrade", "Fill", "ForeignOrder", "AccountSink", "Capability",
           "VenueAdapter", "NativeBrackets", "VenueLeg", "REQUIRED_MEMBERS", "CAPABILITY_MEMBERS"]


class Capability(str, enum.Enum):
    """What a venue may or may not offer (see the module docstring for the members each needs)."""

    AMEND_IN_PLACE = "amend_in_place"
    AMEND_QTY_DOWN = "amend_qty_down"
    CANCEL_REPLACE = "cancel_replace"
    NATIVE_BRACKETS = "native_brackets"
    WS_ORDER_ENTRY = "ws_order_entry"
    CANCEL_ON_DISCONNECT = "cancel_on_disconnect"
    TRAILING_STOP = "trailing_stop"
    STOP_ORDERS = "stop_orders"
    WITHDRAWALS = "withdrawals"
    LIVE_QUERIES = "live_queries"
    NEVER_RESEND = "never_resend"
    WRITE_NOW = "write_now"
    JOIN_ORDERS = "join_orders"


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
    time_ms: int = 0             # when the venue created it (0 when the answer does not say)
    reduce_only: bool = False


@dataclass(slots=True)
class VenuePosition:
    symbol: str
    size_raw: int                # signed, base units
    entry_raw: int
    mark_raw: int | None = None
    leverage: int | None = None


@dataclass(slots=True)
class VenueTrade:
    """One execution of the account as the venue lists it (cold path: history queries)."""

    symbol: str
    trade_id: str
    exchange_order_id: int | str | None
    client_id: str               # empty when the venue's trade list does not carry it
    side: int
    qty_raw: int
    price_raw: int
    fee_raw: int
    fee_asset: str
    is_maker: bool | None        # None when the venue does not say
    time_ms: int


@dataclass(slots=True)
class Fill:
    """One execution of an order (cold path): its id, quantity, price and fee."""

    exec_id: str
    qty_raw: int
    price_raw: int
    fee_raw: int = 0
    fee_asset: str = ""


@dataclass(slots=True)
class ForeignOrder:
    """An order the engine did not place, decoded by its venue for adoption.

    ``store_client_id`` is the id it takes in the store (unique there: a venue that reuses
    client ids gets one derived from its order id); ``venue_client_id`` the one the venue
    knows it by (empty when it has none).  ``origin``: ``liquidation``, ``adl``,
    ``settlement``, ``external`` (placed by hand, another program), ``child`` (created by
    an order of ours when it triggered: ``parent_client_id`` names it) or ``exit`` (an
    exit the venue attached to our order ``parent_client_id``, ``role`` "stop"/"take").
    ``leg`` queries and cancels it when the venue gave it no client id of ours.
    """

    symbol: str
    store_client_id: str
    venue_client_id: str
    exchange_id: int | str
    side: int
    order_type: int
    tif: int
    qty_raw: int
    price_raw: int = 0
    stop_raw: int = 0
    reduce_only: bool = False
    origin: str = "external"
    parent_client_id: str | None = None
    role: str | None = None
    leg: Any = None


class AccountSink(Protocol):
    """Where a venue's account messages land (the order manager implements it)."""

    def spot_balance(self, asset: str, free_raw: int, locked_raw: int) -> None: ...
    def spot_parsed(self, parser: Any) -> bool:
        """The spot rows a compiled balance parser (:class:`engine._parse_balances.BalanceParser`) holds, in
        one call; False (nothing applied) when the sink wants them row by row (``spot_balance``)."""
    def futures_balance(self, asset: str, wallet_raw: int, cross_wallet_raw: int | None) -> None: ...
    def futures_parsed(self, parser: Any) -> bool:
        """The futures wallet rows (wallet and available balance) a compiled balance parser holds, in one
        call; False (nothing applied) when the sink wants them row by row (``futures_balance``)."""
    def position_mark(self, symbol: str, mark_raw: int) -> None: ...
    def reference_price(self, symbol: str, price_raw: int) -> None:
        """The venue's market price of ``symbol`` (a quote's last trade or mid): the risk checks' reference."""
    def changed(self, assets: list[str]) -> None: ...
    def unreadable(self, why: str) -> None: ...


@runtime_checkable
class VenueAdapter(Protocol):
    """The required members (module docstring); optional ones come with :attr:`capabilities`."""

    venue: str
    futures: bool
    margin_asset: str | None
    capabilities: frozenset[Capability]
    clock: Any
    limiter: Any
    parser: Any

    async def start(self, on_stream: Callable[[bytes], None], on_reconnected: Callable[[], Awaitable[None]],
                    on_disconnected: Callable[[], None]) -> None: ...
    async def stop(self) -> None: ...
    async def load_instruments(self, registry: Any) -> None: ...
    async def send_place(self, spec: OrderSpec) -> Awaitable[Any]: ...
    async def cancel(self, spec: OrderSpec) -> Any: ...
    async def cancel_all(self, symbol: str) -> None: ...
    async def query(self, symbol: str, client_id: str, order_type: int = 0) -> VenueOrder | None: ...
    async def open_orders(self, symbol: str | None = None) -> list[VenueOrder]: ...
    async def fills(self, symbol: str, client_id: str) -> list[Fill]: ...
    async def positions(self) -> list[VenuePosition]: ...
    async def balances(self) -> dict[str, tuple[int, int]]:
        """Spot: asset -> (free, locked); futures: asset -> (available, wallet balance)."""
    async def last_price(self, symbol: str) -> int | None: ...
    def foreign_order(self, parser: Any, payload: bytes) -> ForeignOrder | None: ...
    async def describe_found(self, vo: VenueOrder) -> ForeignOrder | None: ...
    def account_message(self, payload: bytes, sink: AccountSink) -> None: ...
    # Optional: ``spot_balances``, the compiled BalanceParser of a spot account's balance messages when
    # ``apply_spot`` takes them whole (the order manager's stream loop then writes them to the compiled
    # account in C while nobody listens; anything it cannot take still comes to account_message);
    # ``futures_balances``, the same for a derivatives account's wallet messages when ``apply_futures``
    # takes them whole (each coin's wallet and available balance);
    # ``async query_by_id(symbol, exchange_id) -> VenueOrder | None``, the order by the venue's own id, for a
    # venue whose lookup by client id stops working some time after the order ended (the reconciliation asks
    # it when ``query`` found nothing for an order the venue acknowledged).


class VenueLeg(Protocol):
    """Queries and cancels an order the venue created for us, by its venue id (``ForeignOrder.leg``)."""

    async def query_leg(self, spec: OrderSpec) -> VenueOrder | None: ...
    async def cancel_leg(self, spec: OrderSpec) -> Any: ...
    async def fills_leg(self, symbol: str, order_id: str) -> list[Fill]: ...


class NativeBrackets(Protocol):
    """``adapter.native_brackets`` (``Capability.NATIVE_BRACKETS``).

    ``exits_known_up_front``: the three legs go in one order list with our client ids
    (``place(entry, take, stop, list_client_id)`` answers the legs' raw reports,
    ``known(list_client_id)`` says whether the venue has the list); otherwise the venue
    creates the exits when the entry fills (``place(entry, stop_raw, take_raw)`` answers
    the entry's parser) and they are adopted as foreign orders of origin ``exit``.
    """

    kind: str
    exits_known_up_front: bool

    def accepts(self, entry_type: int) -> bool: ...
    def exit_types(self, entry_side: int) -> tuple[int, int]: ...
    async def place(self, *args) -> Any: ...


REQUIRED_MEMBERS = ("venue", "futures", "margin_asset", "capabilities", "clock", "limiter", "parser", "start", "stop",
                    "load_instruments", "send_place", "cancel", "cancel_all", "query", "open_orders", "fills",
                    "positions", "balances", "last_price", "foreign_order", "describe_found", "account_message")
CAPABILITY_MEMBERS: dict[Capability, tuple[str, ...]] = {
    Capability.AMEND_IN_PLACE: ("amend",),
    Capability.AMEND_QTY_DOWN: ("amend",),
    Capability.CANCEL_REPLACE: ("cancel_replace",),
    Capability.NATIVE_BRACKETS: ("native_brackets",),
    Capability.WS_ORDER_ENTRY: (),
    Capability.CANCEL_ON_DISCONNECT: ("cancel_on_disconnect", "disarm_cancel_on_disconnect"),
    Capability.TRAILING_STOP: (),
    Capability.STOP_ORDERS: (),
    Capability.WITHDRAWALS: ("withdrawal_networks", "withdraw", "withdrawal_history", "withdraw_address_book",
                             "cancel_withdrawal", "withdrawal_cancel"),
    Capability.LIVE_QUERIES: ("order_history", "trades"),
    Capability.NEVER_RESEND: (),
    Capability.WRITE_NOW: ("send_place_now",),
    Capability.JOIN_ORDERS: (),
}
