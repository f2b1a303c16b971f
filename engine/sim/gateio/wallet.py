"""Gate.io withdrawals (gateio-spot.md §9) on the simulator's withdrawal ledger
(:mod:`engine.sim.withdrawals`), behind the same request frame as every private ``/api/v4/`` call.

=============================================  ========================================================
``GET /wallet/currency_chains?currency=``      the asset's chains (``is_withdraw_disabled``, ``decimal``)
``GET /wallet/withdraw_status[?currency=]``    fees per chain, minimum, most per request, day limit
``POST /withdrawals``                          200 with the record, status ``REQUEST``
``GET /wallet/withdrawals``                    newest first; currency, withdraw_id (no time filter then),
                                               withdraw_order_id, from/to (30 days, 7 by default),
                                               limit, offset
``GET /wallet/saved_address?currency=``        the venue-side address list, ``verified`` "1"
``DELETE /withdrawals/{id}``                   cancel while ``REQUEST``; INVALID_WITHDRAW_CANCEL_STATUS else
=============================================  ========================================================

Statuses: pending REQUEST, processing PEND, completed DONE (with a ``block_number``), failed
FAIL, cancelled CANCEL.  Refusals: an address off the list and a wrong chain are
INVALID_PARAM_VALUE (the sheet's peer-code evidence); the other labels (INVALID_PARAM_VALUE for
a closed chain, a bad address, memo or client id and an amount under the minimum,
WITHDRAWAL_OVER_LIMIT above the most per request, INVALID_PRECISION off the chain's decimals,
BALANCE_NOT_ENOUGH) are **unconfirmed**.  The venue's 1 request / 3 s on withdrawals is not
enforced here.  Fees and limits are the simulator's own.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from engine.sim.accounts import InsufficientBalance
from engine.sim.core_types import now_ms
from engine.sim.decimals import plain
from engine.sim.gateio.errors import GateError
from engine.sim.gateio.instruments import WALLET
from engine.sim.withdrawals import SimNetwork, refusal

__all__ = ["ROUTES", "NETWORKS"]

D = Decimal
_ETH = r"^(0x)[0-9A-Fa-f]{40}$"
_MEMO = r"^\S{1,120}$"
# currency -> (its chains, withdraw_fix, minimum, most per request, day limit)
NETWORKS: dict[str, list[SimNetwork]] = {
    "USDT": [SimNetwork("USDT", "ETH", D("3.5"), D("1.5"), D("100000"), D("0.000001"), _ETH, _MEMO,
                        title="ETH/ERC20"),
             SimNetwork("USDT", "TRX", D("1"), D("1.5"), D("100000"), D("0.000001"), r"^T[1-9A-HJ-NP-Za-km-z]{33}$",
                        _MEMO, title="TRX/TRC20"),
             SimNetwork("USDT", "SOL", D("1"), D("1.5"), D("100000"), D("0.000001"), r"^[1-9A-HJ-NP-Za-km-z]{32,44}$",
                        _MEMO, enabled=False, title="SOL")],
    "BTC": [SimNetwork("BTC", "BTC", D("0.0003"), D("0.001"), D("50"), D("0.00000001"),
                       r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,62}$", _MEMO, title="BTC")],
    "ETH": [SimNetwork("ETH", "ETH", D("0.002"), D("0.005"), D("1000"), D("0.00000001"), _ETH, _MEMO, title="ETH")],
}
DAY_LIMIT = D("500000")
STATUS = {"pending": "REQUEST", "processing": "PEND", "completed": "DONE", "failed": "FAIL", "cancelled": "CANCEL"}
_CLIENT_ID = re.compile(r"[0-9A-Za-z_.-]{1,32}")
_REFUSED = {"network": ("INVALID_PARAM_VALUE", "Invalid chain"),
            "disabled": ("INVALID_PARAM_VALUE", "withdrawals on this chain are suspended"),
            "min_amount": ("INVALID_PARAM_VALUE", "amount below the minimum withdrawal amount"),
            "max_amount": ("WITHDRAWAL_OVER_LIMIT", "amount above the limit of one withdrawal"),
            "step": ("INVALID_PRECISION", "amount has too many decimals for this chain"),
            "address": ("INVALID_PARAM_VALUE", "Invalid address"),
            "memo": ("INVALID_PARAM_VALUE", "Invalid memo"),
            "memo_required": ("INVALID_PARAM_VALUE", "memo required"),
            "memo_not_supported": ("INVALID_PARAM_VALUE", "memo not supported"),
            "not_allowed": ("INVALID_PARAM_VALUE",
                            "Error: only used addresses or verified addresses are allowed for api withdrawal"),
            "balance": ("BALANCE_NOT_ENOUGH", "Not enough balance")}
DAY_MS = 86_400_000


def _decimals(net: SimNetwork) -> int:
    return -net.step.as_tuple().exponent if net.step is not None else 8


def currency_chains(sim, account, q: dict) -> list:
    return [{"chain": n.name, "name_cn": n.title, "name_en": n.title, "contract_address": "", "is_disabled": 0,
             "is_deposit_disabled": 0, "is_withdraw_disabled": 0 if n.enabled else 1, "decimal": str(_decimals(n))}
            for n in NETWORKS.get(q.get("currency") or "", [])]


def withdraw_status(sim, account, q: dict) -> list:
    out = []
    for coin, nets in NETWORKS.items():
        if q.get("currency") and q["currency"] != coin:
            continue
        out.append({"currency": coin, "name": coin, "name_cn": coin, "deposit": "0", "withdraw_percent": "0%",
                    "withdraw_fix": plain(nets[0].fee), "withdraw_day_limit": plain(DAY_LIMIT),
                    "withdraw_amount_mini": plain(nets[0].min_amount), "withdraw_day_limit_remain": plain(DAY_LIMIT),
                    "withdraw_eachtime_limit": plain(nets[0].max_amount),
                    "withdraw_fix_on_chains": {n.name: plain(n.fee) for n in nets},
                    "withdraw_percent_on_chains": {n.name: "0%" for n in nets}})
    return out


def _row(w) -> dict:
    return {"id": w.wid, "txid": w.tx_id, "block_number": str(w.seq) if w.status == "completed" else "0",
            "withdraw_order_id": w.client_id, "timestamp": str(w.created_ms // 1000), "amount": plain(w.amount),
            "fee": plain(w.fee), "currency": w.asset, "address": w.address, "fail_reason": w.reason,
            "timestamp2": str(w.updated_ms // 1000), "memo": w.memo, "status": STATUS[w.status], "chain": w.network,
            "type": "appbankgp"}


def withdraw(sim, account, body) -> dict:
    book = sim.withdrawals
    body = body if isinstance(body, dict) else {}
    client_id, address = str(body.get("withdraw_order_id") or ""), str(body.get("address") or "")
    try:
        for name in ("currency", "amount", "chain"):
            if not body.get(name):
                raise GateError("MISSING_REQUIRED_PARAM", f"{name} is required")
        if client_id and not _CLIENT_ID.fullmatch(client_id):
            raise GateError("INVALID_PARAM_VALUE", "withdraw_order_id: at most 32 of 0-9 A-Z a-z _ . -")
        try:
            amount = Decimal(str(body["amount"]))
        except InvalidOperation:
            raise GateError("INVALID_PARAM_VALUE", "Invalid amount") from None
        coin, chain, memo = str(body["currency"]), str(body["chain"]), str(body.get("memo") or "")
        net = next((n for n in NETWORKS.get(coin, []) if n.name == chain), None)
        why = refusal(net, amount, address, memo, book.allowed(address)) if amount.is_finite() else "min_amount"
        if why is not None:
            raise GateError(*_REFUSED[why])
        try:
            w = book.create(account, WALLET, coin, chain, address, memo, amount, net.fee, client_id,
                            id_of=lambda seq: f"w{1879219867 + seq}")
        except InsufficientBalance:
            raise GateError(*_REFUSED["balance"]) from None
    except GateError as exc:
        book.log_request(WALLET, account.key, client_id, address, exc.label)
        raise
    book.log_request(WALLET, account.key, client_id, address, w.wid)
    row = _row(w)
    return {k: row[k] for k in ("id", "txid", "withdraw_order_id", "timestamp", "amount", "currency", "address",
                                "memo", "status", "chain")}


def history(sim, account, q: dict) -> list:
    wid, client_id, coin = q.get("withdraw_id"), q.get("withdraw_order_id"), q.get("currency")
    try:
        limit, offset = int(q.get("limit") or 100), int(q.get("offset") or 0)
        to = int(q["to"]) * 1000 if q.get("to") else now_ms()
        start = int(q["from"]) * 1000 if q.get("from") else to - 7 * DAY_MS
    except ValueError:
        raise GateError("INVALID_PARAM_VALUE", "limit, offset, from and to are integers") from None
    if not wid and to - start > 30 * DAY_MS:
        raise GateError("INVALID_PARAM_VALUE", "the range between from and to is at most 30 days")
    rows = []
    for w in reversed(sim.withdrawals.of(account.key, WALLET)):
        if ((wid and w.wid != wid) or (client_id and w.client_id != client_id) or (coin and w.asset != coin)
                or (not wid and not start <= w.created_ms <= to)):
            continue
        rows.append(_row(w))
    return rows[offset:offset + limit]


def saved_address(sim, account, q: dict) -> list:
    return [{"currency": q.get("currency") or "", "chain": "", "address": a, "name": f"address {i}", "tag": "",
             "verified": "1"} for i, a in enumerate(sim.withdrawals.addresses, 1)]


def cancel(sim, account, wid: str) -> dict:
    w = sim.withdrawals.records.get(wid)
    if w is None or w.key != account.key or w.wallet != WALLET:
        raise GateError("INVALID_WITHDRAW_ID", "Invalid withdrawal id")
    if sim.withdrawals.cancel(wid) is None:
        raise GateError("INVALID_WITHDRAW_CANCEL_STATUS", "the withdrawal can no longer be cancelled")
    return _row(w)


# (method, endpoint) -> handler(sim, account, query, body, tail), as engine.sim.gateio.rest.PRIVATE
ROUTES = {
    ("GET", "wallet/currency_chains"): lambda s, a, q, b, t: currency_chains(s, a, q),
    ("GET", "wallet/withdraw_status"): lambda s, a, q, b, t: withdraw_status(s, a, q),
    ("POST", "withdrawals"): lambda s, a, q, b, t: withdraw(s, a, b),
    ("GET", "wallet/withdrawals"): lambda s, a, q, b, t: history(s, a, q),
    ("GET", "wallet/saved_address"): lambda s, a, q, b, t: saved_address(s, a, q),
    ("DELETE", "withdrawals/"): lambda s, a, q, b, t: cancel(s, a, t),
}
