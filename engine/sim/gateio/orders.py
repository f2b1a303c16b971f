"""Gate.io spot orders: create, get, amend, cancel, cancel all, the batch forms, the order lists and
trades (shared by REST and the WebSocket order API; gateio-spot.md §4).

Rules kept here:

1. ``text`` is the client id: ``t-`` and at most 28 bytes of ``[0-9A-Za-z_.-]``.  A second order
   under a text is accepted; the later one takes it (lookups by text find it).
2. Lookups and cancels by text find only open orders (``CLIENT_ID_NOT_FOUND`` otherwise); by the
   numeric id an order is found whatever its state.
3. A market BUY's ``amount`` is what it spends in the quote currency; market orders take ``ioc``
   (default) or ``fok``.
4. A post-only order that would take and an FOK order that cannot fill come back ``cancelled``
   with ``finish_as`` ``poc``/``fok`` (HTTP 201), or, with :attr:`GateState.poc_error` /
   :attr:`GateState.fok_error` set, as ``POC_FILL_IMMEDIATELY`` / ``FOK_NOT_FILL`` (the sheet
   says the venue does either: which one, when, is unconfirmed).
5. An amend keeps queue priority only when the amount alone goes down; an amount at or below
   what is filled cancels the order.
"""

from __future__ import annotations

import re

from engine.sim.core_types import Reject
from engine.sim.decimals import decimals_of, parse_number
from engine.sim.gateio.errors import GateError
from engine.sim.gateio.instruments import MARKET
from engine.sim.gateio.shapes import order_row, trade_row
from engine.sim.gateio.state import state_of
from engine.sim.matching import Order

__all__ = ["create", "get", "cancel", "amend", "cancel_all", "list_orders", "open_orders", "my_trades",
           "result_of", "TEXT"]

TEXT = re.compile(r"^t-[0-9A-Za-z_.-]{1,28}$")
_FEE_FIELDS = ("fee", "fee_currency", "point_fee", "gt_fee", "gt_maker_fee", "gt_taker_fee", "gt_discount",
               "rebated_fee", "rebated_fee_currency")


def pair_of(sim, args: dict, required: bool = True):
    pair = args.get("currency_pair")
    if not pair:
        if required:
            raise GateError("MISSING_REQUIRED_PARAM", "currency_pair is required")
        return None
    inst = sim.core.instrument(MARKET, str(pair))
    if inst is None:
        raise GateError("INVALID_CURRENCY_PAIR", f"Invalid currency pair {pair}")
    return inst


def _number(args: dict, name: str, required: bool = False):
    raw = args.get(name)
    if raw is None or raw == "":
        if required:
            raise GateError("MISSING_REQUIRED_PARAM", f"{name} is required")
        return None
    val = parse_number(raw if isinstance(raw, str) else str(raw)) if not isinstance(raw, bool) else None
    if val is None or val <= 0:
        raise GateError("INVALID_PARAM_VALUE", f"Invalid {name}: {raw}")
    return val


def _check_text(args: dict):
    text = args.get("text")
    if text in (None, ""):
        return ""
    if not isinstance(text, str) or not TEXT.match(text):
        raise GateError("INVALID_PARAM_VALUE", "text must start with t- and hold at most 28 bytes of "
                                               "[0-9A-Za-z_.-] after it")
    return text


def _check_account(args: dict) -> None:
    acct = args.get("account") or "spot"
    if acct != "spot":
        raise GateError("MARGIN_NOT_SUPPORTED" if acct in ("margin", "cross_margin") else "INVALID_PARAM_VALUE",
                        f"account {acct} is not enabled for this user")


def _check_terms(inst, amount, price) -> None:
    if price is not None and decimals_of(price) > inst.price_precision:
        raise GateError("INVALID_PRECISION", f"Invalid price precision: {inst.price_precision} decimals at most")
    if decimals_of(amount) > inst.qty_precision:
        raise GateError("INVALID_PRECISION", f"Invalid amount precision: {inst.qty_precision} decimals at most")
    if amount < inst.min_qty:
        raise GateError("AMOUNT_TOO_LITTLE", f"Your order size {amount} is too small. The minimum is {inst.min_qty}")
    if amount > inst.max_qty:
        raise GateError("AMOUNT_TOO_MUCH", f"Your order size {amount} is too large. The maximum is {inst.max_qty}")
    if price is not None and price * amount < inst.min_notional:
        raise GateError("AMOUNT_TOO_LITTLE", f"Your order value is too small. The minimum is {inst.min_notional} "
                                             f"{inst.quote}")


def result_of(o: Order, mode: str) -> dict:
    """The answer to a create, by ``action_mode``: ACK (id, text, amend_text), RESULT (no fee fields), FULL."""
    row = order_row(o)
    if mode == "ACK":
        return {"id": row["id"], "text": row["text"], "amend_text": row["amend_text"]}
    if mode == "RESULT":
        for name in _FEE_FIELDS:
            row.pop(name, None)
    return row


def create(sim, account, args: dict) -> tuple[Order, str]:
    """Place one order; returns it and its ``action_mode`` (the answer's shape)."""
    if not isinstance(args, dict):
        raise GateError("INVALID_REQUEST_BODY", "order must be a JSON object")
    refusals = state_of(sim).refusals
    if refusals:
        label, status = refusals.pop(0)
        raise GateError(label, f"refused: {label}", status)
    inst = pair_of(sim, args)
    _check_account(args)
    side = args.get("side")
    if side not in ("buy", "sell"):
        raise GateError("INVALID_PARAM_VALUE", f"Invalid side: {side}")
    otype = args.get("type") or "limit"
    if otype not in ("limit", "market"):
        raise GateError("INVALID_PARAM_VALUE", f"Invalid type: {otype}")
    mode = str(args.get("action_mode") or "FULL").upper()
    if mode not in ("ACK", "RESULT", "FULL"):
        raise GateError("INVALID_PARAM_VALUE", f"Invalid action_mode: {mode}")
    amount = _number(args, "amount", required=True)
    text = _check_text(args)
    tif = args.get("time_in_force") or ("ioc" if otype == "market" else "gtc")
    if tif not in (("ioc", "fok") if otype == "market" else ("gtc", "ioc", "poc", "fok")):
        raise GateError("INVALID_PARAM_VALUE", f"Invalid time_in_force {tif} for a {otype} order")
    state = state_of(sim)
    book = sim.core.books[(MARKET, inst.symbol)]
    quote_qty = None
    if otype == "limit":
        price = _number(args, "price", required=True)
        _check_terms(inst, amount, price)
        if tif == "poc" and state.poc_error and book.would_take(side.upper(), price):
            raise GateError("POC_FILL_IMMEDIATELY", "Order would match and take immediately so it's cancelled")
    else:
        price = None
        if side == "buy":
            if amount < inst.min_notional:
                raise GateError("AMOUNT_TOO_LITTLE", f"Your order value is too small. The minimum is "
                                                     f"{inst.min_notional} {inst.quote}")
            quote_qty = amount
        else:
            _check_terms(inst, amount, None)
    if tif == "fok" and state.fok_error and quote_qty is None \
            and book.available(side.upper(), price) < amount:
        raise GateError("FOK_NOT_FILL", "Order cannot be filled completely")
    o = Order(oid=sim.core.new_oid(), market=MARKET, symbol=inst.symbol, account=account, client_id=text,
              side=side.upper(), type="LIMIT" if otype == "limit" else "MARKET",
              tif={"gtc": "GTC", "poc": "GTC", "ioc": "IOC", "fok": "FOK" if quote_qty is None else "IOC"}[tif],
              price=price, qty=None if quote_qty is not None else amount, quote_qty=quote_qty, post_only=tif == "poc")
    o.extra["gate_tif"] = tif
    try:
        sim.core.place(o)
    except Reject as exc:
        if exc.reason == "insufficient_balance":
            raise GateError("BALANCE_NOT_ENOUGH", "Not enough balance") from None
        raise GateError("INVALID_PARAM_VALUE", f"order refused: {exc.reason}") from None
    return o, mode


def find(sim, account, args: dict, order_id: str) -> Order:
    """The order named by ``order_id`` (its id, or its text while it is open: rule 2)."""
    inst = pair_of(sim, args, required=False)
    symbol = inst.symbol if inst is not None else None
    order_id = str(order_id or "")
    if order_id.isdigit():
        o = sim.core.find(MARKET, account, int(order_id), symbol)
        if o is None:
            raise GateError("ORDER_NOT_FOUND", "Order not found")
        return o
    o = sim.core.find_client(MARKET, account, order_id, symbol) if order_id else None
    if o is None or not o.is_open:
        raise GateError("CLIENT_ID_NOT_FOUND", f"Order with client ID {order_id} not found")
    return o


def get(sim, account, args: dict, order_id: str) -> dict:
    return order_row(find(sim, account, args, order_id))


def cancel(sim, account, args: dict, order_id: str) -> dict:
    pair_of(sim, args)
    o = find(sim, account, args, order_id)
    if not o.is_open:
        raise GateError("ORDER_CLOSED" if o.status == "FILLED" else "ORDER_CANCELLED",
                        "Order is " + ("closed" if o.status == "FILLED" else "cancelled"))
    sim.core.cancel(o)
    return order_row(o)


def amend(sim, account, args: dict, order_id: str) -> dict:
    inst = pair_of(sim, args)
    o = find(sim, account, args, order_id)
    if not o.is_open:
        raise GateError("ORDER_CLOSED" if o.status == "FILLED" else "ORDER_CANCELLED", "Order is not open")
    amount, price = _number(args, "amount"), _number(args, "price")
    if amount is None and price is None:
        raise GateError("MISSING_REQUIRED_PARAM", "amount or price is required")
    _check_terms(inst, amount if amount is not None else o.qty, price if price is not None else o.price)
    text = args.get("amend_text")
    if text:
        o.extra["amend_text"] = str(text)[:31]
    if amount is not None and amount <= o.filled:
        sim.core.cancel(o)                      # rule 5: below what is filled cancels
        return order_row(o)
    keep = price is None or price == o.price
    try:
        sim.core.amend(o, qty=amount, price=price, keep_priority=keep and amount is not None and amount < o.qty,
                       exec_type="AMENDMENT")
    except Reject:
        raise GateError("BALANCE_NOT_ENOUGH", "Not enough balance") from None
    return order_row(o)


def cancel_all(sim, account, args: dict) -> list:
    inst = pair_of(sim, args, required=False)
    side = args.get("side")
    out = []
    for o in sim.core.account_orders(MARKET, account, inst.symbol if inst is not None else None):
        if o.is_open and (not side or o.side == str(side).upper()):
            sim.core.cancel(o)
            out.append(order_row(o))
    return out


def int_arg(args: dict, name: str, default: int, most: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        val = int(raw)
    except (TypeError, ValueError):
        raise GateError("INVALID_PARAM_VALUE", f"Invalid {name}: {raw}") from None
    if val < 1 or val > most:
        raise GateError("INVALID_PARAM_VALUE", f"{name} must be between 1 and {most}")
    return val


def page_of(rows: list, args: dict, most: int) -> list:
    limit = int_arg(args, "limit", 100, most)
    page = int_arg(args, "page", 1, 1 << 30)
    return rows[(page - 1) * limit: page * limit]


def list_orders(sim, account, args: dict) -> list:
    inst = pair_of(sim, args)
    status = args.get("status")
    if status not in ("open", "finished"):
        raise GateError("INVALID_PARAM_VALUE" if status else "MISSING_REQUIRED_PARAM", "status is open or finished")
    rows = [o for o in reversed(sim.core.account_orders(MARKET, account, inst.symbol))
            if o.is_open == (status == "open")]
    if status == "finished":
        side, t0, t1 = args.get("side"), args.get("from"), args.get("to")
        rows = [o for o in rows if (not side or o.side == str(side).upper())
                and (t0 in (None, "") or o.updated_ms // 1000 >= int(t0))
                and (t1 in (None, "") or o.updated_ms // 1000 <= int(t1))]
    return [order_row(o) for o in page_of(rows, args, 100 if status == "open" else 1000)]


def open_orders(sim, account, args: dict) -> list:
    groups: dict[str, list] = {}
    for o in reversed(sim.core.account_orders(MARKET, account)):
        if o.is_open:
            groups.setdefault(o.symbol, []).append(o)
    limit = int_arg(args, "limit", 100, 100)
    return [{"currency_pair": pair, "total": len(orders), "orders": [order_row(o) for o in orders[:limit]]}
            for pair, orders in sorted(groups.items())]


def my_trades(sim, account, args: dict) -> list:
    inst = pair_of(sim, args, required=False)
    want = str(args.get("order_id") or "")
    rows = []
    for o in sim.core.account_orders(MARKET, account, inst.symbol if inst is not None else None):
        if want and str(o.oid) != want:
            continue
        for fill, fee, asset, maker in o.fills:
            rows.append((fill.trade_id, trade_row(o, fill, fee, asset, maker)))
    rows.sort(key=lambda r: r[0], reverse=True)
    return page_of([r for _, r in rows], args, 1000)

