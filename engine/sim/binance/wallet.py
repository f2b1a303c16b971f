"""Binance spot withdrawals (SAPI, binance-spot.md §9) on the simulator's withdrawal ledger
(:mod:`engine.sim.withdrawals`), signed and limited like ``/api/v3`` (SAPI's own weight pools
are not modelled: these routes cost no weight).

=================================================  ==================================================
``GET /sapi/v1/capital/config/getall``             every coin with its ``networkList`` and balances
``POST /sapi/v1/capital/withdraw/apply``           ``{"id": ...}``; the venue's refusals below
``GET /sapi/v1/capital/withdraw/history``          newest first; coin, withdrawOrderId, idList, status,
                                                   startTime/endTime (90 days, 7 with withdrawOrderId),
                                                   offset, limit (1000)
``GET /sapi/v1/capital/withdraw/address/list``     the venue-side address list (no coin or network)
=================================================  ==================================================

Statuses: pending 2 (awaiting approval), processing 4, completed 6, failed 5, cancelled 1 (the
sheet marks 1 and 5 as possibly no longer emitted).  Refusals: -1102 for a missing parameter and
-4106 for a memo on a network without memos are the sheet's; the other codes and messages
(network closed -4019, amount out of range -4022, amount off its step -4021, address or memo
malformed -4014/-4015, address not on the list -4007, balance -4026) are **unconfirmed**: the
wallet's error page is not on the sheet.  The coin configuration's fees, limits and address
patterns are the simulator's own, not the venue's current figures.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from engine.sim.accounts import InsufficientBalance
from engine.sim.binance.errors import BinanceError
from engine.sim.binance.rest import Ctx, Params, Route
from engine.sim.binance.spot_common import WALLET, f8
from engine.sim.core_types import now_ms
from engine.sim.withdrawals import SimNetwork, refusal

__all__ = ["ROUTES", "NETWORKS"]

D = Decimal
_ETH = r"^(0x)[0-9A-Fa-f]{40}$"
NETWORKS: dict[str, list[SimNetwork]] = {
    "USDT": [SimNetwork("USDT", "ETH", D("1.5"), D("10"), D("10000000"), D("0.000001"), _ETH, default=True,
                        title="Ethereum (ERC20)"),
             SimNetwork("USDT", "BSC", D("0.29"), D("1"), D("10000000"), D("0.00000001"), _ETH,
                        title="BNB Smart Chain (BEP20)"),
             SimNetwork("USDT", "TRX", D("1"), D("10"), D("10000000"), D("0.000001"),
                        r"^T[1-9A-HJ-NP-Za-km-z]{33}$", title="Tron (TRC20)"),
             SimNetwork("USDT", "TON", D("0.5"), D("1"), D("1000000"), D("0.000001"), r"^[A-Za-z0-9_-]{48}$",
                        memo_regex=r"^[0-9A-Za-z\-_]{1,120}$", memo_required=True, title="The Open Network"),
             SimNetwork("USDT", "SOL", D("1"), D("10"), D("10000000"), D("0.000001"),
                        r"^[1-9A-HJ-NP-Za-km-z]{32,44}$", enabled=False, title="Solana")],
    "BTC": [SimNetwork("BTC", "BTC", D("0.0002"), D("0.001"), D("100"), D("0.00000001"),
                       r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,62}$", default=True, title="Bitcoin")],
    "ETH": [SimNetwork("ETH", "ETH", D("0.0008"), D("0.0016"), D("10000"), D("0.00000001"), _ETH, default=True,
                       title="Ethereum (ERC20)")],
}
STATUS = {"pending": 2, "processing": 4, "completed": 6, "failed": 5, "cancelled": 1}
_REFUSED = {"network": (-4019, "This network is not open for withdrawals of this coin."),
            "disabled": (-4019, "Withdrawals on this network are suspended."),
            "min_amount": (-4022, "The withdrawal amount is below the minimum."),
            "max_amount": (-4022, "The withdrawal amount is above the maximum."),
            "step": (-4021, "The withdrawal amount must be a multiple of withdrawIntegerMultiple."),
            "address": (-4014, "The withdrawal address is not valid for this network."),
            "memo": (-4015, "The withdrawal memo (addressTag) is not valid for this network."),
            "memo_required": (-4015, "This network requires a memo (addressTag)."),
            "memo_not_supported": (-4106, "Tag is not supported for this network."),
            "not_allowed": (-4007, "The withdrawal address is not in the address list of this account."),
            "balance": (-4026, "User has insufficient balance.")}
DAY_MS = 86_400_000


def _net(coin: str, name: str | None) -> SimNetwork | None:
    nets = NETWORKS.get(coin, [])
    if name is None:
        return next((n for n in nets if n.default), None)
    return next((n for n in nets if n.name == name), None)


def _time(ms: int) -> str:
    return _dt.datetime.fromtimestamp(ms / 1000, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def config_getall(ctx: Ctx, p: Params):
    wallet = ctx.account.wallets[WALLET]
    out = []
    for coin, nets in NETWORKS.items():
        bal = wallet[coin]
        out.append({
            "coin": coin, "depositAllEnable": True, "withdrawAllEnable": any(n.enabled for n in nets),
            "name": coin, "free": f8(bal.free), "locked": f8(bal.locked), "freeze": "0", "withdrawing": "0",
            "ipoing": "0", "ipoable": "0", "storage": "0", "isLegalMoney": False, "trading": True,
            "networkList": [{
                "addressRegex": n.address_regex, "coin": coin, "depositDesc": "", "depositEnable": True,
                "isDefault": n.default, "memoRegex": n.memo_regex or "", "minConfirm": 12, "name": n.title or n.name,
                "network": n.name, "specialTips": "", "unLockConfirm": 0,
                "withdrawDesc": "" if n.enabled else "Wallet Maintenance, Withdrawal Suspended",
                "withdrawEnable": n.enabled, "withdrawFee": f8(n.fee), "withdrawIntegerMultiple": f8(n.step or 0),
                "withdrawMax": f8(n.max_amount or 0), "withdrawMin": f8(n.min_amount), "sameAddress": n.memo_required,
                "estimatedArrivalTime": 5, "busy": False, "contractAddressUrl": "", "contractAddress": ""}
                for n in nets]})
    return out


def withdraw_apply(ctx: Ctx, p: Params):
    book = ctx.sim.withdrawals
    client_id = p.get("withdrawOrderId") or ""
    address = p.get("address") or ""
    try:
        coin, address = p.need("coin"), p.need("address")
        amount = p.dec("amount", required=True)
        memo = p.get("addressTag")
        net = _net(coin, p.get("network"))
        why = refusal(net, amount, address, memo, book.allowed(address))
        if why is not None:
            raise BinanceError(*_REFUSED[why])
        try:
            w = book.create(ctx.account, WALLET, coin, net.name, address, memo or "", amount, net.fee, client_id,
                            id_of=lambda seq: f"{seq:032x}")
        except InsufficientBalance:
            raise BinanceError(*_REFUSED["balance"]) from None
    except BinanceError as exc:
        book.log_request(WALLET, ctx.account.key, client_id, address, exc.code)
        raise
    book.log_request(WALLET, ctx.account.key, client_id, address, w.wid)
    return {"id": w.wid}


def withdraw_history(ctx: Ctx, p: Params):
    coin, client_id, ids = p.get("coin"), p.get("withdrawOrderId"), p.get("idList")
    status = p.int_("status")
    limit = p.int_("limit") or 1000
    offset = p.int_("offset") or 0
    if not 1 <= limit <= 1000:
        raise BinanceError(-1130, "Data sent for parameter 'limit' is not valid.")
    end = p.int_("endTime") or now_ms()
    start = p.int_("startTime")
    span = 7 * DAY_MS if client_id else 90 * DAY_MS
    if start is None:
        start = end - span
    elif end - start > span:
        raise BinanceError(-1127, "More than 90 days between startTime and endTime." if not client_id
                           else "More than 7 days between startTime and endTime.")
    wanted = set(ids.split(",")) if ids else None
    rows = []
    for w in reversed(ctx.sim.withdrawals.of(ctx.account.key, WALLET)):
        code = STATUS[w.status]
        if ((coin and w.asset != coin) or (client_id and w.client_id != client_id) or (wanted and w.wid not in wanted)
                or (status is not None and code != status) or not start <= w.created_ms <= end):
            continue
        row = {"id": w.wid, "amount": f8(w.amount), "transactionFee": f8(w.fee), "coin": w.asset, "status": code,
               "address": w.address, "txId": w.tx_id, "applyTime": _time(w.created_ms), "network": w.network,
               "transferType": 0, "info": w.reason, "confirmNo": 12 if w.status == "completed" else 0,
               "walletType": 0, "txKey": ""}
        if w.memo:
            row["addressTag"] = w.memo
        if w.client_id:
            row["withdrawOrderId"] = w.client_id
        if w.status == "completed":
            row["completeTime"] = _time(w.updated_ms)
        rows.append(row)
    return rows[offset:offset + limit]


def address_list(ctx: Ctx, p: Params):
    return [{"address": a, "addressTag": "", "coin": "", "name": f"address {i}", "network": "", "origin": "",
             "originType": "others", "whiteStatus": True} for i, a in enumerate(ctx.sim.withdrawals.addresses, 1)]


ROUTES = {
    ("GET", "/sapi/v1/capital/config/getall"): Route(config_getall, "SIGNED", 0),
    ("POST", "/sapi/v1/capital/withdraw/apply"): Route(withdraw_apply, "SIGNED", 0),
    ("GET", "/sapi/v1/capital/withdraw/history"): Route(withdraw_history, "SIGNED", 0),
    ("GET", "/sapi/v1/capital/withdraw/address/list"): Route(address_list, "SIGNED", 0),
}
