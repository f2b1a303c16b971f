"""Gate.io private-channel pushes for one core event (served by :mod:`.ws`; gateio-spot.md §7).

* ``spot.usertrades``: one item per fill, sent before the order's own update (fills are
  counted from trades, each once by its id).
* ``spot.orders``: the order with ``event`` ``put`` (created), ``update`` (partly filled,
  amended) or ``finish`` (filled, cancelled, expired: ``finish_as`` says which).
* ``spot.balances``: one item per asset the event moved, with ``change`` and
  ``freeze_change`` since the last push on this connection and ``change_type``
  ``order-create``, ``order-match`` or ``order-update`` (a cancel or an amend: there is no
  ``order-cancel``).
"""

from __future__ import annotations

from engine.sim.core_types import now_ms
from engine.sim.decimals import ZERO, plain
from engine.sim.gateio.instruments import WALLET
from engine.sim.gateio.shapes import order_row, trade_row

__all__ = ["Pushes"]

_CHANGE = {"NEW": "order-create", "TRADE": "order-match"}


class Pushes:
    """The pushes of one connection: it remembers what it last told about each balance."""

    def __init__(self, account) -> None:
        self.account = account
        self.seen: dict[str, tuple] = {}          # asset -> (total, locked) last pushed
        self.last_exec = "NEW"

    def format(self, ev) -> list[tuple[str, str, list]]:
        """(channel, pair or "", items) for one core event."""
        if ev.kind == "order":
            o = ev.order
            self.last_exec = ev.exec_type
            out = []
            if ev.exec_type == "TRADE" and ev.fill is not None:
                for fill, fee, asset, maker in o.fills:
                    if fill is ev.fill:
                        out.append(("spot.usertrades", o.symbol,
                                    [trade_row(o, fill, fee, asset, maker, "channel", ev.ts or now_ms())]))
            if ev.exec_type == "NEW":
                event = "put"
            else:
                event = "update" if o.is_open else "finish"
            out.append(("spot.orders", o.symbol, [order_row(o, "channel", event)]))
            return out
        if ev.kind == "balance":
            return [("spot.balances", "", self.balances(ev.assets or ()))]
        return []

    def balances(self, assets) -> list[dict]:
        wallet = self.account.wallets[WALLET]
        t = ev_ms = now_ms()
        items = []
        for asset in assets:
            bal = wallet.get(asset)
            if bal is None:
                continue
            total, locked = bal.total, bal.locked
            old_total, old_locked = self.seen.get(asset, (total, locked))
            self.seen[asset] = (total, locked)
            items.append({"timestamp": str(t // 1000), "timestamp_ms": str(ev_ms), "user": str(self.account.uid),
                          "currency": asset, "change": plain(total - old_total or ZERO), "total": plain(total),
                          "available": plain(bal.free), "freeze": plain(locked),
                          "freeze_change": plain(locked - old_locked or ZERO),
                          "change_type": _CHANGE.get(self.last_exec, "order-update")})
        return items

    def prime(self) -> None:
        """Remember the balances as they are now (the first push then shows the change from here)."""
        for asset, bal in self.account.wallets[WALLET].items():
            self.seen[asset] = (bal.total, bal.locked)
