"""Gate.io withdrawals: the wallet endpoints of APIv4 (shared/venues/gateio-spot.md §9), signed like every
request (SHA-512 of the JSON body exactly as sent; §3 has the withdrawal vector).

=============================================  ===============================================================
``GET /wallet/currency_chains?currency=``      the asset's chains (withdrawals disabled or not, decimals)
``GET /wallet/withdraw_status?currency=``      its fees per chain, minimum, most per request
``POST /withdrawals``                          one withdrawal (1 request / 3 s); never retried
``GET /wallet/withdrawals``                    by ``withdraw_order_id`` or ``withdraw_id``, or since a time
``GET /wallet/saved_address?currency=``        the address book: API withdrawals go only to used or verified
                                               addresses (``INVALID_PARAM_VALUE`` otherwise)
``DELETE /withdrawals/{withdrawal_id}``        cancel while the venue still holds it
=============================================  ===============================================================

Gate's coin configuration carries no address or memo pattern: no format check is possible
here beyond the address book.  Statuses (§9): REQUEST, MANUAL, VERIFY, DMOVE, REVIEW are
PENDING; PEND, PROCES, EXTPEND, SPLITPEND, BCODE (a GateCode being made) PROCESSING; DONE
COMPLETED once ``block_number`` > 0 (PROCESSING before: the sheet says it is final only
then); CANCEL CANCELLED; FAIL and INVALID FAILED; any other UNKNOWN.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from engine.transport.ratelimit import Cost
from engine.venues import errors as E
from engine.venues.wallet import VenueWithdrawal, WithdrawAddress, WithdrawalStatus, WithdrawNetwork, WithdrawRequest

__all__ = ["GateWallet", "STATUS", "withdrawal_of"]

_P, _R, _C = WithdrawalStatus.PENDING, WithdrawalStatus.PROCESSING, WithdrawalStatus.COMPLETED
STATUS = {"REQUEST": _P, "MANUAL": _P, "VERIFY": _P, "DMOVE": _P, "REVIEW": _P, "PEND": _R, "PROCES": _R,
          "EXTPEND": _R, "SPLITPEND": _R, "BCODE": _R, "DONE": _C, "CANCEL": WithdrawalStatus.CANCELLED,
          "FAIL": WithdrawalStatus.FAILED, "INVALID": WithdrawalStatus.FAILED}

# Labels refusing a withdrawal before it exists (§5, §9): the address book, a wrong chain, the limits.
_REFUSALS = {"INVALID_PARAM_VALUE", "ADDRESS_NOT_USED", "WITHDRAWAL_OVER_LIMIT", "API_WITHDRAW_DISABLED",
             "INVALID_CURRENCY", "INVALID_PRECISION", "MISSING_REQUIRED_PARAM", "INVALID_REQUEST_BODY"}
_WITHDRAW_COST = Cost(weight=0, endpoint="withdrawals")
HISTORY_DAYS_MAX = 30


def _dec(text, default=None) -> Decimal | None:
    if text in (None, ""):
        return default
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return default
    return value if value.is_finite() else default


def withdrawal_of(row: dict) -> VenueWithdrawal:
    """One withdrawal record (the answer to ``POST /withdrawals`` or a row of ``/wallet/withdrawals``)."""
    code = str(row.get("status") or "")
    status = STATUS.get(code, WithdrawalStatus.UNKNOWN)
    if status is _C and not (str(row.get("block_number") or "0").isdigit() and int(row.get("block_number") or 0)):
        status = _R
    try:
        time_ms = int(Decimal(str(row.get("timestamp") or 0)) * 1000)
    except InvalidOperation:
        time_ms = 0
    return VenueWithdrawal(
        withdrawal_id=str(row["id"]), client_id=str(row.get("withdraw_order_id") or ""),
        asset=str(row.get("currency") or ""), network=str(row.get("chain") or ""),
        address=str(row.get("address") or ""), memo=str(row.get("memo") or ""),
        amount=_dec(row.get("amount"), Decimal(0)), fee=_dec(row.get("fee")), status=status, venue_status=code,
        tx_id=str(row.get("txid") or ""), time_ms=time_ms,
        reason=str(row.get("fail_reason") or "") if status is WithdrawalStatus.FAILED else "")


def _retyped(exc: E.VenueError) -> E.VenueError:
    label = exc.code if isinstance(exc.code, str) else None
    if label not in _REFUSALS:
        return exc
    return E.WithdrawalRejected(exc.venue, exc.code, exc.message, http_status=exc.http_status,
                                retry_after=exc.retry_after)


class GateWallet:
    """The withdrawal calls of one Gate.io account (on its :class:`~engine.venues.gateio.rest.GateRest`)."""

    def __init__(self, rest) -> None:
        self.rest = rest

    async def networks(self, asset: str) -> list[WithdrawNetwork]:
        chains = await self.rest.call("GET", "/wallet/currency_chains", {"currency": asset}) or []
        status = await self.rest.call("GET", "/wallet/withdraw_status", {"currency": asset}) or []
        terms = next((s for s in status if isinstance(s, dict) and s.get("currency") == asset), {})
        fees = terms.get("withdraw_fix_on_chains") or {}
        least = _dec(terms.get("withdraw_amount_mini"), Decimal(0))
        most = _dec(terms.get("withdraw_eachtime_limit"))
        out = []
        for c in chains:
            if not isinstance(c, dict) or not c.get("chain"):
                continue
            decimals = c.get("decimal")
            step = (Decimal(1).scaleb(-int(decimals)) if str(decimals or "").isdigit() else None)
            out.append(WithdrawNetwork(
                asset=asset, network=str(c["chain"]), name=str(c.get("name_en") or c["chain"]),
                withdraw_enabled=str(c.get("is_withdraw_disabled", 1)) in ("0", "False", "false"),
                fee=_dec(fees.get(c["chain"]), _dec(terms.get("withdraw_fix"), Decimal(0))),
                min_amount=least, max_amount=most if most else None, multiple=step, address_regex=None,
                memo_regex=None, memo_required=False, memo_allowed=True))
        return out

    async def withdraw(self, req: WithdrawRequest) -> VenueWithdrawal:
        body = {"withdraw_order_id": req.client_id, "currency": req.asset, "address": req.address,
                "amount": format(req.amount, "f")}
        if req.memo:
            body["memo"] = req.memo
        body["chain"] = req.network
        clock = self.rest.clock
        try:
            # X-Gate-Exptime: the venue refuses it once past, so a lost one cannot be taken after the recv window
            doc = await self.rest.call("POST", "/withdrawals", body=body, cost=_WITHDRAW_COST, idempotent=False,
                                       expires=True)
        except E.VenueError as exc:
            raise _retyped(exc) from None
        finally:
            req.sent_ms = clock.now_ms()
        if not isinstance(doc, dict) or doc.get("id") in (None, ""):
            raise E.OutcomeUnknown("gateio", None, "the withdraw answer carries no id")
        return withdrawal_of(doc)

    async def history(self, asset: str | None, since_ms: int | None, limit: int, *,
                      withdrawal_id: str | None = None, client_id: str | None = None) -> list[VenueWithdrawal]:
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise ValueError(f"limit must be a whole number from 1 to 1000, got {limit!r}")
        params = {"currency": asset, "withdraw_id": withdrawal_id, "withdraw_order_id": client_id}
        if since_ms is not None and withdrawal_id is None:
            if self.rest.clock.now_ms() - since_ms > HISTORY_DAYS_MAX * 86_400_000:
                raise ValueError(f"Gate.io lists at most {HISTORY_DAYS_MAX} days of withdrawals in one request; "
                                 "give a later since")
            params["from"] = since_ms // 1000
        params["limit"] = limit
        rows = await self.rest.call("GET", "/wallet/withdrawals", params) or []
        out = [withdrawal_of(r) for r in rows if isinstance(r, dict) and r.get("id")]
        out.sort(key=lambda w: w.time_ms)
        return out

    async def address_book(self, asset: str) -> list[WithdrawAddress]:
        rows = await self.rest.call("GET", "/wallet/saved_address", {"currency": asset}) or []
        return [WithdrawAddress(str(r.get("currency") or asset), str(r.get("chain") or ""), str(r["address"]),
                                str(r.get("tag") or ""))
                for r in rows if isinstance(r, dict) and r.get("address")
                and str(r.get("verified", "1")) not in ("0", "false", "False")]

    async def cancel(self, withdrawal_id: str) -> VenueWithdrawal:
        doc = await self.rest.call("DELETE", f"/withdrawals/{withdrawal_id}", idempotent=False)
        if not isinstance(doc, dict) or doc.get("id") in (None, ""):
            raise E.OutcomeUnknown("gateio", None, "the cancel answer carries no withdrawal")
        return withdrawal_of(doc)
