"""MEXC withdrawals: the wallet endpoints of the spot V3 API (shared/venues/mexc-spot.md §9), signed like every
request: the query percent-encoded once and that very string signed and sent, so a network name with
parentheses (``BEP20(BSC)``) cannot be signed in one spelling and sent in another (700002; §3's vectors).

=============================================  ===============================================================
``GET /api/v3/capital/config/getall``          every coin's ``networkList`` (``netWork`` is the name the
                                               withdraw call takes; fees, minimum, maximum, step, memo)
``POST /api/v3/capital/withdraw``              one withdrawal ("Withdraw (new)": ``netWork``); never retried
``GET /api/v3/capital/withdraw/history``       by coin and time (no client-id filter: rows are matched here)
``GET /api/v3/capital/withdraw/address``       the address book: API withdrawals need an allow-listed
                                               address (10212 otherwise)
``DELETE /api/v3/capital/withdraw``            cancel while pending
=============================================  ===============================================================

The coin configuration carries no address or memo pattern: no format check is possible
here beyond the address book.  Statuses (§9): 1 APPLY, 2 AUDITING, 3 WAIT, 10 MANUAL are
PENDING; 4 PROCESSING, 5 WAIT_PACKAGING, 6 WAIT_CONFIRM PROCESSING; 7 SUCCESS COMPLETED;
8 FAILED; 9 CANCEL CANCELLED; any other UNKNOWN.  ``applyTime`` is read as ms (an integer)
or as "YYYY-MM-DD HH:MM:SS" UTC (the sheet does not give its form: **unconfirmed**).
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation

from engine.venues import errors as E
from engine.venues.wallet import VenueWithdrawal, WithdrawAddress, WithdrawalStatus, WithdrawNetwork, WithdrawRequest

__all__ = ["MexcWallet", "STATUS", "network_of", "withdrawal_of"]

_P, _R = WithdrawalStatus.PENDING, WithdrawalStatus.PROCESSING
STATUS = {1: _P, 2: _P, 3: _P, 10: _P, 4: _R, 5: _R, 6: _R, 7: WithdrawalStatus.COMPLETED,
          8: WithdrawalStatus.FAILED, 9: WithdrawalStatus.CANCELLED}
# Codes the sheet documents as refusing a withdrawal: the address not allow-listed, a wrong network name.
_REFUSALS = {10212, 10232}
HISTORY_DAYS_MAX = 90
BOOK_PAGE = 50


def _dec(text, default=None) -> Decimal | None:
    if text in (None, ""):
        return default
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return default
    return value if value.is_finite() else default


def network_of(n: dict, asset: str) -> WithdrawNetwork:
    """One ``networkList`` entry; the withdraw call's name is ``netWork`` (``network`` is a display name)."""
    name = str(n.get("netWork") or n.get("network") or "")
    most = _dec(n.get("withdrawMax"))
    step = _dec(n.get("withdrawIntegerMultiple"))
    memo_required = bool(n.get("sameAddress", False))
    return WithdrawNetwork(
        asset=asset, network=name, name=str(n.get("network") or name), withdraw_enabled=n.get("withdrawEnable") is True,
        fee=_dec(n.get("withdrawFee"), Decimal(0)), min_amount=_dec(n.get("withdrawMin"), Decimal(0)),
        max_amount=most if most else None, multiple=step if step else None, address_regex=None, memo_regex=None,
        memo_required=memo_required, memo_allowed=True, is_default=n.get("isDefault") is True)


def _time_ms(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value or "")
    if text.isdigit():
        return int(text)
    try:
        t = _dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        return 0
    return int(t.timestamp() * 1000)


def withdrawal_of(row: dict) -> VenueWithdrawal:
    """One row of ``withdraw/history``."""
    code = row.get("status")
    status = STATUS.get(code, WithdrawalStatus.UNKNOWN) if isinstance(code, int) else WithdrawalStatus.UNKNOWN
    return VenueWithdrawal(
        withdrawal_id=str(row["id"]), client_id=str(row.get("withdrawOrderId") or ""), asset=str(row.get("coin") or ""),
        network=str(row.get("netWork") or row.get("network") or ""), address=str(row.get("address") or ""),
        memo=str(row.get("memo") or ""), amount=_dec(row.get("amount"), Decimal(0)),
        fee=_dec(row.get("transactionFee")), status=status, venue_status=str(code), tx_id=str(row.get("txId") or ""),
        time_ms=_time_ms(row.get("applyTime")),
        reason=str(row.get("remark") or "") if status is WithdrawalStatus.FAILED else "")


def _retyped(exc: E.VenueError) -> E.VenueError:
    if exc.code not in _REFUSALS:
        return exc
    return E.WithdrawalRejected(exc.venue, exc.code, exc.message, http_status=exc.http_status,
                                retry_after=exc.retry_after)


class MexcWallet:
    """The withdrawal calls of one MEXC account (on its :class:`~engine.venues.mexc.rest.MexcRest`)."""

    def __init__(self, rest) -> None:
        self.rest = rest

    async def networks(self, asset: str) -> list[WithdrawNetwork]:
        coins = await self.rest.signed("GET", "/capital/config/getall", weight=10)
        for coin in coins if isinstance(coins, list) else ():
            if isinstance(coin, dict) and coin.get("coin") == asset:
                return [network_of(n, asset) for n in coin.get("networkList") or () if isinstance(n, dict)]
        return []

    async def withdraw(self, req: WithdrawRequest) -> VenueWithdrawal:
        params = {"coin": req.asset, "withdrawOrderId": req.client_id, "netWork": req.network,
                  "address": req.address, "memo": req.memo, "amount": format(req.amount, "f")}
        clock = self.rest.clock
        try:
            doc = await self.rest.signed("POST", "/capital/withdraw", params, weight=1, idempotent=False)
        except E.VenueError as exc:
            raise _retyped(exc) from None
        finally:
            req.sent_ms = clock.now_ms()
        wid = doc.get("id") if isinstance(doc, dict) else None
        if not isinstance(wid, (str, int)) or wid == "":
            raise E.OutcomeUnknown("mexc", None, "the withdraw answer carries no id")
        return VenueWithdrawal(str(wid), req.client_id, req.asset, req.network, req.address, req.memo or "",
                               req.amount, None, WithdrawalStatus.PENDING, "")

    async def history(self, asset: str | None, since_ms: int | None, limit: int, *,
                      withdrawal_id: str | None = None, client_id: str | None = None) -> list[VenueWithdrawal]:
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise ValueError(f"limit must be a whole number from 1 to 1000 (the venue's page), got {limit!r}")
        if since_ms is not None and self.rest.clock.now_ms() - since_ms > HISTORY_DAYS_MAX * 86_400_000:
            raise ValueError(f"MEXC lists at most {HISTORY_DAYS_MAX} days of withdrawals in one request; give a "
                             "later since")
        # No id filter at the venue: ask for a whole page and keep the row asked for.
        params = {"coin": asset, "startTime": since_ms, "limit": 1000 if (withdrawal_id or client_id) else limit}
        rows = await self.rest.signed("GET", "/capital/withdraw/history", params, weight=1)
        out = [withdrawal_of(r) for r in rows if isinstance(r, dict) and r.get("id")] if isinstance(rows, list) else []
        if withdrawal_id:
            out = [w for w in out if w.withdrawal_id == withdrawal_id]
        if client_id:
            out = [w for w in out if w.client_id == client_id]
        out.sort(key=lambda w: w.time_ms)
        return out

    async def address_book(self, asset: str) -> list[WithdrawAddress]:
        out: list[WithdrawAddress] = []
        page = 1
        while True:
            doc = await self.rest.signed("GET", "/capital/withdraw/address",
                                         {"coin": asset, "page": page, "limit": BOOK_PAGE}, weight=1)
            rows = doc.get("data") if isinstance(doc, dict) else None
            for r in rows or ():
                if isinstance(r, dict) and r.get("address"):
                    # network left open: whether the book names a network as the withdraw call does
                    # (netWork) or by its display name is not on the sheet
                    out.append(WithdrawAddress(str(r.get("coin") or asset), "", str(r["address"]),
                                               str(r.get("memo") or r.get("addressTag") or "")))
            pages = doc.get("totalPageNum") if isinstance(doc, dict) else None
            if not rows or not isinstance(pages, int) or page >= pages:
                return out
            page += 1

    async def cancel(self, withdrawal_id: str) -> VenueWithdrawal:
        doc = await self.rest.signed("DELETE", "/capital/withdraw", {"id": withdrawal_id}, weight=1,
                                     idempotent=False)
        if not isinstance(doc, dict) or not doc.get("id"):
            raise E.OutcomeUnknown("mexc", None, "the cancel answer carries no id")
        rows = await self.history(None, None, 1000, withdrawal_id=str(doc["id"]))
        if rows:
            return rows[-1]
        return VenueWithdrawal(str(doc["id"]), "", "", "", "", "", Decimal(0), None, WithdrawalStatus.UNKNOWN, "")
