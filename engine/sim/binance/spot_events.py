"""Binance spot user-data payloads: executionReport, outboundAccountPosition and listStatus
for one core event (served by the WebSocket API's user-data subscriptions).
"""

from __future__ import annotations

from engine.sim.binance import order_lists
from engine.sim.binance.spot_common import WALLET, f8, list_id
from engine.sim.core_types import CONDITIONAL_TYPES
from engine.sim.decimals import ZERO

__all__ = ["format_event"]


def format_event(ev) -> list[dict]:
    """executionReport / outboundAccountPosition payloads for one core event (unwrapped)."""
    if ev.kind == "order":
        o, fill = ev.order, ev.fill
        x = ev.exec_type
        if x == "TRIGGERED":
            return []
        status = o.status
        last_qty = last_px = ZERO
        fee, fee_asset, maker, trade_id = ZERO, None, False, -1
        cum, cum_quote = o.filled, o.cum_quote
        if fill is not None:
            last_qty, last_px, trade_id = fill.qty, fill.price, fill.trade_id
            maker = fill.maker is o
            for f, fe, asset, mk in o.fills:
                if f is fill:
                    fee, fee_asset = fe, asset
        elif x == "NEW":
            status = "PENDING_NEW" if o.status == "PENDING_NEW" else "NEW"
            cum = cum_quote = ZERO
        cancel = x == "CANCELED"
        body = {
            "e": "executionReport", "E": ev.ts, "s": o.symbol,
            "c": o.extra.get("cancel_client_id", o.client_id) if cancel else o.client_id,
            "S": o.side, "o": o.type, "f": o.tif, "q": f8(o.qty), "p": f8(o.price), "P": f8(o.stop_price),
            "F": f8(ZERO), "g": list_id(o), "C": o.client_id if cancel else "", "x": x, "X": status,
            "r": "NONE", "i": o.oid, "l": f8(last_qty), "z": f8(cum), "L": f8(last_px), "n": f8(fee),
            "N": fee_asset, "T": ev.ts, "t": trade_id, "I": ev.ts, "w": status in ("NEW", "PARTIALLY_FILLED")
            and o.type not in CONDITIONAL_TYPES or o.triggered and status in ("NEW", "PARTIALLY_FILLED"),
            "m": maker, "M": False, "O": o.created_ms, "Z": f8(cum_quote), "Y": f8(last_qty * last_px),
            "Q": f8(o.quote_qty), "V": "NONE",
        }
        if o.working_ms:
            body["W"] = o.working_ms
        if x == "EXPIRED" and o.expiry_reason:
            body["eR"] = o.expiry_reason.upper()
        return [body]
    if ev.kind == "list":
        return [order_lists.list_event_json(ev)]
    if ev.kind == "balance":
        wallet = ev.account.wallets[WALLET]
        return [{"e": "outboundAccountPosition", "E": ev.ts, "u": ev.ts,
                 "B": [{"a": a, "f": f8(wallet[a].free), "l": f8(wallet[a].locked)} for a in ev.assets]}]
    return []
