"""TopstepX adapter: the order manager's view of one ProjectX Gateway account (CME futures, whole contracts).

Orders go over REST (the lean path, :mod:`.order_path`); the place answer names the
venue's order id, and the order's states and fills arrive on the user hub
(:mod:`.user_stream`), which the compiled parser and applier read.

Venue rules this adapter keeps (shared/venues/topstepx-projectx.md):

1. The client order id is the ``customTag``: unique per account, burnt even by a rejected
   order.  A tag is sent once: asked to send it again (the engine re-sending an order it
   found absent), the adapter refuses before anything leaves, as the venue would, so the
   order ends NOT_PLACED rather than risking a second one (the Gateway's requests carry no
   timestamp after which it would refuse them).
2. Cancel and modify name the venue's order id; an order whose id is not known yet (its
   answer was lost) is looked up by its tag first.
3. Symbols are product roots ("MNQ"), resolved to the active contract id (:mod:`.instruments`).
4. A hub fill may reach us before anything names its order (a lost answer): it is held and
   given to the engine again once the order's id is known (the place answer or the order's
   own event), so a fill is never dropped; reconciliation lists it too.
5. Trailing stops: the engine's callback rate is a percentage of the activation price,
   which is required; the Gateway's ``trailPrice`` is the level that far from it (its
   distance from the last price, in whole ticks, is what the venue trails by).
6. Quotes (:mod:`.market_stream`): once the contracts are loaded the market hub subscribes
   the quotes of ``config.options["quotes"]`` (roots; default every root loaded, ``[]`` no
   market hub), and of any other root as soon as an order names it; the merged quote is the
   engine's reference price for risk checks (:meth:`TopstepxAdapter.quote` shows it).

The account is ``config.options["account"]`` (its id or name) or, without it, the only
active account that can trade.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from datetime import datetime, timedelta, timezone
from decimal import ROUND_FLOOR, Decimal
from typing import Awaitable, Callable

from engine._enums import OrderType, Side, TimeInForce
from engine._fixedpoint import from_decimal, to_decimal
from engine._parse_common import MessageKind
from engine._parse_topstepx import TopstepxParser
from engine.config import VenueConfig
from engine.errors import ConfigError
from engine.venues import errors as E
from engine.venues.base import Capability, Fill, ForeignOrder, OrderSpec, VenueOrder, VenuePosition, VenueTrade
from engine.venues.topstepx import decode
from engine.venues.topstepx.brackets import TopstepxBrackets
from engine.venues.topstepx.errors import VENUE
from engine.venues.topstepx.instruments import MARGIN_ASSET, ContractBook, load_contracts
from engine.venues.topstepx.market_stream import MarketHub, QuoteBook, market_url
from engine.venues.topstepx.order_path import CANCEL, MODIFY, PLACE, TopstepxOrderPath
from engine.venues.topstepx.rest import TopstepxRest
from engine.venues.topstepx.user_stream import UserHub

__all__ = ["TopstepxAdapter", "TagReused"]

log = logging.getLogger("engine.venues.topstepx.adapter")

_TRADE = int(MessageKind.TRADE)
_ORDER = int(MessageKind.ORDER_STATE)
_TAGS_KEPT = 1 << 16
_HOLD_S = 5.0
_LOOKBACK = timedelta(days=7)
_NO_TIF = frozenset({int(TimeInForce.IOC), int(TimeInForce.FOK), int(TimeInForce.POST_ONLY)})


class TagReused(E.DuplicateClientOrderId):
    """The order's customTag was sent before: the venue refuses a tag twice, so nothing is sent again."""

    not_executed = False


class TopstepxAdapter:
    """One TopstepX account (module docstring)."""

    def __init__(self, config: VenueConfig, *, order_entry: str = "rest"):
        if order_entry != "rest":
            raise ValueError("TopstepX takes orders over REST only (order_entry='rest')")
        self.config = config
        self.venue = VENUE
        self.futures = True
        self.margin_asset = MARGIN_ASSET
        # STOP_ORDERS: the Gateway's Stop (4) is a stop-market order; take-profit kinds and stop-limit are
        # refused by the encoder before sending (the Gateway has no take-profit type; StopLimit is unconfirmed);
        # JOIN_ORDERS: JoinBid (6) / JoinAsk (7)
        self.capabilities = frozenset({Capability.AMEND_IN_PLACE, Capability.NATIVE_BRACKETS,
                                       Capability.TRAILING_STOP, Capability.STOP_ORDERS,
                                       Capability.LIVE_QUERIES, Capability.JOIN_ORDERS})
        self.order_entry = order_entry
        self.rest = TopstepxRest(config)
        self.clock = self.rest.clock
        self.limiter = self.rest.limiter
        self.parser = TopstepxParser()              # the user hub's
        self.contracts = ContractBook()
        self.native_brackets = TopstepxBrackets(self)
        self.account_id: int = 0
        self.account_name = ""
        self.orders: TopstepxOrderPath | None = None
        self.hub: UserHub | None = None
        self.market: MarketHub | None = None
        self.quotes = QuoteBook()
        self._quoted: set[str] = set()                              # roots whose quotes are wanted (rule 6)
        self.account_messages: decode.AccountMessages | None = None
        self._on_stream: Callable[[bytes], None] | None = None
        self._tags: collections.OrderedDict[bytes, float] = collections.OrderedDict()   # tag -> time sent
        self._held: dict[int, list[tuple[float, bytes]]] = {}      # order id -> fills held (rule 4)
        self._prices: dict[str, int] = {}                           # symbol -> last price seen (raw)
        self.held_fills = 0
        self.refed_fills = 0

    def __repr__(self) -> str:
        return f"TopstepxAdapter(account={self.account_name or self.account_id!r}, rest={self.config.endpoints.rest!r})"

    # -- life ---------------------------------------------------------------------------------------
    async def start(self, on_stream: Callable[[bytes], None], on_reconnected: Callable[[], Awaitable[None]],
                    on_disconnected: Callable[[], None]) -> None:
        await self.rest.start()
        await self._pick_account()
        self.account_messages = decode.AccountMessages(self.account_id, self.contracts, self.quotes)
        self.orders = TopstepxOrderPath(self.rest, self.account_id)
        await self.orders.start()
        self._on_stream = on_stream
        stream = self.config.endpoints.stream
        if not stream:
            raise ConfigError("topstepx: no user hub URL (stream_url)")
        self.hub = UserHub(stream, self.rest.tokens, self.account_id, self._on_hub_event,
                           on_reconnected=on_reconnected, on_disconnected=on_disconnected)
        await self.hub.start()

    async def stop(self) -> None:
        if self.market is not None:
            await self.market.stop()
        if self.hub is not None:
            await self.hub.stop()
        if self.orders is not None:
            await self.orders.close()
        await self.rest.close()

    async def _pick_account(self) -> None:
        accounts = await self.rest.accounts()
        wanted = self.config.options.get("account")
        if wanted is not None:
            match = [a for a in accounts if str(a.get("id")) == str(wanted) or a.get("name") == wanted]
            if not match:
                raise ConfigError(f"topstepx: no active account {wanted!r} for this login "
                                  f"(accounts: {', '.join(str(a.get('name')) for a in accounts) or 'none'})")
            account = match[0]
        else:
            tradable = [a for a in accounts if a.get("canTrade")]
            if len(tradable) != 1:
                raise ConfigError("topstepx: this login has " + (
                    f"{len(tradable)} accounts that can trade ({', '.join(str(a.get('name')) for a in tradable)}); "
                    "name one with options={'account': ID or NAME}" if tradable else "no account that can trade"))
            account = tradable[0]
        self.account_id = int(account["id"])
        self.account_name = str(account.get("name") or "")

    async def load_instruments(self, registry) -> None:
        self.contracts.refresh(await self.rest.contracts_available())
        load_contracts(registry, self.contracts)
        await self._start_market()

    async def refresh_contracts(self) -> list[str]:
        """Read the contract list again (a roll changes the contract a root names); returns the roots that rolled."""
        before = {root: c.id for root, c in self.contracts.by_root.items()}
        rolled = self.contracts.refresh(await self.rest.contracts_available())
        if self.market is not None:
            for root in rolled:
                if root in self._quoted:
                    await self.market.follow(before.get(root), self.contracts.by_root[root].id)
        return rolled

    # -- the market hub (rule 6) -------------------------------------------------------------------------
    async def _start_market(self) -> None:
        wanted = self.config.options.get("quotes")
        if self.market is not None or wanted is not None and not wanted:
            return
        roots = list(self.contracts.by_root) if wanted is None else [str(r) for r in wanted]
        for root in roots:
            if root not in self.contracts.by_root:    # said at start, not found wanting later
                raise ConfigError(f"topstepx: options['quotes'] names {root!r}, not a contract root of this "
                                  f"account ({', '.join(sorted(self.contracts.by_root))})")
        self._quoted = set(roots)
        self.market = MarketHub(market_url(self.config.endpoints.stream), self.rest.tokens, self._quote_contracts,
                                self._on_market_event)
        try:
            await self.market.start(5.0)
        except Exception as exc:                      # trading does not need it; it keeps reconnecting
            log.warning("topstepx: the market hub is not up yet (%s); reference prices from fills and bars",
                        type(exc).__name__)

    def _quote_contracts(self) -> list[str]:
        by_root = self.contracts.by_root
        return sorted(by_root[r].id for r in self._quoted if r in by_root)

    def _on_market_event(self, record: bytes) -> None:
        if self._on_stream is not None:
            self._on_stream(record)               # no order in it: the account decoder merges the quote

    def _want_quotes(self, contract) -> None:
        """An order names a root whose quotes are not subscribed: subscribe them (rule 6)."""
        self._quoted.add(contract.root)
        if self.market is not None:
            asyncio.get_running_loop().create_task(self.market.follow(None, contract.id), name="topstepx-quotes")

    def quote(self, symbol: str) -> tuple[Decimal, Decimal, Decimal] | None:
        """(last, best bid, best ask) of ``symbol``'s contract from the market hub (None: no quote yet;
        a 0 field: not known)."""
        q = self.quotes.get(self.contracts.resolve(symbol).id)
        return None if q is None else (to_decimal(q[0]), to_decimal(q[1]), to_decimal(q[2]))

    # -- the hub ------------------------------------------------------------------------------------
    def _on_hub_event(self, record: bytes) -> None:
        self._on_stream(record)
        if self._held and b"GatewayUserOrder" in record[:64]:
            try:
                _, arg = decode.hub_argument(record)
                self._refeed(int(arg["id"]))
            except (ValueError, KeyError, TypeError):
                pass

    def _hold(self, order_id: int, record: bytes) -> None:
        now = time.monotonic()
        held = self._held.setdefault(order_id, [])
        if any(r == record for _, r in held):
            return
        held.append((now, record))
        self.held_fills += 1
        asyncio.get_running_loop().call_later(_HOLD_S, self._refeed, order_id)

    def _refeed(self, order_id: int) -> None:
        held = self._held.pop(order_id, None)
        if not held or self._on_stream is None:
            return
        for _, record in held:
            self.refed_fills += 1
            self._on_stream(record)

    # -- orders -------------------------------------------------------------------------------------
    def _take_tag(self, cid: bytes) -> None:
        if cid in self._tags:
            raise TagReused(VENUE, None, f"customTag {cid.decode()} was sent before; TopstepX refuses a tag twice, "
                            "so the order is not sent again")

    def _remember_tag(self, cid: bytes) -> None:
        self._tags[cid] = time.time()
        while len(self._tags) > _TAGS_KEPT:
            self._tags.popitem(last=False)

    def _trail_level(self, spec: OrderSpec, contract) -> int:
        """trailPrice for a trailing stop (rule 5)."""
        if not spec.stop_raw:
            raise ValueError("a TopstepX trailing stop needs activation_price: the trail distance is "
                             "callback_rate percent of it")
        ref = to_decimal(spec.stop_raw)
        distance = (ref * to_decimal(spec.trailing_raw) / 100 / contract.tick_size).to_integral_value(ROUND_FLOOR)
        if distance < 1:
            raise ValueError(f"callback rate {to_decimal(spec.trailing_raw)}% of {ref} is less than one "
                             f"{spec.symbol} tick ({contract.tick_size})")
        level = ref - distance * contract.tick_size if spec.side == Side.SELL else ref + distance * contract.tick_size
        return from_decimal(level)

    async def place_spec(self, spec: OrderSpec, *, stop_ticks: int = 0, take_ticks: int = 0):
        """Write the order and await its answer (used by the brackets, which need the answer at once)."""
        return await (await self._send(spec, stop_ticks, take_ticks))

    async def send_place(self, spec: OrderSpec):
        """Write the order (lean REST path); returns an awaitable of the ack parser."""
        return await self._send(spec, 0, 0)

    async def _send(self, spec: OrderSpec, stop_ticks: int, take_ticks: int):
        if spec.tif in _NO_TIF:
            raise ValueError(f"TopstepX has no time in force: {TimeInForce(spec.tif).name} orders do not exist there "
                             "(limit orders rest until cancelled; use a market order to trade at once)")
        try:
            contract = self.contracts.resolve(spec.symbol)
        except KeyError as exc:
            raise ValueError(str(exc)) from None
        if contract.root not in self._quoted and self.market is not None:
            self._want_quotes(contract)
        cid = spec.client_id.encode()
        self._take_tag(cid)
        contract_id = contract.id.encode()
        trail = stop = 0
        if spec.order_type == OrderType.TRAILING_STOP:
            trail = self._trail_level(spec, contract)
        else:
            stop = spec.stop_raw
        side, otype, qty, price = spec.side, spec.order_type, spec.qty_raw, spec.price_raw

        def encode(enc) -> int:
            return enc.new_order(contract_id, side, otype, qty, price, stop, cid, trail_raw=trail,
                                 stop_ticks=stop_ticks, take_ticks=take_ticks)

        fut = await self.orders.submit(PLACE, encode)
        self._remember_tag(cid)
        spec.sent_ms = self.orders.last_ts or self.clock.now_ms()
        return self._placed(fut, encode, cid, spec)

    async def _placed(self, fut, encode, cid: bytes, spec: OrderSpec):
        try:
            parser = await self.orders.finish(fut, PLACE, encode, cid)
        except E.VenueError as exc:
            if exc.code in (8, 9) and isinstance(exc, (E.InvalidRequest, E.OrderRejected)):
                self._refresh_soon()          # ContractNotFound / ContractNotActive: perhaps a roll
            raise
        order_id = parser.order_id
        spec.exchange_id = order_id
        if order_id in self._held:
            asyncio.get_running_loop().call_soon(self._refeed, order_id)   # after the engine applies the answer
        return parser

    def _refresh_soon(self) -> None:
        async def run():
            try:
                await self.refresh_contracts()
            except Exception as exc:
                log.warning("topstepx: contract refresh failed: %s", type(exc).__name__)
        asyncio.get_running_loop().create_task(run(), name="topstepx-contracts")

    async def _order_id(self, spec: OrderSpec) -> int:
        """The venue's id of our order (rule 2); UnknownOrder when the venue has none with its tag."""
        if spec.exchange_id is not None:
            return int(spec.exchange_id)
        vo = await self.query(spec.symbol, spec.client_id)
        if vo is None or vo.exchange_id is None:
            raise E.UnknownOrder(VENUE, None, f"no order with customTag {spec.client_id} at the venue")
        spec.exchange_id = vo.exchange_id
        return int(vo.exchange_id)

    async def cancel_order_id(self, order_id: int):
        return await self.orders.call(CANCEL, lambda enc: enc.cancel_order(order_id))

    async def cancel(self, spec: OrderSpec):
        return await self.cancel_order_id(await self._order_id(spec))

    # -- live queries (Capability.LIVE_QUERIES) ----------------------------------------------------
    @staticmethod
    def _from_ms(since_ms: int | None) -> datetime:
        if since_ms is None:
            return datetime.now(timezone.utc) - _LOOKBACK
        return datetime.fromtimestamp(int(since_ms) / 1000, timezone.utc)

    async def order_history(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueOrder]:
        """The account's orders of ``symbol``'s contract from Order/search (from ``since_ms``, else the last
        day), oldest first."""
        contract = self.contracts.resolve(symbol)
        rows = [d for d in await self.rest.orders(self.account_id, self._from_ms(since_ms))
                if d.get("contractId") == contract.id]
        out = sorted((decode.venue_order(d, self.contracts) for d in rows), key=lambda o: o.time_ms)
        return out[-max(int(limit), 1):]

    async def trades(self, symbol: str, since_ms: int | None = None, limit: int = 500) -> list[VenueTrade]:
        """The account's fills of ``symbol``'s contract from Trade/search (voided ones left out), oldest first."""
        contract = self.contracts.resolve(symbol)
        rows = [t for t in await self.rest.trades(self.account_id, self._from_ms(since_ms))
                if t.get("contractId") == contract.id and not t.get("voided")]
        out = sorted((decode.venue_trade(t, self.contracts) for t in rows), key=lambda t: (t.time_ms, t.trade_id))
        return out[-max(int(limit), 1):]

    async def cancel_all(self, symbol: str) -> None:
        """Cancel every working order of the symbol's contract (the Gateway has no cancel-all)."""
        contract = self.contracts.resolve(symbol)
        for d in await self.rest.working_orders(self.account_id, _LOOKBACK):
            if d.get("contractId") != contract.id:
                continue
            try:
                await self.cancel_order_id(int(d["id"]))
            except (E.UnknownOrder, E.OrderRejected) as exc:
                log.info("topstepx: cancel_all: order %s not cancelled (%s)", d.get("id"), exc)

    async def amend(self, spec: OrderSpec, qty_raw: int, price_raw: int):
        """Order/modify: the new size and/or price; what does not change is sent as it is (the meaning of an
        omitted field is unconfirmed)."""
        order_id = await self._order_id(spec)
        qty = qty_raw or spec.qty_raw
        if spec.order_type == OrderType.STOP_LOSS:
            if price_raw:
                raise ValueError("a stop order has no limit price to amend")
            encode = lambda enc: enc.modify_order(order_id, qty, 0, spec.stop_raw)
        else:
            price = price_raw or spec.price_raw
            encode = lambda enc: enc.modify_order(order_id, qty, price, 0)
        await self.orders.call(MODIFY, encode)
        return None

    async def close_position(self, symbol: str, size: int | None = None) -> None:
        """Position/closeContract (all) or partialCloseContract (``size`` contracts), at market by the venue."""
        contract = self.contracts.resolve(symbol)
        if size is None:
            await self.rest.close_position(self.account_id, contract.id)
        else:
            if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
                raise ValueError(f"size must be a positive whole number of contracts, got {size!r}")
            await self.rest.partial_close(self.account_id, contract.id, size)

    # -- queries ------------------------------------------------------------------------------------
    def venue_order(self, d: dict) -> VenueOrder:
        return decode.venue_order(d, self.contracts)

    def _since(self, client_id: str | None = None) -> datetime:
        sent = self._tags.get(client_id.encode()) if client_id else None
        if sent is not None:
            return datetime.fromtimestamp(sent - 60, timezone.utc)
        return datetime.now(timezone.utc) - _LOOKBACK

    async def query(self, symbol: str, client_id: str, order_type: int = 0) -> VenueOrder | None:
        for d in await self.rest.orders(self.account_id, self._since(client_id)):
            if d.get("customTag") == client_id:
                return self.venue_order(d)
        return None

    async def open_orders(self, symbol: str | None = None) -> list[VenueOrder]:
        """Open orders and the Suspended bracket children searchOpen leaves out."""
        rows = {int(d["id"]): d for d in await self.rest.open_orders(self.account_id)}
        for d in await self.rest.working_orders(self.account_id, _LOOKBACK):
            rows.setdefault(int(d["id"]), d)
        out = [self.venue_order(d) for d in rows.values()]
        return [vo for vo in out if symbol is None or vo.symbol == symbol]

    async def fills_of(self, order_id: int, since: datetime | None = None) -> list[Fill]:
        return decode.fills(await self.rest.trades(self.account_id, since or self._since()), order_id)

    async def fills(self, symbol: str, client_id: str) -> list[Fill]:
        vo = await self.query(symbol, client_id)
        if vo is None or vo.exchange_id is None:
            return []
        return await self.fills_of(int(vo.exchange_id), self._since(client_id))

    async def positions(self) -> list[VenuePosition]:
        out = []
        for p in await self.rest.positions(self.account_id):
            vp = decode.venue_position(p, self.contracts)
            if vp is not None and vp.size_raw:
                out.append(vp)
        return out

    async def balances(self) -> dict[str, tuple[int, int]]:
        for a in await self.rest.accounts():
            if int(a.get("id", -1)) == self.account_id:
                bal = decode.raw(a.get("balance"))
                return {MARGIN_ASSET: (bal, bal)}
        return {}

    async def last_price(self, symbol: str) -> int | None:
        """The close of the latest one-minute bar (History/retrieveBars, newest first), or a fill's price."""
        contract = self.contracts.resolve(symbol)
        end = datetime.now(timezone.utc)
        try:
            bars = await self.rest.bars(contract.id, end - timedelta(hours=1), end)
        except E.VenueError as exc:
            log.info("topstepx: no bars for %s (%s)", symbol, exc)
            bars = []
        if bars:
            return decode.raw(bars[0].get("c"))
        return self._prices.get(symbol)

    # -- what the stream brings that is not ours ---------------------------------------------------
    def foreign_order(self, parser, payload: bytes) -> ForeignOrder | None:
        kind = parser.kind
        if kind == _TRADE:
            self._hold(parser.order_id, payload)     # rule 4
            return None
        if kind != _ORDER:
            return None
        _, d = decode.hub_argument(payload)
        if not isinstance(d, dict) or d.get("accountId") not in (None, self.account_id):
            return None
        return self._describe(d)

    def _describe(self, d: dict) -> ForeignOrder | None:
        fo = decode.foreign_from_order(d, self.contracts)
        if fo is None:
            return None
        found = self.native_brackets.exit_of(d)
        if found is not None:
            fo.origin, fo.parent_client_id, fo.role = "exit", found[0], found[1]
            fo.leg = self.native_brackets
            fo.reduce_only = True
        return fo

    async def describe_found(self, vo: VenueOrder) -> ForeignOrder | None:
        if vo.exchange_id is None:
            return None
        d = await self.rest.order_by_id(self.account_id, int(vo.exchange_id))
        return None if d is None else self._describe(d)

    def account_message(self, payload: bytes, sink) -> None:
        if self.account_messages is not None:
            self.account_messages.read(payload, sink)
