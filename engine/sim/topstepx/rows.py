"""The Gateway's objects as JSON (shared/venues/topstepx-projectx.md §4, §7): Order (swagger
``OrderModel``), Position, half-turn Trade and Account rows, for REST answers and hub events.

Numbers are JSON numbers (prices to at most 9 decimals), enums integers, timestamps
ISO-8601 with the UTC offset.  Order rows also carry ``trailDistance``/``trailPrice`` (a
trailing stop; ``trailPrice`` reads back as the distance in price), ``parentOrderId`` and
``linkedOrderId`` (bracket legs: their semantics are unconfirmed; here a leg names its
entry as parent and its sibling as linked).
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from engine.sim.topstepx.instruments import CONTRACTS, contracts

__all__ = ["num", "iso", "order_row", "STATUS", "trade_row", "position_row", "account_row", "parse_iso"]

STATUS = {"NEW": 1, "PARTIALLY_FILLED": 1, "FILLED": 2, "CANCELED": 3, "EXPIRED": 4, "REJECTED": 5}
_NANO = Decimal("0.000000001")


def num(value: Decimal | None):
    """A decimal as a JSON number (int when whole), None as null."""
    if value is None:
        return None
    value = Decimal(value).quantize(_NANO).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat()


def parse_iso(text) -> float | None:
    """Seconds since the epoch of an ISO-8601 timestamp (no offset: UTC); None when unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.timestamp()


def order_row(o, account_id: int) -> dict:
    """A core order of the TopstepX market."""
    c = CONTRACTS[o.symbol]
    x = o.extra
    kind = x.get("tsx_type", 1)
    status = 8 if x.get("suspended") else STATUS.get(o.status, 1)
    row = {"id": o.oid, "accountId": account_id, "contractId": c.id, "symbolId": c.symbol_id,
           "creationTimestamp": iso(o.created_ms or x.get("created_ms")),
           "updateTimestamp": iso(o.updated_ms or x.get("created_ms")), "status": status, "type": kind,
           "side": 0 if o.side == "BUY" else 1, "size": contracts(c, o.qty),
           "limitPrice": num(o.price) if kind in (1, 3, 6, 7) else None,
           "stopPrice": num(o.stop_price) if kind in (3, 4) else None,
           "fillVolume": contracts(c, o.filled), "filledPrice": num(o.avg_price) if o.filled else None,
           "customTag": o.client_id or None}
    if kind == 5:
        row["trailDistance"] = x.get("trail_ticks")
        row["trailPrice"] = num(x.get("trail_ticks", 0) * c.tick_size)
        row["stopPrice"] = num(x.get("trail_stop"))
    if x.get("parent") is not None:
        row["parentOrderId"] = x["parent"]
    if x.get("linked") is not None:
        row["linkedOrderId"] = x["linked"]
    return row


def trade_row(trade_id: int, account_id: int, order, fill, contracts_n: int, pnl, fee: Decimal) -> dict:
    return {"id": trade_id, "accountId": account_id, "contractId": order.symbol,
            "creationTimestamp": iso(order.last_exec_ms), "price": num(fill.price),
            "profitAndLoss": None if pnl is None else num(pnl), "fees": num(fee), "side": 0 if order.side == "BUY"
            else 1, "size": contracts_n, "voided": False, "orderId": order.oid}


def position_row(pos_id: int, account_id: int, contract_id: str, pos, created_ms: int) -> dict:
    """A position (``size`` unsigned, ``type`` 1 long, 2 short; a closed one: size 0, type 0)."""
    c = CONTRACTS[contract_id]
    n = abs(contracts(c, pos.amount))
    return {"id": pos_id, "accountId": account_id, "contractId": contract_id, "contractDisplayName": c.name,
            "creationTimestamp": iso(created_ms), "type": 0 if n == 0 else (1 if pos.amount > 0 else 2),
            "size": n, "averagePrice": num(pos.entry) if n else 0}


def account_row(st) -> dict:
    return {"id": st.id, "name": st.name, "balance": num(st.balance()), "canTrade": st.can_trade,
            "isVisible": True, "simulated": st.simulated}
