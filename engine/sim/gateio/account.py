"""Gate.io spot account routes: balances (``/spot/accounts``), the account detail ccxt reads,
the batch forms of place, amend and cancel (per-item results), and the countdown cancel-all
(gateio-spot.md §4).
"""

from __future__ import annotations

import asyncio

from engine.sim.core_types import now_ms
from engine.sim.decimals import exact, plain
from engine.sim.gateio import orders
from engine.sim.gateio.errors import GateError
from engine.sim.gateio.instruments import MARKET, WALLET
from engine.sim.gateio.shapes import order_row
from engine.sim.gateio.state import state_of

__all__ = ["accounts", "detail", "batch_place", "batch_amend", "batch_cancel", "countdown"]


def accounts(sim, account, q: dict) -> list:
    want = q.get("currency")
    return [{"currency": asset, "available": plain(bal.free), "locked": plain(bal.locked), "update_id": 1}
            for asset, bal in sorted(account.wallets[WALLET].items()) if not want or asset == want]


def detail(sim, account) -> dict:
    """``GET /account/detail``: a classic (not unified) account, ``key.mode`` 1."""
    return {"user_id": account.uid, "ip_whitelist": [], "currency_pairs": [], "key": {"mode": 1}, "tier": 0,
            "tier_expire_time": "0001-01-01T00:00:00Z", "copy_trading_role": 0}


def _failed(label: str, message: str, **echo) -> dict:
    return {**echo, "succeeded": False, "label": label, "message": message}


def _items(body, most: int, what: str) -> list:
    if not isinstance(body, list) or not body:
        raise GateError("INVALID_REQUEST_BODY", f"{what}: a non-empty JSON array is expected")
    if len(body) > most:
        raise GateError("TOO_MANY_ORDERS", f"{what}: at most {most} per request")
    return body


def batch_place(sim, account, body) -> list:
    """``POST /spot/batch_orders``: at most 4 pairs and 10 orders per pair, ``text`` required on each, all
    from one account; one result per item, in order."""
    items = _items(body, 40, "batch_orders")
    pairs: dict[str, int] = {}
    for item in items:
        pair = str(item.get("currency_pair") if isinstance(item, dict) else "")
        pairs[pair] = pairs.get(pair, 0) + 1
    if len(pairs) > 4:
        raise GateError("TOO_MANY_CURRENCY_PAIRS", "at most 4 currency pairs per batch")
    if max(pairs.values()) > 10:
        raise GateError("TOO_MANY_ORDERS", "at most 10 orders per currency pair per batch")
    if len({str((i.get("account") if isinstance(i, dict) else None) or "spot") for i in items}) > 1:
        raise GateError("MIXED_ACCOUNT_TYPE", "every order of a batch must use the same account")
    out = []
    for item in items:
        text = item.get("text") if isinstance(item, dict) else None
        try:
            if not text:
                raise GateError("MISSING_REQUIRED_PARAM", "text is required in batch orders")
            o, _ = orders.create(sim, account, item)
        except GateError as exc:
            out.append(_failed(exc.label, exc.message, text=text or "", order_id="", amend_text="-"))
            continue
        out.append({**order_row(o), "order_id": str(o.oid), "succeeded": True, "label": "", "message": ""})
    return out


def batch_amend(sim, account, body) -> list:
    """``POST /spot/amend_batch_orders``: at most 5; a failure does not stop the later items."""
    out = []
    for item in _items(body, 5, "amend_batch_orders"):
        oid = str(item.get("order_id") or "") if isinstance(item, dict) else ""
        try:
            if not isinstance(item, dict):
                raise GateError("INVALID_REQUEST_BODY", "each item is an object")
            row = orders.amend(sim, account, item, oid)
        except GateError as exc:
            out.append(_failed(exc.label, exc.message, order_id=oid, text="", amend_text="-"))
            continue
        out.append({**row, "order_id": row["id"], "succeeded": True, "label": "", "message": ""})
    return out


def batch_cancel(sim, account, body) -> list:
    """``POST /spot/cancel_batch_orders``: ``[{currency_pair, id}]``, several pairs, at most 20."""
    out = []
    for item in _items(body, 20, "cancel_batch_orders"):
        pair = str(item.get("currency_pair") or "") if isinstance(item, dict) else ""
        oid = str(item.get("id") or "") if isinstance(item, dict) else ""
        echo = {"currency_pair": pair, "id": oid, "account": "spot"}
        try:
            row = orders.cancel(sim, account, {"currency_pair": pair}, oid)
        except GateError as exc:
            out.append(_failed(exc.label, exc.message, text="", **echo))
            continue
        out.append({**echo, "text": row["text"], "succeeded": True, "label": "", "message": ""})
    return out


def countdown(sim, account, body) -> dict:
    """``POST /spot/countdown_cancel_all`` ``{timeout, currency_pair}``: 0 disarms, else at least 5 s; when it
    runs out the pair's open orders (every pair's without one) are cancelled."""
    if not isinstance(body, dict):
        raise GateError("INVALID_REQUEST_BODY", "a JSON object is expected")
    try:
        timeout = int(body.get("timeout"))
    except (TypeError, ValueError):
        raise GateError("INVALID_PARAM_VALUE", "timeout is a number of seconds") from None
    if timeout != 0 and timeout < 5:
        raise GateError("INVALID_PARAM_VALUE", "timeout is 0 or at least 5 seconds")
    pair = str(body.get("currency_pair") or "")
    if pair:
        orders.pair_of(sim, body)
    st = state_of(sim)
    timers = st.countdowns
    old = timers.pop((account.key, pair), None)
    if old is not None:
        old.cancel()
    if timeout == 0:
        return {"triggerTime": 0}

    @exact
    def fire():
        timers.pop((account.key, pair), None)
        for o in sim.core.account_orders(MARKET, account, pair or None):
            if o.is_open:
                sim.core.cancel(o)

    wait_s = timeout * st.countdown_second
    timers[(account.key, pair)] = asyncio.get_running_loop().call_later(wait_s, fire)
    return {"triggerTime": now_ms() + int(wait_s * 1000)}
