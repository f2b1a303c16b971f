"""Accounts, positions, trades, contracts and bars (shared/venues/topstepx-projectx.md §4, §5).

``Account/search`` lists the login's account (one per login here).  ``Position/closeContract``
and ``partialCloseContract`` flatten with a market order of the account (no customTag), as
the venue does.  ``Contract/search`` matches the text in an active contract's name,
description, symbol id or id, at most 20, no paging (whether the venue lists contracts not active
there is unconfirmed); ``searchById`` resolves expired and coming contracts too.
``History/retrieveBars`` aggregates the simulator's own trades of the contract into bars of
``unitNumber`` x unit (1 second .. 5 week; 6 month as 30 days and 7 tick refused as
UnitInvalid: both unconfirmed), newest first, ``limit`` keeping the most recent.  With
``includePartialBar``, a forming bar without trades yet stands at the contract's last price
(volume 0), so a client has a price before the first trade.
"""

from __future__ import annotations

from engine.sim.core_types import now_ms
from engine.sim.matching import Order
from engine.sim.topstepx.instruments import CONTRACTS, MARKET, WALLET, contract, contracts, units
from engine.sim.topstepx.orders import Refusal, check_account, submit, whole
from engine.sim.topstepx.rows import account_row, iso, num, parse_iso

__all__ = ["ROUTES"]

_UNIT_S = {1: 1, 2: 60, 3: 3600, 4: 86400, 5: 604800, 6: 2592000}


def accounts(sim, st, acct, b) -> dict:
    if acct.can_trade or not b.get("onlyactiveaccounts", False):
        return {"accounts": [account_row(acct)]}
    return {"accounts": []}


def positions(sim, st, acct, b) -> dict:
    check_account(st, acct, b)
    return {"positions": st.events.position_rows(acct)}


def _close(sim, st, acct, b, size, codes) -> dict:
    check_account(st, acct, b)
    cid = b.get("contractid")
    c = contract(cid) if isinstance(cid, str) else None
    if c is None:
        raise Refusal(codes["contract"])
    if not st.is_active(c.id):
        raise Refusal(codes["inactive"])
    pos = acct.account.position(WALLET, c.id)
    held = abs(contracts(c, pos.amount))
    if held == 0:
        raise Refusal(2)
    if size is None:
        size = held
    elif whole(size) is None or size <= 0 or size > held:
        raise Refusal(5)
    order = Order(oid=sim.core.new_oid(), market=MARKET, symbol=c.id, account=acct.account, client_id="",
                  side="SELL" if pos.amount > 0 else "BUY", type="MARKET", tif="GTC", qty=units(c, size),
                  reduce_only=True)
    order.extra["tsx_type"] = 2
    try:
        submit(sim, acct, order, c, 2, None)
    except Refusal as exc:
        raise Refusal(codes["rejected"]) from exc
    return {}


def close_contract(sim, st, acct, b) -> dict:
    return _close(sim, st, acct, b, None, {"contract": 3, "inactive": 4, "rejected": 5})


def partial_close(sim, st, acct, b) -> dict:
    if not acct.simulated:
        check_account(st, acct, b)
        raise Refusal(9)                            # AccountRejected, glossed "(live accounts)"
    size = b.get("size")
    if size is None:
        raise Refusal(5)
    return _close(sim, st, acct, b, size, {"contract": 3, "inactive": 4, "rejected": 6})


def trades(sim, st, acct, b) -> dict:
    check_account(st, acct, b)
    start = parse_iso(b.get("starttimestamp")) or 0.0
    end = parse_iso(b.get("endtimestamp"))
    out = []
    for t in acct.trades:
        ts = parse_iso(t["creationTimestamp"]) or 0.0
        if ts >= start and (end is None or ts <= end):
            out.append(t)
    return {"trades": out}


def contract_search(sim, st, acct, b) -> dict:
    text = str(b.get("searchtext") or "").lower()
    found = [c.row(True) for c in CONTRACTS.values() if st.is_active(c.id)
             and (not text or any(text in f.lower() for f in (c.name, c.description, c.symbol_id, c.id)))]
    return {"contracts": found[:20]}


def contract_by_id(sim, st, acct, b) -> dict:
    c = contract(b.get("contractid")) if isinstance(b.get("contractid"), str) else None
    if c is None:
        raise Refusal(1)
    return {"contract": c.row(st.is_active(c.id))}


def contract_available(sim, st, acct, b) -> dict:
    return {"contracts": [c.row(True) for c in CONTRACTS.values() if st.is_active(c.id)]}


def bars(sim, st, acct, b) -> dict:
    cid = b.get("contractid")
    c = contract(cid) if isinstance(cid, str) else None
    if c is None:
        raise Refusal(1)
    unit, n, limit = whole(b.get("unit")), whole(b.get("unitnumber")), whole(b.get("limit"))
    if unit not in _UNIT_S and not (unit == 7 and st.tick_bars):
        raise Refusal(2)
    if n is None or n <= 0:
        raise Refusal(3)
    if limit is None or not 0 < limit <= 20000:
        raise Refusal(4)
    start = (parse_iso(b.get("starttime")) or 0.0) * 1000
    end = (parse_iso(b.get("endtime")) or float("inf")) * 1000
    if unit == 7:
        return {"bars": _tick_bars(st, c, start, end, n)[:limit]}
    span = _UNIT_S[unit] * n * 1000
    out: dict[int, list] = {}
    for ms, price, qty in st.events.tape.get(c.id, ()):
        if start <= ms <= end:
            t = int(ms // span * span)
            bar = out.get(t)
            if bar is None:
                out[t] = [price, price, price, price, qty]
            else:
                bar[1], bar[2], bar[3] = max(bar[1], price), min(bar[2], price), price
                bar[4] += qty
    rows = [{"t": iso(t), "o": num(o), "h": num(h), "l": num(lo), "c": num(cl), "v": v}
            for t, (o, h, lo, cl, v) in sorted(out.items(), reverse=True)]
    forming = int(now_ms() // span * span)
    if not b.get("includepartialbar", False):
        if rows and max(out) == forming:
            rows = rows[1:]             # the bar still forming
    elif (not out or max(out) != forming) and start <= forming <= end:
        last = sim.core.last.get((MARKET, c.id))   # no trade yet in the forming bar: it stands at the last price
        if last is not None:
            rows.insert(0, {"t": iso(forming), "o": num(last), "h": num(last), "l": num(last), "c": num(last),
                            "v": 0})
    return {"bars": rows[:limit]}


def _tick_bars(st, c, start: float, end: float, n: int) -> list[dict]:
    """Bars of ``n`` trades each (unit 7 Tick, when ``st.tick_bars``: whether the Gateway serves them is
    unconfirmed), stamped with their first trade's time, newest first; the last, unfinished one included."""
    trades = [(ms, price, qty) for ms, price, qty in st.events.tape.get(c.id, ()) if start <= ms <= end]
    rows = []
    for i in range(0, len(trades), n):
        chunk = trades[i:i + n]
        prices = [p for _, p, _ in chunk]
        rows.append({"t": iso(chunk[0][0]), "o": num(prices[0]), "h": num(max(prices)), "l": num(min(prices)),
                     "c": num(prices[-1]), "v": sum(q for _, _, q in chunk)})
    return rows[::-1]


ROUTES = {
    "/api/account/search": accounts,
    "/api/position/searchopen": positions,
    "/api/position/closecontract": close_contract,
    "/api/position/partialclosecontract": partial_close,
    "/api/trade/search": trades,
    "/api/contract/search": contract_search,
    "/api/contract/searchbyid": contract_by_id,
    "/api/contract/available": contract_available,
    "/api/history/retrievebars": bars,
}
