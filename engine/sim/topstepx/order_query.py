"""``/api/Order/v2/query``: the account's orders by status, contract and creation time, paged
(shared/venues/topstepx-projectx.md §4, §5; swagger only).

Body: ``{filter: {accountId, statuses?, contractId?, createdAfter?, createdBefore?}, pageSize?,
pageOffset?, sortBy? (0 CreatedAt, 1 Id), sortDirection? (0 Asc, 1 Desc), includeTotalCount?}``;
answer ``orders`` (OrderModel rows, Suspended bracket children included: the way to find them
that ``searchOpen`` lacks) and ``totalCount`` when asked.  Bad input is HTTP 400 ProblemDetails,
not the envelope; an account not of this login is errorCode 1.

Unconfirmed, the simulator's choices (configurable on the state): the page size when none is
given (``v2_page_size``, 100) and the largest accepted (``v2_page_max``, 1000); an omitted
sort is CreatedAt ascending (the enums' 0, what ASP.NET binds an omitted enum to).
"""

from __future__ import annotations

from engine.sim.topstepx.orders import check_account, whole
from engine.sim.topstepx.rows import order_row, parse_iso

__all__ = ["query", "BadRequest"]


class BadRequest(Exception):
    """HTTP 400 ProblemDetails with these validation errors (field -> messages)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _int(b: dict, key: str, default: int, lo: int, hi: int | None, errors: dict) -> int:
    v = b.get(key.lower())
    if v is None:
        return default
    n = whole(v)
    if n is None or n < lo or (hi is not None and n > hi):
        errors[key] = [f"The field {key} must be between {lo} and {hi if hi is not None else 'any'}."]
        return default
    return n


def _time(f: dict, key: str, errors: dict):
    v = f.get(key.lower())
    if v is None:
        return None
    t = parse_iso(v) if isinstance(v, str) else None
    if t is None:
        errors[f"filter.{key}"] = [f"The value '{v}' is not valid for {key}."]
    return t


def query(sim, st, acct, b: dict) -> dict:
    errors: dict[str, list[str]] = {}
    f = b.get("filter")
    if not isinstance(f, dict):
        raise BadRequest({"filter": ["The filter field is required."]})
    f = {str(k).lower(): v for k, v in f.items()}
    if whole(f.get("accountid")) is None:
        errors["filter.accountId"] = ["The accountId field is required."]
    statuses = f.get("statuses")
    if statuses is not None and (not isinstance(statuses, list)
                                 or any(whole(s) is None or not 0 <= s <= 8 for s in statuses)):
        errors["filter.statuses"] = ["The statuses must be OrderStatus values (0-8)."]
    contract_id = f.get("contractid")
    if contract_id is not None and not isinstance(contract_id, str):
        errors["filter.contractId"] = ["The contractId must be a string."]
    after, before = _time(f, "createdAfter", errors), _time(f, "createdBefore", errors)
    size = _int(b, "pageSize", st.v2_page_size, 1, st.v2_page_max, errors)
    offset = _int(b, "pageOffset", 0, 0, None, errors)
    sort_by = _int(b, "sortBy", 0, 0, 1, errors)
    desc = _int(b, "sortDirection", 0, 0, 1, errors) == 1
    if errors:
        raise BadRequest(errors)
    check_account(st, acct, {"accountid": f.get("accountid")})
    rows = []
    for o in sim.core.orders.values():
        if o.market != "tsx" or o.account is not acct.account:
            continue
        row = order_row(o, acct.id)
        created = (o.created_ms or o.extra.get("created_ms") or 0) / 1000
        if statuses is not None and row["status"] not in statuses:
            continue
        if contract_id is not None and row["contractId"] != contract_id:
            continue
        if (after is not None and created < after) or (before is not None and created > before):
            continue
        rows.append((created if sort_by == 0 else 0, row["id"], row))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=desc)
    out: dict = {"orders": [r[2] for r in rows[offset:offset + size]]}
    if b.get("includetotalcount") is True:
        out["totalCount"] = len(rows)
    return out
