"""Bybit V5 TP/SL attached to an order on create (``takeProfit``/``stopLoss`` on ``/v5/order/create``), linear.

Wire facts (bybit-exchange/docs: v5/order/create-order.mdx, v5/enum.mdx,
v5/websocket/private/order.mdx):

1. ``tpslMode``: ``Full`` (the whole position; Market exits only) or ``Partial`` ("it will
   create tp/sl orders with the qty you actually fill"; Limit exits need Partial, with
   ``tpLimitPrice``/``slLimitPrice``).  ``tpOrderType``/``slOrderType`` default Market;
   ``tpTriggerBy``/``slTriggerBy`` default LastPrice.  A reduce-only order cannot carry TP/SL.
2. The exits are orders the venue creates: ``stopOrderType`` PartialTakeProfit /
   PartialStopLoss (Full: TakeProfit / StopLoss), ``createType`` CreateByPartialTakeProfit
   ... , ``orderStatus`` Untriggered until the trigger, ``parentOrderLinkId`` = the entry's
   ``orderLinkId``; they carry no ``orderLinkId`` of ours (system-managed: Bybit's answer in
   bybit-exchange/pybit#213 and docs-legacy#185).  ``orderLinkId`` is sent as "" (wire text
   unconfirmed).
3. When one exit triggers the other is cancelled (cancelType
   CancelByOCOSlCanceledByTpTriggered / CancelByOCOTpCanceledBySlTriggered); exits left when
   the position is closed are cancelled with CancelByTpSlTsClear.

Modelled here, unconfirmed: one TP/SL pair per fill of the entry in Partial mode (each sized
to that fill); in Full mode one pair, resized to the position after every fill; the Bybit
error code 10001 for every bad TP/SL parameter (texts are ours).  Spot TP/SL on create
(one "BidirectionalTpslOrder" carrying both triggers) is not simulated: refused with 10001.
"""

from __future__ import annotations

from engine.sim.bybit.common import number
from engine.sim.bybit.errors import BybitError
from engine.sim.core_types import Reject
from engine.sim.decimals import plain
from engine.sim.matching import Order

__all__ = ["attach", "row_fields"]

TRIGGER_BY = ("LastPrice", "IndexPrice", "MarkPrice")


def _err(msg: str):
    return BybitError(10001, f"params error: {msg}")


def attach(sim, order: Order, args: dict, cat: str, last) -> None:
    """Validate the TP/SL fields of a create request and remember them on ``order``."""
    tp, sl = number(args, "takeProfit"), number(args, "stopLoss")
    if tp == 0:
        tp = None
    if sl == 0:
        sl = None
    if tp is None and sl is None:
        return
    if cat != "linear":
        raise _err("TP/SL on spot orders is not simulated")
    if order.reduce_only:
        raise _err("reduceOnly order cannot set take profit / stop loss")
    mode = args.get("tpslMode") or "Full"                     # default: wire text unconfirmed
    if mode not in ("Full", "Partial"):
        raise _err("tpslMode invalid")
    spec = {"mode": mode, "tp": tp, "sl": sl}
    inst = sim.core.instrument(order.market, order.symbol)
    base = order.price if order.price is not None else last
    for role, trig in (("tp", tp), ("sl", sl)):
        kind = args.get(role + "OrderType") or "Market"
        if kind not in ("Market", "Limit"):
            raise _err(f"{role}OrderType invalid")
        if kind == "Limit" and mode != "Partial":
            raise _err(f"{role}OrderType=Limit needs tpslMode=Partial")
        limit = number(args, role + "LimitPrice")
        if kind == "Limit" and trig is not None and limit is None:
            raise _err(f"{role}LimitPrice is empty")
        by = args.get(role + "TriggerBy") or "LastPrice"
        if by not in TRIGGER_BY:
            raise _err(f"{role}TriggerBy invalid")
        for px in (trig, limit if kind == "Limit" else None):
            if px is not None and px % inst.tick != 0:
                raise _err(f"{role} price invalid")
        if trig is not None:
            above = (role == "tp") == (order.side == "BUY")       # a long's TP above, SL below
            if (above and trig <= base) or (not above and trig >= base):
                raise _err(f"{'takeProfit' if role == 'tp' else 'stopLoss'} on the wrong side of the price")
        spec[role + "_type"], spec[role + "_limit"], spec[role + "_by"] = kind, limit, by
    order.extra["tpsl"] = spec
    _watch(sim.core)


def row_fields(o: Order) -> dict:
    """The TP/SL members of an order row (the entry's attached prices, or an exit's own)."""
    spec = o.extra.get("tpsl") or o.extra.get("tpsl_of")
    if spec is None:
        return {}
    out = {"takeProfit": plain(spec["tp"]) if spec["tp"] is not None else "",
           "stopLoss": plain(spec["sl"]) if spec["sl"] is not None else "", "tpslMode": spec["mode"],
           "tpLimitPrice": plain(spec.get("tp_limit")) if spec.get("tp_limit") is not None else "",
           "slLimitPrice": plain(spec.get("sl_limit")) if spec.get("sl_limit") is not None else "",
           "tpTriggerBy": spec.get("tp_by", ""), "slTriggerBy": spec.get("sl_by", "")}
    if "stop_order_type" in o.extra:
        out.update(stopOrderType=o.extra["stop_order_type"], createType=o.extra["create_type"],
                   parentOrderLinkId=o.extra["parent_link"])
    return out


# -- the exits' life ------------------------------------------------------------------------------
def _watch(core) -> None:
    if getattr(core, "_bybit_tpsl_watched", False):
        return
    core._bybit_tpsl_watched = True

    def on_order_event(order: Order, exec_type: str, fill) -> None:
        if exec_type == "TRADE" and fill is not None and order.market == "ylinear":
            if "tpsl" in order.extra:
                _on_entry_fill(core, order, fill.qty)
            _clear_if_flat(core, order)
        elif exec_type == "TRIGGERED" and "tpsl_role" in order.extra:
            twin = order.extra.get("twin")
            if twin is not None and twin.is_open and not twin.triggered:
                twin.cancel_type = ("CancelByOCOSlCanceledByTpTriggered" if order.extra["tpsl_role"] == "tp"
                                    else "CancelByOCOTpCanceledBySlTriggered")
                core.cancel(twin)

    core.watchers.append(on_order_event)


def _on_entry_fill(core, entry: Order, qty) -> None:
    spec = entry.extra["tpsl"]
    if spec["mode"] == "Full":
        pos = entry.account.position("bybit", entry.symbol)
        live = [leg for leg in entry.extra.get("tpsl_legs", ()) if leg.is_open and not leg.triggered]
        if live:
            for leg in live:
                core.amend(leg, qty=abs(pos.amount))
            return
        qty = abs(pos.amount)
    legs = []
    for role in ("tp", "sl"):
        trig = spec[role]
        if trig is None:
            continue
        limit = spec[role + "_type"] == "Limit"
        partial = spec["mode"] == "Partial"
        name = ("Partial" if partial else "") + ("TakeProfit" if role == "tp" else "StopLoss")
        exit_side = "SELL" if entry.side == "BUY" else "BUY"
        rises = (role == "tp") == (entry.side == "BUY")
        leg = Order(oid=core.new_oid(), market=entry.market, symbol=entry.symbol, account=entry.account,
                    client_id="", side=exit_side, type="CONDITIONAL_LIMIT" if limit else "CONDITIONAL_MARKET",
                    tif="GTC" if limit else "IOC", price=spec[role + "_limit"] if limit else None, qty=qty,
                    stop_price=trig, reduce_only=True, trigger_dir="UP" if rises else "DOWN",
                    working_type="MARK_PRICE" if spec[role + "_by"] != "LastPrice" else None)
        leg.extra.update(bybit_type="Limit" if limit else "Market", bybit_tif="GTC" if limit else "IOC",
                         stop_order_type=name, create_type="CreateBy" + name, parent_link=entry.client_id,
                         tpsl_role=role, tpsl_of=spec)
        legs.append(leg)
    if len(legs) == 2:
        legs[0].extra["twin"], legs[1].extra["twin"] = legs[1], legs[0]
    entry.extra.setdefault("tpsl_legs", []).extend(legs)
    for leg in legs:
        try:
            core.place(leg)
        except Reject as exc:               # the price is already past the trigger: the exit cannot wait
            leg.status = "REJECTED"
            leg.reject_reason = exc.reason
            core.register(leg)
            core._order_event(leg, "REJECTED")


def _clear_if_flat(core, order: Order) -> None:
    """Exits left when the position is closed are cancelled (cancelType CancelByTpSlTsClear)."""
    pos = order.account.position("bybit", order.symbol)
    if pos.amount != 0:
        return
    for o in core.account_orders(order.market, order.account, order.symbol):
        if "tpsl_role" in o.extra and o.is_open and not o.triggered:
            o.cancel_type = "CancelByTpSlTsClear"
            core.cancel(o)
