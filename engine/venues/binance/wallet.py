"""Binance spot withdrawals: the wallet endpoints of SAPI, signed like REST (shared/venues/binance-spot.md §9).

==================================================  ==========================================================
``GET /sapi/v1/capital/config/getall``              every coin with its ``networkList`` (fees, minimum,
                                                    maximum, step, address and memo rules), weight 10
``POST /sapi/v1/capital/withdraw/apply``            one withdrawal: ``{"id": ...}``; never retried
``GET /sapi/v1/capital/withdraw/history``           by ``withdrawOrderId`` (7 days), ``idList`` or time
``GET /sapi/v1/capital/withdraw/address/list``      the account's withdrawal address book, weight 10
==================================================  ==========================================================

The request is signed over exactly the bytes sent (``BinanceRest.sign_query``
percent-encodes every value, ``(`` and ``)`` of a network name included, then signs that
string).  SAPI counts its weights in pools of its own (per IP and per UID, reported in
``X-SAPI-USED-*`` headers) that the account's limiter for ``/api/v3`` does not model, so
these calls are not charged to it; withdrawals are rare, and the history endpoint's hard
cap (10 requests a second) is far above what the engine asks.

Status codes (§9): 0 e-mail sent and 2 awaiting approval are PENDING, 4 PROCESSING,
6 COMPLETED, 3 rejected and 5 failure FAILED, 1 CANCELLED.  The wallet error codes
(developers.binance.com/docs/wallet/error-code) that refuse a withdrawal before it exists
raise :class:`~engine.venues.errors.WithdrawalRejected` or ``InsufficientFunds``; any other
answer leaves its outcome unknown.  Spot Testnet serves no ``/sapi`` endpoint (§1): there
these calls meet a 404.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation

from engine.venues import errors as E
from engine.venues.wallet import VenueWithdrawal, WithdrawAddress, WithdrawalStatus, WithdrawNetwork, WithdrawRequest

__all__ = ["BinanceWallet", "STATUS", "network_of", "withdrawal_of"]

STATUS = {0: WithdrawalStatus.PENDING, 1: WithdrawalStatus.CANCELLED, 2: WithdrawalStatus.PENDING,
          3: WithdrawalStatus.FAILED, 4: WithdrawalStatus.PROCESSING, 5: WithdrawalStatus.FAILED,
          6: WithdrawalStatus.COMPLETED}

# Wallet error codes documented as refusing the withdrawal (nothing created).  -4027 "Failed to obtain
# tranId" is not among them: whether a withdrawal exists after it is not said, so it stays unknown.
_REFUSALS = {-4007, -4008, -4012, -4013, -4014, -4015, -4016, -4017, -4018, -4019, -4021, -4022, -4023, -4028,
             -4033, -4034, -4035, -4036, -4106}
_NO_BALANCE = {-4024, -4025, -4026}

HISTORY_DAYS_MAX = 90           # the span the history endpoint answers (7 days when asked by withdrawOrderId)
BY_CLIENT_ID_DAYS = 7


def _dec(text, default=None) -> Decimal | None:
    if text in (None, ""):
        return default
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return default


def network_of(n: dict) -> WithdrawNetwork:
    """One ``networkList`` entry of ``config/getall``.  ``withdrawTag`` (the current field) or ``sameAddress``
    (its older name) says a memo is required; a ``memoRegex`` says the network takes one."""
    memo_regex = n.get("memoRegex") or None
    memo_required = bool(n.get("withdrawTag", n.get("sameAddress", False)))
    most = _dec(n.get("withdrawMax"))
    step = _dec(n.get("withdrawIntegerMultiple"))
    return WithdrawNetwork(
        asset=str(n.get("coin", "")), network=str(n["network"]), name=str(n.get("name") or n["network"]),
        withdraw_enabled=n.get("withdrawEnable") is True, fee=_dec(n.get("withdrawFee"), Decimal(0)),
        min_amount=_dec(n.get("withdrawMin"), Decimal(0)), max_amount=most if most else None,
        multiple=step if step else None, address_regex=n.get("addressRegex") or None, memo_regex=memo_regex,
        memo_required=memo_required, memo_allowed=memo_required or memo_regex is not None,
        is_default=n.get("isDefault") is True)


def _apply_ms(text) -> int:
    """``applyTime`` ("YYYY-MM-DD HH:MM:SS", UTC) as ms since the epoch (0 when absent or unreadable)."""
    try:
        t = _dt.datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        return 0
    return int(t.timestamp() * 1000)


def withdrawal_of(row: dict) -> VenueWithdrawal:
    """One row of ``withdraw/history``."""
    code = row.get("status")
    status = STATUS.get(code, WithdrawalStatus.UNKNOWN) if isinstance(code, int) else WithdrawalStatus.UNKNOWN
    failed = status in (WithdrawalStatus.FAILED, WithdrawalStatus.CANCELLED)
    return VenueWithdrawal(
        withdrawal_id=str(row["id"]), client_id=str(row.get("withdrawOrderId") or ""), asset=str(row.get("coin", "")),
        network=str(row.get("network") or ""), address=str(row.get("address") or ""),
        memo=str(row.get("addressTag") or ""), amount=_dec(row.get("amount"), Decimal(0)),
        fee=_dec(row.get("transactionFee")), status=status, venue_status=str(code), tx_id=str(row.get("txId") or ""),
        time_ms=_apply_ms(row.get("applyTime")), reason=str(row.get("info") or "") if failed else "")


def _retyped(exc: E.VenueError) -> E.VenueError:
    """A wallet refusal as its typed error (the order path's mapping knows the trading codes only)."""
    cls = (E.InsufficientFunds if exc.code in _NO_BALANCE else E.WithdrawalRejected if exc.code in _REFUSALS
           else None)
    if cls is None:
        return exc
    return cls(exc.venue, exc.code, exc.message, http_status=exc.http_status, retry_after=exc.retry_after)


class BinanceWallet:
    """The withdrawal calls of one Binance spot account (on its :class:`BinanceRest`)."""

    def __init__(self, rest) -> None:
        self.rest = rest

    async def networks(self, asset: str) -> list[WithdrawNetwork]:
        coins = await self.rest.signed("GET", "/sapi/v1/capital/config/getall", weight=0)
        for coin in coins:
            if coin.get("coin") == asset:
                return [network_of({"coin": asset, **n}) for n in coin.get("networkList") or ()]
        return []

    async def withdraw(self, req: WithdrawRequest) -> VenueWithdrawal:
        params = {"coin": req.asset, "withdrawOrderId": req.client_id, "network": req.network,
                  "address": req.address, "addressTag": req.memo, "amount": format(req.amount, "f")}
        clock = self.rest.clock
        try:
            doc = await self.rest.signed("POST", "/sapi/v1/capital/withdraw/apply", params, weight=0,
                                         idempotent=False)
        except E.VenueError as exc:
            raise _retyped(exc) from None
        finally:
            req.sent_ms = clock.now_ms()        # not before the timestamp it was signed with
        wid = doc.get("id") if isinstance(doc, dict) else None
        if not isinstance(wid, (str, int)) or wid in ("", None):
            raise E.OutcomeUnknown(self.rest.venue, None, "the withdraw answer carries no id")
        return VenueWithdrawal(str(wid), req.client_id, req.asset, req.network, req.address, req.memo or "",
                               req.amount, None, WithdrawalStatus.PENDING, "")

    async def history(self, asset: str | None, since_ms: int | None, limit: int, *,
                      withdrawal_id: str | None = None, client_id: str | None = None) -> list[VenueWithdrawal]:
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise ValueError(f"limit must be a whole number from 1 to 1000 (the venue's page), got {limit!r}")
        if since_ms is not None:
            days = BY_CLIENT_ID_DAYS if client_id else HISTORY_DAYS_MAX
            if self.rest.clock.now_ms() - since_ms > days * 86_400_000:
                raise ValueError(f"Binance lists at most {days} days of withdrawals in one request; give a later "
                                 "since")
        params = {"coin": asset, "withdrawOrderId": client_id, "idList": withdrawal_id, "startTime": since_ms,
                  "limit": limit}
        rows = await self.rest.signed("GET", "/sapi/v1/capital/withdraw/history", params, weight=0)
        # newest first from the venue; applyTime has whole seconds, so ties keep the venue's order, reversed
        out = [withdrawal_of(r) for r in reversed(rows) if isinstance(r, dict) and "id" in r]
        out.sort(key=lambda w: w.time_ms)
        return out

    async def address_book(self, asset: str) -> list[WithdrawAddress]:
        rows = await self.rest.signed("GET", "/sapi/v1/capital/withdraw/address/list", weight=0)
        return [WithdrawAddress(str(r.get("coin") or ""), str(r.get("network") or ""), str(r["address"]),
                                str(r.get("addressTag") or ""))
                for r in rows if isinstance(r, dict) and r.get("address") and r.get("coin") in (asset, "", None)]
