"""MEXC withdrawals (mexc-spot.md §9) on the simulator's withdrawal ledger (:mod:`engine.sim.withdrawals`),
signed and checked like every ``/api/v3`` request (:func:`engine.sim.mexc.rest.rest_handler`).

=============================================  ========================================================
``GET /api/v3/capital/config/getall``          (:func:`engine.sim.mexc.account.coin_config`) lists the
                                               networks below for the coins they cover
``POST /api/v3/capital/withdraw``              ``{"id": ...}``; ``netWork`` names the network
``GET /api/v3/capital/withdraw/history``       newest first; coin, status, limit (1000), startTime/
                                               endTime (7 days by default, 90 at most)
``GET /api/v3/capital/withdraw/address``       the venue-side address list, paged
``DELETE /api/v3/capital/withdraw``            ``id``: cancel while APPLY
=============================================  ========================================================

Statuses: pending 1 APPLY, processing 4 PROCESSING, completed 7 SUCCESS, failed 8 FAILED,
cancelled 9 CANCEL.  Refusals the sheet documents: 10212 (address not on the list), 10232 (no
such coin and network), 10101 (balance), 10096 (too many decimals), 44444 (a parameter missing).
Unconfirmed: 26 for a closed network and for cancelling one no longer pending, 10097 for an
amount outside the minimum and maximum, 33333 for a malformed address or memo, 22222 for an
unknown id.  History rows give ``network`` as the ``netWork`` name and ``applyTime`` in ms
(**unconfirmed**: the sheet lists the fields, not their forms).  Fees and limits are the
simulator's own.
"""

from __future__ import annotations

from decimal import Decimal

from engine.sim.accounts import InsufficientBalance
from engine.sim.core_types import now_ms
from engine.sim.decimals import plain
from engine.sim.mexc.errors import MexcError
from engine.sim.mexc.instruments import WALLET
from engine.sim.mexc.rest import Ctx, Params, Route
from engine.sim.withdrawals import SimNetwork, refusal

__all__ = ["ROUTES", "NETWORKS", "network_rows"]

D = Decimal
_ETH = r"^(0x)[0-9A-Fa-f]{40}$"
# title = the display name (``network``); name = the withdraw call's ``netWork``
NETWORKS: dict[str, list[SimNetwork]] = {
    "USDT": [SimNetwork("USDT", "ETH", D("2"), D("10"), D("1000000"), D("0.000001"), _ETH, default=True,
                        title="ERC20"),
             SimNetwork("USDT", "BEP20(BSC)", D("0.5"), D("5"), D("1000000"), D("0.000001"), _ETH,
                        title="BEP20(BSC)"),
             SimNetwork("USDT", "TRX", D("1"), D("5"), D("1000000"), D("0.000001"), r"^T[1-9A-HJ-NP-Za-km-z]{33}$",
                        title="TRC20"),
             SimNetwork("USDT", "SOL", D("1"), D("5"), D("1000000"), D("0.000001"), r"^[1-9A-HJ-NP-Za-km-z]{32,44}$",
                        enabled=False, title="SOL")],
    "BTC": [SimNetwork("BTC", "BTC", D("0.0003"), D("0.001"), D("50"), D("0.00000001"),
                       r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,62}$", default=True, title="BTC")],
    "ETH": [SimNetwork("ETH", "ETH", D("0.002"), D("0.005"), D("1000"), D("0.00000001"), _ETH, default=True,
                       title="ERC20")],
}
STATUS = {"pending": 1, "processing": 4, "completed": 7, "failed": 8, "cancelled": 9}
_REFUSED = {"network": (10232, "The currency not exist. Please check coin name and chain is correct."),
            "disabled": (26, "operation not allowed"),
            "min_amount": (10097, "amount is error"), "max_amount": (10097, "amount is error"),
            "step": (10096, "amount decimal places too long"),
            "address": (33333, "param error: address"), "memo": (33333, "param error: memo"),
            "memo_required": (33333, "param error: memo"), "memo_not_supported": (33333, "param error: memo"),
            "not_allowed": (10212, "withdraw address not in the allow-list"),
            "balance": (10101, "Insufficient balance")}
DAY_MS = 86_400_000


def network_rows(coin: str) -> list[dict]:
    """``networkList`` of ``coin`` for ``capital/config/getall`` ([] for a coin not listed here)."""
    return [{"coin": coin, "depositDesc": None, "depositEnable": True, "minConfirm": 12, "name": coin,
             "network": n.title or n.name, "netWork": n.name, "withdrawEnable": n.enabled,
             "withdrawFee": plain(n.fee), "withdrawIntegerMultiple": plain(n.step) if n.step else None,
             "withdrawMax": plain(n.max_amount) if n.max_amount else None, "withdrawMin": plain(n.min_amount),
             "sameAddress": n.memo_required, "contract": "", "withdrawTips": None, "depositTips": None,
             "isDefault": n.default} for n in NETWORKS.get(coin, [])]


def withdraw(ctx: Ctx, p: Params):
    book = ctx.sim.withdrawals
    client_id, address = p.get("withdrawOrderId") or "", p.get("address") or ""
    try:
        coin, address = p.need("coin"), p.need("address")
        amount = p.dec("amount", required=True)
        memo = p.get("memo")
        name = p.get("netWork")
        net = next((n for n in NETWORKS.get(coin, []) if (n.name == name if name else n.default)), None)
        why = refusal(net, amount, address, memo, book.allowed(address))
        if why is not None:
            raise MexcError(*_REFUSED[why])
        try:
            w = book.create(ctx.account, WALLET, coin, net.name, address, memo or "", amount, net.fee, client_id,
                            id_of=lambda seq: f"{seq:032x}")
        except InsufficientBalance:
            raise MexcError(*_REFUSED["balance"]) from None
    except MexcError as exc:
        book.log_request(WALLET, ctx.account.key, client_id, address, exc.code)
        raise
    book.log_request(WALLET, ctx.account.key, client_id, address, w.wid)
    return {"id": w.wid}


def history(ctx: Ctx, p: Params):
    coin, status = p.get("coin"), p.int_("status")
    limit = p.int_("limit") or 1000
    if not 1 <= limit <= 1000:
        raise MexcError(33333, "param error: limit")
    end = p.int_("endTime") or now_ms()
    start = p.int_("startTime") or end - 7 * DAY_MS
    if end - start > 90 * DAY_MS:
        raise MexcError(33333, "param error: the time range is at most 90 days")
    rows = []
    for w in reversed(ctx.sim.withdrawals.of(ctx.account.key, WALLET)):
        code = STATUS[w.status]
        if (coin and w.asset != coin) or (status is not None and code != status) or not start <= w.created_ms <= end:
            continue
        rows.append({"id": w.wid, "txId": w.tx_id or None, "coin": w.asset, "network": w.network,
                     "address": w.address, "amount": plain(w.amount), "transferType": 0, "status": code,
                     "transactionFee": plain(w.fee), "confirmNo": None, "applyTime": w.created_ms,
                     "remark": w.reason or None, "memo": w.memo or None, "transHash": w.tx_id or None,
                     "updateTime": w.updated_ms, "coinId": w.asset.lower(), "vcoinId": w.asset.lower(),
                     "withdrawOrderId": w.client_id or None})
    return rows[:limit]


def address_book(ctx: Ctx, p: Params):
    coin = p.get("coin") or ""
    page, limit = p.int_("page") or 1, p.int_("limit") or 20
    every = [{"coin": coin, "network": "", "address": a, "addressTag": "", "memo": None}
             for a in ctx.sim.withdrawals.addresses]
    pages = max(1, -(-len(every) // limit))
    return {"data": every[(page - 1) * limit:page * limit], "totalRecords": len(every), "page": page,
            "totalPageNum": pages}


def cancel(ctx: Ctx, p: Params):
    wid = p.need("id")
    w = ctx.sim.withdrawals.records.get(wid)
    if w is None or w.key != ctx.account.key or w.wallet != WALLET:
        raise MexcError(22222, "record does not exist")
    if ctx.sim.withdrawals.cancel(wid) is None:
        raise MexcError(26, "operation not allowed")
    return {"id": wid}


_P = "/api/v3/capital"
ROUTES = {
    ("POST", f"{_P}/withdraw"): Route(withdraw),
    ("GET", f"{_P}/withdraw/history"): Route(history),
    ("GET", f"{_P}/withdraw/address"): Route(address_book),
    ("DELETE", f"{_P}/withdraw"): Route(cancel),
}
