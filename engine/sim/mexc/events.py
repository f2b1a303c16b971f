"""Core events as MEXC private-stream pushes (mexc-spot.md §7): an order event becomes an ``orders``
push (304), and its fill a ``deals`` push (306) after it, as the venue's example timestamps order
them; a balance event one ``account`` push (307) per asset that moved.  Enums: orderType 1 LIMIT,
2 POST_ONLY, 3 IOC, 4 FOK, 5 MARKET; status 1 NEW, 2 FILLED, 3 PARTIALLY_FILLED, 4 CANCELED,
5 PARTIALLY_CANCELED; tradeType 1 buy, 2 sell.  proto3 defaults (``isMaker`` false, an empty
client id, 0) are left out by the encoder (:mod:`.proto`).
"""

from __future__ import annotations

import hashlib

from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO, plain
from engine.sim.matching import Order
from engine.sim.mexc.instruments import WALLET
from engine.sim.mexc.proto import (ACCOUNT_CHANNEL, DEALS_CHANNEL, ORDERS_CHANNEL, account_frame, deals_frame,
                                   orders_frame)
from engine.sim.mexc.rest import wire_order_id
from engine.sim.mexc.shapes import trade_id, wire_status

__all__ = ["AccountPushes", "order_pushes"]

_STATUS = {"NEW": 1, "FILLED": 2, "PARTIALLY_FILLED": 3, "CANCELED": 4, "PARTIALLY_CANCELED": 5}
_BALANCE_TYPE = {"NEW": "ENTRUST_PLACE", "TRADE": "TRADE"}


def _order_type(o: Order) -> int:
    if o.type == "MARKET":
        return 5
    if o.post_only:
        return 2
    return {"IOC": 3, "FOK": 4}.get(o.tif, 1)


def order_pushes(ev) -> list[tuple[str, bytes]]:
    """(channel, frame) pairs for one order event."""
    o: Order = ev.order
    fill = ev.fill
    now = now_ms()
    qty = o.qty or ZERO
    quote = o.extra.get("quote_qty")
    fields = dict(id=wire_order_id(o.oid), clientId=o.client_id or "", price=plain(o.price) if o.price else "0",
                  quantity=plain(qty), amount=plain(quote) if quote else "0", avgPrice=plain(o.avg_price),
                  orderType=_order_type(o), tradeType=1 if o.side == "BUY" else 2,
                  remainAmount=plain(max(quote - o.cum_quote, ZERO)) if quote else "0",
                  remainQuantity=plain(max(qty - o.filled, ZERO)) if o.is_open else "0",
                  cumulativeQuantity=plain(o.filled), cumulativeAmount=plain(o.cum_quote),
                  status=_STATUS[wire_status(o)], createTime=o.created_ms)
    if fill is not None:
        maker = fill.maker is o
        fields.update(isMaker=maker, lastDealQuantity=plain(fill.qty))
    out = [(ORDERS_CHANNEL, orders_frame(o.symbol, now, **fields))]
    if fill is not None:
        for f, fee, asset, maker in o.fills:
            if f is fill:
                out.append((DEALS_CHANNEL, deals_frame(o.symbol, now, price=plain(f.price), quantity=plain(f.qty),
                                       amount=plain(f.price * f.qty), tradeType=1 if o.side == "BUY" else 2,
                                       isMaker=maker, isSelfTrade=f.maker.account is f.taker.account,
                                       tradeId=trade_id(f), clientOrderId=o.client_id or "",
                                       orderId=wire_order_id(o.oid), feeAmount=plain(fee), feeCurrency=asset,
                                       time=o.last_exec_ms or now)))
    return out


def coin_id(asset: str) -> str:
    """A stable 32-hex coin id per asset (the venue's are opaque)."""
    return hashlib.md5(asset.encode()).hexdigest()


class AccountPushes:
    """``account`` pushes of one connection: what each asset holds and how much that changed since
    the connection's last push of it; ``type`` follows the order event that moved it."""

    def __init__(self, account) -> None:
        self.account = account
        self.seen: dict[str, tuple] = {a: (b.free, b.locked) for a, b in account.wallets[WALLET].items()}
        self.last_exec = "NEW"

    def order_seen(self, exec_type: str) -> None:
        self.last_exec = exec_type

    def pushes(self, ev) -> list[tuple[str, bytes]]:
        out = []
        now = now_ms()
        kind = _BALANCE_TYPE.get(self.last_exec, "ENTRUST_CANCEL")
        for asset in ev.assets or ():
            b = self.account.wallets[WALLET][asset]
            free0, locked0 = self.seen.get(asset, (ZERO, ZERO))
            if (free0, locked0) == (b.free, b.locked):
                continue
            self.seen[asset] = (b.free, b.locked)
            frame = account_frame(now, now, vcoinName=asset, coinId=coin_id(asset), balanceAmount=plain(b.free),
                                  balanceAmountChange=plain(b.free - free0), frozenAmount=plain(b.locked),
                                  frozenAmountChange=plain(b.locked - locked0), type=kind, time=now)
            out.append((ACCOUNT_CHANNEL, frame))
        return out
