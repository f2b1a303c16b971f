"""Auto OCO brackets: the stop-loss and take-profit legs an entry carries in signed ticks.

Wire facts (shared/venues/topstepx-projectx.md §4) and what is the simulator's choice:

1. ``stopLossBracket`` / ``takeProfitBracket`` = ``{ticks, type}``; ``type`` is the leg's
   OrderType (1 Limit, 4 Stop; others refused here).  Ticks are signed from the entry: a
   long's stop-loss negative and take-profit positive, a short's the other way round
   (peer code); a wrong sign is refused with "Ticks should be less than zero when longing"
   (peer code) or the matching wording for the other cases (unconfirmed).
2. The legs exist from the entry's placement, status 8 Suspended (left out of
   ``searchOpen``), each with ``parentOrderId`` = the entry and ``linkedOrderId`` = its
   sibling (the fields' meaning is unconfirmed).  They are the account's orders: the hub
   reports them, Order/search lists them, and they can be modified or cancelled.
3. When the entry is filled (or ends partly filled) the legs go live for the filled size,
   priced from its average fill price: ``avg + ticks x tickSize``.  A stop leg already
   beyond the market executes at once.  An entry ending unfilled cancels its legs.
4. One leg filled cancels the other (OCO).  A leg cancelled by hand leaves its sibling.
"""

from __future__ import annotations

from engine.sim.core_types import Reject, now_ms
from engine.sim.matching import Order
from engine.sim.topstepx.instruments import contract

__all__ = ["Brackets"]

_LEG_TYPES = {1: "LIMIT", 4: "STOP_MARKET"}


def _sign_error(side_n: int, role: str, ticks: int) -> str | None:
    want_negative = (role == "stop") == (side_n == 0)
    if want_negative and ticks >= 0:
        return "Ticks should be less than zero when " + ("longing" if side_n == 0 else "shorting")
    if not want_negative and ticks <= 0:
        return "Ticks should be greater than zero when " + ("longing" if side_n == 0 else "shorting")
    return None


class Brackets:
    def __init__(self, sim) -> None:
        self.sim = sim
        self.legs_of: dict[int, list[Order]] = {}      # entry id -> its legs

    @staticmethod
    def legs(side_n: int, sl, tp):
        """[(role, ticks, type)] of an entry's bracket objects, or the refusal's message."""
        out = []
        for role, leg in (("stop", sl), ("take", tp)):
            if leg is None:
                continue
            if not isinstance(leg, dict):
                return "Invalid bracket."
            leg = {str(k).lower(): v for k, v in leg.items()}
            ticks, kind = leg.get("ticks"), leg.get("type")
            if not isinstance(ticks, int) or isinstance(ticks, bool) or kind not in _LEG_TYPES:
                return "Invalid bracket."
            err = _sign_error(side_n, role, ticks)
            if err:
                return err
            out.append((role, ticks, kind))
        return out

    def attach(self, entry: Order, legs) -> None:
        """Record the Suspended legs of ``entry`` (rule 2), before the entry is placed."""
        core = self.sim.core
        made = []
        for role, ticks, kind in legs:
            leg = Order(oid=core.new_oid(), market=entry.market, symbol=entry.symbol, account=entry.account,
                        client_id="", side="SELL" if entry.side == "BUY" else "BUY", type=_LEG_TYPES[kind],
                        tif="GTC", qty=entry.qty, status="SUSPENDED")
            leg.extra.update(tsx_type=kind, suspended=True, parent=entry.oid, ticks=ticks, role=role,
                             created_ms=now_ms())
            made.append(leg)
        if len(made) == 2:
            made[0].extra["linked"], made[1].extra["linked"] = made[1].oid, made[0].oid
        self.legs_of[entry.oid] = made
        entry.extra["legs"] = [leg.oid for leg in made]

    def forget(self, entry: Order) -> None:
        """The entry was refused: its legs never existed."""
        self.legs_of.pop(entry.oid, None)

    def modify_suspended(self, leg: Order, qty, limit, stop) -> None:
        if qty is not None:
            leg.qty = qty
        if limit is not None or stop is not None:
            leg.extra["price"] = limit if limit is not None else stop
        leg.updated_ms = now_ms()
        self.sim.core._order_event(leg, "AMENDMENT")

    def cancel_suspended(self, leg: Order) -> None:
        leg.extra["suspended"] = False
        leg.status = "CANCELED"
        leg.updated_ms = now_ms()
        self.sim.core._order_event(leg, "CANCELED")

    # -- the core's order events ---------------------------------------------------------------------
    def on_event(self, order: Order, exec_type: str) -> None:
        legs = self.legs_of.get(order.oid)
        if legs is not None:
            if not order.extra.get("legs_shown"):
                order.extra["legs_shown"] = True        # the entry is accepted: its legs exist
                for leg in legs:
                    self.sim.core.register(leg)
                    self.sim.core._order_event(leg, "NEW")
            if not order.is_open:
                self.legs_of.pop(order.oid, None)
                if order.filled > 0:
                    for leg in legs:
                        self._activate(order, leg)
                else:
                    for leg in legs:
                        if leg.extra.get("suspended"):
                            self.cancel_suspended(leg)
            return
        linked = order.extra.get("linked")
        if linked is not None and order.status == "FILLED":
            other = self.sim.core.orders.get(linked)
            if other is not None and other.is_open:
                self.sim.core.cancel(other)

    def _activate(self, entry: Order, leg: Order) -> None:
        if not leg.extra.get("suspended"):
            return                                  # cancelled while it waited
        c = contract(entry.symbol)
        price = leg.extra.get("price") or entry.avg_price + leg.extra["ticks"] * c.tick_size
        leg.extra["suspended"] = False
        leg.qty = min(leg.qty, entry.filled)
        if leg.type == "LIMIT":
            leg.price = price
        else:
            leg.stop_price = price
            leg.trigger_dir = "UP" if leg.side == "BUY" else "DOWN"
        leg.status = None
        core = self.sim.core
        try:
            core.place(leg)
        except Reject as exc:
            if exc.reason == "would_trigger":
                leg.type, leg.stop_price = "MARKET", None      # rule 3: beyond the market already
                try:
                    core.place(leg)
                    return
                except Reject:
                    pass
            leg.status = "REJECTED"
            leg.updated_ms = now_ms()
            core._order_event(leg, "REJECTED")
