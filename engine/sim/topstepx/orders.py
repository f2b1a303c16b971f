"""``/api/Order/*``: place, modify, cancel, search, searchOpen, searchById (shared/venues/topstepx-projectx.md §4, §5).

Rules the personality follows:

1. Checks run in the venue's error-code order: account (1), contract (8 unknown, 9 not
   active), customTag (2: a tag once sent is burnt, whatever became of its order), the
   order itself (2: type, side, whole positive size, prices on the tick, trail rules),
   the daily loss limit (4 AccountViolation), brackets (2 without Auto OCO mode), then the
   core (3 InsufficientFunds for margin).
2. A refusal after the order exists (bracket mode, margin, a stop on the wrong side) records
   a Rejected order (status 5) and answers its ``orderId`` with ``success: false``, as the
   venue's documented bracket-mode example does; validation refusals answer ``orderId: null``.
3. Unconfirmed, the simulator's choice: the wording of the customTag, size, price and type
   refusals; StopLimit (3) accepted as a stop with a limit price (``stop_limit`` on the state;
   off, it is an invalid type); an omitted or null field of
   Order/modify leaves it unchanged; a modify or cancel of a closed order is errorCode 3.
4. Trailing stops (5): ``trailPrice`` is a price level; the distance fixed at arrival is
   ``|last - trailPrice| / tick`` whole ticks (at most 1000 on place, no maximum on modify),
   trailed from the best price since arrival, the last price then included (the core's
   trailing stop, its rate that distance over the last price).
5. Join bid / join ask (6/7): limit orders at the book's best bid / best ask when they arrive
   (a price sent with them is ignored; no bid / ask to join is errorCode 2), then resting and
   filling as any limit order.  The sheet gives only their names: the price rule, the side
   (peer code sends JoinBid as a buy and JoinAsk as a sell; other pairings are taken here as
   sent) and whether the venue follows the touch afterwards are unconfirmed (here: it does not).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from engine.sim.core_types import Reject, now_ms
from engine.sim.decimals import D
from engine.sim.matching import Order
from engine.sim.topstepx.instruments import MARKET, WALLET, Contract, contract, units
from engine.sim.topstepx.rows import STATUS, order_row, parse_iso

__all__ = ["Refusal", "place", "modify", "cancel", "search", "search_open", "search_by_id", "day_violation",
           "submit", "find"]

BRACKET_MODE = "Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets."
MAX_TRAIL_TICKS = 1000
_TYPES = {1: "LIMIT", 2: "MARKET", 3: "STOP", 4: "STOP_MARKET", 5: "TRAILING_STOP_MARKET", 6: "LIMIT", 7: "LIMIT"}


class Refusal(Exception):
    """``success: false`` with this ``errorCode`` (and message; ``order_id`` for a recorded rejection)."""

    def __init__(self, code: int, message: str | None = None, order_id: int | None = None, **extra) -> None:
        super().__init__(code, message)
        self.code, self.message, self.order_id, self.extra = code, message, order_id, extra


def whole(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _price(value, c: Contract, code: int, what: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Refusal(code, f"Invalid {what}.")
    price = D(repr(value) if isinstance(value, float) else str(value))
    if price <= 0 or price % c.tick_size != 0:
        raise Refusal(code, f"Invalid {what}. Price is not aligned to tick size.")
    return price


def check_account(st, acct, b) -> None:
    if whole(b.get("accountid")) != acct.id:
        raise Refusal(1)


def day_violation(sim, acct) -> bool:
    """The day's loss (balance change plus open PnL) has reached the account's daily loss limit."""
    core = sim.core
    upnl, _, _ = core.margin_parts(acct.account, WALLET)
    return acct.balance() + upnl - acct.day_start <= -acct.day_loss_limit


def _last(sim, c: Contract) -> Decimal | None:
    return sim.core.last.get((MARKET, c.id))


def _trail_ticks(sim, c: Contract, level: Decimal | None, code: int, cap: bool) -> int:
    if level is None:
        raise Refusal(code, "Trail Distance not set.")
    last = _last(sim, c)
    if last is None:
        raise Refusal(code, "Cannot trail without a last price")
    ticks = int((abs(last - level) / c.tick_size).to_integral_value(ROUND_FLOOR))
    if ticks < 1:
        raise Refusal(code, "Trail Distance not set.")
    if cap and ticks > MAX_TRAIL_TICKS:
        raise Refusal(code, f"Trail Distance exceeds maximum ({MAX_TRAIL_TICKS})")
    return ticks


def _set_trail(order: Order, c: Contract, ticks: int, last: Decimal) -> None:
    order.extra["trail_ticks"] = ticks
    order.callback_rate = ticks * c.tick_size / last * 100
    order.trail_extreme = None


def reject_record(sim, acct, c: Contract, side: str, size: int, kind: int, tag: str | None) -> int:
    """Record a Rejected order (rule 2); returns its id."""
    order = Order(oid=sim.core.new_oid(), market=MARKET, symbol=c.id, account=acct.account, client_id=tag or "",
                  side=side, type=_TYPES.get(kind, "LIMIT"), tif="GTC", qty=units(c, size), status="REJECTED")
    order.extra["tsx_type"] = kind
    order.created_ms = order.updated_ms = now_ms()
    sim.core.register(order)
    sim.core._order_event(order, "REJECTED")
    return order.oid


def place(sim, st, acct, b: dict) -> dict:
    check_account(st, acct, b)
    cid = b.get("contractid")
    c = contract(cid) if isinstance(cid, str) else None
    if c is None:
        raise Refusal(8)
    if not st.is_active(c.id):
        raise Refusal(9)
    tag = b.get("customtag")
    if tag is not None:
        if not isinstance(tag, str) or not tag.strip():
            raise Refusal(2, "Invalid custom tag.")
        if tag in acct.tags:
            raise Refusal(2, "Custom tag already in use.")
        acct.tags.add(tag)
    kind, side_n, size = whole(b.get("type")), whole(b.get("side")), whole(b.get("size"))
    if kind not in _TYPES or (kind == 3 and not st.stop_limit):
        raise Refusal(2, "Invalid order type.")
    if side_n not in (0, 1):
        raise Refusal(2, "Invalid order side.")
    if size is None or size <= 0:
        raise Refusal(2, "Invalid order size.")
    side = "BUY" if side_n == 0 else "SELL"
    limit = _price(b.get("limitprice"), c, 2, "limit price") if kind in (1, 3) else None
    stop = _price(b.get("stopprice"), c, 2, "stop price") if kind in (3, 4) else None
    if kind in (1, 3) and limit is None:
        raise Refusal(2, "Invalid limit price.")
    if kind in (3, 4) and stop is None:
        raise Refusal(2, "Invalid stop price.")
    ticks = 0
    if kind == 5:
        level = _price(b.get("trailprice"), c, 2, "trail price")
        ticks = _trail_ticks(sim, c, level, 2, cap=True)
    if kind in (6, 7):
        limit = sim.core.books[(MARKET, c.id)].best("BUY" if kind == 6 else "SELL")
        if limit is None:
            raise Refusal(2, "No price to join.")
    if not acct.can_trade or day_violation(sim, acct):
        raise Refusal(4, "Daily loss limit reached.")
    sl, tp = b.get("stoplossbracket"), b.get("takeprofitbracket")
    legs = st.brackets.legs(side_n, sl, tp) if (sl is not None or tp is not None) else None
    if legs is not None and not acct.auto_oco:
        raise Refusal(2, BRACKET_MODE, reject_record(sim, acct, c, side, size, kind, tag))
    if isinstance(legs, str):
        raise Refusal(2, legs, reject_record(sim, acct, c, side, size, kind, tag))
    order = Order(oid=sim.core.new_oid(), market=MARKET, symbol=c.id, account=acct.account, client_id=tag or "",
                  side=side, type=_TYPES[kind], tif="GTC", price=limit, qty=units(c, size), stop_price=stop)
    order.extra["tsx_type"] = kind
    if stop is not None:
        order.trigger_dir = "UP" if side == "BUY" else "DOWN"
    if kind == 5:
        _set_trail(order, c, ticks, _last(sim, c))
        order.trail_extreme = _last(sim, c)         # trailed from the last price at arrival, not the next one
    if legs:
        st.brackets.attach(order, legs)
    return submit(sim, acct, order, c, kind, tag)


def submit(sim, acct, order: Order, c: Contract, kind: int, tag) -> dict:
    try:
        sim.core.place(order)
    except Reject as exc:
        sim.state["topstepx"].brackets.forget(order)
        if order.oid in sim.core.orders:       # refused after it was recorded
            raise Refusal(3 if exc.reason == "margin" else 2, None, order.oid) from None
        code = 3 if exc.reason in ("margin", "insufficient_balance") else 2
        msg = {"would_trigger": "Invalid stop price.", "reduce_only": "No position to reduce."}.get(exc.reason)
        raise Refusal(code, msg, reject_record(sim, acct, c, order.side, int(order.qty / c.point_value), kind,
                                               tag)) from None
    return {"orderId": order.oid}


def find(sim, st, acct, b: dict, missing: int):
    check_account(st, acct, b)
    oid = whole(b.get("orderid"))
    order = None if oid is None else sim.core.find(MARKET, acct.account, oid)
    if order is None:
        raise Refusal(missing)
    return order


def modify(sim, st, acct, b: dict) -> dict:
    order = find(sim, st, acct, b, 2)
    if not (order.is_open or order.extra.get("suspended")):
        raise Refusal(3)
    c = contract(order.symbol)
    size = b.get("size")
    qty = None
    if size is not None:
        if whole(size) is None or size <= 0 or units(c, size) < order.filled:
            raise Refusal(3, "Invalid order size.")
        qty = units(c, size)
    kind = order.extra.get("tsx_type", 1)
    limit = _price(b.get("limitprice"), c, 3, "limit price") if kind in (1, 3, 6, 7) else None
    stop = _price(b.get("stopprice"), c, 3, "stop price") if kind in (3, 4) else None
    if kind == 5 and b.get("trailprice") is not None:
        level = _price(b.get("trailprice"), c, 3, "trail price")
        _set_trail(order, c, _trail_ticks(sim, c, level, 3, cap=False), _last(sim, c))
    if order.extra.get("suspended"):
        st.brackets.modify_suspended(order, qty, limit, stop)
        return {}
    if stop is not None and order.type in ("STOP", "STOP_MARKET") and not order.triggered:
        ref = sim.core.ref_price(order)
        if (order.side == "BUY" and ref >= stop) or (order.side == "SELL" and ref <= stop):
            raise Refusal(3, "Invalid stop price.")
    try:
        sim.core.amend(order, qty=qty, price=limit, stop_price=stop)
    except Reject:
        raise Refusal(3) from None
    return {}


def cancel(sim, st, acct, b: dict) -> dict:
    order = find(sim, st, acct, b, 2)
    if acct.follower:                               # cancel works for simulated accounts that follow no one
        raise Refusal(6, "Follower accounts cannot cancel orders")
    if not acct.simulated:
        raise Refusal(6, "Live accounts not supported")
    if order.extra.get("suspended"):
        st.brackets.cancel_suspended(order)
        return {}
    if not order.is_open:
        raise Refusal(3)
    sim.core.cancel(order)
    return {}


def _account_orders(sim, st, acct) -> list:
    return [o for o in sim.core.orders.values() if o.market == MARKET and o.account is acct.account]


def search(sim, st, acct, b: dict) -> dict:
    check_account(st, acct, b)
    start = parse_iso(b.get("starttimestamp")) or 0.0
    end = parse_iso(b.get("endtimestamp"))
    rows = []
    for o in sorted(_account_orders(sim, st, acct), key=lambda o: o.oid):
        created = (o.created_ms or o.extra.get("created_ms") or 0) / 1000
        if created >= start and (end is None or created <= end):
            rows.append(order_row(o, acct.id))
    return {"orders": rows}


def search_open(sim, st, acct, b: dict) -> dict:
    """Open orders; Suspended (8) bracket legs left out, as on the venue (searchOpen's swagger summary)."""
    check_account(st, acct, b)
    return {"orders": [order_row(o, acct.id) for o in sorted(_account_orders(sim, st, acct), key=lambda o: o.oid)
                       if STATUS.get(o.status) == 1 and not o.extra.get("suspended")]}


def search_by_id(sim, st, acct, b: dict) -> dict:
    return {"order": order_row(find(sim, st, acct, b, 1), acct.id)}
